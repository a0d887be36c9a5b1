/* cmd_report.c — `camaudit report`: renders a scan (or the latest scan of a
 * site, or of every site) from the inventory as HTML, JSON, CSV or Markdown.
 * With --fail-on, exits 3 when restricted or vulnerable devices are in the
 * report, so automation can gate on it. */
#include "cli/commands.h"
#include "cli/policy_options.h"
#include "cli/store_options.h"
#include "core/log.h"
#include "core/util.h"
#include "policy/policy.h"
#include "report/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct report_args {
    struct store_options store;
    struct report_scope scope;
    enum report_format format;
    int format_given;
    const char *output; /* NULL or "-": stdout */
    struct fail_on fail_on;
    struct policy_options policy;
    int policy_given;
};

static void report_usage(FILE *out)
{
    fprintf(out,
            "usage: camaudit report [--scan ID | --site S] [--format html|json|csv|md]\n"
            "                       [-o FILE] [--fail-on restricted|vulnerable] [--db SPEC]\n"
            "Writes a report of one scan, the latest scan of a site, or (neither given)\n"
            "the latest scan of every site.\n"
            "  --scan ID         the scan to report (see 'camaudit scans')\n"
            "  --format F        html (default, or from -o's extension), json, csv, md\n"
            "  -o FILE           where to write it (default: standard output)\n"
            "%sRestriction lists are described from these (default: every shipped list):\n"
            "%s%s",
            FAIL_ON_HELP, POLICY_OPTIONS_HELP, STORE_OPTIONS_HELP);
}

static int parse_value(struct report_args *a, const char *opt, const char *value)
{
    if (strcmp(opt, "--scan") == 0) {
        char *end;
        long long id = strtoll(value, &end, 10);
        if (!*value || *end || id <= 0) {
            log_error("bad scan id '%s' (see 'camaudit scans')", value);
            return -1;
        }
        a->scope.scan_id = id;
    } else if (strcmp(opt, "--format") == 0) {
        if (report_format_parse(value, &a->format) != 0) {
            log_error("unknown report format '%s' (html, json, csv, md)", value);
            return -1;
        }
        a->format_given = 1;
    } else {
        a->output = value; /* -o, --output */
    }
    return 0;
}

static int takes_value(const char *opt)
{
    static const char *const names[] = {"--scan", "--format", "-o", "--output"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(opt, names[i]) == 0)
            return 1;
    return 0;
}

/* The format -o's extension implies, when --format is not given. */
static void format_from_output(struct report_args *a)
{
    const char *dot = a->output ? strrchr(a->output, '.') : NULL;
    if (!a->format_given && dot && report_format_parse(dot + 1, &a->format) != 0 &&
        strcmp(dot + 1, "htm") != 0 && strcmp(dot + 1, "markdown") != 0)
        a->format = REPORT_HTML;
    if (!a->format_given && dot && strcmp(dot + 1, "markdown") == 0)
        a->format = REPORT_MD;
}

static int parse_report_args(int argc, char **argv, struct report_args *a)
{
    for (int i = 1; i < argc; i++) {
        int used = store_options_consume(&a->store, argc, argv, &i);
        if (used == 0) {
            used = policy_options_consume(&a->policy, argc, argv, &i);
            a->policy_given |= used > 0;
        }
        if (used == 0)
            used = fail_on_consume(&a->fail_on, argc, argv, &i);
        if (used < 0)
            return -1;
        if (used)
            continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            report_usage(stdout);
            return 1;
        }
        if (!takes_value(argv[i])) {
            log_error("unknown argument '%s' for 'report'", argv[i]);
            return -1;
        }
        if (i + 1 >= argc) {
            log_error("option '%s' needs a value", argv[i]);
            return -1;
        }
        if (parse_value(a, argv[i], argv[i + 1]) != 0)
            return -1;
        i++;
    }
    if (a->scope.scan_id && a->store.site) {
        log_error("give --scan or --site, not both");
        return -1;
    }
    a->scope.site = a->store.site;
    format_from_output(a);
    return 0;
}

static int write_stream(const struct report *r, enum report_format format, FILE *out,
                        const char *name)
{
    if (report_write(r, format, out) == 0 && fflush(out) == 0)
        return 0;
    log_error("cannot write '%s': %s", name, strerror(errno));
    return -1;
}

/* Something that exists and is not a regular file (/dev/null, a pipe): it
 * must be written in place, never replaced. */
static int is_special_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
}

static int write_in_place(const struct report *r, const struct report_args *a)
{
    FILE *out = fopen(a->output, "w");
    if (!out) {
        log_error("cannot write '%s': %s", a->output, strerror(errno));
        return -1;
    }
    int rc = write_stream(r, a->format, out, a->output);
    fclose(out);
    return rc;
}

/* A regular file is written to a temporary file renamed into place: no
 * half-written report is ever seen under the name. */
static int write_output(const struct report *r, const struct report_args *a)
{
    if (!a->output || strcmp(a->output, "-") == 0)
        return write_stream(r, a->format, stdout, "standard output");
    if (is_special_file(a->output))
        return write_in_place(r, a);
    char *tmp = xasprintf("%s.XXXXXX", a->output);
    int fd = mkstemp(tmp);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    int rc = -1;
    if (!out) {
        log_error("cannot write '%s': %s", a->output, strerror(errno));
        if (fd >= 0)
            close(fd);
    } else {
        rc = write_stream(r, a->format, out, a->output);
        fchmod(fd, 0644);
        if (fclose(out) != 0 && rc == 0) {
            log_error("cannot write '%s': %s", a->output, strerror(errno));
            rc = -1;
        }
        if (rc == 0 && rename(tmp, a->output) != 0) {
            log_error("cannot write '%s': %s", a->output, strerror(errno));
            rc = -1;
        }
    }
    if (rc != 0 && fd >= 0)
        unlink(tmp);
    free(tmp);
    if (rc == 0)
        log_info("report written to %s", a->output);
    return rc;
}

/* The policy set describing the lists: the one the user named (an error in
 * it is theirs: NULL), else every shipped list, without which the findings'
 * own sources are shown (a warning, not a failure). */
static int load_policies(const struct report_args *a, struct policy_set **out)
{
    *out = NULL;
    if (a->policy_given) {
        *out = policy_options_load(&a->policy);
        return *out ? 0 : -1;
    }
    char err[1024];
    *out = policy_set_load(NULL, NULL, 0, err, sizeof err);
    if (!*out)
        log_warn("restriction lists not described: %s", err);
    return 0;
}

/* The report, its lists described by the policy set (names, authority,
 * instrument, date, scope, sources). */
static struct report *build_with_policies(struct store *st, const struct report_args *a,
                                          const struct policy_set *ps)
{
    size_t n = ps ? policy_set_count(ps) : 0;
    struct report_policy_meta *meta = xcalloc(n + 1, sizeof *meta);
    for (size_t i = 0; i < n; i++) {
        const struct policy_list *l = policy_set_get(ps, i);
        meta[i] = (struct report_policy_meta){l->id,        l->name,       l->jurisdiction,
                                              l->authority, l->instrument, l->effective_date,
                                              l->scope,     l->source};
    }
    struct report *r = report_build(st, &a->scope, meta, n);
    free(meta);
    return r;
}

int cmd_report(int argc, char **argv)
{
    struct report_args a = {.format = REPORT_HTML};
    policy_options_init(&a.policy);
    int parsed = parse_report_args(argc, argv, &a);
    if (parsed != 0)
        return parsed > 0 ? EXIT_OK : EXIT_USAGE;
    struct policy_set *ps;
    if (load_policies(&a, &ps) != 0)
        return EXIT_USAGE;
    struct store *st = store_options_open(&a.store);
    if (!st) {
        policy_set_free(ps);
        return EXIT_FAILURE_RUNTIME;
    }
    struct report *r = build_with_policies(st, &a, ps);
    store_close(st);
    policy_set_free(ps);
    if (!r)
        return a.scope.scan_id || a.scope.site ? EXIT_USAGE : EXIT_FAILURE_RUNTIME;
    int rc = write_output(r, &a) == 0 ? EXIT_OK : EXIT_FAILURE_RUNTIME;
    if (rc == EXIT_OK && fail_on_hit(&a.fail_on, r->totals.restricted, r->totals.vulnerable)) {
        log_info("--fail-on: %zu restricted, %zu vulnerable devices", r->totals.restricted,
                 r->totals.vulnerable);
        rc = EXIT_POLICY_HIT;
    }
    report_free(r);
    return rc;
}
