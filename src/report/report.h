/* report.h — reports from the inventory: what a scan (or the latest scan of
 * each site) found, rendered as one self-contained HTML page for people,
 * JSON for machines, CSV for spreadsheets (one row per device, a verdict
 * column per restriction list) and Markdown for tickets and mail.
 *
 * report_build gathers the model from the store once; each renderer only
 * writes it, escaping every string (device strings are hostile). */
#ifndef CAMAUDIT_REPORT_H
#define CAMAUDIT_REPORT_H

#include "store/store.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum report_format { REPORT_HTML, REPORT_JSON, REPORT_CSV, REPORT_MD };

/* "html", "json", "csv", "md": 0, or -1 for another name. */
int report_format_parse(const char *name, enum report_format *out);

/* Describes a restriction list (the fields of policy.h's struct
 * policy_list); any field may be NULL. */
struct report_policy_meta {
    const char *id, *name, *jurisdiction, *authority, *instrument, *effective_date, *scope, *source;
};

/* What to report: one scan, the latest scan of one site, or (neither) the
 * latest scan of every site. */
struct report_scope {
    int64_t scan_id; /* 0: not given */
    const char *site;
};

struct report_counts {
    size_t devices, restricted, vulnerable, phone_home;
};

/* What changed since the site's scan before the one reported. */
struct report_change {
    int64_t previous_scan; /* 0: the reported scan is the site's first */
    double previous_started;
    size_t appeared, vanished, vanished_restricted, changed;
};

/* One site's part: the scan reported, its devices, and the site's history. */
struct report_site {
    struct store_scan scan;
    struct store_device_list devices;
    struct store_scan_list history; /* every scan of the site, oldest first */
    int64_t *restricted_history;    /* restricted devices per history scan */
    struct report_counts counts;
    struct report_change change;
};

/* A restriction list the report's findings speak of, described by the
 * metadata given for its id, else by the findings (id and source only). */
struct report_policy {
    char *id, *name, *jurisdiction, *authority, *instrument, *effective_date, *scope, *source;
    size_t restricted, not_restricted, unknown; /* devices per verdict */
};

struct report {
    struct report_site *sites; /* by site name */
    size_t site_count;
    struct report_policy *policies;
    size_t policy_count;
    struct report_counts totals;
    double generated;
};

/* NULL (message printed) when the scope names nothing or the store fails.
 * meta describes the lists (may be NULL/0: sources come from findings). */
struct report *report_build(struct store *st, const struct report_scope *scope,
                            const struct report_policy_meta *meta, size_t n_meta);
void report_free(struct report *r);

/* The findings of one kind as text: "CVE-2021-36260 (vulnerable); ..."
 * ("" when none; caller frees). Phone-home findings list the services. */
char *report_findings_text(const struct device *dev, enum finding_kind kind);

/* Writes the report; 0, or -1 on a write error. */
int report_write(const struct report *r, enum report_format format, FILE *out);

/* Renderers (report_html.c, report_json.c, report_text.c). */
int report_write_html(const struct report *r, FILE *out);
int report_write_json(const struct report *r, FILE *out);
int report_write_csv(const struct report *r, FILE *out);
int report_write_md(const struct report *r, FILE *out);

#endif
