/* store.h — the inventory: scans, the observations and devices each scan
 * saw, and the findings about them, kept over time in SQLite (the embedded
 * default) or PostgreSQL (one shared database for many sites).
 *
 * A device keeps one identity across scans: matched by MAC, then serial
 * number, then (site, address), so a camera that changed address keeps its
 * history. Each host is written in one transaction: a writer killed at any
 * moment leaves every completed host stored and nothing half-written.
 * Errors are reported through log_error and returned as -1 (or NULL).
 * The three writers may be called from several threads at once on one
 * store (they take turns); the readers below from one thread at a time. */
#ifndef CAMAUDIT_STORE_H
#define CAMAUDIT_STORE_H

#include "core/observation.h"
#include "identify/device.h"

#include <stddef.h>
#include <stdint.h>

struct store;

struct scan_info {
    const char *site, *targets, *options, *command, *operator_name;
    double started;
};

/* spec: a file path, "postgresql://..." URI, or NULL for
 * $XDG_DATA_HOME/camaudit/inventory.db. Applies migrations. */
struct store *store_open(const char *spec, char *err, size_t err_size);
void store_close(struct store *st);
int64_t store_scan_begin(struct store *st, const struct scan_info *info); /* <0 on error */
/* One transaction per host: its observations, the device (identity by MAC,
 * serial, then (site, ip)) and its findings. 0 or -1. */
int store_add_host(struct store *st, int64_t scan_id, const struct device *dev,
                   const struct observation *obs, size_t count);
int store_scan_end(struct store *st, int64_t scan_id, double finished);

/* ---- Reading the inventory (for scans, devices, diff and report) ---- */

#define STORE_DEFAULT_SITE "default"

/* The default database path (caller frees): $XDG_DATA_HOME/camaudit/
 * inventory.db, else ~/.local/share/camaudit/inventory.db. */
char *store_default_path(void);
/* "sqlite" or "postgresql". */
const char *store_backend(const struct store *st);
/* The schema version the database is at (after migrations). */
int store_schema_version(struct store *st);

struct store_scan {
    int64_t id;
    char *site, *targets, *options, *command, *operator_name;
    double started;
    double finished; /* 0 while running, or when the writer died */
    int64_t hosts;   /* devices stored for this scan */
};

struct store_scan_list {
    struct store_scan *items;
    size_t count;
};

/* Scans oldest first; site NULL = every site. 0 or -1. */
int store_list_scans(struct store *st, const char *site, struct store_scan_list *out);
/* One scan by id: 1 found, 0 no such scan, -1 error. */
int store_get_scan(struct store *st, int64_t scan_id, struct store_scan *out);
/* The newest scan of a site (NULL: of any site): 1, 0 when none, -1. */
int store_latest_scan(struct store *st, const char *site, struct store_scan *out);
void store_scan_clear(struct store_scan *scan);
void store_scan_list_free(struct store_scan_list *list);

/* A device as one scan saw it. */
struct store_device {
    int64_t device_id; /* stable across scans */
    int64_t scan_id;   /* the scan this state comes from */
    char *site;
    double seen; /* when that scan stored it */
    struct device *dev;
};

struct store_device_list {
    struct store_device *items;
    size_t count;
};

/* The devices one scan saw, ordered by address. 0 or -1. */
int store_scan_devices(struct store *st, int64_t scan_id, struct store_device_list *out);
/* The inventory: each device's latest state; site NULL = every site. 0 / -1. */
int store_inventory(struct store *st, const char *site, struct store_device_list *out);
void store_device_list_free(struct store_device_list *list);

/* True when the device has a restriction finding with verdict "restricted"
 * (policy_id NULL: on any list). */
int device_is_restricted(const struct device *dev, const char *policy_id);
/* The verdict the device has on one restriction list ("restricted", ...),
 * or NULL when that list said nothing about it. */
const char *device_verdict(const struct device *dev, const char *list_id);
/* The lists that restrict the device, "quebec,us-fcc" ("" when none; caller
 * frees). */
char *device_restricted_lists(const struct device *dev);
/* Devices of a scan with a "restricted" verdict on any list, or -1. */
int64_t store_scan_restricted_count(struct store *st, int64_t scan_id);
/* True when it has a vulnerable or possibly_vulnerable finding. */
int device_is_vulnerable(const struct device *dev);
/* True when it has a phone_home finding. */
int device_phones_home(const struct device *dev);

#endif
