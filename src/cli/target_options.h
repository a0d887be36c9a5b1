/* target_options.h — the target options every collecting command shares
 * (-iL, --exclude, --exclude-file, --seed, --shard), parsed in one place. */
#ifndef CAMAUDIT_TARGET_OPTIONS_H
#define CAMAUDIT_TARGET_OPTIONS_H

#include "core/targets.h"

#include <stdbool.h>
#include <stdint.h>

struct target_options {
    struct target_set *set;
    uint64_t seed;        /* 0: random */
    uint32_t shard_index; /* --shard i/N */
    uint32_t shard_count;
    bool any_target; /* at least one target given */
};

void target_options_init(struct target_options *opts);
void target_options_free(struct target_options *opts);

/* Tries to consume the option at argv[*i] (and its argument). Returns 1 when
 * consumed, 0 when the option is not a target option, -1 on a bad value
 * (error already printed). */
int target_options_consume(struct target_options *opts, int argc, char **argv, int *i);
/* Adds a positional target. Returns 0, or -1 (error printed). */
int target_options_add_positional(struct target_options *opts, const char *spec);

/* Help text lines for these options. */
extern const char TARGET_OPTIONS_HELP[];

#endif
