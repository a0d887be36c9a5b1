/* test_device.c — the device record's JSON round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "identify/device.h"

#include <stdlib.h>
#include <string.h>

static void test_device_json_round_trip(void **state)
{
    (void)state;
    struct device *dev = device_new("192.0.2.64");
    strcpy(dev->mac, "a4:14:37:01:02:03");
    device_set(&dev->manufacturer, "Hikvision");
    device_set(&dev->brand, "LTS");
    device_set(&dev->model, "CMIP3C42W-28");
    device_set(&dev->firmware, "V5.5.0 build 170725");
    dev->confidence = 0.9;
    device_add_port(dev, 554);
    device_add_port(dev, 80);
    device_add_port(dev, 554);
    device_add_evidence(dev, "http.server", "App-webs/", 80, "Hikvision App-webs",
                        "manufacturer=Hikvision", 0.4);
    device_add_conflict(dev, "tls.subject names Dahua");
    device_add_finding(dev, FINDING_RESTRICTION, "quebec", "restricted", "Hikvision is named", NULL,
                       "https://example.org");
    json_t *j = device_to_json(dev);
    char err[128];
    struct device *back = device_from_json(j, err, sizeof err);
    assert_non_null(back);
    assert_string_equal(back->manufacturer, "Hikvision");
    assert_string_equal(back->brand, "LTS");
    assert_null(back->serial);
    assert_int_equal(back->open_port_count, 2);
    assert_int_equal(back->open_ports[0], 80);
    assert_int_equal(back->evidence_count, 1);
    assert_int_equal(back->evidence[0].port, 80);
    assert_int_equal(back->finding_count, 1);
    assert_int_equal(back->findings[0].kind, FINDING_RESTRICTION);
    assert_string_equal(back->findings[0].verdict, "restricted");
    assert_string_equal(back->conflicts[0], "tls.subject names Dahua");
    json_decref(j);
    device_free(dev);
    device_free(back);
    json_t *number = json_integer(3);
    assert_null(device_from_json(number, err, sizeof err));
    json_decref(number);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_device_json_round_trip)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
