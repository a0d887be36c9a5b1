/* test_lab.c — camlab's data side: persona loading and its error messages
 * (file and field named), the shipped persona set, --mix parsing, the
 * deterministic fleet draw, answer templates, and the request parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../lab/fleet.h"
#include "../../lab/lab_request.h"
#include "../../lab/persona.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GOOD_PERSONA                                                                               \
    "{\"name\": \"t\", \"manufacturer\": \"M\", \"brand\": \"B\", \"model\": \"X-1\", "            \
    "\"firmware\": \"1.0\", \"device_type\": \"ip_camera\", \"serial\": \"SN{{id_dec}}\", "        \
    "\"mac_oui\": \"44:47:CC\", \"restricted_expected\": true, \"tags\": [\"cam\"], "              \
    "\"sources\": [{\"fact\": \"f\", \"source\": \"s\"}], "                                        \
    "\"services\": [%s]}"

static char dir[] = "/tmp/camlab-test-XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    return rc;
}

static char *write_file(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads text as a persona; returns rc, message in err. */
static int load_text(const char *text, char *err, size_t err_size)
{
    char *path = write_file("p.json", text);
    struct persona p;
    int rc = persona_load_file(path, dir, &p, err, err_size);
    persona_clear(&p);
    free(path);
    return rc;
}

static void expect_error(const char *services, const char *needle)
{
    char *text = xasprintf(GOOD_PERSONA, services);
    char err[1024] = "";
    assert_int_equal(load_text(text, err, sizeof err), -1);
    if (!strstr(err, needle) || !strstr(err, "p.json: "))
        fail_msg("error '%s' lacks '%s' or the file name", err, needle);
    free(text);
}

static void test_good_persona_loads(void **state)
{
    (void)state;
    char *text = xasprintf(GOOD_PERSONA,
                           "{\"port\": 80, \"protocol\": \"http\", \"routes\": [{\"path\": \"/\", "
                           "\"headers\": [\"Server: x\"], \"body_hex\": \"00 01 ff\"}]},"
                           "{\"port\": 8000, \"protocol\": \"banner\", \"banner_hex\": \"0a0b\"}");
    char *path = write_file("p.json", text);
    struct persona p;
    char err[1024];
    assert_int_equal(persona_load_file(path, dir, &p, err, sizeof err), 0);
    assert_string_equal(p.model, "X-1");
    assert_int_equal(p.n_services, 2);
    assert_int_equal(p.services[0].routes[0].response.body_len, 3);
    assert_int_equal(p.services[0].routes[0].response.body[2], 0xff);
    assert_int_equal(p.services[0].fallback.status, 404);
    assert_int_equal(p.services[1].banner_len, 2);
    assert_true(p.restricted_expected);
    assert_int_equal(p.oui[0], 0x44);
    persona_clear(&p);
    free(path);
    free(text);
}

static void test_errors_name_file_and_field(void **state)
{
    (void)state;
    expect_error("", "services: expected a non-empty array");
    expect_error("{\"port\": 0, \"protocol\": \"http\"}", "services[0].port: expected an integer");
    expect_error("{\"port\": 80, \"protocol\": \"gopher\"}",
                 "services[0].protocol: expected one of");
    expect_error("{\"port\": 80, \"protocol\": \"http\", \"behavior\": \"tarpit\"}",
                 "services[0].behavior: unknown field");
    expect_error("{\"port\": 80, \"protocol\": \"http\", \"behaviour\": \"nap\"}",
                 "services[0].behaviour: expected one of");
    expect_error("{\"port\": 80, \"protocol\": \"http\"}, {\"port\": 80, \"protocol\": \"rtsp\"}",
                 "services[1]: port 80 is already used by services[0]");
    expect_error(
        "{\"port\": 80, \"protocol\": \"http\", \"routes\": [{\"headers\": [\"A: b\\r\\nC: d\"]}]}",
        "services[0].routes[0].headers[0]: expected");
    expect_error("{\"port\": 80, \"protocol\": \"http\", \"routes\": [{\"status\": 1000}]}",
                 "services[0].routes[0].status: expected an integer 100..999");
    expect_error("{\"port\": 80, \"protocol\": \"http\", \"routes\": [{\"body\": \"a\", "
                 "\"body_hex\": \"00\"}]}",
                 "give only one of body");
    expect_error(
        "{\"port\": 80, \"protocol\": \"http\", \"routes\": [{\"body_file\": \"../etc/passwd\"}]}",
        "must be a relative path inside the persona folder");
    expect_error(
        "{\"port\": 80, \"protocol\": \"http\", \"routes\": [{\"body_file\": \"missing.html\"}]}",
        "services[0].routes[0].body_file: cannot read");
    expect_error("{\"port\": 80, \"protocol\": \"http\", \"routes\": [{\"body_base64\": \"!!\"}]}",
                 "not valid base64");
    expect_error("{\"port\": 34567, \"protocol\": \"dvrip\"}", "services[0].messages: expected");
    expect_error("{\"port\": 34567, \"protocol\": \"dvrip\", \"messages\": [{\"request\": 1000, "
                 "\"reply\": 1001, \"body\": 3}]}",
                 "services[0].messages[0].body: expected a JSON object");
    expect_error(
        "{\"port\": 554, \"protocol\": \"rtsp\", \"tls\": {\"subject\": [[\"CN\", \"x\"]]}}",
        "services[0].tls: only http services can use TLS");
    expect_error("{\"port\": 443, \"protocol\": \"http\", \"tls\": {\"subject\": \"CN=x\"}}",
                 "services[0].tls.subject: expected an array");
    expect_error("{\"port\": 8000, \"protocol\": \"banner\", \"banner_hex\": \"0g\"}",
                 "services[0].banner_hex: not valid hex");
}

static void test_top_level_errors(void **state)
{
    (void)state;
    char err[1024];
    assert_int_equal(load_text("{\"name\": ", err, sizeof err), -1);
    assert_non_null(strstr(err, "p.json: line 1"));
    assert_int_equal(load_text("[1]", err, sizeof err), -1);
    assert_non_null(strstr(err, "(top level): expected a JSON object"));
    char *text = xasprintf(GOOD_PERSONA, "{\"port\": 80, \"protocol\": \"http\"}");
    char *bad = xstrdup(text);
    char *at = strstr(bad, "44:47:CC");
    memcpy(at, "44:47:ZZ", 8);
    assert_int_equal(load_text(bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "mac_oui: expected three hex bytes"));
    at = strstr(text, "\"model\"");
    memcpy(at, "\"modle\"", 7);
    assert_int_equal(load_text(text, err, sizeof err), -1);
    assert_non_null(strstr(err, "modle: unknown field"));
    free(text);
    free(bad);
}

static void test_shipped_personas_load(void **state)
{
    (void)state;
    char err[1024] = "";
    struct persona_set *set = persona_set_load("lab/personas", err, sizeof err);
    if (!set)
        fail_msg("%s", err);
    assert_true(set->count >= 23);
    const char *required[] = {"hikvision-ipc",
                              "hikvision-nvr",
                              "annke-ipc",
                              "ezviz-doorbell",
                              "dahua-ipc",
                              "dahua-nvr",
                              "amcrest-ipc",
                              "uniview-ipc",
                              "xiongmai-dvr",
                              "axis-ipc",
                              "hanwha-ipc",
                              "bosch-ipc",
                              "ipro-ipc",
                              "ubiquiti-ipc",
                              "nginx-server",
                              "tenda-router",
                              "hostile-tarpit",
                              "hostile-drip",
                              "hostile-endless-headers",
                              "hostile-huge-body",
                              "hostile-tls-garbage",
                              "hostile-bad-xml",
                              NULL};
    for (const char **r = required; *r; r++)
        if (!persona_set_find(set, *r))
            fail_msg("persona %s missing", *r);
    assert_true(persona_set_find(set, "hostile-tarpit")->hostile);
    /* two makers share a generic Server string */
    assert_true(persona_has_tag(persona_set_find(set, "tenda-router"), "goahead"));
    assert_true(persona_has_tag(persona_set_find(set, "tplink-ipc"), "goahead"));
    assert_string_not_equal(persona_set_find(set, "tenda-router")->manufacturer,
                            persona_set_find(set, "tplink-ipc")->manufacturer);
    persona_set_free(set);
}

static void test_mix_and_draw(void **state)
{
    (void)state;
    char err[1024];
    struct persona_set *set = persona_set_load("lab/personas", err, sizeof err);
    assert_non_null(set);
    struct fleet_mix mix;
    assert_int_equal(fleet_mix_parse(set, "nope=3", &mix, err, sizeof err), -1);
    assert_non_null(strstr(err, "'nope' is neither a persona nor a tag"));
    fleet_mix_free(&mix);
    assert_int_equal(fleet_mix_parse(set, "hikvision-ipc=x", &mix, err, sizeof err), -1);
    assert_non_null(strstr(err, "invalid --mix entry"));
    fleet_mix_free(&mix);
    assert_int_equal(fleet_mix_parse(set, "dahua=0", &mix, err, sizeof err), -1);
    fleet_mix_free(&mix);
    /* only the tag "dahua": every pick carries it, and picks repeat per seed */
    assert_int_equal(fleet_mix_parse(set, "dahua=5,hostile-tarpit=0", &mix, err, sizeof err), 0);
    struct target_addr a;
    int empty = 0;
    for (int i = 0; i < 400; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "127.20.%d.%d", i / 256, i % 256);
        assert_true(target_addr_parse(ip, &a));
        const struct persona *p = fleet_pick(set, &mix, 7, 1.0, &a);
        assert_non_null(p);
        assert_true(persona_has_tag(p, "dahua"));
        assert_ptr_equal(p, fleet_pick(set, &mix, 7, 1.0, &a));
        const struct persona *sparse = fleet_pick(set, &mix, 7, 0.5, &a);
        if (!sparse)
            empty++;
        else
            assert_ptr_equal(sparse, p);
    }
    assert_in_range(empty, 120, 280);
    fleet_mix_free(&mix);
    /* default mix: hostile personas never drawn */
    assert_int_equal(fleet_mix_parse(set, NULL, &mix, err, sizeof err), 0);
    for (int i = 0; i < 256; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "127.21.0.%d", i);
        assert_true(target_addr_parse(ip, &a));
        assert_false(fleet_pick(set, &mix, 1, 1.0, &a)->hostile);
    }
    fleet_mix_free(&mix);
    persona_set_free(set);
}

static void test_render(void **state)
{
    (void)state;
    char err[1024];
    struct persona_set *set = persona_set_load("lab/personas", err, sizeof err);
    assert_non_null(set);
    struct target_addr a;
    assert_true(target_addr_parse("127.20.1.2", &a));
    struct lab_device dev;
    lab_device_init(&dev, persona_set_find(set, "hikvision-ipc"), 7, &a);
    assert_memory_equal(dev.mac, "\x44\x47\xcc", 3);
    assert_int_equal(strncmp(dev.serial, "DS-2CD2386G2-IU20240826AAWRJ", 28), 0);
    const char *t = "{{ip}}:{{port}} {{mac}} {{model}} {{unknown}} {{ {{";
    size_t len;
    char *out = lab_render(&dev, 554, t, strlen(t), &len);
    char want[256];
    snprintf(want, sizeof want,
             "127.20.1.2:554 %02x:%02x:%02x:%02x:%02x:%02x DS-2CD2386G2-IU {{unknown}} {{ {{",
             dev.mac[0], dev.mac[1], dev.mac[2], dev.mac[3], dev.mac[4], dev.mac[5]);
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    free(out);
    lab_device_clear(&dev);
    /* a device given its interface's MAC: the serial template follows it */
    lab_device_init(&dev, persona_set_find(set, "tplink-ipc"), 7, &a);
    lab_device_set_mac(&dev, (const uint8_t *)"\x54\xa7\x03\x0a\x0b\x0c");
    assert_string_equal(dev.serial, "54A7030A0B0C");
    lab_device_clear(&dev);
    persona_set_free(set);
}

static void test_request_parser(void **state)
{
    (void)state;
    struct lab_request r;
    const char *rtsp = "DESCRIBE rtsp://127.0.0.1:554/cam?x=1 RTSP/1.0\r\nCSeq: 12\r\n\r\n";
    assert_int_equal(lab_request_parse(rtsp, strlen(rtsp), 4096, &r), LAB_PARSE_OK);
    assert_string_equal(r.method, "DESCRIBE");
    assert_string_equal(r.path, "/cam?x=1");
    assert_int_equal(r.cseq, 12);
    assert_int_equal(r.head_len, strlen(rtsp));
    const char *post =
        "POST /onvif HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
    assert_int_equal(lab_request_parse(post, strlen(post), 4096, &r), LAB_PARSE_OK);
    assert_int_equal(r.content_length, 5);
    assert_true(r.close);
    const char *partial = "GET / HTTP/1.1\r\nHost: x\r\n";
    assert_int_equal(lab_request_parse(partial, strlen(partial), 4096, &r), LAB_PARSE_NEED_MORE);
    assert_int_equal(lab_request_parse(partial, strlen(partial), 10, &r), LAB_PARSE_BAD);
    const char *big = "GET / HTTP/1.1\r\nContent-Length: 9999999\r\n\r\n";
    assert_int_equal(lab_request_parse(big, strlen(big), 4096, &r), LAB_PARSE_BAD);
    const char *junk = "\x16\x03\x01 / HTTP/1.1\r\n\r\n";
    assert_int_equal(lab_request_parse(junk, strlen(junk), 4096, &r), LAB_PARSE_BAD);
    const uint8_t bad_magic[20] = {0xfe};
    struct dvrip_header h;
    assert_int_equal(dvrip_header_parse(bad_magic, 20, 100, &h), LAB_PARSE_BAD);
    uint8_t head[DVRIP_HEADER_LEN];
    struct dvrip_header w = {1, 7, 2, 1021, 90};
    dvrip_header_write(&w, head);
    assert_int_equal(dvrip_header_parse(head, 19, 100, &h), LAB_PARSE_NEED_MORE);
    assert_int_equal(dvrip_header_parse(head, 20, 100, &h), LAB_PARSE_OK);
    assert_int_equal(h.message_id, 1021);
    assert_int_equal(dvrip_header_parse(head, 20, 89, &h), LAB_PARSE_BAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_persona_loads),
        cmocka_unit_test(test_errors_name_file_and_field),
        cmocka_unit_test(test_top_level_errors),
        cmocka_unit_test(test_shipped_personas_load),
        cmocka_unit_test(test_mix_and_draw),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_request_parser),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
