/* datafile.h — reading camaudit's JSON data files (restriction lists,
 * vulnerabilities, cloud endpoints, equipment categories) with errors that
 * name the file and the field, e.g.
 *   "my.json: field 'manufacturers[1].equipment[0]': unknown category 'cctv'".
 * Users write some of these files (--policy-file), so every reader checks
 * types, rejects unknown fields (typos) and bounds sizes. Internal to
 * src/policy. */
#ifndef CAMAUDIT_POLICY_DATAFILE_H
#define CAMAUDIT_POLICY_DATAFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Largest data file read, and the only format version understood. */
#define DATAFILE_MAX_BYTES (4 * 1024 * 1024)
#define DATAFILE_FORMAT 1
/* Longest string value accepted in a data file. */
#define DATAFILE_MAX_STRING 4096
/* Longest field path kept for messages. */
#define DATAFILE_PATH_MAX 160

struct df_ctx {
    const char *file; /* name used in messages */
    char *err;
    size_t err_size;
};

/* Writes "file: field 'path': <message>" (or "file: <message>" when path is
 * NULL) into the context's error buffer; returns -1. */
int df_error(const struct df_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Joins parent and key ("manufacturers[1]" + "name"), or index. */
void df_path_key(char *buf, size_t size, const char *parent, const char *key);
void df_path_index(char *buf, size_t size, const char *parent, size_t index);

/* Parses text as a JSON object whose "format" is DATAFILE_FORMAT. New
 * reference, or NULL with an error (line and column for syntax errors). */
json_t *df_parse(const struct df_ctx *c, const char *text, size_t len);
/* Reads and parses a file (c->file is used for messages). */
json_t *df_load(const struct df_ctx *c, const char *path);

/* Fails on a member of obj not in allowed (NULL-terminated). */
int df_check_keys(const struct df_ctx *c, const json_t *obj, const char *path,
                  const char *const *allowed);

/* Each getter returns 0 (out set; NULL/0 when absent and not required) or -1
 * with an error naming the field. Strings are copies the caller frees. */
int df_get_string(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                  bool required, char **out);
int df_get_strings(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                   bool required, char ***out, size_t *count);
int df_get_array(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                 bool required, json_t **out);
int df_get_object(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                  bool required, json_t **out);
int df_get_number(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                  double *out);
int df_get_bool(const struct df_ctx *c, const json_t *obj, const char *parent, const char *key,
                bool *out);

/* Frees an array of count strings and the array. */
void df_strings_free(char **v, size_t count);

#endif
