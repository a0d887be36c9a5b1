/* store.c — opening the inventory and writing scans into it (store.h).
 * Everything here is engine-independent SQL over db.h; the backend chosen
 * by the spec (a path or a postgresql:// URI) hides the differences. */
#include "store/store.h"

#include "core/log.h"
#include "core/util.h"
#include "store/db.h"
#include "store/schema.h"
#include "store/store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_WRITE_ATTEMPTS 5 /* replays of a host after a writer conflict */

char *store_default_path(void)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && xdg[0] == '/')
        return xasprintf("%s/camaudit/inventory.db", xdg);
    const char *home = getenv("HOME");
    return xasprintf("%s/.local/share/camaudit/inventory.db", home && *home ? home : ".");
}

/* mkdir -p of the directory holding path (private to the user). */
static int make_parent_dirs(const char *path)
{
    char *dir = xstrdup(path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            free(dir);
            return -1;
        }
        *p = '/';
    }
    free(dir);
    return 0;
}

static int is_pg_uri(const char *spec)
{
    return strncmp(spec, "postgresql://", 13) == 0 || strncmp(spec, "postgres://", 11) == 0;
}

/* A URI may carry a password: messages show it without its user part. */
static char *redact_uri(const char *spec)
{
    const char *at = strrchr(spec, '@');
    const char *scheme_end = strstr(spec, "://");
    if (!is_pg_uri(spec) || !at || !scheme_end)
        return xstrdup(spec);
    return xasprintf("%.*s://%s", (int)(scheme_end - spec), spec, at + 1);
}

static struct db *open_backend(const char *spec, char *err, size_t err_size)
{
    if (spec && is_pg_uri(spec))
        return db_open_pg(spec, err, err_size);
    char *path = spec ? xstrdup(spec) : store_default_path();
    if (!spec && make_parent_dirs(path) != 0) {
        snprintf(err, err_size, "cannot create the directory of '%s': %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    struct db *db = db_open_sqlite(path, err, err_size);
    free(path);
    return db;
}

struct store *store_open(const char *spec, char *err, size_t err_size)
{
    char reason[512] = "";
    struct db *db = open_backend(spec, reason, sizeof reason);
    if (db && schema_migrate(db, reason, sizeof reason) < 0) {
        db_close(db);
        db = NULL;
    }
    if (!db) {
        char *shown = spec ? redact_uri(spec) : store_default_path();
        snprintf(err, err_size, "cannot open database '%s': %s", shown, reason);
        free(shown);
        return NULL;
    }
    struct store *st = xcalloc(1, sizeof *st);
    st->db = db;
    st->site_scan = -1;
    pthread_mutex_init(&st->write_lock, NULL);
    return st;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    db_close(st->db);
    pthread_mutex_destroy(&st->write_lock);
    free(st->site);
    free(st);
}

const char *store_backend(const struct store *st)
{
    return st->db->ops->name;
}

int store_schema_version(struct store *st)
{
    return schema_current_version(st->db);
}

static void format_double(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.6f", v);
}

static void format_id(char *buf, size_t size, int64_t id)
{
    snprintf(buf, size, "%lld", (long long)id);
}

static int64_t scan_begin_locked(struct store *st, const struct scan_info *info)
{
    char started[32];
    format_double(started, sizeof started, info->started > 0 ? info->started : time_now());
    const char *params[] = {
        info->site && *info->site ? info->site : STORE_DEFAULT_SITE,
        started,
        info->targets,
        info->options,
        info->command,
        info->operator_name,
    };
    struct db_result res;
    if (db_exec(st->db,
                "INSERT INTO scans (site, started, targets, options, command, operator_name)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                params, 6, &res) != DB_OK) {
        log_error("cannot record the scan: %s", st->db->error);
        return -1;
    }
    int64_t id = db_cell(&res, 0, 0) ? strtoll(db_cell(&res, 0, 0), NULL, 10) : -1;
    db_result_clear(&res);
    return id;
}

static int scan_end_locked(struct store *st, int64_t scan_id, double finished)
{
    char when[32], id[24];
    format_double(when, sizeof when, finished > 0 ? finished : time_now());
    format_id(id, sizeof id, scan_id);
    const char *params[] = {when, id};
    if (db_exec(st->db, "UPDATE scans SET finished = ? WHERE id = ?", params, 2, NULL) != DB_OK) {
        log_error("cannot close scan %s: %s", id, st->db->error);
        return -1;
    }
    return 0;
}

/* The site of a scan, remembered for the hosts that follow. */
static const char *site_of_scan(struct store *st, int64_t scan_id)
{
    if (st->site_scan == scan_id && st->site)
        return st->site;
    char id[24];
    format_id(id, sizeof id, scan_id);
    const char *params[] = {id};
    struct db_result res;
    if (db_exec(st->db, "SELECT site FROM scans WHERE id = ?", params, 1, &res) != DB_OK)
        return NULL;
    if (res.rows == 1 && db_cell(&res, 0, 0)) {
        free(st->site);
        st->site = xstrdup(db_cell(&res, 0, 0));
        st->site_scan = scan_id;
    } else {
        snprintf(st->db->error, sizeof st->db->error, "no scan %s", id);
    }
    db_result_clear(&res);
    return st->site_scan == scan_id ? st->site : NULL;
}

static int add_host_locked(struct store *st, int64_t scan_id, const struct device *dev,
                           const struct observation *obs, size_t count)
{
    const char *site = site_of_scan(st, scan_id);
    if (!site) {
        log_error("cannot store host %s: %s", dev->ip, st->db->error);
        return -1;
    }
    int rc = DB_RETRY;
    for (int attempt = 0; attempt < STORE_WRITE_ATTEMPTS && rc == DB_RETRY; attempt++) {
        if (attempt)
            usleep(10000u * (unsigned)attempt);
        rc = store_write_host(st->db, site, scan_id, dev, obs, count);
    }
    if (rc != DB_OK) {
        log_error("cannot store host %s: %s", dev->ip, st->db->error);
        return -1;
    }
    return 0;
}

/* The writers may be called from several scan threads at once: each call
 * holds the connection for its whole transaction. */
int64_t store_scan_begin(struct store *st, const struct scan_info *info)
{
    pthread_mutex_lock(&st->write_lock);
    int64_t id = scan_begin_locked(st, info);
    pthread_mutex_unlock(&st->write_lock);
    return id;
}

int store_add_host(struct store *st, int64_t scan_id, const struct device *dev,
                   const struct observation *obs, size_t count)
{
    pthread_mutex_lock(&st->write_lock);
    int rc = add_host_locked(st, scan_id, dev, obs, count);
    pthread_mutex_unlock(&st->write_lock);
    return rc;
}

int store_scan_end(struct store *st, int64_t scan_id, double finished)
{
    pthread_mutex_lock(&st->write_lock);
    int rc = scan_end_locked(st, scan_id, finished);
    pthread_mutex_unlock(&st->write_lock);
    return rc;
}
