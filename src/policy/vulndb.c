/* vulndb.c — vulnerability data parsing and version-range matching; see
 * vulndb.h. */
#include "policy/vulndb.h"

#include "core/util.h"
#include "policy/datafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- parsing ---- */

static pcre2_code *compile_regex(const struct df_ctx *c, const char *path, const char *pattern)
{
    if (strlen(pattern) > VULN_REGEX_MAX) {
        df_error(c, path, "regex longer than %d characters", VULN_REGEX_MAX);
        return NULL;
    }
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS,
                                   &code, &offset, NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        df_error(c, path, "bad regex at offset %zu: %s", (size_t)offset, (const char *)msg);
    }
    return re;
}

static int parse_version_field(const struct df_ctx *c, const json_t *obj, const char *parent,
                               const char *key, char **text, struct fw_version *v)
{
    if (df_get_string(c, obj, parent, key, false, text) != 0)
        return -1;
    if (*text && fw_version_parse(*text, strlen(*text), v) != 0) {
        char path[DATAFILE_PATH_MAX];
        df_path_key(path, sizeof path, parent, key);
        return df_error(c, path, "'%s' is not a firmware version camaudit understands", *text);
    }
    return 0;
}

static int parse_date_field(const struct df_ctx *c, const json_t *obj, const char *parent,
                            const char *key, char **text, uint32_t *date)
{
    if (df_get_string(c, obj, parent, key, false, text) != 0)
        return -1;
    if (*text && !fw_date_parse(*text, date)) {
        char path[DATAFILE_PATH_MAX];
        df_path_key(path, sizeof path, parent, key);
        return df_error(c, path, "'%s' is not a YYYY-MM-DD date", *text);
    }
    return 0;
}

static int parse_versions(const struct df_ctx *c, const json_t *obj, const char *parent,
                          struct vuln_block *b)
{
    if (df_get_strings(c, obj, parent, "versions", false, &b->versions, &b->version_count) != 0)
        return -1;
    b->parsed_versions = xcalloc(b->version_count + 1, sizeof *b->parsed_versions);
    for (size_t i = 0; i < b->version_count; i++) {
        if (fw_version_parse(b->versions[i], strlen(b->versions[i]), &b->parsed_versions[i]) != 0) {
            char path[DATAFILE_PATH_MAX], item[DATAFILE_PATH_MAX];
            df_path_key(path, sizeof path, parent, "versions");
            df_path_index(item, sizeof item, path, i);
            return df_error(c, item, "'%s' is not a firmware version camaudit understands",
                            b->versions[i]);
        }
    }
    return 0;
}

static int parse_observed(const struct df_ctx *c, const json_t *obj, const char *parent,
                          struct vuln_block *b)
{
    json_t *o;
    if (df_get_object(c, obj, parent, "observed", false, &o) != 0)
        return -1;
    if (!o)
        return 0;
    char path[DATAFILE_PATH_MAX], rpath[DATAFILE_PATH_MAX];
    df_path_key(path, sizeof path, parent, "observed");
    df_path_key(rpath, sizeof rpath, path, "regex");
    static const char *const keys[] = {"signal", "regex", NULL};
    char *regex = NULL;
    int rc = -1;
    if (df_check_keys(c, o, path, keys) == 0 &&
        df_get_string(c, o, path, "signal", true, &b->observed_signal) == 0 &&
        df_get_string(c, o, path, "regex", true, &regex) == 0 &&
        (b->observed_re = compile_regex(c, rpath, regex)) != NULL)
        rc = 0;
    free(regex);
    return rc;
}

static int parse_examples(const struct df_ctx *c, const json_t *obj, const char *parent,
                          struct vuln_block *b)
{
    json_t *arr;
    if (df_get_array(c, obj, parent, "examples", false, &arr) != 0)
        return -1;
    size_t n = arr ? json_array_size(arr) : 0;
    b->examples = xcalloc(n + 1, sizeof *b->examples);
    static const char *const keys[] = {"model", "firmware", "http_server", "expect", NULL};
    char path[DATAFILE_PATH_MAX], item[DATAFILE_PATH_MAX];
    df_path_key(path, sizeof path, parent, "examples");
    for (size_t i = 0; i < n; i++) {
        json_t *ex = json_array_get(arr, i);
        struct vuln_example *e = &b->examples[b->example_count++];
        df_path_index(item, sizeof item, path, i);
        if (!json_is_object(ex))
            return df_error(c, item, "expected an object");
        if (df_check_keys(c, ex, item, keys) != 0 ||
            df_get_string(c, ex, item, "model", false, &e->model) != 0 ||
            df_get_string(c, ex, item, "firmware", false, &e->firmware) != 0 ||
            df_get_string(c, ex, item, "http_server", false, &e->http_server) != 0 ||
            df_get_string(c, ex, item, "expect", true, &e->expect) != 0)
            return -1;
        if (strcmp(e->expect, "vulnerable") && strcmp(e->expect, "possibly_vulnerable") &&
            strcmp(e->expect, "none")) {
            char epath[DATAFILE_PATH_MAX];
            df_path_key(epath, sizeof epath, item, "expect");
            return df_error(c, epath, "expected vulnerable, possibly_vulnerable or none");
        }
    }
    return 0;
}

static char *append(char *s, const char *sep, char *add)
{
    char *out = xasprintf("%s%s%s", s, *s ? sep : "", add);
    free(s);
    free(add);
    return out;
}

/* "firmware V5.2.0 build 140721 to V5.4.0 build 160530; built before 2021-06-01" */
static char *describe_range(const struct vuln_block *b)
{
    char *s = xstrdup("");
    if (b->all_versions)
        s = append(s, "; ", xstrdup("all firmware versions"));
    if (b->version_count == 1)
        s = append(s, "; ", xasprintf("firmware %s", b->versions[0]));
    else if (b->version_count > 1)
        s = append(s, "; ", xasprintf("%zu listed firmware versions", b->version_count));
    if (b->min && b->max)
        s = append(s, "; ", xasprintf("firmware %s to %s", b->min, b->max));
    else if (b->min && b->below)
        s = append(s, "; ", xasprintf("firmware %s up to (not including) %s", b->min, b->below));
    else if (b->min)
        s = append(s, "; ", xasprintf("firmware %s or later", b->min));
    else if (b->max)
        s = append(s, "; ", xasprintf("firmware up to %s", b->max));
    else if (b->below)
        s = append(s, "; ", xasprintf("firmware before %s", b->below));
    if (b->build_after_text && b->build_before_text)
        s = append(
            s, "; ",
            xasprintf("built from %s to before %s", b->build_after_text, b->build_before_text));
    else if (b->build_before_text)
        s = append(s, "; ", xasprintf("built before %s", b->build_before_text));
    else if (b->build_after_text)
        s = append(s, "; ", xasprintf("built on or after %s", b->build_after_text));
    return s;
}

static bool block_has_range(const struct vuln_block *b)
{
    return b->all_versions || b->version_count || b->min || b->max || b->below || b->build_before ||
           b->build_after;
}

static int parse_block(const struct df_ctx *c, const json_t *obj, const char *path,
                       struct vuln_block *b)
{
    static const char *const keys[] = {
        "products", "model_regex", "observed",     "all_versions", "versions", "min",      "max",
        "below",    "build_after", "build_before", "fixed",        "verdict",  "examples", NULL};
    char rpath[DATAFILE_PATH_MAX];
    df_path_key(rpath, sizeof rpath, path, "model_regex");
    char *verdict = NULL;
    if (!json_is_object(obj))
        return df_error(c, path, "expected an object");
    if (df_check_keys(c, obj, path, keys) != 0 ||
        df_get_string(c, obj, path, "products", true, &b->products) != 0 ||
        df_get_string(c, obj, path, "model_regex", false, &b->model_regex) != 0 ||
        (b->model_regex && !(b->model_re = compile_regex(c, rpath, b->model_regex))) ||
        parse_observed(c, obj, path, b) != 0 ||
        df_get_bool(c, obj, path, "all_versions", &b->all_versions) != 0 ||
        parse_versions(c, obj, path, b) != 0 ||
        parse_version_field(c, obj, path, "min", &b->min, &b->vmin) != 0 ||
        parse_version_field(c, obj, path, "max", &b->max, &b->vmax) != 0 ||
        parse_version_field(c, obj, path, "below", &b->below, &b->vbelow) != 0 ||
        parse_date_field(c, obj, path, "build_after", &b->build_after_text, &b->build_after) != 0 ||
        parse_date_field(c, obj, path, "build_before", &b->build_before_text, &b->build_before) !=
            0 ||
        df_get_string(c, obj, path, "fixed", false, &b->fixed) != 0 ||
        df_get_string(c, obj, path, "verdict", false, &verdict) != 0 ||
        parse_examples(c, obj, path, b) != 0) {
        free(verdict);
        return -1;
    }
    b->verdict = "vulnerable";
    if (verdict && strcmp(verdict, "possibly_vulnerable") == 0)
        b->verdict = "possibly_vulnerable";
    else if (verdict && strcmp(verdict, "vulnerable") != 0) {
        free(verdict);
        char vpath[DATAFILE_PATH_MAX];
        df_path_key(vpath, sizeof vpath, path, "verdict");
        return df_error(c, vpath, "expected vulnerable or possibly_vulnerable");
    }
    free(verdict);
    if (!b->model_re && !b->observed_re)
        return df_error(c, path, "a block needs model_regex or observed");
    if (!block_has_range(b))
        return df_error(c, path,
                        "a block needs a range: all_versions, versions, min/max/below or "
                        "build_before/build_after");
    if (b->max && b->below)
        return df_error(c, path, "give max (inclusive) or below (exclusive), not both");
    b->range_text = describe_range(b);
    return 0;
}

static void block_free(struct vuln_block *b)
{
    free(b->products);
    free(b->model_regex);
    pcre2_code_free(b->model_re);
    free(b->observed_signal);
    pcre2_code_free(b->observed_re);
    df_strings_free(b->versions, b->version_count);
    free(b->parsed_versions);
    free(b->min);
    free(b->max);
    free(b->below);
    free(b->build_after_text);
    free(b->build_before_text);
    free(b->fixed);
    free(b->range_text);
    for (size_t i = 0; i < b->example_count; i++) {
        free(b->examples[i].model);
        free(b->examples[i].firmware);
        free(b->examples[i].http_server);
        free(b->examples[i].expect);
    }
    free(b->examples);
}

static void entry_free(struct vuln_entry *e)
{
    free(e->id);
    free(e->manufacturer);
    free(e->title);
    free(e->severity);
    free(e->uncertainty);
    df_strings_free(e->sources, e->source_count);
    for (size_t i = 0; i < e->block_count; i++)
        block_free(&e->blocks[i]);
    free(e->blocks);
}

void vuln_db_free(struct vuln_db *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->count; i++)
        entry_free(&db->entries[i]);
    free(db->entries);
    pcre2_match_context_free(db->match_ctx);
    free(db);
}

static int parse_entry(const struct df_ctx *c, const json_t *obj, const char *path,
                       struct vuln_entry *e)
{
    static const char *const keys[] = {"id",  "manufacturer", "title",       "severity", "cvss",
                                       "kev", "sources",      "uncertainty", "affected", NULL};
    if (!json_is_object(obj))
        return df_error(c, path, "expected an object");
    json_t *arr;
    if (df_check_keys(c, obj, path, keys) != 0 ||
        df_get_string(c, obj, path, "id", true, &e->id) != 0 ||
        df_get_string(c, obj, path, "manufacturer", true, &e->manufacturer) != 0 ||
        df_get_string(c, obj, path, "title", true, &e->title) != 0 ||
        df_get_string(c, obj, path, "severity", true, &e->severity) != 0 ||
        df_get_number(c, obj, path, "cvss", &e->cvss) != 0 ||
        df_get_bool(c, obj, path, "kev", &e->kev) != 0 ||
        df_get_strings(c, obj, path, "sources", true, &e->sources, &e->source_count) != 0 ||
        df_get_string(c, obj, path, "uncertainty", false, &e->uncertainty) != 0 ||
        df_get_array(c, obj, path, "affected", true, &arr) != 0)
        return -1;
    char apath[DATAFILE_PATH_MAX], bpath[DATAFILE_PATH_MAX];
    df_path_key(apath, sizeof apath, path, "sources");
    if (e->source_count == 0)
        return df_error(c, apath, "at least one source is required");
    df_path_key(apath, sizeof apath, path, "affected");
    size_t n = json_array_size(arr);
    if (n == 0)
        return df_error(c, apath, "at least one affected block is required");
    e->blocks = xcalloc(n, sizeof *e->blocks);
    for (size_t i = 0; i < n; i++) {
        df_path_index(bpath, sizeof bpath, apath, i);
        e->block_count++;
        if (parse_block(c, json_array_get(arr, i), bpath, &e->blocks[i]) != 0)
            return -1;
    }
    return 0;
}

struct vuln_db *vuln_db_parse(const char *name, const char *text, size_t len, char *err,
                              size_t err_size)
{
    struct df_ctx c = {name, err, err_size};
    json_t *root = df_parse(&c, text, len);
    if (!root)
        return NULL;
    static const char *const keys[] = {"format", "note", "vulnerabilities", NULL};
    struct vuln_db *db = xcalloc(1, sizeof *db);
    db->match_ctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(db->match_ctx, VULN_MATCH_LIMIT);
    json_t *arr;
    if (df_check_keys(&c, root, NULL, keys) != 0 ||
        df_get_array(&c, root, NULL, "vulnerabilities", true, &arr) != 0)
        goto fail;
    size_t n = json_array_size(arr);
    db->entries = xcalloc(n + 1, sizeof *db->entries);
    for (size_t i = 0; i < n; i++) {
        char path[DATAFILE_PATH_MAX];
        df_path_index(path, sizeof path, "vulnerabilities", i);
        db->count++;
        if (parse_entry(&c, json_array_get(arr, i), path, &db->entries[i]) != 0)
            goto fail;
    }
    json_decref(root);
    return db;
fail:
    json_decref(root);
    vuln_db_free(db);
    return NULL;
}

/* ---- matching ---- */

enum fw_outcome { OUTCOME_OUT, OUTCOME_UNKNOWN, OUTCOME_IN };

static bool regex_matches(const struct vuln_db *db, const pcre2_code *re, const char *s)
{
    size_t len = strnlen(s, VULN_SUBJECT_MAX);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, db->match_ctx);
    pcre2_match_data_free(md);
    return rc >= 0;
}

static bool known_maker(const char *s)
{
    return s && *s && strcasecmp(s, "unknown") != 0;
}

/* A model pattern applies to the entry's maker, or to a device whose maker
 * identify could not name (the model itself then speaks). */
static bool maker_allows(const struct vuln_entry *e, const struct device *dev)
{
    return !known_maker(dev->manufacturer) || strcasecmp(dev->manufacturer, e->manufacturer) == 0;
}

static const char *observed_value(const struct vuln_db *db, const struct vuln_block *b,
                                  const struct observation *obs, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (obs[i].value && strcmp(obs[i].signal, b->observed_signal) == 0 &&
            regex_matches(db, b->observed_re, obs[i].value))
            return obs[i].value;
    return NULL;
}

/* Whether v is one of the block's listed versions: IN, OUT, or UNKNOWN when
 * it matches one only up to a build the device did not say (V5.5.101 against
 * a listed "V5.5.101 build 210625": never silently "not affected"). */
static enum fw_outcome version_list_outcome(const struct vuln_block *b, const struct fw_version *v)
{
    enum fw_outcome o = OUTCOME_OUT;
    for (size_t i = 0; i < b->version_count; i++) {
        const struct fw_version *pv = &b->parsed_versions[i];
        bool listed_build = pv->has_build || pv->build_date;
        enum fw_cmp parts = fw_version_compare_parts(v, pv);
        enum fw_cmp c = listed_build && parts == FW_EQUAL ? fw_version_compare(v, pv) : parts;
        if (c == FW_EQUAL)
            return OUTCOME_IN;
        if (parts == FW_EQUAL && c == FW_INCOMPARABLE)
            o = OUTCOME_UNKNOWN; /* same version, builds that cannot be told apart */
    }
    return o;
}

/* Folds one comparison into the outcome: OUT wins over UNKNOWN over IN. */
static enum fw_outcome fold(enum fw_outcome o, enum fw_cmp c, enum fw_cmp out_when,
                            enum fw_cmp out_also)
{
    if (c == out_when || c == out_also)
        return OUTCOME_OUT;
    if (c == FW_INCOMPARABLE && o == OUTCOME_IN)
        return OUTCOME_UNKNOWN;
    return o;
}

static enum fw_outcome firmware_outcome(const struct vuln_block *b, const char *firmware,
                                        const char **why)
{
    if (b->all_versions)
        return OUTCOME_IN;
    if (!firmware || !*firmware) {
        *why = "firmware version is not known";
        return OUTCOME_UNKNOWN;
    }
    struct fw_version v;
    if (fw_version_parse(firmware, strlen(firmware), &v) != 0) {
        *why = "firmware version is not one camaudit understands";
        return OUTCOME_UNKNOWN;
    }
    enum fw_outcome o = OUTCOME_IN;
    if (b->version_count) {
        o = version_list_outcome(b, &v);
        if (o == OUTCOME_OUT)
            return OUTCOME_OUT;
    }
    if (b->min)
        o = fold(o, fw_version_compare(&v, &b->vmin), FW_LESS, FW_LESS);
    if (b->max && o != OUTCOME_OUT)
        o = fold(o, fw_version_compare(&v, &b->vmax), FW_GREATER, FW_GREATER);
    if (b->below && o != OUTCOME_OUT)
        o = fold(o, fw_version_compare(&v, &b->vbelow), FW_GREATER, FW_EQUAL);
    if (o == OUTCOME_UNKNOWN)
        *why = "firmware version cannot be compared with the affected range";
    if (o != OUTCOME_OUT && (b->build_before || b->build_after)) {
        if (!v.build_date) {
            *why = "firmware build date is not known";
            return OUTCOME_UNKNOWN;
        }
        if ((b->build_after && v.build_date < b->build_after) ||
            (b->build_before && v.build_date >= b->build_before))
            return OUTCOME_OUT;
    }
    return o;
}

static char *block_reason(const struct vuln_entry *e, const struct vuln_block *b,
                          const struct device *dev, const char *seen, enum fw_outcome o,
                          const char *verdict, const char *why)
{
    char *subject =
        seen ? xasprintf("%s '%s'", b->observed_signal, seen)
             : xasprintf("%s %s",
                         known_maker(dev->manufacturer) ? dev->manufacturer : e->manufacturer,
                         dev->model);
    char *fw = !seen && dev->firmware && *dev->firmware
                   ? xasprintf(" with firmware %s", dev->firmware)
                   : xstrdup("");
    const char *fixed = b->fixed ? b->fixed : "not stated";
    char *r;
    if (o == OUTCOME_UNKNOWN)
        r = xasprintf("%s is among the products affected by %s (%s: %s) but its %s; treat it "
                      "as possibly vulnerable until checked.",
                      subject, e->id, b->products, b->range_text, why);
    else if (strcmp(verdict, "vulnerable") == 0)
        r = xasprintf("%s%s is affected: %s, %s. %s. Fixed: %s.", subject, fw, b->products,
                      b->range_text, e->title, fixed);
    else
        r = xasprintf("%s%s may be affected: %s, %s (the exact affected list is not known). %s. "
                      "Fixed: %s.",
                      subject, fw, b->products, b->range_text, e->title, fixed);
    free(subject);
    free(fw);
    return r;
}

const char *vuln_block_check(const struct vuln_db *db, const struct vuln_entry *e,
                             const struct vuln_block *b, const struct device *dev,
                             const struct observation *obs, size_t count, char **reason)
{
    if (reason)
        *reason = NULL;
    bool by_model = b->model_re && dev->model && maker_allows(e, dev) &&
                    regex_matches(db, b->model_re, dev->model);
    const char *seen = NULL;
    if (!by_model && b->observed_re)
        seen = observed_value(db, b, obs, count);
    if (!by_model && !seen)
        return NULL;
    const char *why = "";
    enum fw_outcome o = firmware_outcome(b, dev->firmware, &why);
    if (o == OUTCOME_OUT)
        return NULL;
    const char *verdict = o == OUTCOME_IN ? b->verdict : "possibly_vulnerable";
    if (reason)
        *reason = block_reason(e, b, dev, seen, o, verdict, why);
    return verdict;
}

void vuln_db_evaluate(const struct vuln_db *db, struct device *dev, const struct observation *obs,
                      size_t count)
{
    for (size_t i = 0; i < db->count; i++) {
        const struct vuln_entry *e = &db->entries[i];
        const char *best = NULL;
        char *best_reason = NULL;
        for (size_t k = 0; k < e->block_count; k++) {
            char *reason;
            const char *v = vuln_block_check(db, e, &e->blocks[k], dev, obs, count, &reason);
            if (v && (!best || (strcmp(v, "vulnerable") == 0 && strcmp(best, "vulnerable") != 0))) {
                free(best_reason);
                best = v;
                best_reason = reason;
            } else {
                free(reason);
            }
        }
        if (best)
            device_add_finding(dev, FINDING_VULNERABILITY, e->id, best, best_reason, e->severity,
                               e->sources[0]);
        free(best_reason);
    }
}
