/* diff.h — what changed between two scans: devices that appeared, vanished,
 * or changed address, firmware, identity or verdict. Devices are matched by
 * their stable store identity, so a camera that moved is "changed", not one
 * vanished and one new. */
#ifndef CAMAUDIT_STORE_DIFF_H
#define CAMAUDIT_STORE_DIFF_H

#include "store/store.h"

#include <jansson.h>

enum diff_kind { DIFF_APPEARED, DIFF_VANISHED, DIFF_CHANGED };

struct diff_change {
    char *field;          /* "ip", "firmware", "manufacturer", "model", "verdict:quebec", ... */
    char *before, *after; /* NULL when absent */
};

struct diff_entry {
    enum diff_kind kind;
    int64_t device_id;
    const struct store_device *before, *after; /* into the lists; NULL when absent */
    struct diff_change *changes;
    size_t change_count;
};

struct scan_diff {
    struct store_scan scan_a, scan_b;
    struct store_device_list a, b;
    struct diff_entry *entries; /* appeared, vanished, then changed; by address */
    size_t count;
    size_t unchanged;
};

/* 0, or -1 (printed) when a scan is missing or the store fails. */
int scan_diff_compute(struct store *st, int64_t scan_a, int64_t scan_b, struct scan_diff *out);
void scan_diff_free(struct scan_diff *d);
const char *diff_kind_name(enum diff_kind kind); /* "appeared" ... */
/* The JSON form (new reference). */
json_t *scan_diff_to_json(const struct scan_diff *d);

#endif
