/* store_options.h — the store options every command that reads or writes
 * the inventory shares (--db, --site), parsed in one place, and how their
 * tables show times. */
#ifndef CAMAUDIT_STORE_OPTIONS_H
#define CAMAUDIT_STORE_OPTIONS_H

#include "store/store.h"

#include <stddef.h>

struct store_options {
    const char *db;   /* --db PATH|postgresql://...; NULL: the default file */
    const char *site; /* --site NAME; NULL: not given */
};

/* Tries to consume the option at argv[*i] (and its value). Returns 1 when
 * consumed, 0 when it is not a store option, -1 on a bad value (printed). */
int store_options_consume(struct store_options *opts, int argc, char **argv, int *i);
/* Opens the store the options name; NULL with the error printed. */
struct store *store_options_open(const struct store_options *opts);

extern const char STORE_OPTIONS_HELP[];

/* A stored time for tables: "2026-11-27 10:00:00" (UTC), or "incomplete"
 * for 0 (a scan that never finished). */
void store_short_time(double t, char *buf, size_t size);

#endif
