/* test_device_jsonl.c — device_append_jsonl writes byte for byte what
 * jansson writes for device_to_json (the one JSON form, two writers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "identify/device.h"

#include <stdlib.h>
#include <string.h>

static void assert_same_as_jansson(const struct device *dev)
{
    json_t *j = device_to_json(dev);
    char *want = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(j);
    size_t cap = 8, len = 0;
    char *got = malloc(cap);
    device_append_jsonl(dev, &got, &cap, &len);
    assert_true(len > 0 && got[len - 1] == '\n');
    got[len - 1] = '\0';
    assert_string_equal(got, want);
    free(got);
    free(want);
}

static void test_empty_device(void **state)
{
    struct device *dev = device_new("192.0.2.1");
    assert_same_as_jansson(dev);
    device_free(dev);
}

static void test_full_device_with_awkward_text(void **state)
{
    struct device *dev = device_new("2001:db8::7");
    strcpy(dev->mac, "a4:14:37:01:02:03");
    device_set(&dev->manufacturer, "Hikvision");
    device_set(&dev->brand, "L\"T\\S");
    device_set(&dev->model, "DS-2CD\t2386\n\x01\x1f/é漢");
    device_set(&dev->firmware, "V5.5.0 build 170725");
    device_set(&dev->serial, "");
    const double confidences[] = {0, 1, 0.5, 0.8, 0.123456789, 1e-7, 0.0001, 123456789.0, 0.6};
    for (size_t i = 0; i < sizeof confidences / sizeof confidences[0]; i++) {
        dev->confidence = confidences[i];
        assert_same_as_jansson(dev);
    }
    device_add_port(dev, 80);
    device_add_port(dev, 65535);
    device_add_evidence(dev, "http.server", "App-webs/", 80, "db: x", "manufacturer=Hikvision",
                        0.6);
    device_add_evidence(dev, "mac", NULL, 0, NULL, NULL, 0.0);
    device_add_conflict(dev, "tls.subject names \"Dahua\"");
    device_add_conflict(dev, "second");
    device_add_finding(dev, FINDING_RESTRICTION, "quebec", "restricted", "why", NULL, "src");
    device_add_finding(dev, FINDING_PHONE_HOME, "hik-connect", "phone_home", NULL, "low", NULL);
    assert_same_as_jansson(dev);
    device_free(dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_device),
        cmocka_unit_test(test_full_device_with_awkward_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
