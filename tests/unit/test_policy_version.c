/* test_policy_version.c — the firmware version parser and comparator on the
 * formats of Hikvision, Dahua, Intelbras and Xiongmai firmware. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy/version.h"

#include <stdio.h>
#include <string.h>

struct cmp_case {
    const char *a, *b;
    enum fw_cmp expect;
};

static const struct cmp_case cmp_cases[] = {
    {"V5.5.0 build 170725", "V5.5.0 build 170726", FW_LESS},
    {"V5.5.0 build 170725", "V5.5.0 build 170725", FW_EQUAL},
    {"V5.4.0 build 160530", "V5.3.9 build 170101", FW_GREATER},
    {"V5.5.6build 180326", "V5.5.6 build 180326", FW_EQUAL},
    {"V5.4.0 Build 160401", "V5.4.0 build 160401", FW_EQUAL},
    {"V5.5.0", "V5.5.0 build 170725", FW_INCOMPARABLE},
    /* a build date against a build number cannot be ordered */
    {"V5.4.0 Build Date 2017-01-01", "V5.4.0 build 99", FW_INCOMPARABLE},
    {"V5.5.10", "V5.5.9", FW_GREATER},
    {"V5.5", "V5.5.0", FW_EQUAL},
    {"V1.0", "v1.0", FW_EQUAL},
    {"2.800.0000000.16.R", "2.800.0000000.13.R", FW_GREATER},
    {"2.800.0000016.0.R,build:2020-06-05", "2.800.0000016.0.R, Build Date 2020-06-04", FW_GREATER},
    {"2.800.0000016.0.R,build:2020-06-05", "2.800.0000016.0.R", FW_INCOMPARABLE},
    {"2.800.0000000.16.R", "2.800.0000000.16", FW_INCOMPARABLE},
    {"2.811.0000013.0.R, Build Date 2023-12-20", "2.811.0000013.0.R,build:2023-12-20", FW_EQUAL},
    {"3.210.IB01.3", "3.210.IB01.4", FW_LESS},
    {"V4.02.R11.00000117.10001", "V4.02.R11.00000118.10001", FW_LESS},
    {"4.02.R11.00000117.10001", "V4.02.R11.00000117.10001", FW_EQUAL},
    {"V4.02.R11.00000117.10001", "V4.02.R10.00000117.10001", FW_GREATER},
    {"4.03.R11.0000020X.11201.042300.0000005", "4.03.R11.0000020X.11201.042300.0000005", FW_EQUAL},
    {"4.03.R11.4912720B.11201", "4.03.R11.4912720D.11201", FW_LESS},
    {"4.02.R11.A8531149.10001", "4.02.R11.24340142.10001", FW_INCOMPARABLE},
    {"V4.74.210 build 240108", "V4.62.210 build 230619", FW_GREATER},
    {"5.5 (beta)", "5.5", FW_EQUAL},
    {"V5.7.13_230822", "V5.7.13 build 230822", FW_EQUAL},
    {"V5.7.13_230823", "V5.7.13 build 230822", FW_GREATER},
    {"V5.7.7build241203", "V5.7.7 build 241203", FW_EQUAL},
};

static void test_compare_vendor_formats(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cmp_cases / sizeof cmp_cases[0]; i++) {
        const struct cmp_case *c = &cmp_cases[i];
        struct fw_version a, b;
        assert_int_equal(fw_version_parse(c->a, strlen(c->a), &a), 0);
        assert_int_equal(fw_version_parse(c->b, strlen(c->b), &b), 0);
        enum fw_cmp got = fw_version_compare(&a, &b), back = fw_version_compare(&b, &a);
        if (got != c->expect)
            fail_msg("'%s' vs '%s': got %d, expected %d", c->a, c->b, got, c->expect);
        /* The order is antisymmetric. */
        enum fw_cmp mirror = c->expect == FW_INCOMPARABLE ? FW_INCOMPARABLE : -c->expect;
        if (back != mirror)
            fail_msg("'%s' vs '%s' reversed: got %d, expected %d", c->b, c->a, back, mirror);
    }
}

struct build_case {
    const char *text;
    uint32_t date;
    int has_build;
    uint64_t build;
};

static const struct build_case build_cases[] = {
    {"V5.5.0 build 170725", 20170725, 1, 170725},
    {"V5.5.6build 180326", 20180326, 1, 180326},
    {"2.800.0000016.0.R,build:2020-06-05", 20200605, 0, 0},
    {"2.811.0000013.0.R, Build Date 2023-12-20", 20231220, 0, 0},
    {"V5.4.0 build 161131", 0, 1, 161131}, /* not a date: kept as a number */
    {"V2.0 20210315", 0, 0, 0},
    {"V2.0, 2021-03-15", 20210315, 0, 0},
    {"2.800.0000000.16.R", 0, 0, 0},
    {"V5.7.13_230822", 20230822, 1, 230822},
    {"1_230822", 0, 0, 0},   /* one part before it: a plain part */
    {"1.2_991399", 0, 0, 0}, /* not a date: a plain part */
};

static void test_build_numbers_and_dates(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof build_cases / sizeof build_cases[0]; i++) {
        const struct build_case *c = &build_cases[i];
        struct fw_version v;
        assert_int_equal(fw_version_parse(c->text, strlen(c->text), &v), 0);
        if (v.build_date != c->date || v.has_build != (c->has_build != 0) || v.build != c->build)
            fail_msg("'%s': date %u build %d/%llu", c->text, v.build_date, v.has_build,
                     (unsigned long long)v.build);
    }
}

static void test_parts_of_xiongmai_version(void **state)
{
    (void)state;
    struct fw_version v;
    const char *t = "V4.03.R11.0000020X.11201";
    assert_int_equal(fw_version_parse(t, strlen(t), &v), 0);
    assert_int_equal(v.part_count, 5);
    assert_int_equal(v.parts[1].number, 3);
    assert_string_equal(v.parts[2].prefix, "r");
    assert_int_equal(v.parts[2].number, 11);
    assert_int_equal(v.parts[3].number, 20);
    assert_string_equal(v.parts[3].suffix, "x");
}

static void test_rejects_non_versions(void **state)
{
    (void)state;
    char long_text[FW_VERSION_MAX_TEXT + 2];
    memset(long_text, '1', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    const char *bad[] = {"",
                         "   ",
                         "build 170725",
                         "abc",
                         "V",
                         "5..1",
                         "1.2.3.4.5.6.7.8.9.10.11.12.13",
                         "1.1234567890123456789",
                         "\x01\x02",
                         "R.R.R",
                         "5.5abcdefghijk",
                         long_text};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct fw_version v;
        if (fw_version_parse(bad[i], strlen(bad[i]), &v) != -1)
            fail_msg("accepted '%s'", bad[i]);
    }
    struct fw_version v;
    assert_int_equal(fw_version_parse("1.0\0x", 5, &v), -1); /* embedded NUL */
    assert_int_equal(fw_version_parse(NULL, 3, &v), -1);
}

static void test_date_parse(void **state)
{
    (void)state;
    uint32_t d = 0;
    assert_true(fw_date_parse("2021-06-01", &d));
    assert_int_equal(d, 20210601);
    assert_false(fw_date_parse("2021-13-01", &d));
    assert_false(fw_date_parse("2021-6-1", &d));
    assert_false(fw_date_parse("22/12/2023", &d));
    assert_false(fw_date_parse("2021-06-011", &d));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare_vendor_formats),
        cmocka_unit_test(test_build_numbers_and_dates),
        cmocka_unit_test(test_parts_of_xiongmai_version),
        cmocka_unit_test(test_rejects_non_versions),
        cmocka_unit_test(test_date_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
