#!/bin/sh
# passive_segment.sh — `camaudit passive` on an Ethernet segment of network
# namespaces: a bridge, one namespace per (non-hostile) camlab persona with a
# MAC from its maker's IEEE block (the persona's mac_oui) serving that
# persona (camlab serve, and camlab-discovery for the discovery protocols
# the persona answers), and one client namespace that runs `camaudit
# discover` and then talks to every device as a scan would; each device also
# plays its maker's phone-home lookup from its own namespace. tcpdump on the
# bridge records everything (ARP and broadcasts included); camaudit passive
# must report every device with its MAC, see each persona's discovery
# answers (SADP, DHIP, Xiongmai, ONVIF, SSDP), flag every phone-home, name no
# maker wrongly and name the maker of every device, cameras, recorders and
# doorbells, the router and the plain web server alike (tests/passive/check_lab.py).
# Everything lives in namespaces this script creates and removes; skips (77)
# where namespaces cannot be made.
set -u
: "${BUILD_DIR:?}" "${SOURCE_DIR:?}"
camaudit="$BUILD_DIR/camaudit"
camlab="$BUILD_DIR/lab/camlab"
responder="$BUILD_DIR/lab/camlab-discovery"
personas="$SOURCE_DIR/lab/personas"
clients="$SOURCE_DIR/tests/passive/lab_clients.py"
p="pseg$$"
tmp=$(mktemp -d)
nslist=""
pids=""
export XDG_DATA_HOME="$tmp/xdg"

cleanup() {
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null; done
  for pid in $pids; do wait "$pid" 2>/dev/null; done
  for ns in $nslist; do ip netns del "$ns" 2>/dev/null; done
  [ -n "${KEEP_TMP:-}" ] && echo "passive_segment: kept $tmp" >&2 || rm -rf "$tmp"
}
fail() {
  echo "passive_segment: FAIL: $*" >&2
  exit 1
}
wait_for() { # FILE PATTERN PID WHAT
  i=0
  until grep -q "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || fail "$4 exited before it was ready: $(tail -2 "$tmp"/*.err 2>/dev/null)"
    i=$((i + 1))
    [ $i -gt 300 ] && fail "$4 not ready after 30 s"
    sleep 0.1
  done
}

command -v tcpdump >/dev/null || { echo "passive_segment: skipped: tcpdump is not installed"; exit 77; }
if [ "$(id -u)" != 0 ] || ! ip netns add "${p}sw" 2>/dev/null; then
  echo "passive_segment: skipped: cannot create network namespaces here"
  exit 77
fi
nslist="${p}sw"
trap cleanup EXIT
trap 'exit 1' INT TERM
ip -n "${p}sw" link add br0 type bridge || fail "cannot make the bridge"
ip -n "${p}sw" link set br0 up

# add_node NAME MAC ADDRESS/LEN: a namespace wired to the bridge.
add_node() {
  ns="$p$1"
  ip netns add "$ns" || fail "cannot make namespace $ns"
  nslist="$nslist $ns"
  ip -n "$ns" link set lo up
  ip link add "$1" netns "${p}sw" type veth peer name eth0 netns "$ns" || fail "veth for $1"
  ip -n "${p}sw" link set "$1" master br0 up
  ip -n "$ns" link set eth0 address "$2"
  ip -n "$ns" addr add "$3" dev eth0
  ip -n "$ns" link set eth0 up
}

# The devices: one per non-hostile persona, 10.77.0.10 upwards. Each camlab
# serve writes its device's truth (the MAC and serial it derives from the
# address); the namespace's interface then takes that MAC (in the maker's
# IEEE block), so what the device says and what the wire shows agree.
python3 - "$personas" >"$tmp/devices.txt" <<'PY' || fail "cannot list the personas"
import glob, json, os, sys
n = 0
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    p = json.load(open(path))
    if p.get("hostile"):
        continue
    answers = sorted(set(p.get("discovery", {})) & {"sadp", "dhip", "xm", "ssdp", "onvif"})
    print("10.77.0.%d %s:00:10:%02x %s %s" % (10 + n, p["mac_oui"].lower(), n, p["name"],
                                             ",".join(answers) or "-"))
    n += 1
PY

add_node client 02:00:00:77:00:02 10.77.0.2/24
ip netns exec "${p}sw" tcpdump -i br0 --immediate-mode -B 65536 -U -s 0 -w "$tmp/segment.pcap" \
  2>"$tmp/tcpdump.err" &
tcpdump_pid=$!
pids="$tcpdump_pid"
wait_for "$tmp/tcpdump.err" "listening on" "$tcpdump_pid" tcpdump

n=0
while read -r ip mac persona discovery; do # start every device at once
  n=$((n + 1))
  add_node "d$n" "$mac" "$ip/24"
  ip netns exec "$p""d$n" "$camlab" serve --persona "$persona" --addr "$ip" \
    --truth "$tmp/d$n.truth" --ready-file "$tmp/d$n.ready" 2>"$tmp/d$n.err" &
  echo $! >"$tmp/d$n.pid"
  pids="$pids $!"
done <"$tmp/devices.txt"
n=0
while read -r ip mac persona discovery; do # then: its MAC, its discovery responder, its lookup
  n=$((n + 1))
  wait_for "$tmp/d$n.ready" "" "$(cat "$tmp/d$n.pid")" "camlab serve $persona"
  python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))[0]
d['discovery'] = [] if sys.argv[2] == '-' else sys.argv[2].split(',')
print(json.dumps(d))" "$tmp/d$n.truth" "$discovery" >"$tmp/d$n.device" || fail "truth of $persona"
  lab_mac=$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['mac'])" "$tmp/d$n.device")
  ip -n "$p""d$n" link set eth0 address "$lab_mac" || fail "cannot give $persona its MAC $lab_mac"
  if [ "$discovery" != - ]; then
    ip netns exec "$p""d$n" "$responder" --persona "$personas/$persona.json" --interface eth0 \
      --addr "$ip/24" --ready-file "$tmp/r$n.ready" 2>"$tmp/r$n.err" &
    pid=$!
    pids="$pids $pid"
    wait_for "$tmp/r$n.ready" "" "$pid" "camlab-discovery $persona"
  fi
  maker=$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['manufacturer'])" "$tmp/d$n.device")
  ip netns exec "$p""d$n" python3 "$clients" --lookup "$ip" 10.77.0.2 "$maker" \
    "$SOURCE_DIR/data/cloud_endpoints.json" >>"$tmp/played.txt" || fail "lookup from $ip"
done <"$tmp/devices.txt"
python3 -c "
import json, sys
print(json.dumps([json.loads(open(f).read()) for f in sys.argv[1:]]))" \
  $(i=1; while [ $i -le $n ]; do echo "$tmp/d$i.device"; i=$((i + 1)); done) >"$tmp/truth.json"
ip netns exec "${p}client" "$camaudit" -q discover --interface eth0 --wait 2 >"$tmp/discover.out" \
  2>"$tmp/discover.err" || fail "camaudit discover exited with $?: $(tail -2 "$tmp/discover.err")"
ip netns exec "${p}client" python3 "$clients" --scan "$tmp/truth.json" "$personas" \
  2>"$tmp/clients.err" || fail "lab clients"
sleep 1 # let tcpdump write the last frames
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid"
grep -q "^0 packets dropped by kernel" "$tmp/tcpdump.err" || fail "tcpdump dropped frames"

"$camaudit" -q passive --read "$tmp/segment.pcap" --jsonl --observations "$tmp/obs.jsonl" \
  >"$tmp/found.jsonl" || fail "camaudit passive exited with $?"
python3 - "$tmp/truth.json" "$tmp/found.jsonl" <<'PY' || fail "MACs"
import json, sys
found = {d["ip"]: d for d in map(json.loads, open(sys.argv[2]))}
bad = [t["ip"] for t in json.load(open(sys.argv[1])) if found.get(t["ip"], {}).get("mac") != t["mac"]]
for ip in bad:
    print("passive_segment: %s: MAC %r, truth differs" % (ip, found.get(ip, {}).get("mac")))
sys.exit(1 if bad else 0)
PY
# Each persona's discovery answers, seen by the matching dissector.
python3 - "$tmp/truth.json" "$tmp/obs.jsonl" <<'PY' || fail "discovery answers"
import json, sys
signal = {"sadp": "sadp", "dhip": "dhip", "xm": "dvrip.search", "ssdp": "ssdp.server",
          "onvif": "onvif.scopes"}
seen = {(o["ip"], o["signal"]) for o in map(json.loads, open(sys.argv[2]))}
bad = [(t["ip"], t["persona"], proto) for t in json.load(open(sys.argv[1]))
       for proto in t["discovery"] if (t["ip"], signal[proto]) not in seen]
for ip, persona, proto in bad:
    print("passive_segment: %s (%s): its %s answer was not seen" % (ip, persona, proto))
sys.exit(1 if bad else 0)
PY
python3 "$SOURCE_DIR/tests/passive/check_lab.py" "$tmp/truth.json" "$tmp/found.jsonl" \
  "$tmp/obs.jsonl" "$tmp/played.txt" "$personas" every || fail "passive results"
echo "passive_segment: ok"
exit 0
