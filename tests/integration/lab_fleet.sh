#!/bin/sh
# lab_fleet.sh — integration test of camlab inside a private network
# namespace: a 512-address fleet (every port of every device checked against
# the truth file and persona files, closed ports must refuse), the same seed
# with --density (same personas, empty addresses refuse), and the hostile
# personas (tarpit, drip, endless headers, huge body, TLS garbage, bad XML).
# Needs BUILD_DIR and SOURCE_DIR; skips (77) where namespaces cannot be made.
set -u
: "${BUILD_DIR:?}" "${SOURCE_DIR:?}"
camlab="$BUILD_DIR/lab/camlab"
check="$SOURCE_DIR/tests/integration/lab_check.py"
personas="$SOURCE_DIR/lab/personas"
ns="lab$$"
tmp=$(mktemp -d)
pids=""

cleanup() {
  for p in $pids; do kill -TERM "$p" 2>/dev/null; done
  "$SOURCE_DIR/lab/netns-down" "$ns"
  rm -rf "$tmp"
}

fail() {
  echo "lab_fleet: FAIL: $*" >&2
  for f in "$tmp"/*.err; do [ -s "$f" ] && { echo "--- $f"; tail -20 "$f"; } >&2; done
  exit 1
}

# Starts camlab in the namespace; waits for its ready file. $1 = tag.
start_camlab() {
  tag=$1
  shift
  ip netns exec "$ns" "$camlab" "$@" --ready-file "$tmp/$tag.ready" 2>"$tmp/$tag.err" &
  pid=$!
  pids="$pids $pid"
  i=0
  while [ ! -f "$tmp/$tag.ready" ]; do
    kill -0 "$pid" 2>/dev/null || fail "camlab ($tag) exited before it was ready"
    i=$((i + 1))
    [ $i -gt 600 ] && fail "camlab ($tag) not ready after 60 s"
    sleep 0.1
  done
}

# Stops camlab $1 (pid) with SIGTERM; it must exit 0 (a sanitizer report fails).
stop_camlab() {
  kill -TERM "$1"
  wait "$1"
  rc=$?
  pids=$(echo "$pids" | sed "s/ $1\b//")
  [ $rc -eq 0 ] || fail "camlab (pid $1) exited with status $rc after SIGTERM"
}

"$SOURCE_DIR/lab/netns-up" "$ns"
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || fail "netns-up failed"
trap cleanup EXIT INT TERM

# 1. A full fleet: 512 addresses, every persona but the hostile ones.
start_camlab full fleet --range 127.20.0.0/23 --seed 7 --truth "$tmp/full.json"
full_pid=$pid
ip netns exec "$ns" python3 "$check" fleet "$tmp/full.json" "$personas" || fail "fleet check"
stop_camlab "$full_pid"

# 2. Same seed and range, a quarter of the addresses populated.
start_camlab sparse fleet --range 127.20.0.0/23 --seed 7 --density 0.25 --truth "$tmp/sparse.json"
ip netns exec "$ns" python3 "$check" subset "$tmp/full.json" "$tmp/sparse.json" || fail "density check"
stop_camlab "$pid"

# 3. Hostile personas, one per address (order known to lab_check.py).
n=0
hostile_pids=""
for persona in hostile-tarpit hostile-drip hostile-endless-headers hostile-huge-body \
               hostile-tls-garbage hostile-bad-xml; do
  n=$((n + 1))
  start_camlab "$persona" serve --persona "$persona" --addr "127.20.9.$n"
  hostile_pids="$hostile_pids $pid"
done
ip netns exec "$ns" python3 "$check" hostile 127.20.9. || fail "hostile check"
for p in $hostile_pids; do stop_camlab "$p"; done

# 4. Bad persona files give one clear error naming file and field, exit 2.
mkdir "$tmp/bad"
printf '{"name": "x", "manufacturer": "m", "brand": "b", "model": "m", "firmware": "f", "device_type": "t", "serial": "s", "mac_oui": "00:11", "restricted_expected": false, "sources": [{"fact": "f", "source": "s"}], "services": [{"port": 80, "protocol": "http"}]}\n' >"$tmp/bad/x.json"
out=$("$camlab" list --personas "$tmp/bad" 2>&1)
rc=$?
[ $rc -eq 2 ] || fail "bad persona: exit $rc, want 2"
echo "$out" | grep -q "x.json: mac_oui: " || fail "bad persona: message '$out' does not name file and field"
echo "lab_fleet: ok"
exit 0
