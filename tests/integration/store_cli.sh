#!/bin/sh
# store_cli.sh — the inventory commands as a user runs them: import (and
# its refusal of bad lines), scans, devices [--restricted], diff (default
# scans, explicit ids, text and JSON), hostile strings kept off the
# terminal, and clear errors with exit status 2 for bad input.
set -eu
: "${BUILD_DIR:?}" "${SOURCE_DIR:?}"
camaudit="$BUILD_DIR/camaudit"
fixture="$SOURCE_DIR/tests/integration/store_fixture.py"
out="$BUILD_DIR/tests/out/store_cli"
rm -rf "$out"
mkdir -p "$out"
db="$out/inventory.db"
fail() { echo "store_cli: FAIL: $*" >&2; exit 1; }
expect_status() { # STATUS MESSAGE-PATTERN COMMAND...
  want=$1 pattern=$2
  shift 2
  set +e
  "$@" >"$out/stdout" 2>"$out/stderr"
  got=$?
  set -e
  [ $got = "$want" ] || fail "'$*' exited $got, expected $want ($(cat "$out/stderr"))"
  grep -q -- "$pattern" "$out/stderr" || fail "'$*' said '$(cat "$out/stderr")', expected '$pattern'"
}

python3 "$fixture" --site hq --scan 1 --count 30 --hostile >"$out/s1.jsonl"
python3 "$fixture" --site hq --scan 2 --count 30 --hostile >"$out/s2.jsonl"
"$camaudit" -q import --db "$db" --site hq --started 2026-10-01T00:00:00Z "$out/s1.jsonl"
"$camaudit" -q import --db "$db" --site hq --started 2026-11-01T00:00:00Z "$out/s2.jsonl"

# scans: both, oldest first, with their host counts.
"$camaudit" scans --db "$db" >"$out/scans.txt"
[ "$(grep -c ' import ' "$out/scans.txt")" = 2 ] || fail "scans lists $(cat "$out/scans.txt")"
hosts=$("$camaudit" scans --db "$db" --json | jq -c '[.[].hosts]')
[ "$hosts" = "[$(wc -l <"$out/s1.jsonl"),$(wc -l <"$out/s2.jsonl")]" ] || fail "scan host counts: $hosts"

# devices: the inventory (latest state of each device), and the restricted ones.
total=$("$camaudit" devices --db "$db" --json | wc -l)
distinct=$(cat "$out/s1.jsonl" "$out/s2.jsonl" | jq -r '.mac // .serial // .ip' | sort -u | wc -l)
[ "$total" = "$distinct" ] || fail "inventory has $total devices, input $distinct distinct ones"
restricted=$("$camaudit" devices --db "$db" --site hq --restricted --json |
  jq -s '[.[] | select([.findings[] | select(.kind == "restriction" and .verdict == "restricted")] | length > 0)] | length')
listed=$("$camaudit" devices --db "$db" --site hq --restricted --json | wc -l)
[ "$restricted" = "$listed" ] && [ "$listed" -gt 0 ] || fail "--restricted listed $listed, $restricted restricted"
"$camaudit" devices --db "$db" >"$out/devices.txt"
if grep -q "$(printf '\033')" "$out/devices.txt"; then
  fail "a device string put an escape sequence on the terminal"
fi

# diff: the default is the last two scans of the site; same as explicit ids.
"$camaudit" diff --db "$db" >"$out/diff.txt"
"$camaudit" diff --db "$db" 1 2 >"$out/diff12.txt"
cmp -s "$out/diff.txt" "$out/diff12.txt" || fail "default diff differs from 'diff 1 2'"
grep -q '^+ appeared' "$out/diff.txt" || fail "diff shows no appeared device"
grep -q '^- vanished' "$out/diff.txt" || fail "diff shows no vanished device"
grep -q 'ip 10\.[0-9.]* -> 10\.' "$out/diff.txt" || fail "diff misses the camera that moved"
grep -q 'firmware .* -> .*\.1' "$out/diff.txt" || fail "diff misses the firmware upgrade"
"$camaudit" diff --db "$db" --json 1 2 | jq -e '.appeared + .vanished + .changed == ([.devices[]] | length)' \
  >/dev/null || fail "diff JSON counts do not add up"

# Bad input: one clear line, exit 2.
printf '{"ip":"10.0.0.1"}\n{"ip":"not an address"}\n' >"$out/bad.jsonl"
expect_status 2 "bad.jsonl:2: \"ip\" is not an IP address" \
  "$camaudit" import --db "$db" --site bad "$out/bad.jsonl"
expect_status 2 "cannot read '$out/missing.jsonl'" "$camaudit" import --db "$db" "$out/missing.jsonl"
expect_status 2 "no scan 99 in the store" "$camaudit" diff --db "$db" 1 99
expect_status 2 "bad scan id 'x'" "$camaudit" diff --db "$db" x
expect_status 2 "has only one scan" "$camaudit" diff --db "$db" --site bad
expect_status 2 "unknown argument '--nope'" "$camaudit" devices --db "$db" --nope
expect_status 2 "option '--db' needs a value" "$camaudit" scans --db
expect_status 1 "cannot open database '$out/no/such/dir.db'" "$camaudit" scans --db "$out/no/such/dir.db"
# A write-protected copy of the inventory still reads (no migration write).
mkdir -p "$out/ro"
sqlite3 "$db" ".backup '$out/ro/inventory.db'"
chmod 0444 "$out/ro/inventory.db"
if [ "$(id -u)" = 0 ]; then # root writes anyway: read it as nobody
  chown nobody "$out/ro"
  run_ro() { runuser -u nobody -- "$@"; }
else
  run_ro() { "$@"; }
fi
run_ro "$camaudit" scans --db "$out/ro/inventory.db" >"$out/ro-scans.txt" 2>"$out/ro.err" ||
  fail "a write-protected inventory cannot be read: $(cat "$out/ro.err")"
"$camaudit" scans --db "$db" >"$out/rw-scans.txt"
cmp -s "$out/ro-scans.txt" "$out/rw-scans.txt" || fail "read-only scans: $(cat "$out/ro-scans.txt")"
echo "store_cli: ok"
