/* cloud.c — vendor-cloud endpoint data and host name matching; see cloud.h. */
#include "policy/cloud.h"

#include "core/util.h"
#include "policy/datafile.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void service_free(struct cloud_service *s)
{
    free(s->id);
    free(s->name);
    free(s->manufacturer);
    df_strings_free(s->domains, s->domain_count);
    df_strings_free(s->uncertain, s->uncertain_count);
    df_strings_free(s->sources, s->source_count);
}

void cloud_db_free(struct cloud_db *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->count; i++)
        service_free(&db->services[i]);
    free(db->services);
    free(db);
}

/* A domain in the file: lower case letters, digits, '-' and inner dots. */
static bool valid_domain(const char *d)
{
    size_t len = strlen(d);
    if (len == 0 || len > CLOUD_HOSTNAME_MAX || d[0] == '.' || d[len - 1] == '.' || strstr(d, ".."))
        return false;
    for (const char *p = d; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
            return false;
    return true;
}

static int check_domains(const struct df_ctx *c, const char *parent, const char *key, char **v,
                         size_t n)
{
    char path[DATAFILE_PATH_MAX], item[DATAFILE_PATH_MAX];
    df_path_key(path, sizeof path, parent, key);
    for (size_t i = 0; i < n; i++) {
        if (!valid_domain(v[i])) {
            df_path_index(item, sizeof item, path, i);
            return df_error(c, item, "'%s' is not a lower-case domain name", v[i]);
        }
    }
    return 0;
}

static int parse_service(const struct df_ctx *c, const json_t *obj, const char *path,
                         struct cloud_service *s)
{
    static const char *const keys[] = {"id",      "name",      "manufacturer", "domains",
                                       "sources", "uncertain", "note",         NULL};
    if (!json_is_object(obj))
        return df_error(c, path, "expected an object");
    char *note = NULL;
    int rc = -1;
    if (df_check_keys(c, obj, path, keys) == 0 &&
        df_get_string(c, obj, path, "id", true, &s->id) == 0 &&
        df_get_string(c, obj, path, "name", true, &s->name) == 0 &&
        df_get_string(c, obj, path, "manufacturer", true, &s->manufacturer) == 0 &&
        df_get_string(c, obj, path, "note", false, &note) == 0 &&
        df_get_strings(c, obj, path, "domains", true, &s->domains, &s->domain_count) == 0 &&
        df_get_strings(c, obj, path, "uncertain", false, &s->uncertain, &s->uncertain_count) == 0 &&
        df_get_strings(c, obj, path, "sources", true, &s->sources, &s->source_count) == 0 &&
        check_domains(c, path, "domains", s->domains, s->domain_count) == 0 &&
        check_domains(c, path, "uncertain", s->uncertain, s->uncertain_count) == 0)
        rc = 0;
    free(note);
    if (rc == 0 && s->domain_count == 0) {
        char p[DATAFILE_PATH_MAX];
        df_path_key(p, sizeof p, path, "domains");
        rc = df_error(c, p, "at least one domain is required");
    }
    if (rc == 0 && s->source_count == 0) {
        char p[DATAFILE_PATH_MAX];
        df_path_key(p, sizeof p, path, "sources");
        rc = df_error(c, p, "at least one source is required");
    }
    return rc;
}

struct cloud_db *cloud_db_parse(const char *name, const char *text, size_t len, char *err,
                                size_t err_size)
{
    struct df_ctx c = {name, err, err_size};
    json_t *root = df_parse(&c, text, len);
    if (!root)
        return NULL;
    static const char *const keys[] = {"format", "note", "services", NULL};
    struct cloud_db *db = xcalloc(1, sizeof *db);
    json_t *arr;
    if (df_check_keys(&c, root, NULL, keys) != 0 ||
        df_get_array(&c, root, NULL, "services", true, &arr) != 0)
        goto fail;
    size_t n = json_array_size(arr);
    db->services = xcalloc(n + 1, sizeof *db->services);
    for (size_t i = 0; i < n; i++) {
        char path[DATAFILE_PATH_MAX];
        df_path_index(path, sizeof path, "services", i);
        db->count++;
        if (parse_service(&c, json_array_get(arr, i), path, &db->services[i]) != 0)
            goto fail;
    }
    json_decref(root);
    return db;
fail:
    json_decref(root);
    cloud_db_free(db);
    return NULL;
}

/* host (length len, lower-cased) equals domain or ends with "." + domain. */
static bool label_suffix(const char *host, size_t len, const char *domain)
{
    size_t dl = strlen(domain);
    if (dl > len || memcmp(host + len - dl, domain, dl) != 0)
        return false;
    return dl == len || host[len - dl - 1] == '.';
}

const struct cloud_service *cloud_db_lookup(const struct cloud_db *db, const char *hostname,
                                            const char **domain)
{
    char host[CLOUD_HOSTNAME_MAX + 2];
    size_t len = 0;
    for (const char *p = hostname; *p && *p != ' ' && *p != '\t'; p++) {
        if (len > CLOUD_HOSTNAME_MAX)
            return NULL;
        host[len++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
    if (len && host[len - 1] == '.')
        len--;
    host[len] = '\0';
    const struct cloud_service *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < db->count && len; i++) {
        const struct cloud_service *s = &db->services[i];
        for (size_t k = 0; k < s->domain_count; k++) {
            size_t dl = strlen(s->domains[k]);
            if (dl > best_len && label_suffix(host, len, s->domains[k])) {
                best = s;
                best_len = dl;
                if (domain)
                    *domain = s->domains[k];
            }
        }
    }
    return best;
}

static bool is_name_signal(const char *signal)
{
    return strcmp(signal, "dns.query") == 0 || strcmp(signal, "tls.sni") == 0;
}

void cloud_db_evaluate(const struct cloud_db *db, struct device *dev, const struct observation *obs,
                       size_t count)
{
    size_t *seen = xcalloc(db->count + 1, sizeof *seen);
    size_t *first = xcalloc(db->count + 1, sizeof *first);
    for (size_t i = 0; i < count; i++) {
        if (!obs[i].value || !is_name_signal(obs[i].signal))
            continue;
        const struct cloud_service *s = cloud_db_lookup(db, obs[i].value, NULL);
        if (!s)
            continue;
        size_t idx = (size_t)(s - db->services);
        if (seen[idx]++ == 0)
            first[idx] = i;
    }
    for (size_t k = 0; k < db->count; k++) {
        if (!seen[k])
            continue;
        const struct cloud_service *s = &db->services[k];
        const struct observation *o = &obs[first[k]];
        char *more = seen[k] > 1 ? xasprintf(" (and %zu more lookups or connections)", seen[k] - 1)
                                 : xstrdup("");
        char *reason = xasprintf("Contacted %s (%s)%s, an endpoint of %s.", o->value, o->signal,
                                 more, s->name);
        device_add_finding(dev, FINDING_PHONE_HOME, s->id, "phone_home", reason, NULL,
                           s->sources[0]);
        free(more);
        free(reason);
    }
    free(seen);
    free(first);
}
