/* cmd_devices.c — `camaudit devices`: the inventory, each device in its
 * latest known state, optionally only those a restriction list names. */
#include "cli/commands.h"
#include "cli/store_options.h"
#include "cli/table.h"
#include "core/log.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void devices_usage(FILE *out)
{
    fprintf(out,
            "usage: camaudit devices [--restricted] [--site S] [--json] [--db SPEC]\n"
            "Lists the inventory: every device in its latest known state.\n"
            "  --restricted      only devices a restriction list names\n"
            "  --json            JSON lines (the device form, plus device_id, site, scan_id)\n%s",
            STORE_OPTIONS_HELP);
}

static void print_json_line(const struct store_device *sd)
{
    json_t *j = device_to_json(sd->dev);
    json_object_set_new(j, "device_id", json_integer(sd->device_id));
    json_object_set_new(j, "site", json_string(sd->site ? sd->site : ""));
    json_object_set_new(j, "scan_id", json_integer(sd->scan_id));
    json_dumpf(j, stdout, JSON_COMPACT);
    putchar('\n');
    json_decref(j);
}

/* The table's columns; the last (lists) is never cut. */
static const int device_columns[] = {5, 12, 15, 17, 12, 20, 22, 5, 19, 0};
#define DEVICE_COLUMN_COUNT (sizeof device_columns / sizeof device_columns[0])

static void print_row(const struct store_device *sd)
{
    const struct device *d = sd->dev;
    char *lists = device_restricted_lists(d);
    char seen[32], id[24];
    store_short_time(sd->seen, seen, sizeof seen);
    snprintf(id, sizeof id, "%lld", (long long)sd->device_id);
    const char *const cells[DEVICE_COLUMN_COUNT] = {id,
                                                    sd->site,
                                                    d->ip,
                                                    d->mac,
                                                    d->manufacturer,
                                                    d->model,
                                                    d->firmware,
                                                    device_is_vulnerable(d) ? "yes" : "no",
                                                    seen,
                                                    lists};
    table_row(stdout, device_columns, DEVICE_COLUMN_COUNT, cells);
    free(lists);
}

int cmd_devices(int argc, char **argv)
{
    struct store_options so = {0};
    int as_json = 0, restricted_only = 0;
    for (int i = 1; i < argc; i++) {
        int used = store_options_consume(&so, argc, argv, &i);
        if (used < 0)
            return EXIT_USAGE;
        if (used)
            continue;
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strcmp(argv[i], "--restricted") == 0) {
            restricted_only = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            devices_usage(stdout);
            return EXIT_OK;
        } else {
            log_error("unknown argument '%s' for 'devices'", argv[i]);
            return EXIT_USAGE;
        }
    }
    struct store *st = store_options_open(&so);
    struct store_device_list list;
    if (!st || store_inventory(st, so.site, &list) != 0) {
        store_close(st);
        return EXIT_FAILURE_RUNTIME;
    }
    if (!as_json)
        table_row(stdout, device_columns, DEVICE_COLUMN_COUNT,
                  (const char *const[]){"ID", "SITE", "IP", "MAC", "MANUFACTURER", "MODEL",
                                        "FIRMWARE", "VULN", "LAST SEEN (UTC)", "RESTRICTED BY"});
    for (size_t i = 0; i < list.count; i++) {
        if (restricted_only && !device_is_restricted(list.items[i].dev, NULL))
            continue;
        if (as_json)
            print_json_line(&list.items[i]);
        else
            print_row(&list.items[i]);
    }
    store_device_list_free(&list);
    store_close(st);
    return EXIT_OK;
}
