#!/bin/sh
# policies.sh — `camaudit policies` end to end: lists every shipped list with
# instrument, date and source; --policy selects; --json is valid JSON with
# the same ids; a user file is accepted, a bad one refused with exit 2 and a
# message naming the file and the field. Sends no network traffic.
set -u
cam="$BUILD_DIR/camaudit"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/camaudit-policies.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "policies.sh: $*" >&2; exit 1; }

"$cam" policies > "$tmp/all.txt" 2> "$tmp/err.txt" || fail "policies failed: $(cat "$tmp/err.txt")"
for id in australia canada-federal quebec uk us-fcc us-ndaa-889; do
  grep -q "^$id: " "$tmp/all.txt" || fail "list $id missing from output"
done
[ "$(grep -c '^  instrument ' "$tmp/all.txt")" -eq 6 ] || fail "expected 6 instruments"
[ "$(grep -c '^  source .*<https\?://' "$tmp/all.txt")" -eq 6 ] || fail "expected 6 sources with URLs"
grep -q '^  effective     2023-12-22$' "$tmp/all.txt" || fail "Quebec effective date missing"

"$cam" policies --policy us-fcc,quebec > "$tmp/sel.txt" || fail "selection failed"
[ "$(grep -c '^[a-z-]*: ' "$tmp/sel.txt")" -eq 2 ] || fail "--policy us-fcc,quebec did not give 2 lists"
head -1 "$tmp/sel.txt" | grep -q '^us-fcc: ' || fail "selection order not kept"

"$cam" policies --json --vulnerabilities --cloud > "$tmp/all.json" || fail "--json failed"
python3 - "$tmp/all.json" <<'PY' || fail "JSON output wrong"
import json, sys
d = json.load(open(sys.argv[1]))
ids = [p["id"] for p in d["policies"]]
assert ids == ["australia", "canada-federal", "quebec", "uk", "us-fcc", "us-ndaa-889"], ids
assert all(p["source"] and p["instrument"] and p["effective_date"] for p in d["policies"])
cves = {v["id"] for v in d["vulnerabilities"]}
for c in ["CVE-2017-7921", "CVE-2021-36260", "CVE-2021-33044", "CVE-2021-33045", "CVE-2018-10088"]:
    assert c in cves, c
assert any(s["id"] == "hik-connect" for s in d["cloud_services"])
PY

cat > "$tmp/mine.json" <<'J'
{"format": 1, "id": "my-city", "name": "City by-law 12", "jurisdiction": "My city",
 "authority": "City council", "instrument": "By-law 12", "effective_date": "2024-01-01",
 "scope": "City buildings", "sources": [{"title": "By-law 12", "url": "https://example.org/b12"}],
 "manufacturers": [{"name": "Uniview", "brands": ["UNV"], "equipment": ["any"]}]}
J
"$cam" policies --policy quebec --policy-file "$tmp/mine.json" > "$tmp/mine.txt" ||
  fail "a good user file was refused"
grep -q '^my-city: City by-law 12$' "$tmp/mine.txt" || fail "user list not shown"

sed 's/"video_surveillance"/"cctv"/; s/"any"/"cctv"/' "$tmp/mine.json" > "$tmp/bad.json"
"$cam" policies --policy-file "$tmp/bad.json" > /dev/null 2> "$tmp/bad.err"
rc=$?
[ $rc -eq 2 ] || fail "bad file: exit $rc, expected 2"
grep -q "^camaudit: $tmp/bad.json: field 'manufacturers\[0\].equipment\[0\]': unknown equipment category 'cctv'" \
  "$tmp/bad.err" || fail "bad file message: $(cat "$tmp/bad.err")"

"$cam" policies --policy nope > /dev/null 2> "$tmp/nope.err"
[ $? -eq 2 ] || fail "unknown policy should exit 2"
grep -q "unknown policy 'nope'" "$tmp/nope.err" || fail "unknown policy message: $(cat "$tmp/nope.err")"
"$cam" policies --bogus > /dev/null 2>&1
[ $? -eq 2 ] || fail "unknown option should exit 2"
echo "policies.sh: ok"
