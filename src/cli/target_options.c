/* target_options.c — shared parsing of target options; see target_options.h. */
#include "cli/target_options.h"

#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char TARGET_OPTIONS_HELP[] =
    "  TARGETS           addresses, CIDR blocks, ranges (a.b.c.d-e.f.g.h), host names\n"
    "  -iL FILE          read targets from FILE ('-' for stdin)\n"
    "  --exclude LIST    comma-separated targets never to touch\n"
    "  --exclude-file F  exclusions from a file\n"
    "  --seed N          fixed random order (same seed, same order)\n"
    "  --shard I/N       walk only shard I of N (0-based)\n";

void target_options_init(struct target_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->set = target_set_new();
    opts->shard_count = 1;
}

void target_options_free(struct target_options *opts)
{
    target_set_free(opts->set);
    opts->set = NULL;
}

static const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        log_error("option '%s' needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

static int add_list(struct target_options *opts, const char *list, bool exclude)
{
    char *copy = strdup(list), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        char err[512];
        rc = exclude ? target_set_exclude(opts->set, tok, err, sizeof err)
                     : target_set_add(opts->set, tok, err, sizeof err);
        if (rc)
            log_error("%s", err);
    }
    free(copy);
    return rc;
}

int target_options_add_positional(struct target_options *opts, const char *spec)
{
    opts->any_target = true;
    return add_list(opts, spec, false);
}

int target_options_consume(struct target_options *opts, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *value;
    char err[512];
    if (strcmp(arg, "-iL") == 0 || strcmp(arg, "--targets-file") == 0) {
        if (!(value = option_value(argc, argv, i)))
            return -1;
        opts->any_target = true;
        if (target_set_add_file(opts->set, value, err, sizeof err)) {
            log_error("%s", err);
            return -1;
        }
        return 1;
    }
    if (strcmp(arg, "--exclude") == 0) {
        if (!(value = option_value(argc, argv, i)))
            return -1;
        return add_list(opts, value, true) ? -1 : 1;
    }
    if (strcmp(arg, "--exclude-file") == 0) {
        if (!(value = option_value(argc, argv, i)))
            return -1;
        if (target_set_exclude_file(opts->set, value, err, sizeof err)) {
            log_error("%s", err);
            return -1;
        }
        return 1;
    }
    if (strcmp(arg, "--seed") == 0) {
        if (!(value = option_value(argc, argv, i)))
            return -1;
        char *end;
        errno = 0;
        opts->seed = strtoull(value, &end, 10);
        if (errno || *end || !*value) {
            log_error("invalid seed '%s': expected a whole number", value);
            return -1;
        }
        return 1;
    }
    if (strcmp(arg, "--shard") == 0) {
        if (!(value = option_value(argc, argv, i)))
            return -1;
        unsigned idx, count;
        char extra;
        if (sscanf(value, "%u/%u%c", &idx, &count, &extra) != 2 || count == 0 || idx >= count) {
            log_error("invalid shard '%s': expected I/N with 0 <= I < N", value);
            return -1;
        }
        opts->shard_index = idx;
        opts->shard_count = count;
        return 1;
    }
    return 0;
}
