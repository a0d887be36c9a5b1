/* registry.c — the table of probe modules, the port-to-module map read from
 * data/ports.txt, and the observation list probes emit into. Adding a
 * protocol: one new probe_<name>.c file and one line in `modules`. */
#include "probes/probe.h"

#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct probe_module *const modules[] = {
    &probe_http, &probe_https, &probe_rtsp, &probe_dvrip, &probe_banner, NULL,
};

const struct probe_module *const *probe_modules(void)
{
    return modules;
}

const struct probe_module *probe_module_find(const char *name)
{
    for (const struct probe_module *const *m = modules; *m; m++)
        if (strcmp((*m)->name, name) == 0)
            return *m;
    return NULL;
}

static bool obs_list_has(const struct obs_list *list, uint16_t port, const char *signal,
                         const struct observation *candidate)
{
    for (size_t i = 0; i < list->count; i++) {
        const struct observation *o = &list->items[i];
        if (o->port == port && o->value_len == candidate->value_len &&
            strcmp(o->signal, signal) == 0 && memcmp(o->value, candidate->value, o->value_len) == 0)
            return true;
    }
    return false;
}

void obs_list_add(struct obs_list *list, const char *ip, uint16_t port, const char *signal,
                  const char *source, const void *value, size_t len)
{
    struct observation obs;
    observation_init(&obs, ip, port, "tcp", signal, source, NULL, value, len);
    if (obs_list_has(list, port, signal, &obs)) {
        observation_clear(&obs);
        return;
    }
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 8;
        list->items = xrealloc(list->items, list->cap * sizeof *list->items);
    }
    list->items[list->count++] = obs;
}

void obs_list_clear(struct obs_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        observation_clear(&list->items[i]);
    free(list->items);
    memset(list, 0, sizeof *list);
}

void probe_emit_from(struct probe_session *s, const char *source, const char *signal,
                     const void *value, size_t len)
{
    obs_list_add(s->out, s->ip, s->port, signal, source, value, len);
}

void probe_emit(struct probe_session *s, const char *signal, const void *value, size_t len)
{
    char source[OBS_NAME_MAX];
    snprintf(source, sizeof source, "probe/%s", s->module->name);
    probe_emit_from(s, source, signal, value, len);
}

void probe_emit_text(struct probe_session *s, const char *signal, const char *value)
{
    probe_emit(s, signal, value, strlen(value));
}

struct probe_port_map {
    const struct probe_module *by_port[65536];
    uint16_t *ports;
    size_t count;
};

/* One line "PORT MODULE [# comment]"; blank and comment lines are skipped.
 * Returns 0, or -1 with err filled. */
static int map_line(struct probe_port_map *map, char *line, const char *path, size_t number,
                    char *err, size_t err_size)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char port_text[16], name[32], extra;
    int fields = sscanf(line, "%15s %31s %c", port_text, name, &extra);
    if (fields <= 0)
        return 0;
    char *end;
    errno = 0;
    long port = strtol(port_text, &end, 10);
    if (fields != 2 || *end || port < 1 || port > 65535) {
        snprintf(err, err_size, "%s:%zu: expected 'PORT MODULE', a port 1-65535 and a probe name",
                 path, number);
        return -1;
    }
    const struct probe_module *m = probe_module_find(name);
    if (!m) {
        snprintf(err, err_size, "%s:%zu: unknown probe module '%s'", path, number, name);
        return -1;
    }
    if (!map->by_port[port]) {
        map->ports = xrealloc(map->ports, (map->count + 1) * sizeof *map->ports);
        map->ports[map->count++] = (uint16_t)port;
    }
    map->by_port[port] = m;
    return 0;
}

static int compare_ports(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

struct probe_port_map *probe_port_map_load(const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_size, "cannot read port file '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct probe_port_map *map = xcalloc(1, sizeof *map);
    char line[512];
    size_t number = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f))
        rc = map_line(map, line, path, ++number, err, err_size);
    fclose(f);
    if (rc == 0 && map->count == 0) {
        snprintf(err, err_size, "port file '%s' names no ports", path);
        rc = -1;
    }
    if (rc) {
        probe_port_map_free(map);
        return NULL;
    }
    qsort(map->ports, map->count, sizeof *map->ports, compare_ports);
    return map;
}

void probe_port_map_free(struct probe_port_map *map)
{
    if (!map)
        return;
    free(map->ports);
    free(map);
}

const struct probe_module *probe_port_map_module(const struct probe_port_map *map, uint16_t port)
{
    return map->by_port[port] ? map->by_port[port] : &probe_banner;
}

const uint16_t *probe_port_map_ports(const struct probe_port_map *map, size_t *count)
{
    *count = map->count;
    return map->ports;
}
