#!/bin/sh
# store_pg.sh — the PostgreSQL backend against a real server: starts a
# throwaway cluster (Debian's postgresql, as an unprivileged user, on a
# loopback address of the store range 127.40.0.0/16 and a random port),
# then checks migrations from an empty database, four agents writing four
# sites at once, device identity across scans, diff, reports, a writer
# killed mid-import, and that PostgreSQL and SQLite give the same answers
# for the same input. Skips (77) only when no server can be started.
set -eu
: "${BUILD_DIR:?}" "${SOURCE_DIR:?}"
camaudit="$BUILD_DIR/camaudit"
fixture="$SOURCE_DIR/tests/integration/store_fixture.py"
out="$BUILD_DIR/tests/out/store_pg"
rm -rf "$out"
mkdir -p "$out"

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "store_pg: SKIP: PostgreSQL server binaries not installed (Debian package postgresql)"
  exit 77
fi

# postgres refuses to run as root: the cluster belongs to an unprivileged user.
cluster=$(mktemp -d /tmp/camaudit-store-pg.XXXXXX)
chmod 755 "$cluster"
as_owner() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  chown nobody "$cluster"
  as_owner() { runuser -u nobody -- "$@"; }
fi
addr=127.40.$(( $$ % 250 + 1 )).$(( ($$ / 250) % 250 + 1 ))
port=$(( 20000 + $$ % 20000 ))
stop_cluster() {
  as_owner "$pgbin/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$cluster"
}
trap stop_cluster EXIT INT TERM

if ! as_owner "$pgbin/initdb" -D "$cluster/data" -U camaudit -A trust -E UTF8 --locale=C \
       --no-sync >"$out/initdb.log" 2>&1; then
  echo "store_pg: SKIP: initdb failed (see $out/initdb.log)"
  exit 77
fi
started=0
for attempt in 1 2 3 4 5; do
  if as_owner "$pgbin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 30 \
       -o "-c listen_addresses=$addr -p $port -k $cluster -c fsync=off -c max_connections=40" \
       start >/dev/null 2>&1; then
    started=1
    break
  fi
  port=$((port + 1)) # taken: try the next one
done
cp "$cluster/server.log" "$out/server.log" 2>/dev/null || true
if [ $started = 0 ]; then
  echo "store_pg: SKIP: the PostgreSQL server did not start (see $out/server.log)"
  exit 77
fi
uri="postgresql://camaudit@$addr:$port/postgres"
echo "store_pg: server on $addr:$port"

fail() { echo "store_pg: FAIL: $*" >&2; exit 1; }
q() { "$pgbin/psql" -X -q -At -d "$uri" -c "$1"; }

# 1. Migrations from an empty database, applied once, to the version SQLite
#    reaches with the same binary.
"$camaudit" scans --db "$uri" >/dev/null
"$camaudit" scans --db "$out/version.db" >/dev/null
latest=$(sqlite3 "$out/version.db" 'SELECT MAX(version) FROM schema_version')
[ "$(q 'SELECT MAX(version) FROM schema_version')" = "$latest" ] || fail "schema not at version $latest"
"$camaudit" scans --db "$uri" >/dev/null
[ "$(q 'SELECT COUNT(*) FROM schema_version')" = "$latest" ] || fail "migrations applied twice"
# Two hosts sharing a MAC in one scan stay two devices (shared identifier).
printf '%s\n' '{"ip":"10.250.0.1","mac":"00:00:00:00:00:00"}' '{"ip":"10.250.0.2","mac":"00:00:00:00:00:00"}' \
  >"$out/shared.jsonl"
"$camaudit" -q import --db "$uri" --site shared "$out/shared.jsonl"
[ "$(q "SELECT COUNT(DISTINCT device_id) FROM device_scans v JOIN scans s ON s.id = v.scan_id
        WHERE s.site = 'shared'")" = 2 ] || fail "hosts sharing a MAC were merged"
[ "$(q "SELECT COUNT(*) FROM shared_identifiers WHERE value = '00:00:00:00:00:00'")" = 1 ] ||
  fail "the shared MAC was not recorded"

# 2. Four agents write four sites at once, twice (two scans per site).
sites="site-a site-b site-c site-d"
for scan in 1 2; do
  pids=""
  for site in $sites; do
    python3 "$fixture" --site $site --scan $scan --count 150 \
      --observations "$out/$site.$scan.obs" >"$out/$site.$scan.jsonl"
    "$camaudit" -q import --db "$uri" --site $site --started "2026-0$((scan + 7))-01T00:00:00Z" \
      --observations "$out/$site.$scan.obs" "$out/$site.$scan.jsonl" 2>"$out/$site.$scan.err" &
    pids="$pids $!"
  done
  for pid in $pids; do
    wait "$pid" || fail "an agent failed: $(cat "$out"/*.$scan.err)"
  done
done
for site in $sites; do
  for scan in 1 2; do
    lines=$(wc -l <"$out/$site.$scan.jsonl")
    stored=$(q "SELECT COUNT(*) FROM device_scans v JOIN scans s ON s.id = v.scan_id
                WHERE s.site = '$site' AND s.started = (SELECT started FROM scans
                WHERE site = '$site' ORDER BY started LIMIT 1 OFFSET $((scan - 1)))")
    [ "$stored" = "$lines" ] || fail "$site scan $scan: $stored hosts stored of $lines"
    findings=$(python3 -c "import json,sys; print(sum(len(json.loads(l)['findings']) for l in open(sys.argv[1])))" "$out/$site.$scan.jsonl")
    got=$(q "SELECT COUNT(*) FROM findings f JOIN scans s ON s.id = f.scan_id
             WHERE s.site = '$site' AND s.started = (SELECT started FROM scans
             WHERE site = '$site' ORDER BY started LIMIT 1 OFFSET $((scan - 1)))")
    [ "$got" = "$findings" ] || fail "$site scan $scan: $got findings stored of $findings"
  done
done
[ "$(q 'SELECT COUNT(*) FROM scans WHERE finished IS NULL')" = 0 ] || fail "a scan was not closed"
echo "store_pg: four concurrent agents stored every host and finding"

# 3. The same input in SQLite gives the same inventory, diff and report.
lite="$out/same.db"
for scan in 1 2; do
  for site in $sites; do
    "$camaudit" -q import --db "$lite" --site $site --started "2026-0$((scan + 7))-01T00:00:00Z" \
      --observations "$out/$site.$scan.obs" "$out/$site.$scan.jsonl"
  done
done
shape_devices() { jq -c '{site, ip, mac, manufacturer, firmware, findings}' | sort; }
for site in $sites; do
  "$camaudit" devices --db "$uri" --site $site --json | shape_devices >"$out/$site.pg.devices"
  "$camaudit" devices --db "$lite" --site $site --json | shape_devices >"$out/$site.lite.devices"
  cmp -s "$out/$site.pg.devices" "$out/$site.lite.devices" ||
    fail "$site: inventories differ between PostgreSQL and SQLite"
  shape_diff() { jq -c '{appeared, vanished, changed, unchanged, d: [.devices[] | {change, ip, changes}] | sort}'; }
  "$camaudit" diff --db "$uri" --site $site --json | shape_diff >"$out/$site.pg.diff"
  "$camaudit" diff --db "$lite" --site $site --json | shape_diff >"$out/$site.lite.diff"
  cmp -s "$out/$site.pg.diff" "$out/$site.lite.diff" || fail "$site: diffs differ"
  jq -e '.appeared >= 1 and .vanished >= 1 and .changed >= 1' "$out/$site.pg.diff" >/dev/null ||
    fail "$site: the diff misses the fixture's appeared/vanished/changed devices"
done
# The camera that moved address kept its identity (one device, two addresses).
moved=$(q "SELECT COUNT(DISTINCT v.ip) FROM device_scans v JOIN devices d ON d.id = v.device_id
           WHERE d.site = 'site-a' AND d.mac LIKE '%:00:00:00:01'")
[ "$moved" = 2 ] || fail "the moved camera has $moved addresses in its history, expected 2"
for site in $sites; do
  "$camaudit" -q report --db "$uri" --site $site --format json -o "$out/report.pg.json"
  "$camaudit" -q report --db "$lite" --site $site --format json -o "$out/report.lite.json"
  [ "$(jq -c '[.totals, .sites[0].since_previous.vanished]' "$out/report.pg.json")" = \
    "$(jq -c '[.totals, .sites[0].since_previous.vanished]' "$out/report.lite.json")" ] ||
    fail "$site: report totals differ between backends"
done
echo "store_pg: PostgreSQL and SQLite agree (inventory, diff, report)"

# 4. A writer killed mid-import leaves only whole hosts.
python3 "$fixture" --site kill --count 2000 >"$out/kill.jsonl"
"$camaudit" -q import --db "$uri" --site kill --progress "$out/kill.jsonl" >"$out/kill.progress" &
pid=$!
sleep 1.5
kill -KILL $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
reported=$(tail -n 1 "$out/kill.progress" | awk '{print $2}')
stored=$(q "SELECT COUNT(*) FROM device_scans v JOIN scans s ON s.id = v.scan_id WHERE s.site = 'kill'")
[ "$stored" -ge "${reported:-0}" ] || fail "killed writer reported $reported hosts, $stored stored"
half=$(q "SELECT COUNT(*) FROM device_scans v WHERE v.finding_count <>
          (SELECT COUNT(*) FROM findings f WHERE f.scan_id = v.scan_id AND f.device_id = v.device_id)")
[ "$half" = 0 ] || fail "$half hosts half-written after the kill"
echo "store_pg: killed writer: ${reported:-0} reported, $stored stored, none half-written"
echo "store_pg: ok"
