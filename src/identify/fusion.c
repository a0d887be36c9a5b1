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

void claim_list_init(struct claim_list *list)
{
    list->items = NULL;
    list->count = list->cap = 0;
    list->arena = NULL;
    list->arena_used = list->arena_cap = 0;
    list->chunks = NULL;
}

struct claim *claim_list_add(struct claim_list *list)
{
    if (!list->items) {
        list->items = list->inline_items;
        list->cap = CLAIM_LIST_INLINE;
    }
    if (list->count == list->cap) {
        struct claim *grown = xmalloc(list->cap * 2 * sizeof *grown);
        memcpy(grown, list->items, list->cap * sizeof *grown);
        if (list->items != list->inline_items)
            free(list->items);
        list->items = grown;
        list->cap *= 2;
    }
    struct claim *c = &list->items[list->count++];
    memset(c, 0, sizeof *c);
    return c;
}

struct claim_chunk {
    struct claim_chunk *next;
    char data[];
};

/* Room for n bytes in the arena; a new heap block when the current is full. */
static char *arena_alloc(struct claim_list *list, size_t n)
{
    if (!list->arena) {
        list->arena = list->inline_arena;
        list->arena_cap = CLAIM_ARENA_INLINE;
        list->arena_used = 0;
    }
    if (list->arena_used + n > list->arena_cap) {
        size_t size = n > CLAIM_ARENA_INLINE ? n : CLAIM_ARENA_INLINE;
        struct claim_chunk *chunk = xmalloc(sizeof *chunk + size);
        chunk->next = list->chunks;
        list->chunks = chunk;
        list->arena = chunk->data;
        list->arena_cap = size;
        list->arena_used = 0;
    }
    char *p = list->arena + list->arena_used;
    list->arena_used += n;
    return p;
}

char *claim_strndup(struct claim_list *list, const char *s, size_t n)
{
    char *p = arena_alloc(list, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *claim_strdup(struct claim_list *list, const char *s)
{
    return s ? claim_strndup(list, s, strlen(s)) : NULL;
}

char *claim_concat(struct claim_list *list, const char *const *parts, size_t n)
{
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += parts[i] ? strlen(parts[i]) : 0;
    char *out = arena_alloc(list, total), *p = out;
    for (size_t i = 0; i < n; i++)
        if (parts[i]) {
            size_t k = strlen(parts[i]);
            memcpy(p, parts[i], k);
            p += k;
        }
    *p = '\0';
    return out;
}

void claim_list_drop_last(struct claim_list *list)
{
    if (list->count)
        list->count--;
}

void claim_list_free(struct claim_list *list)
{
    if (list->items != list->inline_items)
        free(list->items);
    while (list->chunks) {
        struct claim_chunk *next = list->chunks->next;
        free(list->chunks);
        list->chunks = next;
    }
    list->items = NULL;
    list->count = list->cap = 0;
    list->arena = NULL;
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

/* Appends " key=value" (no leading space when first), bounded, no printf. */
static void append_name(char *buf, size_t size, size_t *used, const char *key, const char *value)
{
    if (!value)
        return;
    const char *parts[] = {*used ? " " : "", key, "=", value};
    for (size_t i = 0; i < 4; i++) {
        size_t n = strlen(parts[i]);
        if (*used + n >= size) {
            n = size - 1 - *used;
            while (n && ((unsigned char)parts[i][n] & 0xc0) == 0x80)
                n--; /* never half a UTF-8 character: the JSON would be invalid */
        }
        memcpy(buf + *used, parts[i], n);
        *used += n;
    }
    buf[*used] = '\0';
}

static void add_evidence(struct device *dev, const struct claim *c)
{
    char names[FUSION_NAMES_MAX] = "";
    size_t used = 0;
    append_name(names, sizeof names, &used, "manufacturer", c->manufacturer);
    append_name(names, sizeof names, &used, "brand", c->brand);
    append_name(names, sizeof names, &used, "model", c->model);
    append_name(names, sizeof names, &used, "device_type", c->device_type);
    append_name(names, sizeof names, &used, "firmware", c->firmware);
    append_name(names, sizeof names, &used, "serial", c->serial);
    if (c->generic)
        append_name(names, sizeof names, &used, "generic", "true");
    device_add_evidence(dev, c->signal, c->value, c->port, c->matched_by, used ? names : NULL,
                        c->weight);
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
    for (size_t a = 1; a < plain; a++) /* insertion sort, stable: lists are short */
        for (size_t b = a; b > 0 && order[b - 1]->weight < order[b]->weight; b--) {
            const struct claim *t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
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

/* Joins strings into a new one (NULL parts count as empty). */
static char *concat(const char *const *parts, size_t n)
{
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += parts[i] ? strlen(parts[i]) : 0;
    char *out = xmalloc(total), *p = out;
    for (size_t i = 0; i < n; i++)
        if (parts[i]) {
            size_t k = strlen(parts[i]);
            memcpy(p, parts[i], k);
            p += k;
        }
    *p = '\0';
    return out;
}

static void list_conflicts(struct device *dev, const struct claim_list *list, const char *winner)
{
    for (size_t i = 0; i < list->count; i++) {
        const struct claim *c = &list->items[i];
        if (!c->manufacturer || c->weight <= 0 || strcmp(c->manufacturer, winner) == 0)
            continue;
        char weight[8] = "0.00";
        unsigned hundredths = (unsigned)(c->weight * 100 + 0.5);
        weight[0] = (char)('0' + hundredths / 100);
        weight[2] = (char)('0' + hundredths / 10 % 10);
        weight[3] = (char)('0' + hundredths % 10);
        const char *parts[] = {c->signal,   " names ", c->manufacturer,
                               " (weight ", weight,    c->generic ? ", generic" : "",
                               "), not ",   winner};
        char *text = concat(parts, sizeof parts / sizeof parts[0]);
        device_add_conflict(dev, text);
        free(text);
    }
}

void fuse_claims(struct device *dev, struct claim_list *list)
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
