/* ieee_oui.c — IEEE MAC registries from ieee-data: three sorted tables (24,
 * 28, 36 bits), looked up longest prefix first. See ieee_oui.h. */
#include "identify/ieee_oui.h"

#include "core/log.h"
#include "core/util.h"
#include "identify/tables.h"

#include <stdlib.h>
#include <string.h>

struct oui_block {
    uint64_t prefix;
    char *organization;
    const char *registry;
};

struct oui_table {
    struct oui_block *items;
    size_t count, cap;
};

enum { TABLE_24, TABLE_28, TABLE_36, TABLE_COUNT };
static const unsigned table_bits[TABLE_COUNT] = {24, 28, 36};

struct oui_registry {
    struct oui_table tables[TABLE_COUNT];
};

static const char *registry_name(const char *text)
{
    static const char *const names[] = {"MA-L", "MA-M", "MA-S", "IAB"};
    for (size_t i = 0; i < 4; i++)
        if (strcmp(text, names[i]) == 0)
            return names[i];
    return NULL;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void on_registry_row(void *ctx, char **f, size_t n, size_t line)
{
    struct oui_registry *reg = ctx;
    if (n < 3)
        return;
    const char *registry = registry_name(f[0]);
    size_t digits = strlen(f[1]);
    int t = digits == 6 ? TABLE_24 : digits == 7 ? TABLE_28 : digits == 9 ? TABLE_36 : -1;
    if (!registry || t < 0)
        return;
    uint64_t prefix = 0;
    for (size_t i = 0; i < digits; i++) {
        int v = hex_digit(f[1][i]);
        if (v < 0)
            return;
        prefix = (prefix << 4) | (uint64_t)v;
    }
    struct oui_table *tab = &reg->tables[t];
    if (tab->count == tab->cap) {
        tab->cap = tab->cap ? tab->cap * 2 : 1024;
        tab->items = xrealloc(tab->items, tab->cap * sizeof *tab->items);
    }
    tab->items[tab->count++] = (struct oui_block){prefix, xstrdup(f[2]), registry};
}

static int compare_blocks(const void *a, const void *b)
{
    uint64_t x = ((const struct oui_block *)a)->prefix, y = ((const struct oui_block *)b)->prefix;
    return x < y ? -1 : x > y;
}

struct oui_registry *oui_registry_load(const char *dir)
{
    static const char *const files[] = {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"};
    struct oui_registry *reg = xcalloc(1, sizeof *reg);
    for (size_t i = 0; i < 4; i++) {
        char *path = xasprintf("%s/%s", dir, files[i]);
        char err[512];
        if (csv_read_file(path, on_registry_row, reg, err, sizeof err) < 0)
            log_warn("%s (MAC addresses in it will not be named)", err);
        free(path);
    }
    for (int t = 0; t < TABLE_COUNT; t++)
        qsort(reg->tables[t].items, reg->tables[t].count, sizeof(struct oui_block), compare_blocks);
    return reg;
}

void oui_registry_free(struct oui_registry *reg)
{
    if (!reg)
        return;
    for (int t = 0; t < TABLE_COUNT; t++) {
        for (size_t i = 0; i < reg->tables[t].count; i++)
            free(reg->tables[t].items[i].organization);
        free(reg->tables[t].items);
    }
    free(reg);
}

size_t oui_registry_count(const struct oui_registry *reg)
{
    size_t n = 0;
    for (int t = 0; t < TABLE_COUNT; t++)
        n += reg->tables[t].count;
    return n;
}

bool mac_parse(const char *text, uint64_t *out)
{
    uint64_t v = 0;
    int digits = 0;
    for (const char *p = text; *p; p++) {
        int h = hex_digit(*p);
        if (h >= 0) {
            if (++digits > 12)
                return false;
            v = (v << 4) | (uint64_t)h;
        } else if (*p != ':' && *p != '-' && *p != '.') {
            return false;
        }
    }
    if (digits != 12)
        return false;
    *out = v;
    return true;
}

bool mac_is_local(uint64_t mac)
{
    return (mac >> 40) & 0x02;
}

bool oui_lookup(const struct oui_registry *reg, uint64_t mac, struct oui_match *out)
{
    for (int t = TABLE_36; t >= TABLE_24; t--) {
        const struct oui_table *tab = &reg->tables[t];
        struct oui_block key = {.prefix = mac >> (48 - table_bits[t])};
        const struct oui_block *b =
            bsearch(&key, tab->items, tab->count, sizeof *tab->items, compare_blocks);
        if (b) {
            out->organization = b->organization;
            out->registry = b->registry;
            return true;
        }
    }
    return false;
}
