#!/bin/sh
# report_html.sh — the reports from a real inventory (two sites, three scans
# each, one site with hostile device strings): the HTML page rendered by a
# real headless Chromium shows the database's numbers, keeps hostile strings
# as text, sorts its table with its own script, prints to PDF, and fetches
# nothing; CSV and JSON have their documented shape; --fail-on exits 3 only
# when such devices exist. The screenshot and PDF stay in
# build*/tests/out/report_html/ for a person to look at.
set -eu
: "${BUILD_DIR:?}" "${SOURCE_DIR:?}"
camaudit="$BUILD_DIR/camaudit"
here="$SOURCE_DIR/tests/integration"
out="$BUILD_DIR/tests/out/report_html"
rm -rf "$out"
mkdir -p "$out"
db="$out/inventory.db"

fail() { echo "report_html: FAIL: $*" >&2; exit 1; }

for scan in 1 2 3; do
  for site in city-hall library; do
    hostile=""
    [ $site = library ] && hostile=--hostile
    python3 "$here/store_fixture.py" --site $site --scan $scan --count 40 $hostile \
      >"$out/$site.$scan.jsonl"
    "$camaudit" -q import --db "$db" --site $site --targets "10.0.0.0/16 (floor $scan)" \
      --started "2026-0$((scan + 6))-15T09:00:00Z" "$out/$site.$scan.jsonl"
  done
done

"$camaudit" -q report --db "$db" --format html -o "$out/report.html"
"$camaudit" -q report --db "$db" -o "$out/report.csv"
"$camaudit" -q report --db "$db" -o "$out/report.json"
"$camaudit" -q report --db "$db" --site library --format md -o "$out/library.md"

# Self-contained: nothing that a browser would fetch.
fetching='<(link|img|iframe|object|embed)|<[a-z]+[^>]* (src|srcset|data)=|url\(|@import'
if grep -Eiq "$fetching" "$out/report.html"; then
  fail "the HTML refers to something to fetch: $(grep -Eio "$fetching" "$out/report.html" | head -3)"
fi
grep -q "default-src 'none'" "$out/report.html" || fail "no Content-Security-Policy"

python3 "$here/report_check.py" csv "$out/report.csv" "$db"
python3 "$here/report_check.py" json "$out/report.json" "$db"
grep -q '&lt;script&gt;' "$out/library.md" || fail "Markdown does not escape markup"
# The report's "since the previous scan" agrees with camaudit diff.
for site in city-hall library; do
  from_report=$(jq -c --arg s $site '.sites[] | select(.site == $s) | .since_previous |
    {appeared, vanished, changed}' "$out/report.json")
  from_diff=$("$camaudit" diff --db "$db" --site $site --json | jq -c '{appeared, vanished, changed}')
  [ "$from_report" = "$from_diff" ] || fail "$site: report says $from_report, diff $from_diff"
done

if ! command -v chromium >/dev/null 2>&1; then
  echo "report_html: SKIP: chromium not installed (Debian package chromium)"
  exit 77
fi
chrome() {
  profile=$(mktemp -d)
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --user-data-dir="$profile" "$@" 2>>"$out/chromium.log"
  status=$?
  rm -rf "$profile"
  return $status
}
page="file://$(realpath "$out/report.html")"
chrome --dump-dom "$page" >"$out/dom.html" || fail "chromium could not load the report"
python3 "$here/report_check.py" html "$out/dom.html" "$db"
chrome --dump-dom "$page#sort=manufacturer" >"$out/dom-sorted.html" || fail "chromium (sorted)"
python3 "$here/report_check.py" sorted "$out/dom-sorted.html" manufacturer
chrome --window-size=1280,2600 --hide-scrollbars --screenshot="$out/report.png" "$page" \
  >/dev/null || fail "chromium could not take a screenshot"
[ -s "$out/report.png" ] || fail "empty screenshot"
chrome --no-pdf-header-footer --print-to-pdf="$out/report.pdf" "$page" >/dev/null ||
  fail "chromium could not print the report"
[ "$(head -c 4 "$out/report.pdf")" = "%PDF" ] || fail "the printed report is not a PDF"

# --fail-on: 3 when restricted devices exist, 0 for a clean site.
set +e
"$camaudit" -q report --db "$db" --site city-hall --format json -o "$out/fail-on.json" --fail-on restricted
[ $? = 3 ] || fail "--fail-on restricted did not exit 3"
printf '%s\n' '{"ip":"10.9.0.1","manufacturer":"Axis","findings":[{"kind":"restriction","id":"quebec","verdict":"not_restricted"}]}' \
  >"$out/clean.jsonl"
"$camaudit" -q import --db "$db" --site clean "$out/clean.jsonl"
"$camaudit" -q report --db "$db" --site clean --format csv -o "$out/clean.csv" --fail-on restricted,vulnerable
[ $? = 0 ] || fail "--fail-on exited non-zero for a clean site"
"$camaudit" -q report --db "$db" --format pdf -o "$out/x" 2>"$out/err"
[ $? = 2 ] && grep -q "unknown report format 'pdf'" "$out/err" || fail "bad --format not refused"
"$camaudit" -q report --db "$db" --scan 999 2>"$out/err"
[ $? = 2 ] && grep -q "no scan" "$out/err" || fail "a missing scan is not a usage error"
# A special file named by -o is written in place, never replaced.
mkfifo "$out/pipe"
cat "$out/pipe" >"$out/from-pipe.csv" &
reader=$!
"$camaudit" -q report --db "$db" --format csv -o "$out/pipe"
wait $reader
"$camaudit" -q report --db "$db" --format csv -o "$out/again.csv"
[ -p "$out/pipe" ] || fail "-o replaced a named pipe with a file"
cmp -s "$out/from-pipe.csv" "$out/again.csv" || fail "the report sent through a pipe differs"
set -e
echo "report_html: ok (screenshot $out/report.png)"
