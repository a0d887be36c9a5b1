/* schema.c — the store's tables, as an ordered list of migrations. Each
 * database records the migrations it has in schema_version; opening a store
 * applies the missing ones in one transaction. The SQL is written once for
 * both engines: the only difference, the auto-assigned primary key column,
 * is the @ID@ token each backend replaces with its own type.
 *
 * Never edit a migration that has shipped: append a new one. */
#include "store/schema.h"

#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const migrations[] = {
    /* 1: scans, devices (current state), device_scans (each scan's view of a
     * device: the history), findings and observations. */
    "CREATE TABLE scans ("
    " id @ID@, site TEXT NOT NULL, started DOUBLE PRECISION NOT NULL,"
    " finished DOUBLE PRECISION, targets TEXT, options TEXT, command TEXT,"
    " operator_name TEXT);"
    "CREATE INDEX scans_site ON scans (site, started);"
    "CREATE TABLE devices ("
    " id @ID@, site TEXT NOT NULL, mac TEXT, serial TEXT, ip TEXT NOT NULL,"
    " manufacturer TEXT, brand TEXT, model TEXT, device_type TEXT, firmware TEXT,"
    " confidence DOUBLE PRECISION, first_scan BIGINT NOT NULL REFERENCES scans (id),"
    " last_scan BIGINT NOT NULL REFERENCES scans (id),"
    " first_seen DOUBLE PRECISION, last_seen DOUBLE PRECISION);"
    "CREATE UNIQUE INDEX devices_mac ON devices (mac) WHERE mac IS NOT NULL;"
    "CREATE INDEX devices_serial ON devices (serial);"
    "CREATE INDEX devices_site_ip ON devices (site, ip);"
    "CREATE TABLE device_scans ("
    " scan_id BIGINT NOT NULL REFERENCES scans (id),"
    " device_id BIGINT NOT NULL REFERENCES devices (id),"
    " ip TEXT NOT NULL, mac TEXT, serial TEXT, manufacturer TEXT, brand TEXT, model TEXT,"
    " device_type TEXT, firmware TEXT, confidence DOUBLE PRECISION, open_ports TEXT,"
    " observation_count BIGINT NOT NULL, finding_count BIGINT NOT NULL,"
    " seen DOUBLE PRECISION NOT NULL, device_json TEXT NOT NULL,"
    " PRIMARY KEY (scan_id, device_id));"
    "CREATE INDEX device_scans_device ON device_scans (device_id);"
    "CREATE TABLE findings ("
    " id @ID@, scan_id BIGINT NOT NULL REFERENCES scans (id),"
    " device_id BIGINT NOT NULL REFERENCES devices (id), kind TEXT NOT NULL,"
    " policy_id TEXT, verdict TEXT, reason TEXT, severity TEXT, source TEXT);"
    "CREATE INDEX findings_scan_device ON findings (scan_id, device_id);"
    "CREATE TABLE observations ("
    " id @ID@, scan_id BIGINT NOT NULL REFERENCES scans (id),"
    " device_id BIGINT REFERENCES devices (id), ip TEXT NOT NULL, port INTEGER,"
    " proto TEXT, signal TEXT NOT NULL, source TEXT, mac TEXT, time DOUBLE PRECISION,"
    " value TEXT, truncated INTEGER NOT NULL);"
    "CREATE INDEX observations_scan_device ON observations (scan_id, device_id);",
    /* 2: the verdict queries of reports and `devices --restricted`. */
    "CREATE INDEX findings_verdict ON findings (kind, verdict);",
    /* 3: MACs and serials seen on two hosts of one scan name no device. */
    "CREATE TABLE shared_identifiers (kind TEXT NOT NULL, value TEXT NOT NULL,"
    " first_scan BIGINT NOT NULL REFERENCES scans (id), PRIMARY KEY (kind, value));",
};

#define MIGRATION_COUNT (sizeof migrations / sizeof migrations[0])

int schema_latest_version(void)
{
    return (int)MIGRATION_COUNT;
}

/* The migration text with @ID@ replaced by the backend's key type. */
static char *render_migration(const char *sql, const char *id_type)
{
    size_t count = 0;
    for (const char *p = strstr(sql, "@ID@"); p; p = strstr(p + 4, "@ID@"))
        count++;
    size_t cap = strlen(sql) + count * strlen(id_type) + 1, o = 0;
    char *out = xmalloc(cap);
    for (const char *p = sql; *p;) {
        if (strncmp(p, "@ID@", 4) == 0) {
            o += (size_t)snprintf(out + o, cap - o, "%s", id_type);
            p += 4;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

static int read_version(struct db *db)
{
    struct db_result res;
    if (db_exec(db, "SELECT MAX(version) FROM schema_version", NULL, 0, &res) != DB_OK)
        return -1;
    const char *v = db_cell(&res, 0, 0);
    int version = v ? atoi(v) : 0;
    db_result_clear(&res);
    return version;
}

int schema_current_version(struct db *db)
{
    return read_version(db);
}

static int apply_migration(struct db *db, int version)
{
    char *sql = render_migration(migrations[version - 1], db->ops->id_type);
    int rc = db_exec(db, sql, NULL, 0, NULL);
    free(sql);
    if (rc != DB_OK)
        return rc;
    char v[16], now[32];
    snprintf(v, sizeof v, "%d", version);
    snprintf(now, sizeof now, "%.3f", time_now());
    const char *params[] = {v, now};
    return db_exec(db, "INSERT INTO schema_version (version, applied) VALUES (?, ?)", params, 2,
                   NULL);
}

static int migrate_locked(struct db *db, int target, char *err, size_t err_size)
{
    if (db_exec(db,
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER NOT NULL PRIMARY KEY, applied DOUBLE PRECISION NOT NULL)",
                NULL, 0, NULL) != DB_OK)
        goto failed;
    int version = read_version(db);
    if (version < 0)
        goto failed;
    if (version > schema_latest_version()) {
        snprintf(err, err_size, "database schema version %d is newer than this camaudit's (%d)",
                 version, schema_latest_version());
        return -1;
    }
    for (int v = version + 1; v <= target; v++)
        if (apply_migration(db, v) != DB_OK)
            goto failed;
    return version > target ? version : target;
failed:
    snprintf(err, err_size, "schema migration failed: %s", db->error);
    return -1;
}

int schema_migrate_to(struct db *db, int target, char *err, size_t err_size)
{
    /* Already there: no write transaction nor lock, so agents opening a
     * migrated database do not queue behind each other, and a replica that
     * refuses writes still opens. An error here (no table yet) just means
     * migrating. */
    int current = read_version(db);
    if (current >= target && current <= schema_latest_version())
        return current;
    if (db_begin(db) != DB_OK || db_lock_key(db, "camaudit-schema") != DB_OK) {
        snprintf(err, err_size, "cannot start schema migration: %s", db->error);
        db_rollback(db);
        return -1;
    }
    int version = migrate_locked(db, target, err, err_size);
    if (version < 0) {
        db_rollback(db);
        return -1;
    }
    if (db_commit(db) != DB_OK) {
        snprintf(err, err_size, "cannot commit schema migration: %s", db->error);
        db_rollback(db);
        return -1;
    }
    return version;
}

int schema_migrate(struct db *db, char *err, size_t err_size)
{
    return schema_migrate_to(db, schema_latest_version(), err, err_size);
}
