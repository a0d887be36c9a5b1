/* tables.h — the CSV tables identify reads (docs/FINGERPRINTS.md):
 * canonical manufacturer names with aliases, the OEM brand table, the list of
 * Wi-Fi/chip module makers, and which signal reads which database. Names are
 * compared without case and punctuation, as whole words. */
#ifndef CAMAUDIT_TABLES_H
#define CAMAUDIT_TABLES_H

#include <stdbool.h>
#include <stddef.h>

/* Largest CSV file accepted, and most fields per row. */
#define CSV_MAX_BYTES (64u * 1024 * 1024)
#define CSV_MAX_FIELDS 32

/* Calls row_fn for each data row (header skipped, '#' comment lines and
 * blank lines ignored). fields are valid during the call only. -1 with a
 * message when the file cannot be read or has an unterminated quote. */
typedef void (*csv_row_fn)(void *ctx, char **fields, size_t count, size_t line);
int csv_read_file(const char *path, csv_row_fn row_fn, void *ctx, char *err, size_t err_size);
int csv_read_buffer(const char *name, char *text, size_t len, csv_row_fn row_fn, void *ctx,
                    char *err, size_t err_size);

/* Lower case, every run of other than [a-z0-9] one space, trimmed; into out
 * (at most out_size-1 bytes). Returns the length. */
size_t name_normalize(const char *text, size_t len, char *out, size_t out_size);

/* A map from normalised names to a value string (owned by the map). */
struct name_map;
struct name_map *name_map_new(void);
void name_map_free(struct name_map *m);
/* Adds name -> value; a name already there with a different value is
 * marked ambiguous (lookup then reports it). */
void name_map_add(struct name_map *m, const char *name, const char *value);
size_t name_map_count(const struct name_map *m);
/* Exact lookup of the normalised text; *ambiguous when several values. */
const char *name_map_get(const struct name_map *m, const char *text, size_t len, bool *ambiguous);
/* Finds the longest name of the map that the text starts with, on a word
 * boundary ("Hangzhou Hikvision" in "Hangzhou Hikvision Digital Co.,Ltd.");
 * NULL when none. */
const char *name_map_find_prefix(const struct name_map *m, const char *text, size_t len,
                                 bool *ambiguous);

/* What a name resolves to through manufacturers.csv, then oem.csv. */
struct maker_resolution {
    const char *manufacturer; /* canonical name, NULL when unknown or not alone */
    const char *brand;        /* the brand of oem.csv that matched, else NULL */
    const char *supports;     /* scope=some brand: the maker it supports, never names */
};

/* One row of data/oem.csv. */
struct oem_row {
    char *key;   /* normalised brand */
    char *brand; /* as written */
    char *manufacturer;
    bool scope_all; /* every product of the brand comes from that maker */
    void *model_re; /* pcre2_code * of model_pattern, or NULL */
};

/* One row of data/model_types.csv: a maker's model code that says what
 * kind of product it is (DS-76xxNI is a Hikvision NVR). */
struct model_type_row {
    char *manufacturer; /* canonical name */
    char *pattern;      /* as written, for the evidence */
    char *device_type;
    char *example;  /* a model the row must type (tests check every row) */
    void *model_re; /* pcre2_code *, caseless, anchored at the model's start */
};

struct maker_tables {
    struct name_map *makers; /* name, legal name, aliases -> canonical */
    struct name_map *brands; /* OEM brand -> its normalised key */
    struct oem_row *oem;
    size_t oem_count;
    struct name_map *modules; /* Wi-Fi/chip module makers */
    struct model_type_row *model_types;
    size_t model_type_count;
    unsigned long generation; /* unique per load: keys the resolution cache */
};

/* Loads data/manufacturers.csv, data/oem.csv, data/module_makers.csv and
 * data/model_types.csv from the folder data_dir; a missing file is an empty
 * table (warned). */
int maker_tables_load(struct maker_tables *t, const char *data_dir, char *err, size_t err_size);
void maker_tables_free(struct maker_tables *t);
/* Resolves a maker or brand name (model, when known, decides scope=some OEM
 * rows): the exact name first, then names the text starts with. */
struct maker_resolution maker_resolve(const struct maker_tables *t, const char *text, size_t len,
                                      const char *model);
/* The first model_types.csv row of that maker whose pattern fits the model
 * from its start; NULL when none. */
const struct model_type_row *model_type_find(const struct maker_tables *t, const char *manufacturer,
                                             const char *model);
/* True when an IEEE organisation name starts with a module maker's name. */
bool maker_is_module(const struct maker_tables *t, const char *org);

/* One row of data/signal_databases.csv. */
struct signal_route {
    char *signal;
    char *database;
    double weight;
};
struct signal_routes {
    struct signal_route *items;
    size_t count;
};
int signal_routes_load(struct signal_routes *r, const char *path, char *err, size_t err_size);
void signal_routes_free(struct signal_routes *r);

#endif
