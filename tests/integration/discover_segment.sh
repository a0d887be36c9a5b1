#!/bin/sh
# discover_segment.sh — `camaudit discover` on a segment of network
# namespaces: a bridge (in a switch namespace), 22 device namespaces each
# with a MAC from its manufacturer's IEEE block and camlab's discovery
# responder for its persona (lab/personas/*.json "discovery" sections),
# three of them at factory-default addresses on foreign subnets, and one
# scanner namespace. Checks every device against the truth written below:
# address, MAC, model, serial, firmware, protocols, activation and the
# misaddressed flag, and that nothing else answered. Everything lives in
# namespaces this script creates and removes (trap); no packet leaves them.
# Skips (77) where namespaces cannot be made.
set -u
B=${BUILD_DIR:?BUILD_DIR not set}
S=${SOURCE_DIR:?SOURCE_DIR not set}
CAMAUDIT=$B/camaudit
RESPONDER=$B/lab/camlab-discovery
CAMLAB=$B/lab/camlab
PERSONAS=$S/lab/personas
P=cadisc$$
TMP=$(mktemp -d)
NSLIST=""
PIDS=""

cleanup() {
  # DISCOVER_KEEP=DIR keeps the outputs for a person to read.
  [ -n "${DISCOVER_KEEP:-}" ] && cp "$TMP"/* "$DISCOVER_KEEP"/ 2>/dev/null
  for pid in $PIDS; do kill "$pid" 2>/dev/null; done
  for pid in $PIDS; do wait "$pid" 2>/dev/null; done
  for ns in $NSLIST; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1; then
  echo "SKIP: network namespaces need root and iproute2"
  exit 77
fi
if ! ip netns add "${P}sw" 2>/dev/null; then
  echo "SKIP: cannot create a network namespace (ip netns add failed)"
  exit 77
fi
NSLIST="${P}sw"
for f in "$CAMAUDIT" "$RESPONDER" "$CAMLAB"; do
  [ -x "$f" ] || { echo "FAIL: $f not built"; exit 1; }
done

fail() { echo "FAIL: $*"; exit 1; }

ip -n "${P}sw" link add br0 type bridge mcast_snooping 0 || fail "cannot make the bridge"
ip -n "${P}sw" link set br0 up
# A second segment the scanner also touches (eth1): its devices must never
# show up in a search of eth0.
ip -n "${P}sw" link add br1 type bridge mcast_snooping 0
ip -n "${P}sw" link set br1 up

# add_node NAME MAC ADDR/LEN [GATEWAY]: a namespace wired to the bridge.
add_node() {
  ns="$P$1"
  ip netns add "$ns" || fail "cannot make namespace $ns"
  NSLIST="$NSLIST $ns"
  ip -n "$ns" link set lo up
  ip link add "$1" netns "${P}sw" type veth peer name eth0 netns "$ns" || fail "veth for $1"
  ip -n "${P}sw" link set "$1" master "${BRIDGE:-br0}" up
  ip -n "$ns" link set eth0 address "$2"
  ip -n "$ns" addr add "$3" dev eth0
  ip -n "$ns" link set eth0 up
  ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
  if [ -n "${4:-}" ]; then
    # A device on a foreign subnet: its gateway is not on this segment, so it
    # can only reach the scanner on-link (as it does by ARP in real life).
    ip -n "$ns" route add default dev eth0
  fi
}

# Truth: node persona mac address/len gateway misaddressed
cat > "$TMP/truth.txt" <<'TRUTH'
d01 hikvision-ds2cd2385g1 58:50:ed:00:00:01 192.0.0.64/24 192.0.0.1 yes
d02 hikvision-ds2cd2320d-new 44:47:cc:00:00:02 10.66.0.11/24 - no
d03 hikvision-ds7608ni bc:ad:28:00:00:03 10.66.0.12/24 - no
d04 dahua-ipc-hdw1431t1 08:ed:ed:00:00:04 10.66.0.13/24 - no
d05 dahua-dvr-legacy 3c:ef:8c:00:00:05 192.168.1.108/24 192.168.1.1 yes
d06 intelbras-mhdx1016 58:10:8c:00:00:06 10.66.0.15/24 - no
d07 amcrest-ip4m1051 9c:8e:cd:00:00:07 10.66.0.16/24 - no
d08 lorex-n841 00:1f:54:00:00:08 10.66.0.17/24 - no
d09 xiongmai-besder-xm530 dc:29:19:00:00:09 192.168.1.10/24 192.168.1.1 yes
d10 axis-m3045v ac:cc:8e:00:00:0a 10.66.0.19/24 - no
d11 uniview-ipc322 48:ea:63:00:00:0b 10.66.0.20/24 - no
d12 reolink-rlc810a ec:71:db:00:00:0c 10.66.0.21/24 - no
d13 hanwha-xnv6080 00:09:18:00:00:0d 10.66.0.22/24 - no
d14 tiandy-tcnc9401 3c:da:6d:00:00:0e 10.66.0.23/24 - no
d15 hikvision-ipc 44:47:cc:00:00:0f 10.66.0.24/24 - no
d16 hikvision-nvr 94:e1:ac:00:00:10 10.66.0.25/24 - no
d17 dahua-ipc 08:ed:ed:00:00:11 10.66.0.26/24 - no
d18 dahua-nvr 3c:ef:8c:00:00:12 10.66.0.27/24 - no
d19 xiongmai-dvr dc:29:19:00:00:13 10.66.0.28/24 - no
d20 axis-ipc ac:cc:8e:00:00:14 10.66.0.29/24 - no
d21 tenda-router b4:0f:3b:00:00:15 10.66.0.30/24 - no
d22 hostile-discovery 02:00:5e:00:00:16 10.66.0.31/24 - no
TRUTH

add_node scan 02:00:00:66:00:02 10.66.0.2/24
ip link add scan1 netns "${P}sw" type veth peer name eth1 netns "${P}scan" || fail "veth scan1"
ip -n "${P}sw" link set scan1 master br1 up
ip -n "${P}scan" addr add 10.77.0.2/24 dev eth1
ip -n "${P}scan" link set eth1 up
ip netns exec "${P}scan" sysctl -qw net.ipv4.conf.eth1.rp_filter=0
BRIDGE=br1 add_node o01 58:50:ed:00:77:05 10.77.0.5/24
ip netns exec "${P}o01" "$RESPONDER" --persona "$PERSONAS/hikvision-ds2cd2385g1.json" \
  --interface eth0 --addr 10.77.0.5/24 --ready-file "$TMP/o01.ready" 2>"$TMP/o01.log" &
PIDS="$PIDS $!"
RESPONDERS=" o01:$!"
while read -r node persona mac addr gw mis; do
  [ "$gw" = "-" ] && gw=""
  add_node "$node" "$mac" "$addr" "$gw"
  if [ "$node" = d19 ]; then
    # `camlab serve` itself: its HTTP and DVRIP services and, in a thread,
    # the discovery answers of its persona.
    ip netns exec "$P$node" "$CAMLAB" serve --discovery --personas "$PERSONAS" --persona "$persona" \
      --addr "${addr%/*}" --truth "$TMP/$node.truth.json" --ready-file "$TMP/$node.ready" \
      2>"$TMP/$node.log" &
  else
    set -- --persona "$PERSONAS/$persona.json" --interface eth0 --addr "$addr" \
      --ready-file "$TMP/$node.ready"
    [ -n "$gw" ] && set -- "$@" --gateway "$gw"
    ip netns exec "$P$node" "$RESPONDER" "$@" 2>"$TMP/$node.log" &
  fi
  PIDS="$PIDS $!"
  RESPONDERS="${RESPONDERS:-} $node:$!"
done < "$TMP/truth.txt"

# A trap at the address the hostile device's SSDP LOCATION names: discover
# must never connect there (it only fetches from the answering host).
add_node trap 02:00:00:66:00:99 10.66.0.99/24
ip netns exec "${P}trap" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.66.0.99", 49152)); s.listen(4)
open(sys.argv[1], "w").write("ready\n")
c, a = s.accept(); open(sys.argv[2], "w").write("connection from %s\n" % a[0])
' "$TMP/trap.ready" "$TMP/trap.hit" 2>/dev/null &
PIDS="$PIDS $!"

# A routed subnet behind a router namespace: the scanner reaches 10.99.0.0/24
# through 10.88.0.1 (its link rt0, 10.88.0.0/30); r01 there is a Dahua
# camera that answers ONVIF unicast: `scan --discover` asks it by the
# unicast sweep (no segment search can reach it).
ip netns add "${P}rt" || fail "cannot make the router namespace"
NSLIST="$NSLIST ${P}rt"
ip -n "${P}rt" link set lo up
ip link add rt0 netns "${P}scan" type veth peer name up0 netns "${P}rt" || fail "veth rt0"
ip -n "${P}scan" addr add 10.88.0.2/30 dev rt0
ip -n "${P}scan" link set rt0 up
ip -n "${P}scan" route add 10.99.0.0/24 via 10.88.0.1
ip -n "${P}rt" addr add 10.88.0.1/30 dev up0
ip -n "${P}rt" link set up0 up
ip netns exec "${P}rt" sysctl -qw net.ipv4.ip_forward=1
ip netns add "${P}r01" || fail "cannot make namespace r01"
NSLIST="$NSLIST ${P}r01"
ip -n "${P}r01" link set lo up
ip link add down0 netns "${P}rt" type veth peer name eth0 netns "${P}r01" || fail "veth r01"
ip -n "${P}rt" addr add 10.99.0.1/24 dev down0
ip -n "${P}rt" link set down0 up
ip -n "${P}r01" link set eth0 address 08:ed:ed:00:99:05
ip -n "${P}r01" addr add 10.99.0.5/24 dev eth0
ip -n "${P}r01" link set eth0 up
ip -n "${P}r01" route add default via 10.99.0.1
ip netns exec "${P}r01" "$RESPONDER" --persona "$PERSONAS/dahua-ipc-hdw1431t1.json" \
  --interface eth0 --addr 10.99.0.5/24 --gateway 10.99.0.1 --ready-file "$TMP/r01.ready" \
  2>"$TMP/r01.log" &
PIDS="$PIDS $!"
RESPONDERS="$RESPONDERS r01:$!"

# Wait (at most 10 s) for every responder to listen.
i=0
while [ "$(ls "$TMP"/*.ready 2>/dev/null | wc -l)" -lt 25 ]; do
  i=$((i + 1))
  if [ $i -gt 100 ]; then
    cat "$TMP"/*.log
    fail "responders not ready"
  fi
  sleep 0.1
done

ip netns exec "${P}scan" "$CAMAUDIT" discover --interface eth0 --wait 3 --jsonl \
  --observations "$TMP/obs.jsonl" > "$TMP/hosts.jsonl" 2>"$TMP/discover.err" ||
  { cat "$TMP/discover.err"; fail "camaudit discover failed"; }
ip netns exec "${P}scan" "$CAMAUDIT" discover --interface eth0 --wait 2 > "$TMP/table.txt" \
  2>/dev/null || fail "camaudit discover (table) failed"
# The other segment, searched on its own: only its device. And the same
# search without privileges (no SO_BINDTODEVICE before Linux 5.7, so the
# arrival-interface check alone must keep eth0's answers out).
ip netns exec "${P}scan" "$CAMAUDIT" discover --interface eth1 --wait 2 --jsonl \
  > "$TMP/other.jsonl" 2>/dev/null || fail "discover on eth1 failed"
grep -q '"ip":"10.77.0.5".*"model":"DS-2CD2385G1-I"' "$TMP/other.jsonl" &&
  [ "$(wc -l < "$TMP/other.jsonl")" -eq 1 ] || { cat "$TMP/other.jsonl"; fail "eth1 search"; }
if command -v setpriv >/dev/null 2>&1; then
  # A search of eth0 runs at the same time, so eth0's answers (multicast and
  # broadcast to the same ports) reach the host while eth1 is searched.
  ip netns exec "${P}scan" "$CAMAUDIT" discover --interface eth0 --wait 3 >/dev/null 2>&1 &
  busy=$!
  sleep 0.3
  ip netns exec "${P}scan" setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$CAMAUDIT" -v discover --interface eth1 --wait 2 --jsonl > "$TMP/unpriv.jsonl" \
    2>"$TMP/unpriv.err" || { cat "$TMP/unpriv.err"; fail "unprivileged discover failed"; }
  wait $busy
  grep -q '"ip":"10.77.0.5"' "$TMP/unpriv.jsonl" && [ "$(wc -l < "$TMP/unpriv.jsonl")" -eq 1 ] ||
    { cat "$TMP/unpriv.jsonl"; fail "unprivileged eth1 search"; }
fi

# Unicast, as `scan` uses it on routed targets: ONVIF and DHIP answer.
ip netns exec "${P}scan" "$CAMAUDIT" discover --unicast 10.66.0.13,10.66.0.20 --wait 1 --jsonl \
  > "$TMP/unicast.jsonl" 2>"$TMP/unicast.err" || fail "camaudit discover --unicast failed"
grep -q '"ip":"10.66.0.13".*"model":"IPC-HDW1431T1-S4".*"protocols":\["onvif","dhip"\]' \
  "$TMP/unicast.jsonl" || { cat "$TMP/unicast.jsonl"; fail "unicast ONVIF+DHIP answer of 10.66.0.13"; }
grep -q '"ip":"10.66.0.20".*"protocols":\["onvif"\]' "$TMP/unicast.jsonl" ||
  fail "unicast ONVIF answer of 10.66.0.20"
[ "$(wc -l < "$TMP/unicast.jsonl")" -eq 2 ] || fail "unicast: answers from other hosts"
# scan --discover on the segment: the segment search of eth0 only (the
# targets overlap no other interface), its answers merged with the scan's
# hosts (port 49152: the UPnP description server of the SSDP devices), the
# devices only discovery found reported too, marked discovery.only. (The
# trap, excluded, is never connected to.)
ip netns exec "${P}scan" "$CAMAUDIT" scan --discover --discover-wait 3 -p 80,34567,49152 --timeout 1 \
  --no-store --jsonl --observations "$TMP/scan_obs.jsonl" --exclude 10.66.0.99 10.66.0.0/24 \
  > "$TMP/scan.jsonl" \
  2>"$TMP/scan.err" || { cat "$TMP/scan.err"; fail "camaudit scan --discover failed"; }
grep -q "discovery: searching the segment of eth0" "$TMP/scan.err" &&
  ! grep -q "segment of eth1\|segment of rt0" "$TMP/scan.err" ||
  { cat "$TMP/scan.err"; fail "scan --discover searched the wrong segments"; }
# The routed target, asked by unicast at --rate 20 (16 addresses x 3
# requests: the first 20 at once, the other 28 take at least 1.4 s) ...
t0=$(date +%s%N)
ip netns exec "${P}scan" "$CAMAUDIT" scan --discover --discover-wait 1 --rate 20 -p 49152 \
  --timeout 0.5 --no-store --jsonl 10.99.0.0/28 > "$TMP/routed.jsonl" 2>"$TMP/routed.err" ||
  { cat "$TMP/routed.err"; fail "scan --discover (routed) failed"; }
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -ge 1400 ] || fail "unicast sweep faster than --rate 20 allows"
grep -q "asked 16 routed address" "$TMP/routed.err" && ! grep -q "searching the segment" \
  "$TMP/routed.err" || { cat "$TMP/routed.err"; fail "routed sweep: wrong addresses asked"; }
# ... and never when excluded (nor reported).
ip netns exec "${P}scan" "$CAMAUDIT" scan --discover --discover-wait 1 -p 49152 --timeout 0.5 \
  --no-store --jsonl --exclude 10.99.0.5 10.99.0.0/28 > "$TMP/excluded.jsonl" \
  2>"$TMP/excluded.err" || { cat "$TMP/excluded.err"; fail "scan --discover --exclude failed"; }
grep -q "asked 15 routed address" "$TMP/excluded.err" && [ ! -s "$TMP/excluded.jsonl" ] ||
  { cat "$TMP/excluded.err" "$TMP/excluded.jsonl"; fail "an excluded address was asked"; }
ip netns exec "${P}scan" "$CAMAUDIT" scan --discover-wait 0 10.99.0.5 2>"$TMP/badwait.err"
[ $? -eq 2 ] && grep -q "invalid value '0' for --discover-wait" "$TMP/badwait.err" ||
  fail "bad --discover-wait not a usage error"

# An observations file that cannot be written is a runtime error, said so.
ip netns exec "${P}scan" "$CAMAUDIT" discover --interface eth0 --wait 1 \
  --observations /nonexistent/dir/obs.jsonl >/dev/null 2>"$TMP/obsfail.err"
[ $? -eq 1 ] && grep -q "cannot write observations file '/nonexistent/dir/obs.jsonl'" \
  "$TMP/obsfail.err" || { cat "$TMP/obsfail.err"; fail "unwritable observations file"; }
# Bad input: an unknown interface is a usage error with a clear line.
ip netns exec "${P}scan" "$CAMAUDIT" discover --interface nosuch0 --wait 1 2>"$TMP/bad.err"
[ $? -eq 2 ] && grep -q "no network interface 'nosuch0'" "$TMP/bad.err" ||
  fail "unknown interface not reported as a usage error"

python3 - "$TMP/truth.txt" "$TMP/hosts.jsonl" "$TMP/obs.jsonl" "$PERSONAS" "$TMP/table.txt" \
  "$TMP/trap.hit" "$TMP/scan.jsonl" "$TMP/routed.jsonl" <<'PY' || { cat "$TMP"/*.log "$TMP/discover.err"; exit 1; }
import json, os, sys
truth_path, hosts_path, obs_path, personas, table_path, trap_hit, scan_path, routed_path = sys.argv[1:]
hosts = {}
for line in open(hosts_path):
    h = json.loads(line)
    hosts[h["ip"]] = h
# What each persona's protocols put on the wire (the upnp description follows ssdp).
carries = {"sadp": {"serial", "firmware"}, "dhip": {"serial", "firmware"},
           "xm": {"serial", "firmware"}, "dahua5050": {"serial"}, "ssdp": {"serial"},
           "onvif": set(), "mdns": set()}
problems = []
for line in open(truth_path):
    node, persona, mac, addr, gw, mis = line.split()
    ip = addr.split("/")[0]
    p = json.load(open(f"{personas}/{persona}.json"))
    h = hosts.pop(ip, None)
    if not h:
        problems.append(f"{node} {persona} at {ip}: no answer")
        continue
    if p.get("hostile"):
        # Entity bomb (SADP), truncated DHIP, wrong-shaped Xiongmai JSON are
        # dropped; ONVIF and SSDP stay, bounded and printable; no description
        # is fetched from the foreign LOCATION.
        if h["protocols"] != ["onvif", "ssdp"]:
            problems.append(f"{node} hostile: protocols {h['protocols']}")
        if h.get("model") != "HOSTILE-" + mac.replace(":", ""):
            problems.append(f"{node} hostile: model {h.get('model')!r}")
        if any(ord(c) < 0x20 for c in json.dumps(h, ensure_ascii=False)):
            problems.append(f"{node} hostile: control bytes in {h}")
        continue
    def check(field, want):
        if h.get(field) != want:
            problems.append(f"{node} {persona}: {field} {h.get(field)!r}, expected {want!r}")
    protocols = set(p["discovery"]) - {"vars", "source"}
    if "ssdp" in protocols:
        protocols.add("upnp")
    if not protocols <= set(h["protocols"]):
        problems.append(f"{node} {persona}: protocols {h['protocols']}, expected {sorted(protocols)}")
    check("mac", mac)
    # ONVIF scope models come percent-decoded (AXIS%20P1465-LE is AXIS P1465-LE).
    check("model", p["model"])
    # identify names the real maker from discovery answers alone ...
    check("manufacturer", p["manufacturer"])
    # ... and policy's verdicts follow from it, as in a scan.
    restricted = any(f.get("verdict") == "restricted" for f in h.get("findings", []))
    if restricted != p["restricted_expected"]:
        problems.append(f"{node} {persona}: restricted {restricted}, expected {p['restricted_expected']}")
    n = int(mac.replace(":", "")[6:], 16)
    serial = (p["serial"].replace("{{id_dec}}", "%08u" % n).replace("{{id5}}", "%05u" % (n % 100000))
              .replace("{{id_hex}}", "%06X" % n))
    served_truth = os.path.join(os.path.dirname(truth_path), node + ".truth.json")
    if os.path.exists(served_truth):  # camlab serve's own serial
        serial = json.load(open(served_truth))[0]["serial"]
    got = set().union(*(carries[k] for k in protocols if k in carries))
    if "serial" in got:
        check("serial", serial)
    if "firmware" in got:
        check("firmware", p["firmware"])
    if (h.get("misaddressed") is not None) != (mis == "yes"):
        problems.append(f"{node} {persona}: misaddressed {h.get('misaddressed')!r}, expected {mis}")
    if mis == "yes" and not (h.get("own_ip_config") or "").startswith("ip=" + ip):
        problems.append(f"{node} {persona}: own_ip_config {h.get('own_ip_config')!r}")
    if p["discovery"].get("vars", {}).get("activated") == "false":
        check("activated", False)
    elif "sadp" in protocols:
        check("activated", True)
for ip in hosts:
    problems.append(f"unexpected host {ip}: {hosts[ip]}")
if os.path.exists(trap_hit):
    problems.append("discover followed a LOCATION to another host: " + open(trap_hit).read())
# The observations file is valid JSONL with the protocol signals of the contract.
signals = {json.loads(l)["signal"] for l in open(obs_path)}
for s in ["sadp", "dhip", "onvif.scopes", "upnp.device_xml", "ssdp.server", "mac",
          "dvrip.search", "dahua.search", "mdns.service", "discovery.misaddressed"]:
    if s not in signals:
        problems.append(f"no {s} observation")
table = open(table_path).read()
if table.count("misaddressed") != 3 or "192.0.0.64" not in table:
    problems.append("table does not show the three misaddressed devices:\n" + table)

# scan --discover: every device of the segment, none of eth1's, each with
# the maker discovery gave; what only discovery found is marked and why.
def only_of(h):
    return [e["value"] for e in h["evidence"] if e["signal"] == "discovery.only"]
scanned = {}
for line in open(scan_path):
    h = json.loads(line)
    scanned[h["ip"]] = h
merged = 0
for line in open(truth_path):
    node, persona, mac, addr, gw, mis = line.split()
    ip = addr.split("/")[0]
    p = json.load(open(f"{personas}/{persona}.json"))
    h = scanned.pop(ip, None)
    if not h:
        problems.append(f"scan --discover: {node} {persona} at {ip} not reported")
        continue
    if not p.get("hostile") and h["manufacturer"] != p["manufacturer"]:
        problems.append(f"scan --discover: {node} manufacturer {h['manufacturer']!r}")
    only = only_of(h)
    if node == "d19":  # camlab serve: the scan's probes and discovery, one device
        ports = {e.get("port") for e in h["evidence"]}
        signals = {e["signal"] for e in h["evidence"]}
        if not ({80, 34567} & ports and {"dvrip.search", "onvif.scopes"} & signals):
            problems.append(f"scan --discover: {node} not merged: {h['evidence']}")
    if {80, 34567, 49152} & set(h["open_ports"]):
        merged += 1  # the scan found it: discovery's observations joined its own
        if only:
            problems.append(f"scan --discover: {node} scanned but marked {only}")
    elif mis == "yes":
        if only != ["not a target, found by local discovery on eth0"] or not any(
                e["signal"] == "discovery.misaddressed" for e in h["evidence"]):
            problems.append(f"scan --discover: misaddressed {node}: {h['evidence']}")
    elif only != ["no scanned port answered, found by local discovery on eth0"]:
        problems.append(f"scan --discover: {node} marked {only}")
if merged < 3:
    problems.append(f"scan --discover: {merged} hosts merged (camlab serve's Xiongmai DVR, Tenda"
                    " and the hostile device have TCP ports)")
for ip in scanned:
    problems.append(f"scan --discover: unexpected host {ip}")
routed = [json.loads(l) for l in open(routed_path)]
if len(routed) != 1 or routed[0]["ip"] != "10.99.0.5" or routed[0]["manufacturer"] != "Dahua" \
        or routed[0]["model"] != "IPC-HDW1431T1-S4" \
        or only_of(routed[0]) != ["no scanned port answered, found by unicast discovery"]:
    problems.append(f"scan --discover routed: {routed}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("discover: 22 devices (one hostile) found and checked against the truth, 3 misaddressed;"
      f" scan --discover: all 22, {merged} merged with the scan's hosts, the routed one by unicast")
PY

# The responders stop cleanly on SIGTERM (under the sanitizers: no leak, no
# error) — the lab must be as sound as the tool it tests.
for entry in $RESPONDERS; do kill "${entry#*:}"; done
for entry in $RESPONDERS; do
  wait "${entry#*:}" || { cat "$TMP/${entry%%:*}.log"; fail "responder ${entry%%:*} did not stop cleanly"; }
done
