/* diff.c — comparing two scans' views of the inventory; see diff.h. */
#include "store/diff.h"

#include "core/log.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"appeared", "vanished", "changed"};

const char *diff_kind_name(enum diff_kind kind)
{
    return kind_names[kind];
}

static const struct store_device *find_in(const struct store_device_list *list, int64_t id)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i].device_id == id)
            return &list->items[i];
    return NULL;
}

static struct diff_entry *add_entry(struct scan_diff *d, enum diff_kind kind,
                                    const struct store_device *before,
                                    const struct store_device *after)
{
    d->entries = xrealloc(d->entries, (d->count + 1) * sizeof *d->entries);
    struct diff_entry *e = &d->entries[d->count++];
    *e = (struct diff_entry){.kind = kind, .before = before, .after = after};
    e->device_id = before ? before->device_id : after->device_id;
    return e;
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void note_change(struct diff_entry *e, const char *field, const char *before,
                        const char *after)
{
    if (same_text(before, after))
        return;
    e->changes = xrealloc(e->changes, (e->change_count + 1) * sizeof *e->changes);
    e->changes[e->change_count++] = (struct diff_change){
        xstrdup(field), before ? xstrdup(before) : NULL, after ? xstrdup(after) : NULL};
}

static void compare_verdicts(struct diff_entry *e, const struct device *a, const struct device *b)
{
    const struct device *both[] = {a, b};
    for (int side = 0; side < 2; side++)
        for (size_t i = 0; i < both[side]->finding_count; i++) {
            const struct finding *f = &both[side]->findings[i];
            if (f->kind != FINDING_RESTRICTION || !f->id)
                continue;
            if (side == 1 && device_verdict(a, f->id))
                continue; /* already compared from a's side */
            char *field = xasprintf("verdict:%s", f->id);
            note_change(e, field, device_verdict(a, f->id), device_verdict(b, f->id));
            free(field);
        }
    note_change(e, "vulnerable", device_is_vulnerable(a) ? "yes" : "no",
                device_is_vulnerable(b) ? "yes" : "no");
}

static void compare_devices(struct diff_entry *e, const struct device *a, const struct device *b)
{
    note_change(e, "ip", a->ip, b->ip);
    note_change(e, "mac", a->mac[0] ? a->mac : NULL, b->mac[0] ? b->mac : NULL);
    note_change(e, "manufacturer", a->manufacturer, b->manufacturer);
    note_change(e, "model", a->model, b->model);
    note_change(e, "firmware", a->firmware, b->firmware);
    compare_verdicts(e, a, b);
}

static int load_scan(struct store *st, int64_t id, struct store_scan *scan,
                     struct store_device_list *devices)
{
    int found = store_get_scan(st, id, scan);
    if (found == 0)
        log_error("no scan %lld in the store (see 'camaudit scans')", (long long)id);
    if (found != 1)
        return -1;
    return store_scan_devices(st, id, devices);
}

static void collect_entries(struct scan_diff *d)
{
    for (size_t i = 0; i < d->b.count; i++)
        if (!find_in(&d->a, d->b.items[i].device_id))
            add_entry(d, DIFF_APPEARED, NULL, &d->b.items[i]);
    for (size_t i = 0; i < d->a.count; i++)
        if (!find_in(&d->b, d->a.items[i].device_id))
            add_entry(d, DIFF_VANISHED, &d->a.items[i], NULL);
    for (size_t i = 0; i < d->b.count; i++) {
        const struct store_device *before = find_in(&d->a, d->b.items[i].device_id);
        if (!before)
            continue;
        struct diff_entry probe = {0};
        compare_devices(&probe, before->dev, d->b.items[i].dev);
        if (!probe.change_count) {
            d->unchanged++;
            continue;
        }
        struct diff_entry *e = add_entry(d, DIFF_CHANGED, before, &d->b.items[i]);
        e->changes = probe.changes;
        e->change_count = probe.change_count;
    }
}

int scan_diff_compute(struct store *st, int64_t scan_a, int64_t scan_b, struct scan_diff *out)
{
    *out = (struct scan_diff){0};
    if (load_scan(st, scan_a, &out->scan_a, &out->a) != 0 ||
        load_scan(st, scan_b, &out->scan_b, &out->b) != 0) {
        scan_diff_free(out);
        return -1;
    }
    collect_entries(out);
    return 0;
}

void scan_diff_free(struct scan_diff *d)
{
    for (size_t i = 0; i < d->count; i++) {
        for (size_t c = 0; c < d->entries[i].change_count; c++) {
            free(d->entries[i].changes[c].field);
            free(d->entries[i].changes[c].before);
            free(d->entries[i].changes[c].after);
        }
        free(d->entries[i].changes);
    }
    free(d->entries);
    store_device_list_free(&d->a);
    store_device_list_free(&d->b);
    store_scan_clear(&d->scan_a);
    store_scan_clear(&d->scan_b);
    *d = (struct scan_diff){0};
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *entry_to_json(const struct diff_entry *e)
{
    const struct store_device *shown = e->after ? e->after : e->before;
    json_t *o = json_object();
    json_object_set_new(o, "change", json_string(diff_kind_name(e->kind)));
    json_object_set_new(o, "device_id", json_integer(e->device_id));
    json_object_set_new(o, "ip", json_string(shown->dev->ip));
    json_object_set_new(o, "manufacturer", text_or_null(shown->dev->manufacturer));
    json_object_set_new(o, "model", text_or_null(shown->dev->model));
    json_t *changes = json_array();
    for (size_t c = 0; c < e->change_count; c++) {
        json_t *item = json_object();
        json_object_set_new(item, "field", json_string(e->changes[c].field));
        json_object_set_new(item, "before", text_or_null(e->changes[c].before));
        json_object_set_new(item, "after", text_or_null(e->changes[c].after));
        json_array_append_new(changes, item);
    }
    json_object_set_new(o, "changes", changes);
    return o;
}

json_t *scan_diff_to_json(const struct scan_diff *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "scan_a", json_integer(d->scan_a.id));
    json_object_set_new(o, "scan_b", json_integer(d->scan_b.id));
    size_t n[3] = {0};
    json_t *entries = json_array();
    for (size_t i = 0; i < d->count; i++) {
        n[d->entries[i].kind]++;
        json_array_append_new(entries, entry_to_json(&d->entries[i]));
    }
    for (int k = 0; k < 3; k++)
        json_object_set_new(o, kind_names[k], json_integer((json_int_t)n[k]));
    json_object_set_new(o, "unchanged", json_integer((json_int_t)d->unchanged));
    json_object_set_new(o, "devices", entries);
    return o;
}
