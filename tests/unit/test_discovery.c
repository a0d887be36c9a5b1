/* test_discovery.c — the discovery reply parsers on real captured replies
 * (tests/fuzz/corpus/discovery_*, made from /work research samples: see
 * docs/DISCOVERY.md for their sources) and on hostile input, plus the step
 * from an answer to observations (misaddressed check, MAC forms). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "discovery/discovery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CORPUS "tests/fuzz/corpus/"

static uint8_t *load(const char *path, size_t *len)
{
    char *data = file_read_all(path, 1 << 20, len);
    if (!data)
        fail_msg("cannot read %s", path);
    return (uint8_t *)data;
}

typedef int (*parse_fn)(const uint8_t *, size_t, struct discovery_answer *);

static void parse_file(parse_fn parse, const char *path, struct discovery_answer *ans)
{
    size_t len;
    uint8_t *buf = load(path, &len);
    assert_int_equal(parse(buf, len, ans), 0);
    free(buf);
}

static void reject_file(parse_fn parse, const char *path)
{
    size_t len;
    uint8_t *buf = load(path, &len);
    struct discovery_answer ans;
    assert_int_equal(parse(buf, len, &ans), -1);
    free(buf);
}

static void test_sadp_probematch_fields(void **state)
{
    (void)state;
    struct discovery_answer a;
    parse_file(discovery_sadp_parse, CORPUS "discovery_sadp/ds-2cd2385g1-i.xml", &a);
    assert_string_equal(a.model, "DS-2CD2385G1-I");
    assert_string_equal(a.serial, "DS-2CD2385G1-I20200414AAWRE33842150");
    assert_string_equal(a.mac, "58:50:ed:1f:e3:85");
    assert_string_equal(a.own_ip, "192.168.124.40");
    assert_string_equal(a.own_mask, "255.255.255.0");
    assert_string_equal(a.own_gateway, "192.168.124.1");
    assert_string_equal(a.firmware, "V5.6.2build 190701");
    assert_int_equal(a.dhcp, 1);
    assert_int_equal(a.activated, 1);
    assert_int_equal(a.http_port, 80);
    assert_string_equal(a.signal, "sadp");
    assert_non_null(strstr(a.raw, "<DeviceLock>flase</DeviceLock>"));
    discovery_answer_clear(&a);
    parse_file(discovery_sadp_parse, CORPUS "discovery_sadp/ds-2cd2320d-i.xml", &a);
    assert_string_equal(a.model, "DS-2CD2320D-I");
    assert_string_equal(a.mac, "44:47:cc:37:ce:81");
    assert_string_equal(a.firmware, "V5.5.6build 180326");
    discovery_answer_clear(&a);
}

static void test_sadp_rejects_requests_and_garbage(void **state)
{
    (void)state;
    reject_file(discovery_sadp_parse, CORPUS "discovery_sadp/probe_request.xml");
    struct discovery_answer a;
    const char *bad[] = {"", "<ProbeMatch>", "<ProbeMatch><MAC>zz</MAC>", "\x00\x01\x02",
                         "<!DOCTYPE x [<!ENTITY e \"e\">]><ProbeMatch>&e;</ProbeMatch>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(discovery_sadp_parse((const uint8_t *)bad[i], strlen(bad[i]), &a), -1);
}

static void test_sadp_unactivated_and_bad_addresses(void **state)
{
    (void)state;
    const char xml[] = "<ProbeMatch><DeviceDescription>DS-2CD1023G0E-I</DeviceDescription>"
                       "<MAC>bc-ad-28-00-00-01</MAC><IPv4Address>999.1.1.1</IPv4Address>"
                       "<Activated>false</Activated></ProbeMatch>\0\0\0";
    struct discovery_answer a;
    assert_int_equal(discovery_sadp_parse((const uint8_t *)xml, sizeof xml - 1, &a), 0);
    assert_int_equal(a.activated, 0);
    assert_string_equal(a.own_ip, ""); /* not an address: dropped */
    assert_string_equal(a.mac, "bc:ad:28:00:00:01");
    discovery_answer_clear(&a);
}

static void test_onvif_probematch_and_hello(void **state)
{
    (void)state;
    struct discovery_answer a;
    parse_file(discovery_onvif_parse, CORPUS "discovery_onvif/hikvision_probematch.xml", &a);
    assert_string_equal(a.model, "DS-2CD2385G1-I");
    assert_string_equal(a.name, "HIKVISION DS-2CD2385G1-I");
    assert_string_equal(a.mac, "58:50:ed:1f:e3:85");
    assert_string_equal(a.own_ip, ""); /* XAddrs name services, not the configuration */
    assert_string_equal(a.signal, "onvif.scopes");
    assert_non_null(strstr(a.extra, "http://192.168.124.40/onvif/device_service"));
    assert_non_null(strstr(a.raw, "onvif://www.onvif.org/location/city/hangzhou"));
    assert_string_equal(a.extra_signal, "onvif.xaddrs");
    discovery_answer_clear(&a);
    parse_file(discovery_onvif_parse, CORPUS "discovery_onvif/dahua_hello.xml", &a);
    assert_string_equal(a.model, "IPC-HFW2228M-I1-V2");
    assert_string_equal(a.name, "Dahua");
    assert_string_equal(a.extra, "http://192.168.1.45/onvif/device_service");
    discovery_answer_clear(&a);
    parse_file(discovery_onvif_parse, CORPUS "discovery_onvif/generic_probematches.xml", &a);
    assert_string_equal(a.model, "HD_PREDATOR");
    assert_string_equal(a.name, "PREDATOR");
    discovery_answer_clear(&a);
    reject_file(discovery_onvif_parse, CORPUS "discovery_onvif/probe_request.xml");
}

static void test_onvif_hostile_scopes(void **state)
{
    (void)state;
    /* Percent escapes that decode to control bytes, a truncated escape, an
     * enormous scope list: all bounded and printable. */
    char *xml = xmalloc(60000);
    int n = snprintf(xml, 60000, "<E><ProbeMatch><Scopes>onvif://www.onvif.org/name/A%%0aB%%4 ");
    for (int i = 0; i < 1500; i++)
        n += snprintf(xml + n, (size_t)(60000 - n), "onvif://www.onvif.org/x/%d ", i);
    snprintf(xml + n, (size_t)(60000 - n), "</Scopes></ProbeMatch></E>");
    struct discovery_answer a;
    assert_int_equal(discovery_onvif_parse((const uint8_t *)xml, strlen(xml), &a), 0);
    assert_string_equal(a.name, "A B%4");
    assert_true(a.raw_len < 4096);
    discovery_answer_clear(&a);
    free(xml);
}

static void test_dhip_devices(void **state)
{
    (void)state;
    struct discovery_answer a;
    parse_file(discovery_dhip_parse, CORPUS "discovery_dhip/ipc-hdw1431t1-s4.bin", &a);
    assert_string_equal(a.model, "IPC-HDW1431T1-S4");
    assert_string_equal(a.serial, "6C01E93PAG69A7D");
    assert_string_equal(a.firmware, "2.800.0000000.13.R");
    assert_string_equal(a.manufacturer, "Private");
    assert_string_equal(a.mac, "08:ed:ed:87:42:7a");
    assert_string_equal(a.own_ip, "192.168.124.17");
    assert_int_equal(a.dhcp, 1);
    assert_string_equal(a.signal, "dhip");
    assert_true(a.raw[0] == '{');
    discovery_answer_clear(&a);
    parse_file(discovery_dhip_parse, CORPUS "discovery_dhip/intelbras_mhdx1016.bin", &a);
    assert_string_equal(a.manufacturer, "Intelbras");
    assert_string_equal(a.model, "MHDX 1016");
    assert_int_equal(a.dhcp, 0);
    assert_int_equal(a.http_port, 1101);
    discovery_answer_clear(&a);
    reject_file(discovery_dhip_parse, CORPUS "discovery_dhip/search_request.bin");
}

static void test_dhip_hostile(void **state)
{
    (void)state;
    uint8_t buf[256] = {0x20, 0, 0, 0, 'D', 'H', 'I', 'P'};
    buf[16] = 0xff, buf[17] = 0xff, buf[18] = 0xff, buf[19] = 0x7f; /* lying length */
    struct discovery_answer a;
    assert_int_equal(discovery_dhip_parse(buf, 32, &a), -1); /* header only */
    const char *bodies[] = {"{\"method\":\"client.notifyDevInfo\"}",
                            "{\"method\":\"client.notifyDevInfo\",\"params\":{\"deviceInfo\":7}}",
                            "[[[[[[[[[[[[[[[[[[[[[[[[[", "{\"mac\":"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        size_t l = strlen(bodies[i]);
        memcpy(buf + 32, bodies[i], l);
        assert_int_equal(discovery_dhip_parse(buf, 32 + l, &a), -1);
    }
    const char ok[] = "{\"method\":\"client.notifyDevInfo\",\"mac\":5,\"params\":{\"deviceInfo\":"
                      "{\"DeviceType\":\"X\\u0001Y\",\"IPv4Address\":{\"IPAddress\":7}}}}";
    memcpy(buf + 32, ok, sizeof ok - 1);
    assert_int_equal(discovery_dhip_parse(buf, 32 + sizeof ok - 1, &a), 0);
    assert_string_equal(a.model, "X Y");
    assert_string_equal(a.mac, "");
    assert_string_equal(a.own_ip, "");
    discovery_answer_clear(&a);
}

static void test_dahua5050_legacy(void **state)
{
    (void)state;
    struct discovery_answer a;
    parse_file(discovery_dahua5050_parse, CORPUS "discovery_dahua5050/virtual_selftest.bin", &a);
    assert_string_equal(a.model, "Virtual");
    assert_string_equal(a.mac, "00:11:22:33:44:55");
    assert_string_equal(a.serial, "123456789");
    assert_string_equal(a.manufacturer, "Dahua");
    assert_string_equal(a.own_gateway, "127.0.0.1");
    assert_string_equal(a.signal, "dahua.search");
    discovery_answer_clear(&a);
    reject_file(discovery_dahua5050_parse, CORPUS "discovery_dahua5050/search_request.bin");
    /* Section lengths larger than the datagram are cut to it. */
    size_t len;
    uint8_t *buf = load(CORPUS "discovery_dahua5050/virtual_selftest.bin", &len);
    buf[2] = 0xff, buf[0x14] = 0xff, buf[0x15] = 0xff;
    assert_int_equal(discovery_dahua5050_parse(buf, 0x80, &a), 0);
    assert_string_equal(a.serial, "");
    discovery_answer_clear(&a);
    free(buf);
}

static void test_xm_search_reply(void **state)
{
    (void)state;
    struct discovery_answer a;
    parse_file(discovery_xm_parse, CORPUS "discovery_xm/besder_1531.bin", &a);
    assert_string_equal(a.mac, "dc:29:19:e2:74:3c");
    assert_string_equal(a.serial, "09d53d540f99b818");
    assert_string_equal(a.firmware, "V5.00.R02.00030747.10010.349f17.0000000");
    assert_string_equal(a.own_ip, "192.168.1.103");
    assert_string_equal(a.own_mask, "255.255.255.0");
    assert_string_equal(a.own_gateway, "192.168.1.1");
    assert_string_equal(a.name, "camera_743c");
    assert_string_equal(a.signal, "dvrip.search");
    discovery_answer_clear(&a);
    reject_file(discovery_xm_parse, CORPUS "discovery_xm/search_request.bin");
}

static void test_ssdp_and_upnp(void **state)
{
    (void)state;
    struct discovery_answer a;
    parse_file(discovery_ssdp_parse, CORPUS "discovery_ssdp/reply.txt", &a);
    assert_string_equal(a.location, "http://10.66.0.21:49152/rootDesc.xml");
    assert_string_equal(a.raw, "Linux/3.10 UPnP/1.0 IpCam/1.0");
    discovery_answer_clear(&a);
    parse_file(discovery_ssdp_parse, CORPUS "discovery_ssdp/notify.txt", &a);
    assert_string_equal(a.location, "http://192.168.1.64:80/upnp.xml");
    discovery_answer_clear(&a);
    reject_file(discovery_ssdp_parse, CORPUS "discovery_ssdp/msearch_request.txt");
    size_t len;
    char *xml = (char *)load(CORPUS "discovery_upnp/ipcam_description.xml", &len);
    discovery_answer_init(&a, "upnp");
    assert_int_equal(discovery_upnp_parse_description(xml, len, &a), 0);
    assert_string_equal(a.manufacturer, "Reolink");
    assert_string_equal(a.model, "RLC RLC-810A");
    assert_string_equal(a.serial, "19283746501");
    assert_string_equal(a.name, "Front door camera");
    discovery_answer_clear(&a);
    free(xml);
    xml = (char *)load(CORPUS "discovery_upnp/billion_laughs.xml", &len);
    discovery_answer_init(&a, "upnp");
    assert_int_equal(discovery_upnp_parse_description(xml, len, &a), -1);
    discovery_answer_clear(&a);
    free(xml);
}

static void test_mdns_answers(void **state)
{
    (void)state;
    struct discovery_answer a;
    parse_file(discovery_mdns_parse, CORPUS "discovery_mdns/axis_answer.bin", &a);
    assert_string_equal(a.signal, "mdns.service");
    assert_string_equal(a.raw, "_axis-video._tcp.local=AXIS M3045-V - "
                               "ACCC8E000001._axis-video._tcp.local");
    assert_string_equal(a.name, "AXIS M3045-V - ACCC8E000001");
    assert_string_equal(a.mac, "ac:cc:8e:00:00:01");
    assert_string_equal(a.own_ip, "10.66.0.30");
    assert_non_null(strstr(a.extra, "path=/"));
    discovery_answer_clear(&a);
    reject_file(discovery_mdns_parse, CORPUS "discovery_mdns/pointer_loop.bin");
    /* Every truncation of a valid answer is handled without reading past it. */
    size_t len;
    uint8_t *buf = load(CORPUS "discovery_mdns/axis_answer.bin", &len);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = xmalloc(cut ? cut : 1);
        memcpy(copy, buf, cut);
        if (discovery_mdns_parse(copy, cut, &a) == 0)
            discovery_answer_clear(&a);
        free(copy);
    }
    free(buf);
}

/* Appends a DNS name (dotted text) at p; returns its length. */
static size_t put_dns_name(uint8_t *p, const char *name)
{
    size_t off = 0;
    while (*name) {
        size_t n = strcspn(name, ".");
        p[off++] = (uint8_t)n;
        memcpy(p + off, name, n);
        off += n;
        name += n + (name[n] == '.');
    }
    p[off++] = 0;
    return off;
}

/* Appends a resource record (class IN, TTL 120) at p; returns its length. */
static size_t put_record(uint8_t *p, const char *owner, unsigned type, const uint8_t *rdata,
                         size_t rdlen)
{
    size_t off = put_dns_name(p, owner);
    const uint8_t fixed[] = {0, (uint8_t)type, 0, 1, 0, 0, 0, 120, 0, (uint8_t)rdlen};
    memcpy(p + off, fixed, sizeof fixed);
    memcpy(p + off + sizeof fixed, rdata, rdlen);
    return off + sizeof fixed + rdlen;
}

/* A camera's link-local 169.254 address beside its configured one: the
 * configured one is where it is, whichever record comes first. */
static void test_mdns_prefers_configured_address(void **state)
{
    (void)state;
    uint8_t msg[512] = {0, 0, 0x84, 0, 0, 0, 0, 3, 0, 0, 0, 0};
    size_t len = 12;
    uint8_t target[128];
    size_t tlen = put_dns_name(target, "AXIS M3045-V - ACCC8E000001._axis-video._tcp.local");
    len += put_record(msg + len, "_axis-video._tcp.local", 12, target, tlen);
    len +=
        put_record(msg + len, "axis-accc8e000001.local", 1, (const uint8_t[]){169, 254, 9, 7}, 4);
    len += put_record(msg + len, "axis-accc8e000001.local", 1, (const uint8_t[]){10, 66, 0, 30}, 4);
    struct discovery_answer a;
    assert_int_equal(discovery_mdns_parse(msg, len, &a), 0);
    assert_string_equal(a.own_ip, "10.66.0.30");
    discovery_answer_clear(&a);
}

static void test_mac_forms(void **state)
{
    (void)state;
    char mac[OBS_MAC_MAX];
    assert_true(discovery_mac_normalise("58-50-ED-1F-E3-85", 17, mac));
    assert_string_equal(mac, "58:50:ed:1f:e3:85");
    assert_true(discovery_mac_normalise("ACCC8E000001", 12, mac));
    assert_string_equal(mac, "ac:cc:8e:00:00:01");
    assert_false(discovery_mac_normalise("00:00:00:00:00:00", 17, mac));
    assert_false(discovery_mac_normalise("58:50:ed:1f:e3", 14, mac));
    assert_false(discovery_mac_normalise("58:50:ed:1f:e3:85:11", 20, mac));
    assert_false(discovery_mac_normalise("g8:50:ed:1f:e3:85", 17, mac));
}

static const struct observation *find_obs(const struct discovery_obs_list *l, const char *signal)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].signal, signal) == 0)
            return &l->items[i];
    return NULL;
}

static void test_emit_flags_misaddressed_device(void **state)
{
    (void)state;
    struct discovery_answer a;
    parse_file(discovery_sadp_parse, CORPUS "discovery_sadp/ds-2cd2385g1-i.xml", &a);
    snprintf(a.src_ip, sizeof a.src_ip, "192.168.124.40");
    a.src_port = 37020;
    struct discovery_subnet lan = {0x0A420000u, 24}; /* 10.66.0.0/24 */
    struct discovery_obs_list out = {0};
    discovery_answer_emit(&a, &lan, 1.0, &out);
    const struct observation *o = find_obs(&out, "discovery.misaddressed");
    assert_non_null(o);
    assert_string_equal(o->value, "192.168.124.40 is outside 10.66.0.0/24");
    assert_string_equal(o->source, "discovery/sadp");
    assert_string_equal(find_obs(&out, "mac")->value, "58:50:ed:1f:e3:85");
    assert_string_equal(find_obs(&out, "discovery.model")->value, "DS-2CD2385G1-I");
    assert_string_equal(find_obs(&out, "discovery.activated")->value, "true");
    assert_string_equal(find_obs(&out, "discovery.ip_config")->value,
                        "ip=192.168.124.40 mask=255.255.255.0 gateway=192.168.124.1 dhcp=true");
    assert_non_null(find_obs(&out, "sadp"));
    assert_string_equal(find_obs(&out, "sadp")->mac, "58:50:ed:1f:e3:85");
    size_t before = out.count;
    discovery_answer_emit(&a, &lan, 2.0, &out); /* the same answer again adds nothing */
    assert_int_equal(out.count, before);
    discovery_obs_list_free(&out);
    struct discovery_subnet home = {0xC0A87C00u, 24}; /* 192.168.124.0/24 */
    discovery_answer_emit(&a, &home, 1.0, &out);
    assert_null(find_obs(&out, "discovery.misaddressed"));
    discovery_obs_list_free(&out);
    discovery_answer_clear(&a);
}

struct neighbour_seen {
    int n;
    char last[OBS_MAC_MAX];
};

static void count_neighbour(const char *ip, const char *mac, void *data)
{
    (void)ip;
    struct neighbour_seen *seen = data;
    seen->n++;
    snprintf(seen->last, sizeof seen->last, "%s", mac);
}

static void test_neighbour_table(void **state)
{
    (void)state;
    char path[] = "/tmp/camaudit-neigh-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("IP address       HW type     Flags       HW address            Mask     Device\n"
          "10.66.0.11       0x1         0x2         58:50:ed:00:00:11     *        br0\n"
          "10.66.0.12       0x1         0x0         00:00:00:00:00:00     *        br0\n"
          "10.66.0.13       0x1         0x2         08:ed:ed:00:00:13     *        eth1\n"
          "garbage line\n",
          f);
    fclose(f);
    struct neighbour_seen seen = {0, ""};
    assert_int_equal(discovery_neighbours_read(path, "br0", count_neighbour, &seen), 1);
    assert_string_equal(seen.last, "58:50:ed:00:00:11");
    assert_int_equal(discovery_neighbours_read(path, NULL, count_neighbour, &seen), 2);
    assert_int_equal(seen.n, 3);
    assert_int_equal(discovery_neighbours_read("/nonexistent/arp", NULL, count_neighbour, &seen),
                     -1);
    unlink(path);
}

static void test_interface_for_address(void **state)
{
    (void)state;
    char name[64];
    assert_true(discovery_interface_for_address("127.0.0.9", name, sizeof name));
    assert_string_equal(name, "lo");
    assert_false(discovery_interface_for_address("not an address", name, sizeof name));
}

static void test_requests_are_well_formed(void **state)
{
    (void)state;
    uint8_t buf[2048];
    const struct discovery_module *const *mods = discovery_modules();
    size_t n = 0;
    for (; mods[n]; n++) {
        size_t len = mods[n]->build_request(0, buf, sizeof buf);
        assert_true(len > 0);
        /* A module's own request is never taken for an answer (we hear our
         * own broadcasts). */
        struct discovery_answer a;
        assert_int_equal(mods[n]->parse_reply(buf, len, &a), -1);
        assert_int_equal(mods[n]->build_request(0, buf, 8) > 8, 0);
    }
    assert_int_equal(n, 7);
    assert_true(discovery_module_find("onvif")->build_request(1, buf, sizeof buf) > 0);
    assert_int_equal(discovery_module_find("onvif")->build_request(2, buf, sizeof buf), 0);
    assert_null(discovery_module_find("nope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sadp_probematch_fields),
        cmocka_unit_test(test_sadp_rejects_requests_and_garbage),
        cmocka_unit_test(test_sadp_unactivated_and_bad_addresses),
        cmocka_unit_test(test_onvif_probematch_and_hello),
        cmocka_unit_test(test_onvif_hostile_scopes),
        cmocka_unit_test(test_dhip_devices),
        cmocka_unit_test(test_dhip_hostile),
        cmocka_unit_test(test_dahua5050_legacy),
        cmocka_unit_test(test_xm_search_reply),
        cmocka_unit_test(test_ssdp_and_upnp),
        cmocka_unit_test(test_mdns_answers),
        cmocka_unit_test(test_mdns_prefers_configured_address),
        cmocka_unit_test(test_mac_forms),
        cmocka_unit_test(test_emit_flags_misaddressed_device),
        cmocka_unit_test(test_neighbour_table),
        cmocka_unit_test(test_requests_are_well_formed),
        cmocka_unit_test(test_interface_for_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
