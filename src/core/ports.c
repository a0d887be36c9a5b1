/* ports.c — port list parsing; see ports.h. */
#include "core/ports.h"

#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_port(const char *s, size_t len, uint16_t *out)
{
    if (len == 0 || len > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

static void port_list_from_bitmap(struct port_list *list, const uint8_t *seen)
{
    size_t count = 0;
    for (unsigned p = 1; p <= 65535; p++)
        count += seen[p];
    free(list->ports);
    list->ports = xmalloc(count * sizeof *list->ports);
    list->count = 0;
    for (unsigned p = 1; p <= 65535; p++)
        if (seen[p])
            list->ports[list->count++] = (uint16_t)p;
}

int port_list_parse(struct port_list *list, const char *spec, char *err, size_t err_size)
{
    uint8_t *seen = xcalloc(65536, 1);
    const char *p = spec;
    int rc = 0;
    while (rc == 0) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *dash = memchr(p, '-', len);
        uint16_t first, last;
        bool ok = dash ? parse_port(p, (size_t)(dash - p), &first) &&
                             parse_port(dash + 1, len - (size_t)(dash - p) - 1, &last) &&
                             first <= last
                       : parse_port(p, len, &first);
        if (!ok) {
            snprintf(err, err_size,
                     "invalid port list '%s': '%.*s' is not a port (1-65535) or range", spec,
                     (int)len, p);
            rc = -1;
            break;
        }
        if (!dash)
            last = first;
        for (unsigned v = first; v <= last; v++)
            seen[v] = 1;
        if (!end)
            break;
        p = end + 1;
    }
    if (rc == 0)
        port_list_from_bitmap(list, seen);
    free(seen);
    return rc;
}

int port_list_load_file(struct port_list *list, const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_size, "cannot read port file '%s': %s", path, strerror(errno));
        return -1;
    }
    uint8_t *seen = xcalloc(65536, 1);
    char line[512];
    size_t line_number = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        line_number++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        size_t len = strcspn(s, " \t\r\n");
        if (len == 0)
            continue;
        uint16_t port;
        if (!parse_port(s, len, &port)) {
            snprintf(err, err_size, "%s:%zu: '%.*s' is not a port", path, line_number, (int)len, s);
            rc = -1;
            break;
        }
        seen[port] = 1;
    }
    fclose(f);
    if (rc == 0)
        port_list_from_bitmap(list, seen);
    free(seen);
    return rc;
}

void port_list_free(struct port_list *list)
{
    free(list->ports);
    list->ports = NULL;
    list->count = 0;
}
