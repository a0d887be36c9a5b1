/* cmd_scan.c — `camaudit scan`: the active scan. Parses options, runs the
 * engine (core/engine.h) over the targets, and for each finished host:
 * identify_host (identify/identify.h), policy_evaluate (policy/policy.h),
 * store_add_host (store/store.h, unless --no-store), then a table row or a
 * device JSON line; --observations keeps the raw observations. Progress goes
 * to stderr when it is a terminal; one summary line is always printed. */
#include "cli/commands.h"
#include "cli/policy_options.h"
#include "cli/table.h"
#include "cli/store_options.h"
#include "cli/target_options.h"
#include "core/engine.h"
#include "core/log.h"
#include "core/ports.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "discovery/discovery_scan.h"
#include "identify/identify.h"
#include "policy/policy.h"
#include "probes/probe.h"
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct scan_options {
    struct target_options targets;
    struct store_options store;
    bool no_store;
    struct policy_options policy;
    struct fail_on fail_on;
    struct port_list ports;
    bool ports_given;
    const char *ports_file;
    double rate;
    unsigned concurrency;
    double timeout_s, host_timeout_s;
    unsigned threads;
    bool dry_run, jsonl, quiet;
    const char *observations_path, *output_path;
    char *target_text; /* positional targets, space-separated, for the scan record */
    struct discovery_scan_options discover;
};

struct scan_output {
    const struct identifier *identifier;
    const struct policy_set *policies;
    struct store *store;
    int64_t scan_id;
    bool store_failed;
    pthread_mutex_t lock; /* output, observations file and store */
    FILE *out;
    FILE *observations;
    bool jsonl;
    bool table_header_done;
    atomic_uint_fast64_t devices_identified;
    size_t restricted, vulnerable; /* devices with such findings, for --fail-on */
    uint64_t total_addresses;
    double started;
    bool write_failed;
};

static void scan_usage(FILE *out)
{
    fprintf(
        out,
        "usage: camaudit scan [options] TARGETS...\n"
        "Finds cameras, recorders and doorbells: sweeps the camera ports of every\n"
        "target, probes the ports that answer, and names each device.\n"
        "  -p PORTS          ports to scan (default: data/ports.txt)\n"
        "  --ports-file F    port set and probe per port from F (format of data/ports.txt)\n"
        "  --rate N          connection attempts per second, all threads (default %.0f; 0: "
        "no limit)\n"
        "  --concurrency N   connections in flight (default 1024, at most the open-file limit)\n"
        "  --timeout S       connect and read timeout in seconds (default %.1f)\n"
        "  --host-timeout S  deadline for one host, all its ports (default %.0f)\n"
        "  --threads N       event loops over disjoint shards (default 1)\n"
        "  --dry-run         walk and count the targets, send nothing\n"
        "  --jsonl           one device JSON object per line instead of the table\n"
        "  --observations F  also write every observation as JSONL to F\n"
        "  -o FILE           write the table or JSONL to FILE\n"
        "  --quiet           no progress display (the summary line stays)\n"
        "  --db SPEC, --site NAME, --no-store   the inventory (see 'camaudit report --help')\n"
        "%s%s%s%s",
        ENGINE_DEFAULT_RATE, ENGINE_DEFAULT_TIMEOUT_MS / 1000.0,
        ENGINE_DEFAULT_HOST_TIMEOUT_MS / 1000.0, FAIL_ON_HELP, POLICY_OPTIONS_HELP,
        DISCOVERY_SCAN_OPTIONS_HELP, TARGET_OPTIONS_HELP);
}

static const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        log_error("option '%s' needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

static bool parse_number(const char *opt, const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v) || v < min || v > max) {
        log_error("invalid value '%s' for %s: expected a number from %g to %g", text, opt, min,
                  max);
        return false;
    }
    *out = v;
    return true;
}

/* Consumes one scan option at argv[*i]: 1 used, 0 not a scan option, -1 bad. */
static int consume_scan_option(struct scan_options *o, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *v;
    double n;
    char err[512];
    struct {
        const char *name;
        double min, max;
    } numeric[] = {{"--rate", 0, 1e7},
                   {"--concurrency", 1, ENGINE_MAX_CONCURRENCY},
                   {"--timeout", 0.01, 3600},
                   {"--host-timeout", 0.01, 86400},
                   {"--threads", 1, ENGINE_MAX_THREADS}};
    for (size_t k = 0; k < sizeof numeric / sizeof numeric[0]; k++) {
        if (strcmp(arg, numeric[k].name) != 0)
            continue;
        if (!(v = option_value(argc, argv, i)) ||
            !parse_number(arg, v, numeric[k].min, numeric[k].max, &n))
            return -1;
        if (k == 0)
            o->rate = n;
        else if (k == 1)
            o->concurrency = (unsigned)n;
        else if (k == 2)
            o->timeout_s = n;
        else if (k == 3)
            o->host_timeout_s = n;
        else
            o->threads = (unsigned)n;
        return 1;
    }
    if (strcmp(arg, "-p") == 0 || strcmp(arg, "--ports") == 0) {
        if (!(v = option_value(argc, argv, i)))
            return -1;
        if (port_list_parse(&o->ports, v, err, sizeof err)) {
            log_error("%s", err);
            return -1;
        }
        o->ports_given = true;
        return 1;
    }
    const char **path = strcmp(arg, "--ports-file") == 0     ? &o->ports_file
                        : strcmp(arg, "--observations") == 0 ? &o->observations_path
                        : strcmp(arg, "-o") == 0             ? &o->output_path
                                                             : NULL;
    if (path) {
        if (!(*path = option_value(argc, argv, i)))
            return -1;
        return 1;
    }
    bool *flag = strcmp(arg, "--dry-run") == 0                             ? &o->dry_run
                 : strcmp(arg, "--no-store") == 0                          ? &o->no_store
                 : strcmp(arg, "--jsonl") == 0                             ? &o->jsonl
                 : (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) ? &o->quiet
                                                                           : NULL;
    if (flag) {
        *flag = true;
        return 1;
    }
    return 0;
}

/* 0 ok, 1 help shown, -1 bad usage (message printed). */
static int parse_scan_args(struct scan_options *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        int used = target_options_consume(&o->targets, argc, argv, &i);
        if (used == 0)
            used = store_options_consume(&o->store, argc, argv, &i);
        if (used == 0)
            used = consume_scan_option(o, argc, argv, &i);
        if (used == 0)
            used = discovery_scan_consume(&o->discover, argc, argv, &i);
        if (used == 0)
            used = policy_options_consume(&o->policy, argc, argv, &i);
        if (used == 0)
            used = fail_on_consume(&o->fail_on, argc, argv, &i);
        if (used < 0)
            return -1;
        if (used)
            continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            scan_usage(stdout);
            return 1;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            log_error("unknown option '%s' for 'scan' (see 'camaudit scan --help')", argv[i]);
            return -1;
        }
        if (target_options_add_positional(&o->targets, argv[i]) != 0)
            return -1;
        char *joined =
            o->target_text ? xasprintf("%s %s", o->target_text, argv[i]) : xstrdup(argv[i]);
        free(o->target_text);
        o->target_text = joined;
    }
    if (!o->targets.any_target) {
        scan_usage(stderr);
        return -1;
    }
    return 0;
}

static void format_ports(const uint16_t *ports, size_t n, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o + 7 < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%u", i ? "," : "", ports[i]);
}

/* The verdict column: "restricted (lists)" when any list restricts the
 * device, else "unknown" when a list could not tell, else "not_restricted";
 * "-" when no list was evaluated. Writes into buf. */
static const char *scan_verdict(const struct device *dev, char *buf, size_t size)
{
    char *lists = device_restricted_lists(dev);
    bool any = false, unknown = false;
    for (size_t i = 0; i < dev->finding_count; i++) {
        const struct finding *f = &dev->findings[i];
        if (f->kind == FINDING_RESTRICTION) {
            any = true;
            unknown |= strcmp(f->verdict, "unknown") == 0;
        }
    }
    if (lists && *lists)
        snprintf(buf, size, "restricted (%s)", lists);
    else
        snprintf(buf, size, "%s", !any ? "-" : unknown ? "unknown" : "not_restricted");
    free(lists);
    return buf;
}

/* The table's columns; the verdict (last) is never cut. */
static const int scan_columns[] = {15, 20, 12, 12, 20, 22, 18, 0};
#define SCAN_COLUMN_COUNT (sizeof scan_columns / sizeof scan_columns[0])

static void write_table_row(struct scan_output *so, const struct device *dev,
                            const struct engine_host *host)
{
    if (!so->table_header_done) {
        static const char *const header[SCAN_COLUMN_COUNT] = {
            "IP", "OPEN PORTS", "MAKER", "BRAND", "MODEL", "FIRMWARE", "TYPE", "VERDICT"};
        table_row(so->out, scan_columns, SCAN_COLUMN_COUNT, header);
        so->table_header_done = true;
    }
    char ports[128], verdict[256];
    format_ports(host->open_ports, host->open_count, ports, sizeof ports);
    const char *const cells[SCAN_COLUMN_COUNT] = {
        dev->ip,    ports,         dev->manufacturer, dev->brand,
        dev->model, dev->firmware, dev->device_type,  scan_verdict(dev, verdict, sizeof verdict)};
    table_row(so->out, scan_columns, SCAN_COLUMN_COUNT, cells);
}

static void write_device_json(struct scan_output *so, const struct device *dev)
{
    json_t *j = device_to_json(dev);
    if (json_dumpf(j, so->out, JSON_COMPACT) != 0 || fputc('\n', so->out) == EOF)
        so->write_failed = true;
    json_decref(j);
}

/* One finished host: identified and judged in the calling reporter thread
 * (identify_host and policy_evaluate are thread-safe), then written under
 * the lock. */
static void scan_on_host(const struct engine_host *host, void *ctx)
{
    struct scan_output *so = ctx;
    struct device *dev = identify_host(so->identifier, host->obs, host->obs_count);
    if (!dev->ip[0]) /* a host with open ports but nothing said */
        strlcpy_safe(dev->ip, host->ip, sizeof dev->ip);
    for (size_t i = 0; i < host->open_count; i++)
        device_add_port(dev, host->open_ports[i]);
    discovery_scan_annotate(dev, host->obs, host->obs_count);
    policy_evaluate(so->policies, dev, host->obs, host->obs_count);
    if (strcmp(dev->manufacturer, "unknown") != 0)
        atomic_fetch_add(&so->devices_identified, 1);
    pthread_mutex_lock(&so->lock);
    so->restricted += device_is_restricted(dev, NULL) != 0;
    so->vulnerable += device_is_vulnerable(dev) != 0;
    for (size_t i = 0; so->observations && i < host->obs_count; i++)
        if (observation_write_jsonl(so->observations, &host->obs[i]) != 0)
            so->write_failed = true;
    if (so->store && store_add_host(so->store, so->scan_id, dev, host->obs, host->obs_count) != 0)
        so->store_failed = true;
    if (so->jsonl)
        write_device_json(so, dev);
    else
        write_table_row(so, dev, host);
    fflush(so->out);
    pthread_mutex_unlock(&so->lock);
    device_free(dev);
}

static void scan_on_progress(const struct engine_stats *st, void *ctx)
{
    struct scan_output *so = ctx;
    uint64_t done = atomic_load(&st->hosts_done);
    double elapsed = ratelimit_clock() - so->started;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 ? (double)(so->total_addresses - done) / rate : 0;
    fprintf(stderr,
            "\r%" PRIu64 "/%" PRIu64 " addresses, %" PRIu64 " open ports, %" PRIuFAST64
            " devices identified, %.0f addr/s, ETA %.0fs   ",
            done, so->total_addresses, (uint64_t)atomic_load(&st->ports_open),
            atomic_load(&so->devices_identified), rate, eta);
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

static int dry_run(struct scan_options *o, size_t port_count)
{
    struct target_iter *it = target_iter_new(o->targets.set, o->targets.seed,
                                             o->targets.shard_index, o->targets.shard_count);
    uint64_t walked = 0;
    struct target_addr addr;
    while (target_iter_next(it, &addr))
        walked++;
    target_iter_free(it);
    printf("%" PRIu64 " targets (%" PRIu64 " addresses x %zu ports), nothing sent\n",
           walked * port_count, walked, port_count);
    if (!o->quiet)
        log_info("dry run walked %" PRIu64 " addresses, peak memory %ld KB", walked, peak_rss_kb());
    return EXIT_OK;
}

static void print_summary(const struct scan_output *so, const struct engine_stats *st,
                          size_t port_count)
{
    double elapsed = ratelimit_clock() - so->started;
    uint64_t conns = atomic_load(&st->connections);
    uint64_t answers = atomic_load(&st->exchanges);
    uint64_t probe_conns = atomic_load(&st->probe_connections);
    fprintf(stderr,
            "camaudit: scanned %" PRIu64 " addresses x %zu ports in %.2fs: %" PRIu64
            " hosts up, %" PRIu64 " open ports, %" PRIuFAST64 " devices identified, %" PRIu64
            " hosts hit the deadline, %" PRIu64 " connections (%.0f/s), %" PRIu64
            " probe answers (%.0f/s) on %" PRIu64 " answered probe connections (%.0f/s), peak "
            "memory %ld KB\n",
            (uint64_t)atomic_load(&st->hosts_done), port_count, elapsed,
            (uint64_t)atomic_load(&st->hosts_up), (uint64_t)atomic_load(&st->ports_open),
            atomic_load(&so->devices_identified), (uint64_t)atomic_load(&st->hosts_timed_out),
            conns, elapsed > 0 ? (double)conns / elapsed : 0.0, answers,
            elapsed > 0 ? (double)answers / elapsed : 0.0, probe_conns,
            elapsed > 0 ? (double)probe_conns / elapsed : 0.0, peak_rss_kb());
}

static FILE *open_output(const char *path, const char *what)
{
    FILE *f = fopen(path, "w");
    if (!f)
        log_error("cannot write %s '%s': %s", what, path, strerror(errno));
    return f;
}

static int load_port_map(struct scan_options *o, struct probe_port_map **map)
{
    char err[512];
    char *default_path = o->ports_file ? NULL : data_path("data");
    char *path = o->ports_file ? xstrdup(o->ports_file) : xasprintf("%s/ports.txt", default_path);
    free(default_path);
    *map = probe_port_map_load(path, err, sizeof err);
    free(path);
    if (!*map) {
        log_error("%s", err);
        return o->ports_file ? EXIT_USAGE : EXIT_FAILURE_RUNTIME;
    }
    if (!o->ports_given) {
        size_t n;
        const uint16_t *ports = probe_port_map_ports(*map, &n);
        o->ports.ports = xmalloc(n * sizeof *ports);
        memcpy(o->ports.ports, ports, n * sizeof *ports);
        o->ports.count = n;
    }
    return EXIT_OK;
}

/* Loads fingerprints and policies. EXIT_OK or an exit code (error printed). */
static int load_knowledge(const struct scan_options *o, struct scan_output *so)
{
    char err[1024];
    struct identifier *id = identifier_load(NULL, 0, err, sizeof err);
    if (!id) {
        log_error("cannot load fingerprints: %s", err);
        return EXIT_FAILURE_RUNTIME;
    }
    so->identifier = id;
    struct policy_set *ps = policy_options_load(&o->policy);
    if (!ps)
        return EXIT_USAGE;
    so->policies = ps;
    return EXIT_OK;
}

/* The command line as one string, for the scan record. */
static char *joined_arguments(int argc, char **argv, int first)
{
    size_t len = 1;
    for (int i = first; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *text = xcalloc(1, len);
    for (int i = first; i < argc; i++) {
        strcat(text, argv[i]);
        if (i + 1 < argc)
            strcat(text, " ");
    }
    return text;
}

static int begin_store(const struct scan_options *o, struct scan_output *so, int argc, char **argv)
{
    if (o->no_store)
        return EXIT_OK;
    so->store = store_options_open(&o->store);
    if (!so->store)
        return EXIT_USAGE;
    char *command = joined_arguments(argc, argv, 0);
    char *options = joined_arguments(argc, argv, 1);
    const char *user = getenv("USER");
    struct scan_info info = {.site = o->store.site,
                             .targets = o->target_text ? o->target_text : "",
                             .options = options,
                             .command = command,
                             .operator_name = user ? user : "",
                             .started = time_now()};
    so->scan_id = store_scan_begin(so->store, &info);
    free(command);
    free(options);
    if (so->scan_id < 0) {
        log_error("cannot record the scan in the inventory");
        return EXIT_FAILURE_RUNTIME;
    }
    return EXIT_OK;
}

static void end_store(struct scan_output *so, bool finished)
{
    if (!so->store)
        return;
    if (finished && store_scan_end(so->store, so->scan_id, time_now()) != 0)
        so->store_failed = true;
    if (so->store_failed)
        log_error("some hosts could not be written to the inventory");
    store_close(so->store);
}

static void unload_knowledge(struct scan_output *so)
{
    identifier_free((struct identifier *)so->identifier);
    policy_set_free((struct policy_set *)so->policies);
}

static int run_scan(struct scan_options *o, const struct probe_port_map *map, int argc, char **argv)
{
    struct scan_output so = {.out = stdout, .jsonl = o->jsonl, .lock = PTHREAD_MUTEX_INITIALIZER};
    bool scan_finished = false;
    int rc = load_knowledge(o, &so);
    if (rc == EXIT_OK)
        rc = begin_store(o, &so, argc, argv);
    if (rc != EXIT_OK) {
        unload_knowledge(&so);
        return rc;
    }
    if (o->output_path && !(so.out = open_output(o->output_path, "output file"))) {
        so.out = stdout;
        rc = EXIT_USAGE;
        goto done;
    }
    if (o->observations_path &&
        !(so.observations = open_output(o->observations_path, "observations file"))) {
        rc = EXIT_USAGE;
        goto done;
    }
    unsigned max_conc = engine_max_concurrency();
    if (o->concurrency > max_conc) {
        log_warn("--concurrency %u exceeds the open-file limit; using %u", o->concurrency,
                 max_conc);
        o->concurrency = max_conc;
    }
    struct engine_config cfg = {
        .targets = o->targets.set,
        .seed = o->targets.seed,
        .shard_index = o->targets.shard_index,
        .shard_count = o->targets.shard_count,
        .ports = o->ports.ports,
        .port_count = o->ports.count,
        .port_map = map,
        .concurrency =
            o->concurrency
                ? o->concurrency
                : (max_conc < ENGINE_DEFAULT_CONCURRENCY ? max_conc : ENGINE_DEFAULT_CONCURRENCY),
        .rate = o->rate,
        .timeout_ms = (unsigned)(o->timeout_s * 1000),
        .host_timeout_ms = (unsigned)(o->host_timeout_s * 1000),
        .threads = o->threads,
        .on_host = scan_on_host,
        .ctx = &so,
        .on_progress = (!o->quiet && isatty(STDERR_FILENO)) ? scan_on_progress : NULL,
    };
    so.total_addresses = target_set_count(o->targets.set);
    so.started = ratelimit_clock();
    struct discovery_scan *ds = discovery_scan_start(&o->discover, o->targets.set, o->rate, &cfg);
    struct engine_stats stats;
    char err[512];
    int engine_rc = engine_run(&cfg, &stats, err, sizeof err);
    discovery_scan_finish(ds);
    if (engine_rc != 0) {
        log_error("%s", err);
        rc = EXIT_FAILURE_RUNTIME;
        goto done;
    }
    if (cfg.on_progress)
        fputc('\n', stderr);
    print_summary(&so, &stats, o->ports.count);
    scan_finished = true;
    if (fail_on_hit(&o->fail_on, so.restricted, so.vulnerable)) {
        log_info("--fail-on: %zu restricted, %zu vulnerable devices", so.restricted, so.vulnerable);
        rc = EXIT_POLICY_HIT;
    }
done:
    end_store(&so, scan_finished);
    unload_knowledge(&so);
    if (so.store_failed)
        rc = EXIT_FAILURE_RUNTIME;
    if (so.observations && fclose(so.observations) != 0)
        so.write_failed = true;
    if (so.out != stdout && fclose(so.out) != 0)
        so.write_failed = true;
    if (so.write_failed) {
        log_error("writing the results failed: %s", strerror(errno));
        rc = EXIT_FAILURE_RUNTIME;
    }
    return rc;
}

int cmd_scan(int argc, char **argv)
{
    struct scan_options o = {.rate = ENGINE_DEFAULT_RATE,
                             .timeout_s = ENGINE_DEFAULT_TIMEOUT_MS / 1000.0,
                             .host_timeout_s = ENGINE_DEFAULT_HOST_TIMEOUT_MS / 1000.0,
                             .threads = 1};
    target_options_init(&o.targets);
    struct probe_port_map *map = NULL;
    int rc = parse_scan_args(&o, argc, argv);
    if (rc != 0) {
        rc = rc > 0 ? EXIT_OK : EXIT_USAGE;
        goto done;
    }
    uint64_t total = target_set_count(o.targets.set);
    if (total >= TARGETS_MAX_COUNT) {
        log_error("too many targets: more than %" PRIu64 " addresses", TARGETS_MAX_COUNT);
        rc = EXIT_USAGE;
        goto done;
    }
    if ((rc = load_port_map(&o, &map)) != EXIT_OK)
        goto done;
    rc = o.dry_run ? dry_run(&o, o.ports.count) : run_scan(&o, map, argc, argv);
done:
    probe_port_map_free(map);
    port_list_free(&o.ports);
    target_options_free(&o.targets);
    free(o.target_text);
    return rc;
}
