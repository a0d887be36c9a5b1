/* restriction.c — restriction lists: parsing policies/<id>.json and the
 * equipment categories, and the per-device verdict; see restriction.h. */
#include "policy/restriction.h"

#include "core/util.h"
#include "policy/datafile.h"
#include "policy/version.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct category_map {
    char *names[CATEGORY_MAX];
    char **types[CATEGORY_MAX];
    size_t type_count[CATEGORY_MAX];
    size_t count;
};

struct maker {
    char *name;
    char **legal_names, **subsidiaries, **brands, **oem_brands;
    size_t legal_count, subsidiary_count, brand_count, oem_count;
    char *oem_note;
    unsigned equipment;           /* category bits */
    unsigned equipment_uncertain; /* category bits whose coverage is unsettled */
    bool any_equipment;
};

struct restriction_list {
    struct policy_list info; /* strings owned below */
    char *id, *name, *jurisdiction, *authority, *instrument, *effective_date, *scope;
    char *summary, *uncertainty;
    char **sources;
    size_t source_count;
    struct maker *makers;
    size_t maker_count;
};

/* ---- equipment categories ---- */

void category_map_free(struct category_map *map)
{
    if (!map)
        return;
    for (size_t i = 0; i < map->count; i++) {
        free(map->names[i]);
        df_strings_free(map->types[i], map->type_count[i]);
    }
    free(map);
}

struct category_map *category_map_parse(const char *name, const char *text, size_t len, char *err,
                                        size_t err_size)
{
    struct df_ctx c = {name, err, err_size};
    json_t *root = df_parse(&c, text, len);
    if (!root)
        return NULL;
    static const char *const keys[] = {"format", "note", "categories", NULL};
    json_t *cats;
    struct category_map *map = xcalloc(1, sizeof *map);
    if (df_check_keys(&c, root, NULL, keys) != 0 ||
        df_get_object(&c, root, NULL, "categories", true, &cats) != 0)
        goto fail;
    const char *key;
    json_t *value;
    json_object_foreach(cats, key, value)
    {
        (void)value;
        if (map->count >= CATEGORY_MAX) {
            df_error(&c, "categories", "more than %d categories", CATEGORY_MAX);
            goto fail;
        }
        if (strcmp(key, CATEGORY_ANY_NAME) == 0) {
            df_error(&c, "categories", "'%s' is reserved", CATEGORY_ANY_NAME);
            goto fail;
        }
        size_t i = map->count;
        if (df_get_strings(&c, cats, "categories", key, true, &map->types[i],
                           &map->type_count[i]) != 0)
            goto fail;
        map->names[i] = xstrdup(key);
        map->count++;
    }
    json_decref(root);
    return map;
fail:
    json_decref(root);
    category_map_free(map);
    return NULL;
}

static int category_index(const struct category_map *map, const char *name)
{
    for (size_t i = 0; i < map->count; i++)
        if (strcmp(map->names[i], name) == 0)
            return (int)i;
    return -1;
}

/* "video_surveillance, telecommunications" for messages. */
static char *category_names(const struct category_map *map)
{
    char *out = xstrdup("");
    for (size_t i = 0; i < map->count; i++) {
        char *next = xasprintf("%s%s%s", out, i ? ", " : "", map->names[i]);
        free(out);
        out = next;
    }
    return out;
}

/* The category of a device type, -1 when the type is unknown or unmapped. */
static int category_of_type(const struct category_map *map, const char *type)
{
    if (!type)
        return -1;
    for (size_t i = 0; i < map->count; i++)
        for (size_t k = 0; k < map->type_count[i]; k++)
            if (strcasecmp(map->types[i][k], type) == 0)
                return (int)i;
    return -1;
}

/* ---- parsing a list ---- */

static void maker_free(struct maker *m)
{
    free(m->name);
    df_strings_free(m->legal_names, m->legal_count);
    df_strings_free(m->subsidiaries, m->subsidiary_count);
    df_strings_free(m->brands, m->brand_count);
    df_strings_free(m->oem_brands, m->oem_count);
    free(m->oem_note);
}

void restriction_list_free(struct restriction_list *l)
{
    if (!l)
        return;
    free(l->id);
    free(l->name);
    free(l->jurisdiction);
    free(l->authority);
    free(l->instrument);
    free(l->effective_date);
    free(l->scope);
    free(l->summary);
    free(l->uncertainty);
    df_strings_free(l->sources, l->source_count);
    for (size_t i = 0; i < l->maker_count; i++)
        maker_free(&l->makers[i]);
    free(l->makers);
    free(l);
}

static int parse_equipment(const struct df_ctx *c, const json_t *obj, const char *parent,
                           const char *key, const struct category_map *cats, unsigned *bits,
                           bool *any)
{
    char **names;
    size_t n;
    if (df_get_strings(c, obj, parent, key, any != NULL, &names, &n) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (any && strcmp(names[i], CATEGORY_ANY_NAME) == 0) {
            *any = true;
            continue;
        }
        int idx = category_index(cats, names[i]);
        if (idx < 0) {
            char path[DATAFILE_PATH_MAX], item[DATAFILE_PATH_MAX];
            df_path_key(path, sizeof path, parent, key);
            df_path_index(item, sizeof item, path, i);
            char *known = category_names(cats);
            rc = df_error(c, item, "unknown equipment category '%s' (known: %s%s)", names[i],
                          any ? "any, " : "", known);
            free(known);
        } else {
            *bits |= 1u << idx;
        }
    }
    if (rc == 0 && any && !*any && *bits == 0)
        rc = df_error(c, parent, "'%s' must name at least one category", key);
    df_strings_free(names, n);
    return rc;
}

static int parse_maker(const struct df_ctx *c, const json_t *obj, const char *path,
                       const struct category_map *cats, struct maker *m)
{
    static const char *const keys[] = {"name",      "legal_names",         "subsidiaries",
                                       "brands",    "oem_brands",          "oem_note",
                                       "equipment", "equipment_uncertain", NULL};
    if (!json_is_object(obj))
        return df_error(c, path, "expected an object");
    if (df_check_keys(c, obj, path, keys) != 0 ||
        df_get_string(c, obj, path, "name", true, &m->name) != 0 ||
        df_get_strings(c, obj, path, "legal_names", false, &m->legal_names, &m->legal_count) != 0 ||
        df_get_strings(c, obj, path, "subsidiaries", false, &m->subsidiaries,
                       &m->subsidiary_count) != 0 ||
        df_get_strings(c, obj, path, "brands", false, &m->brands, &m->brand_count) != 0 ||
        df_get_strings(c, obj, path, "oem_brands", false, &m->oem_brands, &m->oem_count) != 0 ||
        df_get_string(c, obj, path, "oem_note", false, &m->oem_note) != 0 ||
        parse_equipment(c, obj, path, "equipment", cats, &m->equipment, &m->any_equipment) != 0 ||
        parse_equipment(c, obj, path, "equipment_uncertain", cats, &m->equipment_uncertain, NULL) !=
            0)
        return -1;
    return 0;
}

static int parse_sources(const struct df_ctx *c, const json_t *root, struct restriction_list *l)
{
    json_t *arr;
    if (df_get_array(c, root, NULL, "sources", true, &arr) != 0)
        return -1;
    size_t n = json_array_size(arr);
    if (n == 0)
        return df_error(c, "sources", "at least one public source is required");
    l->sources = xcalloc(n, sizeof *l->sources);
    static const char *const keys[] = {"title", "url", NULL};
    for (size_t i = 0; i < n; i++) {
        char path[DATAFILE_PATH_MAX];
        df_path_index(path, sizeof path, "sources", i);
        json_t *s = json_array_get(arr, i);
        char *title = NULL, *url = NULL;
        if (!json_is_object(s))
            return df_error(c, path, "expected an object with title and url");
        if (df_check_keys(c, s, path, keys) != 0 ||
            df_get_string(c, s, path, "title", true, &title) != 0 ||
            df_get_string(c, s, path, "url", true, &url) != 0) {
            free(title);
            return -1;
        }
        l->sources[l->source_count++] = xasprintf("%s <%s>", title, url);
        free(title);
        free(url);
    }
    return 0;
}

/* A policy id is what users type after --policy: keep it simple. */
static int check_id(const struct df_ctx *c, const char *id)
{
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return df_error(c, "id", "'%s' may only hold a-z, 0-9, '-' and '_'", id);
    return strlen(id) > 64 ? df_error(c, "id", "longer than 64 characters") : 0;
}

static int parse_makers(const struct df_ctx *c, const json_t *root, const struct category_map *cats,
                        struct restriction_list *l)
{
    json_t *arr;
    if (df_get_array(c, root, NULL, "manufacturers", true, &arr) != 0)
        return -1;
    size_t n = json_array_size(arr);
    if (n == 0)
        return df_error(c, "manufacturers", "a list must name at least one manufacturer");
    l->makers = xcalloc(n, sizeof *l->makers);
    for (size_t i = 0; i < n; i++) {
        char path[DATAFILE_PATH_MAX];
        df_path_index(path, sizeof path, "manufacturers", i);
        l->maker_count++;
        if (parse_maker(c, json_array_get(arr, i), path, cats, &l->makers[i]) != 0)
            return -1;
    }
    return 0;
}

struct restriction_list *restriction_list_parse(const char *name, const char *text, size_t len,
                                                const struct category_map *cats, char *err,
                                                size_t err_size)
{
    struct df_ctx c = {name, err, err_size};
    json_t *root = df_parse(&c, text, len);
    if (!root)
        return NULL;
    static const char *const keys[] = {
        "format",    "id",          "name",           "jurisdiction",
        "authority", "instrument",  "effective_date", "scope",
        "summary",   "uncertainty", "sources",        "manufacturers",
        NULL};
    struct restriction_list *l = xcalloc(1, sizeof *l);
    uint32_t date;
    if (df_check_keys(&c, root, NULL, keys) != 0 ||
        df_get_string(&c, root, NULL, "id", true, &l->id) != 0 || check_id(&c, l->id) != 0 ||
        df_get_string(&c, root, NULL, "name", true, &l->name) != 0 ||
        df_get_string(&c, root, NULL, "jurisdiction", true, &l->jurisdiction) != 0 ||
        df_get_string(&c, root, NULL, "authority", true, &l->authority) != 0 ||
        df_get_string(&c, root, NULL, "instrument", true, &l->instrument) != 0 ||
        df_get_string(&c, root, NULL, "effective_date", true, &l->effective_date) != 0 ||
        df_get_string(&c, root, NULL, "scope", true, &l->scope) != 0 ||
        df_get_string(&c, root, NULL, "summary", false, &l->summary) != 0 ||
        df_get_string(&c, root, NULL, "uncertainty", false, &l->uncertainty) != 0 ||
        parse_sources(&c, root, l) != 0 || parse_makers(&c, root, cats, l) != 0)
        goto fail;
    if (!fw_date_parse(l->effective_date, &date)) {
        df_error(&c, "effective_date", "'%s' is not a YYYY-MM-DD date", l->effective_date);
        goto fail;
    }
    l->info =
        (struct policy_list){l->id,         l->name,           l->jurisdiction, l->authority,
                             l->instrument, l->effective_date, l->scope,        l->sources[0]};
    json_decref(root);
    return l;
fail:
    json_decref(root);
    restriction_list_free(l);
    return NULL;
}

const struct policy_list *restriction_list_info(const struct restriction_list *l)
{
    return &l->info;
}

const char *restriction_list_summary(const struct restriction_list *l)
{
    return l->summary;
}

const char *restriction_list_uncertainty(const struct restriction_list *l)
{
    return l->uncertainty;
}

/* ---- verdicts ---- */

static bool in_names(char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(names[i], s) == 0)
            return true;
    return false;
}

/* The maker itself: its short name, legal names, subsidiaries or own brands. */
static bool is_maker_or_own(const struct maker *m, const char *s)
{
    return strcasecmp(m->name, s) == 0 || in_names(m->legal_names, m->legal_count, s) ||
           in_names(m->subsidiaries, m->subsidiary_count, s) ||
           in_names(m->brands, m->brand_count, s);
}

static bool known_name(const char *s)
{
    return s && *s && strcasecmp(s, "unknown") != 0;
}

enum match_how { MATCH_NONE, MATCH_MAKER, MATCH_OWN_BRAND, MATCH_OEM_BRAND };

struct match {
    const struct maker *maker;
    enum match_how how;
};

static struct match find_maker(const struct restriction_list *l, const char *manufacturer,
                               const char *brand)
{
    for (size_t i = 0; i < l->maker_count && known_name(manufacturer); i++)
        if (is_maker_or_own(&l->makers[i], manufacturer))
            return (struct match){&l->makers[i], MATCH_MAKER};
    if (!known_name(brand))
        return (struct match){NULL, MATCH_NONE};
    for (size_t i = 0; i < l->maker_count; i++)
        if (is_maker_or_own(&l->makers[i], brand))
            return (struct match){&l->makers[i], MATCH_OWN_BRAND};
    /* An OEM label counts only when no other maker was identified. */
    for (size_t i = 0; i < l->maker_count && !known_name(manufacturer); i++)
        if (in_names(l->makers[i].oem_brands, l->makers[i].oem_count, brand))
            return (struct match){&l->makers[i], MATCH_OEM_BRAND};
    return (struct match){NULL, MATCH_NONE};
}

/* The maker of which brand is an OEM label, NULL if none in this list. */
static const struct maker *oem_owner(const struct restriction_list *l, const char *brand)
{
    for (size_t i = 0; i < l->maker_count && known_name(brand); i++)
        if (in_names(l->makers[i].oem_brands, l->makers[i].oem_count, brand))
            return &l->makers[i];
    return NULL;
}

/* "Hikvision, Dahua" — the makers a list names. */
static char *maker_names(const struct restriction_list *l)
{
    char *out = xstrdup("");
    for (size_t i = 0; i < l->maker_count; i++) {
        char *next = xasprintf("%s%s%s", out, i ? (i + 1 == l->maker_count ? " and " : ", ") : "",
                               l->makers[i].name);
        free(out);
        out = next;
    }
    return out;
}

/* "video surveillance and telecommunications" for a set of category bits. */
static char *categories_text(const struct category_map *cats, unsigned bits, bool any)
{
    char *out = xstrdup("");
    if (any)
        return out;
    size_t done = 0, total = (size_t)__builtin_popcount(bits);
    for (size_t i = 0; i < cats->count; i++) {
        if (!(bits & (1u << i)))
            continue;
        char *name = xstrdup(cats->names[i]);
        for (char *p = name; *p; p++)
            if (*p == '_')
                *p = ' ';
        const char *sep = done == 0 ? "" : (done + 1 == total ? " and " : ", ");
        char *next = xasprintf("%s%s%s", out, sep, name);
        free(out);
        free(name);
        out = next;
        done++;
    }
    return out;
}

/* Why the maker is the one named: "Annke is a Hikvision OEM brand; ". */
static char *match_prefix(const struct match *mt, const struct device *dev)
{
    const char *man = dev->manufacturer, *brand = dev->brand;
    const char *maker = mt->maker->name;
    switch (mt->how) {
    case MATCH_OEM_BRAND:
        return xasprintf("%s is a %s OEM brand (the maker was not confirmed from the device); ",
                         brand, maker);
    case MATCH_OWN_BRAND:
        return xasprintf("%s is a %s brand or subsidiary; ", brand, maker);
    case MATCH_MAKER:
        if (known_name(brand) && strcasecmp(brand, maker) != 0 &&
            in_names(mt->maker->oem_brands, mt->maker->oem_count, brand))
            return xasprintf("%s is a %s OEM brand; ", brand, maker);
        if (known_name(brand) && strcasecmp(brand, maker) != 0 && is_maker_or_own(mt->maker, brand))
            return xasprintf("%s is a %s brand or subsidiary; ", brand, maker);
        if (strcasecmp(man, maker) != 0)
            return xasprintf("%s is part of %s; ", man, maker);
        return xstrdup("");
    case MATCH_NONE:
        break;
    }
    return xstrdup("");
}

static void add_verdict(struct device *dev, const struct restriction_list *l, const char *verdict,
                        char *reason)
{
    device_add_finding(dev, FINDING_RESTRICTION, l->id, verdict, reason, NULL, l->sources[0]);
    free(reason);
}

static void evaluate_unmatched(const struct restriction_list *l, struct device *dev)
{
    char *names = maker_names(l);
    const char *man = dev->manufacturer;
    if (!known_name(man)) {
        add_verdict(dev, l, "unknown",
                    xasprintf("Manufacturer not identified, so this list (which names %s) cannot "
                              "be applied.",
                              names));
    } else if (dev->confidence < POLICY_MIN_CONFIDENCE) {
        add_verdict(dev, l, "unknown",
                    xasprintf("Identified as %s with confidence %.2f only (below %.2f); this "
                              "list names %s.",
                              man, dev->confidence, POLICY_MIN_CONFIDENCE, names));
    } else if (oem_owner(l, dev->brand)) {
        add_verdict(dev, l, "not_restricted",
                    xasprintf("Sold under the %s brand, which some %s products carry, but "
                              "identified as made by %s, which this list does not name.",
                              dev->brand, oem_owner(l, dev->brand)->name, man));
    } else {
        add_verdict(dev, l, "not_restricted",
                    xasprintf("%s is not named by this list (it names %s).", man, names));
    }
    free(names);
}

void restriction_evaluate(const struct restriction_list *l, const struct category_map *cats,
                          struct device *dev)
{
    struct match mt = find_maker(l, dev->manufacturer, dev->brand);
    if (mt.how == MATCH_NONE) {
        evaluate_unmatched(l, dev);
        return;
    }
    const struct maker *m = mt.maker;
    if (known_name(dev->manufacturer) && dev->confidence < POLICY_MIN_CONFIDENCE) {
        add_verdict(dev, l, "unknown",
                    xasprintf("Identified as %s with confidence %.2f only (below %.2f); confirm "
                              "the maker before acting on %s.",
                              dev->manufacturer, dev->confidence, POLICY_MIN_CONFIDENCE, l->name));
        return;
    }
    char *prefix = match_prefix(&mt, dev);
    char *covered = categories_text(cats, m->equipment, m->any_equipment);
    int cat = category_of_type(cats, dev->device_type);
    const char *type = dev->device_type ? dev->device_type : "device";
    char *kind = cat < 0 ? xstrdup("") : categories_text(cats, 1u << cat, false);
    if (m->any_equipment || cat < 0 || (m->equipment & (1u << cat))) {
        add_verdict(dev, l, "restricted",
                    xasprintf("%s%s %s%sequipment is covered by %s (effective %s)%s.", prefix,
                              m->name, covered, *covered ? " " : "", l->name, l->effective_date,
                              cat < 0 && !m->any_equipment ? "; device type not determined" : ""));
    } else if (m->equipment_uncertain & (1u << cat)) {
        add_verdict(dev, l, "unknown",
                    xasprintf("%s%s is named for %s equipment; whether this %s (%s) is covered "
                              "is not settled.",
                              prefix, m->name, covered, type, kind));
    } else {
        add_verdict(dev, l, "not_restricted",
                    xasprintf("%s%s is named for %s equipment only; this device is a %s (%s).",
                              prefix, m->name, covered, type, kind));
    }
    free(kind);
    free(prefix);
    free(covered);
}

char *restriction_list_makers_text(const struct restriction_list *l)
{
    char *out = xstrdup("");
    for (size_t i = 0; i < l->maker_count; i++) {
        const struct maker *m = &l->makers[i];
        char *brands = xstrdup("");
        for (size_t k = 0; k < m->brand_count; k++) {
            if (strcasecmp(m->brands[k], m->name) == 0)
                continue;
            char *next = xasprintf("%s%s%s", brands, *brands ? ", " : "", m->brands[k]);
            free(brands);
            brands = next;
        }
        char *next = xasprintf("%s%s%s%s%s%s", out, i ? "; " : "", m->name, *brands ? " (" : "",
                               brands, *brands ? ")" : "");
        free(out);
        free(brands);
        out = next;
    }
    return out;
}
