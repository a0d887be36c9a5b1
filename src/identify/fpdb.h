/* fpdb.h — fingerprint databases in Rapid7 Recog's XML format: loading,
 * compiling (PCRE2 with JIT, once), matching values against them, and
 * verifying every <example>. See docs/FINGERPRINTS.md for the format.
 *
 * A set holds many databases (one per XML file); each database has the
 * `matches=` name that identify routes signals to. Matching runs a
 * multi-pattern prefilter (Hyperscan when built with it) over the value and
 * PCRE2 only on the candidates it reports, for confirmation and captures.
 * A loaded set is read-only; matching is safe from many threads. */
#ifndef CAMAUDIT_FPDB_H
#define CAMAUDIT_FPDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Largest XML file accepted, and most params a fingerprint may carry. */
#define FPDB_MAX_FILE_BYTES (32u * 1024 * 1024)
#define FPDB_MAX_PARAMS 32

struct fp_param {
    char *name;
    char *value; /* fixed value (pos 0), or NULL */
    int pos;     /* 0: fixed value; N: capture group N */
    int tag;     /* free for the user of the set (fp_set_tag_params), 0 by default */
};

struct fp_example {
    char *text; /* decoded bytes, NUL-terminated */
    size_t len;
    char **attr_names; /* expected params (attributes not starting with '_') */
    char **attr_values;
    size_t attr_count;
    int line;
};

struct fingerprint {
    char *pattern;     /* as written in the file */
    char *description; /* "" when absent */
    unsigned flags;    /* FP_FLAG_* */
    double certainty;  /* the certainty attribute, 0..1 (default 1) */
    void *re;          /* pcre2_code *, NULL when the pattern did not compile */
    bool jitted;       /* re is JIT-compiled: pcre2_jit_match may run it */
    struct fp_param *params;
    size_t param_count;
    struct fp_example *examples;
    size_t example_count;
    int line;
};

enum {
    FP_FLAG_ICASE = 1,
    FP_FLAG_DOTALL = 2, /* REG_DOT_NEWLINE, REG_MULTILINE (Ruby's /m) */
    FP_FLAG_UTF = 4,    /* set by the loader: the pattern matches characters */
};

struct fp_database {
    char *matches; /* the matches= name, else the file name without .xml */
    char *path;
    struct fingerprint *fps;
    size_t count;
    void *index; /* prefilter (struct fp_index *), NULL when none */
};

/* One resolved param of a match: value points into the subject, into the
 * fingerprint, or into the matcher's scratch buffer; valid until the next
 * match on the same matcher. */
struct fp_value {
    const char *name;
    int tag; /* the param's tag */
    const char *value;
    size_t len;
};

struct fp_set;
struct fp_matcher;

struct fp_set *fp_set_new(void);
void fp_set_free(struct fp_set *set);
/* Loads one XML file. Patterns that do not compile are counted in
 * fp_set_errors() and reported through log_warn when warn is true; a file
 * that is not valid XML fails (-1, message in err). */
int fp_set_load_file(struct fp_set *set, const char *path, bool warn, char *err, size_t err_size);
/* Loads every *.xml of a folder in name order. -1 when the folder cannot be
 * read or a file fails. */
int fp_set_load_dir(struct fp_set *set, const char *dir, bool warn, char *err, size_t err_size);
/* Loads an XML document from memory (fuzzing, tests). */
int fp_set_load_buffer(struct fp_set *set, const char *name, const char *xml, size_t len, bool warn,
                       char *err, size_t err_size);
/* Sets the tag of every param from its name (e.g. to a role), so matching
 * code need not compare names. */
void fp_set_tag_params(struct fp_set *set, int (*tag_of)(const char *name));
/* JIT-compiles the patterns and builds the prefilter indexes; call once
 * after loading, before matching. */
void fp_set_finalize(struct fp_set *set);
/* Same, for the databases wanted says (NULL: all) only: the others keep the
 * PCRE2 interpreter and no prefilter (identify loads whole Recog checkouts
 * but routes signals to a few of their databases). */
void fp_set_finalize_for(struct fp_set *set,
                         bool (*wanted)(const struct fp_database *db, void *ctx), void *ctx);

size_t fp_set_database_count(const struct fp_set *set);
const struct fp_database *fp_set_database(const struct fp_set *set, size_t i);
size_t fp_set_fingerprint_count(const struct fp_set *set);
/* Patterns that failed to compile. */
size_t fp_set_errors(const struct fp_set *set);

/* A matcher holds the per-thread scratch space; take one per thread (or per
 * call) and give it back. */
struct fp_matcher *fp_matcher_acquire(const struct fp_set *set);
void fp_matcher_release(const struct fp_set *set, struct fp_matcher *m);
/* Until the next call (or release), matching value (len bytes) against
 * several databases shares one prefilter scan; the text must not change
 * meanwhile. fp_matcher_hold_value(m, NULL, 0) ends it. */
void fp_matcher_hold_value(struct fp_matcher *m, const char *value, size_t len);

/* Called for each matching fingerprint with its resolved params. Return
 * false to stop. */
typedef bool (*fp_match_fn)(void *ctx, const struct fp_database *db, const struct fingerprint *fp,
                            const struct fp_value *values, size_t value_count);

/* Matches value against db: the first matching fingerprint in file order
 * (Recog's rule). Returns 1 when one matched, else 0. */
size_t fp_database_match(const struct fp_database *db, struct fp_matcher *m, const char *value,
                         size_t len, fp_match_fn fn, void *ctx);

/* Tests one fingerprint against a value (no prefilter); fills values. */
bool fp_match_one(const struct fingerprint *fp, struct fp_matcher *m, const char *value, size_t len,
                  struct fp_value *values, size_t *value_count);

struct fp_verify_counts {
    size_t fingerprints, examples, passed, failed, bad_patterns;
};
/* Checks every example of every fingerprint; writes one line per failure to
 * out (NULL: silent). */
void fp_set_verify(const struct fp_set *set, FILE *out, struct fp_verify_counts *counts);

/* Ruby regex (as Recog writes them) to PCRE2 syntax (caller frees). */
char *fp_translate_ruby_regex(const char *pattern);

#endif
