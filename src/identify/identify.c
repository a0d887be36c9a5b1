/* identify.c — loads everything identification needs (fingerprints, tables,
 * IEEE registries, signal routes) and turns one host's observations into
 * claims, then a device through fusion. See identify.h and
 * docs/FINGERPRINTS.md. */
#include "identify/identify.h"

#include "core/log.h"
#include "core/util.h"
#include "identify/fpdb.h"
#include "identify/fusion.h"
#include "identify/ieee_oui.h"
#include "identify/tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Longest observed value kept in an evidence item. */
#define EVIDENCE_VALUE_MAX 160
/* The route row that gives MAC evidence its weight. */
#define MAC_ROUTE_SIGNAL "mac"
#define MAC_DEFAULT_WEIGHT 0.5

struct route {
    const struct fp_database *db;
    double weight;
};

struct signal_entry {
    char *signal;
    struct route *routes;
    size_t count;
};

struct identifier {
    struct fp_set *fps;
    struct maker_tables tables;
    struct oui_registry *oui;
    struct signal_entry *signals; /* sorted by name */
    size_t signal_count;
    double mac_weight;
};

static int role_tag(const char *name);

/* ---- loading ---------------------------------------------------------- */

static bool is_directory(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int load_fingerprint_path(struct fp_set *set, const char *path, char *err, size_t err_size)
{
    if (is_directory(path))
        return fp_set_load_dir(set, path, true, err, err_size);
    return fp_set_load_file(set, path, true, err, err_size);
}

static int compare_signal_entries(const void *a, const void *b)
{
    return strcmp(((const struct signal_entry *)a)->signal,
                  ((const struct signal_entry *)b)->signal);
}

static struct signal_entry *entry_for(struct identifier *id, const char *signal)
{
    for (size_t i = 0; i < id->signal_count; i++)
        if (strcmp(id->signals[i].signal, signal) == 0)
            return &id->signals[i];
    id->signals = xrealloc(id->signals, (id->signal_count + 1) * sizeof *id->signals);
    struct signal_entry *e = &id->signals[id->signal_count++];
    *e = (struct signal_entry){xstrdup(signal), NULL, 0};
    return e;
}

/* Links each signal to every loaded database its routes name. */
static void build_routes(struct identifier *id, const struct signal_routes *routes)
{
    id->mac_weight = MAC_DEFAULT_WEIGHT;
    for (size_t r = 0; r < routes->count; r++) {
        const struct signal_route *sr = &routes->items[r];
        if (strcmp(sr->signal, MAC_ROUTE_SIGNAL) == 0) {
            id->mac_weight = sr->weight;
            continue;
        }
        for (size_t d = 0; d < fp_set_database_count(id->fps); d++) {
            const struct fp_database *db = fp_set_database(id->fps, d);
            if (strcmp(db->matches, sr->database) != 0)
                continue;
            struct signal_entry *e = entry_for(id, sr->signal);
            e->routes = xrealloc(e->routes, (e->count + 1) * sizeof *e->routes);
            e->routes[e->count++] = (struct route){db, sr->weight};
        }
    }
    qsort(id->signals, id->signal_count, sizeof *id->signals, compare_signal_entries);
}

static int load_fingerprints(struct identifier *id, const char *const *extra, size_t n_extra,
                             char *err, size_t err_size)
{
    char *own = data_path("fingerprints");
    int rc = 0;
    if (is_directory(own))
        rc = fp_set_load_dir(id->fps, own, true, err, err_size);
    else
        log_warn("no fingerprint folder at '%s': only MAC addresses and extra folders count", own);
    free(own);
    for (size_t i = 0; rc == 0 && i < n_extra; i++)
        rc = load_fingerprint_path(id->fps, extra[i], err, err_size);
    return rc;
}

/* A database is worth compiling for speed when some signal reads it. */
static bool database_routed(const struct fp_database *db, void *ctx)
{
    const struct signal_routes *routes = ctx;
    for (size_t r = 0; r < routes->count; r++)
        if (strcmp(routes->items[r].database, db->matches) == 0)
            return true;
    return false;
}

struct identifier *identifier_load(const char *const *extra_dirs, size_t n_extra, char *err,
                                   size_t err_size)
{
    struct identifier *id = xcalloc(1, sizeof *id);
    id->fps = fp_set_new();
    char *data = data_path("data");
    char *routes_path = xasprintf("%s/signal_databases.csv", data);
    struct signal_routes routes = {0};
    int rc = maker_tables_load(&id->tables, data, err, err_size);
    if (rc == 0)
        rc = signal_routes_load(&routes, routes_path, err, err_size);
    if (rc == 0)
        rc = load_fingerprints(id, extra_dirs, n_extra, err, err_size);
    free(routes_path);
    free(data);
    if (rc < 0) {
        signal_routes_free(&routes);
        identifier_free(id);
        return NULL;
    }
    fp_set_tag_params(id->fps, role_tag);
    fp_set_finalize_for(id->fps, database_routed, &routes);
    build_routes(id, &routes);
    signal_routes_free(&routes);
    const char *ieee = getenv("CAMAUDIT_IEEE_DATA_DIR");
    id->oui = oui_registry_load(ieee && *ieee ? ieee : IEEE_DATA_DIR);
    return id;
}

void identifier_free(struct identifier *id)
{
    if (!id)
        return;
    fp_set_free(id->fps);
    maker_tables_free(&id->tables);
    oui_registry_free(id->oui);
    for (size_t i = 0; i < id->signal_count; i++) {
        free(id->signals[i].signal);
        free(id->signals[i].routes);
    }
    free(id->signals);
    free(id);
}

/* ---- claims from fingerprint matches ---------------------------------- */

/* The params identify reads, by role (docs/FINGERPRINTS.md); a param's
 * tag is its role + 1, set once at load. */
enum role {
    ROLE_MAKER,
    ROLE_HW_VENDOR,
    ROLE_OS_VENDOR,
    ROLE_BRAND,
    ROLE_MODEL,
    ROLE_HW_DEVICE,
    ROLE_TYPE,
    ROLE_FIRMWARE,
    ROLE_OS_VERSION,
    ROLE_OS_BUILD,
    ROLE_HW_VERSION,
    ROLE_SERIAL,
    ROLE_GENERIC,
    ROLE_PLATFORM,
    ROLE_WEIGHT,
    ROLE_COUNT
};

static const struct {
    const char *name;
    enum role role;
} role_names[] = {
    {"camaudit.manufacturer", ROLE_MAKER},
    {"hw.vendor", ROLE_HW_VENDOR},
    {"os.vendor", ROLE_OS_VENDOR},
    {"camaudit.brand", ROLE_BRAND},
    {"hw.brand", ROLE_BRAND},
    {"hw.product", ROLE_MODEL},
    {"camaudit.model", ROLE_MODEL},
    {"hw.device", ROLE_HW_DEVICE},
    {"camaudit.device_type", ROLE_TYPE},
    {"camaudit.firmware", ROLE_FIRMWARE},
    {"os.version", ROLE_OS_VERSION},
    {"os.build", ROLE_OS_BUILD},
    {"hw.version", ROLE_HW_VERSION},
    {"camaudit.serial", ROLE_SERIAL},
    {"hw.serial", ROLE_SERIAL},
    {"camaudit.generic", ROLE_GENERIC},
    {"camaudit.platform", ROLE_PLATFORM},
    {"camaudit.weight", ROLE_WEIGHT},
};

static int role_tag(const char *name)
{
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
        if (strcmp(role_names[i].name, name) == 0)
            return (int)role_names[i].role + 1;
    return 0;
}

/* The params of one match, by role (first value of each role). */
struct match_fields {
    const struct fp_value *role[ROLE_COUNT];
};

static void sort_values(const struct fp_value *v, size_t n, struct match_fields *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < n; i++)
        if (v[i].tag > 0 && v[i].len && !f->role[v[i].tag - 1])
            f->role[v[i].tag - 1] = &v[i];
}

/* A trimmed copy of a param value in the claims' arena, NULL when empty. */
static char *value_copy(struct claim_list *l, const struct fp_value *v)
{
    if (!v)
        return NULL;
    const char *s = v->value;
    size_t n = v->len;
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return n ? claim_strndup(l, s, n) : NULL;
}

/* "IP Camera" -> "ip_camera". */
static char *device_type_from(struct claim_list *l, const struct fp_value *v)
{
    char *t = value_copy(l, v);
    if (!t)
        return NULL;
    for (char *c = t; *c; c++)
        *c = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : (*c == ' ' || *c == '-') ? '_' : *c;
    return t;
}

static bool same_text(const struct fp_value *v, const char *s)
{
    return v && s && strlen(s) == v->len && strncasecmp(v->value, s, v->len) == 0;
}

/* Names the maker and brand of a claim from its vendor params. A maker that
 * evidence only supports (an OEM brand of scope "some", a platform hint)
 * becomes a generic claim: it strengthens that maker, never names it. */
static void resolve_maker(const struct identifier *id, struct claim_list *l,
                          const struct match_fields *f, struct claim *c)
{
    const struct maker_tables *t = &id->tables;
    const struct fp_value *vendor =
        f->role[ROLE_MAKER] ? f->role[ROLE_MAKER] : f->role[ROLE_HW_VENDOR];
    const char *supports = NULL;
    if (vendor) {
        struct maker_resolution r = maker_resolve(t, vendor->value, vendor->len, c->model);
        c->manufacturer = r.manufacturer ? claim_strdup(l, r.manufacturer)
                          : r.supports   ? NULL
                                         : value_copy(l, vendor); /* a maker outside our tables */
        supports = r.supports;
        c->brand = claim_strdup(l, r.brand);
    } else if (f->role[ROLE_OS_VENDOR]) {
        struct maker_resolution r = maker_resolve(t, f->role[ROLE_OS_VENDOR]->value,
                                                  f->role[ROLE_OS_VENDOR]->len, c->model);
        c->manufacturer = claim_strdup(l, r.manufacturer);
    }
    if (f->role[ROLE_BRAND]) {
        struct maker_resolution b =
            maker_resolve(t, f->role[ROLE_BRAND]->value, f->role[ROLE_BRAND]->len, c->model);
        c->brand = value_copy(l, f->role[ROLE_BRAND]);
        if (!c->manufacturer && b.manufacturer)
            c->manufacturer = claim_strdup(l, b.manufacturer);
        supports = supports ? supports : b.supports;
    }
    if (!supports && f->role[ROLE_PLATFORM]) {
        struct maker_resolution p =
            maker_resolve(t, f->role[ROLE_PLATFORM]->value, f->role[ROLE_PLATFORM]->len, NULL);
        supports = p.manufacturer;
    }
    if (!c->manufacturer && supports) {
        c->manufacturer = claim_strdup(l, supports);
        c->generic = true;
    }
}

/* "V5.7.18" and "build 240826" -> "V5.7.18 build 240826". */
static char *firmware_from(struct claim_list *l, const struct match_fields *f, bool os_is_maker)
{
    if (f->role[ROLE_FIRMWARE])
        return value_copy(l, f->role[ROLE_FIRMWARE]);
    if (!os_is_maker || !f->role[ROLE_OS_VERSION])
        return value_copy(l, f->role[ROLE_HW_VERSION]);
    char *version = value_copy(l, f->role[ROLE_OS_VERSION]);
    char *build = value_copy(l, f->role[ROLE_OS_BUILD]);
    if (version && build) {
        const char *parts[] = {version, " ", build};
        return claim_concat(l, parts, 3);
    }
    return version;
}

/* Fills the fields of c still empty from one match's params. */
static void merge_match(const struct identifier *id, struct claim_list *l, struct claim *c,
                        const struct fp_value *v, size_t n)
{
    struct match_fields f;
    sort_values(v, n, &f);
    struct claim fresh = {0};
    fresh.model = value_copy(l, f.role[ROLE_MODEL]);
    fresh.generic = same_text(f.role[ROLE_GENERIC], "true");
    resolve_maker(id, l, &f, &fresh);
    fresh.device_type = f.role[ROLE_TYPE] ? value_copy(l, f.role[ROLE_TYPE])
                                          : device_type_from(l, f.role[ROLE_HW_DEVICE]);
    bool os_is_maker =
        !f.role[ROLE_OS_VENDOR] ||
        (fresh.manufacturer && same_text(f.role[ROLE_OS_VENDOR], fresh.manufacturer));
    fresh.firmware = firmware_from(l, &f, os_is_maker);
    fresh.serial = value_copy(l, f.role[ROLE_SERIAL]);
    char **dst[] = {&c->manufacturer, &c->brand,    &c->model,
                    &c->device_type,  &c->firmware, &c->serial};
    char *src[] = {fresh.manufacturer, fresh.brand,    fresh.model,
                   fresh.device_type,  fresh.firmware, fresh.serial};
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++)
        if (!*dst[i])
            *dst[i] = src[i];
    if (f.role[ROLE_WEIGHT]) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.*s",
                 (int)(f.role[ROLE_WEIGHT]->len < 31 ? f.role[ROLE_WEIGHT]->len : 31),
                 f.role[ROLE_WEIGHT]->value);
        double w = strtod(buf, NULL);
        if (w >= 0 && w <= 1)
            c->weight = w;
    }
    c->generic = fresh.generic;
}

/* Context of the matches of one observation against one database. */
struct match_ctx {
    const struct identifier *id;
    const struct observation *obs;
    struct claim_list *claims;
    double weight;
    size_t claim_index; /* SIZE_MAX until the first match */
};

/* The observed value as evidence shows it: at most EVIDENCE_VALUE_MAX
 * bytes, cut on a UTF-8 boundary. */
static char *display_value(struct claim_list *l, const char *value, size_t len)
{
    size_t n = len;
    if (n > EVIDENCE_VALUE_MAX) {
        n = EVIDENCE_VALUE_MAX;
        while (n && ((unsigned char)value[n] & 0xC0) == 0x80)
            n--;
    }
    return claim_strndup(l, value, n);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* ONVIF scopes are URIs (RFC 3986): "hardware/AXIS%20P1465-LE" names the
 * model "AXIS P1465-LE". Decodes %XX escapes of printable ASCII in place;
 * other escapes stay as they are. */
static void percent_decode(char *s)
{
    char *out = s;
    for (const char *in = s; s && *in; in++) {
        int hi, lo;
        if (in[0] == '%' && (hi = hex_digit(in[1])) >= 0 && (lo = hex_digit(in[2])) >= 0 &&
            hi * 16 + lo >= 0x20 && hi * 16 + lo < 0x7F) {
            *out++ = (char)(hi * 16 + lo);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    if (s)
        *out = '\0';
}

static bool on_match(void *ctx, const struct fp_database *db, const struct fingerprint *fp,
                     const struct fp_value *values, size_t count)
{
    struct match_ctx *mc = ctx;
    struct claim_list *l = mc->claims;
    struct claim *c;
    if (mc->claim_index == SIZE_MAX) {
        mc->claim_index = l->count;
        c = claim_list_add(l);
        c->signal = claim_strdup(l, mc->obs->signal);
        c->value = display_value(l, mc->obs->value, mc->obs->value_len);
        c->port = mc->obs->port;
        const char *parts[] = {db->matches, ": ",
                               fp->description[0] ? fp->description : fp->pattern};
        c->matched_by = claim_concat(l, parts, 3);
        c->weight = mc->weight * fp->certainty;
    } else {
        c = &l->items[mc->claim_index];
    }
    merge_match(mc->id, l, c, values, count);
    if (strcmp(mc->obs->signal, "onvif.scopes") == 0) {
        percent_decode(c->model);
        percent_decode(c->firmware);
    }
    return true;
}

static const struct signal_entry *find_signal(const struct identifier *id, const char *signal)
{
    struct signal_entry key = {.signal = (char *)signal};
    return bsearch(&key, id->signals, id->signal_count, sizeof *id->signals,
                   compare_signal_entries);
}

static bool same_or_both_null(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Several databases may read one observation (the project's and a Recog
 * checkout's): what they say about the same maker is one piece of evidence,
 * not two, so a later claim joins an earlier one of the same observation
 * (fields it adds, the larger weight, both descriptions). */
static void merge_into_earlier(struct claim_list *claims, size_t first)
{
    struct claim *last = &claims->items[claims->count - 1];
    for (size_t i = first; i + 1 < claims->count; i++) {
        struct claim *c = &claims->items[i];
        if (!same_or_both_null(c->manufacturer, last->manufacturer) || c->generic != last->generic)
            continue;
        char **dst[] = {&c->brand, &c->model, &c->device_type, &c->firmware, &c->serial};
        char **src[] = {&last->brand, &last->model, &last->device_type, &last->firmware,
                        &last->serial};
        for (size_t k = 0; k < sizeof dst / sizeof dst[0]; k++)
            if (!*dst[k])
                *dst[k] = *src[k];
        if (last->weight > c->weight)
            c->weight = last->weight;
        const char *parts[] = {c->matched_by, " | ", last->matched_by};
        c->matched_by = claim_concat(claims, parts, 3);
        claim_list_drop_last(claims);
        return;
    }
}

static void match_observation(const struct identifier *id, struct fp_matcher *m,
                              const struct observation *obs, struct claim_list *claims)
{
    const struct signal_entry *e = find_signal(id, obs->signal);
    if (!e || !obs->value)
        return;
    size_t first = claims->count;
    if (e->count > 1)
        fp_matcher_hold_value(m, obs->value, obs->value_len);
    for (size_t r = 0; r < e->count; r++) {
        struct match_ctx mc = {id, obs, claims, e->routes[r].weight, SIZE_MAX};
        if (fp_database_match(e->routes[r].db, m, obs->value, obs->value_len, on_match, &mc) &&
            claims->count > first + 1)
            merge_into_earlier(claims, first);
    }
    fp_matcher_hold_value(m, NULL, 0);
}

/* ---- MAC evidence ----------------------------------------------------- */

static void format_mac(uint64_t mac, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    if (size < 18)
        return;
    for (int i = 0; i < 6; i++) {
        unsigned b = (unsigned)(mac >> (40 - 8 * i)) & 0xFF;
        out[3 * i] = hex[b >> 4];
        out[3 * i + 1] = hex[b & 15];
        out[3 * i + 2] = i < 5 ? ':' : '\0';
    }
}

/* "oui:MA-L Organisation" + note, without printf. */
static char *join_oui(struct claim_list *claims, const char *registry, const char *organization,
                      const char *note)
{
    const char *parts[] = {"oui:", registry, " ", organization, note};
    return claim_concat(claims, parts, 5);
}

/* What an IEEE organisation name says: a module maker (names nobody) or a
 * maker/brand. Registry names are stable for the identifier's life, so a
 * small per-thread cache keyed by the name's address saves the lookups for
 * the blocks a site's devices share. */
struct organization_verdict {
    bool module;
    struct maker_resolution r;
};

#define ORG_CACHE_SLOTS 64
static struct organization_verdict organization_verdict(const struct identifier *id,
                                                        const char *organization)
{
    static _Thread_local struct {
        const char *organization;
        unsigned long generation;
        struct organization_verdict v;
    } cache[ORG_CACHE_SLOTS];
    size_t slot = ((uintptr_t)organization >> 4) % ORG_CACHE_SLOTS;
    if (cache[slot].organization == organization && cache[slot].generation == id->tables.generation)
        return cache[slot].v;
    struct organization_verdict v = {maker_is_module(&id->tables, organization), {0}};
    if (!v.module)
        v.r = maker_resolve(&id->tables, organization, strlen(organization), NULL);
    cache[slot].organization = organization;
    cache[slot].generation = id->tables.generation;
    cache[slot].v = v;
    return v;
}

static void claim_mac(const struct identifier *id, const char *text, struct claim_list *claims)
{
    uint64_t mac;
    if (!mac_parse(text, &mac))
        return;
    char shown[OBS_MAC_MAX];
    format_mac(mac, shown, sizeof shown);
    struct claim *c = claim_list_add(claims);
    c->signal = claim_strdup(claims, "mac");
    c->value = claim_strdup(claims, shown);
    struct oui_match om;
    if (mac_is_local(mac)) {
        c->matched_by = claim_strdup(claims, "locally administered address: names nobody");
        return;
    }
    if (!oui_lookup(id->oui, mac, &om)) {
        c->matched_by = claim_strdup(claims, "oui: not registered");
        return;
    }
    struct organization_verdict v = organization_verdict(id, om.organization);
    if (v.module) {
        c->matched_by =
            join_oui(claims, om.registry, om.organization, " (module maker: names nobody)");
        return;
    }
    c->matched_by = join_oui(claims, om.registry, om.organization, "");
    struct maker_resolution r = v.r;
    if (r.manufacturer || r.supports) {
        c->manufacturer = claim_strdup(claims, r.manufacturer ? r.manufacturer : r.supports);
        c->generic = !r.manufacturer;
        c->brand = claim_strdup(claims, r.brand);
        c->weight = id->mac_weight;
    }
}

/* ---- one host --------------------------------------------------------- */

static void note_mac(struct device *dev, const char *text)
{
    uint64_t mac;
    if (!dev->mac[0] && text && mac_parse(text, &mac))
        format_mac(mac, dev->mac, sizeof dev->mac);
}

/* A maker's model code often says what the product is where the evidence
 * did not (a Dahua NVR's magicBox answer carries no type): data/model_types.csv
 * fills an empty or generic device type, never overrides a specific one. */
static void type_from_model(const struct identifier *id, struct device *dev)
{
    if (dev->device_type && strcmp(dev->device_type, "camera_or_recorder") != 0)
        return;
    const struct model_type_row *row = model_type_find(&id->tables, dev->manufacturer, dev->model);
    if (!row)
        return;
    device_set(&dev->device_type, row->device_type);
    device_take_evidence(dev, xstrdup("model"), xstrdup(dev->model), 0,
                         xasprintf("model-types: %s %s", row->manufacturer, row->pattern),
                         xasprintf("device_type=%s", row->device_type), 0);
}

struct device *identify_host(const struct identifier *id, const struct observation *obs,
                             size_t count)
{
    struct device *dev = device_new(count ? obs[0].ip : "");
    struct claim_list claims;
    claim_list_init(&claims);
    struct fp_matcher *m = fp_matcher_acquire(id->fps);
    for (size_t i = 0; i < count; i++) {
        /* Open ports are TCP services; a UDP discovery answer's port is
         * the protocol's, not a listening service worth listing. */
        if (obs[i].port && strcmp(obs[i].proto, "udp") != 0)
            device_add_port(dev, obs[i].port);
        note_mac(dev, obs[i].mac);
        if (strcmp(obs[i].signal, "mac") == 0)
            note_mac(dev, obs[i].value);
        match_observation(id, m, &obs[i], &claims);
    }
    fp_matcher_release(id->fps, m);
    if (dev->mac[0])
        claim_mac(id, dev->mac, &claims);
    fuse_claims(dev, &claims);
    claim_list_free(&claims);
    type_from_model(id, dev);
    return dev;
}
