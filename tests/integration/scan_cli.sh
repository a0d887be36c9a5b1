#!/bin/sh
# scan_cli.sh — `camaudit scan` as a user meets it, without a lab: the dry
# run walks all of 127.0.0.0/8 within 50 MB, bad input gets one clear line
# and exit 2, and a scan of closed loopback ports (the scan helper's range
# 127.30.0.0/16; nothing else is touched) ends with the summary line.
set -u
BUILD_DIR=${BUILD_DIR:-build-test}
camaudit="${CAMAUDIT:-$BUILD_DIR/camaudit}"
work=$(mktemp -d /tmp/camaudit-scan-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
fail() { echo "scan_cli: FAIL: $*" >&2; exit 1; }

# Dry run: 16.7 M addresses x 2 ports, counted without sending.
/usr/bin/time -f "%M" -o "$work/rss" "$camaudit" scan --dry-run --quiet 127.0.0.0/8 -p 80,554 \
  >"$work/dry.out" 2>"$work/dry.err" || fail "dry run exited non-zero: $(cat "$work/dry.err")"
grep -q "^33554432 targets (16777216 addresses x 2 ports), nothing sent$" "$work/dry.out" ||
  fail "dry run printed: $(cat "$work/dry.out")"
rss=$(tail -1 "$work/rss")
[ "$rss" -lt 50000 ] || fail "dry run peak memory $rss KB (target < 50 MB)"

# Bad input: one line naming the problem, exit 2.
expect_usage() { # expected-text args...
  want=$1; shift
  "$camaudit" scan "$@" >"$work/out" 2>"$work/err"
  rc=$?
  [ $rc -eq 2 ] || fail "'scan $*' exited $rc, expected 2"
  grep -q "$want" "$work/err" || fail "'scan $*' said: $(cat "$work/err")"
}
expect_usage "needs a value" 127.30.9.1 -p
expect_usage "invalid port list '0'" 127.30.9.1 -p 0
expect_usage "invalid value 'fast' for --rate" 127.30.9.1 --rate fast
expect_usage "invalid value '0' for --threads" 127.30.9.1 --threads 0
expect_usage "unknown option '--bogus'" 127.30.9.1 --bogus
expect_usage "cannot read port file '/nonexistent'" 127.30.9.1 --ports-file /nonexistent
expect_usage "cannot write output file" 127.30.9.1 --no-store -o /nonexistent/dir/out
expect_usage "usage: camaudit scan"

# Closed ports on loopback: nothing found, the summary still printed.
"$camaudit" scan 127.30.9.0/30 -p 9,19 --no-store --timeout 1 >"$work/out" 2>"$work/err" ||
  fail "scan of closed ports exited non-zero: $(cat "$work/err")"
grep -q "^camaudit: scanned 4 addresses x 2 ports in .*: 0 hosts up" "$work/err" ||
  fail "summary: $(cat "$work/err")"
[ ! -s "$work/out" ] || fail "devices reported where none listen: $(cat "$work/out")"
echo "scan_cli: ok (dry run peak ${rss} KB)"
