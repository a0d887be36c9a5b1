/* test_probes.c — probe modules without sockets: the requests they build,
 * what they emit from real device answers (research samples), how they
 * treat hostile answers, favicon hashes against published vectors, the
 * port map file, and the rate limiter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/ratelimit.h"
#include "probes/favicon_hash.h"
#include "probes/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
    struct obs_list obs;
    struct probe_session s;
};

static void session_start(struct fixture *f, const struct probe_module *m, uint16_t port)
{
    memset(f, 0, sizeof *f);
    f->s.module = m;
    f->s.ip = "127.30.0.9";
    f->s.port = port;
    f->s.out = &f->obs;
}

static char *request_of(struct fixture *f, size_t *len)
{
    char *req = NULL;
    f->s.module->build_request(&f->s, &req, len);
    return req;
}

static void answer(struct fixture *f, const char *text)
{
    f->s.module->parse_response(&f->s, (const uint8_t *)text, strlen(text));
}

/* The value of the only observation with that signal, or NULL. */
static const char *signal_value(const struct fixture *f, const char *signal)
{
    const char *found = NULL;
    for (size_t i = 0; i < f->obs.count; i++)
        if (strcmp(f->obs.items[i].signal, signal) == 0) {
            assert_null(found);
            found = f->obs.items[i].value;
        }
    return found;
}

static void test_http_walks_device_paths(void **state)
{
    (void)state;
    struct fixture f;
    session_start(&f, &probe_http, 8080);
    const char *expect[] = {"GET / HTTP/1.1", "GET /ISAPI/System/deviceInfo HTTP/1.1",
                            "GET /cgi-bin/magicBox.cgi?action=getSystemInfo HTTP/1.1",
                            "POST /onvif/device_service HTTP/1.1", "GET /favicon.ico HTTP/1.1"};
    for (size_t i = 0; i < 5; i++) {
        assert_false(f.s.done);
        size_t len;
        char *req = request_of(&f, &len);
        assert_non_null(strstr(req, expect[i]));
        assert_non_null(strstr(req, "Host: 127.30.0.9:8080\r\n"));
        if (i == 3) {
            assert_non_null(strstr(req, "GetDeviceInformation"));
            const char *body = strstr(req, "\r\n\r\n") + 4;
            char cl[64];
            snprintf(cl, sizeof cl, "Content-Length: %zu\r\n", strlen(body));
            assert_non_null(strstr(req, cl));
        }
        free(req);
        answer(&f, "HTTP/1.1 404 Not Found\r\nServer: App-webs/\r\nContent-Length: 0\r\n\r\n");
    }
    assert_true(f.s.done);
    assert_string_equal(signal_value(&f, "http.server"), "App-webs/"); /* kept once */
    obs_list_clear(&f.obs);
}

static void test_http_records_device_answers(void **state)
{
    (void)state;
    struct fixture f;
    session_start(&f, &probe_http, 80);
    answer(&f, "HTTP/1.1 200 OK\r\nContent-Length: 47\r\n\r\n"
               "<html><title>NETSurveillance WEB</title></html>");
    assert_string_equal(signal_value(&f, "http.title"), "NETSurveillance WEB");
    answer(&f, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n\r\n"
               "<?xml version=\"1.0\"?><DeviceInfo><model>DS-2CD2386G2-IU</model></DeviceInfo>");
    assert_non_null(strstr(signal_value(&f, "http.isapi_device_info"), "DS-2CD2386G2-IU"));
    answer(&f, "HTTP/1.1 200 OK\r\n\r\nappAutoStart=true\r\ndeviceType=IPC-HDW5831R-ZE\r\n");
    assert_non_null(strstr(signal_value(&f, "http.dahua_system_info"), "IPC-HDW5831R-ZE"));
    answer(&f, "HTTP/1.1 200 OK\r\n\r\n<s:Envelope><s:Body><tds:GetDeviceInformationResponse>"
               "<tds:Manufacturer>Dahua</tds:Manufacturer></tds:GetDeviceInformationResponse>"
               "</s:Body></s:Envelope>");
    assert_non_null(strstr(signal_value(&f, "onvif.device_info"), "Dahua"));
    answer(&f, "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nICONDATA");
    assert_string_equal(signal_value(&f, "http.favicon_md5"), "d8e10ae73a7ab24c9d27bc5da19fdf5f");
    char mmh3[16];
    snprintf(mmh3, sizeof mmh3, "%d", favicon_mmh3("ICONDATA", 8));
    assert_string_equal(signal_value(&f, "http.favicon_mmh3"), mmh3);
    assert_true(f.s.done);
    obs_list_clear(&f.obs);
}

static void test_http_ignores_login_pages_as_device_info(void **state)
{
    (void)state;
    struct fixture f;
    session_start(&f, &probe_http, 80);
    f.s.step = 1; /* ISAPI: a 401 with a realm, no body to keep */
    answer(&f,
           "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"IP Camera(C2183)\""
           "\r\nWWW-Authenticate: Basic realm=\"IP Camera(C2183)\"\r\nContent-Length: 0\r\n\r\n");
    assert_null(signal_value(&f, "http.isapi_device_info"));
    size_t auth = 0;
    for (size_t i = 0; i < f.obs.count; i++)
        auth += strcmp(f.obs.items[i].signal, "http.www_authenticate") == 0;
    assert_int_equal(auth, 2);
    answer(&f, "HTTP/1.1 200 OK\r\n\r\n<html>login</html>"); /* magicBox */
    assert_null(signal_value(&f, "http.dahua_system_info"));
    answer(&f, "HTTP/1.1 400 Bad\r\n\r\n<s:Fault>NotAuthorized</s:Fault>"); /* ONVIF */
    assert_null(signal_value(&f, "onvif.device_info"));
    answer(&f, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\ncut short"); /* favicon */
    assert_null(signal_value(&f, "http.favicon_md5"));
    obs_list_clear(&f.obs);
}

/* A favicon sent without a length is whole when the server closed the
 * connection after it, not when the read merely timed out. */
static void test_http_favicon_ended_by_close(void **state)
{
    (void)state;
    struct fixture f;
    for (int closed = 0; closed < 2; closed++) {
        session_start(&f, &probe_http, 80);
        f.s.step = 4; /* favicon */
        f.s.closed_by_peer = closed;
        answer(&f, "HTTP/1.0 200 OK\r\nContent-Type: image/x-icon\r\n\r\nICONDATA");
        if (closed)
            assert_string_equal(signal_value(&f, "http.favicon_md5"),
                                "d8e10ae73a7ab24c9d27bc5da19fdf5f");
        else
            assert_null(signal_value(&f, "http.favicon_md5"));
        obs_list_clear(&f.obs);
    }
}

static void test_http_follows_one_same_host_redirect(void **state)
{
    (void)state;
    struct fixture f;
    session_start(&f, &probe_http, 80);
    answer(&f, "HTTP/1.1 302 Found\r\nLocation: http://127.30.0.9/doc/page/login.asp?_1\r\n"
               "Content-Length: 0\r\n\r\n");
    assert_int_equal(f.s.step, 0);
    size_t len;
    char *req = request_of(&f, &len);
    assert_non_null(strstr(req, "GET /doc/page/login.asp?_1 HTTP/1.1"));
    free(req);
    /* A second redirect is not followed: the probe moves on. */
    answer(&f, "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\n\r\n");
    assert_int_equal(f.s.step, 1);
    obs_list_clear(&f.obs);

    const char *foreign[] = {"http://198.51.100.1/x",
                             "//198.51.100.1/x",
                             "https://127.30.0.9/x",
                             "ftp:x",
                             "/has space",
                             NULL};
    for (const char **loc = foreign; *loc; loc++) {
        session_start(&f, &probe_http, 80);
        char text[256];
        snprintf(text, sizeof text, "HTTP/1.1 301 Moved\r\nLocation: %s\r\n\r\n", *loc);
        answer(&f, text);
        assert_int_equal(f.s.step, 1); /* not followed */
        obs_list_clear(&f.obs);
    }
    session_start(&f, &probe_http, 8080);
    answer(&f, "HTTP/1.1 301 Moved\r\nLocation: index.asp\r\n\r\n");
    assert_string_equal(f.s.redirect, "/index.asp");
    obs_list_clear(&f.obs);
}

static void test_http_gives_up_on_non_http(void **state)
{
    (void)state;
    struct fixture f;
    session_start(&f, &probe_http, 80);
    answer(&f, "SSH-2.0-dropbear_2019.78\r\n");
    assert_true(f.s.done);
    assert_string_equal(signal_value(&f, "banner"), "SSH-2.0-dropbear_2019.78\r\n");
    obs_list_clear(&f.obs);
    session_start(&f, &probe_http, 80);
    f.s.module->parse_response(&f.s, (const uint8_t *)"", 0); /* silence */
    assert_true(f.s.done);
    assert_int_equal(f.obs.count, 0);
}

static void test_rtsp_reads_dahua_trace(void **state)
{
    (void)state;
    struct fixture f;
    session_start(&f, &probe_rtsp, 554);
    size_t len;
    char *req = request_of(&f, &len);
    assert_non_null(strstr(req, "OPTIONS rtsp://127.30.0.9:554/ RTSP/1.0\r\nCSeq: 1\r\n"));
    free(req);
    answer(&f, "RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Rtsp Server/3.0\r\nPublic: OPTIONS\r\n\r\n");
    req = request_of(&f, &len);
    assert_non_null(strstr(req, "DESCRIBE rtsp://127.30.0.9:554/ RTSP/1.0\r\n"));
    assert_non_null(strstr(req, "Accept: application/sdp\r\n"));
    free(req);
    answer(&f, "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\n"
               "Content-Length: 34\r\n\r\nv=0\r\ns=Media Server\r\na=control:*\r\nXX");
    assert_true(f.s.done);
    assert_string_equal(signal_value(&f, "rtsp.server"), "Rtsp Server/3.0");
    assert_string_equal(signal_value(&f, "rtsp.sdp"), "v=0\r\ns=Media Server\r\na=control:*\r\n");
    obs_list_clear(&f.obs);

    session_start(&f, &probe_rtsp, 554);
    answer(&f,
           "RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n"
           "WWW-Authenticate: Digest realm=\"Login to 4M0747EPAA1D284\", nonce=\"7454\"\r\n\r\n");
    assert_string_equal(signal_value(&f, "rtsp.www_authenticate"),
                        "Digest realm=\"Login to 4M0747EPAA1D284\", nonce=\"7454\"");
    answer(&f, "HTTP/1.1 200 OK\r\n\r\n"); /* an HTTP server on the RTSP port */
    assert_true(f.s.done);
    assert_null(signal_value(&f, "rtsp.sdp"));
    obs_list_clear(&f.obs);
}

static const char sysinfo_json[] =
    "{ \"Name\" : \"SystemInfo\", \"Ret\" : 100, \"SessionID\" : \"0x00000000\", "
    "\"SystemInfo\" : { \"DeviceModel\" : \"50X50-WG\", \"HardWare\" : \"XM530_50X50-WG_8M\", "
    "\"SerialNo\" : \"09d53d540f99b818\", \"SoftWareVersion\" : "
    "\"V5.00.R02.00030747.10010.349f17.0000000\" } }\n";

static size_t dvrip_frame(uint8_t *out, uint16_t message, const char *body, size_t body_len,
                          uint32_t declared)
{
    memset(out, 0, 20);
    out[0] = 0xff;
    out[1] = 1;
    out[14] = (uint8_t)message;
    out[15] = (uint8_t)(message >> 8);
    for (int i = 0; i < 4; i++)
        out[16 + i] = (uint8_t)(declared >> (8 * i));
    memcpy(out + 20, body, body_len);
    return 20 + body_len;
}

static void test_dvrip_asks_system_info_without_login(void **state)
{
    (void)state;
    struct fixture f;
    session_start(&f, &probe_dvrip, 34567);
    size_t len;
    uint8_t *req = (uint8_t *)request_of(&f, &len);
    assert_int_equal(req[0], 0xff);
    assert_int_equal(req[14] | req[15] << 8, 1020);
    uint32_t body_len = req[16] | req[17] << 8 | req[18] << 16 | (uint32_t)req[19] << 24;
    assert_int_equal(body_len, len - 20);
    assert_non_null(memmem(req + 20, body_len, "\"SystemInfo\"", 12));
    assert_null(memmem(req, len, "PassWord", 8));
    assert_null(memmem(req, len, "UserName", 8));
    free(req);

    uint8_t frame[1024];
    size_t body = sizeof sysinfo_json; /* with the NUL terminator */
    size_t n = dvrip_frame(frame, 1021, sysinfo_json, body, (uint32_t)body);
    assert_int_equal(probe_dvrip.response_status(frame, n - 1), PROBE_READ_MORE);
    assert_int_equal(probe_dvrip.response_status(frame, n), PROBE_READ_DONE);
    probe_dvrip.parse_response(&f.s, frame, n);
    assert_true(f.s.done);
    assert_string_equal(signal_value(&f, "dvrip.system_info"),
                        "{ \"Name\" : \"SystemInfo\", \"Ret\" : 100, \"SessionID\" : "
                        "\"0x00000000\", \"SystemInfo\" : { \"DeviceModel\" : \"50X50-WG\", "
                        "\"HardWare\" : \"XM530_50X50-WG_8M\", \"SerialNo\" : "
                        "\"09d53d540f99b818\", \"SoftWareVersion\" : "
                        "\"V5.00.R02.00030747.10010.349f17.0000000\" } }");
    obs_list_clear(&f.obs);
}

static void test_dvrip_hostile_frames(void **state)
{
    (void)state;
    struct fixture f;
    uint8_t frame[256];
    /* An error reply (login wanted) with a length that lies high. */
    const char *err = "{ \"Name\" : \"\", \"Ret\" : 203, \"SessionID\" : \"0x00000000\" }\n";
    session_start(&f, &probe_dvrip, 34567);
    size_t n = dvrip_frame(frame, 1021, err, strlen(err), 0x7fffffff);
    assert_int_equal(probe_dvrip.response_status(frame, n), PROBE_READ_MORE);
    probe_dvrip.parse_response(&f.s, frame, n);
    assert_non_null(signal_value(&f, "dvrip.reply"));
    assert_non_null(strstr(signal_value(&f, "dvrip.reply"), "message 1021: { \"Name\""));
    assert_null(signal_value(&f, "dvrip.system_info"));
    obs_list_clear(&f.obs);
    /* Short header, wrong magic, empty. */
    session_start(&f, &probe_dvrip, 34567);
    probe_dvrip.parse_response(&f.s, frame, 10);
    assert_int_equal(probe_dvrip.response_status((const uint8_t *)"HTTP/1.1", 8), PROBE_READ_DONE);
    probe_dvrip.parse_response(&f.s, (const uint8_t *)"HTTP/1.1 400", 12);
    probe_dvrip.parse_response(&f.s, (const uint8_t *)"", 0);
    assert_int_equal(f.obs.count, 2); /* two banners, no DVRIP signal */
    assert_null(signal_value(&f, "dvrip.reply"));
    obs_list_clear(&f.obs);
}

static void test_banner_records_first_bytes(void **state)
{
    (void)state;
    struct fixture f;
    session_start(&f, &probe_banner, 8000);
    size_t len = 99;
    char *req = request_of(&f, &len);
    assert_int_equal(len, 0);
    free(req);
    const uint8_t hik_sdk[16] = {0, 0, 0, 0x10, 0, 0, 0, 0x1e, 0, 0, 0, 0x1e, 0, 0, 0, 0};
    assert_int_equal(probe_banner.response_status(hik_sdk, 0), PROBE_READ_MORE);
    assert_int_equal(probe_banner.response_status(hik_sdk, 16), PROBE_READ_DONE);
    probe_banner.parse_response(&f.s, hik_sdk, 16);
    assert_int_equal(f.obs.count, 1);
    assert_int_equal(f.obs.items[0].value_len, 16); /* NUL bytes kept */
    assert_string_equal(f.obs.items[0].source, "probe/banner");
    obs_list_clear(&f.obs);
}

static void test_murmur3_and_favicon_hash_vectors(void **state)
{
    (void)state;
    /* Reference vectors of MurmurHash3_x86_32 (SMHasher). */
    assert_int_equal(murmur3_x86_32("", 0, 0), 0);
    assert_int_equal(murmur3_x86_32("", 0, 1), 0x514E28B7);
    assert_int_equal(murmur3_x86_32("", 0, 0xffffffff), 0x81F16F39);
    assert_int_equal(murmur3_x86_32("\0\0\0\0", 4, 0), 0x2362F9DE);
    assert_int_equal(murmur3_x86_32("aaaa", 4, 0x9747b28c), 0x5A97808A);
    assert_int_equal(murmur3_x86_32("abc", 3, 0), 0xB3DD93FA);
    assert_int_equal(murmur3_x86_32("Hello, world!", 13, 0x9747b28c), 0x24884CBA);
    assert_int_equal(murmur3_x86_32("The quick brown fox jumps over the lazy dog", 43, 0x9747b28c),
                     0x2FA826CD);
    /* base64 in 76-character lines, each ended by a newline (encodebytes). */
    uint8_t data[100];
    for (int i = 0; i < 100; i++)
        data[i] = (uint8_t)i;
    size_t n;
    char *text = base64_mime_lines(data, sizeof data, &n);
    assert_int_equal(n, 76 + 1 + 60 + 1);
    assert_int_equal(text[76], '\n');
    assert_int_equal(text[n - 1], '\n');
    assert_memory_equal(text, "AAECAwQFBgcICQoL", 16);
    assert_int_equal((int32_t)murmur3_x86_32(text, n, 0), favicon_mmh3(data, sizeof data));
    free(text);
    char md5[33];
    favicon_md5_hex("", 0, md5);
    assert_string_equal(md5, "d41d8cd98f00b204e9800998ecf8427e");
}

static void test_port_map_file(void **state)
{
    (void)state;
    char err[512];
    struct probe_port_map *map = probe_port_map_load("data/ports.txt", err, sizeof err);
    assert_non_null(map);
    size_t n;
    const uint16_t *ports = probe_port_map_ports(map, &n);
    assert_true(n >= 10);
    for (size_t i = 1; i < n; i++)
        assert_true(ports[i - 1] < ports[i]);
    assert_string_equal(probe_port_map_module(map, 80)->name, "http");
    assert_string_equal(probe_port_map_module(map, 443)->name, "https");
    assert_string_equal(probe_port_map_module(map, 554)->name, "rtsp");
    assert_string_equal(probe_port_map_module(map, 34567)->name, "dvrip");
    assert_string_equal(probe_port_map_module(map, 2222)->name, "banner");
    probe_port_map_free(map);

    char path[] = "/tmp/camaudit-ports-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *bad[] = {"80 gopher\n", "99999 http\n", "80\n", "80 http extra\n", "# only\n"};
    const char *why[] = {"unknown probe module 'gopher'", "expected 'PORT MODULE'",
                         "expected 'PORT MODULE'", "expected 'PORT MODULE'", "names no ports"};
    for (size_t i = 0; i < 5; i++) {
        FILE *f = fopen(path, "w");
        fputs(bad[i], f);
        fclose(f);
        assert_null(probe_port_map_load(path, err, sizeof err));
        assert_non_null(strstr(err, why[i]));
    }
    close(fd);
    unlink(path);
    assert_null(probe_port_map_load("/nonexistent/ports.txt", err, sizeof err));
    assert_non_null(strstr(err, "cannot read port file '/nonexistent/ports.txt'"));
}

static void test_rate_limit_bucket(void **state)
{
    (void)state;
    struct ratelimit rl;
    ratelimit_init(&rl, 100, 5, 10.0);
    for (int i = 0; i < 5; i++)
        assert_true(ratelimit_take(&rl, 10.0));
    assert_false(ratelimit_take(&rl, 10.0));
    assert_true(ratelimit_wait(&rl, 10.0) > 0.009 && ratelimit_wait(&rl, 10.0) < 0.011);
    assert_true(ratelimit_take(&rl, 10.0101));
    assert_false(ratelimit_take(&rl, 10.0101));
    /* A long pause refills only up to the burst. */
    int taken = 0;
    while (ratelimit_take(&rl, 100.0))
        taken++;
    assert_int_equal(taken, 5);
    /* Over one simulated second exactly rate tokens (plus the burst). */
    ratelimit_init(&rl, 1000, 10, 0.0);
    taken = 0;
    for (int ms = 0; ms <= 1000; ms++)
        while (ratelimit_take(&rl, ms / 1000.0))
            taken++;
    assert_in_range(taken, 1000, 1010);
    ratelimit_init(&rl, 0, 1, 0.0); /* unlimited */
    for (int i = 0; i < 10000; i++)
        assert_true(ratelimit_take(&rl, 0.0));
    assert_true(ratelimit_wait(&rl, 0.0) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_walks_device_paths),
        cmocka_unit_test(test_http_records_device_answers),
        cmocka_unit_test(test_http_ignores_login_pages_as_device_info),
        cmocka_unit_test(test_http_favicon_ended_by_close),
        cmocka_unit_test(test_http_follows_one_same_host_redirect),
        cmocka_unit_test(test_http_gives_up_on_non_http),
        cmocka_unit_test(test_rtsp_reads_dahua_trace),
        cmocka_unit_test(test_dvrip_asks_system_info_without_login),
        cmocka_unit_test(test_dvrip_hostile_frames),
        cmocka_unit_test(test_banner_records_first_bytes),
        cmocka_unit_test(test_murmur3_and_favicon_hash_vectors),
        cmocka_unit_test(test_port_map_file),
        cmocka_unit_test(test_rate_limit_bucket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
