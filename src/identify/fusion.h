/* fusion.h — from the claims evidence makes about one host to one device.
 *
 * Each claim may name a maker (canonical name), a brand, model, device type,
 * firmware, serial, and has a weight in [0,1]. Claims naming the same maker
 * combine as independent evidence: score = 1 - prod(1 - w). A generic claim
 * (Boa, GoAhead ...) never names a maker alone: it only strengthens a maker
 * that other evidence names (at half its weight). The maker with the highest
 * score wins; when others are named too, the winner's confidence is
 * score * score / (score + runner_up) and each disagreeing claim is listed as
 * a conflict. Fields come from the heaviest claims that agree with the
 * winner or name no maker. */
#ifndef CAMAUDIT_FUSION_H
#define CAMAUDIT_FUSION_H

#include "identify/device.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct claim {
    char *manufacturer; /* canonical, or NULL */
    char *brand;
    char *model;
    char *device_type;
    char *firmware;
    char *serial;
    double weight;
    bool generic;
    /* the evidence behind it */
    char *signal;
    char *value; /* shortened for display */
    uint16_t port;
    char *matched_by;
};

/* Claims of one host and the text they hold. The first claims and the first
 * CLAIM_ARENA_INLINE bytes of text live inside the list (no allocation for
 * the common host); more go to the heap. Every string of a claim belongs to
 * the list's arena and is released with it. claim_list_init before use. */
#define CLAIM_LIST_INLINE 16
#define CLAIM_ARENA_INLINE 8192
struct claim_chunk;
struct claim_list {
    struct claim *items;
    size_t count, cap;
    char *arena; /* current block of text */
    size_t arena_used, arena_cap;
    struct claim_chunk *chunks; /* heap blocks, freed with the list */
    struct claim inline_items[CLAIM_LIST_INLINE];
    char inline_arena[CLAIM_ARENA_INLINE];
};

/* Makes an empty list (without clearing the inline space: it is large). */
void claim_list_init(struct claim_list *list);
/* Appends a zeroed claim (strings owned by the list). Pointers to earlier
 * claims stay valid only until the next call. */
struct claim *claim_list_add(struct claim_list *list);
/* Removes the last claim (its text stays in the arena until the end). */
void claim_list_drop_last(struct claim_list *list);
/* Copies text into the list's arena (NUL-terminated); claim_strdup(NULL)
 * is NULL. */
char *claim_strndup(struct claim_list *list, const char *s, size_t n);
char *claim_strdup(struct claim_list *list, const char *s);
/* Joins parts (NULL parts count as empty) into the arena. */
char *claim_concat(struct claim_list *list, const char *const *parts, size_t n);
void claim_list_free(struct claim_list *list);

/* Fills manufacturer, brand, model, device_type, firmware, serial,
 * confidence, evidence and conflicts of dev from the claims. */
void fuse_claims(struct device *dev, struct claim_list *list);

#endif
