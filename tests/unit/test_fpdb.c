/* test_fpdb.c — the Recog XML loader and matcher: Ruby regex semantics,
 * flags, params (fixed, captured, interpolated), first match wins, base64
 * examples, verification counts, the prefilter, and clear load errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "identify/fpdb.h"

#include <stdlib.h>
#include <string.h>

static struct fp_set *load(const char *xml)
{
    struct fp_set *set = fp_set_new();
    char err[256];
    assert_int_equal(fp_set_load_buffer(set, "test.xml", xml, strlen(xml), false, err, sizeof err),
                     0);
    fp_set_finalize(set);
    return set;
}

struct seen {
    const struct fingerprint *fp;
    char values[8][2][64];
    size_t count;
};

static bool remember(void *ctx, const struct fp_database *db, const struct fingerprint *fp,
                     const struct fp_value *values, size_t count)
{
    struct seen *s = ctx;
    s->fp = fp;
    s->count = count < 8 ? count : 8;
    for (size_t i = 0; i < s->count; i++) {
        snprintf(s->values[i][0], 64, "%s", values[i].name);
        snprintf(s->values[i][1], 64, "%.*s", (int)values[i].len, values[i].value);
    }
    return true;
}

static const char *param(const struct seen *s, const char *name)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->values[i][0], name) == 0)
            return s->values[i][1];
    return NULL;
}

static bool match(struct fp_set *set, const char *value, struct seen *s)
{
    memset(s, 0, sizeof *s);
    struct fp_matcher *m = fp_matcher_acquire(set);
    size_t n = fp_database_match(fp_set_database(set, 0), m, value, strlen(value), remember, s);
    fp_matcher_release(set, m);
    return n > 0;
}

static const char *const servers_xml =
    "<fingerprints matches=\"http_header.server\">"
    "<fingerprint pattern=\"^Hik(\\h+)$\"><description>hex</description>"
    "<example hw.version=\"beef\">Hikbeef</example>"
    "<param pos=\"0\" name=\"hw.vendor\" value=\"Hikvision\"/>"
    "<param pos=\"1\" name=\"hw.version\"/>"
    "<param pos=\"0\" name=\"os.cpe23\" value=\"cpe:/o:hik:fw:{hw.version}\"/></fingerprint>"
    "<fingerprint pattern=\"^webs$\" flags=\"REG_ICASE\"><description>first</description>"
    "<example>WEBS</example><param pos=\"0\" name=\"n\" value=\"1\"/></fingerprint>"
    "<fingerprint pattern=\"^webs\"><description>second</description>"
    "<example>webs2</example><param pos=\"0\" name=\"n\" value=\"2\"/></fingerprint>"
    "<fingerprint pattern=\"a.b\" flags=\"REG_DOT_NEWLINE\"><description>dot</description>"
    "<example _encoding=\"base64\">YQpi</example></fingerprint>"
    "<fingerprint pattern=\"(?m:x.y)\"><description>ruby m</description>"
    "<example>x&#10;y</example></fingerprint>"
    "<fingerprint pattern=\"^line2$\"><description>anchors per line</description>"
    "<example>line1&#10;line2&#10;line3</example></fingerprint>"
    "</fingerprints>";

static void test_ruby_semantics_and_params(void **state)
{
    struct fp_set *set = load(servers_xml);
    struct seen s;
    assert_true(match(set, "Hikbeef", &s));
    assert_string_equal(param(&s, "hw.vendor"), "Hikvision");
    assert_string_equal(param(&s, "hw.version"), "beef");
    assert_string_equal(param(&s, "os.cpe23"), "cpe:/o:hik:fw:beef");
    assert_false(match(set, "Hikzz", &s)); /* \h is a hex digit, not a blank */
    assert_true(match(set, "x\ny", &s));   /* (?m) is Ruby's dot-all */
    assert_string_equal(s.fp->description, "ruby m");
    assert_true(match(set, "a\nb", &s));
    assert_true(match(set, "zzz\nline2\nzzz", &s));
    fp_set_free(set);
}

static void test_first_match_wins(void **state)
{
    struct fp_set *set = load(servers_xml);
    struct seen s;
    assert_true(match(set, "WEBS", &s));
    assert_string_equal(param(&s, "n"), "1");
    assert_true(match(set, "webs", &s)); /* both match: file order decides */
    assert_string_equal(param(&s, "n"), "1");
    assert_true(match(set, "websX", &s));
    assert_string_equal(param(&s, "n"), "2");
    fp_set_free(set);
}

static void test_verify_counts_examples(void **state)
{
    const char *xml = "<fingerprints matches=\"t\">"
                      "<fingerprint pattern=\"^ok (\\d+)$\"><description>d</description>"
                      "<example v=\"1\">ok 1</example>"
                      "<example v=\"2\">ok 3</example>" /* wrong param */
                      "<example>nope</example>"         /* no match */
                      "<param pos=\"1\" name=\"v\"/></fingerprint>"
                      "<fingerprint pattern=\"(unclosed\"><example>x</example></fingerprint>"
                      "</fingerprints>";
    struct fp_set *set = load(xml);
    assert_int_equal(fp_set_errors(set), 1);
    struct fp_verify_counts c;
    fp_set_verify(set, NULL, &c);
    assert_int_equal(c.fingerprints, 2);
    assert_int_equal(c.examples, 4);
    assert_int_equal(c.passed, 1);
    assert_int_equal(c.failed, 3);
    assert_int_equal(c.bad_patterns, 1);
    fp_set_free(set);
}

static void test_verify_passes_the_test_database(void **state)
{
    struct fp_set *set = fp_set_new();
    char err[256];
    assert_int_equal(fp_set_load_dir(set, CAMAUDIT_SOURCE_DIR "/tests/data/identify/fingerprints",
                                     false, err, sizeof err),
                     0);
    fp_set_finalize(set);
    struct fp_verify_counts c;
    fp_set_verify(set, stderr, &c);
    assert_true(c.examples >= 6);
    assert_int_equal(c.failed, 0);
    fp_set_free(set);
}

static void test_prefilter_keeps_what_pcre_matches(void **state)
{
    /* literals after optional parts, alternatives, escapes and classes */
    const char *xml = "<fingerprints matches=\"t\">"
                      "<fingerprint pattern=\"^(?:Hikvision|DNVRS)-Webs$\"/>"
                      "<fingerprint pattern=\"foo(?:bar)?baz\"/>"
                      "<fingerprint pattern=\"abc?def\"/>"
                      "<fingerprint pattern=\"one|two|three\"/>"
                      "<fingerprint pattern=\"x{0,3}yyy\\.zzz\"/>"
                      "<fingerprint pattern=\"[abc]+qqq[^x]\"/>"
                      /* extended mode set with other flags: the space is not text */
                      "<fingerprint pattern=\"(?ix)hik vision\"/>"
                      /* a verb is not a capturing group */
                      "<fingerprint pattern=\"(*UCP)mno\"/>"
                      "</fingerprints>";
    struct fp_set *set = load(xml);
    const char *values[] = {"DNVRS-Webs", "foobaz",    "foobarbaz", "abdef",     "abcdef", "two",
                            "yyy.zzz",    "xxyyy.zzz", "aqqqz",     "HIKVISION", "mno"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        struct seen s;
        assert_true(match(set, values[i], &s));
    }
    struct seen s;
    assert_false(match(set, "nothing here", &s));
    fp_set_free(set);
}

static void test_translate_ruby_regex(void **state)
{
    char *t = fp_translate_ruby_regex("a\\hb[\\h]c(?mi:d)\\u0041");
    assert_string_equal(t, "a[0-9a-fA-F]b[0-9a-fA-F]c(?si:d)\\x{0041}");
    free(t);
}

static void test_bad_xml_is_an_error_with_place(void **state)
{
    struct fp_set *set = fp_set_new();
    char err[256];
    const char *xml = "<fingerprints>\n<fingerprint pattern=\"x\">\n</fingerprints>";
    assert_int_equal(fp_set_load_buffer(set, "bad.xml", xml, strlen(xml), false, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "bad.xml:3"));
    assert_int_equal(fp_set_database_count(set), 0);
    assert_int_equal(fp_set_load_file(set, "/nonexistent.xml", false, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot read '/nonexistent.xml'"));
    fp_set_free(set);
}

static void test_matches_name_defaults_to_file_name(void **state)
{
    struct fp_set *set = fp_set_new();
    char err[256];
    const char *xml = "<fingerprints protocol=\"telnet\"/>";
    assert_int_equal(
        fp_set_load_buffer(set, "dir/telnet_banners.xml", xml, strlen(xml), false, err, sizeof err),
        0);
    assert_string_equal(fp_set_database(set, 0)->matches, "telnet_banners");
    fp_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ruby_semantics_and_params),
        cmocka_unit_test(test_first_match_wins),
        cmocka_unit_test(test_verify_counts_examples),
        cmocka_unit_test(test_verify_passes_the_test_database),
        cmocka_unit_test(test_prefilter_keeps_what_pcre_matches),
        cmocka_unit_test(test_translate_ruby_regex),
        cmocka_unit_test(test_bad_xml_is_an_error_with_place),
        cmocka_unit_test(test_matches_name_defaults_to_file_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
