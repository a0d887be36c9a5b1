/* test_targets.c — target parsing, exclusion, counting and random walking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t count_of(const char *const *specs, const char *const *excludes)
{
    struct target_set *set = target_set_new();
    char err[512];
    for (; specs && *specs; specs++)
        assert_int_equal(target_set_add(set, *specs, err, sizeof err), 0);
    for (; excludes && *excludes; excludes++)
        assert_int_equal(target_set_exclude(set, *excludes, err, sizeof err), 0);
    uint64_t n = target_set_count(set);
    target_set_free(set);
    return n;
}

static void test_forms_are_counted(void **state)
{
    (void)state;
    assert_int_equal(count_of((const char *[]){"192.0.2.1", NULL}, NULL), 1);
    assert_int_equal(count_of((const char *[]){"192.0.2.0/24", NULL}, NULL), 256);
    assert_int_equal(count_of((const char *[]){"192.0.2.10-192.0.2.19", NULL}, NULL), 10);
    assert_int_equal(count_of((const char *[]){"192.0.2.10-19", NULL}, NULL), 10);
    assert_int_equal(count_of((const char *[]){"2001:db8::/120", NULL}, NULL), 256);
    assert_int_equal(count_of((const char *[]){"::1", NULL}, NULL), 1);
    assert_int_equal(count_of((const char *[]){"10.0.0.0/8", NULL}, NULL), 16777216);
    assert_int_equal(count_of((const char *[]){"0.0.0.0/0", NULL}, NULL), 4294967296ULL);
    assert_int_equal(count_of((const char *[]){"localhost", NULL}, NULL), 1);
}

static void test_overlaps_merge_and_exclusions_subtract(void **state)
{
    (void)state;
    assert_int_equal(count_of((const char *[]){"192.0.2.0/24", "192.0.2.128/25", NULL}, NULL), 256);
    assert_int_equal(count_of((const char *[]){"192.0.2.0/24", NULL},
                              (const char *[]){"192.0.2.0/26", "192.0.2.255", NULL}),
                     256 - 64 - 1);
    assert_int_equal(
        count_of((const char *[]){"192.0.2.0/24", NULL}, (const char *[]){"192.0.0.0/16", NULL}),
        0);
    /* An exclusion in the middle splits a block in two. */
    assert_int_equal(count_of((const char *[]){"198.51.100.0/24", NULL},
                              (const char *[]){"198.51.100.100-198.51.100.109", NULL}),
                     246);
}

static uint64_t between(struct target_set *set, const char *first, const char *last)
{
    struct target_addr a, b;
    assert_true(target_addr_parse(first, &a));
    assert_true(target_addr_parse(last, &b));
    return target_set_count_between(set, &a, &b);
}

static bool excluded(struct target_set *set, const char *ip)
{
    struct target_addr a;
    assert_true(target_addr_parse(ip, &a));
    return target_set_is_excluded(set, &a);
}

/* What scan --discover asks: does a subnet overlap the targets, is one
 * address a target, is it excluded. */
static void test_count_between_and_exclusion(void **state)
{
    (void)state;
    struct target_set *set = target_set_new();
    char err[512];
    assert_int_equal(target_set_add(set, "10.66.0.0/24", err, sizeof err), 0);
    assert_int_equal(target_set_add(set, "10.99.0.0/28", err, sizeof err), 0);
    assert_int_equal(target_set_exclude(set, "10.66.0.99", err, sizeof err), 0);
    assert_int_equal(target_set_exclude(set, "192.0.0.64", err, sizeof err), 0);
    assert_int_equal(between(set, "10.66.0.0", "10.66.0.255"), 255);
    assert_int_equal(between(set, "10.66.0.128", "10.99.0.3"), 128 + 4);
    assert_int_equal(between(set, "10.77.0.0", "10.77.0.255"), 0);
    assert_int_equal(between(set, "10.66.0.5", "10.66.0.5"), 1);
    assert_int_equal(between(set, "10.66.0.99", "10.66.0.99"), 0);
    assert_int_equal(between(set, "10.66.0.0", "2001:db8::1"), 0); /* families differ */
    assert_true(excluded(set, "10.66.0.99"));
    assert_true(excluded(set, "192.0.0.64")); /* excluded though never a target */
    assert_false(excluded(set, "10.66.0.5"));
    assert_false(excluded(set, "192.0.0.65"));
    assert_int_equal(between(set, "0.0.0.0", "255.255.255.255"), 255 + 16);
    target_set_free(set);
}

static void expect_error(const char *spec, const char *fragment)
{
    struct target_set *set = target_set_new();
    char err[512] = "";
    assert_int_equal(target_set_add(set, spec, err, sizeof err), -1);
    if (!strstr(err, fragment))
        fail_msg("error for '%s' was '%s', expected to contain '%s'", spec, err, fragment);
    assert_non_null(strstr(err, spec));
    target_set_free(set);
}

static void test_bad_input_is_named(void **state)
{
    (void)state;
    expect_error("10.0.0.0/33", "prefix length");
    expect_error("300.1.1.1", "not an IP address");
    expect_error("1.2.3", "not an IP address");
    expect_error("10.0.0.9-10.0.0.1", "ends before");
    expect_error("10.0.0.1-::1", "mixes");
    expect_error("bad host!", "not an address");
    expect_error("2001:db8::/129", "prefix length");
    expect_error("10.0.0.0/", "prefix length");
}

static void test_file_errors_name_the_file(void **state)
{
    (void)state;
    struct target_set *set = target_set_new();
    char err[512];
    assert_int_equal(target_set_add_file(set, "/nonexistent/targets.txt", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/targets.txt"));
    char path[] = "/tmp/camaudit-targets-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "# scope\n192.0.2.0/30, 192.0.2.9\n\n198.51.100.1 300.0.0.1\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    assert_int_equal(target_set_add_file(set, path, err, sizeof err), -1);
    assert_non_null(strstr(err, ":4:"));
    assert_non_null(strstr(err, "300.0.0.1"));
    unlink(path);
    /* A line too long to read whole is refused, never split into pieces (a
     * comment's tail would become targets). */
    strcpy(path, "/tmp/camaudit-targets-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    char longline[5000];
    memset(longline, 'x', sizeof longline);
    memcpy(longline, "# ", 2);
    memcpy(longline + sizeof longline - 14, " 198.51.100.7\n", 14);
    assert_int_equal(write(fd, longline, sizeof longline), (ssize_t)sizeof longline);
    close(fd);
    struct target_set *fresh = target_set_new();
    assert_int_equal(target_set_add_file(fresh, path, err, sizeof err), -1);
    assert_non_null(strstr(err, ":1: line longer than"));
    target_set_free(fresh);
    unlink(path);
    target_set_free(set);
}

static void test_walk_visits_each_address_once_in_seeded_order(void **state)
{
    (void)state;
    struct target_set *set = target_set_new();
    char err[512];
    assert_int_equal(target_set_add(set, "192.0.2.0/24", err, sizeof err), 0);
    assert_int_equal(target_set_add(set, "198.51.100.7-198.51.100.9", err, sizeof err), 0);
    assert_int_equal(target_set_exclude(set, "192.0.2.5", err, sizeof err), 0);
    uint64_t n = target_set_count(set);
    assert_int_equal(n, 258);

    unsigned char seen[259] = {0};
    uint32_t first_order[258];
    struct target_iter *it = target_iter_new(set, 42, 0, 1);
    struct target_addr a;
    size_t visited = 0, in_sequence = 0;
    uint32_t prev = 0;
    while (target_iter_next(it, &a)) {
        assert_int_equal(a.family, AF_INET);
        uint32_t v = (uint32_t)a.bytes[0] << 24 | a.bytes[1] << 16 | a.bytes[2] << 8 | a.bytes[3];
        assert_int_not_equal(v, 0xC0000205); /* excluded */
        size_t slot = a.bytes[0] == 192 ? a.bytes[3] : 256 + (a.bytes[3] - 7);
        assert_true(slot < 259);
        assert_int_equal(seen[slot], 0);
        seen[slot] = 1;
        if (visited && v == prev + 1)
            in_sequence++;
        prev = v;
        first_order[visited++] = v;
    }
    target_iter_free(it);
    assert_int_equal(visited, 258);
    assert_true(in_sequence < 50); /* randomised, not sequential */

    /* Same seed, same order; other seed, other order. */
    it = target_iter_new(set, 42, 0, 1);
    for (size_t i = 0; i < 258; i++) {
        assert_true(target_iter_next(it, &a));
        uint32_t v = (uint32_t)a.bytes[0] << 24 | a.bytes[1] << 16 | a.bytes[2] << 8 | a.bytes[3];
        assert_int_equal(v, first_order[i]);
    }
    target_iter_free(it);
    it = target_iter_new(set, 43, 0, 1);
    size_t same = 0;
    for (size_t i = 0; i < 258 && target_iter_next(it, &a); i++) {
        uint32_t v = (uint32_t)a.bytes[0] << 24 | a.bytes[1] << 16 | a.bytes[2] << 8 | a.bytes[3];
        same += v == first_order[i];
    }
    target_iter_free(it);
    assert_true(same < 20);
    target_set_free(set);
}

static void test_shards_partition_the_walk(void **state)
{
    (void)state;
    struct target_set *set = target_set_new();
    char err[512];
    assert_int_equal(target_set_add(set, "2001:db8::/122", err, sizeof err), 0);
    unsigned char seen[64] = {0};
    size_t total = 0;
    for (uint32_t shard = 0; shard < 3; shard++) {
        struct target_iter *it = target_iter_new(set, 7, shard, 3);
        struct target_addr a;
        while (target_iter_next(it, &a)) {
            assert_int_equal(a.family, AF_INET6);
            assert_int_equal(seen[a.bytes[15] & 63], 0);
            seen[a.bytes[15] & 63] = 1;
            total++;
        }
        target_iter_free(it);
    }
    assert_int_equal(total, 64);
    target_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms_are_counted),
        cmocka_unit_test(test_overlaps_merge_and_exclusions_subtract),
        cmocka_unit_test(test_count_between_and_exclusion),
        cmocka_unit_test(test_bad_input_is_named),
        cmocka_unit_test(test_file_errors_name_the_file),
        cmocka_unit_test(test_walk_visits_each_address_once_in_seeded_order),
        cmocka_unit_test(test_shards_partition_the_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
