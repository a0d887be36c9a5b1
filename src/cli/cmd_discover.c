/* cmd_discover.c — `camaudit discover --interface IF`: sends each vendor
 * discovery request once on one local segment, collects the answers, and
 * prints one line per answering host (a table, or JSON lines with --jsonl).
 * Every fact also goes out as observation JSONL with --observations FILE,
 * so `camaudit identify`, the store and reports take it like any scan.
 * A host whose own address is outside the interface's subnet is shown as
 * misaddressed (the "misaddressed" field; see docs/DISCOVERY.md). */
#include "cli/commands.h"
#include "cli/table.h"
#include "core/log.h"
#include "core/util.h"
#include "discovery/discovery.h"
#include "identify/device.h"

#if __has_include("identify/identify.h")
#include "identify/identify.h"
#define HAVE_IDENTIFY 1
#endif
#if __has_include("policy/policy.h")
#include "policy/policy.h"
#define HAVE_POLICY 1
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
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

/* True when the comma-separated list holds name as one of its items. */
static bool list_has(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

/* The protocols that answered, "sadp,onvif" (source discovery/<name>). */
static void host_protocols(const struct host *h, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < h->count; i++) {
        const char *src = h->obs[i]->source;
        if (strncmp(src, "discovery/", 10) != 0 || strcmp(src + 10, "neigh") == 0)
            continue;
        const char *name = src + 10;
        if (list_has(out, name))
            continue;
        size_t len = strlen(out), n = strlen(name);
        if (len + 1 + n >= size)
            continue; /* a shorter name may still fit */
        if (len)
            out[len++] = ',';
        memcpy(out + len, name, n + 1);
    }
}

static void set_text(json_t *obj, const char *key, const char *value)
{
    json_object_set_new(obj, key, value ? json_string(value) : json_null());
}

/* What identify and policy need, loaded once (empty in builds without them). */
struct knowledge {
#ifdef HAVE_IDENTIFY
    struct identifier *identifier;
#endif
#ifdef HAVE_POLICY
    struct policy_set *policies;
#endif
    int unused;
};

static int knowledge_load(struct knowledge *k)
{
    char err[512] = "";
    memset(k, 0, sizeof *k);
    (void)err;
#ifdef HAVE_IDENTIFY
    if (!(k->identifier = identifier_load(NULL, 0, err, sizeof err))) {
        log_error("cannot load fingerprints: %s", err);
        return -1;
    }
#endif
#ifdef HAVE_POLICY
    if (!(k->policies = policy_set_load(NULL, NULL, 0, err, sizeof err))) {
        log_error("cannot load policies: %s", err);
        return -1;
    }
#endif
    return 0;
}

static void knowledge_free(struct knowledge *k)
{
#ifdef HAVE_IDENTIFY
    identifier_free(k->identifier);
#endif
#ifdef HAVE_POLICY
    policy_set_free(k->policies);
#endif
    (void)k;
}

/* The device record of a host: identify's verdict (and policy's findings)
 * when this build has them, else the address and MAC only. */
static json_t *host_device_json(const struct knowledge *k, const struct host *h)
{
    struct observation *flat = xcalloc(h->count, sizeof *flat);
    for (size_t i = 0; i < h->count; i++)
        flat[i] = *h->obs[i]; /* shallow: values stay owned by the list */
#ifdef HAVE_IDENTIFY
    struct device *dev = identify_host(k->identifier, flat, h->count);
#else
    struct device *dev = device_new(h->ip);
    (void)k;
#endif
    const char *mac = host_value(h, "mac");
    if (mac && !dev->mac[0])
        strlcpy_safe(dev->mac, mac, sizeof dev->mac);
#ifdef HAVE_POLICY
    policy_evaluate(k->policies, dev, flat, h->count);
#endif
    json_t *obj = device_to_json(dev);
    device_free(dev);
    free(flat);
    return obj;
}

/* Sets key from a discovery claim when identify left it empty. */
static void fill_claim(json_t *obj, const char *key, const struct host *h, const char *signal)
{
    const char *claim = host_value(h, signal);
    if (claim && !json_is_string(json_object_get(obj, key)))
        json_object_set_new(obj, key, json_string(claim));
}

/* One host line: the device record plus what discovery adds to it. */
static json_t *host_to_json(const struct knowledge *k, const struct host *h)
{
    json_t *obj = host_device_json(k, h);
    /* Without identify, the device's own claims stand in (never the maker). */
    fill_claim(obj, "model", h, "discovery.model");
    fill_claim(obj, "serial", h, "discovery.serial");
    fill_claim(obj, "firmware", h, "discovery.firmware");
    set_text(obj, "advertised_manufacturer", host_value(h, "discovery.manufacturer"));
    set_text(obj, "name", host_value(h, "discovery.name"));
    set_text(obj, "own_ip_config", host_fullest_value(h, "discovery.ip_config"));
    const char *activated = host_value(h, "discovery.activated");
    json_object_set_new(obj, "activated",
                        activated ? json_boolean(strcmp(activated, "true") == 0) : json_null());
    set_text(obj, "misaddressed", host_value(h, "discovery.misaddressed"));
    char protocols[512];
    host_protocols(h, protocols, sizeof protocols);
    json_t *list = json_array();
    for (char *save = NULL, *p = strtok_r(protocols, ",", &save); p; p = strtok_r(NULL, ",", &save))
        json_array_append_new(list, json_string(p));
    json_object_set_new(obj, "protocols", list);
    json_object_set_new(obj, "observations", json_integer((json_int_t)h->count));
    return obj;
}

static const char *field(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s && *s ? s : "-";
}

/* The restriction lists that say "restricted", comma-separated. */
static void restricted_by(const json_t *obj, char *out, size_t size)
{
    out[0] = '\0';
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(obj, "findings"), i, f)
    {
        if (strcmp(field(f, "verdict"), "restricted") != 0)
            continue;
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", len ? "," : "", field(f, "id"));
    }
}

static const int discover_columns[] = {15, 17, 12, 20, 24, 18, 0};

static void print_table_row(const json_t *obj)
{
    char protocols[256] = "", notes[512] = "", lists[256];
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(obj, "protocols"), i, p)
    {
        size_t len = strlen(protocols);
        snprintf(protocols + len, sizeof protocols - len, "%s%s", i ? "," : "",
                 json_string_value(p));
    }
    const char *mis = json_string_value(json_object_get(obj, "misaddressed"));
    if (mis)
        snprintf(notes, sizeof notes, "misaddressed (%s)", mis);
    if (json_is_false(json_object_get(obj, "activated"))) {
        size_t len = strlen(notes);
        snprintf(notes + len, sizeof notes - len, "%snot activated", len ? "; " : "");
    }
    restricted_by(obj, lists, sizeof lists);
    if (lists[0]) {
        size_t len = strlen(notes);
        snprintf(notes + len, sizeof notes - len, "%srestricted: %s", len ? "; " : "", lists);
    }
    const char *const cells[] = {field(obj, "ip"),
                                 field(obj, "mac"),
                                 field(obj, "manufacturer"),
                                 field(obj, "model"),
                                 field(obj, "firmware"),
                                 protocols,
                                 notes};
    table_row(stdout, discover_columns, sizeof cells / sizeof cells[0], cells);
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

static int print_hosts(const struct discover_args *a, const struct discovery_obs_list *list)
{
    struct knowledge k;
    if (knowledge_load(&k) != 0) {
        knowledge_free(&k);
        return -1;
    }
    size_t n;
    struct host *hosts = group_by_host(list, &n);
    if (!a->jsonl) {
        static const char *const header[] = {"IP",       "MAC",       "MANUFACTURER", "MODEL",
                                             "FIRMWARE", "PROTOCOLS", "NOTES"};
        table_row(stdout, discover_columns, sizeof header / sizeof header[0], header);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *obj = host_to_json(&k, &hosts[i]);
        if (a->jsonl) {
            char *line = json_dumps(obj, JSON_COMPACT);
            puts(line);
            free(line);
        } else {
            print_table_row(obj);
        }
        json_decref(obj);
    }
    free_hosts(hosts, n);
    knowledge_free(&k);
    return 0;
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
    if ((!a.observations_path || strcmp(a.observations_path, "-") != 0) &&
        print_hosts(&a, &list) != 0)
        rc = EXIT_FAILURE_RUNTIME;
    log_info("discover: %d answers, %zu observations", answers, list.count);
    discovery_obs_list_free(&list);
    return rc;
}
