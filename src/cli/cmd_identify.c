/* cmd_identify.c — `camaudit identify [FILE|-] [--fingerprints DIR]...`:
 * reads observation JSONL (from any source: scan, passive, an import),
 * groups it by ip, and writes one device JSON object per host, in the order
 * hosts first appear. Malformed lines are reported with their line number
 * and skipped; the exit code is then 1. */
#include "cli/commands.h"
#include "core/log.h"
#include "core/observation.h"
#include "core/util.h"
#include "identify/identify.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct host {
    struct observation *obs;
    size_t count, cap;
};

/* Hosts by ip, in first-seen order. */
struct host_table {
    struct host *hosts;
    size_t count, cap;
    size_t *slots; /* index + 1 into hosts, 0 = empty */
    size_t slot_cap;
};

static uint64_t hash_ip(const char *ip)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *ip; ip++)
        h = (h ^ (unsigned char)*ip) * 1099511628211ULL;
    return h;
}

static size_t *slot_for_ip(struct host_table *t, const char *ip)
{
    size_t i = hash_ip(ip) & (t->slot_cap - 1);
    while (t->slots[i] && strcmp(t->hosts[t->slots[i] - 1].obs[0].ip, ip) != 0)
        i = (i + 1) & (t->slot_cap - 1);
    return &t->slots[i];
}

static void grow_slots(struct host_table *t)
{
    free(t->slots);
    t->slot_cap = t->slot_cap ? t->slot_cap * 2 : 1024;
    t->slots = xcalloc(t->slot_cap, sizeof *t->slots);
    for (size_t h = 0; h < t->count; h++)
        *slot_for_ip(t, t->hosts[h].obs[0].ip) = h + 1;
}

/* Takes ownership of obs->value. */
static void host_table_add(struct host_table *t, struct observation *obs)
{
    if ((t->count + 1) * 2 > t->slot_cap)
        grow_slots(t);
    size_t *slot = slot_for_ip(t, obs->ip);
    if (!*slot) {
        if (t->count == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 256;
            t->hosts = xrealloc(t->hosts, t->cap * sizeof *t->hosts);
        }
        t->hosts[t->count] = (struct host){0};
        *slot = ++t->count;
    }
    struct host *h = &t->hosts[*slot - 1];
    if (h->count == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 8;
        h->obs = xrealloc(h->obs, h->cap * sizeof *h->obs);
    }
    h->obs[h->count++] = *obs;
}

/* Frees a host's observations, keeping its ip for the table. */
static void host_release(struct host *h)
{
    for (size_t i = 0; i < h->count; i++)
        observation_clear(&h->obs[i]);
    if (h->count > 1)
        h->obs = xrealloc(h->obs, sizeof *h->obs);
    h->count = h->count ? 1 : 0;
    h->cap = h->count;
}

static void host_table_free(struct host_table *t)
{
    for (size_t h = 0; h < t->count; h++) {
        for (size_t i = 0; i < t->hosts[h].count; i++)
            observation_clear(&t->hosts[h].obs[i]);
        free(t->hosts[h].obs);
    }
    free(t->hosts);
    free(t->slots);
}

static void identify_usage(FILE *out)
{
    fprintf(out, "usage: camaudit identify [--fingerprints DIR]... [FILE|-]\n"
                 "Reads observation JSONL (default: standard input), groups it by ip and\n"
                 "writes one device JSON object per host: manufacturer, brand, model,\n"
                 "device_type, firmware, serial, confidence and the evidence.\n"
                 "  --fingerprints DIR   also load Recog XML files of DIR (repeatable)\n"
                 "Exit 1 when some input lines were malformed (they are skipped).\n");
}

/* Reads all observations; returns the count of malformed lines. */
static size_t read_observations(FILE *in, const char *name, struct host_table *t)
{
    struct jsonl_reader *r = jsonl_reader_new(in, name, JSONL_MAX_LINE);
    struct observation obs;
    char err[512];
    size_t bad = 0;
    int rc;
    while ((rc = jsonl_reader_next(r, &obs, err, sizeof err)) != 0) {
        if (rc == JSONL_READ_ERROR) {
            log_error("%s", err);
            bad++;
            break;
        }
        if (rc < 0) {
            log_error("%s", err);
            bad++;
            continue;
        }
        host_table_add(t, &obs);
    }
    jsonl_reader_free(r);
    return bad;
}

/* Identifies and writes every host, releasing each host's observations as
 * soon as its device is out (memory is reused while hot). */
static int write_devices(const struct identifier *id, struct host_table *t, FILE *out)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = xmalloc(cap);
    int rc = 0;
    for (size_t h = 0; h < t->count && rc == 0; h++) {
        struct device *dev = identify_host(id, t->hosts[h].obs, t->hosts[h].count);
        device_append_jsonl(dev, &buf, &cap, &len);
        device_free(dev);
        host_release(&t->hosts[h]);
        if (len >= (1 << 16) || h + 1 == t->count) {
            if (fwrite(buf, 1, len, out) != len)
                rc = -1;
            len = 0;
        }
    }
    free(buf);
    return rc == 0 && fflush(out) == 0 ? 0 : -1;
}

int cmd_identify(int argc, char **argv)
{
    const char **extra = xcalloc((size_t)argc, sizeof *extra);
    size_t n_extra = 0;
    const char *input = NULL;
    int rc = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fingerprints") == 0 && i + 1 < argc) {
            extra[n_extra++] = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            identify_usage(stdout);
            goto done;
        } else if ((argv[i][0] == '-' && argv[i][1]) || input) {
            log_error("unexpected argument '%s' for 'identify'", argv[i]);
            rc = EXIT_USAGE;
            goto done;
        } else {
            input = argv[i];
        }
    }
    FILE *in = stdin;
    if (input && strcmp(input, "-") != 0 && !(in = fopen(input, "r"))) {
        log_error("cannot read '%s': %s", input, strerror(errno));
        rc = EXIT_USAGE;
        goto done;
    }
    char err[512];
    struct identifier *id = identifier_load(extra, n_extra, err, sizeof err);
    if (!id) {
        log_error("%s", err);
        rc = EXIT_USAGE;
    } else {
        struct host_table t = {0};
        size_t bad = read_observations(in, input ? input : "-", &t);
        if (write_devices(id, &t, stdout) < 0) {
            log_error("cannot write output: %s", strerror(errno));
            rc = EXIT_FAILURE_RUNTIME;
        } else if (bad) {
            log_error("%zu malformed line%s skipped", bad, bad == 1 ? "" : "s");
            rc = EXIT_FAILURE_RUNTIME;
        }
        host_table_free(&t);
        identifier_free(id);
    }
    if (in != stdin)
        fclose(in);
done:
    free(extra);
    return rc;
}
