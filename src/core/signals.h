/* signals.h — the registry of observation signal names (the public contract
 * of docs/SIGNALS.md) and the size cap of each signal's value. */
#ifndef CAMAUDIT_SIGNALS_H
#define CAMAUDIT_SIGNALS_H

#include <stddef.h>

struct signal_info {
    const char *name;        /* e.g. "http.server" */
    size_t value_cap;        /* longer values are truncated and marked */
    const char *description; /* one line, as in docs/SIGNALS.md */
};

/* Cap applied to signals not in the registry (new signals are welcome). */
#define SIGNAL_DEFAULT_CAP 4096

/* NULL when the name is not registered. */
const struct signal_info *signal_lookup(const char *name);
/* The cap for a signal name, SIGNAL_DEFAULT_CAP when unregistered. */
size_t signal_value_cap(const char *name);
/* All registered signals, terminated by an entry whose name is NULL. */
const struct signal_info *signal_all(void);

#endif
