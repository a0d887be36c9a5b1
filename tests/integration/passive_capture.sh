#!/bin/sh
# passive_capture.sh — `camaudit passive` on captures the suite writes itself
# (tests/passive/gen_capture): every dissector's message on every link type
# (Ethernet, 802.1Q, QinQ, SLL, SLL2, raw IP), pcapng, BPF filters, and
# damaged files (cut mid-packet, corrupt record header, not a capture) that
# must give what was readable plus an error naming the file and offset.
set -u
camaudit="$BUILD_DIR/camaudit"
gen="$BUILD_DIR/tests/passive/gen_capture"
check="$SOURCE_DIR/tests/passive/check_expected.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/xdg" # the default inventory lives in the test's directory
fail=0
note() { echo "passive_capture: $*"; }
bad() { note "FAIL: $*"; fail=1; }

for link in en10mb vlan qinq sll sll2 raw; do
  "$gen" scene "$work/$link.pcap" --link "$link" --expect "$work/$link.exp" || { bad "generator ($link)"; continue; }
  "$camaudit" -q passive --read "$work/$link.pcap" --observations "$work/$link.obs" >"$work/$link.out"
  rc=$?
  [ $rc -eq 0 ] || bad "$link: exit $rc"
  python3 "$check" "$work/$link.exp" "$work/$link.obs" || bad "$link: observations missing"
done

# pcapng (written by editcap from the Ethernet scene).
if editcap -F pcapng "$work/en10mb.pcap" "$work/scene.pcapng" 2>/dev/null; then
  "$camaudit" -q passive --read "$work/scene.pcapng" --observations "$work/ng.obs" >/dev/null ||
    bad "pcapng: exit $?"
  python3 "$check" "$work/en10mb.exp" "$work/ng.obs" || bad "pcapng: observations missing"
else
  bad "editcap (wireshark-common) is needed to write pcapng"
fi

# Device lines: one per host, phone-home lookups included, JSON form valid.
"$camaudit" -q passive --read "$work/en10mb.pcap" --jsonl >"$work/devices.jsonl" || bad "--jsonl exit $?"
hosts=$(python3 -c "import json,sys; print(len({json.loads(l)['ip'] for l in open(sys.argv[1])}))" "$work/devices.jsonl")
expected_hosts=$(python3 -c "import json,sys; print(len({json.loads(l)['ip'] for l in open(sys.argv[1])}))" "$work/en10mb.exp")
[ "$hosts" = "$expected_hosts" ] || bad "--jsonl: $hosts hosts, expected $expected_hosts"

# The capture lands in the inventory as one scan; the report shows each
# phone-home service the generator's lookups name.
"$camaudit" -q passive --read "$work/en10mb.pcap" --db "$work/inv.db" --site capture >/dev/null ||
  bad "--db: exit $?"
"$camaudit" report --db "$work/inv.db" --format md >"$work/report.md" 2>/dev/null || bad "report: exit $?"
for svc in hik-connect xiongmai-cloud dahua-p2p; do
  grep -q "| $svc |" "$work/report.md" || bad "report does not show phone home $svc"
done
before=$("$camaudit" scans 2>/dev/null | grep -c "camaudit passive")
"$camaudit" -q passive --read "$work/en10mb.pcap" --no-store >/dev/null || bad "--no-store: exit $?"
after=$("$camaudit" scans 2>/dev/null | grep -c "camaudit passive")
[ "$before" -ge 1 ] && [ "$after" = "$before" ] || bad "--no-store: scans $before before, $after after"

# Through a pipe (nothing to rewind), pcap and pcapng read as from the file.
for kind in en10mb.pcap scene.pcapng; do
  [ -f "$work/$kind" ] || continue # no editcap: no pcapng copy
  "$camaudit" -q passive --read "$work/$kind" --no-store --jsonl >"$work/direct.out" 2>/dev/null
  cat "$work/$kind" | "$camaudit" -q passive --read /dev/stdin --no-store --jsonl \
    >"$work/piped.out" 2>"$work/err" || bad "$kind through a pipe: $(cat "$work/err")"
  [ -s "$work/piped.out" ] && cmp -s "$work/direct.out" "$work/piped.out" ||
    bad "$kind through a pipe differs from the file"
done

# A BPF filter keeps only DNS.
"$camaudit" -q passive --read "$work/en10mb.pcap" --filter "udp port 53" --observations "$work/dns.obs" >/dev/null
signals=$(python3 -c "import json,sys; print(' '.join(sorted({json.loads(l)['signal'] for l in open(sys.argv[1])})))" "$work/dns.obs")
[ "$signals" = "dns.query" ] || bad "--filter 'udp port 53' gave signals: $signals"
"$camaudit" passive --read "$work/en10mb.pcap" --filter "no such (filter" 2>"$work/err" >/dev/null
[ $? -eq 2 ] && grep -q "bad filter" "$work/err" || bad "bad filter not reported with exit 2"

# Cut 100 bytes before the end: mid-packet of the last frame.
size=$(stat -c %s "$work/en10mb.pcap")
head -c $((size - 100)) "$work/en10mb.pcap" >"$work/cut.pcap"
"$camaudit" -q passive --read "$work/cut.pcap" --observations "$work/cut.obs" >/dev/null 2>"$work/err"
rc=$?
[ $rc -eq 2 ] || bad "cut capture: exit $rc, expected 2"
grep -q "cannot read '$work/cut.pcap' past byte [0-9]* (after frame 29): truncated" "$work/err" || bad "cut capture: error was: $(cat "$work/err")"
grep -v '"onvif\.' "$work/en10mb.exp" >"$work/cut.exp" # the last frame, cut
python3 "$check" "$work/cut.exp" "$work/cut.obs" || bad "cut capture: frames before the cut not read"

# Same for pcapng, cut inside a block.
size=$(stat -c %s "$work/scene.pcapng")
head -c $((size - 60)) "$work/scene.pcapng" >"$work/cut.pcapng"
"$camaudit" -q passive --read "$work/cut.pcapng" >/dev/null 2>"$work/err"
[ $? -eq 2 ] && grep -q "cannot read '$work/cut.pcapng' after frame [0-9]*, stopped at byte [0-9]*" "$work/err" || bad "cut pcapng: $(cat "$work/err")"

# A record header claiming a 2 GB frame (third record's caplen).
cp "$work/en10mb.pcap" "$work/corrupt.pcap"
off=$(python3 -c "
import struct,sys
d=open(sys.argv[1],'rb').read(); o=24
for _ in range(2): o += 16 + struct.unpack_from('<I', d, o+8)[0]
print(o + 8)" "$work/corrupt.pcap")
printf '\377\377\377\177' | dd of="$work/corrupt.pcap" bs=1 seek="$off" conv=notrunc 2>/dev/null
"$camaudit" -q passive --read "$work/corrupt.pcap" --observations "$work/corrupt.obs" >/dev/null 2>"$work/err"
[ $? -eq 2 ] || bad "corrupt record header: exit not 2"
grep -q "cannot read '$work/corrupt.pcap' past byte $((off - 8))" "$work/err" || bad "corrupt header: error was: $(cat "$work/err")"
grep -q '"signal":"mac"' "$work/corrupt.obs" || bad "corrupt header: first frames not read"

# Not a capture, empty file, missing file, both or neither source.
echo "hello" >"$work/text.pcap"
: >"$work/empty.pcap"
for f in text.pcap empty.pcap missing.pcap; do
  "$camaudit" passive --read "$work/$f" >/dev/null 2>"$work/err"
  [ $? -eq 2 ] && grep -q "cannot read '$work/$f'" "$work/err" || bad "$f: $(cat "$work/err")"
done
"$camaudit" passive >/dev/null 2>&1; [ $? -eq 2 ] || bad "no source: exit not 2"
"$camaudit" passive --read a --interface b >/dev/null 2>&1; [ $? -eq 2 ] || bad "two sources: exit not 2"

[ $fail -eq 0 ] && note "all checks passed"
exit $fail
