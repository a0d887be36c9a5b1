/* schema.h — the store's schema and its versioned migrations. */
#ifndef CAMAUDIT_STORE_SCHEMA_H
#define CAMAUDIT_STORE_SCHEMA_H

#include "store/db.h"

#include <stddef.h>

/* The version a database reaches once migrated by this camaudit. */
int schema_latest_version(void);
/* Brings db to the latest version, applying each missing migration once
 * (concurrent openers wait for each other). Returns the version, or -1 with
 * a reason in err. */
int schema_migrate(struct db *db, char *err, size_t err_size);
/* Same, stopping at version target (tests of the upgrade path). */
int schema_migrate_to(struct db *db, int target, char *err, size_t err_size);
/* The version recorded in db (0 for an empty database), or -1. */
int schema_current_version(struct db *db);

#endif
