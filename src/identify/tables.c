/* tables.c — CSV reading (RFC 4180 quoting) and the name tables of
 * identify: manufacturers with aliases, OEM brands, module makers, signal
 * routes. See tables.h and docs/FINGERPRINTS.md. */
#include "identify/tables.h"

#include "core/log.h"
#include "core/util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES 256
#define NAME_MAX_WORDS 8

/* ---- CSV -------------------------------------------------------------- */

/* Parses one record starting at *pos, unquoting fields in place. Returns
 * the field count, or -1 on an unterminated quote. */
static int csv_parse_record(char *text, size_t len, size_t *pos, char **fields, size_t *lines)
{
    size_t i = *pos;
    int count = 0;
    for (;;) {
        char *out = text + i;
        char *start = out;
        if (i < len && text[i] == '"') {
            i++;
            for (;;) {
                if (i >= len)
                    return -1;
                if (text[i] == '"' && i + 1 < len && text[i + 1] == '"') {
                    *out++ = '"';
                    i += 2;
                } else if (text[i] == '"') {
                    i++;
                    break;
                } else {
                    if (text[i] == '\n')
                        (*lines)++;
                    *out++ = text[i++];
                }
            }
            while (i < len && text[i] != ',' && text[i] != '\n')
                i++; /* junk after a closing quote is dropped */
        } else {
            while (i < len && text[i] != ',' && text[i] != '\n')
                out++, i++;
        }
        char *end = out;
        if (end > start && end[-1] == '\r')
            end--;
        bool more = i < len && text[i] == ',';
        if (count < CSV_MAX_FIELDS)
            fields[count++] = start;
        if (i < len)
            i++; /* the ',' or '\n' */
        *end = '\0';
        if (!more)
            break;
    }
    *pos = i;
    return count;
}

int csv_read_buffer(const char *name, char *text, size_t len, csv_row_fn row_fn, void *ctx,
                    char *err, size_t err_size)
{
    char *fields[CSV_MAX_FIELDS];
    size_t pos = 0, line = 0;
    bool header = true;
    while (pos < len) {
        line++;
        size_t first_line = line;
        if (text[pos] == '#' || text[pos] == '\n' || text[pos] == '\r') {
            while (pos < len && text[pos] != '\n')
                pos++;
            pos++;
            continue;
        }
        int n = csv_parse_record(text, len, &pos, fields, &line);
        if (n < 0) {
            snprintf(err, err_size, "%s:%zu: unterminated quoted field", name, first_line);
            return -1;
        }
        if (header) {
            header = false;
            continue;
        }
        row_fn(ctx, fields, (size_t)n, first_line);
    }
    return 0;
}

int csv_read_file(const char *path, csv_row_fn row_fn, void *ctx, char *err, size_t err_size)
{
    size_t len;
    char *text = file_read_all(path, CSV_MAX_BYTES, &len);
    if (!text) {
        snprintf(err, err_size, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    int rc = csv_read_buffer(path, text, len, row_fn, ctx, err, err_size);
    free(text);
    return rc;
}

/* ---- names ------------------------------------------------------------ */

size_t name_normalize(const char *text, size_t len, char *out, size_t out_size)
{
    size_t o = 0;
    bool space = false;
    for (size_t i = 0; i < len && o + 1 < out_size; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
            if (space && o && o + 2 < out_size)
                out[o++] = ' ';
            space = false;
            out[o++] = (char)c;
        } else {
            space = true;
        }
    }
    out[o] = '\0';
    return o;
}

struct name_entry {
    char *key;
    char *value;
    bool ambiguous;
};

struct name_map {
    struct name_entry *slots;
    size_t cap, count;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

struct name_map *name_map_new(void)
{
    struct name_map *m = xcalloc(1, sizeof *m);
    m->cap = 64;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    return m;
}

void name_map_free(struct name_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        free(m->slots[i].value);
    }
    free(m->slots);
    free(m);
}

size_t name_map_count(const struct name_map *m)
{
    return m ? m->count : 0;
}

static struct name_entry *slot_for(const struct name_map *m, const char *key, size_t n)
{
    size_t i = hash_bytes(key, n) & (m->cap - 1);
    while (m->slots[i].key && (strlen(m->slots[i].key) != n || memcmp(m->slots[i].key, key, n)))
        i = (i + 1) & (m->cap - 1);
    return &m->slots[i];
}

static void name_map_grow(struct name_map *m)
{
    struct name_entry *old = m->slots;
    size_t old_cap = m->cap;
    m->cap *= 2;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key)
            *slot_for(m, old[i].key, strlen(old[i].key)) = old[i];
    free(old);
}

void name_map_add(struct name_map *m, const char *name, const char *value)
{
    char key[NAME_MAX_BYTES];
    size_t n = name_normalize(name, strlen(name), key, sizeof key);
    if (!n)
        return;
    if ((m->count + 1) * 2 > m->cap)
        name_map_grow(m);
    struct name_entry *e = slot_for(m, key, n);
    if (e->key) {
        if (strcmp(e->value, value) != 0)
            e->ambiguous = true;
        return;
    }
    e->key = xstrdup(key);
    e->value = xstrdup(value);
    m->count++;
}

static const struct name_entry *lookup_normalized(const struct name_map *m, const char *key,
                                                  size_t n)
{
    if (!m || !n)
        return NULL;
    const struct name_entry *e = slot_for(m, key, n);
    return e->key ? e : NULL;
}

const char *name_map_get(const struct name_map *m, const char *text, size_t len, bool *ambiguous)
{
    char key[NAME_MAX_BYTES];
    size_t n = name_normalize(text, len, key, sizeof key);
    const struct name_entry *e = lookup_normalized(m, key, n);
    if (ambiguous)
        *ambiguous = e && e->ambiguous;
    return e ? e->value : NULL;
}

const char *name_map_find_prefix(const struct name_map *m, const char *text, size_t len,
                                 bool *ambiguous)
{
    char key[NAME_MAX_BYTES];
    size_t n = name_normalize(text, len, key, sizeof key);
    size_t ends[NAME_MAX_WORDS], count = 0;
    for (size_t i = 1; i <= n && count < NAME_MAX_WORDS; i++)
        if (i == n || key[i] == ' ')
            ends[count++] = i;
    for (size_t k = count; k > 0; k--) {
        const struct name_entry *e = lookup_normalized(m, key, ends[k - 1]);
        if (e) {
            if (ambiguous)
                *ambiguous = e->ambiguous;
            return e->value;
        }
    }
    if (ambiguous)
        *ambiguous = false;
    return NULL;
}

/* ---- manufacturers, OEM brands, module makers ------------------------- */

/* Adds every '|'-separated item of list as a name of value. */
static void add_names(struct name_map *m, const char *list, const char *value)
{
    char *copy = xstrdup(list), *save = NULL;
    for (char *item = strtok_r(copy, "|", &save); item; item = strtok_r(NULL, "|", &save))
        name_map_add(m, item, value);
    free(copy);
}

static void on_manufacturer_row(void *ctx, char **f, size_t n, size_t line)
{
    struct maker_tables *t = ctx;
    if (n < 1 || !f[0][0])
        return;
    name_map_add(t->makers, f[0], f[0]);
    if (n > 1 && f[1][0])
        name_map_add(t->makers, f[1], f[0]);
    if (n > 2 && f[2][0])
        add_names(t->makers, f[2], f[0]);
}

static void on_oem_row(void *ctx, char **f, size_t n, size_t line)
{
    struct maker_tables *t = ctx;
    if (n < 3 || !f[0][0] || !f[1][0])
        return;
    char key[NAME_MAX_BYTES];
    if (!name_normalize(f[0], strlen(f[0]), key, sizeof key))
        return;
    /* The maker column is resolved to its canonical spelling when known. */
    const char *canonical = name_map_get(t->makers, f[1], strlen(f[1]), NULL);
    void *re = NULL;
    if (n > 3 && f[3][0]) {
        int code;
        PCRE2_SIZE offset;
        re = pcre2_compile((PCRE2_SPTR)f[3], PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &code, &offset,
                           NULL);
        if (!re)
            log_warn("oem.csv:%zu: model_pattern does not compile; row ignored", line);
        if (!re)
            return;
    }
    t->oem = xrealloc(t->oem, (t->oem_count + 1) * sizeof *t->oem);
    t->oem[t->oem_count++] =
        (struct oem_row){xstrdup(key), xstrdup(f[0]), xstrdup(canonical ? canonical : f[1]),
                         strcmp(f[2], "all") == 0, re};
    name_map_add(t->brands, f[0], key);
}

static void on_module_row(void *ctx, char **f, size_t n, size_t line)
{
    struct maker_tables *t = ctx;
    if (n >= 1 && f[0][0])
        name_map_add(t->modules, f[0], f[0]);
}

static void on_model_type_row(void *ctx, char **f, size_t n, size_t line)
{
    struct maker_tables *t = ctx;
    if (n < 4 || !f[0][0] || !f[1][0] || !f[2][0]) {
        log_warn("model_types.csv:%zu: manufacturer, model_pattern and device_type are needed; "
                 "row ignored",
                 line);
        return;
    }
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)f[1], PCRE2_ZERO_TERMINATED,
                                   PCRE2_CASELESS | PCRE2_ANCHORED, &code, &offset, NULL);
    if (!re) {
        log_warn("model_types.csv:%zu: model_pattern does not compile; row ignored", line);
        return;
    }
    const char *canonical = name_map_get(t->makers, f[0], strlen(f[0]), NULL);
    t->model_types = xrealloc(t->model_types, (t->model_type_count + 1) * sizeof *t->model_types);
    t->model_types[t->model_type_count++] = (struct model_type_row){
        xstrdup(canonical ? canonical : f[0]), xstrdup(f[1]), xstrdup(f[2]), xstrdup(f[3]), re};
}

static int load_table(const char *dir, const char *file, csv_row_fn fn, void *ctx, char *err,
                      size_t err_size)
{
    char *path = xasprintf("%s/%s", dir, file);
    int rc = 0;
    FILE *probe = fopen(path, "r");
    if (!probe) {
        log_warn("%s not found: that table is empty", path);
    } else {
        fclose(probe);
        rc = csv_read_file(path, fn, ctx, err, err_size);
    }
    free(path);
    return rc;
}

int maker_tables_load(struct maker_tables *t, const char *data_dir, char *err, size_t err_size)
{
    static _Atomic unsigned long loads;
    t->generation = ++loads;
    t->makers = name_map_new();
    t->brands = name_map_new();
    t->modules = name_map_new();
    if (load_table(data_dir, "manufacturers.csv", on_manufacturer_row, t, err, err_size) ||
        load_table(data_dir, "oem.csv", on_oem_row, t, err, err_size) ||
        load_table(data_dir, "module_makers.csv", on_module_row, t, err, err_size) ||
        load_table(data_dir, "model_types.csv", on_model_type_row, t, err, err_size))
        return -1;
    return 0;
}

void maker_tables_free(struct maker_tables *t)
{
    name_map_free(t->makers);
    name_map_free(t->brands);
    name_map_free(t->modules);
    for (size_t i = 0; i < t->oem_count; i++) {
        free(t->oem[i].key);
        free(t->oem[i].brand);
        free(t->oem[i].manufacturer);
        pcre2_code_free(t->oem[i].model_re);
    }
    free(t->oem);
    for (size_t i = 0; i < t->model_type_count; i++) {
        struct model_type_row *r = &t->model_types[i];
        free(r->manufacturer);
        free(r->pattern);
        free(r->device_type);
        free(r->example);
        pcre2_code_free(r->model_re);
    }
    free(t->model_types);
    memset(t, 0, sizeof *t);
}

static bool pattern_fits(void *re, const char *text)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)text, strlen(text), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

const struct model_type_row *model_type_find(const struct maker_tables *t, const char *manufacturer,
                                             const char *model)
{
    if (!manufacturer || !model)
        return NULL;
    for (size_t i = 0; i < t->model_type_count; i++) {
        const struct model_type_row *r = &t->model_types[i];
        if (strcmp(r->manufacturer, manufacturer) == 0 && pattern_fits(r->model_re, model))
            return r;
    }
    return NULL;
}

static bool model_fits(const struct oem_row *row, const char *model)
{
    return row->model_re && model && pattern_fits(row->model_re, model);
}

/* The OEM rows of one brand key: a scope=all row names its maker (when all
 * such rows agree); a scope=some row whose model_pattern fits the model
 * does too; otherwise a single scope=some maker is only supported. */
static struct maker_resolution resolve_oem(const struct maker_tables *t, const char *key,
                                           const char *model)
{
    struct maker_resolution r = {0};
    const char *all = NULL, *fit = NULL, *some = NULL;
    bool all_conflict = false, some_conflict = false;
    for (size_t i = 0; i < t->oem_count; i++) {
        const struct oem_row *row = &t->oem[i];
        if (strcmp(row->key, key) != 0)
            continue;
        if (!r.brand)
            r.brand = row->brand;
        if (row->scope_all) {
            all_conflict |= all && strcmp(all, row->manufacturer) != 0;
            all = row->manufacturer;
        } else if (model_fits(row, model)) {
            fit = fit ? fit : row->manufacturer;
        } else {
            some_conflict |= some && strcmp(some, row->manufacturer) != 0;
            some = some ? some : row->manufacturer;
        }
    }
    if (all && !all_conflict)
        r.manufacturer = all;
    else if (fit)
        r.manufacturer = fit;
    else if (some && !some_conflict)
        r.supports = some;
    return r;
}

/* The resolution itself; *needs_model when an OEM row's model_pattern took
 * part (the answer may then differ for another model). */
static struct maker_resolution resolve_uncached(const struct maker_tables *t, const char *text,
                                                size_t len, const char *model, bool *needs_model)
{
    struct maker_resolution r = {0};
    *needs_model = false;
    r.manufacturer = name_map_get(t->makers, text, len, NULL);
    if (r.manufacturer)
        return r;
    const char *key = name_map_get(t->brands, text, len, NULL);
    if (!key) {
        r.manufacturer = name_map_find_prefix(t->makers, text, len, NULL);
        if (r.manufacturer)
            return r;
        key = name_map_find_prefix(t->brands, text, len, NULL);
    }
    if (!key)
        return r;
    *needs_model = true;
    return resolve_oem(t, key, model);
}

/* The same names come back for every host (fixed vendor params, registry
 * organisations): a small per-thread cache of answers that do not depend on
 * the model, keyed by the text itself and the tables' load. */
#define RESOLVE_CACHE_SLOTS 128
#define RESOLVE_CACHE_TEXT 48
struct resolve_cache_entry {
    unsigned long generation;
    size_t len;
    char text[RESOLVE_CACHE_TEXT];
    struct maker_resolution r;
};

struct maker_resolution maker_resolve(const struct maker_tables *t, const char *text, size_t len,
                                      const char *model)
{
    static _Thread_local struct resolve_cache_entry cache[RESOLVE_CACHE_SLOTS];
    struct maker_resolution r = {0};
    if (!text || !len)
        return r;
    struct resolve_cache_entry *e = NULL;
    if (len <= RESOLVE_CACHE_TEXT) {
        e = &cache[hash_bytes(text, len) % RESOLVE_CACHE_SLOTS];
        if (e->generation == t->generation && e->len == len && memcmp(e->text, text, len) == 0)
            return e->r;
    }
    bool needs_model;
    r = resolve_uncached(t, text, len, model, &needs_model);
    if (e && !needs_model) {
        e->generation = t->generation;
        e->len = len;
        memcpy(e->text, text, len);
        e->r = r;
    }
    return r;
}

bool maker_is_module(const struct maker_tables *t, const char *org)
{
    return name_map_find_prefix(t->modules, org, strlen(org), NULL) != NULL;
}

/* ---- signal routes ---------------------------------------------------- */

struct route_ctx {
    struct signal_routes *r;
    const char *path;
};

static void on_route_row(void *ctx, char **f, size_t n, size_t line)
{
    struct route_ctx *c = ctx;
    if (n < 2 || !f[0][0] || !f[1][0]) {
        log_warn("%s:%zu: a route needs a signal and a database", c->path, line);
        return;
    }
    char *end = NULL;
    double w = n > 2 && f[2][0] ? strtod(f[2], &end) : 0.5;
    if ((end && *end) || w < 0 || w > 1) {
        log_warn("%s:%zu: weight '%s' is not a number from 0 to 1; 0.5 used", c->path, line, f[2]);
        w = 0.5;
    }
    struct signal_routes *r = c->r;
    r->items = xrealloc(r->items, (r->count + 1) * sizeof *r->items);
    r->items[r->count++] = (struct signal_route){xstrdup(f[0]), xstrdup(f[1]), w};
}

int signal_routes_load(struct signal_routes *r, const char *path, char *err, size_t err_size)
{
    memset(r, 0, sizeof *r);
    struct route_ctx c = {r, path};
    return csv_read_file(path, on_route_row, &c, err, err_size);
}

void signal_routes_free(struct signal_routes *r)
{
    for (size_t i = 0; i < r->count; i++) {
        free(r->items[i].signal);
        free(r->items[i].database);
    }
    free(r->items);
    memset(r, 0, sizeof *r);
}
