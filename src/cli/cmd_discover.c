/* cmd_discover.c — `camaudit discover --interface IF`: sends each vendor
 * discovery request once on one local segment, collects the answers, and
 * prints one line per answering host (a table, or JSON lines with --jsonl).
 * Every fact also goes out as observation JSONL with --observations FILE,
 * so `camaudit identify`, the store and reports take it like any scan.
 * A host whose own address is outside the interface's subnet is shown as
 * misaddressed (the "misaddressed" field; see docs/DISCOVERY.md). */
#include "cli/commands.h"
#include "core/log.h"
#include "core/util.h"
#include "discovery/discovery.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DISCOVER_WAIT_DEFAULT 3.0
#define DISCOVER_WAIT_MAX 120.0

struct discover_args {
    const char *interface;
    double wait;
    bool jsonl;
    bool fetch_upnp;
    const char *observations_path;
    const char *unicast; /* comma-separated IPv4 addresses, or NULL */
};

static void discover_usage(FILE *out)
{
    fprintf(out,
            "usage: camaudit discover --interface IF [--wait S] [--jsonl] [--observations FILE]\n"
            "       camaudit discover --unicast IP[,IP...] [--wait S] [--jsonl] [...]\n"
            "Sends each vendor discovery request once on the local segment of IF (ONVIF\n"
            "WS-Discovery, Hikvision SADP, Dahua DHIP and 5050, Xiongmai, SSDP/UPnP, mDNS),\n"
            "collects every answer and prints one line per answering host.\n"
            "  --interface IF        the interface whose segment to search (required)\n"
            "  --wait S              seconds to collect answers (default %.0f, max %.0f)\n"
            "  --jsonl               one JSON object per host instead of a table\n"
            "  --observations FILE   also write every observation as JSONL ('-': stdout)\n"
            "  --no-upnp             do not fetch the UPnP descriptions SSDP answers name\n"
            "  --unicast LIST        instead, ask these (routed) addresses directly with the\n"
            "                        protocols that answer unicast (ONVIF, DHIP)\n",
            DISCOVER_WAIT_DEFAULT, DISCOVER_WAIT_MAX);
}

static int parse_wait(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v > 0) || v > DISCOVER_WAIT_MAX) {
        log_error("bad --wait '%s': seconds between 0 and %.0f expected", text, DISCOVER_WAIT_MAX);
        return -1;
    }
    *out = v;
    return 0;
}

/* Returns 0 to run, 1 when help was printed, -1 on bad usage. */
static int parse_args(int argc, char **argv, struct discover_args *a)
{
    *a = (struct discover_args){.wait = DISCOVER_WAIT_DEFAULT, .fetch_upnp = true};
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0) {
            discover_usage(stdout);
            return 1;
        } else if (strcmp(opt, "--jsonl") == 0) {
            a->jsonl = true;
        } else if (strcmp(opt, "--no-upnp") == 0) {
            a->fetch_upnp = false;
        } else if ((strcmp(opt, "--interface") == 0 || strcmp(opt, "-i") == 0) && has_value) {
            a->interface = argv[++i];
        } else if (strcmp(opt, "--wait") == 0 && has_value) {
            if (parse_wait(argv[++i], &a->wait) != 0)
                return -1;
        } else if (strcmp(opt, "--unicast") == 0 && has_value) {
            a->unicast = argv[++i];
        } else if (strcmp(opt, "--observations") == 0 && has_value) {
            a->observations_path = argv[++i];
        } else if (opt[0] == '-' && !has_value && strcmp(opt, "--jsonl") != 0) {
            log_error("option '%s' needs a value or is unknown for 'discover'", opt);
            return -1;
        } else {
            log_error("unknown argument '%s' for 'discover'", opt);
            return -1;
        }
    }
    if (!a->interface == !a->unicast) {
        log_error(
            "discover needs --interface IF or --unicast LIST (see 'camaudit discover --help')");
        return -1;
    }
    return 0;
}

/* The observations of one host, in the order first seen. */
struct host {
    const char *ip;
    const struct observation **obs;
    size_t count;
};

/* Orders hosts by IPv4 address (others after, by text). */
static int compare_hosts(const void *a, const void *b)
{
    const struct host *x = a, *y = b;
    struct in_addr ax, ay;
    bool vx = inet_pton(AF_INET, x->ip, &ax) == 1, vy = inet_pton(AF_INET, y->ip, &ay) == 1;
    if (vx && vy && ax.s_addr != ay.s_addr)
        return ntohl(ax.s_addr) < ntohl(ay.s_addr) ? -1 : 1;
    if (vx != vy)
        return vx ? -1 : 1;
    return strcmp(x->ip, y->ip);
}

static struct host *group_by_host(const struct discovery_obs_list *list, size_t *n_hosts)
{
    struct host *hosts = xcalloc(list->count + 1, sizeof *hosts);
    size_t n = 0;
    for (size_t i = 0; i < list->count; i++) {
        const struct observation *o = &list->items[i];
        size_t h = 0;
        while (h < n && strcmp(hosts[h].ip, o->ip) != 0)
            h++;
        if (h == n) {
            hosts[n].ip = o->ip;
            hosts[n++].obs = xcalloc(list->count, sizeof(struct observation *));
        }
        hosts[h].obs[hosts[h].count++] = o;
    }
    qsort(hosts, n, sizeof *hosts, compare_hosts);
    *n_hosts = n;
    return hosts;
}

static void free_hosts(struct host *hosts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(hosts[i].obs);
    free(hosts);
}

/* First value of a signal for the host, or NULL. */
static const char *host_value(const struct host *h, const char *signal)
{
    for (size_t i = 0; i < h->count; i++)
        if (strcmp(h->obs[i]->signal, signal) == 0)
            return h->obs[i]->value;
    return NULL;
}

/* The longest value of a signal: the fullest of several protocols' claims
 * (SADP's ip_config carries mask and gateway, mDNS's only the address). */
static const char *host_fullest_value(const struct host *h, const char *signal)
{
    const char *best = NULL;
    for (size_t i = 0; i < h->count; i++)
        if (strcmp(h->obs[i]->signal, signal) == 0 &&
            (!best || strlen(h->obs[i]->value) > strlen(best)))
            best = h->obs[i]->value;
    return best;
}

/* The protocols that answered, "sadp,onvif" (source discovery/<name>). */
static void host_protocols(const struct host *h, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < h->count; i++) {
        const char *src = h->obs[i]->source;
        if (strncmp(src, "discovery/", 10) != 0 || strcmp(src + 10, "neigh") == 0)
            continue;
        char item[OBS_NAME_MAX + 2];
        snprintf(item, sizeof item, ",%s,", src + 10);
        char padded[512];
        snprintf(padded, sizeof padded, ",%s,", out);
        if (strstr(padded, item))
            continue;
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", len ? "," : "", src + 10);
    }
}

static void set_text(json_t *obj, const char *key, const char *value)
{
    json_object_set_new(obj, key, value ? json_string(value) : json_null());
}

static json_t *host_to_json(const struct host *h)
{
    char protocols[512];
    host_protocols(h, protocols, sizeof protocols);
    json_t *obj = json_object();
    set_text(obj, "ip", h->ip);
    set_text(obj, "mac", host_value(h, "mac"));
    set_text(obj, "advertised_manufacturer", host_value(h, "discovery.manufacturer"));
    set_text(obj, "model", host_value(h, "discovery.model"));
    set_text(obj, "serial", host_value(h, "discovery.serial"));
    set_text(obj, "firmware", host_value(h, "discovery.firmware"));
    set_text(obj, "name", host_value(h, "discovery.name"));
    set_text(obj, "own_ip_config", host_fullest_value(h, "discovery.ip_config"));
    const char *activated = host_value(h, "discovery.activated");
    json_object_set_new(obj, "activated",
                        activated ? json_boolean(strcmp(activated, "true") == 0) : json_null());
    set_text(obj, "misaddressed", host_value(h, "discovery.misaddressed"));
    json_t *list = json_array();
    for (char *save = NULL, *p = strtok_r(protocols, ",", &save); p; p = strtok_r(NULL, ",", &save))
        json_array_append_new(list, json_string(p));
    json_object_set_new(obj, "protocols", list);
    json_object_set_new(obj, "observations", json_integer((json_int_t)h->count));
    return obj;
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static void print_table(const struct host *hosts, size_t n)
{
    printf("%-15s %-17s %-22s %-20s %-28s %s\n", "IP", "MAC", "PROTOCOLS", "MODEL", "FIRMWARE",
           "NOTES");
    for (size_t i = 0; i < n; i++) {
        const struct host *h = &hosts[i];
        char protocols[512], notes[256] = "";
        host_protocols(h, protocols, sizeof protocols);
        const char *mis = host_value(h, "discovery.misaddressed");
        const char *act = host_value(h, "discovery.activated");
        if (mis)
            snprintf(notes, sizeof notes, "misaddressed (%s)", mis);
        if (act && strcmp(act, "false") == 0) {
            size_t len = strlen(notes);
            snprintf(notes + len, sizeof notes - len, "%snot activated", len ? "; " : "");
        }
        printf("%-15s %-17s %-22s %-20.20s %-28.28s %s\n", h->ip, or_dash(host_value(h, "mac")),
               or_dash(protocols), or_dash(host_value(h, "discovery.model")),
               or_dash(host_value(h, "discovery.firmware")), notes);
    }
}

static int write_observations(const char *path, const struct discovery_obs_list *list)
{
    FILE *out = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!out) {
        log_error("cannot write observations file '%s': %s", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < list->count && rc == 0; i++)
        rc = observation_write_jsonl(out, &list->items[i]);
    if (out != stdout && fclose(out) != 0)
        rc = -1;
    if (rc != 0)
        log_error("cannot write observations file '%s': %s", path, strerror(errno));
    return rc;
}

static void print_hosts(const struct discover_args *a, const struct discovery_obs_list *list)
{
    size_t n;
    struct host *hosts = group_by_host(list, &n);
    if (a->jsonl) {
        for (size_t i = 0; i < n; i++) {
            json_t *obj = host_to_json(&hosts[i]);
            char *line = json_dumps(obj, JSON_COMPACT);
            puts(line);
            free(line);
            json_decref(obj);
        }
    } else {
        print_table(hosts, n);
    }
    free_hosts(hosts, n);
}

/* Asks each address of the list directly; answers go to list. */
static int run_unicast(const char *addresses, double wait, struct discovery_obs_list *list)
{
    char *copy = xstrdup(addresses), *save = NULL;
    int total = 0;
    for (char *ip = strtok_r(copy, ",", &save); ip; ip = strtok_r(NULL, ",", &save)) {
        char err[256];
        int n = discovery_unicast(ip, wait, list, err, sizeof err);
        if (n < 0) {
            log_error("discover: %s", err);
            total = -1;
            break;
        }
        total += n;
    }
    free(copy);
    return total;
}

int cmd_discover(int argc, char **argv)
{
    struct discover_args a;
    int prc = parse_args(argc, argv, &a);
    if (prc != 0)
        return prc > 0 ? EXIT_OK : EXIT_USAGE;
    struct discovery_options opts = {
        .interface = a.interface, .wait = a.wait, .fetch_upnp = a.fetch_upnp};
    struct discovery_obs_list list = {0};
    char err[256];
    int answers;
    if (a.unicast) {
        if ((answers = run_unicast(a.unicast, a.wait, &list)) < 0) {
            discovery_obs_list_free(&list);
            return EXIT_USAGE;
        }
    } else {
        log_info("discover: searching the segment of %s for %.1f s", a.interface, a.wait);
        answers = discovery_run(&opts, &list, err, sizeof err);
    }
    if (answers < 0) {
        log_error("discover: %s", err);
        return strstr(err, "no network interface") || strstr(err, "no IPv4") ? EXIT_USAGE
                                                                             : EXIT_FAILURE_RUNTIME;
    }
    int rc = EXIT_OK;
    if (a.observations_path && write_observations(a.observations_path, &list) != 0)
        rc = EXIT_FAILURE_RUNTIME;
    if (!a.observations_path || strcmp(a.observations_path, "-") != 0)
        print_hosts(&a, &list);
    log_info("discover: %d answers, %zu observations", answers, list.count);
    discovery_obs_list_free(&list);
    return rc;
}
