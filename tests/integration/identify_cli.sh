#!/bin/sh
# `camaudit identify` and `camaudit fingerprints verify` end to end: devices
# out of observation JSONL (on the fixed test world of tests/data/identify),
# malformed lines reported with their number and exit 1, unreadable input
# exit 2, the project database verified in full, and an unmodified Recog
# checkout (RECOG_XML_DIR, default ../shared/recog-xml; skipped when absent)
# loaded without errors with at least 99% of its examples passing.
set -u
BUILD_DIR=${BUILD_DIR:-build}
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CAMAUDIT="$BUILD_DIR/camaudit"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # description, condition result
    if [ "$2" -eq 0 ]; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}

cat > "$tmp/in.jsonl" <<'JSONL'
{"ip":"192.0.2.1","port":80,"signal":"http.server","value":"App-webs/"}
{"ip":"192.0.2.2","port":80,"signal":"http.server","value":"Boa/0.94.14rc21"}
this is not json
{"ip":"192.0.2.1","signal":"mac","value":"a4:14:37:01:02:03"}
{"ip":"192.0.2.3","port":443,"signal":"tls.subject","value":"CN=x,O=Dahua"}
{"ip":"192.0.2.1","signal":"value missing"}
JSONL
CAMAUDIT_DATA_DIR="$SOURCE_DIR/tests/data/identify" "$CAMAUDIT" identify "$tmp/in.jsonl" \
    > "$tmp/out.jsonl" 2> "$tmp/err.txt"
rc=$?
check "identify exits 1 when lines were malformed (got $rc)" "$([ $rc -eq 1 ]; echo $?)"
check "line 3 reported" "$(grep -q 'in.jsonl:3:' "$tmp/err.txt"; echo $?)"
check "line 6 reported" "$(grep -q 'in.jsonl:6:' "$tmp/err.txt"; echo $?)"
check "one device per ip" "$([ "$(wc -l < "$tmp/out.jsonl")" -eq 3 ]; echo $?)"
first=$(head -1 "$tmp/out.jsonl")
check "192.0.2.1 is Hikvision with its MAC" \
    "$(echo "$first" | grep -q '"ip":"192.0.2.1","mac":"a4:14:37:01:02:03","manufacturer":"Hikvision"'; echo $?)"
check "Boa alone names nobody" \
    "$(sed -n 2p "$tmp/out.jsonl" | grep -q '"manufacturer":"unknown"'; echo $?)"
check "certificate names Dahua" "$(sed -n 3p "$tmp/out.jsonl" | grep -q '"manufacturer":"Dahua"'; echo $?)"

head -2 "$tmp/in.jsonl" | CAMAUDIT_DATA_DIR="$SOURCE_DIR/tests/data/identify" "$CAMAUDIT" identify - \
    > "$tmp/out2.jsonl" 2> "$tmp/err2.txt"
rc=$?
check "clean standard input exits 0 (got $rc)" "$([ $rc -eq 0 ] && [ ! -s "$tmp/err2.txt" ]; echo $?)"

"$CAMAUDIT" identify "$tmp/no-such-file" > /dev/null 2> "$tmp/err3.txt"
rc=$?
check "unreadable input exits 2 (got $rc)" "$([ $rc -eq 2 ]; echo $?)"
check "unreadable input says why" "$(grep -q "cannot read '$tmp/no-such-file'" "$tmp/err3.txt"; echo $?)"

"$CAMAUDIT" fingerprints verify "$SOURCE_DIR/fingerprints" > "$tmp/verify.txt" 2>&1
rc=$?
tail -1 "$tmp/verify.txt"
check "every example of the project database passes (got $rc)" "$([ $rc -eq 0 ]; echo $?)"

recog=${RECOG_XML_DIR:-$SOURCE_DIR/../shared/recog-xml}
[ -d "$recog" ] || recog=/work/shared/recog-xml
if [ -d "$recog" ]; then
    "$CAMAUDIT" fingerprints verify -q --min-pass 99 "$recog" > "$tmp/recog.txt" 2> "$tmp/recog-err.txt"
    rc=$?
    cat "$tmp/recog.txt"
    check "Recog checkout: >= 99% of examples pass (got $rc)" "$([ $rc -eq 0 ]; echo $?)"
    check "Recog checkout loads without errors" \
        "$([ ! -s "$tmp/recog-err.txt" ] && grep -q ' 0 bad patterns' "$tmp/recog.txt"; echo $?)"
    head -2 "$tmp/in.jsonl" | "$CAMAUDIT" identify --fingerprints "$recog" - > /dev/null 2> "$tmp/recog-id.txt"
    check "identify with the Recog database loaded" "$([ ! -s "$tmp/recog-id.txt" ]; echo $?)"
else
    echo "skip: no Recog checkout (set RECOG_XML_DIR)"
fi
exit $fail
