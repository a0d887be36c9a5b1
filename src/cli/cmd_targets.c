/* cmd_targets.c — `camaudit targets`: expands target specifications in scan
 * order without sending anything, or counts them. Useful to check a scope
 * file before a scan, and the simplest user of the target walker. */
#include "cli/commands.h"
#include "cli/target_options.h"
#include "core/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void targets_usage(FILE *out)
{
    fprintf(out,
            "usage: camaudit targets [--count] [options] TARGETS...\n"
            "Lists the addresses a scan would visit, in scan order, sending nothing.\n"
            "  --count           print only how many addresses there are\n%s",
            TARGET_OPTIONS_HELP);
}

int cmd_targets(int argc, char **argv)
{
    struct target_options opts;
    target_options_init(&opts);
    int rc = EXIT_OK;
    int count_only = 0;
    for (int i = 1; i < argc; i++) {
        int used = target_options_consume(&opts, argc, argv, &i);
        if (used < 0) {
            rc = EXIT_USAGE;
            goto done;
        }
        if (used)
            continue;
        if (strcmp(argv[i], "--count") == 0) {
            count_only = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            targets_usage(stdout);
            goto done;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            log_error("unknown option '%s' for 'targets'", argv[i]);
            rc = EXIT_USAGE;
            goto done;
        } else if (target_options_add_positional(&opts, argv[i]) != 0) {
            rc = EXIT_USAGE;
            goto done;
        }
    }
    if (!opts.any_target) {
        targets_usage(stderr);
        rc = EXIT_USAGE;
        goto done;
    }
    uint64_t total = target_set_count(opts.set);
    if (total >= TARGETS_MAX_COUNT) {
        log_error("too many targets: more than %" PRIu64 " addresses", TARGETS_MAX_COUNT);
        rc = EXIT_USAGE;
        goto done;
    }
    if (count_only) {
        printf("%" PRIu64 "\n", total);
        goto done;
    }
    struct target_iter *it =
        target_iter_new(opts.set, opts.seed, opts.shard_index, opts.shard_count);
    struct target_addr addr;
    char text[64];
    while (target_iter_next(it, &addr)) {
        target_addr_format(&addr, text, sizeof text);
        puts(text);
    }
    target_iter_free(it);
done:
    target_options_free(&opts);
    return rc;
}
