/* cmd_diff.c — `camaudit diff`: what changed between two scans of a site:
 * devices that appeared, vanished, or changed address, firmware, identity
 * or verdict. Without scan ids: the last two scans of the site. */
#include "cli/commands.h"
#include "cli/store_options.h"
#include "core/log.h"
#include "report/escape.h"
#include "store/diff.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void diff_usage(FILE *out)
{
    fprintf(out,
            "usage: camaudit diff [--site S] [--json] [SCAN_A [SCAN_B]]\n"
            "Shows devices that appeared, vanished or changed (address, firmware,\n"
            "manufacturer, model, verdict) from SCAN_A to SCAN_B. Without SCAN_B:\n"
            "the newest scan of SCAN_A's site; without both: the last two scans of\n"
            "the site (--site, else the site of the newest scan).\n"
            "  --json            one JSON object instead of text\n%s",
            STORE_OPTIONS_HELP);
}

static int parse_scan_id(const char *text, int64_t *out)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || v <= 0) {
        log_error("bad scan id '%s' (see 'camaudit scans')", text);
        return -1;
    }
    *out = v;
    return 0;
}

/* Fills in the scans the user left out. */
static int default_scans(struct store *st, const char *site, int64_t ids[2], int given)
{
    struct store_scan scan;
    if (given == 1) {
        if (store_get_scan(st, ids[0], &scan) != 1) {
            log_error("no scan %lld in the store (see 'camaudit scans')", (long long)ids[0]);
            return -1;
        }
        struct store_scan latest;
        int found = store_latest_scan(st, scan.site, &latest);
        ids[1] = found == 1 ? latest.id : ids[0];
        if (found == 1)
            store_scan_clear(&latest);
        store_scan_clear(&scan);
        return 0;
    }
    if (store_latest_scan(st, site, &scan) != 1) {
        log_error("no scans in the store%s%s", site ? " for site " : "", site ? site : "");
        return -1;
    }
    struct store_scan_list list = {0};
    int rc = store_list_scans(st, scan.site, &list);
    if (rc == 0 && list.count < 2) {
        char *safe = terminal_safe(scan.site);
        log_error("site '%s' has only one scan: nothing to compare", safe);
        free(safe);
        rc = -1;
    }
    if (rc == 0 && list.count >= 2) {
        ids[0] = list.items[list.count - 2].id;
        ids[1] = list.items[list.count - 1].id;
    }
    if (list.items)
        store_scan_list_free(&list);
    store_scan_clear(&scan);
    return rc;
}

static void print_entry(const struct diff_entry *e)
{
    static const char marks[] = {'+', '-', '~'};
    const struct device *d = (e->after ? e->after : e->before)->dev;
    char *ip = terminal_safe(d->ip), *maker = terminal_safe(d->manufacturer),
         *model = terminal_safe(d->model);
    printf("%c %-9s #%-5lld %-15s %s %s", marks[e->kind], diff_kind_name(e->kind),
           (long long)e->device_id, ip, maker, model);
    for (size_t c = 0; c < e->change_count; c++) {
        char *field = terminal_safe(e->changes[c].field),
             *before = terminal_safe(e->changes[c].before),
             *after = terminal_safe(e->changes[c].after);
        printf("%s %s %s -> %s", c ? ";" : ":", field, before, after);
        free(field);
        free(before);
        free(after);
    }
    putchar('\n');
    free(ip);
    free(maker);
    free(model);
}

static void print_diff(const struct scan_diff *d)
{
    char a[32], b[32];
    store_short_time(d->scan_a.started, a, sizeof a);
    store_short_time(d->scan_b.started, b, sizeof b);
    char *site_a = terminal_safe(d->scan_a.site), *site_b = terminal_safe(d->scan_b.site);
    printf("scan %lld (%s, %s) -> scan %lld (%s, %s)\n", (long long)d->scan_a.id, site_a, a,
           (long long)d->scan_b.id, site_b, b);
    free(site_a);
    free(site_b);
    size_t n[3] = {0};
    for (size_t i = 0; i < d->count; i++) {
        n[d->entries[i].kind]++;
        print_entry(&d->entries[i]);
    }
    printf("%zu appeared, %zu vanished, %zu changed, %zu unchanged\n", n[DIFF_APPEARED],
           n[DIFF_VANISHED], n[DIFF_CHANGED], d->unchanged);
}

int cmd_diff(int argc, char **argv)
{
    struct store_options so = {0};
    int as_json = 0, given = 0;
    int64_t ids[2] = {0, 0};
    for (int i = 1; i < argc; i++) {
        int used = store_options_consume(&so, argc, argv, &i);
        if (used < 0)
            return EXIT_USAGE;
        if (used)
            continue;
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            diff_usage(stdout);
            return EXIT_OK;
        } else if (argv[i][0] == '-' || given == 2) {
            log_error("unexpected argument '%s' for 'diff'", argv[i]);
            return EXIT_USAGE;
        } else if (parse_scan_id(argv[i], &ids[given++]) != 0) {
            return EXIT_USAGE;
        }
    }
    struct store *st = store_options_open(&so);
    if (!st)
        return EXIT_FAILURE_RUNTIME;
    struct scan_diff d;
    int rc = EXIT_USAGE;
    if ((given == 2 || default_scans(st, so.site, ids, given) == 0) &&
        scan_diff_compute(st, ids[0], ids[1], &d) == 0) {
        if (as_json) {
            json_t *j = scan_diff_to_json(&d);
            json_dumpf(j, stdout, JSON_INDENT(2));
            putchar('\n');
            json_decref(j);
        } else {
            print_diff(&d);
        }
        scan_diff_free(&d);
        rc = EXIT_OK;
    }
    store_close(st);
    return rc;
}
