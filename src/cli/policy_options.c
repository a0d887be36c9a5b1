/* policy_options.c — --policy and --policy-file, shared by the commands
 * that evaluate policies; see policy_options.h. */
#include "cli/policy_options.h"

#include "core/log.h"

#include "core/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char POLICY_OPTIONS_HELP[] =
    "  --policy LIST        restriction lists to apply, e.g. quebec,us-fcc\n"
    "                       (default: every shipped list; see 'camaudit policies')\n"
    "  --policy-file FILE   add your own restriction list (docs/POLICIES.md); repeatable\n";

void policy_options_init(struct policy_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

int policy_options_consume(struct policy_options *opts, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    bool is_list = strcmp(arg, "--policy") == 0, is_file = strcmp(arg, "--policy-file") == 0;
    if (!is_list && !is_file)
        return 0;
    if (*i + 1 >= argc || argv[*i + 1][0] == '\0') {
        log_error("option '%s' needs a value", arg);
        return -1;
    }
    const char *value = argv[++*i];
    if (is_list) {
        opts->selection = value;
        return 1;
    }
    if (opts->file_count >= POLICY_OPTIONS_MAX_FILES) {
        log_error("too many --policy-file options (at most %d)", POLICY_OPTIONS_MAX_FILES);
        return -1;
    }
    opts->files[opts->file_count++] = value;
    return 1;
}

struct policy_set *policy_options_load(const struct policy_options *opts)
{
    char err[1024];
    struct policy_set *ps =
        policy_set_load(opts->selection, opts->files, opts->file_count, err, sizeof err);
    if (!ps)
        log_error("%s", err);
    return ps;
}

const char FAIL_ON_HELP[] =
    "  --fail-on LIST       exit 3 when restricted and/or vulnerable devices are found\n";

int fail_on_consume(struct fail_on *f, int argc, char **argv, int *i)
{
    if (strcmp(argv[*i], "--fail-on") != 0)
        return 0;
    if (*i + 1 >= argc) {
        log_error("option '--fail-on' needs a value (restricted, vulnerable)");
        return -1;
    }
    char *copy = xstrdup(argv[++*i]), *save = NULL;
    int rc = 1;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "restricted") == 0) {
            f->restricted = true;
        } else if (strcmp(tok, "vulnerable") == 0) {
            f->vulnerable = true;
        } else {
            log_error("bad value '%s' for --fail-on (restricted, vulnerable)", tok);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

bool fail_on_hit(const struct fail_on *f, size_t restricted, size_t vulnerable)
{
    return (f->restricted && restricted) || (f->vulnerable && vulnerable);
}
