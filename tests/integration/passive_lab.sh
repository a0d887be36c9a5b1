#!/bin/sh
# passive_lab.sh — `camaudit passive` on a capture of the lab's own traffic:
# a camlab fleet in a private network namespace, clients that talk to every
# device as a scan would (tests/passive/lab_clients.py, which also plays each
# cloud-vendor device's phone-home DNS lookup from the device's address),
# all recorded by tcpdump on the namespace's loopback. camaudit must report
# every device, its certificates and phone-home, name no maker wrongly and
# name every restricted maker (tests/passive/check_lab.py).
# Skips (77) where namespaces cannot be made.
set -u
: "${BUILD_DIR:?}" "${SOURCE_DIR:?}"
camaudit="$BUILD_DIR/camaudit"
camlab="$BUILD_DIR/lab/camlab"
ns="passive$$"
tmp=$(mktemp -d)
pids=""
export XDG_DATA_HOME="$tmp/xdg" # the default inventory lives in the test's directory

cleanup() {
  for p in $pids; do kill -TERM "$p" 2>/dev/null; done
  "$SOURCE_DIR/lab/netns-down" "$ns" 2>/dev/null
  [ -n "${KEEP_TMP:-}" ] && echo "passive_lab: kept $tmp" >&2 || rm -rf "$tmp"
}
fail() {
  echo "passive_lab: FAIL: $*" >&2
  for f in "$tmp"/*.err; do [ -s "$f" ] && { echo "--- $f"; tail -5 "$f"; } >&2; done
  exit 1
}
wait_for() { # FILE PATTERN PID WHAT
  i=0
  until grep -q "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || fail "$4 exited before it was ready"
    i=$((i + 1))
    [ $i -gt 300 ] && fail "$4 not ready after 30 s"
    sleep 0.1
  done
}

command -v tcpdump >/dev/null || { echo "passive_lab: skipped: tcpdump is not installed"; exit 77; }
"$SOURCE_DIR/lab/netns-up" "$ns"
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || fail "netns-up failed"
trap cleanup EXIT INT TERM

ip netns exec "$ns" tcpdump -i lo --immediate-mode -B 65536 -U -s 0 -w "$tmp/lab.pcap" 2>"$tmp/tcpdump.err" &
tcpdump_pid=$!
pids="$pids $tcpdump_pid"
wait_for "$tmp/tcpdump.err" "listening on" "$tcpdump_pid" tcpdump

ip netns exec "$ns" "$camlab" fleet --range 127.50.0.0/27 --seed 11 --truth "$tmp/truth.json" \
  --ready-file "$tmp/camlab.ready" 2>"$tmp/camlab.err" &
camlab_pid=$!
pids="$pids $camlab_pid"
wait_for "$tmp/camlab.ready" "" "$camlab_pid" camlab

ip netns exec "$ns" python3 "$SOURCE_DIR/tests/passive/lab_clients.py" "$tmp/truth.json" \
  "$SOURCE_DIR/lab/personas" 127.50.0.254 "$SOURCE_DIR/data/cloud_endpoints.json" \
  >"$tmp/played.txt" 2>"$tmp/clients.err" || fail "lab clients"
sleep 1 # let tcpdump write the last frames (immediate mode, packet-buffered)
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid"
grep -q "^0 packets dropped by kernel" "$tmp/tcpdump.err" || fail "tcpdump dropped frames: the capture is incomplete"
kill -TERM "$camlab_pid"
wait "$camlab_pid" || fail "camlab exited with status $? after SIGTERM"
pids=""

"$camaudit" -q passive --read "$tmp/lab.pcap" --jsonl --observations "$tmp/obs.jsonl" \
  >"$tmp/devices.jsonl" 2>"$tmp/passive.err" || fail "camaudit passive exited with $?"
python3 "$SOURCE_DIR/tests/passive/check_lab.py" "$tmp/truth.json" "$tmp/devices.jsonl" \
  "$tmp/obs.jsonl" "$tmp/played.txt" "$SOURCE_DIR/lab/personas" strict || fail "passive results"
# Live capture on the namespace's loopback: a lookup seen as it happens,
# results written when the capture is interrupted.
ip netns exec "$ns" "$camaudit" passive --interface lo >"$tmp/live.out" 2>"$tmp/live.err" &
live_pid=$!
pids="$live_pid"
wait_for "$tmp/live.err" "listening on 'lo' (read only, not promiscuous)" "$live_pid" "camaudit passive --interface"
sleep 0.3
ip netns exec "$ns" python3 -c "
import sys; sys.path.insert(0, '$SOURCE_DIR/tests/passive')
import lab_clients; lab_clients.dns_query('127.50.0.77', '127.50.0.254', 'litedev.hik-connect.com')"
sleep 0.5
kill -INT "$live_pid"
wait "$live_pid" || fail "camaudit passive --interface exited with $? after SIGINT"
pids=""
grep -q "^127.50.0.77 .*phone_home=hik-connect" "$tmp/live.out" || fail "live capture: $(cat "$tmp/live.out" "$tmp/live.err")"

# Passive never sends: the binary does not even link libpcap's send calls.
if nm -u "$camaudit" | grep -E "pcap_(inject|sendpacket)"; then
  fail "camaudit links a libpcap send function"
fi
echo "passive_lab: ok"
exit 0
