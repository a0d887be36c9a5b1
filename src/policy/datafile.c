/* datafile.c — typed, bounded access to the JSON data files of src/policy,
 * with messages naming file and field; see datafile.h. */
#include "policy/datafile.h"

#include "core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int df_error(const struct df_ctx *c, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (path && *path)
        snprintf(c->err, c->err_size, "%s: field '%s': %s", c->file, path, msg);
    else
        snprintf(c->err, c->err_size, "%s: %s", c->file, msg);
    return -1;
}

void df_path_key(char *buf, size_t size, const char *parent, const char *key)
{
    if (parent && *parent)
        snprintf(buf, size, "%s.%s", parent, key);
    else
        snprintf(buf, size, "%s", key);
}

void df_path_index(char *buf, size_t size, const char *parent, size_t index)
{
    snprintf(buf, size, "%s[%zu]", parent ? parent : "", index);
}

json_t *df_parse(const struct df_ctx *c, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(c->err, c->err_size, "%s:%d:%d: invalid JSON: %s", c->file, jerr.line, jerr.column,
                 jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        df_error(c, NULL, "expected a JSON object at the top level");
        return NULL;
    }
    json_t *format = json_object_get(root, "format");
    if (!json_is_integer(format) || json_integer_value(format) != DATAFILE_FORMAT) {
        json_decref(root);
        df_error(c, "format", "expected the number %d (this camaudit's data format)",
                 DATAFILE_FORMAT);
        return NULL;
    }
    return root;
}

json_t *df_load(const struct df_ctx *c, const char *path)
{
    size_t len = 0;
    char *text = file_read_all(path, DATAFILE_MAX_BYTES, &len);
    if (!text) {
        snprintf(c->err, c->err_size, "cannot read '%s': %s", path,
                 errno == EFBIG ? "file larger than 4 MiB" : strerror(errno));
        return NULL;
    }
    json_t *root = df_parse(c, text, len);
    free(text);
    return root;
}

int df_check_keys(const struct df_ctx *c, const json_t *obj, const char *path,
                  const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        (void)value;
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (!known) {
            char p[DATAFILE_PATH_MAX];
            df_path_key(p, sizeof p, path, key);
            return df_error(c, p, "unknown field (misspelt?)");
        }
    }
    return 0;
}

static int check_string(const struct df_ctx *c, const json_t *v, const char *path)
{
    if (!json_is_string(v))
        return df_error(c, path, "expected a string");
    size_t len = json_string_length(v);
    if (len == 0)
        return df_error(c, path, "empty string");
    if (len > DATAFILE_MAX_STRING)
        return df_error(c, path, "string longer than %d bytes", DATAFILE_MAX_STRING);
    if (strlen(json_string_value(v)) != len)
        return df_error(c, path, "string contains a NUL character");
    return 0;
}

int df_get_string(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                  bool required, char **out)
{
    char path[DATAFILE_PATH_MAX];
    df_path_key(path, sizeof path, parent, key);
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return required ? df_error(c, path, "missing (required)") : 0;
    if (check_string(c, v, path) != 0)
        return -1;
    *out = xstrdup(json_string_value(v));
    return 0;
}

/* obj[key] when present and of the kind wanted (json_typeof), else an error. */
static int get_member(const struct df_ctx *c, const json_t *obj, const char *parent,
                      const char *key, bool required, json_type type, const char *expected,
                      json_t **out)
{
    char path[DATAFILE_PATH_MAX];
    df_path_key(path, sizeof path, parent, key);
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return required ? df_error(c, path, "missing (required)") : 0;
    if (json_typeof(v) != type)
        return df_error(c, path, "expected %s", expected);
    *out = v;
    return 0;
}

int df_get_array(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                 bool required, json_t **out)
{
    return get_member(c, obj, parent, key, required, JSON_ARRAY, "an array", out);
}

int df_get_object(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                  bool required, json_t **out)
{
    return get_member(c, obj, parent, key, required, JSON_OBJECT, "an object", out);
}

int df_get_strings(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                   bool required, char ***out, size_t *count)
{
    *out = NULL;
    *count = 0;
    json_t *arr;
    if (df_get_array(c, obj, parent, key, required, &arr) != 0)
        return -1;
    if (!arr)
        return 0;
    char path[DATAFILE_PATH_MAX], item[DATAFILE_PATH_MAX];
    df_path_key(path, sizeof path, parent, key);
    size_t n = json_array_size(arr);
    char **v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        df_path_index(item, sizeof item, path, i);
        if (check_string(c, json_array_get(arr, i), item) != 0) {
            df_strings_free(v, i);
            return -1;
        }
        v[i] = xstrdup(json_string_value(json_array_get(arr, i)));
    }
    *out = v;
    *count = n;
    return 0;
}

int df_get_number(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                  double *out)
{
    char path[DATAFILE_PATH_MAX];
    df_path_key(path, sizeof path, parent, key);
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_number(v))
        return df_error(c, path, "expected a number");
    *out = json_number_value(v);
    return 0;
}

int df_get_bool(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                bool *out)
{
    char path[DATAFILE_PATH_MAX];
    df_path_key(path, sizeof path, parent, key);
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return df_error(c, path, "expected true or false");
    *out = json_is_true(v);
    return 0;
}

void df_strings_free(char **v, size_t count)
{
    if (!v)
        return;
    for (size_t i = 0; i < count; i++)
        free(v[i]);
    free(v);
}
