/* report_text.c — the report as CSV (one row per device, a verdict column
 * per restriction list, for spreadsheets) and as Markdown (tickets, mail). */
#include "core/util.h"
#include "report/escape.h"
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const csv_columns[] = {
    "site",  "scan_id", "device_id",   "ip",       "mac",    "manufacturer",
    "brand", "model",   "device_type", "firmware", "serial", "confidence",
};
#define CSV_COLUMN_COUNT (sizeof csv_columns / sizeof csv_columns[0])

static void csv_header(const struct report *r, FILE *out)
{
    for (size_t i = 0; i < CSV_COLUMN_COUNT; i++)
        fprintf(out, "%s%s", i ? "," : "", csv_columns[i]);
    for (size_t i = 0; i < r->policy_count; i++) {
        char *name = xasprintf("verdict_%s", r->policies[i].id);
        fputc(',', out);
        csv_put(out, name);
        free(name);
    }
    fputs(",vulnerabilities,phone_home,open_ports\r\n", out);
}

static void csv_text(FILE *out, const char *s)
{
    fputc(',', out);
    csv_put(out, s);
}

static void csv_ports(FILE *out, const struct device *d)
{
    fputs(",\"", out);
    for (size_t i = 0; i < d->open_port_count; i++)
        fprintf(out, "%s%u", i ? " " : "", d->open_ports[i]);
    fputc('"', out);
}

static void csv_row(const struct report *r, const struct store_device *sd, FILE *out)
{
    const struct device *d = sd->dev;
    csv_put(out, sd->site);
    fprintf(out, ",%lld,%lld", (long long)sd->scan_id, (long long)sd->device_id);
    const char *texts[] = {d->ip,           d->mac[0] ? d->mac : NULL,
                           d->manufacturer, d->brand,
                           d->model,        d->device_type,
                           d->firmware,     d->serial};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        csv_text(out, texts[i]);
    fprintf(out, ",%.2f", d->confidence);
    for (size_t i = 0; i < r->policy_count; i++) {
        const char *v = device_verdict(d, r->policies[i].id);
        csv_text(out, v ? v : "not_evaluated");
    }
    char *vulns = report_findings_text(d, FINDING_VULNERABILITY);
    char *home = report_findings_text(d, FINDING_PHONE_HOME);
    csv_text(out, vulns);
    csv_text(out, home);
    csv_ports(out, d);
    fputs("\r\n", out);
    free(vulns);
    free(home);
}

int report_write_csv(const struct report *r, FILE *out)
{
    csv_header(r, out);
    for (size_t s = 0; s < r->site_count; s++)
        for (size_t d = 0; d < r->sites[s].devices.count; d++)
            csv_row(r, &r->sites[s].devices.items[d], out);
    return ferror(out) ? -1 : 0;
}

static void md_time(FILE *out, double t)
{
    char buf[32] = "not finished";
    if (t > 0)
        time_format_rfc3339(t, buf, sizeof buf);
    fputs(buf, out);
}

static void md_policies(const struct report *r, FILE *out)
{
    fputs("\n## Restriction lists\n\n| List | Restricted | Not restricted | Unknown | Source |\n"
          "|---|---:|---:|---:|---|\n",
          out);
    for (size_t i = 0; i < r->policy_count; i++) {
        const struct report_policy *p = &r->policies[i];
        fputs("| ", out);
        md_put(out, p->name ? p->name : p->id);
        fprintf(out, " | %zu | %zu | %zu | ", p->restricted, p->not_restricted, p->unknown);
        md_put(out, p->source ? p->source : "not given");
        fputs(" |\n", out);
    }
}

static void md_device(const struct store_device *sd, FILE *out)
{
    const struct device *d = sd->dev;
    char *lists = device_restricted_lists(d);
    char *vulns = report_findings_text(d, FINDING_VULNERABILITY);
    char *home = report_findings_text(d, FINDING_PHONE_HOME);
    const char *cells[] = {d->ip,       d->manufacturer, d->brand, d->model,
                           d->firmware, lists,           vulns,    home};
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        fputs("| ", out);
        md_put(out, cells[i] && cells[i][0] ? cells[i] : "-");
        fputc(' ', out);
    }
    fputs("|\n", out);
    free(lists);
    free(vulns);
    free(home);
}

static void md_site(const struct report_site *site, FILE *out)
{
    fputs("\n## Site ", out);
    md_put(out, site->scan.site);
    fprintf(out, "\n\nScan %lld, started ", (long long)site->scan.id);
    md_time(out, site->scan.started);
    fputs(", finished ", out);
    md_time(out, site->scan.finished);
    fputs(". Targets: ", out);
    md_put(out, site->scan.targets ? site->scan.targets : "not recorded");
    fputs(". Options: ", out);
    md_put(out, site->scan.options ? site->scan.options : "none");
    fprintf(out,
            ".\n\n%zu devices, %zu restricted, %zu vulnerable, %zu phoning home.\n\n"
            "| Address | Manufacturer | Brand | Model | Firmware | Restricted by |"
            " Vulnerabilities | Phone home |\n|---|---|---|---|---|---|---|---|\n",
            site->counts.devices, site->counts.restricted, site->counts.vulnerable,
            site->counts.phone_home);
    for (size_t i = 0; i < site->devices.count; i++)
        md_device(&site->devices.items[i], out);
    const struct report_change *c = &site->change;
    if (c->previous_scan)
        fprintf(out,
                "\nSince scan %lld: %zu appeared, %zu gone (%zu of them restricted), "
                "%zu changed.\n",
                (long long)c->previous_scan, c->appeared, c->vanished, c->vanished_restricted,
                c->changed);
}

int report_write_md(const struct report *r, FILE *out)
{
    fputs("# camaudit report\n\nGenerated ", out);
    md_time(out, r->generated);
    fprintf(out,
            ".\n\n| Devices | Restricted (any list) | Vulnerable | Phone home seen |\n"
            "|---:|---:|---:|---:|\n| %zu | %zu | %zu | %zu |\n",
            r->totals.devices, r->totals.restricted, r->totals.vulnerable, r->totals.phone_home);
    md_policies(r, out);
    for (size_t s = 0; s < r->site_count; s++)
        md_site(&r->sites[s], out);
    return ferror(out) ? -1 : 0;
}
