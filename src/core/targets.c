/* targets.c — target specifications, exclusions and random-order walking;
 * see targets.h. Written by hand: no Debian library parses nmap-style target
 * specs or permutes a range set without materialising it. */
#include "core/targets.h"

#include "core/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

__extension__ typedef unsigned __int128 u128;

struct addr_range {
    int family;
    u128 lo, hi; /* inclusive */
};

struct range_list {
    struct addr_range *items;
    size_t count, cap;
};

struct target_set {
    struct range_list include, exclude;
    /* Computed by finalize: disjoint sorted include ranges minus exclusions,
     * with cumulative counts for index lookup. */
    bool finalized;
    struct range_list effective;
    uint64_t *cumulative; /* cumulative[i] = addresses before range i */
    uint64_t total;
};

static void range_list_push(struct range_list *l, struct addr_range r)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->count++] = r;
}

static u128 addr_to_u128(const struct target_addr *a)
{
    u128 v = 0;
    int n = a->family == AF_INET ? 4 : 16;
    for (int i = 0; i < n; i++)
        v = (v << 8) | a->bytes[i];
    return v;
}

static void u128_to_addr(int family, u128 v, struct target_addr *a)
{
    memset(a, 0, sizeof *a);
    a->family = family;
    int n = family == AF_INET ? 4 : 16;
    for (int i = n - 1; i >= 0; i--) {
        a->bytes[i] = (uint8_t)(v & 0xFF);
        v >>= 8;
    }
}

bool target_addr_parse(const char *text, struct target_addr *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, text, out->bytes) == 1) {
        out->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, out->bytes) == 1) {
        out->family = AF_INET6;
        return true;
    }
    return false;
}

void target_addr_format(const struct target_addr *a, char *buf, size_t buf_size)
{
    if (!inet_ntop(a->family, a->bytes, buf, (socklen_t)buf_size) && buf_size)
        buf[0] = '\0';
}

socklen_t target_addr_sockaddr(const struct target_addr *a, uint16_t port,
                               struct sockaddr_storage *out)
{
    memset(out, 0, sizeof *out);
    if (a->family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)out;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        memcpy(&sin->sin_addr, a->bytes, 4);
        return sizeof *sin;
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    memcpy(&sin6->sin6_addr, a->bytes, 16);
    return sizeof *sin6;
}

/* Looks like an address attempt rather than a host name: digits and dots
 * only, or contains a colon. Such text never goes to the resolver. */
static bool looks_numeric(const char *s)
{
    if (strchr(s, ':'))
        return true;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s) && *s != '.')
            return false;
    return true;
}

static bool valid_hostname(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 253)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' && *s != '_')
            return false;
    return true;
}

static int resolve_hostname(const char *name, struct addr_range *out, char *err, size_t err_size)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    int rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc != 0) {
        snprintf(err, err_size, "cannot resolve target '%s': %s", name, gai_strerror(rc));
        return -1;
    }
    /* Prefer the first IPv4 answer, as nmap does; else the first IPv6. */
    struct addrinfo *pick = NULL;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
        if (ai->ai_family == AF_INET) {
            pick = ai;
            break;
        }
    if (!pick)
        pick = res;
    struct target_addr a = {0};
    a.family = pick->ai_family;
    if (a.family == AF_INET)
        memcpy(a.bytes, &((struct sockaddr_in *)pick->ai_addr)->sin_addr, 4);
    else
        memcpy(a.bytes, &((struct sockaddr_in6 *)pick->ai_addr)->sin6_addr, 16);
    freeaddrinfo(res);
    out->family = a.family;
    out->lo = out->hi = addr_to_u128(&a);
    return 0;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    if (!*s || !isdigit((unsigned char)*s))
        return false;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

/* Parses one spec into a range. */
static int parse_spec(const char *spec, struct addr_range *out, char *err, size_t err_size)
{
    char buf[300];
    if (strlen(spec) >= sizeof buf) {
        snprintf(err, err_size, "invalid target '%.40s...': too long", spec);
        return -1;
    }
    strlcpy_safe(buf, spec, sizeof buf);
    struct target_addr a;

    char *slash = strchr(buf, '/');
    if (slash) {
        *slash = '\0';
        if (!target_addr_parse(buf, &a)) {
            snprintf(err, err_size, "invalid target '%s': '%s' is not an IP address", spec, buf);
            return -1;
        }
        unsigned long bits = a.family == AF_INET ? 32 : 128, prefix;
        if (!parse_uint(slash + 1, bits, &prefix)) {
            snprintf(err, err_size, "invalid target '%s': prefix length must be 0 to %lu", spec,
                     bits);
            return -1;
        }
        u128 v = addr_to_u128(&a);
        u128 host_mask = prefix == bits               ? 0
                         : prefix == 0 && bits == 128 ? ~(u128)0
                                                      : (((u128)1 << (bits - prefix)) - 1);
        out->family = a.family;
        out->lo = v & ~host_mask;
        out->hi = out->lo | host_mask;
        return 0;
    }

    char *dash = strchr(buf, '-');
    if (dash) /* split now; a host name with '-' is put back below */
        *dash = '\0';
    if (dash && *buf && looks_numeric(buf) && looks_numeric(dash + 1)) {
        const char *first = buf, *last = dash + 1;
        if (!target_addr_parse(first, &a)) {
            snprintf(err, err_size, "invalid target '%s': '%s' is not an IP address", spec, first);
            return -1;
        }
        struct target_addr b;
        unsigned long octet;
        if (target_addr_parse(last, &b)) {
            if (b.family != a.family) {
                snprintf(err, err_size, "invalid target '%s': range mixes IPv4 and IPv6", spec);
                return -1;
            }
        } else if (a.family == AF_INET && parse_uint(last, 255, &octet)) {
            b = a; /* "192.0.2.1-9": last octet only */
            b.bytes[3] = (uint8_t)octet;
        } else {
            snprintf(err, err_size, "invalid target '%s': '%s' is not an IP address", spec, last);
            return -1;
        }
        out->family = a.family;
        out->lo = addr_to_u128(&a);
        out->hi = addr_to_u128(&b);
        if (out->hi < out->lo) {
            snprintf(err, err_size, "invalid target '%s': range ends before it starts", spec);
            return -1;
        }
        return 0;
    }

    if (dash)
        *dash = '-';
    if (target_addr_parse(buf, &a)) {
        out->family = a.family;
        out->lo = out->hi = addr_to_u128(&a);
        return 0;
    }
    if (looks_numeric(buf)) {
        snprintf(err, err_size, "invalid target '%s': not an IP address", spec);
        return -1;
    }
    if (!valid_hostname(buf)) {
        snprintf(err, err_size, "invalid target '%s': not an address, block, range or host name",
                 spec);
        return -1;
    }
    return resolve_hostname(buf, out, err, err_size);
}

struct target_set *target_set_new(void)
{
    return xcalloc(1, sizeof(struct target_set));
}

void target_set_free(struct target_set *set)
{
    if (!set)
        return;
    free(set->include.items);
    free(set->exclude.items);
    free(set->effective.items);
    free(set->cumulative);
    free(set);
}

static int add_to(struct target_set *set, struct range_list *list, const char *spec, char *err,
                  size_t err_size)
{
    struct addr_range r;
    if (parse_spec(spec, &r, err, err_size) != 0)
        return -1;
    range_list_push(list, r);
    set->finalized = false;
    return 0;
}

int target_set_add(struct target_set *set, const char *spec, char *err, size_t err_size)
{
    return add_to(set, &set->include, spec, err, err_size);
}

int target_set_exclude(struct target_set *set, const char *spec, char *err, size_t err_size)
{
    return add_to(set, &set->exclude, spec, err, err_size);
}

static int add_file_to(struct target_set *set, struct range_list *list, const char *path, char *err,
                       size_t err_size)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        snprintf(err, err_size, "cannot read targets file '%s': %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    size_t line_number = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        line_number++;
        if (!strchr(line, '\n') && !feof(f)) {
            /* A longer line would come back in pieces: a comment's tail
             * read as targets, a name cut in two. */
            snprintf(err, err_size, "%s:%zu: line longer than %zu bytes", path, line_number,
                     sizeof line - 1);
            rc = -1;
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *save = NULL;
        for (char *tok = strtok_r(line, " \t\r\n,", &save); tok;
             tok = strtok_r(NULL, " \t\r\n,", &save)) {
            char why[512];
            if (add_to(set, list, tok, why, sizeof why) != 0) {
                snprintf(err, err_size, "%s:%zu: %s", path, line_number, why);
                rc = -1;
                break;
            }
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, err_size, "cannot read targets file '%s': %s", path, strerror(errno));
        rc = -1;
    }
    if (f != stdin)
        fclose(f);
    return rc;
}

int target_set_add_file(struct target_set *set, const char *path, char *err, size_t err_size)
{
    return add_file_to(set, &set->include, path, err, err_size);
}

int target_set_exclude_file(struct target_set *set, const char *path, char *err, size_t err_size)
{
    return add_file_to(set, &set->exclude, path, err, err_size);
}

static int range_compare(const void *pa, const void *pb)
{
    const struct addr_range *a = pa, *b = pb;
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return 0;
}

/* Sorts and merges overlapping or adjacent ranges in place. */
static void range_list_normalize(struct range_list *l)
{
    if (l->count == 0)
        return;
    qsort(l->items, l->count, sizeof *l->items, range_compare);
    size_t w = 0;
    for (size_t i = 1; i < l->count; i++) {
        struct addr_range *cur = &l->items[w], *next = &l->items[i];
        if (next->family == cur->family && next->lo <= cur->hi + 1 && cur->hi + 1 != 0) {
            if (next->hi > cur->hi)
                cur->hi = next->hi;
        } else if (next->family == cur->family && cur->hi == ~(u128)0) {
            /* cur already reaches the top of the space */
        } else {
            l->items[++w] = *next;
        }
    }
    l->count = w + 1;
}

static void target_set_finalize(struct target_set *set)
{
    if (set->finalized)
        return;
    range_list_normalize(&set->include);
    range_list_normalize(&set->exclude);
    set->effective.count = 0;
    /* Subtract sorted exclusions from sorted includes in one pass each. */
    for (size_t i = 0; i < set->include.count; i++) {
        struct addr_range r = set->include.items[i];
        bool alive = true;
        for (size_t j = 0; j < set->exclude.count && alive; j++) {
            struct addr_range x = set->exclude.items[j];
            if (x.family != r.family || x.hi < r.lo || x.lo > r.hi)
                continue;
            if (x.lo > r.lo) {
                struct addr_range left = {r.family, r.lo, x.lo - 1};
                range_list_push(&set->effective, left);
            }
            if (x.hi >= r.hi)
                alive = false;
            else
                r.lo = x.hi + 1;
        }
        if (alive)
            range_list_push(&set->effective, r);
    }
    free(set->cumulative);
    set->cumulative = xcalloc(set->effective.count + 1, sizeof *set->cumulative);
    u128 total = 0;
    for (size_t i = 0; i < set->effective.count; i++) {
        set->cumulative[i] = (uint64_t)total;
        struct addr_range *r = &set->effective.items[i];
        total += r->hi - r->lo + 1;
        if (total > TARGETS_MAX_COUNT || r->hi - r->lo + 1 == 0)
            total = TARGETS_MAX_COUNT; /* clamp: such sets are refused by count() users */
    }
    set->total = (uint64_t)total;
    set->finalized = true;
}

uint64_t target_set_count(struct target_set *set)
{
    target_set_finalize(set);
    return set->total;
}

/* Keyed Feistel permutation over [0, 2^bits), cycle-walked down to [0, n). */
struct target_iter {
    struct target_set *set;
    uint64_t n, next_index, step;
    unsigned half_bits;
    uint64_t keys[4];
};

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t feistel(const struct target_iter *it, uint64_t x)
{
    uint64_t mask = ((uint64_t)1 << it->half_bits) - 1;
    uint64_t left = x >> it->half_bits, right = x & mask;
    for (int round = 0; round < 4; round++) {
        uint64_t f = mix64(right ^ it->keys[round]) & mask;
        uint64_t tmp = right;
        right = left ^ f;
        left = tmp;
    }
    return (left << it->half_bits) | right;
}

static uint64_t permute(const struct target_iter *it, uint64_t index)
{
    uint64_t x = index;
    do
        x = feistel(it, x);
    while (x >= it->n);
    return x;
}

struct target_iter *target_iter_new(struct target_set *set, uint64_t seed, uint32_t shard_index,
                                    uint32_t shard_count)
{
    target_set_finalize(set);
    struct target_iter *it = xcalloc(1, sizeof *it);
    it->set = set;
    it->n = set->total;
    if (seed == 0 && getrandom(&seed, sizeof seed, 0) != sizeof seed)
        seed = (uint64_t)time_now();
    for (int i = 0; i < 4; i++)
        it->keys[i] = mix64(seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1));
    unsigned bits = 2;
    while (bits < 64 && ((uint64_t)1 << bits) < it->n)
        bits++;
    bits += bits & 1;
    it->half_bits = bits / 2;
    it->step = shard_count ? shard_count : 1;
    it->next_index = shard_index;
    return it;
}

bool target_iter_next(struct target_iter *it, struct target_addr *out)
{
    if (it->next_index >= it->n)
        return false;
    uint64_t k = permute(it, it->next_index);
    it->next_index += it->step;
    /* Binary search the range holding the k-th address. */
    const struct target_set *s = it->set;
    size_t lo = 0, hi = s->effective.count;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->cumulative[mid] <= k)
            lo = mid;
        else
            hi = mid;
    }
    const struct addr_range *r = &s->effective.items[lo];
    u128_to_addr(r->family, r->lo + (k - s->cumulative[lo]), out);
    return true;
}

void target_iter_free(struct target_iter *it)
{
    free(it);
}

uint64_t target_set_count_between(struct target_set *set, const struct target_addr *first,
                                  const struct target_addr *last)
{
    target_set_finalize(set);
    if (first->family != last->family)
        return 0;
    u128 lo = addr_to_u128(first), hi = addr_to_u128(last);
    u128 total = 0;
    for (size_t i = 0; i < set->effective.count; i++) {
        const struct addr_range *r = &set->effective.items[i];
        if (r->family != first->family || r->hi < lo || r->lo > hi)
            continue;
        total += (r->hi < hi ? r->hi : hi) - (r->lo > lo ? r->lo : lo) + 1;
        if (total >= TARGETS_MAX_COUNT)
            return TARGETS_MAX_COUNT;
    }
    return (uint64_t)total;
}

bool target_set_is_excluded(struct target_set *set, const struct target_addr *a)
{
    target_set_finalize(set);
    u128 v = addr_to_u128(a);
    for (size_t i = 0; i < set->exclude.count; i++) {
        const struct addr_range *r = &set->exclude.items[i];
        if (r->family == a->family && r->lo <= v && v <= r->hi)
            return true;
    }
    return false;
}
