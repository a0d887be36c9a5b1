/* test_store.c — the inventory on a real SQLite file: migrations from an
 * empty database, device identity across address changes (MAC, serial,
 * (site, ip)), scan diffs, report counts, and output escaping of hostile
 * strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "report/escape.h"
#include "report/report.h"
#include "store/db.h"
#include "store/diff.h"
#include "store/schema.h"
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
    char dir[64];
    char path[128];
    struct store *st;
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/camaudit-test-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/inventory.db", f->dir);
    char err[512];
    f->st = store_open(f->path, err, sizeof err);
    if (!f->st) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    char *cmd = xasprintf("rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static int64_t begin_scan(struct store *st, const char *site, double when)
{
    struct scan_info info = {.site = site, .targets = "10.0.0.0/24", .started = when};
    int64_t id = store_scan_begin(st, &info);
    assert_true(id > 0);
    return id;
}

static struct device *camera(const char *ip, const char *mac, const char *serial,
                             const char *firmware)
{
    struct device *d = device_new(ip);
    if (mac)
        strcpy(d->mac, mac);
    device_set(&d->serial, serial);
    device_set(&d->manufacturer, "Hikvision");
    device_set(&d->firmware, firmware);
    d->confidence = 0.9;
    return d;
}

static void add(struct store *st, int64_t scan, struct device *d)
{
    struct observation obs;
    observation_init(&obs, d->ip, 80, "tcp", "http.server", "probe/http", NULL, "App-webs/", 9);
    assert_int_equal(store_add_host(st, scan, d, &obs, 1), 0);
    observation_clear(&obs);
    device_free(d);
}

/* device_id of the device a scan saw at ip (-1 when none). */
static int64_t id_at(struct store *st, int64_t scan, const char *ip)
{
    struct store_device_list list;
    assert_int_equal(store_scan_devices(st, scan, &list), 0);
    int64_t id = -1;
    for (size_t i = 0; i < list.count; i++)
        if (strcmp(list.items[i].dev->ip, ip) == 0)
            id = list.items[i].device_id;
    store_device_list_free(&list);
    return id;
}

static void test_migrations_from_empty(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_schema_version(f->st), schema_latest_version());
    assert_string_equal(store_backend(f->st), "sqlite");
    struct store_scan_list scans;
    assert_int_equal(store_list_scans(f->st, NULL, &scans), 0);
    assert_int_equal(scans.count, 0);
    store_scan_list_free(&scans);
    /* Opening again applies nothing twice. */
    char err[512];
    struct store *again = store_open(f->path, err, sizeof err);
    assert_non_null(again);
    assert_int_equal(store_schema_version(again), schema_latest_version());
    store_close(again);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *stmt;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM schema_version", -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(stmt, 0), schema_latest_version());
    sqlite3_finalize(stmt);
    /* A database from a newer camaudit is refused, not damaged. */
    assert_int_equal(
        sqlite3_exec(db, "INSERT INTO schema_version VALUES (99, 0)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_null(store_open(f->path, err, sizeof err));
    assert_non_null(strstr(err, "newer"));
}

/* A database made by an older camaudit is upgraded in place, data kept. */
static void test_migration_from_older_version(void **state)
{
    struct fixture *f = *state;
    char *path = xasprintf("%s/old.db", f->dir), err[512];
    struct db *db = db_open_sqlite(path, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(schema_migrate_to(db, 1, err, sizeof err), 1);
    assert_int_equal(
        db_exec(db, "INSERT INTO scans (site, started) VALUES ('old', 5)", NULL, 0, NULL), DB_OK);
    db_close(db);
    struct store *st = store_open(path, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), schema_latest_version());
    struct store_scan scan;
    assert_int_equal(store_latest_scan(st, "old", &scan), 1);
    assert_true(scan.started == 5);
    store_scan_clear(&scan);
    store_close(st);
    free(path);
}

static void test_bad_database(void **state)
{
    struct fixture *f = *state;
    char *path = xasprintf("%s/not-a-db", f->dir);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fputs("this is not an SQLite database, just text long enough to be read as a header\n", out);
    fclose(out);
    char err[512];
    assert_null(store_open(path, err, sizeof err));
    assert_non_null(strstr(err, "cannot open database"));
    free(path);
    struct device *d = camera("10.0.0.1", NULL, NULL, NULL);
    assert_int_equal(store_add_host(f->st, 4242, d, NULL, 0), -1); /* no such scan */
    device_free(d);
}

static void test_identity_across_address_change(void **state)
{
    struct fixture *f = *state;
    int64_t s1 = begin_scan(f->st, "hq", 1000);
    add(f->st, s1, camera("10.0.0.5", "a4:14:37:00:00:01", NULL, "V5.5.0"));
    add(f->st, s1, camera("10.0.0.6", NULL, "SN-1", "V5.5.0"));
    add(f->st, s1, camera("10.0.0.7", NULL, NULL, "V5.5.0"));
    add(f->st, s1, camera("10.0.0.8", "a4:14:37:00:00:08", NULL, "V5.5.0"));
    assert_int_equal(store_scan_end(f->st, s1, 1001), 0);
    int64_t s2 = begin_scan(f->st, "hq", 2000);
    add(f->st, s2, camera("10.0.0.50", "A4:14:37:00:00:01", NULL, "V5.5.0")); /* moved */
    add(f->st, s2, camera("10.0.0.60", NULL, "SN-1", "V5.5.0"));              /* moved */
    add(f->st, s2, camera("10.0.0.7", NULL, NULL, "V5.7.0"));                 /* by address */
    add(f->st, s2, camera("10.0.0.8", "a4:14:37:00:00:99", NULL, "V5.5.0"));  /* another MAC */
    int64_t other = begin_scan(f->st, "branch", 2100);
    add(f->st, other, camera("10.0.0.7", NULL, NULL, "V5.5.0")); /* same address, other site */

    assert_int_equal(id_at(f->st, s1, "10.0.0.5"), id_at(f->st, s2, "10.0.0.50"));
    assert_int_equal(id_at(f->st, s1, "10.0.0.6"), id_at(f->st, s2, "10.0.0.60"));
    assert_int_equal(id_at(f->st, s1, "10.0.0.7"), id_at(f->st, s2, "10.0.0.7"));
    assert_int_not_equal(id_at(f->st, s1, "10.0.0.8"), id_at(f->st, s2, "10.0.0.8"));
    assert_int_not_equal(id_at(f->st, s1, "10.0.0.7"), id_at(f->st, other, "10.0.0.7"));

    /* The inventory has each device once, in its latest state. */
    struct store_device_list inv;
    assert_int_equal(store_inventory(f->st, "hq", &inv), 0);
    assert_int_equal(inv.count, 5); /* 4 from scan 1, one new MAC at .8 */
    int moved = 0;
    for (size_t i = 0; i < inv.count; i++)
        moved += strcmp(inv.items[i].dev->ip, "10.0.0.50") == 0;
    assert_int_equal(moved, 1);
    store_device_list_free(&inv);
    struct store_scan latest;
    assert_int_equal(store_latest_scan(f->st, "hq", &latest), 1);
    assert_int_equal(latest.id, s2);
    assert_int_equal(latest.hosts, 4);
    assert_true(latest.finished == 0); /* never ended */
    store_scan_clear(&latest);
}

static int64_t count_rows(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

/* A host written twice in one scan (an import listing it twice, a retried
 * write) keeps its last view only: no doubled observations or findings. */
static void test_host_written_twice_keeps_last_view(void **state)
{
    struct fixture *f = *state;
    int64_t s1 = begin_scan(f->st, "hq", 1000);
    add(f->st, s1, camera("10.0.0.5", "a4:14:37:00:00:01", NULL, "V5.5.0"));
    add(f->st, s1, camera("10.0.0.5", "a4:14:37:00:00:01", NULL, "V5.7.0"));
    assert_int_equal(count_rows(f->path, "SELECT COUNT(*) FROM device_scans"), 1);
    assert_int_equal(count_rows(f->path, "SELECT COUNT(*) FROM observations"), 1);
    assert_int_equal(count_rows(f->path, "SELECT COUNT(*) FROM device_scans WHERE"
                                         " observation_count = 1 AND firmware = 'V5.7.0'"),
                     1);
}

/* Two hosts of one scan that share a MAC or a serial (a proxy, cloned or
 * junk values) stay two devices; junk serials identify nothing. */
static void test_shared_identifiers_do_not_merge(void **state)
{
    struct fixture *f = *state;
    int64_t s1 = begin_scan(f->st, "hq", 1000);
    add(f->st, s1, camera("10.0.0.1", "00:00:00:00:00:00", NULL, "V1"));
    add(f->st, s1, camera("10.0.0.2", "00:00:00:00:00:00", NULL, "V1"));
    add(f->st, s1, camera("10.0.0.3", NULL, "SAME-SERIAL", "V1"));
    add(f->st, s1, camera("10.0.0.4", NULL, "SAME-SERIAL", "V1"));
    add(f->st, s1, camera("10.0.0.5", NULL, "000000", "V1"));
    add(f->st, s1, camera("10.0.0.6", NULL, "000000", "V1"));
    struct store_device_list list;
    assert_int_equal(store_scan_devices(f->st, s1, &list), 0);
    assert_int_equal(list.count, 6);
    for (size_t i = 0; i + 1 < list.count; i++)
        assert_int_not_equal(list.items[i].device_id, list.items[i + 1].device_id);
    store_device_list_free(&list);
    /* The next scan still finds each by its address. */
    int64_t s2 = begin_scan(f->st, "hq", 2000);
    add(f->st, s2, camera("10.0.0.2", "00:00:00:00:00:00", NULL, "V1"));
    add(f->st, s2, camera("10.0.0.6", NULL, "000000", "V1"));
    add(f->st, s2, camera("10.0.0.3", NULL, "SAME-SERIAL", "V1"));
    assert_int_equal(id_at(f->st, s1, "10.0.0.2"), id_at(f->st, s2, "10.0.0.2"));
    assert_int_equal(id_at(f->st, s1, "10.0.0.6"), id_at(f->st, s2, "10.0.0.6"));
    assert_int_equal(id_at(f->st, s1, "10.0.0.3"), id_at(f->st, s2, "10.0.0.3"));
    struct store_device_list inv;
    assert_int_equal(store_inventory(f->st, "hq", &inv), 0);
    assert_int_equal(inv.count, 6);
    store_device_list_free(&inv);
}

static void add_with_verdict(struct store *st, int64_t scan, const char *ip, const char *mac,
                             const char *firmware, const char *verdict)
{
    struct device *d = camera(ip, mac, NULL, firmware);
    device_add_finding(d, FINDING_RESTRICTION, "quebec", verdict, "test", NULL,
                       "https://example.org/quebec");
    add(st, scan, d);
}

static void test_diff(void **state)
{
    struct fixture *f = *state;
    int64_t a = begin_scan(f->st, "hq", 1000);
    add_with_verdict(f->st, a, "10.0.0.1", "02:00:00:00:00:01", "V1", "restricted");
    add_with_verdict(f->st, a, "10.0.0.2", "02:00:00:00:00:02", "V1", "restricted");
    add_with_verdict(f->st, a, "10.0.0.3", "02:00:00:00:00:03", "V1", "restricted");
    add_with_verdict(f->st, a, "10.0.0.4", "02:00:00:00:00:04", "V1", "restricted");
    int64_t b = begin_scan(f->st, "hq", 2000);
    add_with_verdict(f->st, b, "10.0.0.1", "02:00:00:00:00:01", "V1", "restricted"); /* same */
    add_with_verdict(f->st, b, "10.0.0.2", "02:00:00:00:00:02", "V2", "restricted"); /* fw */
    add_with_verdict(f->st, b, "10.0.0.33", "02:00:00:00:00:03", "V1", "unknown");   /* ip+v */
    add_with_verdict(f->st, b, "10.0.0.5", "02:00:00:00:00:05", "V1", "restricted"); /* new */
    struct scan_diff d;
    assert_int_equal(scan_diff_compute(f->st, a, b, &d), 0);
    size_t n[3] = {0};
    for (size_t i = 0; i < d.count; i++)
        n[d.entries[i].kind]++;
    assert_int_equal(n[DIFF_APPEARED], 1);
    assert_int_equal(n[DIFF_VANISHED], 1);
    assert_int_equal(n[DIFF_CHANGED], 2);
    assert_int_equal(d.unchanged, 1);
    for (size_t i = 0; i < d.count; i++) {
        const struct diff_entry *e = &d.entries[i];
        if (e->kind == DIFF_APPEARED)
            assert_string_equal(e->after->dev->ip, "10.0.0.5");
        if (e->kind == DIFF_VANISHED)
            assert_string_equal(e->before->dev->ip, "10.0.0.4");
        if (e->kind == DIFF_CHANGED && strcmp(e->after->dev->ip, "10.0.0.33") == 0) {
            assert_int_equal(e->change_count, 2);
            assert_string_equal(e->changes[0].field, "ip");
            assert_string_equal(e->changes[1].field, "verdict:quebec");
            assert_string_equal(e->changes[1].before, "restricted");
            assert_string_equal(e->changes[1].after, "unknown");
        }
        if (e->kind == DIFF_CHANGED && strcmp(e->after->dev->ip, "10.0.0.2") == 0) {
            assert_int_equal(e->change_count, 1);
            assert_string_equal(e->changes[0].field, "firmware");
        }
    }
    scan_diff_free(&d);
    assert_int_equal(scan_diff_compute(f->st, a, 999, &d), -1);
}

struct writer_job {
    struct store *st;
    int64_t scan;
    int thread;
};

static void *write_hosts(void *arg)
{
    struct writer_job *job = arg;
    for (int i = 0; i < 50; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "10.1.%d.%d", job->thread, i + 1);
        struct device *d = camera(ip, NULL, NULL, "V1");
        device_add_finding(d, FINDING_RESTRICTION, "quebec", "restricted", "t", NULL, NULL);
        if (store_add_host(job->st, job->scan, d, NULL, 0) != 0)
            job->thread = -1;
        device_free(d);
    }
    return NULL;
}

/* The scan engine stores hosts from several threads at once. */
static void test_threads_share_a_store(void **state)
{
    struct fixture *f = *state;
    int64_t scan = begin_scan(f->st, "hq", 1000);
    pthread_t threads[4];
    struct writer_job jobs[4];
    for (int t = 0; t < 4; t++) {
        jobs[t] = (struct writer_job){f->st, scan, t};
        assert_int_equal(pthread_create(&threads[t], NULL, write_hosts, &jobs[t]), 0);
    }
    for (int t = 0; t < 4; t++) {
        pthread_join(threads[t], NULL);
        assert_int_equal(jobs[t].thread, t);
    }
    assert_int_equal(store_scan_end(f->st, scan, 1001), 0);
    struct store_scan s;
    assert_int_equal(store_get_scan(f->st, scan, &s), 1);
    assert_int_equal(s.hosts, 200);
    assert_true(s.finished > 1000);
    store_scan_clear(&s);
    assert_int_equal(store_scan_restricted_count(f->st, scan), 200);
}

static char *render(const struct report *r, enum report_format format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_int_equal(report_write(r, format, out), 0);
    fclose(out);
    return buf;
}

static void test_report_counts_and_escaping(void **state)
{
    struct fixture *f = *state;
    int64_t old = begin_scan(f->st, "hq", 1000);
    add_with_verdict(f->st, old, "10.0.0.1", "02:00:00:00:00:01", "V1", "restricted");
    add_with_verdict(f->st, old, "10.0.0.2", "02:00:00:00:00:02", "V1", "restricted");
    int64_t now = begin_scan(f->st, "hq", 2000);
    add_with_verdict(f->st, now, "10.0.0.1", "02:00:00:00:00:01", "V1", "restricted");
    struct device *evil = camera("10.0.0.9", NULL, NULL, "<script>alert(1)</script>");
    device_set(&evil->model, "\"><img src=x onerror=alert(1)>");
    device_add_finding(evil, FINDING_VULNERABILITY, "CVE-2021-36260", "vulnerable", "range",
                       "critical", "javascript:alert(2)");
    device_add_finding(evil, FINDING_PHONE_HOME, "hik-connect", "phone_home", "dns", NULL, NULL);
    add(f->st, now, evil);

    struct report_scope scope = {.site = "hq"};
    struct report *r = report_build(f->st, &scope, NULL, 0);
    assert_non_null(r);
    assert_int_equal(r->site_count, 1);
    assert_int_equal(r->sites[0].scan.id, now);
    assert_int_equal(r->totals.devices, 2);
    assert_int_equal(r->totals.restricted, 1);
    assert_int_equal(r->totals.vulnerable, 1);
    assert_int_equal(r->totals.phone_home, 1);
    assert_int_equal(r->policy_count, 1);
    assert_string_equal(r->policies[0].source, "https://example.org/quebec");
    assert_int_equal(r->sites[0].history.count, 2);
    assert_int_equal(r->sites[0].restricted_history[0], 2);
    assert_int_equal(r->sites[0].restricted_history[1], 1);
    assert_int_equal(r->sites[0].change.previous_scan, old);
    assert_int_equal(r->sites[0].change.appeared, 1); /* the hostile one */
    assert_int_equal(r->sites[0].change.vanished, 1); /* 10.0.0.2 */
    assert_int_equal(r->sites[0].change.vanished_restricted, 1);
    assert_int_equal(r->sites[0].change.changed, 0);

    char *html = render(r, REPORT_HTML);
    assert_null(strstr(html, "<script>alert"));
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "href=\"javascript"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "data-count=\"restricted\"><span class=\"num\">1</span>"));
    free(html);
    char *csv = render(r, REPORT_CSV);
    assert_non_null(strstr(csv, "verdict_quebec"));
    assert_non_null(strstr(csv, "\"\"\"><img src=x onerror=alert(1)>\""));
    free(csv);
    report_free(r);

    scope = (struct report_scope){.scan_id = 777};
    assert_null(report_build(f->st, &scope, NULL, 0));
}

static char *captured(void (*put)(FILE *, const char *), const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    put(out, s);
    fclose(out);
    return buf;
}

static void test_escaping(void **state)
{
    (void)state;
    char *s = captured(html_put, "<a href='x'>&\"</a>");
    assert_string_equal(s, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    free(s);
    s = captured(csv_put, "=cmd|' /C calc'!A0");
    assert_string_equal(s, "\"'=cmd|' /C calc'!A0\"");
    free(s);
    s = captured(csv_put, "say \"hi\", ok");
    assert_string_equal(s, "\"say \"\"hi\"\", ok\"");
    free(s);
    s = captured(md_put, "a|b<i>\nc");
    assert_string_equal(s, "a\\|b&lt;i&gt; c");
    free(s);
    s = terminal_safe("x\x1b[31my\xc2\x9bz");
    assert_string_equal(s, "x?[31my??z");
    free(s);
    /* A raw C1 byte (CSI on ISO-8859 terminals) and other non-UTF-8 bytes
     * go; valid characters whose bytes look like C1 (the dash E2 80 94) stay. */
    s = terminal_safe("a\x9b"
                      "31mb\xe2\x80\x94"
                      "c\xff\xed\xa0\x80");
    assert_string_equal(s, "a?31mb\xe2\x80\x94"
                           "c????");
    free(s);
    s = terminal_clip("V4.02.R11.24340142.10001", 10);
    assert_string_equal(s, "V4.02.R11~");
    free(s);
    s = terminal_clip("caf\xc3\xa9s", 5); /* never half an é */
    assert_string_equal(s, "caf~");
    free(s);
    s = terminal_safe(NULL);
    assert_string_equal(s, "-");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrations_from_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_older_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity_across_address_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_written_twice_keeps_last_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_identifiers_do_not_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads_share_a_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_counts_and_escaping, setup, teardown),
        cmocka_unit_test(test_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
