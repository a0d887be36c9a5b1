/* device.c — the device record and its JSON form; see device.h. */
#include "identify/device.h"

#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct device *device_new(const char *ip)
{
    struct device *dev = xcalloc(1, sizeof *dev);
    strlcpy_safe(dev->ip, ip ? ip : "", sizeof dev->ip);
    dev->manufacturer = xstrdup("unknown");
    return dev;
}

void device_free(struct device *dev)
{
    if (!dev)
        return;
    free(dev->manufacturer);
    free(dev->brand);
    free(dev->model);
    free(dev->device_type);
    free(dev->firmware);
    free(dev->serial);
    free(dev->open_ports);
    for (size_t i = 0; i < dev->evidence_count; i++) {
        struct evidence *e = &dev->evidence[i];
        free(e->signal);
        free(e->value);
        free(e->matched_by);
        free(e->names);
    }
    free(dev->evidence);
    for (size_t i = 0; i < dev->conflict_count; i++)
        free(dev->conflicts[i]);
    free(dev->conflicts);
    for (size_t i = 0; i < dev->finding_count; i++) {
        struct finding *f = &dev->findings[i];
        free(f->id);
        free(f->verdict);
        free(f->reason);
        free(f->severity);
        free(f->source);
    }
    free(dev->findings);
    free(dev);
}

void device_set(char **field, const char *value)
{
    char *copy = value ? xstrdup(value) : NULL;
    free(*field);
    *field = copy;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void device_add_port(struct device *dev, uint16_t port)
{
    size_t i = 0;
    while (i < dev->open_port_count && dev->open_ports[i] < port)
        i++;
    if (i < dev->open_port_count && dev->open_ports[i] == port)
        return;
    dev->open_ports = xrealloc(dev->open_ports, (dev->open_port_count + 1) * sizeof(uint16_t));
    memmove(dev->open_ports + i + 1, dev->open_ports + i,
            (dev->open_port_count - i) * sizeof(uint16_t));
    dev->open_ports[i] = port;
    dev->open_port_count++;
}

void device_add_evidence(struct device *dev, const char *signal, const char *value, uint16_t port,
                         const char *matched_by, const char *names, double weight)
{
    dev->evidence = xrealloc(dev->evidence, (dev->evidence_count + 1) * sizeof *dev->evidence);
    struct evidence *e = &dev->evidence[dev->evidence_count++];
    e->signal = dup_or_null(signal);
    e->value = dup_or_null(value);
    e->matched_by = dup_or_null(matched_by);
    e->names = dup_or_null(names);
    e->port = port;
    e->weight = weight;
}

void device_add_conflict(struct device *dev, const char *text)
{
    dev->conflicts = xrealloc(dev->conflicts, (dev->conflict_count + 1) * sizeof(char *));
    dev->conflicts[dev->conflict_count++] = xstrdup(text);
}

void device_add_finding(struct device *dev, enum finding_kind kind, const char *id,
                        const char *verdict, const char *reason, const char *severity,
                        const char *source)
{
    dev->findings = xrealloc(dev->findings, (dev->finding_count + 1) * sizeof *dev->findings);
    struct finding *f = &dev->findings[dev->finding_count++];
    f->kind = kind;
    f->id = dup_or_null(id);
    f->verdict = dup_or_null(verdict);
    f->reason = dup_or_null(reason);
    f->severity = dup_or_null(severity);
    f->source = dup_or_null(source);
}

static const char *const finding_kind_names[] = {"restriction", "vulnerability", "phone_home"};

const char *finding_kind_name(enum finding_kind kind)
{
    return (unsigned)kind < 3 ? finding_kind_names[kind] : "unknown";
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *device_to_json(const struct device *dev)
{
    json_t *o = json_object();
    json_object_set_new(o, "ip", json_string(dev->ip));
    json_object_set_new(o, "mac", dev->mac[0] ? json_string(dev->mac) : json_null());
    json_object_set_new(o, "manufacturer",
                        json_string(dev->manufacturer ? dev->manufacturer : "unknown"));
    json_object_set_new(o, "brand", string_or_null(dev->brand));
    json_object_set_new(o, "model", string_or_null(dev->model));
    json_object_set_new(o, "device_type", string_or_null(dev->device_type));
    json_object_set_new(o, "firmware", string_or_null(dev->firmware));
    json_object_set_new(o, "serial", string_or_null(dev->serial));
    json_object_set_new(o, "confidence", json_real(dev->confidence));
    json_t *ports = json_array();
    for (size_t i = 0; i < dev->open_port_count; i++)
        json_array_append_new(ports, json_integer(dev->open_ports[i]));
    json_object_set_new(o, "open_ports", ports);
    json_t *evidence = json_array();
    for (size_t i = 0; i < dev->evidence_count; i++) {
        const struct evidence *e = &dev->evidence[i];
        json_t *item = json_object();
        json_object_set_new(item, "signal", string_or_null(e->signal));
        json_object_set_new(item, "value", string_or_null(e->value));
        if (e->port)
            json_object_set_new(item, "port", json_integer(e->port));
        json_object_set_new(item, "matched_by", string_or_null(e->matched_by));
        json_object_set_new(item, "names", string_or_null(e->names));
        json_object_set_new(item, "weight", json_real(e->weight));
        json_array_append_new(evidence, item);
    }
    json_object_set_new(o, "evidence", evidence);
    json_t *conflicts = json_array();
    for (size_t i = 0; i < dev->conflict_count; i++)
        json_array_append_new(conflicts, json_string(dev->conflicts[i]));
    json_object_set_new(o, "conflicts", conflicts);
    json_t *findings = json_array();
    for (size_t i = 0; i < dev->finding_count; i++) {
        const struct finding *f = &dev->findings[i];
        json_t *item = json_object();
        json_object_set_new(item, "kind", json_string(finding_kind_name(f->kind)));
        json_object_set_new(item, "id", string_or_null(f->id));
        json_object_set_new(item, "verdict", string_or_null(f->verdict));
        json_object_set_new(item, "reason", string_or_null(f->reason));
        json_object_set_new(item, "severity", string_or_null(f->severity));
        json_object_set_new(item, "source", string_or_null(f->source));
        json_array_append_new(findings, item);
    }
    json_object_set_new(o, "findings", findings);
    return o;
}

static const char *get_text(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key)); /* NULL unless a string */
}

struct device *device_from_json(const json_t *obj, char *err, size_t err_size)
{
    if (!json_is_object(obj) || !get_text(obj, "ip")) {
        snprintf(err, err_size, "device is not an object with a string \"ip\"");
        return NULL;
    }
    struct device *dev = device_new(get_text(obj, "ip"));
    if (get_text(obj, "mac"))
        strlcpy_safe(dev->mac, get_text(obj, "mac"), sizeof dev->mac);
    if (get_text(obj, "manufacturer"))
        device_set(&dev->manufacturer, get_text(obj, "manufacturer"));
    device_set(&dev->brand, get_text(obj, "brand"));
    device_set(&dev->model, get_text(obj, "model"));
    device_set(&dev->device_type, get_text(obj, "device_type"));
    device_set(&dev->firmware, get_text(obj, "firmware"));
    device_set(&dev->serial, get_text(obj, "serial"));
    dev->confidence = json_number_value(json_object_get(obj, "confidence"));
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(obj, "open_ports"), i, item)
    {
        json_int_t p = json_integer_value(item);
        if (p > 0 && p <= 65535)
            device_add_port(dev, (uint16_t)p);
    }
    json_array_foreach(json_object_get(obj, "evidence"), i, item)
    {
        json_int_t p = json_integer_value(json_object_get(item, "port"));
        device_add_evidence(dev, get_text(item, "signal"), get_text(item, "value"),
                            p > 0 && p <= 65535 ? (uint16_t)p : 0, get_text(item, "matched_by"),
                            get_text(item, "names"),
                            json_number_value(json_object_get(item, "weight")));
    }
    json_array_foreach(json_object_get(obj, "conflicts"), i, item)
    {
        if (json_is_string(item))
            device_add_conflict(dev, json_string_value(item));
    }
    json_array_foreach(json_object_get(obj, "findings"), i, item)
    {
        const char *kind = get_text(item, "kind");
        enum finding_kind k = FINDING_RESTRICTION;
        for (int n = 0; n < 3; n++)
            if (kind && strcmp(kind, finding_kind_names[n]) == 0)
                k = (enum finding_kind)n;
        device_add_finding(dev, k, get_text(item, "id"), get_text(item, "verdict"),
                           get_text(item, "reason"), get_text(item, "severity"),
                           get_text(item, "source"));
    }
    return dev;
}
