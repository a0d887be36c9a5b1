/* test_policy_vulns.c — table-driven checks of data/vulnerabilities.json:
 * every example of every affected block, and versions generated just inside
 * and just outside each block's range (bounds +/- one build or one day);
 * models of affected series with unknown firmware are never clean. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "policy/policy.h"
#include "policy/policy_set.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct policy_set *ps;

static int setup(void **state)
{
    (void)state;
    char err[1024];
    ps = policy_set_load(NULL, NULL, 0, err, sizeof err);
    if (!ps)
        fprintf(stderr, "%s\n", err);
    return ps ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    policy_set_free(ps);
    return 0;
}

/* The verdict one block gives for model/firmware/banner, "none" if none. */
static const char *block_verdict(const struct vuln_entry *e, const struct vuln_block *b,
                                 const char *model, const char *firmware, const char *server,
                                 char **reason)
{
    struct device *dev = device_new("192.0.2.20");
    device_set(&dev->manufacturer, e->manufacturer);
    device_set(&dev->model, model);
    device_set(&dev->firmware, firmware);
    dev->confidence = 0.9;
    struct observation obs;
    size_t count = 0;
    if (server) {
        observation_init(&obs, "192.0.2.20", 80, "tcp", "http.server", "test", NULL, server,
                         strlen(server));
        count = 1;
    }
    const char *v = vuln_block_check(policy_set_vulns(ps), e, b, dev, &obs, count, reason);
    if (count)
        observation_clear(&obs);
    device_free(dev);
    return v ? v : "none";
}

static void test_every_example(void **state)
{
    (void)state;
    const struct vuln_db *db = policy_set_vulns(ps);
    assert_true(db->count >= 5);
    size_t checked = 0;
    for (size_t i = 0; i < db->count; i++) {
        const struct vuln_entry *e = &db->entries[i];
        size_t inside = 0, outside = 0;
        for (size_t k = 0; k < e->block_count; k++)
            for (size_t x = 0; x < e->blocks[k].example_count; x++)
                *(strcmp(e->blocks[k].examples[x].expect, "none") ? &inside : &outside) += 1;
        if (!inside || !outside)
            fail_msg("%s needs examples inside and outside its ranges", e->id);
        for (size_t k = 0; k < e->block_count; k++) {
            const struct vuln_block *b = &e->blocks[k];
            if (b->example_count == 0)
                fail_msg("%s block %zu (%s) has no example", e->id, k, b->products);
            for (size_t x = 0; x < b->example_count; x++) {
                const struct vuln_example *ex = &b->examples[x];
                char *reason = NULL;
                const char *got =
                    block_verdict(e, b, ex->model, ex->firmware, ex->http_server, &reason);
                if (strcmp(got, ex->expect) != 0)
                    fail_msg("%s block %zu example %zu (%s / %s): got %s, expected %s (%s)", e->id,
                             k, x, ex->model ? ex->model : "-", ex->firmware ? ex->firmware : "-",
                             got, ex->expect, reason ? reason : "");
                if (strcmp(got, "none") != 0)
                    assert_true(reason && strstr(reason, b->products));
                free(reason);
                checked++;
            }
        }
    }
    assert_true(checked >= 30);
}

/* Adds delta to the last digit run of text (a build number or version
 * part); NULL when that would go below zero. */
static char *bump_last_number(const char *text, int delta)
{
    size_t len = strlen(text), end = len;
    while (end > 0 && !isdigit((unsigned char)text[end - 1]))
        end--;
    size_t start = end;
    while (start > 0 && isdigit((unsigned char)text[start - 1]))
        start--;
    if (start == end)
        return NULL;
    long long v = strtoll(text + start, NULL, 10) + delta;
    if (v < 0)
        return NULL;
    int width = (int)(end - start);
    return xasprintf("%.*s%0*lld%s", (int)start, text, width, v, text + end);
}

/* YYYYMMDD shifted by days, as "YYYY-MM-DD". */
static char *date_shift(uint32_t ymd, int days)
{
    struct tm tm = {0};
    tm.tm_year = (int)(ymd / 10000) - 1900;
    tm.tm_mon = (int)(ymd / 100 % 100) - 1;
    tm.tm_mday = (int)(ymd % 100) + days;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    struct tm out;
    gmtime_r(&t, &out);
    return xasprintf("%04d-%02d-%02d", out.tm_year + 1900, out.tm_mon + 1, out.tm_mday);
}

/* An example with a model (and its firmware's version part) to build on. */
static const struct vuln_example *model_example(const struct vuln_block *b)
{
    for (size_t x = 0; x < b->example_count; x++)
        if (b->examples[x].model && b->examples[x].firmware &&
            strcmp(b->examples[x].expect, "none") != 0)
            return &b->examples[x];
    for (size_t x = 0; x < b->example_count; x++)
        if (b->examples[x].model)
            return &b->examples[x];
    return NULL;
}

static void expect_verdict(const struct vuln_entry *e, const struct vuln_block *b,
                           const char *model, const char *firmware, const char *expect,
                           size_t *checked)
{
    char *reason = NULL;
    const char *got = block_verdict(e, b, model, firmware, NULL, &reason);
    if (strcmp(got, expect) != 0)
        fail_msg("%s (%s): %s firmware '%s' gives %s, expected %s (%s)", e->id, b->products, model,
                 firmware, got, expect, reason ? reason : "");
    free(reason);
    (*checked)++;
}

/* Version bounds: min and max are inside, one build beyond is outside. */
static void check_version_bounds(const struct vuln_entry *e, const struct vuln_block *b,
                                 const char *model, size_t *checked)
{
    struct {
        const char *bound;
        int inside_delta, outside_delta;
    } bounds[] = {{b->min, 0, -1}, {b->max, 0, +1}, {b->below, -1, 0}};
    for (size_t i = 0; i < 3; i++) {
        if (!bounds[i].bound)
            continue;
        char *inside = bump_last_number(bounds[i].bound, bounds[i].inside_delta);
        char *outside = bump_last_number(bounds[i].bound, bounds[i].outside_delta);
        assert_non_null(inside);
        assert_non_null(outside);
        expect_verdict(e, b, model, inside, b->verdict, checked);
        expect_verdict(e, b, model, outside, "none", checked);
        free(inside);
        free(outside);
    }
}

/* Build-date bounds: build_after is inside, the day before outside;
 * build_before is outside, the day before inside. */
static void check_date_bounds(const struct vuln_entry *e, const struct vuln_block *b,
                              const char *model, const char *firmware, size_t *checked)
{
    size_t vlen = strcspn(firmware, ", b");
    struct {
        uint32_t date;
        int inside_shift, outside_shift;
    } bounds[] = {{b->build_after, 0, -1}, {b->build_before, -1, 0}};
    for (size_t i = 0; i < 2; i++) {
        if (!bounds[i].date)
            continue;
        char *in_day = date_shift(bounds[i].date, bounds[i].inside_shift);
        char *out_day = date_shift(bounds[i].date, bounds[i].outside_shift);
        char *inside = xasprintf("%.*s, Build Date %s", (int)vlen, firmware, in_day);
        char *outside = xasprintf("%.*s, Build Date %s", (int)vlen, firmware, out_day);
        expect_verdict(e, b, model, inside, b->verdict, checked);
        expect_verdict(e, b, model, outside, "none", checked);
        free(in_day);
        free(out_day);
        free(inside);
        free(outside);
    }
}

static void test_generated_boundaries(void **state)
{
    (void)state;
    const struct vuln_db *db = policy_set_vulns(ps);
    size_t checked = 0;
    for (size_t i = 0; i < db->count; i++) {
        const struct vuln_entry *e = &db->entries[i];
        for (size_t k = 0; k < e->block_count; k++) {
            const struct vuln_block *b = &e->blocks[k];
            if (!b->min && !b->max && !b->below && !b->build_before && !b->build_after)
                continue;
            const struct vuln_example *ex = model_example(b);
            if (!ex || !ex->firmware)
                fail_msg("%s (%s): a range needs an example with model and firmware", e->id,
                         b->products);
            size_t before = checked;
            check_version_bounds(e, b, ex->model, &checked);
            check_date_bounds(e, b, ex->model, ex->firmware, &checked);
            assert_true(checked >= before + 2);
        }
    }
    assert_true(checked >= 20);
}

/* An affected model with unknown firmware is possibly vulnerable, never
 * silently clean; an unaffected or unknown model gets nothing. */
static void test_unknown_firmware_is_never_clean(void **state)
{
    (void)state;
    const struct vuln_db *db = policy_set_vulns(ps);
    for (size_t i = 0; i < db->count; i++) {
        const struct vuln_entry *e = &db->entries[i];
        for (size_t k = 0; k < e->block_count; k++) {
            const struct vuln_block *b = &e->blocks[k];
            const struct vuln_example *ex = model_example(b);
            if (!ex || !ex->model || b->all_versions)
                continue;
            char *reason = NULL;
            const char *got = block_verdict(e, b, ex->model, NULL, NULL, &reason);
            if (strcmp(got, "possibly_vulnerable") != 0)
                fail_msg("%s %s without firmware: %s", e->id, ex->model, got);
            assert_non_null(strstr(reason, "not known"));
            free(reason);
            got = block_verdict(e, b, ex->model, "firmware?", NULL, NULL);
            assert_string_equal(got, "possibly_vulnerable");
            assert_string_equal(block_verdict(e, b, "AXIS-P3245", NULL, NULL, NULL), "none");
            assert_string_equal(block_verdict(e, b, NULL, "V5.2.0 build 140721", NULL, NULL),
                                "none");
        }
    }
}

static const struct finding *finding(const struct device *dev, const char *id)
{
    for (size_t i = 0; i < dev->finding_count; i++)
        if (strcmp(dev->findings[i].id, id) == 0)
            return &dev->findings[i];
    return NULL;
}

static void test_evaluate_whole_device(void **state)
{
    (void)state;
    struct device *dev = device_new("192.0.2.21");
    device_set(&dev->manufacturer, "Hikvision");
    device_set(&dev->model, "DS-2CD2532F-IWS");
    device_set(&dev->firmware, "V5.2.0 build 140721");
    dev->confidence = 0.95;
    policy_evaluate(ps, dev, NULL, 0);
    const struct finding *f = finding(dev, "CVE-2017-7921");
    assert_non_null(f);
    assert_int_equal(f->kind, FINDING_VULNERABILITY);
    assert_string_equal(f->verdict, "vulnerable");
    assert_string_equal(f->severity, "critical");
    assert_non_null(strstr(f->source, "CVE-2017-7921"));
    assert_null(finding(dev, "CVE-2021-36260")); /* built 2014, before the flaw (2016) */
    assert_null(finding(dev, "CVE-2021-33044")); /* a Dahua flaw */
    device_free(dev);

    dev = device_new("192.0.2.23");
    device_set(&dev->manufacturer, "Hikvision");
    device_set(&dev->model, "DS-2CD2386G2-IU");
    device_set(&dev->firmware, "V5.5.800 build 210617");
    dev->confidence = 0.95;
    policy_evaluate(ps, dev, NULL, 0);
    f = finding(dev, "CVE-2021-36260");
    assert_non_null(f);
    assert_string_equal(f->verdict, "possibly_vulnerable");
    assert_null(finding(dev, "CVE-2017-7921"));
    device_free(dev);

    /* A Dahua model pattern does not apply to another maker's device. */
    dev = device_new("192.0.2.22");
    device_set(&dev->manufacturer, "Hikvision");
    device_set(&dev->model, "IPC-HFW5241E-ZE");
    device_set(&dev->firmware, "2.800.0000016.0.R,build:2020-06-05");
    dev->confidence = 0.95;
    policy_evaluate(ps, dev, NULL, 0);
    assert_null(finding(dev, "CVE-2021-33044"));
    device_set(&dev->manufacturer, "Dahua");
    policy_evaluate(ps, dev, NULL, 0);
    assert_string_equal(finding(dev, "CVE-2021-33044")->verdict, "vulnerable");
    assert_null(finding(dev, "CVE-2021-33045")); /* built after May 2020 */
    device_free(dev);
}

/* policy_evaluate on a shared set from several threads gives, on every
 * thread, the findings one thread gives alone. */
#define THREAD_COUNT 4
#define THREAD_ROUNDS 50

static const char *const thread_models[][3] = {
    {"Hikvision", "DS-2CD2532F-IWS", "V5.2.0 build 140721"},
    {"Dahua", "IPC-HFW5241E-ZE", "2.800.0000016.0.R,build:2020-04-30"},
    {"Xiongmai", "AHB8004T-GL", NULL},
    {"Hikvision", "DS-7608NXI-I2/8P/S", "V4.62.210 build 230619"},
};

/* All findings of one sample device as one string (caller frees). */
static char *findings_text(int which)
{
    struct device *dev = device_new("192.0.2.40");
    device_set(&dev->manufacturer, thread_models[which][0]);
    device_set(&dev->model, thread_models[which][1]);
    device_set(&dev->firmware, thread_models[which][2]);
    device_set(&dev->device_type, "ip_camera");
    dev->confidence = 0.9;
    struct observation obs;
    observation_init(&obs, "192.0.2.40", 53, "udp", "dns.query", "test", NULL, "a.secu100.net", 13);
    policy_evaluate(ps, dev, &obs, 1);
    observation_clear(&obs);
    char *text = xstrdup("");
    for (size_t i = 0; i < dev->finding_count; i++) {
        char *next = xasprintf("%s%s=%s;", text, dev->findings[i].id, dev->findings[i].verdict);
        free(text);
        text = next;
    }
    device_free(dev);
    return text;
}

static char *expected_text[4];

static void *evaluate_rounds(void *arg)
{
    (void)arg;
    for (int r = 0; r < THREAD_ROUNDS; r++) {
        int which = r % 4;
        char *got = findings_text(which);
        int same = strcmp(got, expected_text[which]) == 0;
        free(got);
        if (!same)
            return (void *)1;
    }
    return NULL;
}

static void test_concurrent_evaluation(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++)
        expected_text[i] = findings_text(i);
    assert_non_null(strstr(expected_text[0], "CVE-2017-7921=vulnerable"));
    assert_non_null(strstr(expected_text[1], "CVE-2021-33045=vulnerable"));
    assert_non_null(strstr(expected_text[2], "CVE-2024-3765=possibly_vulnerable"));
    assert_non_null(strstr(expected_text[3], "CVE-2025-66177=vulnerable"));
    assert_non_null(strstr(expected_text[3], "xiongmai-cloud=phone_home"));
    pthread_t threads[THREAD_COUNT];
    for (int i = 0; i < THREAD_COUNT; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, evaluate_rounds, NULL), 0);
    int failures = 0;
    for (int i = 0; i < THREAD_COUNT; i++) {
        void *rc;
        pthread_join(threads[i], &rc);
        failures += rc != NULL;
    }
    for (int i = 0; i < 4; i++)
        free(expected_text[i]);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_example),
        cmocka_unit_test(test_generated_boundaries),
        cmocka_unit_test(test_unknown_firmware_is_never_clean),
        cmocka_unit_test(test_evaluate_whole_device),
        cmocka_unit_test(test_concurrent_evaluation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
