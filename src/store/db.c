/* db.c — engine-independent parts of the SQL layer: dispatch to the
 * backend's ops, transactions and result cells. */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

int db_exec(struct db *db, const char *sql, const char *const *params, size_t n,
            struct db_result *res)
{
    if (res)
        *res = (struct db_result){0};
    int rc = db->ops->exec(db, sql, params, n, res);
    if (rc != DB_OK && res)
        db_result_clear(res);
    return rc;
}

int db_begin(struct db *db)
{
    return db->ops->begin(db);
}

int db_commit(struct db *db)
{
    return db_exec(db, "COMMIT", NULL, 0, NULL);
}

void db_rollback(struct db *db)
{
    /* Keeps the error of the statement that failed, not of the rollback. */
    char saved[sizeof db->error];
    memcpy(saved, db->error, sizeof saved);
    db_exec(db, "ROLLBACK", NULL, 0, NULL);
    memcpy(db->error, saved, sizeof saved);
}

int db_lock_key(struct db *db, const char *key)
{
    return db->ops->lock_key(db, key);
}

void db_close(struct db *db)
{
    if (db)
        db->ops->close(db);
}

const char *db_cell(const struct db_result *res, size_t row, size_t col)
{
    if (!res->cells || row >= res->rows || col >= res->cols)
        return NULL;
    return res->cells[row * res->cols + col];
}

void db_result_clear(struct db_result *res)
{
    if (!res->cells)
        return;
    for (size_t i = 0; i < res->rows * res->cols; i++)
        free(res->cells[i]);
    free(res->cells);
    *res = (struct db_result){0};
}
