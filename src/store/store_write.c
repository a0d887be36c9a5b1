/* store_write.c — writing one host into the store in one transaction: find
 * or create the device (identity by MAC, then serial, then (site, ip)),
 * update its current state, record this scan's view of it (device_scans,
 * the history), its findings and its observations. Either all of it lands
 * or none: a writer killed mid-host leaves the previous hosts intact. */
#include "core/util.h"
#include "store/store_internal.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shorter serials are not trusted to name one device. */
#define STORE_MIN_SERIAL_LENGTH 4

struct host_write {
    struct db *db;
    const char *site;
    const struct device *dev;
    const char *mac;    /* the device's MAC, NULL when unknown or shared */
    const char *serial; /* its serial when it can identify it, else NULL */
    char scan[24];
    char device[24];
    char now[32];
    char mac_lower[18]; /* MACs compare case-blind: kept in lower case */
};

static const char *text_or_null(const char *s)
{
    return s && *s ? s : NULL;
}

/* Serials like "0", "00000000" or "unknown"-length junk name no device. */
static const char *identifying_serial(const char *serial)
{
    if (!serial || strlen(serial) < STORE_MIN_SERIAL_LENGTH)
        return NULL;
    for (const char *p = serial + 1; *p; p++)
        if (*p != serial[0])
            return serial;
    return NULL; /* one character repeated */
}

/* Writers that may decide the same device take turns: every identity the
 * lookup reads (MAC, serial, site and address) is locked, always in that
 * order so two writers never wait on each other crosswise. */
static int lock_identities(struct host_write *w)
{
    char *keys[3];
    size_t n = 0;
    if (w->mac)
        keys[n++] = xasprintf("mac:%s", w->mac);
    if (w->serial)
        keys[n++] = xasprintf("serial:%s", w->serial);
    keys[n++] = xasprintf("ip:%s/%s", w->site, w->dev->ip);
    int rc = DB_OK;
    for (size_t i = 0; i < n; i++) {
        if (rc == DB_OK)
            rc = db_lock_key(w->db, keys[i]);
        free(keys[i]);
    }
    return rc;
}

/* First cell of a one-column query into w->device; 1 found, 0 not, <0 error. */
static int select_device_id(struct host_write *w, const char *sql, const char *const *params,
                            size_t n)
{
    struct db_result res;
    int rc = db_exec(w->db, sql, params, n, &res);
    if (rc != DB_OK)
        return rc;
    int found = res.rows > 0 && db_cell(&res, 0, 0);
    if (found)
        snprintf(w->device, sizeof w->device, "%s", db_cell(&res, 0, 0));
    db_result_clear(&res);
    return found;
}

static int same_or_unknown(const char *stored, const char *seen)
{
    return !stored || !seen || strcmp(stored, seen) == 0;
}

/* The device last seen at (site, ip) unless its MAC or serial says it is
 * another one. */
static int find_by_address(struct host_write *w)
{
    const char *params[] = {w->site, w->dev->ip};
    struct db_result res;
    int rc = db_exec(w->db,
                     "SELECT id, mac, serial FROM devices WHERE site = ? AND ip = ?"
                     " ORDER BY last_seen DESC, id DESC",
                     params, 2, &res);
    if (rc != DB_OK)
        return rc;
    int found = 0;
    for (size_t r = 0; r < res.rows && !found; r++) {
        if (!same_or_unknown(db_cell(&res, r, 1), w->mac) ||
            !same_or_unknown(db_cell(&res, r, 2), w->serial))
            continue;
        snprintf(w->device, sizeof w->device, "%s", db_cell(&res, r, 0));
        found = 1;
    }
    db_result_clear(&res);
    return found;
}

/* 1 when the candidate device was already seen at another address in this
 * scan: two hosts share the MAC or serial (a proxy, a cloned or bogus
 * value), so it does not name one device; 0 when not, <0 on error. */
static int seen_elsewhere_in_scan(struct host_write *w)
{
    const char *params[] = {w->scan, w->device};
    struct db_result res;
    int rc = db_exec(w->db, "SELECT ip FROM device_scans WHERE scan_id = ? AND device_id = ?",
                     params, 2, &res);
    if (rc != DB_OK)
        return rc; /* an error is not a "no": the host is written again or not at all */
    int elsewhere = res.rows > 0 && db_cell(&res, 0, 0) && strcmp(db_cell(&res, 0, 0), w->dev->ip);
    db_result_clear(&res);
    return elsewhere;
}

/* 1 when the identifier is known to be shared by several devices, 0 when
 * not, <0 on error. */
static int is_shared(struct host_write *w, const char *kind, const char *value)
{
    const char *params[] = {kind, value};
    struct db_result res;
    int rc = db_exec(w->db, "SELECT 1 FROM shared_identifiers WHERE kind = ? AND value = ?", params,
                     2, &res);
    if (rc != DB_OK)
        return rc;
    int shared = res.rows > 0;
    db_result_clear(&res);
    return shared;
}

static int mark_shared(struct host_write *w, const char *kind, const char *value)
{
    const char *params[] = {kind, value, w->scan};
    return db_exec(w->db,
                   "INSERT INTO shared_identifiers (kind, value, first_scan) VALUES (?, ?, ?)"
                   " ON CONFLICT DO NOTHING",
                   params, 3, NULL);
}

/* Looks the device up by one identifier (kind "mac" or "serial"): 1 found,
 * 0 not (*value cleared when the identifier turned out to be shared), <0. */
static int find_by_identifier(struct host_write *w, const char *kind, const char **value,
                              const char *sql)
{
    if (!*value)
        return 0;
    int shared = is_shared(w, kind, *value);
    if (shared < 0)
        return shared;
    if (shared) {
        *value = NULL;
        return 0;
    }
    const char *params[] = {*value};
    int rc = select_device_id(w, sql, params, 1);
    if (rc != 1)
        return rc;
    int elsewhere = seen_elsewhere_in_scan(w);
    if (elsewhere < 0)
        return elsewhere;
    if (elsewhere) {
        rc = mark_shared(w, kind, *value);
        *value = NULL; /* this host is stored without it */
        return rc < 0 ? rc : 0;
    }
    return 1;
}

static int find_device(struct host_write *w)
{
    int rc = find_by_identifier(w, "mac", &w->mac, "SELECT id FROM devices WHERE mac = ?");
    if (rc == 0)
        rc = find_by_identifier(w, "serial", &w->serial,
                                "SELECT id FROM devices WHERE serial = ? ORDER BY id");
    return rc == 0 ? find_by_address(w) : rc;
}

#define DEVICE_FIELDS 10

/* The device's current-state columns, in the order both statements use:
 * site, mac, serial, ip, manufacturer, brand, model, device_type, firmware,
 * confidence. conf holds the formatted confidence. */
static void device_fields(const struct host_write *w, char conf[32], const char **p)
{
    const struct device *d = w->dev;
    snprintf(conf, 32, "%.4f", d->confidence);
    const char *fields[DEVICE_FIELDS] = {w->site,         w->mac,   w->serial, d->ip,
                                         d->manufacturer, d->brand, d->model,  d->device_type,
                                         d->firmware,     conf};
    memcpy(p, fields, sizeof fields);
}

static int insert_device(struct host_write *w)
{
    char conf[32];
    const char *params[DEVICE_FIELDS + 4];
    device_fields(w, conf, params);
    params[DEVICE_FIELDS] = params[DEVICE_FIELDS + 1] = w->scan;
    params[DEVICE_FIELDS + 2] = params[DEVICE_FIELDS + 3] = w->now;
    int rc = select_device_id(
        w,
        "INSERT INTO devices (site, mac, serial, ip, manufacturer, brand, model,"
        " device_type, firmware, confidence, first_scan, last_scan, first_seen, last_seen)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params, DEVICE_FIELDS + 4);
    return rc == 1 ? DB_OK : rc == 0 ? DB_ERROR : rc;
}

/* A MAC or serial learnt once is kept when a later scan cannot see it. */
static int update_device(struct host_write *w)
{
    char conf[32];
    const char *params[DEVICE_FIELDS + 3];
    device_fields(w, conf, params);
    params[DEVICE_FIELDS] = w->scan;
    params[DEVICE_FIELDS + 1] = w->now;
    params[DEVICE_FIELDS + 2] = w->device;
    return db_exec(w->db,
                   "UPDATE devices SET site = ?, mac = COALESCE(?, mac),"
                   " serial = COALESCE(?, serial), ip = ?, manufacturer = ?, brand = ?,"
                   " model = ?, device_type = ?, firmware = ?, confidence = ?, last_scan = ?,"
                   " last_seen = ? WHERE id = ?",
                   params, DEVICE_FIELDS + 3, NULL);
}

static char *ports_text(const struct device *d)
{
    char *out = xstrdup("");
    for (size_t i = 0; i < d->open_port_count; i++) {
        char *next = xasprintf("%s%s%u", out, i ? "," : "", d->open_ports[i]);
        free(out);
        out = next;
    }
    return out;
}

/* A host seen twice in one scan keeps its last view: its findings,
 * observations and view row of this scan go first. */
static int forget_previous_view(struct host_write *w)
{
    static const char *const statements[] = {
        "DELETE FROM findings WHERE scan_id = ? AND device_id = ?",
        "DELETE FROM observations WHERE scan_id = ? AND device_id = ?",
        "DELETE FROM device_scans WHERE scan_id = ? AND device_id = ?",
    };
    const char *params[] = {w->scan, w->device};
    int rc = DB_OK;
    for (size_t i = 0; i < 3 && rc == DB_OK; i++)
        rc = db_exec(w->db, statements[i], params, 2, NULL);
    return rc;
}

static int insert_view(struct host_write *w, size_t observation_count)
{
    const struct device *d = w->dev;
    json_t *json = device_to_json(d);
    char *json_text = json_dumps(json, JSON_COMPACT);
    json_decref(json);
    char *ports = ports_text(d);
    char conf[32], nobs[24], nfind[24];
    snprintf(conf, sizeof conf, "%.4f", d->confidence);
    snprintf(nobs, sizeof nobs, "%zu", observation_count);
    snprintf(nfind, sizeof nfind, "%zu", d->finding_count);
    const char *params[] = {w->scan,        w->device,       d->ip,    text_or_null(d->mac),
                            d->serial,      d->manufacturer, d->brand, d->model,
                            d->device_type, d->firmware,     conf,     ports,
                            nobs,           nfind,           w->now,   json_text};
    int rc = db_exec(w->db,
                     "INSERT INTO device_scans (scan_id, device_id, ip, mac, serial,"
                     " manufacturer, brand, model, device_type, firmware, confidence,"
                     " open_ports, observation_count, finding_count, seen, device_json)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     params, 16, NULL);
    free(ports);
    free(json_text);
    return rc;
}

static int insert_findings(struct host_write *w)
{
    for (size_t i = 0; i < w->dev->finding_count; i++) {
        const struct finding *f = &w->dev->findings[i];
        const char *params[] = {w->scan,     w->device,  finding_kind_name(f->kind),
                                f->id,       f->verdict, f->reason,
                                f->severity, f->source};
        int rc = db_exec(w->db,
                         "INSERT INTO findings (scan_id, device_id, kind, policy_id, verdict,"
                         " reason, severity, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         params, 8, NULL);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

static int insert_observations(struct host_write *w, const struct observation *obs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const struct observation *o = &obs[i];
        char port[8], when[32];
        snprintf(port, sizeof port, "%u", o->port);
        snprintf(when, sizeof when, "%.6f", o->time);
        const char *params[] = {w->scan,
                                w->device,
                                o->ip,
                                port,
                                o->proto,
                                o->signal,
                                o->source,
                                text_or_null(o->mac),
                                when,
                                o->value,
                                o->truncated ? "1" : "0"};
        int rc = db_exec(w->db,
                         "INSERT INTO observations (scan_id, device_id, ip, port, proto, signal,"
                         " source, mac, time, value, truncated)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         params, 11, NULL);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

static int write_host_steps(struct host_write *w, const struct observation *obs, size_t count)
{
    int rc = lock_identities(w);
    if (rc != DB_OK)
        return rc;
    int found = find_device(w);
    if (found < 0)
        return found;
    rc = found ? update_device(w) : insert_device(w);
    if (rc == DB_OK)
        rc = forget_previous_view(w);
    if (rc == DB_OK)
        rc = insert_view(w, count);
    if (rc == DB_OK)
        rc = insert_findings(w);
    if (rc == DB_OK)
        rc = insert_observations(w, obs, count);
    return rc;
}

int store_write_host(struct db *db, const char *site, int64_t scan_id, const struct device *dev,
                     const struct observation *obs, size_t count)
{
    struct host_write w = {.db = db,
                           .site = site,
                           .dev = dev,
                           .serial = identifying_serial(text_or_null(dev->serial))};
    for (size_t i = 0; dev->mac[i] && i + 1 < sizeof w.mac_lower; i++)
        w.mac_lower[i] = (char)tolower((unsigned char)dev->mac[i]);
    w.mac = text_or_null(w.mac_lower);
    snprintf(w.scan, sizeof w.scan, "%lld", (long long)scan_id);
    snprintf(w.now, sizeof w.now, "%.6f", time_now());
    int rc = db_begin(db);
    if (rc != DB_OK)
        return rc;
    rc = write_host_steps(&w, obs, count);
    if (rc == DB_OK)
        rc = db_commit(db);
    if (rc != DB_OK)
        db_rollback(db);
    return rc;
}
