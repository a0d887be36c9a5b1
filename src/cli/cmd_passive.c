/* cmd_passive.c — `camaudit passive`: reads a capture file or listens on an
 * interface (read only, never sending), runs the passive dissectors, groups
 * what they saw per host and hands each host to identify and policy, so
 * devices that no scan may touch are still named, and phone-home to vendor
 * clouds is flagged. Like a scan, the result lands in the inventory (one
 * scan record per capture) unless --no-store, so reports show it. */
#include "cli/commands.h"
#include "cli/policy_options.h"
#include "cli/store_options.h"
#include "cli/table.h"
#include "core/log.h"
#include "core/observation.h"
#include "core/util.h"
#include "identify/device.h"
#include "passive/capture.h"
#include "identify/identify.h"
#include "passive/passive.h"
#include "policy/policy.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct passive_options {
    const char *read_file, *interface, *filter, *observations_file;
    struct policy_options policy;
    struct store_options store;
    bool jsonl, promisc, no_store;
    struct passive_limits limits;
};

struct passive_run {
    FILE *obs_out;
    bool obs_write_failed;
    bool jsonl;
    size_t devices;
    struct identifier *identifier;
    struct policy_set *policies;
    struct store *store;
    int64_t scan_id;
    bool store_failed;
};

static struct capture *volatile running_capture;

static void passive_usage(FILE *out)
{
    fprintf(out,
            "usage: camaudit passive (--read FILE | --interface IF) [options]\n"
            "Identifies devices from traffic seen, without sending anything.\n"
            "  --read FILE           a pcap or pcapng capture (Ethernet, Linux cooked, raw IP)\n"
            "  --interface IF        listen on IF until interrupted (read only)\n"
            "  --promisc             put IF in promiscuous mode (off by default)\n"
            "  --filter BPF          only frames matching this pcap filter\n"
            "  --jsonl               one JSON device record per line\n"
            "  --observations FILE   also write every observation as JSONL ('-' = stdout)\n"
            "  --max-hosts N         hosts kept at most (default %d)\n"
            "  --max-observations N  distinct observations kept per host (default %d)\n"
            "  --no-store            do not record the result in the inventory\n%s%s",
            PASSIVE_DEFAULT_MAX_HOSTS, PASSIVE_DEFAULT_MAX_OBS, POLICY_OPTIONS_HELP,
            STORE_OPTIONS_HELP);
}

static int parse_size(const char *opt, const char *text, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v == 0 || text[0] == '-') {
        log_error("bad value '%s' for %s: expected a positive number", text, opt);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

/* Returns 0, 1 for --help, or -1 on a usage error (already reported). */
static int parse_options(int argc, char **argv, struct passive_options *o)
{
    for (int i = 1; i < argc; i++) {
        int used = policy_options_consume(&o->policy, argc, argv, &i);
        if (used == 0)
            used = store_options_consume(&o->store, argc, argv, &i);
        if (used < 0)
            return -1;
        if (used)
            continue;
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = strcmp(a, "--read") == 0 || strcmp(a, "--interface") == 0 ||
                           strcmp(a, "--filter") == 0 || strcmp(a, "--observations") == 0 ||
                           strcmp(a, "--max-hosts") == 0 || strcmp(a, "--max-observations") == 0;
        if (takes_value && !next) {
            log_error("option '%s' needs a value", a);
            return -1;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return 1;
        else if (strcmp(a, "--read") == 0 || strcmp(a, "-r") == 0)
            o->read_file = argv[++i];
        else if (strcmp(a, "--interface") == 0 || strcmp(a, "-i") == 0)
            o->interface = argv[++i];
        else if (strcmp(a, "--filter") == 0)
            o->filter = argv[++i];
        else if (strcmp(a, "--observations") == 0)
            o->observations_file = argv[++i];
        else if (strcmp(a, "--jsonl") == 0)
            o->jsonl = true;
        else if (strcmp(a, "--promisc") == 0)
            o->promisc = true;
        else if (strcmp(a, "--no-store") == 0)
            o->no_store = true;
        else if (strcmp(a, "--max-hosts") == 0) {
            if (parse_size(a, argv[++i], &o->limits.max_hosts) != 0)
                return -1;
        } else if (strcmp(a, "--max-observations") == 0) {
            if (parse_size(a, argv[++i], &o->limits.max_obs_per_host) != 0)
                return -1;
        } else {
            log_error("unknown argument '%s' for 'passive'", a);
            return -1;
        }
    }
    if (!o->read_file == !o->interface) {
        log_error("passive needs exactly one of --read FILE or --interface IF");
        return -1;
    }
    return 0;
}

static void write_observation(const struct observation *obs, void *arg)
{
    struct passive_run *run = arg;
    if (run->obs_out && !run->obs_write_failed && observation_write_jsonl(run->obs_out, obs) != 0)
        run->obs_write_failed = true;
}

static struct device *device_for_host(struct passive_run *run, const struct passive_host *host)
{
    struct device *dev = identify_host(run->identifier, host->obs, host->count);
    if (host->mac[0] && !dev->mac[0])
        strlcpy_safe(dev->mac, host->mac, sizeof dev->mac);
    policy_evaluate(run->policies, dev, host->obs, host->count);
    if (run->store && store_add_host(run->store, run->scan_id, dev, host->obs, host->count) != 0)
        run->store_failed = true;
    return dev;
}

/* Appends " label=id1,id2" for the findings of kind with the verdict given
 * to buf (size bytes, NUL-terminated). */
static void append_findings(const struct device *dev, enum finding_kind kind, const char *verdict,
                            const char *label, char *buf, size_t size)
{
    const char *sep = " ";
    for (size_t i = 0; i < dev->finding_count; i++) {
        const struct finding *f = &dev->findings[i];
        if (f->kind != kind || strcmp(f->verdict, verdict) != 0)
            continue;
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s%s", sep, sep[0] == ' ' ? label : "", f->id);
        sep = ",";
    }
}

static const int passive_columns[] = {16, 17, 14, 22, 0};

static void print_device_line(const struct device *dev, size_t obs_count)
{
    char notes[1024] = "";
    append_findings(dev, FINDING_RESTRICTION, "restricted", "restricted=", notes, sizeof notes);
    append_findings(dev, FINDING_PHONE_HOME, "phone_home", "phone_home=", notes, sizeof notes);
    size_t len = strlen(notes);
    snprintf(notes + len, sizeof notes - len, " (%zu observations)", obs_count);
    const char *const cells[] = {dev->ip[0] ? dev->ip : "(no address)", dev->mac,
                                 dev->manufacturer ? dev->manufacturer : "unknown", dev->model,
                                 notes + 1};
    table_row(stdout, passive_columns, sizeof cells / sizeof cells[0], cells);
}

static void report_host(const struct passive_host *host, void *arg)
{
    struct passive_run *run = arg;
    struct device *dev = device_for_host(run, host);
    if (run->jsonl) {
        json_t *j = device_to_json(dev);
        char *text = json_dumps(j, JSON_COMPACT);
        if (text)
            puts(text);
        free(text);
        json_decref(j);
    } else {
        print_device_line(dev, host->count);
    }
    run->devices++;
    device_free(dev);
}

static void on_signal(int sig)
{
    (void)sig;
    if (running_capture)
        capture_stop(running_capture);
}

/* Loads identify and policy data: EXIT_OK, or the exit code with the error
 * reported (a bad --policy list or file is the user's; missing data is not). */
static int load_knowledge(struct passive_run *run, const struct passive_options *o)
{
    char err[512] = "";
    run->identifier = identifier_load(NULL, 0, err, sizeof err);
    if (!run->identifier) {
        log_error("cannot load fingerprints: %s", err);
        return EXIT_FAILURE_RUNTIME;
    }
    run->policies = policy_options_load(&o->policy);
    if (!run->policies)
        return EXIT_USAGE; /* names and files are the user's */
    return EXIT_OK;
}

static void unload_knowledge(struct passive_run *run)
{
    identifier_free(run->identifier);
    policy_set_free(run->policies);
}

/* Opens the inventory and records this capture as one scan. */
static int begin_store(struct passive_run *run, const struct passive_options *o)
{
    if (o->no_store)
        return EXIT_OK;
    run->store = store_options_open(&o->store);
    if (!run->store)
        return EXIT_USAGE;
    char *targets = xasprintf("%s:%s", o->read_file ? "file" : "interface",
                              o->read_file ? o->read_file : o->interface);
    char *command = xasprintf("camaudit passive %s %s", o->read_file ? "--read" : "--interface",
                              o->read_file ? o->read_file : o->interface);
    const char *user = getenv("USER");
    struct scan_info info = {.site = o->store.site,
                             .targets = targets,
                             .options = o->filter ? o->filter : "",
                             .command = command,
                             .operator_name = user ? user : "",
                             .started = time_now()};
    run->scan_id = store_scan_begin(run->store, &info);
    free(targets);
    free(command);
    if (run->scan_id < 0) {
        log_error("cannot record the capture in the inventory");
        return EXIT_FAILURE_RUNTIME;
    }
    return EXIT_OK;
}

static void end_store(struct passive_run *run)
{
    if (!run->store)
        return;
    if (store_scan_end(run->store, run->scan_id, time_now()) != 0)
        run->store_failed = true;
    if (run->store_failed)
        log_error("some hosts could not be written to the inventory");
    store_close(run->store);
}

static int open_observations(struct passive_run *run, const char *path)
{
    if (!path)
        return 0;
    if (strcmp(path, "-") == 0) {
        run->obs_out = stdout;
        return 0;
    }
    run->obs_out = fopen(path, "w");
    if (!run->obs_out) {
        log_error("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Reads every frame into ps. Returns EXIT_OK, or EXIT_USAGE when the file is
 * damaged (what came before the damage has been read). */
static int read_capture(struct capture *cap, struct passive *ps)
{
    struct capture_frame frame;
    char err[512];
    int linktype = capture_linktype(cap), rc;
    while ((rc = capture_next(cap, &frame, err, sizeof err)) == 1)
        passive_feed(ps, linktype, frame.data, frame.caplen, frame.time);
    unsigned long long dropped = capture_dropped(cap);
    if (dropped)
        log_warn("passive: the kernel dropped %llu frames (capture too slow for the traffic)",
                 dropped);
    if (rc < 0) {
        log_error("%s", err);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_passive(int argc, char **argv)
{
    struct passive_options o = {0};
    policy_options_init(&o.policy);
    int prc = parse_options(argc, argv, &o);
    if (prc != 0) {
        passive_usage(prc > 0 ? stdout : stderr);
        return prc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    char err[512];
    struct capture *cap =
        o.read_file ? capture_open_file(o.read_file, o.filter, err, sizeof err)
                    : capture_open_live(o.interface, o.filter, o.promisc, err, sizeof err);
    if (!cap) {
        log_error("%s", err);
        return EXIT_USAGE;
    }
    struct passive_run run = {.jsonl = o.jsonl};
    int load_rc = load_knowledge(&run, &o);
    if (load_rc == EXIT_OK && open_observations(&run, o.observations_file) != 0)
        load_rc = EXIT_USAGE;
    if (load_rc == EXIT_OK)
        load_rc = begin_store(&run, &o);
    if (load_rc != EXIT_OK) {
        if (run.store)
            store_close(run.store);
        if (run.obs_out && run.obs_out != stdout)
            fclose(run.obs_out);
        unload_knowledge(&run);
        capture_close(cap);
        return load_rc;
    }
    if (o.interface)
        log_info("passive: listening on '%s' (read only%s); Ctrl-C ends the capture", o.interface,
                 o.promisc ? ", promiscuous" : ", not promiscuous");
    struct passive *ps = passive_new(&o.limits);
    passive_set_observer(ps, write_observation, &run);
    running_capture = cap;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    int rc = read_capture(cap, ps);
    running_capture = NULL;
    passive_finish(ps, report_host, &run);
    end_store(&run);
    if (run.store_failed && rc == EXIT_OK)
        rc = EXIT_FAILURE_RUNTIME;
    const struct passive_stats *st = passive_get_stats(ps);
    log_info("passive: %llu frames, %zu hosts, %llu observations", (unsigned long long)st->frames,
             run.devices, (unsigned long long)st->observations);
    if (st->dropped_hosts || st->dropped_obs)
        log_warn("passive: limits reached: %llu new hosts and %llu observations not kept",
                 (unsigned long long)st->dropped_hosts, (unsigned long long)st->dropped_obs);
    if (run.obs_out && run.obs_out != stdout && fclose(run.obs_out) != 0)
        run.obs_write_failed = true;
    if (run.obs_write_failed) {
        log_error("cannot write '%s': %s", o.observations_file, strerror(errno));
        rc = rc == EXIT_OK ? EXIT_FAILURE_RUNTIME : rc;
    }
    passive_free(ps);
    unload_knowledge(&run);
    capture_close(cap);
    return rc;
}
