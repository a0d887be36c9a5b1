/* test_identify.c — the fusion rules of identify_host on a fixed world
 * (tests/data/identify: a few fingerprints and small tables): agreement,
 * conflict, generic servers, OEM rebrands, MAC-only evidence, structured
 * bodies, and several threads on one identifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "identify/identify.h"
#include "identify/tables.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct identifier *id;

static int load_world(void **state)
{
    setenv("CAMAUDIT_DATA_DIR", CAMAUDIT_SOURCE_DIR "/tests/data/identify", 1);
    char err[512];
    id = identifier_load(NULL, 0, err, sizeof err);
    if (!id)
        fprintf(stderr, "identifier_load: %s\n", err);
    return id ? 0 : -1;
}

static int free_world(void **state)
{
    identifier_free(id);
    return 0;
}

/* Identifies one host from (signal, value) pairs ending with NULL. */
static struct device *identify_pairs(const char *first, ...)
{
    struct observation obs[16];
    size_t n = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *signal = first; signal && n < 16; signal = va_arg(ap, const char *)) {
        const char *value = va_arg(ap, const char *);
        observation_init(&obs[n++], "192.0.2.10", strncmp(signal, "http", 4) == 0 ? 80 : 0, "tcp",
                         signal, "test", NULL, value, strlen(value));
    }
    va_end(ap);
    struct device *dev = identify_host(id, obs, n);
    for (size_t i = 0; i < n; i++)
        observation_clear(&obs[i]);
    return dev;
}

static const char *const isapi_body =
    "<?xml version=\"1.0\"?><DeviceInfo version=\"2.0\"><deviceName>yard</deviceName>"
    "<model>DS-2CD2386G2-IU</model><serialNumber>DS-2CD2386G2-IU00000000AAWRJ</serialNumber>"
    "<firmwareReleasedDate>build 240826</firmwareReleasedDate>"
    "<firmwareVersion>V5.7.18</firmwareVersion></DeviceInfo>";

static void test_single_evidence_names_maker(void **state)
{
    struct device *dev = identify_pairs("http.server", "App-webs/", NULL);
    assert_string_equal(dev->manufacturer, "Hikvision");
    assert_string_equal(dev->device_type, "ip_camera");
    assert_true(dev->confidence > 0.55 && dev->confidence < 0.65);
    assert_int_equal(dev->evidence_count, 1);
    assert_string_equal(dev->evidence[0].signal, "http.server");
    assert_int_equal(dev->evidence[0].port, 80);
    assert_int_equal(dev->open_port_count, 1);
    device_free(dev);
}

static void test_agreement_raises_confidence(void **state)
{
    struct device *one = identify_pairs("http.server", "App-webs/", NULL);
    struct device *two =
        identify_pairs("http.server", "App-webs/", "mac", "a4:14:37:01:02:03", NULL);
    assert_string_equal(two->manufacturer, "Hikvision");
    assert_true(two->confidence > one->confidence);
    assert_string_equal(two->mac, "a4:14:37:01:02:03");
    assert_int_equal(two->conflict_count, 0);
    device_free(one);
    device_free(two);
}

static void test_conflict_lowers_confidence_and_is_listed(void **state)
{
    struct device *alone = identify_pairs("http.isapi_device_info", isapi_body, NULL);
    struct device *dev = identify_pairs("http.isapi_device_info", isapi_body, "tls.subject",
                                        "CN=cam,O=Dahua,C=CN", NULL);
    assert_string_equal(dev->manufacturer, "Hikvision");
    assert_true(dev->confidence < alone->confidence);
    assert_int_equal(dev->conflict_count, 1);
    assert_non_null(strstr(dev->conflicts[0], "Dahua"));
    assert_non_null(strstr(dev->conflicts[0], "tls.subject"));
    /* fields come from the winner's side only */
    assert_string_equal(dev->model, "DS-2CD2386G2-IU");
    device_free(alone);
    device_free(dev);
}

static void test_structured_body_gives_model_firmware_serial(void **state)
{
    struct device *dev = identify_pairs("http.isapi_device_info", isapi_body, NULL);
    assert_string_equal(dev->manufacturer, "Hikvision");
    assert_string_equal(dev->model, "DS-2CD2386G2-IU");
    assert_string_equal(dev->serial, "DS-2CD2386G2-IU00000000AAWRJ");
    assert_string_equal(dev->firmware, "V5.7.18 build 240826");
    assert_true(dev->confidence > 0.9);
    device_free(dev);
}

static void test_generic_server_names_nobody(void **state)
{
    struct device *dev = identify_pairs("http.server", "Boa/0.94.14rc21", NULL);
    assert_string_equal(dev->manufacturer, "unknown");
    assert_true(dev->confidence == 0.0);
    assert_int_equal(dev->evidence_count, 1);
    assert_non_null(strstr(dev->evidence[0].names, "generic=true"));
    device_free(dev);
}

static void test_generic_platform_only_supports(void **state)
{
    struct device *hint = identify_pairs("http.server", "uc-httpd 1.0.0", NULL);
    assert_string_equal(hint->manufacturer, "unknown");
    struct device *cert = identify_pairs("tls.subject", "CN=x,O=Dahua", NULL);
    struct device *both =
        identify_pairs("tls.subject", "CN=x,O=Dahua", "http.server", "uc-httpd 1.0.0", NULL);
    assert_string_equal(both->manufacturer, "Dahua");
    assert_true(both->confidence > cert->confidence);
    assert_int_equal(both->conflict_count, 0);
    device_free(hint);
    device_free(cert);
    device_free(both);
}

static void test_generic_never_outvotes_specific(void **state)
{
    /* a generic hint for Dahua against specific Hikvision evidence */
    struct device *dev =
        identify_pairs("http.server", "uc-httpd 1.0.0", "http.server", "App-webs/", NULL);
    assert_string_equal(dev->manufacturer, "Hikvision");
    device_free(dev);
}

static void test_oem_brand_with_fitting_model(void **state)
{
    const char *body = "<tds:Manufacturer>Annke</tds:Manufacturer><tds:Model>N46PCK</tds:Model>";
    struct device *dev = identify_pairs("onvif.device_info", body, NULL);
    assert_string_equal(dev->manufacturer, "Hikvision");
    assert_string_equal(dev->brand, "Annke");
    assert_string_equal(dev->model, "N46PCK");
    device_free(dev);
}

static void test_model_code_fills_missing_type(void **state)
{
    const char *body = "<tds:Manufacturer>Annke</tds:Manufacturer><tds:Model>N46PCK</tds:Model>";
    struct device *dev = identify_pairs("onvif.device_info", body, NULL);
    assert_string_equal(dev->device_type, "nvr");
    bool cited = false;
    for (size_t i = 0; i < dev->evidence_count; i++)
        cited |= strcmp(dev->evidence[i].signal, "model") == 0 &&
                 strcmp(dev->evidence[i].names, "device_type=nvr") == 0;
    assert_true(cited);
    device_free(dev);
}

/* A model longer than the evidence text holds is cut between characters,
 * never inside one: the device's JSON keeps its "names". */
static void test_long_multibyte_model_keeps_valid_json(void **state)
{
    static const char *const prefixes[] = {"N46X", "N46XY"}; /* both parities of the cut */
    for (size_t p = 0; p < 2; p++) {
        char body[1200];
        snprintf(body, sizeof body, "<tds:Manufacturer>Annke</tds:Manufacturer><tds:Model>%s",
                 prefixes[p]);
        for (int i = 0; i < 300; i++)
            strcat(body, "\xc3\xa9"); /* é */
        strcat(body, "</tds:Model>");
        struct device *dev = identify_pairs("onvif.device_info", body, NULL);
        json_t *j = device_to_json(dev);
        json_t *ev = json_array_get(json_object_get(j, "evidence"), 0);
        assert_non_null(ev);
        assert_non_null(json_string_value(json_object_get(ev, "names")));
        json_decref(j);
        device_free(dev);
    }
}

static void test_model_code_never_overrides_stated_type(void **state)
{
    struct device *dev = identify_pairs("http.isapi_device_info", isapi_body, NULL);
    assert_string_equal(dev->device_type, "ip_camera");
    device_free(dev);
}

/* Every row of the project's data/model_types.csv types its own example. */
static void test_project_model_types_examples(void **state)
{
    struct maker_tables t = {0};
    char err[256];
    assert_int_equal(maker_tables_load(&t, CAMAUDIT_SOURCE_DIR "/data", err, sizeof err), 0);
    assert_true(t.model_type_count >= 10);
    for (size_t i = 0; i < t.model_type_count; i++) {
        const struct model_type_row *r = &t.model_types[i];
        const struct model_type_row *got = model_type_find(&t, r->manufacturer, r->example);
        if (!got || strcmp(got->device_type, r->device_type) != 0)
            fail_msg("model_types.csv: %s %s is typed %s, row says %s", r->manufacturer, r->example,
                     got ? got->device_type : "nothing", r->device_type);
    }
    assert_null(model_type_find(&t, "Hikvision", "X-1"));
    assert_null(model_type_find(&t, "Axis", "IPC-HDW5831R-ZE"));
    maker_tables_free(&t);
}

static void test_oem_brand_of_some_products_alone_names_nobody(void **state)
{
    const char *body = "<tds:Manufacturer>Annke</tds:Manufacturer><tds:Model>X1</tds:Model>";
    struct device *dev = identify_pairs("onvif.device_info", body, NULL);
    assert_string_equal(dev->manufacturer, "unknown");
    device_free(dev);
    /* ... but supports protocol evidence of that maker */
    struct device *both =
        identify_pairs("onvif.device_info", body, "http.server", "App-webs/", NULL);
    assert_string_equal(both->manufacturer, "Hikvision");
    assert_string_equal(both->brand, "Annke");
    device_free(both);
}

static void test_oem_brand_of_all_products_names_maker(void **state)
{
    const char *body = "<tds:Manufacturer>EZVIZ</tds:Manufacturer><tds:Model>CS-DB1</tds:Model>";
    struct device *dev = identify_pairs("onvif.device_info", body, NULL);
    assert_string_equal(dev->manufacturer, "Hikvision");
    assert_string_equal(dev->brand, "EZVIZ");
    device_free(dev);
}

static void test_oem_brand_of_two_makers_names_nobody(void **state)
{
    const char *body = "<tds:Manufacturer>Honeywell</tds:Manufacturer>";
    struct device *dev = identify_pairs("onvif.device_info", body, NULL);
    assert_string_equal(dev->manufacturer, "unknown");
    assert_string_equal(dev->brand, "Honeywell");
    device_free(dev);
}

static void test_mac_only_evidence(void **state)
{
    struct device *dev = identify_pairs("mac", "A4-14-37-AA-BB-CC", NULL);
    assert_string_equal(dev->manufacturer, "Hikvision");
    assert_string_equal(dev->mac, "a4:14:37:aa:bb:cc");
    assert_true(dev->confidence > 0.4 && dev->confidence < 0.6);
    assert_non_null(strstr(dev->evidence[0].matched_by, "oui:MA-L"));
    device_free(dev);
}

static void test_mac_of_module_maker_names_nobody(void **state)
{
    struct device *dev = identify_pairs("mac", "24:0a:c4:01:02:03", NULL);
    assert_string_equal(dev->manufacturer, "unknown");
    assert_non_null(strstr(dev->evidence[0].matched_by, "module maker"));
    device_free(dev);
}

static void test_locally_administered_mac_names_nobody(void **state)
{
    /* a6:14:37 is a4:14:37 with the locally administered bit set */
    struct device *dev = identify_pairs("mac", "a6:14:37:01:02:03", NULL);
    assert_string_equal(dev->manufacturer, "unknown");
    assert_non_null(strstr(dev->evidence[0].matched_by, "locally administered"));
    device_free(dev);
}

static void test_certainty_scales_weight(void **state)
{
    struct device *dev = identify_pairs("http.server", "AXIS", NULL);
    assert_string_equal(dev->manufacturer, "Axis"); /* alias AXIS -> canonical */
    assert_true(dev->evidence[0].weight > 0.29 && dev->evidence[0].weight < 0.31);
    device_free(dev);
}

static void test_unknown_signals_and_values(void **state)
{
    struct device *dev = identify_pairs("no.such.signal", "App-webs/", "http.server", "Apache/2.4",
                                        "mac", "not a mac", NULL);
    assert_string_equal(dev->manufacturer, "unknown");
    assert_int_equal(dev->evidence_count, 0);
    assert_string_equal(dev->mac, "");
    device_free(dev);
    struct device *none = identify_host(id, NULL, 0);
    assert_string_equal(none->manufacturer, "unknown");
    device_free(none);
}

struct thread_job {
    struct observation *obs;
    size_t count;
    int mismatches;
};

static void *identify_many(void *arg)
{
    struct thread_job *job = arg;
    for (int i = 0; i < 200; i++) {
        struct device *dev = identify_host(id, job->obs, job->count);
        if (strcmp(dev->manufacturer, "Hikvision") != 0 || !dev->model ||
            strcmp(dev->model, "DS-2CD2386G2-IU") != 0 || dev->conflict_count != 1)
            job->mismatches++;
        device_free(dev);
    }
    return NULL;
}

static void test_threads_share_one_identifier(void **state)
{
    struct observation obs[3];
    observation_init(&obs[0], "192.0.2.9", 80, "tcp", "http.isapi_device_info", "t", NULL,
                     isapi_body, strlen(isapi_body));
    observation_init(&obs[1], "192.0.2.9", 443, "tcp", "tls.subject", "t", NULL, "O=Dahua", 7);
    observation_init(&obs[2], "192.0.2.9", 80, "tcp", "http.server", "t", NULL, "App-webs/", 9);
    pthread_t threads[4];
    struct thread_job jobs[4];
    for (int t = 0; t < 4; t++) {
        jobs[t] = (struct thread_job){obs, 3, 0};
        pthread_create(&threads[t], NULL, identify_many, &jobs[t]);
    }
    for (int t = 0; t < 4; t++) {
        pthread_join(threads[t], NULL);
        assert_int_equal(jobs[t].mismatches, 0);
    }
    for (int i = 0; i < 3; i++)
        observation_clear(&obs[i]);
}

static void test_load_fails_clearly_on_bad_extra_folder(void **state)
{
    const char *dirs[] = {"/nonexistent/camaudit-fingerprints"};
    char err[512];
    struct identifier *bad = identifier_load(dirs, 1, err, sizeof err);
    assert_null(bad);
    assert_non_null(strstr(err, "/nonexistent/camaudit-fingerprints"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_evidence_names_maker),
        cmocka_unit_test(test_agreement_raises_confidence),
        cmocka_unit_test(test_conflict_lowers_confidence_and_is_listed),
        cmocka_unit_test(test_structured_body_gives_model_firmware_serial),
        cmocka_unit_test(test_generic_server_names_nobody),
        cmocka_unit_test(test_generic_platform_only_supports),
        cmocka_unit_test(test_generic_never_outvotes_specific),
        cmocka_unit_test(test_oem_brand_with_fitting_model),
        cmocka_unit_test(test_model_code_fills_missing_type),
        cmocka_unit_test(test_model_code_never_overrides_stated_type),
        cmocka_unit_test(test_long_multibyte_model_keeps_valid_json),
        cmocka_unit_test(test_project_model_types_examples),
        cmocka_unit_test(test_oem_brand_of_some_products_alone_names_nobody),
        cmocka_unit_test(test_oem_brand_of_all_products_names_maker),
        cmocka_unit_test(test_oem_brand_of_two_makers_names_nobody),
        cmocka_unit_test(test_mac_only_evidence),
        cmocka_unit_test(test_mac_of_module_maker_names_nobody),
        cmocka_unit_test(test_locally_administered_mac_names_nobody),
        cmocka_unit_test(test_certainty_scales_weight),
        cmocka_unit_test(test_unknown_signals_and_values),
        cmocka_unit_test(test_threads_share_one_identifier),
        cmocka_unit_test(test_load_fails_clearly_on_bad_extra_folder),
    };
    return cmocka_run_group_tests(tests, load_world, free_world);
}
