/* store_internal.h — what the store's files share and nobody else sees. */
#ifndef CAMAUDIT_STORE_INTERNAL_H
#define CAMAUDIT_STORE_INTERNAL_H

#include "store/db.h"
#include "store/store.h"

#include <pthread.h>

struct store {
    struct db *db;
    pthread_mutex_t write_lock; /* one writer thread at a time on the connection */
    int64_t site_scan;          /* the scan whose site is cached in site */
    char *site;
};

/* One host in one transaction (store_write.c): DB_OK, DB_RETRY or DB_ERROR
 * (message in db->error); the transaction is rolled back unless DB_OK. */
int store_write_host(struct db *db, const char *site, int64_t scan_id, const struct device *dev,
                     const struct observation *obs, size_t count);

#endif
