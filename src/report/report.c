/* report.c — gathering a report's model from the store (report.h): which
 * scans are in scope, their devices, each site's history of restricted
 * devices, the restriction lists spoken of, and the counts. */
#include "report/report.h"

#include "core/log.h"
#include "core/util.h"
#include "store/diff.h"

#include <stdlib.h>
#include <string.h>

int report_format_parse(const char *name, enum report_format *out)
{
    static const char *const names[] = {"html", "json", "csv", "md"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (enum report_format)i;
            return 0;
        }
    return -1;
}

char *report_findings_text(const struct device *dev, enum finding_kind kind)
{
    char *out = xstrdup("");
    for (size_t i = 0; i < dev->finding_count; i++) {
        const struct finding *f = &dev->findings[i];
        if (f->kind != kind)
            continue;
        const char *id = f->id ? f->id : "?";
        char *next = kind == FINDING_PHONE_HOME ? xasprintf("%s%s%s", out, out[0] ? "; " : "", id)
                                                : xasprintf("%s%s%s (%s)", out, out[0] ? "; " : "",
                                                            id, f->verdict ? f->verdict : "?");
        free(out);
        out = next;
    }
    return out;
}

/* The scans in scope: one per site, by site name. */
static int scope_scans(struct store *st, const struct report_scope *scope,
                       struct store_scan_list *out)
{
    *out = (struct store_scan_list){0};
    if (scope->scan_id || scope->site) {
        struct store_scan scan;
        int found = scope->scan_id ? store_get_scan(st, scope->scan_id, &scan)
                                   : store_latest_scan(st, scope->site, &scan);
        if (found == 0)
            log_error("nothing to report: no %s %s in the store (see 'camaudit scans')",
                      scope->scan_id ? "scan" : "scan of site",
                      scope->scan_id ? "with that id" : scope->site);
        if (found != 1)
            return -1;
        out->items = xcalloc(1, sizeof *out->items);
        out->items[0] = scan;
        out->count = 1;
        return 0;
    }
    struct store_scan_list all;
    if (store_list_scans(st, NULL, &all) != 0)
        return -1;
    out->items = xcalloc(all.count + 1, sizeof *out->items);
    /* Oldest first: the last scan seen of each site is its latest. */
    for (size_t i = 0; i < all.count; i++) {
        size_t s = 0;
        while (s < out->count && strcmp(out->items[s].site, all.items[i].site) != 0)
            s++;
        if (s == out->count)
            out->count++;
        else
            store_scan_clear(&out->items[s]);
        out->items[s] = all.items[i];
        all.items[i] = (struct store_scan){0};
    }
    store_scan_list_free(&all);
    if (out->count == 0) {
        log_error("nothing to report: the store has no scans");
        free(out->items);
        return -1;
    }
    return 0;
}

static int compare_sites(const void *a, const void *b)
{
    return strcmp(((const struct report_site *)a)->scan.site,
                  ((const struct report_site *)b)->scan.site);
}

static void count_device(struct report_counts *c, const struct device *dev)
{
    c->devices++;
    c->restricted += device_is_restricted(dev, NULL) != 0;
    c->vulnerable += device_is_vulnerable(dev) != 0;
    c->phone_home += device_phones_home(dev) != 0;
}

/* Compares the reported scan with the site's scan before it. */
static int load_change(struct store *st, struct report_site *site)
{
    size_t i = 0;
    while (i < site->history.count && site->history.items[i].id != site->scan.id)
        i++;
    if (i == 0 || i == site->history.count)
        return 0;
    const struct store_scan *prev = &site->history.items[i - 1];
    struct scan_diff d;
    if (scan_diff_compute(st, prev->id, site->scan.id, &d) != 0)
        return -1;
    struct report_change *c = &site->change;
    c->previous_scan = prev->id;
    c->previous_started = prev->started;
    for (size_t e = 0; e < d.count; e++) {
        const struct diff_entry *entry = &d.entries[e];
        c->appeared += entry->kind == DIFF_APPEARED;
        c->changed += entry->kind == DIFF_CHANGED;
        if (entry->kind == DIFF_VANISHED) {
            c->vanished++;
            c->vanished_restricted += device_is_restricted(entry->before->dev, NULL) != 0;
        }
    }
    scan_diff_free(&d);
    return 0;
}

static int load_site(struct store *st, struct report_site *site)
{
    if (store_scan_devices(st, site->scan.id, &site->devices) != 0 ||
        store_list_scans(st, site->scan.site, &site->history) != 0)
        return -1;
    site->restricted_history = xcalloc(site->history.count + 1, sizeof(int64_t));
    for (size_t i = 0; i < site->history.count; i++) {
        site->restricted_history[i] = store_scan_restricted_count(st, site->history.items[i].id);
        if (site->restricted_history[i] < 0)
            return -1;
    }
    for (size_t i = 0; i < site->devices.count; i++)
        count_device(&site->counts, site->devices.items[i].dev);
    return load_change(st, site);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static struct report_policy *find_policy(struct report *r, const char *id)
{
    for (size_t i = 0; i < r->policy_count; i++)
        if (strcmp(r->policies[i].id, id) == 0)
            return &r->policies[i];
    return NULL;
}

static struct report_policy *add_policy(struct report *r, const char *id)
{
    r->policies = xrealloc(r->policies, (r->policy_count + 1) * sizeof *r->policies);
    struct report_policy *p = &r->policies[r->policy_count++];
    *p = (struct report_policy){.id = xstrdup(id)};
    return p;
}

static void fill_meta(struct report_policy *p, const struct report_policy_meta *m)
{
    p->name = dup_or_null(m->name);
    p->jurisdiction = dup_or_null(m->jurisdiction);
    p->authority = dup_or_null(m->authority);
    p->instrument = dup_or_null(m->instrument);
    p->effective_date = dup_or_null(m->effective_date);
    p->scope = dup_or_null(m->scope);
    if (m->source) {
        free(p->source);
        p->source = xstrdup(m->source);
    }
}

/* Counts one restriction finding against its list. */
static void tally_finding(struct report *r, const struct finding *f)
{
    if (f->kind != FINDING_RESTRICTION || !f->id)
        return;
    struct report_policy *p = find_policy(r, f->id);
    if (!p)
        p = add_policy(r, f->id);
    if (!p->source && f->source)
        p->source = xstrdup(f->source);
    const char *v = f->verdict ? f->verdict : "";
    if (strcmp(v, "restricted") == 0)
        p->restricted++;
    else if (strcmp(v, "not_restricted") == 0)
        p->not_restricted++;
    else
        p->unknown++;
}

/* The lists the findings speak of, described by the metadata where it
 * names them (else by the findings' own source). */
static void collect_policies(struct report *r, const struct report_policy_meta *meta, size_t n_meta)
{
    for (size_t s = 0; s < r->site_count; s++)
        for (size_t d = 0; d < r->sites[s].devices.count; d++) {
            const struct device *dev = r->sites[s].devices.items[d].dev;
            for (size_t f = 0; f < dev->finding_count; f++)
                tally_finding(r, &dev->findings[f]);
        }
    for (size_t i = 0; i < n_meta; i++) {
        struct report_policy *p = meta[i].id ? find_policy(r, meta[i].id) : NULL;
        if (p && !p->name)
            fill_meta(p, &meta[i]);
    }
}

struct report *report_build(struct store *st, const struct report_scope *scope,
                            const struct report_policy_meta *meta, size_t n_meta)
{
    struct store_scan_list scans;
    if (scope_scans(st, scope, &scans) != 0)
        return NULL;
    struct report *r = xcalloc(1, sizeof *r);
    r->generated = time_now();
    r->sites = xcalloc(scans.count, sizeof *r->sites);
    for (size_t i = 0; i < scans.count; i++) {
        r->sites[r->site_count].scan = scans.items[i];
        scans.items[i] = (struct store_scan){0};
        if (load_site(st, &r->sites[r->site_count++]) != 0) {
            store_scan_list_free(&scans);
            report_free(r);
            return NULL;
        }
    }
    store_scan_list_free(&scans);
    qsort(r->sites, r->site_count, sizeof *r->sites, compare_sites);
    for (size_t s = 0; s < r->site_count; s++)
        for (size_t d = 0; d < r->sites[s].devices.count; d++)
            count_device(&r->totals, r->sites[s].devices.items[d].dev);
    collect_policies(r, meta, n_meta);
    return r;
}

void report_free(struct report *r)
{
    if (!r)
        return;
    for (size_t s = 0; s < r->site_count; s++) {
        store_scan_clear(&r->sites[s].scan);
        store_device_list_free(&r->sites[s].devices);
        store_scan_list_free(&r->sites[s].history);
        free(r->sites[s].restricted_history);
    }
    free(r->sites);
    for (size_t i = 0; i < r->policy_count; i++) {
        struct report_policy *p = &r->policies[i];
        free(p->id);
        free(p->name);
        free(p->jurisdiction);
        free(p->authority);
        free(p->instrument);
        free(p->effective_date);
        free(p->scope);
        free(p->source);
    }
    free(r->policies);
    free(r);
}

int report_write(const struct report *r, enum report_format format, FILE *out)
{
    switch (format) {
    case REPORT_HTML:
        return report_write_html(r, out);
    case REPORT_JSON:
        return report_write_json(r, out);
    case REPORT_CSV:
        return report_write_csv(r, out);
    case REPORT_MD:
        return report_write_md(r, out);
    }
    return -1;
}
