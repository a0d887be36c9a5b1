/* db.h — the small SQL layer under the store: one way to run a statement
 * with text parameters and read text results, whatever the engine. The store
 * writes its SQL once with `?` placeholders; each backend (db_sqlite.c,
 * db_pg.c) hides how its engine binds, locks and reports errors. Everything
 * engine-specific lives behind struct db_ops. */
#ifndef CAMAUDIT_DB_H
#define CAMAUDIT_DB_H

#include <stddef.h>

/* Result of a statement: rows x cols cells, each a NUL-terminated string or
 * NULL for SQL NULL. Owned by the result; db_result_clear frees it. */
struct db_result {
    size_t rows, cols;
    char **cells;
};

enum db_status {
    DB_OK = 0,
    DB_ERROR = -1,
    DB_RETRY = -2, /* a conflict with a concurrent writer: roll back and retry */
};

struct db;

struct db_ops {
    const char *name;    /* "sqlite" or "postgresql" */
    const char *id_type; /* column type of an auto-assigned 64-bit primary key */
    int (*exec)(struct db *db, const char *sql, const char *const *params, size_t n,
                struct db_result *res);
    /* Starts a write transaction that may not be interleaved with other
     * writers' identity decisions (see lock_key). */
    int (*begin)(struct db *db);
    /* Serialises transactions that decide the identity of `key` (no-op where
     * begin already excludes other writers). */
    int (*lock_key)(struct db *db, const char *key);
    void (*close)(struct db *db);
};

struct db {
    const struct db_ops *ops;
    char error[512]; /* the last error, for messages */
};

/* Opens an SQLite file (created with its directory's permission) in WAL mode. */
struct db *db_open_sqlite(const char *path, char *err, size_t err_size);
/* Opens a PostgreSQL connection from a libpq URI. */
struct db *db_open_pg(const char *uri, char *err, size_t err_size);

/* Runs sql with n text parameters (NULL = SQL NULL); res may be NULL. */
int db_exec(struct db *db, const char *sql, const char *const *params, size_t n,
            struct db_result *res);
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
int db_lock_key(struct db *db, const char *key);
void db_close(struct db *db);

/* Cell (row, col) or NULL; out of range is NULL too. */
const char *db_cell(const struct db_result *res, size_t row, size_t col);
void db_result_clear(struct db_result *res);

#endif
