#!/bin/sh
# store_write.sh — how fast the inventory takes hosts: imports a fleet of
# device lines (with two observations each) into a fresh SQLite database,
# one transaction per host as a scan writes them, and prints hosts/s. With
# STORE_BENCH_PG=postgresql://... it measures that server too. The machine
# is shared: figures are indicative; run it twice.
# usage: bench/store_write.sh [BUILD_DIR] [HOSTS]
set -eu
build=${1:-build}
hosts=${2:-5000}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
python3 "$here/tests/integration/store_fixture.py" --site bench --count "$hosts" \
  --observations "$work/obs.jsonl" >"$work/devices.jsonl"
lines=$(wc -l <"$work/devices.jsonl")
observations=$(wc -l <"$work/obs.jsonl")

measure() { # NAME DB
  start=$(date +%s.%N)
  "$build/camaudit" -q import --db "$2" --site bench --observations "$work/obs.jsonl" \
    "$work/devices.jsonl"
  end=$(date +%s.%N)
  python3 -c "import sys; s = float(sys.argv[2]) - float(sys.argv[1]); \
print(f'store_write: {sys.argv[3]}: {sys.argv[4]} hosts ({sys.argv[5]} observations) in {s:.2f} s = {int(sys.argv[4]) / s:.0f} hosts/s')" \
    "$start" "$end" "$1" "$lines" "$observations"
}
measure sqlite "$work/inventory.db"
measure "sqlite, second scan (devices known)" "$work/inventory.db"
if [ -n "${STORE_BENCH_PG:-}" ]; then
  measure postgresql "$STORE_BENCH_PG"
fi
