/* passive.c — the passive engine: dispatch of decoded frames to dissectors
 * and the bounded, deduplicating per-host store of their observations. */
#include "passive/passive.h"

#include "core/util.h"
#include "passive/dissect.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* Host keys: kind 4 or 6 with an address, or kind 0 with a MAC (hosts seen
 * only by MAC, such as DHCP clients before their address is known). */
struct host_key {
    uint8_t kind;
    uint8_t addr[16];
};

struct host {
    struct host_key key;
    char ip[OBS_IP_MAX];
    char mac[OBS_MAC_MAX];
    struct observation *obs;
    size_t count, cap;
    uint64_t *seen; /* open-addressed set of observation hashes (0 = empty) */
    size_t seen_cap;
    bool merged; /* folded into another host by passive_finish */
};

struct passive {
    struct passive_limits limits;
    struct passive_stats stats;
    struct host **hosts; /* open-addressed table */
    size_t host_cap, host_count;
    size_t stored_bytes; /* observations and their values, for limits.max_bytes */
    const struct dissector *current;
    void (*observer)(const struct observation *obs, void *arg);
    void *observer_arg;
    /* Dispatch tables built from passive_dissectors: bit i = dissector i. */
    uint32_t udp_ports[65536];
    uint32_t tcp_ports[65536];
    uint32_t udp_any, tcp_any;
    uint32_t tcp_closers; /* TCP dissectors with a finish hook: told of FIN/RST */
    void *states[32];     /* per dissector, index as in passive_dissectors */
    size_t current_index;
};

static uint64_t hash_bytes(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t hash_key(const struct host_key *k)
{
    return hash_bytes(0xcbf29ce484222325ULL, k, sizeof *k);
}

static void build_dispatch(struct passive *ps)
{
    for (size_t i = 0; passive_dissectors[i]; i++) {
        const struct dissector *d = passive_dissectors[i];
        uint32_t bit = 1u << i;
        uint32_t *map = d->l4 == L4_UDP ? ps->udp_ports : ps->tcp_ports;
        if (d->l4 == L4_NONE)
            continue;
        bool any_port = true;
        for (size_t j = 0; j < DISSECTOR_MAX_PORTS && d->ports[j]; j++) {
            map[d->ports[j]] |= bit;
            any_port = false;
        }
        if (any_port)
            *(d->l4 == L4_UDP ? &ps->udp_any : &ps->tcp_any) |= bit;
        if (d->l4 == L4_TCP && d->finish)
            ps->tcp_closers |= bit;
    }
}

struct passive *passive_new(const struct passive_limits *limits)
{
    struct passive *ps = xcalloc(1, sizeof *ps);
    ps->limits.max_hosts =
        limits && limits->max_hosts ? limits->max_hosts : PASSIVE_DEFAULT_MAX_HOSTS;
    ps->limits.max_obs_per_host =
        limits && limits->max_obs_per_host ? limits->max_obs_per_host : PASSIVE_DEFAULT_MAX_OBS;
    ps->limits.max_bytes =
        limits && limits->max_bytes ? limits->max_bytes : PASSIVE_DEFAULT_MAX_BYTES;
    ps->host_cap = 64;
    ps->hosts = xcalloc(ps->host_cap, sizeof *ps->hosts);
    build_dispatch(ps);
    for (size_t i = 0; passive_dissectors[i]; i++)
        if (passive_dissectors[i]->state_new)
            ps->states[i] = passive_dissectors[i]->state_new();
    return ps;
}

static void host_free(struct host *h)
{
    for (size_t i = 0; i < h->count; i++)
        observation_clear(&h->obs[i]);
    free(h->obs);
    free(h->seen);
    free(h);
}

void passive_free(struct passive *ps)
{
    if (!ps)
        return;
    for (size_t i = 0; i < ps->host_cap; i++)
        if (ps->hosts[i])
            host_free(ps->hosts[i]);
    free(ps->hosts);
    for (size_t i = 0; passive_dissectors[i]; i++)
        if (ps->states[i])
            passive_dissectors[i]->state_free(ps->states[i]);
    free(ps);
}

void passive_set_observer(struct passive *ps, void (*fn)(const struct observation *, void *),
                          void *arg)
{
    ps->observer = fn;
    ps->observer_arg = arg;
}

const struct passive_stats *passive_get_stats(const struct passive *ps)
{
    return &ps->stats;
}

static size_t host_slot(const struct passive *ps, const struct host_key *k)
{
    size_t mask = ps->host_cap - 1;
    size_t i = (size_t)hash_key(k) & mask;
    while (ps->hosts[i] && memcmp(&ps->hosts[i]->key, k, sizeof *k) != 0)
        i = (i + 1) & mask;
    return i;
}

static void hosts_grow(struct passive *ps)
{
    struct host **old = ps->hosts;
    size_t old_cap = ps->host_cap;
    ps->host_cap *= 2;
    ps->hosts = xcalloc(ps->host_cap, sizeof *ps->hosts);
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            ps->hosts[host_slot(ps, &old[i]->key)] = old[i];
    free(old);
}

static void key_format(const struct host_key *k, char ip[OBS_IP_MAX], char mac[OBS_MAC_MAX])
{
    ip[0] = mac[0] = '\0';
    if (k->kind == 4)
        inet_ntop(AF_INET, k->addr, ip, OBS_IP_MAX);
    else if (k->kind == 6)
        inet_ntop(AF_INET6, k->addr, ip, OBS_IP_MAX);
    else
        packet_format_mac(k->addr, mac);
}

/* The host for k, created when new; NULL when the host limit is reached. */
static struct host *host_get(struct passive *ps, const struct host_key *k)
{
    size_t i = host_slot(ps, k);
    if (ps->hosts[i])
        return ps->hosts[i];
    if (ps->host_count >= ps->limits.max_hosts) {
        ps->stats.dropped_hosts++;
        return NULL;
    }
    struct host *h = xcalloc(1, sizeof *h);
    h->key = *k;
    key_format(k, h->ip, h->mac);
    ps->hosts[i] = h;
    ps->host_count++;
    if (ps->host_count * 2 > ps->host_cap)
        hosts_grow(ps);
    return h;
}

/* Adds hash to h's seen set; false when it was already there. */
static bool seen_insert(struct host *h, uint64_t hash)
{
    if (hash == 0)
        hash = 1;
    if ((h->count + 1) * 2 > h->seen_cap) {
        size_t cap = h->seen_cap ? h->seen_cap * 2 : 16;
        uint64_t *set = xcalloc(cap, sizeof *set);
        for (size_t i = 0; i < h->seen_cap; i++) {
            if (!h->seen[i])
                continue;
            size_t j = (size_t)h->seen[i] & (cap - 1);
            while (set[j])
                j = (j + 1) & (cap - 1);
            set[j] = h->seen[i];
        }
        free(h->seen);
        h->seen = set;
        h->seen_cap = cap;
    }
    size_t mask = h->seen_cap - 1;
    size_t i = (size_t)hash & mask;
    while (h->seen[i]) {
        if (h->seen[i] == hash)
            return false;
        i = (i + 1) & mask;
    }
    h->seen[i] = hash;
    return true;
}

static bool seen_contains(const struct host *h, uint64_t hash)
{
    if (hash == 0)
        hash = 1;
    if (!h->seen_cap)
        return false;
    size_t mask = h->seen_cap - 1;
    for (size_t i = (size_t)hash & mask; h->seen[i]; i = (i + 1) & mask)
        if (h->seen[i] == hash)
            return true;
    return false;
}

static const char *proto_name(const struct packet *pkt)
{
    if (pkt->l4 == L4_TCP)
        return "tcp";
    if (pkt->l4 == L4_UDP)
        return "udp";
    return "l2";
}

static void host_add(struct passive *ps, struct host *h, const struct packet *pkt, uint16_t port,
                     const char *signal, const void *value, size_t len)
{
    const char *nul = memchr(value, '\0', len);
    if (nul)
        len = (size_t)(nul - (const char *)value); /* values are C strings for every reader */
    if (len == 0)
        return;
    uint64_t hash = hash_bytes(0xcbf29ce484222325ULL, signal, strlen(signal));
    hash = hash_bytes(hash, &port, sizeof port);
    hash = hash_bytes(hash, value, len);
    if (seen_contains(h, hash))
        return;
    size_t cost = sizeof(struct observation) + len + 1;
    if (h->count >= ps->limits.max_obs_per_host || ps->stored_bytes + cost > ps->limits.max_bytes) {
        ps->stats.dropped_obs++;
        return;
    }
    ps->stored_bytes += cost;
    seen_insert(h, hash);
    if (h->count == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 8;
        h->obs = xrealloc(h->obs, h->cap * sizeof *h->obs);
    }
    char source[OBS_NAME_MAX];
    snprintf(source, sizeof source, "passive/%s", ps->current ? ps->current->name : "capture");
    struct observation *obs = &h->obs[h->count++];
    observation_init(obs, h->ip, port, proto_name(pkt), signal, source, h->mac, value, len);
    obs->time = pkt->time;
    ps->stats.observations++;
    if (ps->observer && h->key.kind != 0) /* MAC-only hosts: at passive_finish */
        ps->observer(obs, ps->observer_arg);
}

static void key_from_addr(struct host_key *k, int family, const uint8_t *addr)
{
    memset(k, 0, sizeof *k);
    k->kind = (uint8_t)family;
    memcpy(k->addr, addr, family == 4 ? 4 : 16);
}

void passive_emit_at(struct passive *ps, const struct packet *pkt, int family, const uint8_t *addr,
                     uint16_t port, const char *signal, const void *value, size_t len)
{
    if (family != 4 && family != 6)
        return;
    struct host_key k;
    key_from_addr(&k, family, addr);
    struct host *h = host_get(ps, &k);
    if (h)
        host_add(ps, h, pkt, port, signal, value, len);
}

void passive_emit(struct passive *ps, const struct packet *pkt, enum emit_side side, uint16_t port,
                  const char *signal, const void *value, size_t len)
{
    passive_emit_at(ps, pkt, pkt->family, side == SIDE_SRC ? pkt->src_ip : pkt->dst_ip, port,
                    signal, value, len);
}

void passive_emit_for_mac(struct passive *ps, const struct packet *pkt, const uint8_t mac[6],
                          const char *signal, const void *value, size_t len)
{
    struct host_key k = {0};
    memcpy(k.addr, mac, 6);
    struct host *h = host_get(ps, &k);
    if (h)
        host_add(ps, h, pkt, 0, signal, value, len);
}

void passive_bind_mac(struct passive *ps, const struct packet *pkt, int family, const uint8_t *addr,
                      const uint8_t mac[6])
{
    static const uint8_t zero[6];
    if (memcmp(mac, zero, 6) == 0 || (mac[0] & 1))
        return; /* no address or a group address */
    char text[OBS_MAC_MAX];
    packet_format_mac(mac, text);
    struct host_key k;
    key_from_addr(&k, family, addr);
    struct host *h = host_get(ps, &k);
    if (!h)
        return;
    if (strcmp(h->mac, text) != 0) {
        strlcpy_safe(h->mac, text, sizeof h->mac);
        for (size_t i = 0; i < h->count; i++)
            strlcpy_safe(h->obs[i].mac, text, sizeof h->obs[i].mac);
    }
    host_add(ps, h, pkt, 0, "mac", text, strlen(text));
}

static void run_dissectors(struct passive *ps, const struct packet *pkt, uint32_t mask)
{
    for (size_t i = 0; mask; i++, mask >>= 1) {
        if (!(mask & 1))
            continue;
        ps->current = passive_dissectors[i];
        ps->current_index = i;
        ps->current->dissect(ps, pkt);
    }
    ps->current = NULL;
}

void passive_dispatch(struct passive *ps, const struct packet *pkt)
{
    uint32_t mask = 0;
    if (pkt->l4 == L4_UDP)
        mask = ps->udp_ports[pkt->sport] | ps->udp_ports[pkt->dport] | ps->udp_any;
    else if (pkt->l4 == L4_TCP && pkt->payload_len > 0)
        mask = ps->tcp_ports[pkt->sport] | ps->tcp_ports[pkt->dport] | ps->tcp_any;
    else if (pkt->l4 == L4_TCP && (pkt->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)))
        mask = ps->tcp_closers; /* an empty FIN or RST ends a followed flow */
    else if (pkt->family == 0)
        for (size_t i = 0; passive_dissectors[i]; i++)
            if (passive_dissectors[i]->ethertype &&
                passive_dissectors[i]->ethertype == pkt->ethertype)
                mask |= 1u << i;
    if (mask)
        run_dissectors(ps, pkt, mask);
}

void *passive_state(struct passive *ps)
{
    return ps->current && ps->current_index < 32 ? ps->states[ps->current_index] : NULL;
}

int passive_dissect_with(struct passive *ps, const char *name, const struct packet *pkt)
{
    for (size_t i = 0; passive_dissectors[i]; i++) {
        if (strcmp(passive_dissectors[i]->name, name) == 0) {
            run_dissectors(ps, pkt, 1u << i);
            return 0;
        }
    }
    return -1;
}

void passive_feed(struct passive *ps, int linktype, const uint8_t *frame, size_t caplen,
                  double time)
{
    struct packet pkt;
    ps->stats.frames++;
    if (packet_decode(linktype, frame, caplen, time, &pkt) != 0) {
        ps->stats.undecoded++;
        return;
    }
    passive_dispatch(ps, &pkt);
}

/* Moves the observations of a MAC-only host into the host of that MAC. */
static void merge_mac_host(struct passive *ps, struct host *into)
{
    struct host_key k = {0};
    if (!into->mac[0] || sscanf(into->mac, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx", &k.addr[0],
                                &k.addr[1], &k.addr[2], &k.addr[3], &k.addr[4], &k.addr[5]) != 6)
        return;
    struct host *from = ps->hosts[host_slot(ps, &k)];
    if (!from || from->merged)
        return;
    struct packet none = {0};
    for (size_t i = 0; i < from->count; i++) {
        struct observation *o = &from->obs[i];
        struct packet pkt = none;
        pkt.time = o->time;
        pkt.l4 = strcmp(o->proto, "udp") == 0 ? L4_UDP : L4_NONE;
        char source_name[OBS_NAME_MAX];
        const char *slash = strchr(o->source, '/');
        strlcpy_safe(source_name, slash ? slash + 1 : o->source, sizeof source_name);
        struct dissector named = {.name = source_name};
        ps->current = &named;
        host_add(ps, into, &pkt, o->port, o->signal, o->value, o->value_len);
        ps->current = NULL;
    }
    from->merged = true;
}

static int host_compare(const void *a, const void *b)
{
    const struct host *x = *(struct host *const *)a, *y = *(struct host *const *)b;
    if (x->key.kind != y->key.kind)
        return x->key.kind == 0 ? 1 : y->key.kind == 0 ? -1 : x->key.kind - y->key.kind;
    return memcmp(x->key.addr, y->key.addr, sizeof x->key.addr);
}

void passive_finish(struct passive *ps, void (*fn)(const struct passive_host *, void *), void *arg)
{
    for (size_t i = 0; passive_dissectors[i]; i++) {
        if (!passive_dissectors[i]->finish)
            continue;
        ps->current = passive_dissectors[i];
        ps->current_index = i;
        ps->current->finish(ps);
        ps->current = NULL;
    }
    struct host **list = xcalloc(ps->host_count ? ps->host_count : 1, sizeof *list);
    size_t n = 0;
    for (size_t i = 0; i < ps->host_cap; i++)
        if (ps->hosts[i])
            list[n++] = ps->hosts[i];
    qsort(list, n, sizeof *list, host_compare);
    for (size_t i = 0; i < n; i++)
        if (list[i]->key.kind != 0)
            merge_mac_host(ps, list[i]);
    for (size_t i = 0; i < n; i++) {
        struct host *h = list[i];
        if (h->merged || h->count == 0)
            continue;
        for (size_t j = 0; h->key.kind == 0 && ps->observer && j < h->count; j++)
            ps->observer(&h->obs[j], ps->observer_arg);
        struct passive_host out = {h->ip, h->mac, h->obs, h->count};
        fn(&out, arg);
    }
    free(list);
}
