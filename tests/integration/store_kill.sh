#!/bin/sh
# store_kill.sh — a writer killed with SIGKILL at any moment leaves the
# inventory consistent with every completed host stored. Runs `camaudit
# import --progress` of a large device file (with observations) and kills it
# at random moments, several times over one database; after each kill checks
# SQLite's integrity and foreign keys, that every host the writer reported
# as stored is there, and that no host is half-written (its findings and
# observations all present, every device with its history row).
set -eu
: "${BUILD_DIR:?}" "${SOURCE_DIR:?}"
camaudit="$BUILD_DIR/camaudit"
out="$BUILD_DIR/tests/out/store_kill"
rm -rf "$out"
mkdir -p "$out"
db="$out/inventory.db"
rounds=${STORE_KILL_ROUNDS:-8}
count=3000

fail() { echo "store_kill: FAIL: $*" >&2; exit 1; }
q() { sqlite3 -batch -noheader "$db" "$1"; }

python3 "$SOURCE_DIR/tests/integration/store_fixture.py" --site kill --count $count \
  --observations "$out/observations.jsonl" >"$out/devices.jsonl"

check_consistent() {
  [ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity_check: $(q 'PRAGMA integrity_check')"
  [ -z "$(q 'PRAGMA foreign_key_check')" ] || fail "foreign keys: $(q 'PRAGMA foreign_key_check')"
  bad=$(q "SELECT COUNT(*) FROM device_scans v WHERE v.finding_count <>
             (SELECT COUNT(*) FROM findings f WHERE f.scan_id = v.scan_id AND f.device_id = v.device_id)
           OR v.observation_count <>
             (SELECT COUNT(*) FROM observations o WHERE o.scan_id = v.scan_id AND o.device_id = v.device_id)")
  [ "$bad" = 0 ] || fail "$bad hosts half-written"
  orphans=$(q "SELECT COUNT(*) FROM devices d WHERE NOT EXISTS
               (SELECT 1 FROM device_scans v WHERE v.device_id = d.id AND v.scan_id = d.last_scan)")
  [ "$orphans" = 0 ] || fail "$orphans devices without their history row"
  stray=$(q "SELECT COUNT(*) FROM observations o WHERE NOT EXISTS
             (SELECT 1 FROM device_scans v WHERE v.scan_id = o.scan_id AND v.device_id = o.device_id)")
  [ "$stray" = 0 ] || fail "$stray observations of no stored host"
}

# How long a whole import takes here, so the kills land inside one whatever
# the machine's speed (a fixed window misses on a fast machine).
start=$(date +%s.%N)
"$camaudit" -q import --db "$out/timing.db" --site kill \
  --observations "$out/observations.jsonl" "$out/devices.jsonl" >/dev/null
whole=$(python3 -c "print(max(0.1, $(date +%s.%N) - $start))")

killed_midway=0
i=1
while [ $i -le $rounds ]; do
  # A random moment within the first 90% of an import.
  delay=$(python3 -c "import random; print(round(random.uniform(0.02, 0.9 * $whole), 3))")
  "$camaudit" -q import --db "$db" --site kill --progress \
    --observations "$out/observations.jsonl" "$out/devices.jsonl" >"$out/progress.$i" &
  pid=$!
  sleep "$delay"
  kill -KILL $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  reported=$(tail -n 1 "$out/progress.$i" | awk '{print $2}')
  reported=${reported:-0}
  # Killed before the schema or this round's scan existed: nothing stored.
  if [ "$(q "SELECT COUNT(*) FROM sqlite_master WHERE name = 'scans'")" = 0 ]; then
    scan=0
  else
    check_consistent
    scan=$(q "SELECT COALESCE(MAX(id), 0) FROM scans")
  fi
  if [ "$scan" = "${last_scan:-0}" ]; then
    [ "$reported" = 0 ] || fail "round $i: $reported hosts reported but no scan stored"
    echo "store_kill: round $i: killed after ${delay}s, before the scan was recorded"
    i=$((i + 1))
    continue
  fi
  last_scan=$scan
  stored=$(q "SELECT COUNT(*) FROM device_scans WHERE scan_id = $scan")
  # Hosts are committed before they are reported: at most one more is stored.
  [ "$stored" -ge "$reported" ] || fail "round $i: writer reported $reported hosts, $stored stored"
  [ "$stored" -le $((reported + 1)) ] || fail "round $i: $stored stored but only $reported reported"
  [ "$stored" -lt $count ] && killed_midway=$((killed_midway + 1))
  echo "store_kill: round $i: killed after ${delay}s, $reported reported, $stored stored, consistent"
  i=$((i + 1))
done
[ $killed_midway -gt 0 ] || fail "no round killed the writer before it finished (machine too fast?)"

# The database is still usable: a full import completes over the killed ones.
"$camaudit" -q import --db "$db" --site kill --observations "$out/observations.jsonl" \
  "$out/devices.jsonl"
check_consistent
scan=$(q "SELECT MAX(id) FROM scans")
[ "$(q "SELECT COUNT(*) FROM device_scans WHERE scan_id = $scan")" = $count ] ||
  fail "the final import did not store all $count hosts"
[ "$(q "SELECT COUNT(*) FROM scans WHERE finished IS NULL")" -ge $killed_midway ] ||
  fail "killed scans should stay marked unfinished"
"$camaudit" scans --db "$db" | grep -q incomplete || fail "'camaudit scans' does not show killed scans"
echo "store_kill: $rounds kills ($killed_midway mid-import), database consistent"
