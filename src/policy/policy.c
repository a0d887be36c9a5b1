/* policy.c — the policy set: loads the selected restriction lists, user
 * list files, vulnerability and cloud-endpoint data, and applies them to a
 * device; see policy.h. */
#include "policy/policy.h"

#include "core/util.h"
#include "policy/datafile.h"
#include "policy/policy_set.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most restriction lists one set holds (shipped + user files). */
#define POLICY_MAX_LISTS 64

struct policy_set {
    struct restriction_list *lists[POLICY_MAX_LISTS];
    size_t count;
    struct category_map *cats;
    struct vuln_db *vulns;
    struct cloud_db *cloud;
};

static char *read_file(const char *path, size_t *len, char *err, size_t err_size)
{
    char *text = file_read_all(path, DATAFILE_MAX_BYTES, len);
    if (!text)
        snprintf(err, err_size, "cannot read '%s': %s", path,
                 errno == EFBIG ? "file larger than 4 MiB" : strerror(errno));
    return text;
}

static struct restriction_list *load_list(const char *path, const struct category_map *cats,
                                          char *err, size_t err_size)
{
    size_t len;
    char *text = read_file(path, &len, err, err_size);
    if (!text)
        return NULL;
    struct restriction_list *l = restriction_list_parse(path, text, len, cats, err, err_size);
    free(text);
    return l;
}

static void free_lists(struct restriction_list **lists, size_t n)
{
    for (size_t i = 0; i < n; i++)
        restriction_list_free(lists[i]);
}

/* Every shipped list, in file-name order. */
static int load_shipped(const struct category_map *cats, struct restriction_list **out,
                        size_t *count, char *err, size_t err_size)
{
    char *dir = data_path("policies");
    size_t n = 0;
    char **files = dir_list_sorted(dir, ".json", &n);
    if (!files) {
        snprintf(err, err_size, "cannot read policy folder '%s': %s", dir, strerror(errno));
        free(dir);
        return -1;
    }
    free(dir);
    int rc = 0;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && *count >= POLICY_MAX_LISTS) {
            snprintf(err, err_size, "more than %d policy files", POLICY_MAX_LISTS);
            rc = -1;
        }
        if (rc == 0 && !(out[*count] = load_list(files[i], cats, err, err_size)))
            rc = -1;
        else if (rc == 0)
            (*count)++;
        free(files[i]);
    }
    free(files);
    if (rc != 0)
        free_lists(out, *count);
    return rc;
}

static char *ids_text(struct restriction_list *const *lists, size_t n)
{
    char *out = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%s", out, i ? ", " : "", restriction_list_info(lists[i])->id);
        free(out);
        out = next;
    }
    return out;
}

static bool has_id(const struct policy_set *ps, const char *id)
{
    for (size_t i = 0; i < ps->count; i++)
        if (strcmp(restriction_list_info(ps->lists[i])->id, id) == 0)
            return true;
    return false;
}

/* Moves the selected shipped lists into ps in selection order. */
static int take_selected(struct policy_set *ps, const char *selection,
                         struct restriction_list **shipped, size_t n, char *err, size_t err_size)
{
    if (!selection || !*selection || strcmp(selection, "all") == 0) {
        for (size_t i = 0; i < n; i++) {
            ps->lists[ps->count++] = shipped[i];
            shipped[i] = NULL;
        }
        return 0;
    }
    char *copy = xstrdup(selection), *save = NULL;
    char *known = ids_text(shipped, n);
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        if (!len || has_id(ps, tok))
            continue;
        size_t i = 0;
        while (i < n && !(shipped[i] && strcmp(restriction_list_info(shipped[i])->id, tok) == 0))
            i++;
        if (i == n) {
            snprintf(err, err_size, "unknown policy '%s' (shipped policies: %s)", tok, known);
            rc = -1;
            break;
        }
        ps->lists[ps->count++] = shipped[i];
        shipped[i] = NULL;
    }
    free(copy);
    free(known);
    if (rc == 0 && ps->count == 0) {
        snprintf(err, err_size, "--policy '%s' selects no policy", selection);
        rc = -1;
    }
    return rc;
}

static int load_extra(struct policy_set *ps, const char *const *files, size_t n, char *err,
                      size_t err_size)
{
    for (size_t i = 0; i < n; i++) {
        if (ps->count >= POLICY_MAX_LISTS) {
            snprintf(err, err_size, "more than %d policies", POLICY_MAX_LISTS);
            return -1;
        }
        struct restriction_list *l = load_list(files[i], ps->cats, err, err_size);
        if (!l)
            return -1;
        if (has_id(ps, restriction_list_info(l)->id)) {
            snprintf(err, err_size, "%s: field 'id': policy '%s' is already loaded", files[i],
                     restriction_list_info(l)->id);
            restriction_list_free(l);
            return -1;
        }
        ps->lists[ps->count++] = l;
    }
    return 0;
}

/* Loads data/<file> with the given parser. */
static void *load_data(const char *file,
                       void *(*parse)(const char *, const char *, size_t, char *, size_t),
                       char *err, size_t err_size)
{
    char *dir = data_path("data");
    char *path = xasprintf("%s/%s", dir, file);
    free(dir);
    size_t len;
    char *text = read_file(path, &len, err, err_size);
    void *out = text ? parse(path, text, len, err, err_size) : NULL;
    free(text);
    free(path);
    return out;
}

static void *parse_cats(const char *n, const char *t, size_t l, char *e, size_t es)
{
    return category_map_parse(n, t, l, e, es);
}

static void *parse_vulns(const char *n, const char *t, size_t l, char *e, size_t es)
{
    return vuln_db_parse(n, t, l, e, es);
}

static void *parse_cloud(const char *n, const char *t, size_t l, char *e, size_t es)
{
    return cloud_db_parse(n, t, l, e, es);
}

struct policy_set *policy_set_load(const char *selection, const char *const *extra_files,
                                   size_t n_extra, char *err, size_t err_size)
{
    struct policy_set *ps = xcalloc(1, sizeof *ps);
    struct restriction_list *shipped[POLICY_MAX_LISTS] = {0};
    size_t n_shipped = 0;
    if (!(ps->cats = load_data("equipment_categories.json", parse_cats, err, err_size)) ||
        !(ps->vulns = load_data("vulnerabilities.json", parse_vulns, err, err_size)) ||
        !(ps->cloud = load_data("cloud_endpoints.json", parse_cloud, err, err_size)) ||
        load_shipped(ps->cats, shipped, &n_shipped, err, err_size) != 0)
        goto fail;
    int rc = take_selected(ps, selection, shipped, n_shipped, err, err_size);
    free_lists(shipped, n_shipped); /* the ones not selected */
    if (rc != 0 || load_extra(ps, extra_files, n_extra, err, err_size) != 0)
        goto fail;
    return ps;
fail:
    policy_set_free(ps);
    return NULL;
}

void policy_set_free(struct policy_set *ps)
{
    if (!ps)
        return;
    free_lists(ps->lists, ps->count);
    category_map_free(ps->cats);
    vuln_db_free(ps->vulns);
    cloud_db_free(ps->cloud);
    free(ps);
}

size_t policy_set_count(const struct policy_set *ps)
{
    return ps->count;
}

const struct policy_list *policy_set_get(const struct policy_set *ps, size_t i)
{
    return i < ps->count ? restriction_list_info(ps->lists[i]) : NULL;
}

const struct restriction_list *policy_set_list(const struct policy_set *ps, size_t i)
{
    return i < ps->count ? ps->lists[i] : NULL;
}

const struct vuln_db *policy_set_vulns(const struct policy_set *ps)
{
    return ps->vulns;
}

const struct cloud_db *policy_set_cloud(const struct policy_set *ps)
{
    return ps->cloud;
}

void policy_evaluate(const struct policy_set *ps, struct device *dev, const struct observation *obs,
                     size_t count)
{
    for (size_t i = 0; i < ps->count; i++)
        restriction_evaluate(ps->lists[i], ps->cats, dev);
    vuln_db_evaluate(ps->vulns, dev, obs, count);
    cloud_db_evaluate(ps->cloud, dev, obs, count);
}

const char *policy_cloud_service(const struct policy_set *ps, const char *hostname)
{
    const struct cloud_service *s = hostname ? cloud_db_lookup(ps->cloud, hostname, NULL) : NULL;
    return s ? s->id : NULL;
}
