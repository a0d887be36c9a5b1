/* scan_fallback_identify.c — TEMPORARY minimal identifier; see the header.
 * One table maps each self-describing body to the maker that defines its
 * format and the fields that carry model, firmware, type and serial. */
#include "cli/scan_fallback_identify.h"

#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum field_form { FIELD_XML, FIELD_KEY_EQUALS, FIELD_JSON };

struct body_format {
    const char *signal;
    const char *manufacturer; /* the maker whose protocol this is */
    enum field_form form;
    const char *model, *firmware, *device_type, *serial;
};

static const struct body_format formats[] = {
    {"http.isapi_device_info", "Hikvision", FIELD_XML, "model", "firmwareVersion", "deviceType",
     "serialNumber"},
    {"http.dahua_system_info", "Dahua", FIELD_KEY_EQUALS, "deviceType", NULL, NULL, "serialNumber"},
    {"dvrip.system_info", "Xiongmai", FIELD_JSON, "HardWare", "SoftWareVersion", NULL, "SerialNo"},
};

/* Value of a field in text, as a new string, or NULL. */
static char *field_value(const char *text, enum field_form form, const char *name)
{
    char open[64];
    const char *start, *end = NULL;
    switch (form) {
    case FIELD_XML:
        snprintf(open, sizeof open, "<%s>", name);
        start = strstr(text, open);
        if (start) {
            start += strlen(open);
            end = strchr(start, '<');
        }
        break;
    case FIELD_KEY_EQUALS:
        snprintf(open, sizeof open, "%s=", name);
        start = strstr(text, open);
        while (start && start != text && start[-1] != '\n')
            start = strstr(start + 1, open);
        if (start) {
            start += strlen(open);
            end = start + strcspn(start, "\r\n");
        }
        break;
    case FIELD_JSON:
        snprintf(open, sizeof open, "\"%s\"", name);
        start = strstr(text, open);
        if (start)
            start = strchr(start + strlen(open), '"');
        if (start)
            end = strchr(++start, '"');
        break;
    }
    if (!start || !end || end == start)
        return NULL;
    return xstrndup(start, (size_t)(end - start));
}

static void set_field(char **field, const char *text, enum field_form form, const char *name)
{
    if (!name || *field)
        return;
    char *v = field_value(text, form, name);
    if (v)
        device_set(field, v);
    free(v);
}

static void apply_format(struct device *dev, const struct body_format *f,
                         const struct observation *o)
{
    if (strcmp(dev->manufacturer, "unknown") == 0)
        device_set(&dev->manufacturer, f->manufacturer);
    set_field(&dev->model, o->value, f->form, f->model);
    set_field(&dev->firmware, o->value, f->form, f->firmware);
    set_field(&dev->device_type, o->value, f->form, f->device_type);
    set_field(&dev->serial, o->value, f->form, f->serial);
    char *names = xasprintf("manufacturer=%s", f->manufacturer);
    device_add_evidence(dev, o->signal, o->value, o->port, "scan fallback identifier", names, 0.9);
    free(names);
    dev->confidence = 0.9;
}

struct device *scan_fallback_identify(const char *ip, const struct observation *obs, size_t count)
{
    struct device *dev = device_new(ip);
    for (size_t i = 0; i < count; i++) {
        if (obs[i].port)
            device_add_port(dev, obs[i].port);
        for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++)
            if (strcmp(obs[i].signal, formats[f].signal) == 0)
                apply_format(dev, &formats[f], &obs[i]);
    }
    return dev;
}
