/* cmd_import.c — `camaudit import`: stores devices (the JSON lines that
 * `camaudit identify` and `scan --jsonl` print) as one scan, with their
 * observations when an observation JSONL is given. Fills the inventory
 * without a scan: for tests, demos, and results made elsewhere. */
#include "cli/commands.h"
#include "cli/store_options.h"
#include "core/log.h"
#include "core/observation.h"
#include "core/util.h"
#include "identify/device.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct import_options {
    struct store_options store;
    const char *devices_path;
    const char *observations_path;
    const char *targets;
    double started;
    int progress; /* print "stored N" after each committed host */
};

struct observation_set {
    struct observation *items; /* sorted by ip */
    size_t count;
    bool *taken; /* per item: its address has a device line (NULL: none yet) */
};

static void import_usage(FILE *out)
{
    fprintf(out,
            "usage: camaudit import [options] DEVICES.jsonl|-\n"
            "Stores devices (one JSON object per line, the form `camaudit identify`\n"
            "prints) into the inventory as one scan.\n"
            "  --observations F  observation JSONL; each device gets those of its address\n"
            "  --targets TEXT    the scope to record for the scan\n"
            "  --started TIME    when the scan ran (RFC 3339 or seconds; default now)\n"
            "  --progress        print 'stored N' on stdout after each stored host\n%s",
            STORE_OPTIONS_HELP);
}

static int compare_observation_ip(const void *a, const void *b)
{
    return strcmp(((const struct observation *)a)->ip, ((const struct observation *)b)->ip);
}

static int load_observations(const char *path, struct observation_set *set)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        log_error("cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    struct jsonl_reader *r = jsonl_reader_new(in, path, JSONL_MAX_LINE);
    size_t cap = 0;
    int rc = 0, got;
    char err[512];
    struct observation obs;
    while ((got = jsonl_reader_next(r, &obs, err, sizeof err)) != 0) {
        if (got == JSONL_READ_ERROR) {
            log_error("%s", err);
            rc = -1;
            break;
        }
        if (got < 0) {
            log_error("%s", err);
            rc = -1;
            continue;
        }
        if (set->count == cap) {
            cap = cap ? cap * 2 : 256;
            set->items = xrealloc(set->items, cap * sizeof *set->items);
        }
        set->items[set->count++] = obs;
    }
    jsonl_reader_free(r);
    fclose(in);
    if (set->count)
        qsort(set->items, set->count, sizeof *set->items, compare_observation_ip);
    return rc;
}

static void free_observations(struct observation_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        observation_clear(&set->items[i]);
    free(set->items);
    free(set->taken);
}

/* The observations of one address: a run of the sorted array. */
static const struct observation *observations_of(const struct observation_set *set, const char *ip,
                                                 size_t *count)
{
    size_t lo = 0, hi = set->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(set->items[mid].ip, ip) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < set->count && strcmp(set->items[end].ip, ip) == 0)
        end++;
    *count = end - lo;
    return set->items ? set->items + lo : NULL;
}

static int parse_time(const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (*text && !*end && v > 0 && isfinite(v)) {
        *out = v;
        return 0;
    }
    return time_parse_rfc3339(text, out) ? 0 : -1;
}

static int parse_import_args(int argc, char **argv, struct import_options *o)
{
    for (int i = 1; i < argc; i++) {
        int used = store_options_consume(&o->store, argc, argv, &i);
        if (used < 0)
            return -1;
        if (used)
            continue;
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            import_usage(stdout);
            return 1;
        } else if (strcmp(a, "--progress") == 0) {
            o->progress = 1;
        } else if (strcmp(a, "--observations") == 0 && has_value) {
            o->observations_path = argv[++i];
        } else if (strcmp(a, "--targets") == 0 && has_value) {
            o->targets = argv[++i];
        } else if (strcmp(a, "--started") == 0 && has_value) {
            if (parse_time(argv[++i], &o->started) != 0) {
                log_error("bad time '%s' for --started (RFC 3339 or seconds)", argv[i]);
                return -1;
            }
        } else if (a[0] == '-' && a[1]) {
            log_error("unknown option '%s' for 'import' (or it needs a value)", a);
            return -1;
        } else if (o->devices_path) {
            log_error("one devices file only ('%s' and '%s')", o->devices_path, a);
            return -1;
        } else {
            o->devices_path = a;
        }
    }
    if (!o->devices_path) {
        import_usage(stderr);
        return -1;
    }
    return 0;
}

/* The command line to record, without --db (a URI may hold a password). */
static char *options_text(int argc, char **argv)
{
    char *out = xstrdup("");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0) {
            i++;
            continue;
        }
        char *next = xasprintf("%s%s%s", out, out[0] ? " " : "", argv[i]);
        free(out);
        out = next;
    }
    return out;
}

/* One device line, or NULL (message printed) when it is not one. */
static struct device *parse_device_line(const char *line, const char *name, size_t lineno)
{
    json_error_t jerr;
    json_t *json = json_loads(line, 0, &jerr);
    char err[256] = "";
    struct device *dev = json ? device_from_json(json, err, sizeof err) : NULL;
    json_decref(json);
    unsigned char addr[16];
    if (dev && inet_pton(AF_INET, dev->ip, addr) != 1 && inet_pton(AF_INET6, dev->ip, addr) != 1) {
        snprintf(err, sizeof err, "\"ip\" is not an IP address");
        device_free(dev);
        dev = NULL;
    }
    if (!dev)
        log_error("%s:%zu: %s", name, lineno, json || err[0] ? err : jerr.text);
    return dev;
}

static int store_one(struct store *st, int64_t scan, struct device *dev,
                     struct observation_set *obs)
{
    size_t count = 0;
    const struct observation *mine = observations_of(obs, dev->ip, &count);
    if (count && !obs->taken)
        obs->taken = xcalloc(obs->count, sizeof *obs->taken);
    for (size_t i = 0; i < count; i++)
        obs->taken[(size_t)(mine - obs->items) + i] = true;
    int rc = store_add_host(st, scan, dev, mine, count);
    device_free(dev);
    return rc;
}

/* Stores every device line; returns the exit code. */
static int import_devices(struct store *st, int64_t scan, FILE *in, const char *name,
                          struct observation_set *obs, int progress)
{
    char *line = NULL;
    size_t cap = 0, stored = 0, lineno = 0;
    int rc = EXIT_OK;
    while (getline(&line, &cap, in) > 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == strlen(line))
            continue;
        struct device *dev = parse_device_line(line, name, lineno);
        if (!dev) {
            rc = EXIT_USAGE;
            continue;
        }
        if (store_one(st, scan, dev, obs) != 0) {
            rc = EXIT_FAILURE_RUNTIME;
            break;
        }
        stored++;
        if (progress) {
            printf("stored %zu\n", stored);
            fflush(stdout);
        }
    }
    if (rc == EXIT_OK && ferror(in)) {
        log_error("cannot read '%s': %s", name, strerror(errno));
        rc = EXIT_FAILURE_RUNTIME;
    }
    free(line);
    log_info("stored %zu devices in scan %lld", stored, (long long)scan);
    size_t unused = 0;
    for (size_t i = 0; i < obs->count; i++)
        unused += !obs->taken || !obs->taken[i];
    if (unused)
        log_warn("%zu observations were not stored: no device line has their address", unused);
    return rc;
}

static const char *operator_name(void)
{
    const char *user = getenv("USER");
    if (user && *user)
        return user;
    const struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_name : NULL;
}

int cmd_import(int argc, char **argv)
{
    struct import_options o = {0};
    int parsed = parse_import_args(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? EXIT_OK : EXIT_USAGE;
    struct observation_set obs = {0};
    if (o.observations_path && load_observations(o.observations_path, &obs) != 0) {
        free_observations(&obs);
        return EXIT_USAGE;
    }
    int use_stdin = strcmp(o.devices_path, "-") == 0;
    FILE *in = use_stdin ? stdin : fopen(o.devices_path, "r");
    if (!in) {
        log_error("cannot read '%s': %s", o.devices_path, strerror(errno));
        free_observations(&obs);
        return EXIT_USAGE;
    }
    int rc = EXIT_FAILURE_RUNTIME;
    struct store *st = store_options_open(&o.store);
    char *options = options_text(argc, argv);
    struct scan_info info = {.site = o.store.site,
                             .targets = o.targets,
                             .options = options,
                             .command = "import",
                             .operator_name = operator_name(),
                             .started = o.started};
    int64_t scan = st ? store_scan_begin(st, &info) : -1;
    if (scan >= 0) {
        rc = import_devices(st, scan, in, o.devices_path, &obs, o.progress);
        if (store_scan_end(st, scan, 0) != 0 && rc == EXIT_OK)
            rc = EXIT_FAILURE_RUNTIME;
    }
    free(options);
    store_close(st);
    if (!use_stdin)
        fclose(in);
    free_observations(&obs);
    return rc;
}
