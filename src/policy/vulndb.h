/* vulndb.h — the vulnerability data (data/vulnerabilities.json) and its
 * matching against a device: by manufacturer and model (a regex per
 * affected product series) and firmware range, or by an observed value
 * (a server banner such as "uc-httpd 1.0.0"). A model in an affected series
 * whose firmware is unknown, or cannot be compared, is possibly_vulnerable:
 * never silently clean. Internal to src/policy; the structures are visible
 * so the unit tests can walk every block and its examples. */
#ifndef CAMAUDIT_POLICY_VULNDB_H
#define CAMAUDIT_POLICY_VULNDB_H

#include "core/observation.h"
#include "identify/device.h"
#include "policy/version.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Longest model regex, and the backtracking budget of one match (user files
 * may hold careless patterns). */
#define VULN_REGEX_MAX 512
#define VULN_MATCH_LIMIT 100000
/* Longest model or banner matched; longer values are cut for matching. */
#define VULN_SUBJECT_MAX 512

/* One test of a block: the verdict a device with this model/firmware/banner
 * gets from the block ("vulnerable", "possibly_vulnerable" or "none"). */
struct vuln_example {
    char *model, *firmware, *http_server, *expect;
};

struct vuln_block {
    char *products;    /* "DS-2CD2xx2F-I series" */
    char *model_regex; /* NULL when matched by observation only */
    pcre2_code *model_re;
    char *observed_signal; /* "http.server" */
    pcre2_code *observed_re;
    bool all_versions;
    char **versions; /* exact versions */
    struct fw_version *parsed_versions;
    size_t version_count;
    char *min, *max, *below; /* inclusive, inclusive, exclusive */
    struct fw_version vmin, vmax, vbelow;
    uint32_t build_after, build_before; /* YYYYMMDD; after inclusive, before exclusive */
    char *build_after_text, *build_before_text;
    char *fixed;
    const char *verdict; /* "vulnerable" or "possibly_vulnerable" when in range */
    char *range_text;    /* human description of the affected range */
    struct vuln_example *examples;
    size_t example_count;
};

struct vuln_entry {
    char *id, *manufacturer, *title, *severity, *uncertainty;
    double cvss;
    bool kev;
    char **sources;
    size_t source_count;
    struct vuln_block *blocks;
    size_t block_count;
};

struct vuln_db {
    struct vuln_entry *entries;
    size_t count;
    pcre2_match_context *match_ctx;
};

/* Parses the data file text; NULL with err naming name and field. */
struct vuln_db *vuln_db_parse(const char *name, const char *text, size_t len, char *err,
                              size_t err_size);
void vuln_db_free(struct vuln_db *db);

/* The verdict of one block for a device ("vulnerable",
 * "possibly_vulnerable") or NULL; *reason (caller frees) when not NULL. */
const char *vuln_block_check(const struct vuln_db *db, const struct vuln_entry *e,
                             const struct vuln_block *b, const struct device *dev,
                             const struct observation *obs, size_t count, char **reason);

/* Adds one FINDING_VULNERABILITY per entry that matches (the strongest
 * block verdict). Thread-safe on a shared db. */
void vuln_db_evaluate(const struct vuln_db *db, struct device *dev, const struct observation *obs,
                      size_t count);

#endif
