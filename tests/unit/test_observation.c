/* test_observation.c — observation values (UTF-8, caps) and JSONL round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/observation.h"
#include "core/signals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_round_trip_keeps_every_field(void **state)
{
    (void)state;
    struct observation in, out;
    const char value[] = "App-webs/\"quoted\"\n\ttab \xe2\x82\xac";
    observation_init(&in, "2001:db8::7", 8000, "tcp", "http.server", "probe/http",
                     "a4:14:37:00:00:01", value, sizeof value - 1);
    in.time = 1795000000.25;
    char *json = observation_to_json(&in);
    char err[256];
    assert_int_equal(observation_parse_json(json, strlen(json), &out, err, sizeof err), 0);
    assert_string_equal(out.ip, "2001:db8::7");
    assert_int_equal(out.port, 8000);
    assert_string_equal(out.proto, "tcp");
    assert_string_equal(out.signal, "http.server");
    assert_string_equal(out.source, "probe/http");
    assert_string_equal(out.mac, "a4:14:37:00:00:01");
    assert_int_equal(out.value_len, sizeof value - 1);
    assert_memory_equal(out.value, value, sizeof value - 1);
    assert_false(out.truncated);
    assert_true(out.time > 1795000000.2 && out.time < 1795000000.3);
    free(json);
    observation_clear(&in);
    observation_clear(&out);
}

static void test_invalid_utf8_becomes_latin1_code_points(void **state)
{
    (void)state;
    struct observation obs;
    const unsigned char raw[] = {'A', 0xff, 0x00, 0xc3, 'B'};
    observation_init(&obs, "192.0.2.1", 23, "tcp", "banner", "probe/banner", NULL, raw, sizeof raw);
    /* 0xff -> U+00FF (c3 bf), NUL kept, lone 0xc3 -> U+00C3 (c3 83). */
    const unsigned char expect[] = {'A', 0xc3, 0xbf, 0x00, 0xc3, 0x83, 'B'};
    assert_int_equal(obs.value_len, sizeof expect);
    assert_memory_equal(obs.value, expect, sizeof expect);
    char *json = observation_to_json(&obs);
    assert_non_null(json);
    struct observation back;
    char err[256];
    assert_int_equal(observation_parse_json(json, strlen(json), &back, err, sizeof err), 0);
    assert_int_equal(back.value_len, sizeof expect);
    assert_memory_equal(back.value, expect, sizeof expect);
    free(json);
    observation_clear(&obs);
    observation_clear(&back);
}

static void test_long_values_are_capped_and_marked(void **state)
{
    (void)state;
    size_t cap = signal_value_cap("http.server");
    size_t len = cap * 3;
    char *big = malloc(len);
    memset(big, 'x', len);
    struct observation obs;
    observation_init(&obs, "192.0.2.1", 80, "tcp", "http.server", "probe/http", NULL, big, len);
    assert_int_equal(obs.value_len, cap);
    assert_true(obs.truncated);
    char *json = observation_to_json(&obs);
    assert_non_null(strstr(json, "\"truncated\":true"));
    free(json);
    observation_clear(&obs);
    /* A multi-byte character is never split at the cap. */
    for (size_t i = 0; i + 1 < len; i += 2) {
        big[i] = (char)0xc3;
        big[i + 1] = (char)0xa9;
    }
    observation_init(&obs, "192.0.2.1", 80, "tcp", "mac", "t", NULL, big, 41);
    assert_true(obs.truncated);
    assert_true(obs.value_len <= signal_value_cap("mac"));
    assert_int_equal(obs.value_len % 2, 0);
    observation_clear(&obs);
    free(big);
}

static void test_parse_rejects_bad_records_with_reasons(void **state)
{
    (void)state;
    static const struct {
        const char *line, *reason;
    } cases[] = {
        {"not json", "invalid JSON"},
        {"[1,2]", "not a JSON object"},
        {"{\"signal\":\"x\",\"value\":\"v\"}", "missing \"ip\""},
        {"{\"ip\":\"192.0.2.1\",\"value\":\"v\"}", "missing \"signal\""},
        {"{\"ip\":\"192.0.2.1\",\"signal\":\"x\"}", "missing \"value\""},
        {"{\"ip\":\"192.0.2.1\",\"signal\":\"x\",\"value\":3}", "\"value\" is not a string"},
        {"{\"ip\":\"192.0.2.1\",\"signal\":\"x\",\"value\":\"v\",\"port\":70000}", "\"port\""},
        {"{\"ip\":\"192.0.2.1\",\"signal\":\"x\",\"value\":\"v\",\"time\":\"yesterday\"}",
         "RFC 3339"},
        {"{\"ip\":\"192.0.2.1\",\"ip\":\"192.0.2.2\",\"signal\":\"x\",\"value\":\"v\"}",
         "invalid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct observation obs;
        char err[256] = "";
        assert_int_equal(
            observation_parse_json(cases[i].line, strlen(cases[i].line), &obs, err, sizeof err),
            -1);
        if (!strstr(err, cases[i].reason))
            fail_msg("line %zu: '%s' lacks '%s'", i, err, cases[i].reason);
    }
}

static void test_reader_reports_line_numbers_and_goes_on(void **state)
{
    (void)state;
    const char text[] =
        "{\"ip\":\"192.0.2.1\",\"signal\":\"http.server\",\"value\":\"a\"}\n"
        "\n"
        "{broken\n"
        "{\"ip\":\"192.0.2.2\",\"signal\":\"rtsp.server\",\"value\":\"b\",\"port\":554}\n"
        "{\"ip\":\"192.0.2.3\",\"signal\":\"banner\",\"value\":\"" /* too long */
        "0123456789012345678901234567890123456789\"}\n"
        "{\"ip\":\"192.0.2.4\",\"signal\":\"banner\",\"value\":\"c\"}";
    FILE *in = fmemopen((void *)text, sizeof text - 1, "r");
    struct jsonl_reader *r = jsonl_reader_new(in, "obs.jsonl", 80);
    struct observation obs;
    char err[256];
    assert_int_equal(jsonl_reader_next(r, &obs, err, sizeof err), 1);
    assert_string_equal(obs.ip, "192.0.2.1");
    observation_clear(&obs);
    assert_int_equal(jsonl_reader_next(r, &obs, err, sizeof err), -1);
    assert_non_null(strstr(err, "obs.jsonl:3:"));
    assert_int_equal(jsonl_reader_next(r, &obs, err, sizeof err), 1);
    assert_int_equal(obs.port, 554);
    observation_clear(&obs);
    assert_int_equal(jsonl_reader_next(r, &obs, err, sizeof err), -1);
    assert_non_null(strstr(err, "obs.jsonl:5: line longer"));
    assert_int_equal(jsonl_reader_next(r, &obs, err, sizeof err), 1);
    assert_string_equal(obs.ip, "192.0.2.4");
    observation_clear(&obs);
    assert_int_equal(jsonl_reader_next(r, &obs, err, sizeof err), 0);
    jsonl_reader_free(r);
    fclose(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_keeps_every_field),
        cmocka_unit_test(test_invalid_utf8_becomes_latin1_code_points),
        cmocka_unit_test(test_long_values_are_capped_and_marked),
        cmocka_unit_test(test_parse_rejects_bad_records_with_reasons),
        cmocka_unit_test(test_reader_reports_line_numbers_and_goes_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
