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

/* Claims of one host; the first ones live inside the list (no allocation
 * for the common host), more go to the heap. Zero-initialise before use. */
#define CLAIM_LIST_INLINE 16
struct claim_list {
    struct claim *items;
    size_t count, cap;
    struct claim inline_items[CLAIM_LIST_INLINE];
};

/* Appends a zeroed claim (strings owned by the list). Pointers to earlier
 * claims stay valid only until the next call. */
struct claim *claim_list_add(struct claim_list *list);
void claim_list_free(struct claim_list *list);

/* Fills manufacturer, brand, model, device_type, firmware, serial,
 * confidence, evidence and conflicts of dev from the claims. The evidence
 * strings (signal, value, matched_by) move into dev. */
void fuse_claims(struct device *dev, struct claim_list *list);

#endif
