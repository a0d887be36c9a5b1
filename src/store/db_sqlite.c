/* db_sqlite.c — the SQLite backend of the SQL layer: the embedded default.
 * WAL journal so readers never block the writer; synchronous=NORMAL keeps
 * every committed transaction across a killed process (only an OS crash may
 * lose the last ones); BEGIN IMMEDIATE takes the write lock up front so two
 * writers wait for each other instead of failing half-way. */
#include "store/db.h"

#include "core/util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQLITE_BUSY_TIMEOUT_MS 30000
#define STATEMENT_CACHE_SIZE 48 /* the store uses about 25 distinct statements */

/* A prepared statement kept for reuse: a host's transaction runs the same
 * dozen statements each time, and preparing them costs more than running. */
struct cached_statement {
    char *sql;
    sqlite3_stmt *stmt;
};

struct db_sqlite {
    struct db base;
    sqlite3 *conn;
    struct cached_statement cache[STATEMENT_CACHE_SIZE];
    size_t cached;
};

static sqlite3 *conn_of(struct db *db)
{
    return ((struct db_sqlite *)db)->conn;
}

static int fail(struct db *db, int rc)
{
    snprintf(db->error, sizeof db->error, "%s", sqlite3_errmsg(conn_of(db)));
    return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? DB_RETRY : DB_ERROR;
}

static void append_row(struct db_result *res, sqlite3_stmt *stmt)
{
    size_t cols = (size_t)sqlite3_column_count(stmt);
    res->cols = cols;
    res->cells = xrealloc(res->cells, (res->rows + 1) * cols * sizeof(char *));
    for (size_t c = 0; c < cols; c++) {
        const unsigned char *text = sqlite3_column_text(stmt, (int)c);
        res->cells[res->rows * cols + c] = text ? xstrdup((const char *)text) : NULL;
    }
    res->rows++;
}

/* Runs one prepared statement to completion. */
static int step_all(struct db *db, sqlite3_stmt *stmt, struct db_result *res)
{
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if (res)
            append_row(res, stmt);
    return rc == SQLITE_DONE ? DB_OK : fail(db, rc);
}

static sqlite3_stmt *cached_statement(struct db_sqlite *s, const char *sql)
{
    for (size_t i = 0; i < s->cached; i++)
        if (strcmp(s->cache[i].sql, sql) == 0)
            return s->cache[i].stmt;
    return NULL;
}

/* Keeps stmt for reuse when it was the whole of sql and there is room. */
static int keep_statement(struct db_sqlite *s, const char *sql, const char *tail,
                          sqlite3_stmt *stmt)
{
    if ((tail && *tail) || s->cached == STATEMENT_CACHE_SIZE)
        return 0;
    s->cache[s->cached++] = (struct cached_statement){xstrdup(sql), stmt};
    return 1;
}

static int run_statement(struct db *db, sqlite3_stmt *stmt, const char *const *params, size_t n,
                         struct db_result *res)
{
    for (size_t i = 0; i < n; i++)
        sqlite3_bind_text(stmt, (int)i + 1, params[i], -1, SQLITE_TRANSIENT);
    int status = step_all(db, stmt, res);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return status;
}

/* Several statements may be given when there are no parameters (migrations). */
static int sqlite_exec(struct db *db, const char *sql, const char *const *params, size_t n,
                       struct db_result *res)
{
    struct db_sqlite *s = (struct db_sqlite *)db;
    sqlite3_stmt *stmt = cached_statement(s, sql);
    if (stmt)
        return run_statement(db, stmt, params, n, res);
    const char *tail = sql;
    while (tail && *tail) {
        const char *start = tail;
        int rc = sqlite3_prepare_v2(conn_of(db), start, -1, &stmt, &tail);
        if (rc != SQLITE_OK)
            return fail(db, rc);
        if (!stmt)
            break; /* only whitespace or comments were left */
        int status = run_statement(db, stmt, params, n, res);
        if (start != sql || !keep_statement(s, sql, tail, stmt))
            sqlite3_finalize(stmt);
        if (status != DB_OK)
            return status;
    }
    return DB_OK;
}

static int sqlite_begin(struct db *db)
{
    return sqlite_exec(db, "BEGIN IMMEDIATE", NULL, 0, NULL);
}

static int sqlite_lock_key(struct db *db, const char *key)
{
    return DB_OK; /* BEGIN IMMEDIATE already excludes every other writer */
}

static void sqlite_close(struct db *db)
{
    struct db_sqlite *s = (struct db_sqlite *)db;
    for (size_t i = 0; i < s->cached; i++) {
        sqlite3_finalize(s->cache[i].stmt);
        free(s->cache[i].sql);
    }
    sqlite3_close(conn_of(db));
    free(db);
}

static const struct db_ops sqlite_ops = {
    .name = "sqlite",
    .id_type = "INTEGER PRIMARY KEY",
    .exec = sqlite_exec,
    .begin = sqlite_begin,
    .lock_key = sqlite_lock_key,
    .close = sqlite_close,
};

struct db *db_open_sqlite(const char *path, char *err, size_t err_size)
{
    sqlite3 *conn = NULL;
    int rc = sqlite3_open_v2(path, &conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, err_size, "%s", conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
        sqlite3_close(conn);
        return NULL;
    }
    struct db_sqlite *s = xcalloc(1, sizeof *s);
    s->base.ops = &sqlite_ops;
    s->conn = conn;
    sqlite3_busy_timeout(conn, SQLITE_BUSY_TIMEOUT_MS);
    struct db_result mode;
    if (db_exec(&s->base, "PRAGMA journal_mode=WAL", NULL, 0, &mode) != DB_OK ||
        sqlite_exec(&s->base, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", NULL, 0, NULL) !=
            DB_OK) {
        snprintf(err, err_size, "%s", s->base.error);
        sqlite_close(&s->base);
        return NULL;
    }
    db_result_clear(&mode);
    return &s->base;
}
