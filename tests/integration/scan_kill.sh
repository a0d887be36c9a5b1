#!/bin/sh
# scan_kill.sh — a `camaudit scan` killed with SIGKILL at any moment leaves
# the SQLite inventory consistent, with every host it completed stored.
# A 512-address camlab fleet runs in a private namespace; the scan is killed
# at random moments several times over one database. After each kill:
# SQLite's integrity and foreign keys hold, no host is half-written (its
# observation and finding counts match its rows), and every host the scan
# printed (output is written and flushed only after the host is stored) is
# in the database. A last scan then completes over the killed ones.
# Needs root for `ip netns`; skips (77) with a message otherwise.
set -u
: "${BUILD_DIR:?}" "${SOURCE_DIR:?}"
camaudit="$BUILD_DIR/camaudit"
camlab="$BUILD_DIR/lab/camlab"
ns="scankill$$"
out="$BUILD_DIR/tests/out/scan_kill"
range=127.20.0.0/23
rounds=${SCAN_KILL_ROUNDS:-5}
lab_pid=""
rm -rf "$out"
mkdir -p "$out"
db="$out/inventory.db"

cleanup() {
  [ -n "$lab_pid" ] && kill "$lab_pid" 2>/dev/null && wait "$lab_pid" 2>/dev/null
  "$SOURCE_DIR/lab/netns-down" "$ns" >/dev/null 2>&1
}
trap cleanup EXIT INT TERM
fail() { echo "scan_kill: FAIL: $*" >&2; exit 1; }
q() { sqlite3 -batch -noheader "$db" "$1"; }

"$SOURCE_DIR/lab/netns-up" "$ns"
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -ne 0 ] && fail "cannot create namespace $ns"

ip netns exec "$ns" "$camlab" -q fleet --range "$range" --seed 5 --mix core=1 \
  --truth "$out/truth.json" --ready-file "$out/ready" 2>"$out/camlab.err" &
lab_pid=$!
i=0
while [ ! -s "$out/ready" ]; do
  i=$((i + 1))
  [ $i -gt 600 ] && fail "camlab did not become ready: $(cat "$out/camlab.err")"
  kill -0 "$lab_pid" 2>/dev/null || fail "camlab died: $(cat "$out/camlab.err")"
  sleep 0.1
done

check_consistent() {
  [ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity_check: $(q 'PRAGMA integrity_check')"
  [ -z "$(q 'PRAGMA foreign_key_check')" ] || fail "foreign keys: $(q 'PRAGMA foreign_key_check')"
  bad=$(q "SELECT COUNT(*) FROM device_scans v WHERE v.finding_count <>
             (SELECT COUNT(*) FROM findings f WHERE f.scan_id = v.scan_id AND f.device_id = v.device_id)
           OR v.observation_count <>
             (SELECT COUNT(*) FROM observations o WHERE o.scan_id = v.scan_id AND o.device_id = v.device_id)")
  [ "$bad" = 0 ] || fail "$bad hosts half-written"
}

# A slow, gentle scan (low rate) so that kills land in the middle of it.
# Started with `exec` in a background subshell so that $! is camaudit itself
# (`ip netns exec` execs the command without forking).
scan_args="scan $range --quiet --jsonl --rate 400 --timeout 2 --db $db --site kill"

midway=0
last_scan=0
r=1
while [ $r -le $rounds ]; do
  delay=$(python3 -c "import random; print(round(random.uniform(0.3, 3.0), 2))")
  (exec ip netns exec "$ns" "$camaudit" $scan_args -o "$out/printed.$r" 2>>"$out/scan.err") &
  pid=$!
  sleep "$delay"
  # ip netns exec runs camaudit as the same process (exec); kill it directly.
  kill -KILL $pid 2>/dev/null || true
  wait $pid 2>/dev/null
  if [ ! -f "$db" ] || [ "$(q "SELECT COUNT(*) FROM sqlite_master WHERE name = 'scans'")" = 0 ]; then
    echo "scan_kill: round $r: killed after ${delay}s, before the inventory existed"
    r=$((r + 1))
    continue
  fi
  check_consistent
  scan_id=$(q "SELECT COALESCE(MAX(id), 0) FROM scans")
  printed=$(python3 -c "import json,sys; print(' '.join(json.loads(l)['ip'] for l in open(sys.argv[1]) if l.strip()))" "$out/printed.$r" 2>/dev/null || true)
  stored=0
  if [ "$scan_id" != "$last_scan" ]; then
    stored=$(q "SELECT COUNT(*) FROM device_scans WHERE scan_id = $scan_id")
    for ip in $printed; do
      [ "$(q "SELECT COUNT(*) FROM device_scans WHERE scan_id = $scan_id AND ip = '$ip'")" = 1 ] ||
        fail "round $r: $ip was printed as done but is not stored"
    done
    last_scan=$scan_id
  else
    [ -z "$printed" ] || fail "round $r: hosts printed but no scan stored"
  fi
  nprinted=$(echo $printed | wc -w)
  [ "$stored" -gt 0 ] && [ "$stored" -lt 512 ] && midway=$((midway + 1))
  [ "$(q "SELECT finished IS NULL FROM scans WHERE id = $scan_id")" = 1 ] || [ "$stored" = 0 ] ||
    fail "round $r: the killed scan went on running"
  echo "scan_kill: round $r: killed after ${delay}s, $nprinted printed, $stored stored, consistent"
  r=$((r + 1))
done
[ $midway -gt 0 ] || fail "no round killed the scan midway (machine too fast or too slow?)"

# The inventory still works: a whole scan completes over the killed ones.
ip netns exec "$ns" "$camaudit" $scan_args -o "$out/final.jsonl" 2>>"$out/scan.err" || fail "the final scan failed: $(tail -3 "$out/scan.err")"
check_consistent
scan_id=$(q "SELECT MAX(id) FROM scans")
found=$(grep -c '"ip"' "$out/final.jsonl")
[ "$(q "SELECT COUNT(*) FROM device_scans WHERE scan_id = $scan_id")" = "$found" ] ||
  fail "the final scan printed $found hosts but stored a different number"
[ "$(q "SELECT COUNT(*) FROM scans WHERE finished IS NULL")" -ge $midway ] ||
  fail "killed scans should stay marked unfinished"
echo "scan_kill: $rounds kills ($midway mid-scan), inventory consistent, final scan stored $found hosts"
