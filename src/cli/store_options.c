/* store_options.c — shared parsing of --db and --site; see store_options.h. */
#include "cli/store_options.h"

#include "core/log.h"
#include "core/util.h"

#include <stdio.h>

#include <string.h>

const char STORE_OPTIONS_HELP[] =
    "  --db SPEC         inventory: an SQLite file or postgresql://... URI\n"
    "                    (default $XDG_DATA_HOME/camaudit/inventory.db)\n"
    "  --site NAME       the site (one database holds many sites)\n";

int store_options_consume(struct store_options *opts, int argc, char **argv, int *i)
{
    const char *name = argv[*i];
    const char **slot = strcmp(name, "--db") == 0     ? &opts->db
                        : strcmp(name, "--site") == 0 ? &opts->site
                                                      : NULL;
    if (!slot)
        return 0;
    if (*i + 1 >= argc || !argv[*i + 1][0]) {
        log_error("option '%s' needs a value", name);
        return -1;
    }
    *slot = argv[++*i];
    return 1;
}

struct store *store_options_open(const struct store_options *opts)
{
    char err[1024];
    struct store *st = store_open(opts->db, err, sizeof err);
    if (!st)
        log_error("%s", err);
    return st;
}

void store_short_time(double t, char *buf, size_t size)
{
    if (t <= 0) {
        snprintf(buf, size, "incomplete");
        return;
    }
    char full[32];
    time_format_rfc3339(t, full, sizeof full);
    full[10] = ' ';
    full[19] = '\0';
    snprintf(buf, size, "%s", full);
}
