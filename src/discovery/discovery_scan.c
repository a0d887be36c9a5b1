/* discovery_scan.c — `scan --discover`: local discovery on the segments the
 * targets overlap, the unicast sweep of routed targets, and the merge of
 * both into the scan's per-host results. See discovery_scan.h. */
#include "discovery/discovery_scan.h"

#include "core/log.h"
#include "core/util.h"
#include "discovery/discovery.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <math.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_DISCOVER_WAIT_DEFAULT 3.0
#define SCAN_DISCOVER_WAIT_MAX 120.0
#define SEGMENTS_MAX 64

const char DISCOVERY_SCAN_OPTIONS_HELP[] =
    "  --discover        first search the local segments the targets overlap with the\n"
    "                    vendor discovery protocols (ONVIF, SADP, DHIP, Xiongmai, SSDP,\n"
    "                    mDNS) and ask routed targets by unicast (ONVIF, DHIP); answers\n"
    "                    join the scan's results, devices only discovery found are\n"
    "                    reported too (docs/DISCOVERY.md)\n"
    "  --udp-discovery   only the unicast part: ask each IPv4 target on UDP 3702 and\n"
    "                    37810 (paced by --rate)\n"
    "  --no-udp-discovery  with --discover: local segments only, no unicast sweep\n"
    "  --discover-wait S seconds to collect discovery answers (default 3)\n";

/* One local segment searched. */
struct segment {
    char name[IF_NAMESIZE];
    uint32_t net, mask; /* host order */
};

/* The discovery observations of one address. */
struct ds_host {
    char ip[OBS_IP_MAX];
    size_t *idx; /* into ds->obs */
    size_t count, cap;
    const char *via; /* "local discovery on eth0", "unicast discovery" */
    bool reported;
};

struct discovery_scan {
    struct discovery_obs_list obs;
    struct ds_host *hosts; /* sorted by ip text */
    size_t n_hosts;
    struct segment segments[SEGMENTS_MAX];
    size_t n_segments;
    char via[SEGMENTS_MAX + 1][IF_NAMESIZE + 32];
    struct target_set *targets;
    pthread_mutex_t lock;
    void (*on_host)(const struct engine_host *host, void *ctx);
    void *ctx;
};

int discovery_scan_consume(struct discovery_scan_options *o, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    if (strcmp(arg, "--discover") == 0)
        o->local = true;
    else if (strcmp(arg, "--udp-discovery") == 0)
        o->unicast = true;
    else if (strcmp(arg, "--no-udp-discovery") == 0)
        o->no_unicast = true;
    else if (strcmp(arg, "--discover-wait") == 0) {
        if (*i + 1 >= argc) {
            log_error("option '--discover-wait' needs a value");
            return -1;
        }
        const char *text = argv[++*i];
        char *end;
        errno = 0;
        double v = strtod(text, &end);
        if (errno || end == text || *end || !isfinite(v) || v <= 0 || v > SCAN_DISCOVER_WAIT_MAX) {
            log_error("invalid value '%s' for --discover-wait: expected seconds from 0 to %.0f",
                      text, SCAN_DISCOVER_WAIT_MAX);
            return -1;
        }
        o->wait = v;
    } else
        return 0;
    return 1;
}

static struct target_addr ipv4_addr(uint32_t host_order)
{
    struct target_addr a = {.family = AF_INET};
    a.bytes[0] = (uint8_t)(host_order >> 24);
    a.bytes[1] = (uint8_t)(host_order >> 16);
    a.bytes[2] = (uint8_t)(host_order >> 8);
    a.bytes[3] = (uint8_t)host_order;
    return a;
}

static bool segment_listed(const struct discovery_scan *ds, const char *name)
{
    for (size_t i = 0; i < ds->n_segments; i++)
        if (strcmp(ds->segments[i].name, name) == 0)
            return true;
    return false;
}

/* The up, non-loopback IPv4 interfaces whose subnet overlaps the targets. */
static void find_segments(struct discovery_scan *ds)
{
    struct ifaddrs *list;
    if (getifaddrs(&list) != 0) {
        log_warn("discovery: cannot list interfaces: %s", strerror(errno));
        return;
    }
    for (struct ifaddrs *ifa = list; ifa && ds->n_segments < SEGMENTS_MAX; ifa = ifa->ifa_next) {
        if (!ifa->ifa_addr || !ifa->ifa_netmask || ifa->ifa_addr->sa_family != AF_INET ||
            !(ifa->ifa_flags & IFF_UP) || (ifa->ifa_flags & IFF_LOOPBACK) ||
            strlen(ifa->ifa_name) >= IF_NAMESIZE || segment_listed(ds, ifa->ifa_name))
            continue;
        uint32_t addr = ntohl(((struct sockaddr_in *)ifa->ifa_addr)->sin_addr.s_addr);
        uint32_t mask = ntohl(((struct sockaddr_in *)ifa->ifa_netmask)->sin_addr.s_addr);
        struct target_addr first = ipv4_addr(addr & mask), last = ipv4_addr(addr | ~mask);
        if (target_set_count_between(ds->targets, &first, &last) == 0)
            continue;
        struct segment *s = &ds->segments[ds->n_segments++];
        snprintf(s->name, sizeof s->name, "%s", ifa->ifa_name);
        s->net = addr & mask;
        s->mask = mask;
    }
    freeifaddrs(list);
}

static bool on_searched_segment(const struct discovery_scan *ds, uint32_t host_order)
{
    for (size_t i = 0; i < ds->n_segments; i++)
        if ((host_order & ds->segments[i].mask) == ds->segments[i].net)
            return true;
    return false;
}

/* Searches each segment; via_of[k] says how observation k was found. */
static void search_segments(struct discovery_scan *ds, double wait, const char ***via_of,
                            size_t *via_cap)
{
    for (size_t i = 0; i < ds->n_segments; i++) {
        struct discovery_options opts = {
            .interface = ds->segments[i].name, .wait = wait, .fetch_upnp = true};
        char err[256];
        size_t before = ds->obs.count;
        log_info("discovery: searching the segment of %s for %.1f s", opts.interface, wait);
        if (discovery_run(&opts, &ds->obs, err, sizeof err) < 0)
            log_warn("discovery on %s: %s", opts.interface, err);
        snprintf(ds->via[i], sizeof ds->via[i], "local discovery on %s", opts.interface);
        if (ds->obs.count > *via_cap) {
            *via_of = xrealloc(*via_of, ds->obs.count * sizeof **via_of);
            *via_cap = ds->obs.count;
        }
        for (size_t k = before; k < ds->obs.count; k++)
            (*via_of)[k] = ds->via[i];
    }
}

/* The unicast sweep walks the targets (the scan's seed and shard) and skips
 * what a segment search already covered. */
struct sweep_ctx {
    struct discovery_scan *ds;
    struct target_iter *it;
    uint64_t asked;
};

static bool sweep_next(void *ctx, struct in_addr *out)
{
    struct sweep_ctx *sc = ctx;
    struct target_addr a;
    while (target_iter_next(sc->it, &a)) {
        if (a.family != AF_INET)
            continue;
        uint32_t v = (uint32_t)a.bytes[0] << 24 | (uint32_t)a.bytes[1] << 16 |
                     (uint32_t)a.bytes[2] << 8 | a.bytes[3];
        if (on_searched_segment(sc->ds, v))
            continue;
        out->s_addr = htonl(v);
        sc->asked++;
        return true;
    }
    return false;
}

static bool sweep_accept(void *ctx, struct in_addr from)
{
    struct sweep_ctx *sc = ctx;
    uint32_t v = ntohl(from.s_addr);
    struct target_addr a = ipv4_addr(v);
    return !on_searched_segment(sc->ds, v) &&
           target_set_count_between(sc->ds->targets, &a, &a) == 1;
}

static void sweep_routed(struct discovery_scan *ds, const struct engine_config *cfg, double rate,
                         double wait, const char ***via_of, size_t *via_cap)
{
    struct sweep_ctx sc = {ds,
                           target_iter_new(ds->targets, cfg->seed, cfg->shard_index,
                                           cfg->shard_count ? cfg->shard_count : 1),
                           0};
    struct discovery_sweep sw = {
        .next = sweep_next, .accept = sweep_accept, .ctx = &sc, .rate = rate, .wait = wait};
    char err[256];
    size_t before = ds->obs.count;
    int n = discovery_unicast_sweep(&sw, &ds->obs, err, sizeof err);
    target_iter_free(sc.it);
    if (n < 0) {
        log_warn("unicast discovery: %s", err);
        return;
    }
    log_info("discovery: asked %llu routed address(es) by unicast (UDP 3702, 37810): %d answers",
             (unsigned long long)sc.asked, n);
    snprintf(ds->via[SEGMENTS_MAX], sizeof ds->via[SEGMENTS_MAX], "unicast discovery");
    if (ds->obs.count > *via_cap) {
        *via_of = xrealloc(*via_of, ds->obs.count * sizeof **via_of);
        *via_cap = ds->obs.count;
    }
    for (size_t k = before; k < ds->obs.count; k++)
        (*via_of)[k] = ds->via[SEGMENTS_MAX];
}

static int compare_hosts(const void *a, const void *b)
{
    return strcmp(((const struct ds_host *)a)->ip, ((const struct ds_host *)b)->ip);
}

static struct ds_host *find_host(const struct discovery_scan *ds, const char *ip)
{
    struct ds_host key;
    snprintf(key.ip, sizeof key.ip, "%s", ip);
    return bsearch(&key, ds->hosts, ds->n_hosts, sizeof *ds->hosts, compare_hosts);
}

/* Groups the observations by address, leaving out excluded addresses (a
 * broadcast reaches them too; the user asked not to touch them). */
static void index_hosts(struct discovery_scan *ds, const char **via_of)
{
    ds->hosts = xcalloc(ds->obs.count + 1, sizeof *ds->hosts);
    for (size_t i = 0; i < ds->obs.count; i++) {
        const struct observation *o = &ds->obs.items[i];
        struct target_addr a;
        if (target_addr_parse(o->ip, &a) && target_set_is_excluded(ds->targets, &a))
            continue;
        size_t h = 0;
        while (h < ds->n_hosts && strcmp(ds->hosts[h].ip, o->ip) != 0)
            h++;
        if (h == ds->n_hosts) {
            snprintf(ds->hosts[h].ip, sizeof ds->hosts[h].ip, "%s", o->ip);
            ds->hosts[h].via = via_of[i];
            ds->n_hosts++;
        }
        /* Each host's index grows with its own observations: sizing it by
         * all of them would cost hosts x observations (thousands of spoofed
         * senders on a hostile segment). */
        struct ds_host *host = &ds->hosts[h];
        if (host->count == host->cap) {
            host->cap = host->cap ? host->cap * 2 : 8;
            host->idx = xrealloc(host->idx, host->cap * sizeof *host->idx);
        }
        host->idx[host->count++] = i;
    }
    qsort(ds->hosts, ds->n_hosts, sizeof *ds->hosts, compare_hosts);
}

/* The engine's host with the discovery observations of its address added. */
static void merged_on_host(const struct engine_host *host, void *ctx)
{
    struct discovery_scan *ds = ctx;
    struct ds_host *h = find_host(ds, host->ip);
    if (!h) {
        ds->on_host(host, ds->ctx);
        return;
    }
    pthread_mutex_lock(&ds->lock);
    h->reported = true;
    pthread_mutex_unlock(&ds->lock);
    struct observation *merged = xcalloc(host->obs_count + h->count, sizeof *merged);
    if (host->obs_count)
        memcpy(merged, host->obs, host->obs_count * sizeof *merged);
    for (size_t j = 0; j < h->count; j++)
        merged[host->obs_count + j] = ds->obs.items[h->idx[j]]; /* shallow: the list owns them */
    struct engine_host copy = *host;
    copy.obs = merged;
    copy.obs_count = host->obs_count + h->count;
    ds->on_host(&copy, ds->ctx);
    free(merged);
}

struct discovery_scan *discovery_scan_start(const struct discovery_scan_options *o,
                                            struct target_set *targets, double rate,
                                            struct engine_config *cfg)
{
    bool unicast = (o->local || o->unicast) && !o->no_unicast;
    if (!o->local && !unicast)
        return NULL;
    struct discovery_scan *ds = xcalloc(1, sizeof *ds);
    ds->targets = targets;
    pthread_mutex_init(&ds->lock, NULL);
    double wait = o->wait > 0 ? o->wait : SCAN_DISCOVER_WAIT_DEFAULT;
    const char **via_of = NULL;
    size_t via_cap = 0;
    if (o->local) {
        find_segments(ds);
        if (!ds->n_segments)
            log_info("discovery: no local segment overlaps the targets");
        search_segments(ds, wait, &via_of, &via_cap);
    }
    if (unicast)
        sweep_routed(ds, cfg, rate, wait, &via_of, &via_cap);
    index_hosts(ds, via_of);
    free(via_of);
    log_info("discovery: %zu observations of %zu hosts join the scan", ds->obs.count, ds->n_hosts);
    ds->on_host = cfg->on_host;
    ds->ctx = cfg->ctx;
    cfg->on_host = merged_on_host;
    cfg->ctx = ds;
    return ds;
}

/* Why a host that discovery found is not among the scan's. */
static void only_reason(const struct discovery_scan *ds, const struct ds_host *h, char *out,
                        size_t size)
{
    struct target_addr a;
    bool target = target_addr_parse(h->ip, &a) && target_set_count_between(ds->targets, &a, &a);
    snprintf(out, size, "%s, found by %s", target ? "no scanned port answered" : "not a target",
             h->via ? h->via : "discovery");
}

static void report_discovery_only(struct discovery_scan *ds, struct ds_host *h)
{
    struct observation *obs = xcalloc(h->count + 1, sizeof *obs);
    for (size_t j = 0; j < h->count; j++)
        obs[j] = ds->obs.items[h->idx[j]];
    char reason[160];
    only_reason(ds, h, reason, sizeof reason);
    struct observation *only = &obs[h->count];
    observation_init(only, h->ip, 0, "udp", "discovery.only", "discovery/scan",
                     h->count ? obs[0].mac : NULL, reason, strlen(reason));
    only->time = time_now();
    struct engine_host host = {.ip = h->ip, .obs = obs, .obs_count = h->count + 1};
    ds->on_host(&host, ds->ctx);
    observation_clear(only);
    free(obs);
}

void discovery_scan_finish(struct discovery_scan *ds)
{
    if (!ds)
        return;
    for (size_t i = 0; i < ds->n_hosts; i++) {
        if (!ds->hosts[i].reported)
            report_discovery_only(ds, &ds->hosts[i]);
        free(ds->hosts[i].idx);
    }
    free(ds->hosts);
    discovery_obs_list_free(&ds->obs);
    pthread_mutex_destroy(&ds->lock);
    free(ds);
}

void discovery_scan_annotate(struct device *dev, const struct observation *obs, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(obs[i].signal, "discovery.only") == 0 ||
            strcmp(obs[i].signal, "discovery.misaddressed") == 0)
            device_add_evidence(dev, obs[i].signal, obs[i].value, obs[i].port, obs[i].source, NULL,
                                0);
}
