#!/usr/bin/env python3
"""report_check.py — checks a report against the SQLite inventory it came
from: the numbers the HTML page shows once Chromium has rendered it (the
DOM dumped by --dump-dom), that hostile device strings stayed text, and
the shape of the CSV and JSON forms.

usage: report_check.py html DOM_FILE DB        (report of every site's latest scan)
       report_check.py sorted DOM_FILE COLUMN  (the table is sorted on COLUMN)
       report_check.py csv CSV_FILE DB
       report_check.py json JSON_FILE DB
Exits 1 with a message on the first mismatch.
"""
import csv
import html.parser
import json
import sqlite3
import sys

LATEST = """SELECT id FROM scans s WHERE NOT EXISTS (SELECT 1 FROM scans t WHERE t.site = s.site
            AND (t.started > s.started OR (t.started = s.started AND t.id > s.id)))"""


def fail(msg):
    print(f"report_check: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def expected(db):
    c = sqlite3.connect(db)
    one = lambda sql: c.execute(sql).fetchone()[0]
    scans = f"({LATEST})"
    exp = {
        "devices": one(f"SELECT COUNT(*) FROM device_scans WHERE scan_id IN {scans}"),
        "restricted": one(f"SELECT COUNT(DISTINCT scan_id || '/' || device_id) FROM findings WHERE scan_id IN {scans}"
                          " AND kind = 'restriction' AND verdict = 'restricted'"),
        "vulnerable": one(f"SELECT COUNT(DISTINCT scan_id || '/' || device_id) FROM findings WHERE scan_id IN {scans}"
                          " AND kind = 'vulnerability' AND verdict IN ('vulnerable', 'possibly_vulnerable')"),
        "phone_home": one(f"SELECT COUNT(DISTINCT scan_id || '/' || device_id) FROM findings WHERE scan_id IN {scans}"
                          " AND kind = 'phone_home'"),
    }
    lists = dict(c.execute(f"SELECT policy_id, COUNT(DISTINCT scan_id || '/' || device_id) FROM findings"
                           f" WHERE scan_id IN {scans} AND kind = 'restriction'"
                           " AND verdict = 'restricted' GROUP BY policy_id").fetchall())
    all_lists = [r[0] for r in c.execute(f"SELECT DISTINCT policy_id FROM findings WHERE scan_id IN {scans}"
                                         " AND kind = 'restriction'")]
    for name in all_lists:
        lists.setdefault(name, 0)
    hostile = [r[0] for r in c.execute(f"SELECT DISTINCT model FROM device_scans WHERE scan_id IN {scans}"
                                       " AND model LIKE '%<%'")]
    return exp, lists, hostile


class Dom(html.parser.HTMLParser):
    """Collects what the checks need from the rendered page."""

    def __init__(self):
        super().__init__()
        self.counts, self.lists, self.tags = {}, {}, {}
        self.rows = 0
        self.sorted_col = None
        self.headers = []  # data-col names of the last table's columns
        self.tables = 0
        self.row_table = []  # per device row: which table it is in
        self.cells = []  # per row: list of cell texts
        self._in = None  # ("count", key) / ("list", key) while reading a number
        self._cell = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if "data-count" in a:
            self._in = ("count", a["data-count"])
        if "data-list" in a:
            self._in = ("list", a["data-list"])
        if tag == "table":
            self.tables += 1
            self.headers = []
        if tag == "tr" and "data-device-id" in a:
            self.rows += 1
            self.cells.append([])
            self.row_table.append(self.tables)
        if tag == "th" and a.get("data-col"):
            self.headers.append(a["data-col"])
            if a.get("aria-sort") == "ascending" and "data-col" in a:
                self.sorted_col = a["data-col"]
        if tag == "td" and self.cells and self._cell is None:
            self._cell = ""
        if tag == "span" and a.get("class") == "num" or tag == "b" and a.get("class") == "num":
            self._num = True

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self.cells:
            self.cells[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell += data
        if self._in and data.strip().isdigit():
            kind, key = self._in
            (self.counts if kind == "count" else self.lists)[key] = int(data.strip())
            self._in = None


def parse_dom(path):
    d = Dom()
    d.feed(open(path, encoding="utf-8").read())
    return d


def check_html(dom_path, db):
    d = parse_dom(dom_path)
    exp, lists, hostile = expected(db)
    for key, value in exp.items():
        if d.counts.get(key) != value:
            fail(f"page shows {key}={d.counts.get(key)}, database has {value}")
    if d.lists != lists:
        fail(f"page shows restricted by list {d.lists}, database has {lists}")
    if d.rows != exp["devices"]:
        fail(f"table has {d.rows} device rows, database {exp['devices']}")
    if d.tags.get("script") != 1:
        fail(f"{d.tags.get('script')} script elements (only the report's own is allowed)")
    for tag in ("img", "iframe", "object", "embed", "link", "h1"):
        allowed = 1 if tag == "h1" else 0
        if d.tags.get(tag, 0) != allowed:
            fail(f"{d.tags.get(tag, 0)} <{tag}> elements: markup was injected")
    text = "".join(d.text)
    for h in hostile:
        if h not in text:
            fail(f"hostile string {h!r} is not shown as text")
    print(f"report_check: html ok: {exp} by list {lists}, {len(hostile)} hostile strings shown as text")


def check_sorted(dom_path, column):
    d = parse_dom(dom_path)
    if d.sorted_col != column:
        fail(f"the script did not sort on {column} (sorted: {d.sorted_col})")
    i = d.headers.index(column)
    for table in sorted(set(d.row_table)):
        values = [row[i].strip().lower() for row, t in zip(d.cells, d.row_table) if t == table]
        if values != sorted(values):
            fail(f"column {column} of table {table} is not in order: {values}")
    print(f"report_check: {len(set(d.row_table))} device tables sorted on {column} by the page's script")


def check_csv(path, db):
    exp, lists, _ = expected(db)
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    header, body = rows[0], rows[1:]
    for col in ("site", "device_id", "ip", "manufacturer", "model", "firmware", "vulnerabilities"):
        if col not in header:
            fail(f"CSV has no {col} column")
    verdict_cols = [h for h in header if h.startswith("verdict_")]
    if sorted(verdict_cols) != sorted("verdict_" + k for k in lists):
        fail(f"CSV verdict columns {verdict_cols} != lists {sorted(lists)}")
    if len(body) != exp["devices"]:
        fail(f"CSV has {len(body)} rows, database {exp['devices']}")
    ok = {"restricted", "not_restricted", "unknown", "not_evaluated"}
    restricted = 0
    for row in body:
        if len(row) != len(header):
            fail(f"CSV row has {len(row)} fields, header {len(header)}")
        verdicts = [row[header.index(c)] for c in verdict_cols]
        if not set(verdicts) <= ok:
            fail(f"CSV verdicts {verdicts}")
        restricted += "restricted" in verdicts
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@"):
                fail(f"CSV cell {cell!r} would run as a spreadsheet formula")
    if restricted != exp["restricted"]:
        fail(f"CSV has {restricted} restricted rows, database {exp['restricted']}")
    print(f"report_check: csv ok: {len(body)} rows, verdict columns {verdict_cols}")


def check_json(path, db):
    exp, lists, _ = expected(db)
    r = json.load(open(path, encoding="utf-8"))
    totals = {k: r["totals"][k] for k in exp}
    if totals != exp:
        fail(f"JSON totals {totals} != database {exp}")
    if r["totals"]["restricted_by_list"] != lists:
        fail(f"JSON restricted_by_list {r['totals']['restricted_by_list']} != {lists}")
    n = sum(len(s["devices"]) for s in r["sites"])
    if n != exp["devices"]:
        fail(f"JSON has {n} devices, database {exp['devices']}")
    for s in r["sites"]:
        for key in ("site", "scan", "counts", "history", "devices"):
            if key not in s:
                fail(f"JSON site without {key}")
        for d in s["devices"]:
            for key in ("device_id", "ip", "manufacturer", "evidence", "findings"):
                if key not in d:
                    fail(f"JSON device without {key}")
    for p in r["policies"]:
        if not p.get("id") or "source" not in p:
            fail(f"JSON policy without id/source: {p}")
    print(f"report_check: json ok: {len(r['sites'])} sites, {n} devices")


if __name__ == "__main__":
    mode, path, arg = sys.argv[1:4]
    {"html": check_html, "sorted": check_sorted, "csv": check_csv, "json": check_json}[mode](path, arg)
