/* fusion.c — combines the claims about one host into one device; the rules
 * are in fusion.h. */
#include "identify/fusion.h"

#include "core/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUSION_MAX_MAKERS 16
#define FUSION_NAMES_MAX 512

struct claim *claim_list_add(struct claim_list *list)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->items = xrealloc(list->items, list->cap * sizeof *list->items);
    }
    struct claim *c = &list->items[list->count++];
    memset(c, 0, sizeof *c);
    return c;
}

void claim_list_free(struct claim_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        struct claim *c = &list->items[i];
        free(c->manufacturer);
        free(c->brand);
        free(c->model);
        free(c->device_type);
        free(c->firmware);
        free(c->serial);
        free(c->signal);
        free(c->value);
        free(c->matched_by);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

struct maker_score {
    const char *name;
    double score;
    double best_weight;
};

static struct maker_score *find_maker(struct maker_score *m, size_t *count, const char *name,
                                      bool create)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp(m[i].name, name) == 0)
            return &m[i];
    if (!create || *count >= FUSION_MAX_MAKERS)
        return NULL;
    m[*count] = (struct maker_score){name, 0, 0};
    return &m[(*count)++];
}

/* Scores makers; returns the index of the winner or -1, and the runner-up
 * score. */
static int score_makers(const struct claim_list *list, struct maker_score *m, size_t *count,
                        double *runner_up)
{
    *count = 0;
    for (size_t i = 0; i < list->count; i++) {
        const struct claim *c = &list->items[i];
        if (!c->manufacturer || c->generic || c->weight <= 0)
            continue;
        struct maker_score *s = find_maker(m, count, c->manufacturer, true);
        if (!s)
            continue;
        s->score = 1 - (1 - s->score) * (1 - c->weight);
        if (c->weight > s->best_weight)
            s->best_weight = c->weight;
    }
    for (size_t i = 0; i < list->count; i++) {
        const struct claim *c = &list->items[i];
        if (!c->manufacturer || !c->generic)
            continue;
        struct maker_score *s = find_maker(m, count, c->manufacturer, false);
        if (s)
            s->score = 1 - (1 - s->score) * (1 - c->weight / 2);
    }
    int win = -1;
    for (size_t i = 0; i < *count; i++)
        if (win < 0 || m[i].score > m[win].score ||
            (m[i].score == m[win].score && m[i].best_weight > m[win].best_weight))
            win = (int)i;
    *runner_up = 0;
    for (size_t i = 0; i < *count; i++)
        if ((int)i != win && m[i].score > *runner_up)
            *runner_up = m[i].score;
    return win;
}

static void append_name(char *buf, size_t size, const char *key, const char *value)
{
    if (!value)
        return;
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%s%s=%s", used ? " " : "", key, value);
}

static void add_evidence(struct device *dev, const struct claim *c)
{
    char names[FUSION_NAMES_MAX] = "";
    append_name(names, sizeof names, "manufacturer", c->manufacturer);
    append_name(names, sizeof names, "brand", c->brand);
    append_name(names, sizeof names, "model", c->model);
    append_name(names, sizeof names, "device_type", c->device_type);
    append_name(names, sizeof names, "firmware", c->firmware);
    append_name(names, sizeof names, "serial", c->serial);
    if (c->generic)
        append_name(names, sizeof names, "generic", "true");
    device_add_evidence(dev, c->signal, c->value, c->port, c->matched_by, names[0] ? names : NULL,
                        c->weight);
}

static int by_weight_desc(const void *a, const void *b)
{
    const struct claim *x = *(const struct claim *const *)a, *y = *(const struct claim *const *)b;
    return x->weight < y->weight ? 1 : x->weight > y->weight ? -1 : 0;
}

/* Takes each field from the heaviest claim agreeing with winner (or naming
 * no maker); generic claims come last. */
static void fill_fields(struct device *dev, const struct claim_list *list, const char *winner)
{
    const struct claim **order = xmalloc((list->count + 1) * sizeof *order);
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < list->count; i++) {
            const struct claim *c = &list->items[i];
            if (c->generic != (pass == 1))
                continue;
            if (c->manufacturer && (!winner || strcmp(c->manufacturer, winner) != 0))
                continue;
            order[n++] = c;
        }
    /* stable enough: equal weights keep the order of the passes */
    size_t plain = 0;
    while (plain < n && !order[plain]->generic)
        plain++;
    qsort(order, plain, sizeof *order, by_weight_desc);
    for (size_t i = 0; i < n; i++) {
        const struct claim *c = order[i];
        if (!dev->brand && c->brand)
            device_set(&dev->brand, c->brand);
        if (!dev->model && c->model)
            device_set(&dev->model, c->model);
        if (!dev->device_type && c->device_type)
            device_set(&dev->device_type, c->device_type);
        if (!dev->firmware && c->firmware)
            device_set(&dev->firmware, c->firmware);
        if (!dev->serial && c->serial)
            device_set(&dev->serial, c->serial);
    }
    free(order);
}

static void list_conflicts(struct device *dev, const struct claim_list *list, const char *winner)
{
    for (size_t i = 0; i < list->count; i++) {
        const struct claim *c = &list->items[i];
        if (!c->manufacturer || c->weight <= 0 || strcmp(c->manufacturer, winner) == 0)
            continue;
        char *text = xasprintf("%s names %s (weight %.2f%s), not %s", c->signal, c->manufacturer,
                               c->weight, c->generic ? ", generic" : "", winner);
        device_add_conflict(dev, text);
        free(text);
    }
}

void fuse_claims(struct device *dev, const struct claim_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        add_evidence(dev, &list->items[i]);
    struct maker_score makers[FUSION_MAX_MAKERS];
    size_t count;
    double runner_up;
    int win = score_makers(list, makers, &count, &runner_up);
    const char *winner = win >= 0 ? makers[win].name : NULL;
    if (winner) {
        device_set(&dev->manufacturer, winner);
        double s = makers[win].score;
        double confidence = s * s / (s + runner_up);
        dev->confidence = round(confidence * 1000) / 1000;
        list_conflicts(dev, list, winner);
    } else {
        device_set(&dev->manufacturer, "unknown");
        dev->confidence = 0;
    }
    fill_fields(dev, list, winner);
}
