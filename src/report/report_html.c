/* report_html.c — the report for people: one self-contained HTML file (no
 * fetch of any kind: the Content-Security-Policy forbids it) that a director
 * reads in ten seconds: a headline sentence, counts, restricted devices by
 * list, inline-SVG charts (manufacturers, verdicts per list, restricted
 * devices over each site's scans), then per site the scan's scope and a
 * sortable table of devices with the evidence behind each verdict, and the
 * sources of every list. Readable printed (print CSS; evidence lists print
 * as the reader left them, open or closed).
 *
 * Every string from the store goes through html_put; the one script runs
 * under a per-report CSP nonce, so injected markup could not run script
 * even if escaping failed. */
#include "core/util.h"
#include "report/escape.h"
#include "report/report.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define CHART_MAX_BARS 10    /* manufacturers shown; the rest are "other" */
#define HISTORY_MAX_SCANS 24 /* newest scans drawn per site */

static const char report_css[] =
    ":root{--red:#c62828;--amber:#e65100;--violet:#6a1b9a;--green:#2e7d32;--grey:#757575;"
    "--ink:#1a1a1a;--line:#ddd}"
    "*{box-sizing:border-box}"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);"
    "margin:0;background:#f5f6f8}"
    "main{max-width:1200px;margin:0 auto;padding:24px}"
    "header{background:#14213d;color:#fff;padding:20px 24px}"
    "header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.85}"
    ".headline{font-size:18px;margin:0 0 16px}"
    ".cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin-bottom:16px}"
    ".card{background:#fff;border-radius:8px;padding:14px 16px;border-top:5px solid var(--grey);"
    "box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    ".card .num{font-size:34px;font-weight:700;display:block}"
    ".card.restricted{border-color:var(--red)}.card.restricted .num{color:var(--red)}"
    ".card.vulnerable{border-color:var(--amber)}.card.vulnerable .num{color:var(--amber)}"
    ".card.phone_home{border-color:var(--violet)}.card.phone_home .num{color:var(--violet)}"
    ".card.devices{border-color:#14213d}"
    ".lists{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:16px}"
    ".list{background:#fff;border-radius:6px;padding:8px 12px;border-left:4px solid var(--red);"
    "box-shadow:0 1px 2px rgba(0,0,0,.08)}.list b{color:var(--red);font-size:18px}"
    ".charts{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-bottom:16px}"
    ".panel{background:#fff;border-radius:8px;padding:12px 16px;"
    "box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    ".panel h3{margin:0 0 8px;font-size:15px}"
    "section.site{background:#fff;border-radius:8px;padding:16px;margin-bottom:16px;"
    "box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    "section.site h2{margin:0 0 8px}"
    "dl.scope{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 12px}"
    "dl.scope dt{color:var(--grey)}dl.scope dd{margin:0;word-break:break-all}"
    ".site-top{display:grid;grid-template-columns:1fr 1fr;gap:12px}"
    ".table-wrap{overflow-x:auto}"
    "table.devices{width:100%;border-collapse:collapse;font-size:13px;margin-top:8px}"
    "table.devices th{background:#eef0f4;text-align:left;padding:6px;cursor:pointer;"
    "white-space:nowrap;user-select:none}"
    "table.devices th[aria-sort=ascending]::after{content:' \\25B2'}"
    "table.devices th[aria-sort=descending]::after{content:' \\25BC'}"
    "table.devices td{padding:6px;border-top:1px solid var(--line);vertical-align:top;"
    "overflow-wrap:break-word}"
    "table.devices td.addr{white-space:nowrap}"
    "tr.is-restricted{background:#fff6f6}"
    "tr.is-restricted td:first-child{border-left:4px solid var(--red)}"
    ".badge{display:inline-block;border-radius:10px;padding:0 8px;margin:1px;font-size:12px;"
    "white-space:nowrap;"
    "color:#fff;background:var(--grey)}"
    ".badge.restricted{background:var(--red)}.badge.vulnerable{background:var(--amber)}"
    ".badge.possibly_vulnerable{background:#f9a825;color:#000}"
    ".badge.phone_home{background:var(--violet)}.badge.ok{background:var(--green)}"
    "details summary{cursor:pointer;color:#1565c0}details ul{margin:4px 0;padding-left:18px}"
    ".muted{color:var(--grey)}"
    "ol.sources li{margin-bottom:6px}"
    "footer{color:var(--grey);font-size:12px;margin-top:24px}"
    "@media print{*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "body{background:#fff;font-size:11px}main{padding:0;max-width:none}"
    ".table-wrap{overflow:visible}table.devices{font-size:7.5pt}"
    "table.devices th,table.devices td{padding:2px 3px;white-space:normal;"
    "overflow-wrap:anywhere}"
    "table.devices td.addr,table.devices td.type{white-space:nowrap;overflow-wrap:normal}"
    ".badge{white-space:normal;overflow-wrap:normal}table.devices th{overflow-wrap:normal}"
    ".card .num{font-size:24px}.badge{font-size:8pt;padding:0 4px}"
    "header{background:#fff;color:#000;border-bottom:2px solid #000;padding:0 0 8px}"
    ".card,.panel,section.site,.list{box-shadow:none;border:1px solid #999}"
    "section.site{break-before:page}#sites{break-before:auto}tr{break-inside:avoid}"
    "table.devices th::after{content:''}details summary{color:#000}"
    ".charts,.site-top{break-inside:avoid}}"
    "@media screen and (max-width:800px){.cards{grid-template-columns:1fr 1fr}.charts,.site-top{"
    "grid-template-columns:1fr}}";

/* Sorting by clicking a column head; "#sort=COLUMN" in the address sorts on
 * load. Printing prints what is shown: the evidence lists a reader opened. */
static const char report_js[] =
    "(function(){"
    "function key(c){var k=c.getAttribute('data-key');"
    "return (k!==null?k:c.textContent).toLowerCase();}"
    "function sortBy(t,i,th){var asc=th.getAttribute('aria-sort')!=='ascending';"
    "Array.prototype.forEach.call(t.tHead.rows[0].cells,function(h){"
    "h.removeAttribute('aria-sort');});"
    "th.setAttribute('aria-sort',asc?'ascending':'descending');"
    "var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);"
    "rows.sort(function(x,y){var p=key(x.cells[i]),q=key(y.cells[i]);"
    "return (p<q?-1:p>q?1:0)*(asc?1:-1);});"
    "rows.forEach(function(r){b.appendChild(r);});}"
    "var tables=document.querySelectorAll('table.sortable');"
    "Array.prototype.forEach.call(tables,function(t){"
    "Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){"
    "th.addEventListener('click',function(){sortBy(t,i,th);});});});"
    "var m=/^#sort=([a-z_]+)$/.exec(location.hash);"
    "if(m)Array.prototype.forEach.call(tables,function(t){"
    "Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){"
    "if(th.getAttribute('data-col')===m[1])sortBy(t,i,th);});});"
    "})();";

static void make_nonce(char out[33])
{
    unsigned char raw[16] = {0};
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        double t = time_now(); /* no entropy: still unique per report */
        memcpy(raw, &t, sizeof t);
    }
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

static void put_time(FILE *out, double t)
{
    if (t <= 0) {
        fputs("not finished", out);
        return;
    }
    char buf[32];
    time_format_rfc3339(t, buf, sizeof buf);
    buf[10] = ' ';
    buf[16] = '\0';
    fprintf(out, "%s UTC", buf);
}

static void write_head(const struct report *r, FILE *out, const char *nonce)
{
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:; script-src 'nonce-%s'\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>camaudit report: surveillance devices</title>\n<style>%s</style>\n"
            "</head>\n<body>\n<header><h1>Surveillance device audit</h1><p>",
            nonce, report_css);
    for (size_t s = 0; s < r->site_count; s++) {
        fputs(s ? ", " : (r->site_count > 1 ? "Sites " : "Site "), out);
        html_put(out, r->sites[s].scan.site);
    }
    fputs(" &middot; generated ", out);
    put_time(out, r->generated);
    fputs(" by camaudit</p></header>\n<main>\n", out);
}

static void write_headline(const struct report *r, FILE *out)
{
    const struct report_counts *c = &r->totals;
    fprintf(out,
            "<p class=\"headline\"><b>%zu of %zu</b> devices are named by a restriction list; "
            "<b>%zu</b> %s known vulnerabilities; <b>%zu</b> %s to a vendor cloud.</p>\n",
            c->restricted, c->devices, c->vulnerable, c->vulnerable == 1 ? "has" : "have",
            c->phone_home, c->phone_home == 1 ? "talks" : "talk");
}

static void write_card(FILE *out, const char *kind, size_t n, const char *label)
{
    fprintf(out,
            "<div class=\"card %s\" data-count=\"%s\"><span class=\"num\">%zu</span>%s</div>\n",
            kind, kind, n, label);
}

static void write_cards(const struct report *r, FILE *out)
{
    fputs("<div class=\"cards\">\n", out);
    write_card(out, "devices", r->totals.devices, "devices found");
    write_card(out, "restricted", r->totals.restricted, "restricted by at least one list");
    write_card(out, "vulnerable", r->totals.vulnerable, "with known vulnerabilities");
    write_card(out, "phone_home", r->totals.phone_home, "seen calling a vendor cloud");
    fputs("</div>\n<div class=\"lists\">\n", out);
    for (size_t i = 0; i < r->policy_count; i++) {
        const struct report_policy *p = &r->policies[i];
        fputs("<div class=\"list\" data-list=\"", out);
        html_put(out, p->id);
        fprintf(out, "\"><b class=\"num\">%zu</b> restricted under ", p->restricted);
        html_put(out, p->name ? p->name : p->id);
        fputs("</div>\n", out);
    }
    fputs("</div>\n", out);
}

/* ---- charts (inline SVG) ---- */

struct tally {
    const char *name;
    size_t count;
    int flagged; /* drawn red: at least one restricted device */
};

static int compare_tally(const void *a, const void *b)
{
    const struct tally *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->name, y->name);
}

static size_t tally_manufacturers(const struct report *r, struct tally **out)
{
    size_t n = 0;
    struct tally *t = NULL;
    for (size_t s = 0; s < r->site_count; s++)
        for (size_t d = 0; d < r->sites[s].devices.count; d++) {
            const struct device *dev = r->sites[s].devices.items[d].dev;
            const char *name = dev->manufacturer ? dev->manufacturer : "unknown";
            size_t i = 0;
            while (i < n && strcmp(t[i].name, name) != 0)
                i++;
            if (i == n) {
                t = xrealloc(t, (n + 1) * sizeof *t);
                t[n++] = (struct tally){name, 0, 0};
            }
            t[i].count++;
            t[i].flagged |= device_is_restricted(dev, NULL) != 0;
        }
    if (n)
        qsort(t, n, sizeof *t, compare_tally);
    if (n > CHART_MAX_BARS) {
        size_t other = 0;
        int flagged = 0; /* a restricted maker folded in keeps the bar red */
        for (size_t i = CHART_MAX_BARS - 1; i < n; i++) {
            other += t[i].count;
            flagged |= t[i].flagged;
        }
        t[CHART_MAX_BARS - 1] = (struct tally){"other", other, flagged};
        n = CHART_MAX_BARS;
    }
    *out = t;
    return n;
}

static void chart_manufacturers(const struct report *r, FILE *out)
{
    struct tally *t;
    size_t n = tally_manufacturers(r, &t);
    size_t max = n ? t[0].count : 1;
    int height = (int)n * 24 + 8;
    fprintf(out,
            "<div class=\"panel\"><h3>Devices by manufacturer</h3>"
            "<svg class=\"chart\" data-chart=\"manufacturers\" viewBox=\"0 0 520 %d\" "
            "width=\"100%%\" role=\"img\" aria-label=\"Devices by manufacturer\">\n",
            height);
    for (size_t i = 0; i < n; i++) {
        int y = (int)i * 24 + 4, w = (int)(300.0 * (double)t[i].count / (double)max) + 2;
        fprintf(out, "<text x=\"150\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">", y + 14);
        html_put(out, t[i].name);
        fprintf(out,
                "</text><rect x=\"158\" y=\"%d\" width=\"%d\" height=\"18\" rx=\"3\" "
                "fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"12\">%zu</text>\n",
                y, w, t[i].flagged ? "#c62828" : "#3f6cb5", 164 + w, y + 14, t[i].count);
    }
    if (!n)
        fputs("<text x=\"10\" y=\"20\">no devices</text>", out);
    fputs("</svg><p class=\"muted\">Red: at least one device of that manufacturer is "
          "restricted.</p></div>\n",
          out);
    free(t);
}

static void verdict_segment(FILE *out, int *x, size_t n, size_t total, int y, const char *color,
                            const char *label)
{
    if (!n)
        return;
    int w = (int)(320.0 * (double)n / (double)total);
    fprintf(out,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"%s\"><title>%zu %s"
            "</title></rect>",
            *x, y, w, color, n, label);
    if (w > 18)
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#fff\">%zu</text>", *x + 4,
                y + 13, n);
    *x += w;
}

static void chart_verdicts(const struct report *r, FILE *out)
{
    int height = (int)r->policy_count * 26 + 30;
    fprintf(out,
            "<div class=\"panel\"><h3>Verdicts per restriction list</h3>"
            "<svg class=\"chart\" data-chart=\"verdicts\" viewBox=\"0 0 520 %d\" width=\"100%%\" "
            "role=\"img\" aria-label=\"Verdicts per list\">\n",
            height);
    for (size_t i = 0; i < r->policy_count; i++) {
        const struct report_policy *p = &r->policies[i];
        size_t total = p->restricted + p->not_restricted + p->unknown;
        int y = (int)i * 26 + 4, x = 170;
        fprintf(out, "<text x=\"162\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">", y + 14);
        html_put(out, p->id);
        fputs("</text>", out);
        if (total) {
            verdict_segment(out, &x, p->restricted, total, y, "#c62828", "restricted");
            verdict_segment(out, &x, p->unknown, total, y, "#9e9e9e", "unknown");
            verdict_segment(out, &x, p->not_restricted, total, y, "#2e7d32", "not restricted");
        }
        fputs("\n", out);
    }
    int ly = (int)r->policy_count * 26 + 12;
    fprintf(out,
            "<rect x=\"170\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#c62828\"/>"
            "<text x=\"184\" y=\"%d\" font-size=\"11\">restricted</text>"
            "<rect x=\"260\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#9e9e9e\"/>"
            "<text x=\"274\" y=\"%d\" font-size=\"11\">unknown</text>"
            "<rect x=\"340\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#2e7d32\"/>"
            "<text x=\"354\" y=\"%d\" font-size=\"11\">not restricted</text></svg></div>\n",
            ly, ly + 9, ly, ly + 9, ly, ly + 9);
}

static void chart_history(const struct report_site *site, FILE *out)
{
    size_t first =
        site->history.count > HISTORY_MAX_SCANS ? site->history.count - HISTORY_MAX_SCANS : 0;
    int64_t max = 1;
    for (size_t i = first; i < site->history.count; i++)
        if (site->restricted_history[i] > max)
            max = site->restricted_history[i];
    size_t n = site->history.count - first;
    int step = n ? 480 / (int)n : 480, bar = step > 60 ? 40 : step - 6;
    fputs("<div class=\"panel\"><h3>Restricted devices over this site's scans</h3>"
          "<svg class=\"chart\" data-chart=\"history\" viewBox=\"0 0 520 170\" width=\"100%\" "
          "role=\"img\" aria-label=\"Restricted devices per scan\">\n"
          "<line x1=\"20\" y1=\"140\" x2=\"510\" y2=\"140\" stroke=\"#999\"/>\n",
          out);
    for (size_t i = first; i < site->history.count; i++) {
        int64_t v = site->restricted_history[i];
        int h = (int)(110.0 * (double)v / (double)max), x = 24 + (int)(i - first) * step;
        char when[32];
        time_format_rfc3339(site->history.items[i].started, when, sizeof when);
        fprintf(out,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>scan "
                "%lld: %lld restricted</title></rect><text x=\"%d\" y=\"%d\" font-size=\"11\" "
                "text-anchor=\"middle\">%lld</text><text x=\"%d\" y=\"156\" font-size=\"10\" "
                "text-anchor=\"middle\">%.5s</text>\n",
                x, 140 - h, bar, h,
                site->history.items[i].id == site->scan.id ? "#c62828" : "#e57373",
                (long long)site->history.items[i].id, (long long)v, x + bar / 2, 136 - h,
                (long long)v, x + bar / 2, when + 5);
    }
    fputs("</svg><p class=\"muted\">One bar per scan (month-day); the darker bar is the "
          "scan reported.</p></div>\n",
          out);
}

/* ---- per site ---- */

static void scope_row(FILE *out, const char *term, const char *value)
{
    fprintf(out, "<dt>%s</dt><dd>", term);
    html_put(out, value && *value ? value : "not recorded");
    fputs("</dd>", out);
}

static void write_change(const struct report_change *c, FILE *out)
{
    if (!c->previous_scan) {
        fputs("<p class=\"muted\">First scan of this site.</p>", out);
        return;
    }
    fprintf(out, "<p class=\"change\" data-previous-scan=\"%lld\">Since scan %lld (",
            (long long)c->previous_scan, (long long)c->previous_scan);
    put_time(out, c->previous_started);
    fprintf(out,
            "): <b>%zu</b> appeared, <b>%zu</b> gone (<b>%zu</b> of them restricted), "
            "<b>%zu</b> changed.</p>",
            c->appeared, c->vanished, c->vanished_restricted, c->changed);
}

static void write_scope(const struct report_site *site, FILE *out)
{
    fprintf(out, "<div class=\"panel\"><h3>Scan %lld</h3><dl class=\"scope\"><dt>Started</dt><dd>",
            (long long)site->scan.id);
    put_time(out, site->scan.started);
    fputs("</dd><dt>Finished</dt><dd>", out);
    put_time(out, site->scan.finished);
    fputs("</dd>", out);
    scope_row(out, "Targets", site->scan.targets);
    scope_row(out, "Options", site->scan.options);
    scope_row(out, "Command", site->scan.command);
    scope_row(out, "Operator", site->scan.operator_name);
    fprintf(out,
            "</dl><p><b>%zu</b> devices, <b>%zu</b> restricted, <b>%zu</b> vulnerable, "
            "<b>%zu</b> calling a vendor cloud.</p>",
            site->counts.devices, site->counts.restricted, site->counts.vulnerable,
            site->counts.phone_home);
    write_change(&site->change, out);
    fputs("</div>\n", out);
}

/* A sort key that orders IPv4 addresses numerically. */
static void address_key(const char *ip, char *key, size_t size)
{
    unsigned char b[4];
    if (inet_pton(AF_INET, ip, b) == 1)
        snprintf(key, size, "%03u.%03u.%03u.%03u", b[0], b[1], b[2], b[3]);
    else
        snprintf(key, size, "~%s", ip);
}

static void text_cell(FILE *out, const char *s)
{
    fputs("<td>", out);
    if (s && *s)
        html_put(out, s);
    else
        fputs("<span class=\"muted\">&ndash;</span>", out);
    fputs("</td>", out);
}

/* "ip_camera" shown as "ip camera", so the column can wrap between words. */
static void type_cell(FILE *out, const char *type)
{
    char *shown = type ? xstrdup(type) : NULL;
    for (char *p = shown; p && *p; p++)
        if (*p == '_')
            *p = ' ';
    fputs("<td class=\"type\">", out);
    if (shown && *shown)
        html_put(out, shown);
    else
        fputs("<span class=\"muted\">&ndash;</span>", out);
    fputs("</td>", out);
    free(shown);
}

static void badges(FILE *out, const struct device *d, enum finding_kind kind)
{
    fputs("<td>", out);
    int any = 0;
    for (size_t i = 0; i < d->finding_count; i++) {
        const struct finding *f = &d->findings[i];
        if (f->kind != kind || !f->verdict ||
            (kind == FINDING_RESTRICTION && strcmp(f->verdict, "restricted") != 0))
            continue;
        fputs("<span class=\"badge ", out);
        html_put(out, f->verdict);
        fputs("\">", out);
        html_put(out, f->id ? f->id : "?");
        fputs("</span>", out);
        any = 1;
    }
    if (!any)
        fputs("<span class=\"muted\">none</span>", out);
    fputs("</td>", out);
}

static int is_web_address(const char *s, size_t len)
{
    return (len > 8 && strncmp(s, "https://", 8) == 0) ||
           (len > 7 && strncmp(s, "http://", 7) == 0);
}

static void put_link(FILE *out, const char *url, size_t url_len, const char *text, size_t len)
{
    char *href = xstrndup(url, url_len), *shown = xstrndup(text, len);
    fputs("<a href=\"", out);
    html_put(out, href);
    fputs("\" rel=\"noreferrer\">", out);
    html_put(out, shown);
    fputs("</a>", out);
    free(href);
    free(shown);
}

/* A source is a web address, "Title <https://...>" (the policy files'
 * form), or plain text. Only web addresses become links: anything else
 * (javascript:...) stays text. */
static void put_source(FILE *out, const char *source)
{
    if (!source) {
        fputs("no source given", out);
        return;
    }
    size_t len = strlen(source);
    const char *open = strrchr(source, '<');
    if (is_web_address(source, len) && !strpbrk(source, " <>\""))
        put_link(out, source, len, source, len);
    else if (open && len && source[len - 1] == '>' && open > source &&
             is_web_address(open + 1, (size_t)(source + len - 1 - (open + 1))) &&
             !memchr(open + 1, '"', (size_t)(source + len - 1 - (open + 1))))
        put_link(out, open + 1, (size_t)(source + len - 1 - (open + 1)), source,
                 (size_t)(open - source));
    else
        html_put(out, source);
}

static void evidence_list(FILE *out, const struct device *d)
{
    fputs("<ul>", out);
    for (size_t i = 0; i < d->evidence_count; i++) {
        const struct evidence *e = &d->evidence[i];
        fputs("<li><b>", out);
        html_put(out, e->signal);
        fputs("</b>", out);
        if (e->port)
            fprintf(out, " (port %u)", e->port);
        fputs(": <code>", out);
        html_put(out, e->value);
        fputs("</code> &rarr; ", out);
        html_put(out, e->names);
        fputs(" <span class=\"muted\">[", out);
        html_put(out, e->matched_by);
        fprintf(out, ", weight %.2f]</span></li>", e->weight);
    }
    for (size_t i = 0; i < d->conflict_count; i++) {
        fputs("<li><b>conflict</b>: ", out);
        html_put(out, d->conflicts[i]);
        fputs("</li>", out);
    }
    fputs("</ul>", out);
}

static void findings_list(FILE *out, const struct device *d)
{
    fputs("<ul>", out);
    for (size_t i = 0; i < d->finding_count; i++) {
        const struct finding *f = &d->findings[i];
        fputs("<li><b>", out);
        html_put(out, f->id ? f->id : "?");
        fputs("</b> ", out);
        html_put(out, f->verdict);
        if (f->severity) {
            fputs(" (", out);
            html_put(out, f->severity);
            fputs(")", out);
        }
        fputs(": ", out);
        html_put(out, f->reason ? f->reason : "no reason given");
        fputs(" <span class=\"muted\">Source: ", out);
        put_source(out, f->source);
        fputs("</span></li>", out);
    }
    fputs("</ul>", out);
}

static void evidence_cell(FILE *out, const struct device *d)
{
    fprintf(out, "<td><details><summary>%zu signals, %zu findings</summary>", d->evidence_count,
            d->finding_count);
    evidence_list(out, d);
    findings_list(out, d);
    fputs("</details></td>", out);
}

static void device_row(FILE *out, const struct store_device *sd)
{
    const struct device *d = sd->dev;
    char key[64];
    address_key(d->ip, key, sizeof key);
    fprintf(out, "<tr data-device-id=\"%lld\"%s><td class=\"addr\" data-key=\"",
            (long long)sd->device_id,
            device_is_restricted(d, NULL) ? " class=\"is-restricted\"" : "");
    html_put(out, key); /* an address that is not one is the device's own text */
    fputs("\">", out);
    html_put(out, d->ip);
    if (d->mac[0]) {
        fputs("<br><span class=\"muted\">", out);
        html_put(out, d->mac);
        fputs("</span>", out);
    }
    fputs("</td><td>", out);
    html_put(out, d->manufacturer);
    if (d->brand && (!d->manufacturer || strcmp(d->brand, d->manufacturer) != 0)) {
        fputs("<br><span class=\"muted\">sold as ", out);
        html_put(out, d->brand);
        fputs("</span>", out);
    }
    fputs("</td>", out);
    text_cell(out, d->model);
    type_cell(out, d->device_type);
    text_cell(out, d->firmware);
    badges(out, d, FINDING_RESTRICTION);
    badges(out, d, FINDING_VULNERABILITY);
    badges(out, d, FINDING_PHONE_HOME);
    fprintf(out, "<td data-key=\"%.2f\">%.0f%%</td>", d->confidence, d->confidence * 100.0);
    evidence_cell(out, d);
    fputs("</tr>\n", out);
}

static void write_site(const struct report_site *site, size_t index, FILE *out)
{
    fprintf(out, "<section class=\"site\" id=\"site-%zu\" data-site=\"", index);
    html_put(out, site->scan.site);
    fputs("\"><h2>Site ", out);
    html_put(out, site->scan.site);
    fputs("</h2>\n<div class=\"site-top\">", out);
    write_scope(site, out);
    chart_history(site, out);
    fputs("</div>\n<div class=\"table-wrap\"><table class=\"devices sortable\"><thead><tr>"
          "<th data-col=\"address\">Address</th><th data-col=\"manufacturer\">Manufacturer</th>"
          "<th data-col=\"model\">Model</th><th data-col=\"type\">Type</th>"
          "<th data-col=\"firmware\">Firmware</th><th data-col=\"restricted\">Restricted by</th>"
          "<th data-col=\"vulnerabilities\">Vulnerabilities</th>"
          "<th data-col=\"phone_home\">Phone home</th>"
          "<th data-col=\"confidence\">Confidence</th><th data-col=\"evidence\">Evidence</th>"
          "</tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < site->devices.count; i++)
        device_row(out, &site->devices.items[i]);
    if (!site->devices.count)
        fputs("<tr><td colspan=\"10\">No devices were stored for this scan.</td></tr>\n", out);
    fputs("</tbody></table></div></section>\n", out);
}

static void site_summary_row(const struct report_site *site, size_t index, FILE *out)
{
    fprintf(out, "<tr data-site-index=\"%zu\"><td><a href=\"#site-%zu\">", index, index);
    html_put(out, site->scan.site);
    char when[32];
    time_format_rfc3339(site->scan.started, when, sizeof when);
    when[10] = '\0';
    fprintf(out,
            "</a></td><td>%s</td><td data-key=\"%012zu\">%zu</td>"
            "<td data-key=\"%012zu\">%zu</td><td data-key=\"%012zu\">%zu</td>"
            "<td data-key=\"%012zu\">%zu</td><td data-key=\"%012zu\">%zu</td></tr>\n",
            when, site->counts.devices, site->counts.devices, site->counts.restricted,
            site->counts.restricted, site->counts.vulnerable, site->counts.vulnerable,
            site->counts.phone_home, site->counts.phone_home, site->change.vanished_restricted,
            site->change.vanished_restricted);
}

/* With several sites: one line each, to see at a glance where work is left. */
static void write_sites_table(const struct report *r, FILE *out)
{
    fputs("<section class=\"site\" id=\"sites\"><h2>Sites</h2><div class=\"table-wrap\">"
          "<table class=\"devices sortable sites\"><thead><tr>"
          "<th data-col=\"site\">Site</th><th data-col=\"scanned\">Last scan</th>"
          "<th data-col=\"devices\">Devices</th><th data-col=\"restricted\">Restricted</th>"
          "<th data-col=\"vulnerable\">Vulnerable</th><th data-col=\"phone_home\">Phone home</th>"
          "<th data-col=\"removed\">Restricted removed since previous scan</th></tr></thead>"
          "<tbody>\n",
          out);
    for (size_t s = 0; s < r->site_count; s++)
        site_summary_row(&r->sites[s], s, out);
    fputs("</tbody></table></div></section>\n", out);
}

static void policy_field(FILE *out, const char *label, const char *value)
{
    if (!value)
        return;
    fprintf(out, "<br><span class=\"muted\">%s:</span> ", label);
    html_put(out, value);
}

static void write_policies(const struct report *r, FILE *out)
{
    fputs("<section class=\"site\" id=\"sources\"><h2>Restriction lists and their sources</h2>"
          "<ol class=\"sources\">\n",
          out);
    for (size_t i = 0; i < r->policy_count; i++) {
        const struct report_policy *p = &r->policies[i];
        fputs("<li><b>", out);
        html_put(out, p->name ? p->name : p->id);
        fputs("</b> <span class=\"muted\">(", out);
        html_put(out, p->id);
        fputs(")</span>", out);
        policy_field(out, "Jurisdiction", p->jurisdiction);
        policy_field(out, "Authority", p->authority);
        policy_field(out, "Instrument", p->instrument);
        policy_field(out, "In force since", p->effective_date);
        policy_field(out, "Binds", p->scope);
        fputs("<br><span class=\"muted\">Source:</span> ", out);
        put_source(out, p->source);
        fputs("</li>\n", out);
    }
    if (!r->policy_count)
        fputs("<li>No restriction list was evaluated for these scans.</li>\n", out);
    fputs("</ol></section>\n", out);
}

int report_write_html(const struct report *r, FILE *out)
{
    char nonce[33];
    make_nonce(nonce);
    write_head(r, out, nonce);
    write_headline(r, out);
    write_cards(r, out);
    fputs("<div class=\"charts\">\n", out);
    chart_manufacturers(r, out);
    chart_verdicts(r, out);
    fputs("</div>\n", out);
    if (r->site_count > 1)
        write_sites_table(r, out);
    for (size_t s = 0; s < r->site_count; s++)
        write_site(&r->sites[s], s, out);
    write_policies(r, out);
    fprintf(out,
            "<footer>camaudit reads what devices show without credentials and infers "
            "vulnerabilities from versions; verdicts are as good as the identification "
            "behind them (see each device's evidence).</footer>\n</main>\n"
            "<script nonce=\"%s\">%s</script>\n</body>\n</html>\n",
            nonce, report_js);
    return ferror(out) ? -1 : 0;
}
