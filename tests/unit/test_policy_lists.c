/* test_policy_lists.c — every shipped restriction list loads and gives the
 * verdicts its instrument implies; --policy selection; user files; bad
 * files are refused with the file and field named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "policy/policy.h"
#include "policy/restriction.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const shipped_ids[] = {"australia", "canada-federal", "quebec",
                                          "uk",        "us-fcc",         "us-ndaa-889"};
#define SHIPPED_COUNT (sizeof shipped_ids / sizeof shipped_ids[0])

static struct policy_set *load(const char *selection)
{
    char err[1024] = "";
    struct policy_set *ps = policy_set_load(selection, NULL, 0, err, sizeof err);
    if (!ps)
        fail_msg("policy_set_load(%s): %s", selection ? selection : "NULL", err);
    return ps;
}

static void test_every_shipped_list_loads_complete(void **state)
{
    (void)state;
    struct policy_set *ps = load(NULL);
    assert_int_equal(policy_set_count(ps), SHIPPED_COUNT);
    for (size_t i = 0; i < SHIPPED_COUNT; i++) {
        const struct policy_list *p = policy_set_get(ps, i);
        assert_string_equal(p->id, shipped_ids[i]);
        const char *fields[] = {p->name,           p->jurisdiction, p->authority, p->instrument,
                                p->effective_date, p->scope,        p->source};
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
            assert_true(fields[k] && strlen(fields[k]) > 3);
        assert_non_null(strstr(p->source, "<http"));
        assert_int_equal(strlen(p->effective_date), 10);
    }
    assert_null(policy_set_get(ps, SHIPPED_COUNT));
    policy_set_free(ps);
}

static void test_selection(void **state)
{
    (void)state;
    struct policy_set *ps = load(" us-fcc, quebec,us-fcc ");
    assert_int_equal(policy_set_count(ps), 2);
    assert_string_equal(policy_set_get(ps, 0)->id, "us-fcc");
    assert_string_equal(policy_set_get(ps, 1)->id, "quebec");
    policy_set_free(ps);
    char err[1024];
    assert_null(policy_set_load("quebec,nope", NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "unknown policy 'nope'"));
    assert_non_null(strstr(err, "us-ndaa-889"));
    assert_null(policy_set_load(",", NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "selects no policy"));
}

struct verdict_case {
    const char *list, *manufacturer, *brand, *device_type;
    double confidence;
    const char *expect, *reason_part;
};

static const struct verdict_case verdict_cases[] = {
    {"quebec", "Hikvision", NULL, "ip_camera", 0.9, "restricted", "Hikvision video surveillance"},
    {"quebec", "Dahua", NULL, "nvr", 0.9, "restricted", "effective 2023-12-22"},
    {"quebec", "Hikvision", "Annke", "nvr", 0.9, "restricted", "Annke is a Hikvision OEM brand"},
    {"quebec", "unknown", "Annke", "ip_camera", 0.2, "restricted",
     "Annke is a Hikvision OEM brand"},
    {"quebec", "unknown", "EZVIZ", "doorbell", 0.0, "restricted", "EZVIZ is a Hikvision brand"},
    {"quebec", "Dahua", "Imou", "ip_camera", 0.8, "restricted", "Imou is a Dahua brand"},
    {"quebec", "Xiongmai", "Annke", "ip_camera", 0.8, "not_restricted", "made by Xiongmai"},
    {"quebec", "Axis", NULL, "ip_camera", 0.95, "not_restricted", "Axis is not named"},
    {"quebec", "Huawei", NULL, "ip_camera", 0.95, "not_restricted", "Huawei is not named"},
    {"quebec", "unknown", NULL, "ip_camera", 0.0, "unknown", "Manufacturer not identified"},
    {"quebec", NULL, NULL, NULL, 0.0, "unknown", "Manufacturer not identified"},
    {"quebec", "Hikvision", NULL, "ip_camera", 0.3, "unknown", "below 0.50"},
    {"quebec", "Axis", NULL, "ip_camera", 0.2, "unknown", "below 0.50"},
    {"quebec", "Hikvision", NULL, NULL, 0.9, "restricted", "device type not determined"},
    {"quebec", "Hangzhou Hikvision Digital Technology Co., Ltd.", NULL, "ip_camera", 0.9,
     "restricted", "is part of Hikvision"},
    {"quebec", "EZVIZ", NULL, "doorbell", 0.8, "restricted", "EZVIZ is part of Hikvision"},
    {"quebec", "Imou", NULL, "ip_camera", 0.8, "restricted", "Imou is part of Dahua"},
    {"canada-federal", "Hikvision", NULL, "router", 0.9, "restricted", "Hikvision equipment"},
    {"canada-federal", "Dahua", NULL, "ip_camera", 0.9, "not_restricted", "Dahua is not named"},
    {"us-fcc", "Hikvision", "LTS", "nvr", 0.9, "restricted", "LTS is a Hikvision OEM brand"},
    {"us-fcc", "Hytera", NULL, "radio", 0.9, "restricted", "Hytera"},
    {"us-fcc", "Huawei", NULL, "router", 0.9, "restricted", "Huawei telecommunications"},
    {"us-fcc", "Huawei", NULL, "ip_camera", 0.9, "unknown", "not settled"},
    {"us-fcc", "ZTE", NULL, "ip_camera", 0.9, "unknown", "not settled"},
    {"us-fcc", "Uniview", NULL, "ip_camera", 0.9, "not_restricted", "Uniview is not named"},
    {"us-ndaa-889", "Dahua", "Amcrest", "ip_camera", 0.9, "restricted",
     "Amcrest is a Dahua OEM brand"},
    {"us-ndaa-889", "unknown", "Lorex", "ip_camera", 0.9, "unknown", "Manufacturer not identified"},
    {"us-ndaa-889", "ZTE", NULL, "router", 0.7, "restricted", "ZTE"},
    {"australia", "Dahua", NULL, "dvr", 0.9, "restricted", "Commonwealth"},
    {"australia", "Hikvision", NULL, "camera_or_recorder", 0.9, "restricted", "Hikvision video"},
    {"australia", "Hikvision", NULL, "router", 0.9, "not_restricted",
     "video surveillance equipment only"},
    {"uk", "Dahua", NULL, "doorbell", 0.9, "restricted", "sensitive sites"},
    {"uk", "Hytera", NULL, "radio", 0.9, "not_restricted", "Hytera is not named"},
};

static void test_verdicts(void **state)
{
    (void)state;
    struct policy_set *ps = load(NULL);
    for (size_t i = 0; i < sizeof verdict_cases / sizeof verdict_cases[0]; i++) {
        const struct verdict_case *c = &verdict_cases[i];
        struct device *dev = device_new("192.0.2.10");
        device_set(&dev->manufacturer, c->manufacturer);
        device_set(&dev->brand, c->brand);
        device_set(&dev->device_type, c->device_type);
        dev->confidence = c->confidence;
        policy_evaluate(ps, dev, NULL, 0);
        assert_true(dev->finding_count >= SHIPPED_COUNT);
        const struct finding *f = NULL;
        size_t restriction_count = 0;
        for (size_t k = 0; k < dev->finding_count; k++) {
            if (dev->findings[k].kind != FINDING_RESTRICTION)
                continue;
            restriction_count++;
            if (strcmp(dev->findings[k].id, c->list) == 0)
                f = &dev->findings[k];
        }
        assert_int_equal(restriction_count, SHIPPED_COUNT); /* one verdict per list */
        assert_non_null(f);
        if (strcmp(f->verdict, c->expect) != 0 || !strstr(f->reason, c->reason_part))
            fail_msg("case %zu (%s, %s/%s/%s): got %s: %s", i, c->list,
                     c->manufacturer ? c->manufacturer : "NULL", c->brand ? c->brand : "-",
                     c->device_type ? c->device_type : "-", f->verdict, f->reason);
        assert_non_null(strstr(f->source, "http"));
        device_free(dev);
    }
    policy_set_free(ps);
}

/* Writes text to a new temporary file; returns its path (caller frees). */
static char *temp_file(const char *text)
{
    char *path = xstrdup("/tmp/camaudit-policy-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

#define GOOD_LIST                                                                                  \
    "{\"format\":1,\"id\":\"my-city\",\"name\":\"My city\",\"jurisdiction\":\"Here\","             \
    "\"authority\":\"Council\",\"instrument\":\"By-law 12\",\"effective_date\":\"2024-01-01\","    \
    "\"scope\":\"City "                                                                            \
    "buildings\",\"sources\":[{\"title\":\"By-law\",\"url\":\"https://x.test\"}],"                 \
    "\"manufacturers\":[{\"name\":\"Uniview\",\"brands\":[\"UNV\"],\"equipment\":[\"any\"]}]}"

static void test_user_file(void **state)
{
    (void)state;
    char *path = temp_file(GOOD_LIST);
    const char *files[] = {path};
    char err[1024];
    struct policy_set *ps = policy_set_load("quebec", files, 1, err, sizeof err);
    assert_non_null(ps);
    assert_int_equal(policy_set_count(ps), 2);
    assert_string_equal(policy_set_get(ps, 1)->id, "my-city");
    struct device *dev = device_new("192.0.2.11");
    device_set(&dev->manufacturer, "unknown");
    device_set(&dev->brand, "UNV");
    policy_evaluate(ps, dev, NULL, 0);
    assert_string_equal(dev->findings[1].id, "my-city");
    assert_string_equal(dev->findings[1].verdict, "restricted");
    device_free(dev);
    policy_set_free(ps);
    unlink(path);
    free(path);
}

struct bad_case {
    const char *text, *expect;
};

static const struct bad_case bad_cases[] = {
    {"{\"format\":1,", ":1:"},
    {"[]", "expected a JSON object"},
    {"{\"format\":2}", "field 'format'"},
    {"{\"format\":1,\"id\":\"x\"}", "field 'name': missing"},
    {"{\"format\":1,\"id\":\"Bad Id\"}", "field 'id'"},
    {"{\"format\":1,\"id\":\"x\",\"nmae\":\"y\"}", "field 'nmae': unknown field"},
    {"{\"format\":1,\"id\":\"x\",\"name\":3}", "field 'name': expected a string"},
    {"{\"format\":1,\"id\":\"x\",\"name\":\"n\",\"jurisdiction\":\"j\",\"authority\":\"a\","
     "\"instrument\":\"i\",\"effective_date\":\"22/12/2023\",\"scope\":\"s\",\"sources\":[{"
     "\"title\":\"t\",\"url\":\"u\"}],\"manufacturers\":[{\"name\":\"M\",\"equipment\":[\"any\"]}]"
     "}",
     "field 'effective_date'"},
    {"{\"format\":1,\"id\":\"x\",\"name\":\"n\",\"jurisdiction\":\"j\",\"authority\":\"a\","
     "\"instrument\":\"i\",\"effective_date\":\"2023-12-22\",\"scope\":\"s\",\"sources\":[],"
     "\"manufacturers\":[]}",
     "field 'sources'"},
    {"{\"format\":1,\"id\":\"x\",\"name\":\"n\",\"jurisdiction\":\"j\",\"authority\":\"a\","
     "\"instrument\":\"i\",\"effective_date\":\"2023-12-22\",\"scope\":\"s\",\"sources\":[{"
     "\"title\":\"t\",\"url\":\"u\"}],\"manufacturers\":[{\"name\":\"M\",\"equipment\":[\"cctv\"]}]"
     "}",
     "field 'manufacturers[0].equipment[0]': unknown equipment category 'cctv'"},
    {"{\"format\":1,\"id\":\"x\",\"name\":\"n\",\"jurisdiction\":\"j\",\"authority\":\"a\","
     "\"instrument\":\"i\",\"effective_date\":\"2023-12-22\",\"scope\":\"s\",\"sources\":[{"
     "\"title\":\"t\",\"url\":\"u\"}],\"manufacturers\":[{\"name\":\"M\",\"brands\":[\"\"],"
     "\"equipment\":[\"any\"]}]}",
     "field 'manufacturers[0].brands[0]': empty string"},
    {"{\"format\":1,\"id\":\"quebec\",\"name\":\"n\",\"jurisdiction\":\"j\",\"authority\":\"a\","
     "\"instrument\":\"i\",\"effective_date\":\"2023-12-22\",\"scope\":\"s\",\"sources\":[{"
     "\"title\":\"t\",\"url\":\"u\"}],\"manufacturers\":[{\"name\":\"M\",\"equipment\":[\"any\"]}]"
     "}",
     "field 'id': policy 'quebec' is already loaded"},
};

static void test_bad_user_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        char *path = temp_file(bad_cases[i].text);
        const char *files[] = {path};
        char err[1024] = "";
        struct policy_set *ps = policy_set_load(NULL, files, 1, err, sizeof err);
        if (ps)
            fail_msg("bad file %zu accepted", i);
        if (!strstr(err, path) || !strstr(err, bad_cases[i].expect))
            fail_msg("bad file %zu: message '%s' lacks the file or '%s'", i, err,
                     bad_cases[i].expect);
        unlink(path);
        free(path);
    }
    const char *missing[] = {"/nonexistent/policy.json"};
    char err[1024];
    assert_null(policy_set_load(NULL, missing, 1, err, sizeof err));
    assert_string_equal(err, "cannot read '/nonexistent/policy.json': No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_shipped_list_loads_complete),
        cmocka_unit_test(test_selection),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_user_file),
        cmocka_unit_test(test_bad_user_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
