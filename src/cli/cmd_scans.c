/* cmd_scans.c — `camaudit scans`: the scans in the inventory, oldest first,
 * with their site, time, host count and scope. */
#include "cli/commands.h"
#include "cli/store_options.h"
#include "core/log.h"
#include "core/util.h"
#include "report/escape.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void scans_usage(FILE *out)
{
    fprintf(out,
            "usage: camaudit scans [--site S] [--json] [--db SPEC]\n"
            "Lists the scans stored in the inventory, oldest first.\n"
            "  --json            one JSON array instead of a table\n%s",
            STORE_OPTIONS_HELP);
}

static json_t *scan_to_json(const struct store_scan *s)
{
    char started[32], finished[32];
    time_format_rfc3339(s->started, started, sizeof started);
    time_format_rfc3339(s->finished, finished, sizeof finished);
    return json_pack("{s:I, s:s?, s:s, s:s?, s:I, s:s?, s:s?, s:s?, s:s?}", "id", (json_int_t)s->id,
                     "site", s->site, "started", started, "finished",
                     s->finished > 0 ? finished : NULL, "hosts", (json_int_t)s->hosts, "targets",
                     s->targets, "options", s->options, "command", s->command, "operator",
                     s->operator_name);
}

static void print_scan_row(const struct store_scan *s)
{
    char started[32], finished[32];
    store_short_time(s->started, started, sizeof started);
    store_short_time(s->finished, finished, sizeof finished);
    char *site = terminal_safe(s->site), *cmd = terminal_safe(s->command),
         *targets = terminal_safe(s->targets);
    printf("%-5lld %-16s %-19s  %-19s  %6lld  %-8s %s\n", (long long)s->id, site, started, finished,
           (long long)s->hosts, cmd, targets);
    free(site);
    free(cmd);
    free(targets);
}

int cmd_scans(int argc, char **argv)
{
    struct store_options so = {0};
    int as_json = 0;
    for (int i = 1; i < argc; i++) {
        int used = store_options_consume(&so, argc, argv, &i);
        if (used < 0)
            return EXIT_USAGE;
        if (used)
            continue;
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            scans_usage(stdout);
            return EXIT_OK;
        } else {
            log_error("unknown argument '%s' for 'scans'", argv[i]);
            return EXIT_USAGE;
        }
    }
    struct store *st = store_options_open(&so);
    struct store_scan_list list;
    if (!st || store_list_scans(st, so.site, &list) != 0) {
        store_close(st);
        return EXIT_FAILURE_RUNTIME;
    }
    if (as_json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < list.count; i++)
            json_array_append_new(arr, scan_to_json(&list.items[i]));
        json_dumpf(arr, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(arr);
    } else {
        printf("%-5s %-16s %-19s  %-19s  %6s  %-8s %s\n", "ID", "SITE", "STARTED (UTC)", "FINISHED",
               "HOSTS", "COMMAND", "TARGETS");
        for (size_t i = 0; i < list.count; i++)
            print_scan_row(&list.items[i]);
    }
    store_scan_list_free(&list);
    store_close(st);
    return EXIT_OK;
}
