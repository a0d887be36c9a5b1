/* store_query.c — reading the inventory back: scans, the devices one scan
 * saw, each device's latest state. Devices come back as the device records
 * that were stored (their JSON form), so reports see exactly what identify
 * and policy said at the time. */
#include "core/log.h"
#include "core/util.h"
#include "store/store_internal.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_COLUMNS                                                                               \
    "SELECT s.id, s.site, s.targets, s.options, s.command, s.operator_name, s.started,"            \
    " s.finished, (SELECT COUNT(*) FROM device_scans d WHERE d.scan_id = s.id) FROM scans s"

static char *dup_cell(const struct db_result *res, size_t row, size_t col)
{
    const char *v = db_cell(res, row, col);
    return v ? xstrdup(v) : NULL;
}

static double double_cell(const struct db_result *res, size_t row, size_t col)
{
    const char *v = db_cell(res, row, col);
    return v ? strtod(v, NULL) : 0;
}

static int64_t id_cell(const struct db_result *res, size_t row, size_t col)
{
    const char *v = db_cell(res, row, col);
    return v ? strtoll(v, NULL, 10) : 0;
}

static void scan_from_row(const struct db_result *res, size_t r, struct store_scan *scan)
{
    scan->id = id_cell(res, r, 0);
    scan->site = dup_cell(res, r, 1);
    scan->targets = dup_cell(res, r, 2);
    scan->options = dup_cell(res, r, 3);
    scan->command = dup_cell(res, r, 4);
    scan->operator_name = dup_cell(res, r, 5);
    scan->started = double_cell(res, r, 6);
    scan->finished = double_cell(res, r, 7);
    scan->hosts = id_cell(res, r, 8);
}

static int query_failed(struct store *st, const char *what)
{
    log_error("cannot read %s from the store: %s", what, st->db->error);
    return -1;
}

int store_list_scans(struct store *st, const char *site, struct store_scan_list *out)
{
    *out = (struct store_scan_list){0};
    const char *params[] = {site};
    struct db_result res;
    int rc = site ? db_exec(st->db, SCAN_COLUMNS " WHERE s.site = ? ORDER BY s.started, s.id",
                            params, 1, &res)
                  : db_exec(st->db, SCAN_COLUMNS " ORDER BY s.started, s.id", NULL, 0, &res);
    if (rc != DB_OK)
        return query_failed(st, "scans");
    out->items = xcalloc(res.rows + 1, sizeof *out->items);
    for (size_t r = 0; r < res.rows; r++)
        scan_from_row(&res, r, &out->items[r]);
    out->count = res.rows;
    db_result_clear(&res);
    return 0;
}

static int one_scan(struct store *st, const char *sql, const char *const *params, size_t n,
                    struct store_scan *out)
{
    *out = (struct store_scan){0};
    struct db_result res;
    if (db_exec(st->db, sql, params, n, &res) != DB_OK)
        return query_failed(st, "a scan");
    int found = res.rows > 0;
    if (found)
        scan_from_row(&res, 0, out);
    db_result_clear(&res);
    return found;
}

int store_get_scan(struct store *st, int64_t scan_id, struct store_scan *out)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)scan_id);
    const char *params[] = {id};
    return one_scan(st, SCAN_COLUMNS " WHERE s.id = ?", params, 1, out);
}

int store_latest_scan(struct store *st, const char *site, struct store_scan *out)
{
    const char *params[] = {site};
    if (site)
        return one_scan(st,
                        SCAN_COLUMNS " WHERE s.site = ? ORDER BY s.started DESC, s.id DESC"
                                     " LIMIT 1",
                        params, 1, out);
    return one_scan(st, SCAN_COLUMNS " ORDER BY s.started DESC, s.id DESC LIMIT 1", NULL, 0, out);
}

void store_scan_clear(struct store_scan *scan)
{
    free(scan->site);
    free(scan->targets);
    free(scan->options);
    free(scan->command);
    free(scan->operator_name);
    *scan = (struct store_scan){0};
}

void store_scan_list_free(struct store_scan_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        store_scan_clear(&list->items[i]);
    free(list->items);
    *list = (struct store_scan_list){0};
}

/* Orders addresses numerically (10.0.0.9 before 10.0.0.10), IPv4 first. */
static int compare_addresses(const char *a, const char *b)
{
    unsigned char ba[16] = {0}, bb[16] = {0};
    int fa = inet_pton(AF_INET, a, ba) == 1 ? 4 : inet_pton(AF_INET6, a, ba) == 1 ? 6 : 9;
    int fb = inet_pton(AF_INET, b, bb) == 1 ? 4 : inet_pton(AF_INET6, b, bb) == 1 ? 6 : 9;
    if (fa != fb)
        return fa - fb;
    int c = fa == 9 ? strcmp(a, b) : memcmp(ba, bb, sizeof ba);
    return c;
}

static int compare_store_devices(const void *pa, const void *pb)
{
    const struct store_device *a = pa, *b = pb;
    int c = strcmp(a->site ? a->site : "", b->site ? b->site : "");
    if (c == 0)
        c = compare_addresses(a->dev->ip, b->dev->ip);
    if (c == 0)
        c = a->device_id < b->device_id ? -1 : a->device_id > b->device_id;
    return c;
}

/* Rows of (device_id, scan_id, site, seen, device_json) into devices. */
static int devices_from_rows(struct store *st, const struct db_result *res,
                             struct store_device_list *out)
{
    out->items = xcalloc(res->rows + 1, sizeof *out->items);
    for (size_t r = 0; r < res->rows; r++) {
        json_error_t jerr;
        const char *text = db_cell(res, r, 4);
        json_t *json = text ? json_loads(text, 0, &jerr) : NULL;
        char err[256] = "no device record";
        struct device *dev = json ? device_from_json(json, err, sizeof err) : NULL;
        json_decref(json);
        if (!dev) {
            log_error("stored device %s of scan %s is unreadable: %s", db_cell(res, r, 0),
                      db_cell(res, r, 1), json ? err : "bad JSON");
            store_device_list_free(out);
            return -1;
        }
        struct store_device *sd = &out->items[out->count++];
        sd->device_id = id_cell(res, r, 0);
        sd->scan_id = id_cell(res, r, 1);
        sd->site = dup_cell(res, r, 2);
        sd->seen = double_cell(res, r, 3);
        sd->dev = dev;
    }
    qsort(out->items, out->count, sizeof *out->items, compare_store_devices);
    return 0;
}

static int device_query(struct store *st, const char *sql, const char *const *params, size_t n,
                        struct store_device_list *out)
{
    *out = (struct store_device_list){0};
    struct db_result res;
    if (db_exec(st->db, sql, params, n, &res) != DB_OK)
        return query_failed(st, "devices");
    int rc = devices_from_rows(st, &res, out);
    db_result_clear(&res);
    return rc;
}

int store_scan_devices(struct store *st, int64_t scan_id, struct store_device_list *out)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)scan_id);
    const char *params[] = {id};
    return device_query(st,
                        "SELECT d.device_id, d.scan_id, s.site, d.seen, d.device_json"
                        " FROM device_scans d JOIN scans s ON s.id = d.scan_id"
                        " WHERE d.scan_id = ?",
                        params, 1, out);
}

#define INVENTORY_SQL                                                                              \
    "SELECT d.device_id, d.scan_id, v.site, d.seen, d.device_json FROM devices v"                  \
    " JOIN device_scans d ON d.device_id = v.id AND d.scan_id = v.last_scan"

int store_inventory(struct store *st, const char *site, struct store_device_list *out)
{
    const char *params[] = {site};
    if (site)
        return device_query(st, INVENTORY_SQL " WHERE v.site = ?", params, 1, out);
    return device_query(st, INVENTORY_SQL, NULL, 0, out);
}

void store_device_list_free(struct store_device_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].site);
        device_free(list->items[i].dev);
    }
    free(list->items);
    *list = (struct store_device_list){0};
}

static int has_finding(const struct device *dev, enum finding_kind kind, const char *verdict,
                       const char *id)
{
    for (size_t i = 0; i < dev->finding_count; i++) {
        const struct finding *f = &dev->findings[i];
        if (f->kind == kind && f->verdict && strcmp(f->verdict, verdict) == 0 &&
            (!id || (f->id && strcmp(f->id, id) == 0)))
            return 1;
    }
    return 0;
}

int device_is_restricted(const struct device *dev, const char *policy_id)
{
    return has_finding(dev, FINDING_RESTRICTION, "restricted", policy_id);
}

int device_is_vulnerable(const struct device *dev)
{
    return has_finding(dev, FINDING_VULNERABILITY, "vulnerable", NULL) ||
           has_finding(dev, FINDING_VULNERABILITY, "possibly_vulnerable", NULL);
}

int device_phones_home(const struct device *dev)
{
    for (size_t i = 0; i < dev->finding_count; i++)
        if (dev->findings[i].kind == FINDING_PHONE_HOME)
            return 1;
    return 0;
}

char *device_restricted_lists(const struct device *dev)
{
    char *out = xstrdup("");
    for (size_t i = 0; i < dev->finding_count; i++) {
        const struct finding *f = &dev->findings[i];
        if (f->kind != FINDING_RESTRICTION || !f->id || !f->verdict ||
            strcmp(f->verdict, "restricted") != 0)
            continue;
        char *next = xasprintf("%s%s%s", out, out[0] ? "," : "", f->id);
        free(out);
        out = next;
    }
    return out;
}

int64_t store_scan_restricted_count(struct store *st, int64_t scan_id)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)scan_id);
    const char *params[] = {id};
    struct db_result res;
    if (db_exec(st->db,
                "SELECT COUNT(DISTINCT device_id) FROM findings WHERE scan_id = ?"
                " AND kind = 'restriction' AND verdict = 'restricted'",
                params, 1, &res) != DB_OK)
        return query_failed(st, "verdicts");
    int64_t n = id_cell(&res, 0, 0);
    db_result_clear(&res);
    return n;
}

const char *device_verdict(const struct device *dev, const char *list_id)
{
    for (size_t i = 0; i < dev->finding_count; i++) {
        const struct finding *f = &dev->findings[i];
        if (f->kind == FINDING_RESTRICTION && f->id && strcmp(f->id, list_id) == 0)
            return f->verdict;
    }
    return NULL;
}
