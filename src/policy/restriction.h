/* restriction.h — one restriction list (policies/<id>.json) and its verdict
 * on a device: restricted, not_restricted or unknown, with a reason.
 *
 * A list names manufacturers (canonical short names, legal names,
 * subsidiaries, own brands, OEM brands) and, per manufacturer, the
 * equipment categories it covers (data/equipment_categories.json maps a
 * device_type to a category). Internal to src/policy; the file format is
 * described in docs/POLICIES.md. */
#ifndef CAMAUDIT_POLICY_RESTRICTION_H
#define CAMAUDIT_POLICY_RESTRICTION_H

#include "identify/device.h"
#include "policy/policy.h"

#include <stddef.h>

/* Below this identification confidence a verdict is "unknown": a list must
 * not call a device restricted (or cleared) on a guess. */
#define POLICY_MIN_CONFIDENCE 0.5
/* Largest number of equipment categories (a bit each). */
#define CATEGORY_MAX 16
/* Pseudo-category of every device type. */
#define CATEGORY_ANY_NAME "any"

struct category_map;
struct restriction_list;

/* data/equipment_categories.json text -> map; NULL with err (file, field). */
struct category_map *category_map_parse(const char *name, const char *text, size_t len, char *err,
                                        size_t err_size);
void category_map_free(struct category_map *map);

/* A policies/<id>.json text -> list; NULL with err naming name and field. */
struct restriction_list *restriction_list_parse(const char *name, const char *text, size_t len,
                                                const struct category_map *cats, char *err,
                                                size_t err_size);
void restriction_list_free(struct restriction_list *list);
const struct policy_list *restriction_list_info(const struct restriction_list *list);
/* Longer texts for `camaudit policies --long`: may be NULL. */
const char *restriction_list_summary(const struct restriction_list *list);
const char *restriction_list_uncertainty(const struct restriction_list *list);
/* "Hikvision (EZVIZ, HiLook, HiWatch …), Dahua (…)" — new string. */
char *restriction_list_makers_text(const struct restriction_list *list);

/* Appends one FINDING_RESTRICTION to dev for this list. */
void restriction_evaluate(const struct restriction_list *list, const struct category_map *cats,
                          struct device *dev);

#endif
