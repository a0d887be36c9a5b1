/* cmd_fingerprints.c — `camaudit fingerprints verify [DIR|FILE...]`: loads
 * Recog-format fingerprint databases and checks every <example> (the pattern
 * matches, the params give the values the example states). With no argument
 * it checks the project's own fingerprints/. */
#include "cli/commands.h"
#include "core/log.h"
#include "core/util.h"
#include "identify/fpdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void fingerprints_usage(FILE *out)
{
    fprintf(out, "usage: camaudit fingerprints verify [--min-pass PERCENT] [-q] [DIR|FILE...]\n"
                 "Checks every <example> of Recog-format fingerprint files (default: the\n"
                 "project's fingerprints/ folder) and prints how many pass.\n"
                 "  --min-pass P   succeed when at least P%% of examples pass (default 100)\n"
                 "  -q             do not list each failing example\n");
}

static int load_path(struct fp_set *set, const char *path)
{
    char err[512];
    struct stat sb;
    int rc = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)
                 ? fp_set_load_dir(set, path, true, err, sizeof err)
                 : fp_set_load_file(set, path, true, err, sizeof err);
    if (rc < 0)
        log_error("%s", err);
    return rc;
}

static int verify(char **paths, int count, double min_pass, bool quiet)
{
    struct fp_set *set = fp_set_new();
    char *fallback = NULL;
    int rc = EXIT_OK;
    if (count == 0) {
        fallback = data_path("fingerprints");
        paths = &fallback;
        count = 1;
    }
    for (int i = 0; i < count; i++)
        if (load_path(set, paths[i]) < 0) {
            rc = EXIT_USAGE;
            goto done;
        }
    fp_set_finalize(set);
    struct fp_verify_counts c;
    fp_set_verify(set, quiet ? NULL : stdout, &c);
    double pct = c.examples ? 100.0 * (double)c.passed / (double)c.examples : 100.0;
    printf("fingerprints verify: %zu files, %zu fingerprints, %zu bad patterns, "
           "%zu examples: %zu passed, %zu failed (%.2f%% pass)\n",
           fp_set_database_count(set), c.fingerprints, c.bad_patterns, c.examples, c.passed,
           c.failed, pct);
    if (pct < min_pass || (min_pass >= 100.0 && (c.failed || c.bad_patterns)))
        rc = EXIT_FAILURE_RUNTIME;
done:
    free(fallback);
    fp_set_free(set);
    return rc;
}

int cmd_fingerprints(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fingerprints_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "verify") != 0) {
        log_error("unknown 'fingerprints' action '%s' (see 'camaudit fingerprints --help')",
                  argv[1]);
        return EXIT_USAGE;
    }
    double min_pass = 100.0;
    bool quiet = false;
    char **paths = xcalloc((size_t)argc, sizeof *paths);
    int count = 0;
    int rc = EXIT_OK;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--min-pass") == 0 && i + 1 < argc) {
            char *end;
            min_pass = strtod(argv[++i], &end);
            if (*end || min_pass < 0 || min_pass > 100) {
                log_error("--min-pass wants a percentage from 0 to 100, not '%s'", argv[i]);
                rc = EXIT_USAGE;
                goto done;
            }
        } else if (strcmp(argv[i], "-q") == 0) {
            quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            log_error("unknown option '%s' for 'fingerprints verify'", argv[i]);
            rc = EXIT_USAGE;
            goto done;
        } else {
            paths[count++] = argv[i];
        }
    }
    rc = verify(paths, count, min_pass, quiet);
done:
    free(paths);
    return rc;
}
