/* fleet.c — deterministic persona assignment, device identity, answer
 * templates and the ground-truth file (see fleet.h). */
#include "fleet.h"

#include "core/util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static uint64_t addr_key(const struct target_addr *a)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)a->family;
    size_t n = a->family == AF_INET ? 4 : 16;
    for (size_t i = 0; i < n; i++)
        h = (h ^ a->bytes[i]) * 1099511628211ULL;
    return h;
}

/* Uniform double in [0, 1) from the seed, the address and a purpose salt. */
static double draw(uint64_t seed, const struct target_addr *a, uint64_t salt)
{
    uint64_t h = mix64(seed ^ mix64(addr_key(a) ^ salt));
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static void default_mix(const struct persona_set *set, struct fleet_mix *mix)
{
    for (size_t i = 0; i < set->count; i++)
        mix->weights[i] = set->items[i].hostile ? 0.0 : 1.0;
}

/* Adds weight w for key (persona name, else tag). -1 if nothing matches. */
static int mix_add(const struct persona_set *set, struct fleet_mix *mix, const char *key, double w)
{
    const struct persona *p = persona_set_find(set, key);
    if (p) {
        mix->weights[p - set->items] += w;
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < set->count; i++)
        n += persona_has_tag(&set->items[i], key);
    if (n == 0)
        return -1;
    for (size_t i = 0; i < set->count; i++)
        if (persona_has_tag(&set->items[i], key))
            mix->weights[i] += w / (double)n;
    return 0;
}

static int parse_mix_spec(const struct persona_set *set, const char *spec, struct fleet_mix *mix,
                          char *err, size_t err_size)
{
    char *copy = xstrdup(spec), *save = NULL;
    int rc = 0;
    for (char *item = strtok_r(copy, ",", &save); item && rc == 0;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        char *end = NULL;
        double w = eq ? strtod(eq + 1, &end) : 0;
        if (!eq || end == eq + 1 || *end || w < 0 || w > 1e9) {
            snprintf(err, err_size, "invalid --mix entry '%s' (expected NAME=WEIGHT)", item);
            rc = -1;
            break;
        }
        *eq = '\0';
        if (mix_add(set, mix, item, w) < 0) {
            snprintf(err, err_size,
                     "--mix: '%s' is neither a persona nor a tag (see 'camlab list')", item);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

int fleet_mix_parse(const struct persona_set *set, const char *spec, struct fleet_mix *mix,
                    char *err, size_t err_size)
{
    mix->count = set->count;
    mix->weights = xcalloc(set->count + 1, sizeof *mix->weights);
    mix->total = 0;
    if (!spec)
        default_mix(set, mix);
    else if (parse_mix_spec(set, spec, mix, err, err_size) < 0)
        return -1;
    for (size_t i = 0; i < set->count; i++)
        mix->total += mix->weights[i];
    if (mix->total <= 0) {
        snprintf(err, err_size, "--mix gives every persona weight 0");
        return -1;
    }
    return 0;
}

void fleet_mix_free(struct fleet_mix *mix)
{
    free(mix->weights);
    mix->weights = NULL;
}

const struct persona *fleet_pick(const struct persona_set *set, const struct fleet_mix *mix,
                                 uint64_t seed, double density, const struct target_addr *addr)
{
    if (density < 1.0 && draw(seed, addr, 0xD0) >= density)
        return NULL;
    double x = draw(seed, addr, 0xA5) * mix->total;
    const struct persona *last = NULL;
    for (size_t i = 0; i < set->count; i++) {
        if (mix->weights[i] <= 0)
            continue;
        last = &set->items[i];
        if (x < mix->weights[i])
            return last;
        x -= mix->weights[i];
    }
    return last; /* rounding at the top end */
}

void lab_device_init(struct lab_device *dev, const struct persona *p, uint64_t seed,
                     const struct target_addr *addr)
{
    memset(dev, 0, sizeof *dev);
    dev->addr = *addr;
    target_addr_format(addr, dev->ip, sizeof dev->ip);
    dev->persona = p;
    dev->id = mix64(seed ^ mix64(addr_key(addr) ^ 0x1D));
    memcpy(dev->mac, p->oui, 3);
    dev->mac[3] = (uint8_t)(dev->id >> 16);
    dev->mac[4] = (uint8_t)(dev->id >> 8);
    dev->mac[5] = (uint8_t)dev->id;
    dev->serial = lab_render(dev, 0, p->serial, strlen(p->serial), NULL);
}

void lab_device_set_mac(struct lab_device *dev, const uint8_t mac[6])
{
    memcpy(dev->mac, mac, 6);
    free(dev->serial);
    dev->serial = NULL; /* the serial template may use the MAC */
    dev->serial = lab_render(dev, 0, dev->persona->serial, strlen(dev->persona->serial), NULL);
}

void lab_device_clear(struct lab_device *dev)
{
    free(dev->serial);
    dev->serial = NULL;
}

/* Growing output buffer for lab_render. */
struct out {
    char *buf;
    size_t len, cap;
};

static void out_add(struct out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n + 1) * 2;
        o->buf = xrealloc(o->buf, o->cap);
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

/* Value of one {{name}}, into buf; false if the name is unknown. */
static bool variable_value(const struct lab_device *dev, uint16_t port, const char *name, size_t n,
                           char *buf, size_t size)
{
    const uint8_t *m = dev->mac;
#define IS(s) (n == strlen(s) && memcmp(name, s, n) == 0)
    if (IS("ip"))
        snprintf(buf, size, "%s", dev->ip);
    else if (IS("port"))
        snprintf(buf, size, "%u", port);
    else if (IS("mac"))
        snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    else if (IS("MAC"))
        snprintf(buf, size, "%02X:%02X:%02X:%02X:%02X:%02X", m[0], m[1], m[2], m[3], m[4], m[5]);
    else if (IS("mac_dash"))
        snprintf(buf, size, "%02x-%02x-%02x-%02x-%02x-%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    else if (IS("MAC_HEX"))
        snprintf(buf, size, "%02X%02X%02X%02X%02X%02X", m[0], m[1], m[2], m[3], m[4], m[5]);
    else if (IS("mac_hex"))
        snprintf(buf, size, "%02x%02x%02x%02x%02x%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    else if (IS("serial"))
        snprintf(buf, size, "%s", dev->serial ? dev->serial : "");
    else if (IS("id_hex"))
        snprintf(buf, size, "%08llX", (unsigned long long)(dev->id >> 32));
    else if (IS("id5"))
        snprintf(buf, size, "%05llX", (unsigned long long)(dev->id >> 44));
    else if (IS("id_dec"))
        snprintf(buf, size, "%09llu", (unsigned long long)(dev->id % 1000000000ULL));
    else if (IS("model"))
        snprintf(buf, size, "%s", dev->persona->model);
    else if (IS("firmware"))
        snprintf(buf, size, "%s", dev->persona->firmware);
    else if (IS("brand"))
        snprintf(buf, size, "%s", dev->persona->brand);
    else if (IS("manufacturer"))
        snprintf(buf, size, "%s", dev->persona->manufacturer);
    else if (IS("date")) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    } else
        return false;
#undef IS
    return true;
}

char *lab_render(const struct lab_device *dev, uint16_t port, const char *text, size_t len,
                 size_t *out_len)
{
    struct out o = {NULL, 0, 0};
    out_add(&o, "", 0);
    size_t i = 0;
    while (i < len) {
        const char *open = i + 1 < len ? memmem(text + i, len - i, "{{", 2) : NULL;
        const char *close =
            open ? memmem(open + 2, len - (size_t)(open + 2 - text), "}}", 2) : NULL;
        if (!open || !close || close - open > 34) {
            size_t upto = open ? (size_t)(open - text) + 2 : len;
            out_add(&o, text + i, upto - i);
            i = upto;
            continue;
        }
        out_add(&o, text + i, (size_t)(open - text) - i);
        char value[128];
        if (variable_value(dev, port, open + 2, (size_t)(close - open - 2), value, sizeof value))
            out_add(&o, value, strlen(value));
        else
            out_add(&o, open, (size_t)(close + 2 - open));
        i = (size_t)(close + 2 - text);
    }
    if (out_len)
        *out_len = o.len;
    return o.buf;
}

static int compare_devices(const void *a, const void *b)
{
    const struct lab_device *x = a, *y = b;
    if (x->addr.family != y->addr.family)
        return x->addr.family - y->addr.family;
    return memcmp(x->addr.bytes, y->addr.bytes, sizeof x->addr.bytes);
}

static json_t *device_json(const struct lab_device *d)
{
    const struct persona *p = d->persona;
    json_t *ports = json_array();
    for (size_t i = 0; i < p->n_services; i++)
        json_array_append_new(ports, json_integer(p->services[i].port));
    char mac[18];
    snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", d->mac[0], d->mac[1], d->mac[2],
             d->mac[3], d->mac[4], d->mac[5]);
    return json_pack("{ss ss ss ss ss ss ss sb so ss ss sb}", "ip", d->ip, "persona", p->name,
                     "manufacturer", p->manufacturer, "brand", p->brand, "model", p->model,
                     "firmware", p->firmware, "device_type", p->device_type, "restricted_expected",
                     p->restricted_expected, "ports", ports, "mac", mac, "serial", d->serial,
                     "hostile", p->hostile);
}

int fleet_write_truth(const char *path, const struct lab_device *devs, size_t count, char *err,
                      size_t err_size)
{
    struct lab_device *sorted = xcalloc(count + 1, sizeof *sorted);
    memcpy(sorted, devs, count * sizeof *devs);
    qsort(sorted, count, sizeof *sorted, compare_devices);
    json_t *arr = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(arr, device_json(&sorted[i]));
    free(sorted);
    char *tmp = xasprintf("%s.tmp", path);
    int rc = json_dump_file(arr, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(arr);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        snprintf(err, err_size, "cannot write truth file '%s': %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc == 0 ? 0 : -1;
}
