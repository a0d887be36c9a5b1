/* version.h — firmware version strings of camera vendors, parsed and
 * compared. Understands
 *   Hikvision  "V5.5.0 build 170725", "V5.5.6build 180326"  (build = YYMMDD)
 *   Dahua      "2.800.0000000.16.R", "2.800.0000016.0.R,build:2020-06-05",
 *              "2.811.0000013.0.R, Build Date 2023-12-20"
 *   Xiongmai   "V4.02.R11.00000117.10001", "4.03.R11.0000020X.11201.042300.0000005"
 * A version is a list of dot/underscore/dash separated parts, each an
 * optional letter prefix, a number and an optional letter suffix ("R11",
 * "0000020X"), plus an optional build number and build date. Parts are
 * compared numerically; parts of different shapes (a letter prefix against
 * none) cannot be compared, which callers must treat as "unknown", never
 * as "not affected". The text comes from devices: it is bounded and parsed
 * without trusting anything. */
#ifndef CAMAUDIT_POLICY_VERSION_H
#define CAMAUDIT_POLICY_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_VERSION_MAX_TEXT 200 /* longer strings are not versions */
#define FW_VERSION_MAX_PARTS 12
#define FW_PART_AFFIX_MAX 8 /* letters of a part's prefix or suffix, + NUL */
#define FW_PART_MAX_DIGITS 18

struct fw_part {
    char prefix[FW_PART_AFFIX_MAX]; /* lower case letters before the number */
    uint64_t number;
    bool has_number;
    char suffix[FW_PART_AFFIX_MAX]; /* lower case letters/digits after the number */
};

struct fw_version {
    struct fw_part parts[FW_VERSION_MAX_PARTS];
    size_t part_count;
    uint64_t build; /* the number after "build", e.g. 170725 */
    bool has_build;
    uint32_t build_date; /* YYYYMMDD from the build, 0 when unknown */
};

enum fw_cmp {
    FW_LESS = -1,
    FW_EQUAL = 0,
    FW_GREATER = 1,
    FW_INCOMPARABLE = 2,
};

/* Parses len bytes of text; 0, or -1 when it is no version. */
int fw_version_parse(const char *text, size_t len, struct fw_version *out);
/* Compares the parts only (not the build). */
enum fw_cmp fw_version_compare_parts(const struct fw_version *a, const struct fw_version *b);
/* Parts, then build date (or number) when the parts are equal; a build on
 * one side only makes equal parts incomparable. */
enum fw_cmp fw_version_compare(const struct fw_version *a, const struct fw_version *b);
/* "2021-06-01" -> 20210601; false unless a valid YYYY-MM-DD date. */
bool fw_date_parse(const char *text, uint32_t *yyyymmdd);

#endif
