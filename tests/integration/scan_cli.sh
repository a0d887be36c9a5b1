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
expect_usage "bad value 'bogus' for --fail-on" 127.30.9.1 --fail-on bogus
expect_usage "cannot read '/nonexistent.json'" 127.30.9.1 --no-store --policy-file /nonexistent.json

# Closed ports on loopback: nothing found, the summary still printed.
"$camaudit" scan 127.30.9.0/30 -p 9,19 --no-store --timeout 1 >"$work/out" 2>"$work/err" ||
  fail "scan of closed ports exited non-zero: $(cat "$work/err")"
grep -q "^camaudit: scanned 4 addresses x 2 ports in .*: 0 hosts up" "$work/err" ||
  fail "summary: $(cat "$work/err")"
[ ! -s "$work/out" ] || fail "devices reported where none listen: $(cat "$work/out")"

# --fail-on: exit 3 when a restricted (or vulnerable) device is found, 0 when
# none is, and the restriction lists can be chosen.
# serve ADDR ARGS...: one camlab persona on ADDR; waits until it listens.
# $in_ns, when set, is the command prefix that runs it in a namespace.
in_ns=""
serve() {
  addr=$1; shift
  rm -f "$work/lab.ready"
  $in_ns "$BUILD_DIR/lab/camlab" -q serve --addr "$addr" --ready-file "$work/lab.ready" "$@" \
    2>"$work/lab.err" &
  lab_pid=$!
  i=0
  while [ ! -s "$work/lab.ready" ]; do
    i=$((i + 1))
    [ $i -gt 300 ] && fail "camlab serve $* did not start: $(cat "$work/lab.err")"
    sleep 0.1
  done
}
serve 127.30.9.77 --persona hikvision-ipc
"$camaudit" scan 127.30.9.77 --no-store --quiet --fail-on restricted >"$work/out" 2>"$work/err"
rc=$?
[ $rc -eq 3 ] || fail "--fail-on restricted on a Hikvision camera exited $rc"
grep -q "restricted (.*quebec" "$work/out" || fail "table lacks the verdict: $(cat "$work/out")"
"$camaudit" scan 127.30.9.77 --no-store --quiet --policy us-fcc --fail-on vulnerable \
  >"$work/out" 2>"$work/err"
rc=$?
[ $rc -eq 0 ] || fail "--fail-on vulnerable on a current firmware exited $rc"
grep -q "restricted (us-fcc)" "$work/out" || fail "--policy us-fcc: $(cat "$work/out")"
"$camaudit" scan 127.30.9.78 --no-store --quiet --fail-on restricted >/dev/null 2>&1 ||
  fail "--fail-on with nothing found should exit 0"
kill $lab_pid 2>/dev/null
wait $lab_pid 2>/dev/null

# A device writing escape sequences (ESC, BEL) and an endless firmware into
# its answers: the table shows them defused and clipped, columns aligned.
serve 127.30.9.79 --persona hostile-escapes --personas "$SOURCE_DIR/tests/data/personas"
"$camaudit" scan 127.30.9.79 -p 80 --no-store --quiet >"$work/out" 2>"$work/err" ||
  fail "scan of hostile-escapes exited non-zero: $(cat "$work/err")"
kill $lab_pid 2>/dev/null
wait $lab_pid 2>/dev/null
grep -q "Hikvision" "$work/out" || fail "hostile-escapes not identified: $(cat "$work/out")"
LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$work/out" &&
  fail "control characters reached the table: $(od -c "$work/out" | head)"
header_at=$(head -1 "$work/out" | awk '{ print index($0, "VERDICT") }')
row_at=$(sed -n 2p "$work/out" | awk '{ print index($0, "restricted") }')
[ "$header_at" -eq "$row_at" ] || fail "verdict column moved ($header_at vs $row_at): $(cat "$work/out")"
# IPv6: a camera on ::1 inside a namespace of its own is found and named the
# same way. Skipped (said so) where namespaces or IPv6 are not available.
ns="scancli$$"
if "$SOURCE_DIR/lab/netns-up" "$ns" 2>"$work/netns.err"; then
  if ip netns exec "$ns" ip -6 addr show dev lo | grep -q "inet6 ::1"; then
    trap '"$SOURCE_DIR/lab/netns-down" "$ns" >/dev/null 2>&1; rm -rf "$work"' EXIT INT TERM
    in_ns="ip netns exec $ns"
    serve ::1 --persona hikvision-ipc
    ip netns exec "$ns" "$camaudit" scan ::1 --no-store --quiet --jsonl >"$work/v6.out" 2>"$work/v6.err"
    rc=$?
    kill $lab_pid 2>/dev/null
    wait $lab_pid 2>/dev/null
    "$SOURCE_DIR/lab/netns-down" "$ns"
    [ $rc -eq 0 ] || fail "scan of ::1 exited $rc: $(cat "$work/v6.err")"
    grep -q '"ip":"::1".*"manufacturer":"Hikvision".*"model":"DS-2CD2386G2-IU"' "$work/v6.out" ||
      fail "IPv6 camera not named: $(cat "$work/v6.out")"
  else
    "$SOURCE_DIR/lab/netns-down" "$ns"
    echo "scan_cli: IPv6 part skipped: no ::1 on the namespace's loopback (IPv6 disabled)"
  fi
else
  echo "scan_cli: IPv6 part skipped: $(cat "$work/netns.err")"
fi
echo "scan_cli: ok (dry run peak ${rss} KB)"
