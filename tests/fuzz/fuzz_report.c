/* fuzz_report.c — the report renderers on hostile device strings. The input
 * is split at newlines into the text fields of a device, its evidence,
 * findings, scan and list; every format is rendered, and the HTML must
 * still hold exactly the report's own one script element and no other
 * markup the input could have opened; the escapers keep their promises. */
#include "core/util.h"
#include "report/escape.h"
#include "report/report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELDS 16

/* Splits the input at '\n' into up to FIELDS strings (missing ones: ""). */
static void split_fields(const uint8_t *data, size_t size, char *fields[FIELDS])
{
    size_t start = 0, n = 0;
    for (size_t i = 0; i <= size && n < FIELDS; i++)
        if (i == size || data[i] == '\n') {
            fields[n++] = xstrndup((const char *)data + start, i - start);
            start = i + 1;
        }
    while (n < FIELDS)
        fields[n++] = xstrdup("");
}

static struct device *hostile_device(char *const f[FIELDS])
{
    struct device *d = device_new(f[0]);
    strlcpy_safe(d->mac, f[1], sizeof d->mac);
    device_set(&d->manufacturer, f[2]);
    device_set(&d->brand, f[3]);
    device_set(&d->model, f[4]);
    device_set(&d->device_type, f[5]);
    device_set(&d->firmware, f[6]);
    device_set(&d->serial, f[7]);
    device_add_port(d, 80);
    device_add_evidence(d, f[8], f[9], 80, f[10], f[11], 0.5);
    device_add_conflict(d, f[12]);
    device_add_finding(d, FINDING_RESTRICTION, f[13], "restricted", f[14], NULL, f[15]);
    device_add_finding(d, FINDING_VULNERABILITY, f[13], f[14], f[12], f[11], f[15]);
    device_add_finding(d, FINDING_PHONE_HOME, f[9], "phone_home", f[8], NULL, NULL);
    return d;
}

static char *render(const struct report *r, enum report_format format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        abort();
    report_write(r, format, out);
    fclose(out);
    return buf;
}

static size_t occurrences(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void check_escapers(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    html_put(out, s);
    fclose(out);
    if (strpbrk(buf, "<>\"'"))
        abort();
    free(buf);
    char *term = terminal_safe(s);
    for (const unsigned char *p = (const unsigned char *)term; *p; p++)
        if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
            abort();
    free(term);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096 || memchr(data, '\0', size))
        return 0; /* stored strings are NUL-terminated text */
    char *f[FIELDS];
    split_fields(data, size, f);
    struct store_device sd = {.device_id = 1, .scan_id = 1, .site = f[3], .seen = 1e9};
    sd.dev = hostile_device(f);
    struct report_site site = {
        .scan = {.id = 1,
                 .site = f[3],
                 .targets = f[4],
                 .options = f[5],
                 .command = f[6],
                 .operator_name = f[7],
                 .started = 1e9,
                 .hosts = 1},
        .devices = {.items = &sd, .count = 1},
        .history = {.items = &site.scan, .count = 1},
        .restricted_history = (int64_t[]){1},
        .counts = {1, 1, 1, 1},
    };
    site.change = (struct report_change){.previous_scan = 1, .vanished = 1};
    struct report_site sites[2] = {site, site}; /* two sites: the Sites table too */
    sites[1].scan.site = f[4];
    sites[0].history.items = &sites[0].scan;
    sites[1].history.items = &sites[1].scan;
    struct report_policy policy = {.id = f[13], .name = f[14], .source = f[15], .restricted = 1};
    struct report r = {.sites = sites,
                       .site_count = 2,
                       .policies = &policy,
                       .policy_count = 1,
                       .totals = {2, 2, 2, 2},
                       .generated = 1e9};
    char *html = render(&r, REPORT_HTML);
    if (occurrences(html, "<script") != 1 || strstr(html, "<img") || strstr(html, "<iframe") ||
        strstr(html, "href=\"javascript"))
        abort();
    free(html);
    free(render(&r, REPORT_JSON));
    free(render(&r, REPORT_CSV));
    free(render(&r, REPORT_MD));
    for (int i = 0; i < FIELDS; i++) {
        check_escapers(f[i]);
        free(f[i]);
    }
    device_free(sd.dev);
    return 0;
}
