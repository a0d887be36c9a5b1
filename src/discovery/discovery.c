/* discovery.c — what every discovery module shares: the module table, the
 * answer record, the observation list, and the step from an answer to
 * observations (including the misaddressed check). See discovery.h. */
#include "discovery/discovery.h"

#include "core/util.h"
#include "discovery/discovery_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

extern const struct discovery_module discovery_module_onvif;
extern const struct discovery_module discovery_module_sadp;
extern const struct discovery_module discovery_module_dhip;
extern const struct discovery_module discovery_module_dahua5050;
extern const struct discovery_module discovery_module_xm;
extern const struct discovery_module discovery_module_ssdp;
extern const struct discovery_module discovery_module_mdns;

static const struct discovery_module *const modules[] = {
    &discovery_module_onvif, &discovery_module_sadp,
    &discovery_module_dhip,  &discovery_module_dahua5050,
    &discovery_module_xm,    &discovery_module_ssdp,
    &discovery_module_mdns,  NULL,
};

const struct discovery_module *const *discovery_modules(void)
{
    return modules;
}

const struct discovery_module *discovery_module_find(const char *name)
{
    for (size_t i = 0; modules[i]; i++)
        if (strcmp(modules[i]->name, name) == 0)
            return modules[i];
    return NULL;
}

void discovery_answer_init(struct discovery_answer *ans, const char *module)
{
    memset(ans, 0, sizeof *ans);
    ans->module = module;
    ans->dhcp = -1;
    ans->activated = -1;
}

void discovery_answer_clear(struct discovery_answer *ans)
{
    free(ans->raw);
    free(ans->extra);
    ans->raw = ans->extra = NULL;
    ans->raw_len = ans->extra_len = 0;
}

void discovery_answer_set_raw(struct discovery_answer *ans, const char *signal, const void *bytes,
                              size_t len)
{
    free(ans->raw);
    ans->signal = signal;
    ans->raw = xstrndup(bytes, len);
    ans->raw_len = strlen(ans->raw);
}

void discovery_answer_set_extra(struct discovery_answer *ans, const char *signal, const void *bytes,
                                size_t len)
{
    free(ans->extra);
    ans->extra_signal = signal;
    ans->extra = xstrndup(bytes, len);
    ans->extra_len = strlen(ans->extra);
}

void discovery_obs_list_free(struct discovery_obs_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        observation_clear(&list->items[i]);
    free(list->items);
    memset(list, 0, sizeof *list);
}

static bool obs_already_listed(const struct discovery_obs_list *list, const char *ip,
                               const char *signal, const char *value, size_t len)
{
    for (size_t i = 0; i < list->count; i++) {
        const struct observation *o = &list->items[i];
        if (o->value_len == len && strcmp(o->ip, ip) == 0 && strcmp(o->signal, signal) == 0 &&
            memcmp(o->value, value, len) == 0)
            return true;
    }
    return false;
}

void discovery_obs_add(struct discovery_obs_list *list, const char *ip, uint16_t port,
                       const char *signal, const char *source, const char *mac, const char *value,
                       size_t len, double when)
{
    /* The same fact twice (two probe variants, two answers) is one fact. */
    if (obs_already_listed(list, ip, signal, value, len))
        return;
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 32;
        list->items = xrealloc(list->items, list->cap * sizeof *list->items);
    }
    struct observation *o = &list->items[list->count++];
    observation_init(o, ip, port, "udp", signal, source, mac && *mac ? mac : NULL, value, len);
    o->time = when;
}

bool discovery_subnet_contains(const struct discovery_subnet *net, const char *ip)
{
    struct in_addr a;
    if (!net->prefix_len || inet_pton(AF_INET, ip, &a) != 1)
        return true; /* unknown: never flag */
    uint32_t mask = net->prefix_len >= 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> net->prefix_len);
    return (ntohl(a.s_addr) & mask) == (net->addr & mask);
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool discovery_mac_normalise(const char *in, size_t len, char out[OBS_MAC_MAX])
{
    unsigned char bytes[6];
    size_t nb = 0, i = 0;
    while (i < len && nb < 6) {
        int hi = hex_value((unsigned char)in[i]);
        int lo = i + 1 < len ? hex_value((unsigned char)in[i + 1]) : -1;
        if (hi < 0 || lo < 0)
            return false;
        bytes[nb++] = (unsigned char)(hi << 4 | lo);
        i += 2;
        if (nb < 6 && i < len && (in[i] == ':' || in[i] == '-' || in[i] == '.'))
            i++;
    }
    if (nb != 6 || i != len)
        return false;
    if (!(bytes[0] | bytes[1] | bytes[2] | bytes[3] | bytes[4] | bytes[5]))
        return false;
    snprintf(out, OBS_MAC_MAX, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
             bytes[3], bytes[4], bytes[5]);
    return true;
}

/* Adds "discovery.<field>" when the text is known. */
static void emit_field(struct discovery_obs_list *out, const struct discovery_answer *ans,
                       const char *source, const char *signal, const char *text, double when)
{
    if (text && *text)
        discovery_obs_add(out, ans->src_ip, ans->src_port, signal, source, ans->mac, text,
                          strlen(text), when);
}

static void emit_ip_config(struct discovery_obs_list *out, const struct discovery_answer *ans,
                           const char *source, double when)
{
    if (!ans->own_ip[0])
        return;
    char text[256];
    int n = snprintf(text, sizeof text, "ip=%s", ans->own_ip);
    if (ans->own_mask[0])
        n += snprintf(text + n, sizeof text - (size_t)n, " mask=%s", ans->own_mask);
    if (ans->own_gateway[0])
        n += snprintf(text + n, sizeof text - (size_t)n, " gateway=%s", ans->own_gateway);
    if (ans->dhcp >= 0)
        snprintf(text + n, sizeof text - (size_t)n, " dhcp=%s", ans->dhcp ? "true" : "false");
    emit_field(out, ans, source, "discovery.ip_config", text, when);
}

static void emit_misaddressed(struct discovery_obs_list *out, const struct discovery_answer *ans,
                              const struct discovery_subnet *net, const char *source, double when)
{
    if (!net || !net->prefix_len)
        return;
    const char *own = ans->own_ip[0] ? ans->own_ip : ans->src_ip;
    if (discovery_subnet_contains(net, own) && discovery_subnet_contains(net, ans->src_ip))
        return;
    uint32_t mask = net->prefix_len >= 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> net->prefix_len);
    struct in_addr a = {.s_addr = htonl(net->addr & mask)};
    char netbuf[INET_ADDRSTRLEN], text[160];
    inet_ntop(AF_INET, &a, netbuf, sizeof netbuf);
    snprintf(text, sizeof text, "%s is outside %s/%u", own, netbuf, net->prefix_len);
    emit_field(out, ans, source, "discovery.misaddressed", text, when);
}

void discovery_answer_emit(const struct discovery_answer *ans, const struct discovery_subnet *net,
                           double when, struct discovery_obs_list *out)
{
    char source[OBS_NAME_MAX];
    snprintf(source, sizeof source, "discovery/%s", ans->module);
    if (ans->signal && ans->raw)
        discovery_obs_add(out, ans->src_ip, ans->src_port, ans->signal, source, ans->mac, ans->raw,
                          ans->raw_len, when);
    if (ans->extra_signal && ans->extra)
        discovery_obs_add(out, ans->src_ip, ans->src_port, ans->extra_signal, source, ans->mac,
                          ans->extra, ans->extra_len, when);
    emit_field(out, ans, source, "mac", ans->mac, when);
    emit_field(out, ans, source, "discovery.manufacturer", ans->manufacturer, when);
    emit_field(out, ans, source, "discovery.model", ans->model, when);
    emit_field(out, ans, source, "discovery.serial", ans->serial, when);
    emit_field(out, ans, source, "discovery.firmware", ans->firmware, when);
    emit_field(out, ans, source, "discovery.name", ans->name, when);
    if (ans->activated >= 0)
        emit_field(out, ans, source, "discovery.activated", ans->activated ? "true" : "false",
                   when);
    emit_ip_config(out, ans, source, when);
    emit_misaddressed(out, ans, net, source, when);
}

void discovery_random_uuid(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* No entropy source: a time-derived id is still unique enough here. */
        uint64_t t = (uint64_t)(time_now() * 1e6);
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (unsigned char)(t >> ((i % 8) * 8)) ^ (unsigned char)(i * 37);
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

void discovery_copy_text(char *dst, size_t dst_size, const char *src, size_t len)
{
    if (!dst_size)
        return;
    size_t o = 0;
    for (size_t i = 0; i < len && src[i] && o + 1 < dst_size; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[o++] = (char)(c < 0x20 || c == 0x7F ? ' ' : c);
    }
    while (o && dst[o - 1] == ' ')
        o--;
    dst[o] = '\0';
    size_t start = 0;
    while (dst[start] == ' ')
        start++;
    memmove(dst, dst + start, o - start + 1);
}

size_t discovery_trim_tail(const uint8_t *buf, size_t len)
{
    while (len && (buf[len - 1] == 0 || buf[len - 1] == ' ' || buf[len - 1] == '\n' ||
                   buf[len - 1] == '\r' || buf[len - 1] == '\t'))
        len--;
    return len;
}

void discovery_copy_ipv4(char *dst, size_t dst_size, const char *text)
{
    struct in_addr a;
    if (dst_size && text && inet_pton(AF_INET, text, &a) == 1)
        inet_ntop(AF_INET, &a, dst, (socklen_t)dst_size);
    else if (dst_size)
        dst[0] = '\0';
}
