/* test_passive.c — the passive dissectors and engine on well-formed and
 * hostile input: lying length fields, compression loops, unterminated
 * headers, limits on hosts and observations, MAC-only hosts merged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "discovery/discovery.h"
#include "passive/passive.h"

#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What passive_finish reported, flattened to "ip|signal|value" lines. */
struct collected {
    char text[8192];
    size_t hosts, observations;
};

static void collect(const struct passive_host *host, void *arg)
{
    struct collected *c = arg;
    c->hosts++;
    for (size_t i = 0; i < host->count; i++) {
        size_t used = strlen(c->text);
        snprintf(c->text + used, sizeof c->text - used, "%s|%s|%s\n", host->ip, host->obs[i].signal,
                 host->obs[i].value);
        c->observations++;
    }
}

static struct packet udp_packet(uint16_t sport, uint16_t dport, const void *payload, size_t len)
{
    struct packet pkt = {.family = 4,
                         .l4 = L4_UDP,
                         .sport = sport,
                         .dport = dport,
                         .payload = payload,
                         .payload_len = len};
    memcpy(pkt.src_ip, (uint8_t[]){10, 0, 0, 5}, 4);
    memcpy(pkt.dst_ip, (uint8_t[]){10, 0, 0, 1}, 4);
    return pkt;
}

static struct packet tcp_packet(uint16_t sport, uint16_t dport, uint32_t seq, const void *payload,
                                size_t len)
{
    struct packet pkt = udp_packet(sport, dport, payload, len);
    pkt.l4 = L4_TCP;
    pkt.tcp_seq = seq;
    return pkt;
}

/* Runs one dissector over pkt in a fresh engine and collects the result. */
static void dissect_one(const char *name, const struct packet *pkt, struct collected *out)
{
    memset(out, 0, sizeof *out);
    struct passive *ps = passive_new(NULL);
    assert_int_equal(passive_dissect_with(ps, name, pkt), 0);
    passive_finish(ps, collect, out);
    passive_free(ps);
}

static size_t dns_name(uint8_t *p, const char *name)
{
    size_t off = 0;
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t n = dot ? (size_t)(dot - name) : strlen(name);
        p[off++] = (uint8_t)n;
        memcpy(p + off, name, n);
        off += n;
        name += n + (dot ? 1 : 0);
    }
    p[off++] = 0;
    return off;
}

static void test_dns_query_and_answer_credit_the_asker(void **state)
{
    (void)state;
    uint8_t msg[128] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    size_t len = 12 + dns_name(msg + 12, "LiteDev.Hik-Connect.com") + 4;
    struct packet q = udp_packet(40000, 53, msg, len);
    struct collected c;
    dissect_one("dns", &q, &c);
    assert_string_equal(c.text, "10.0.0.5|dns.query|litedev.hik-connect.com\n");
    msg[2] = 0x81; /* an answer, from the server to the asker */
    struct packet a = udp_packet(53, 40000, msg, len);
    memcpy(a.src_ip, (uint8_t[]){10, 0, 0, 1}, 4);
    memcpy(a.dst_ip, (uint8_t[]){10, 0, 0, 9}, 4);
    dissect_one("dns", &a, &c);
    assert_string_equal(c.text, "10.0.0.9|dns.query|litedev.hik-connect.com\n");
}

static void test_dns_hostile_names_are_dropped(void **state)
{
    (void)state;
    struct collected c;
    /* A compression pointer to itself. */
    uint8_t loop[18] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
    struct packet pkt = udp_packet(40000, 53, loop, sizeof loop);
    dissect_one("dns", &pkt, &c);
    assert_int_equal(c.observations, 0);
    /* A label claiming more bytes than the message has. */
    uint8_t past[16] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 'a', 'b', 'c'};
    pkt = udp_packet(40000, 53, past, sizeof past);
    dissect_one("dns", &pkt, &c);
    assert_int_equal(c.observations, 0);
    /* A name of 300 characters (over the 255 limit) in 60-byte labels. */
    uint8_t longname[400] = {0, 1, 1, 0, 0, 1};
    size_t off = 12;
    for (int i = 0; i < 5; i++) {
        longname[off++] = 59;
        memset(longname + off, 'x', 59);
        off += 59;
    }
    longname[off++] = 0;
    pkt = udp_packet(40000, 53, longname, off + 4);
    dissect_one("dns", &pkt, &c);
    assert_int_equal(c.observations, 0);
    /* Reverse lookups say nothing about a device's clouds. */
    uint8_t rev[64] = {0, 1, 1, 0, 0, 1};
    size_t n = 12 + dns_name(rev + 12, "1.0.0.10.in-addr.arpa");
    pkt = udp_packet(40000, 53, rev, n);
    dissect_one("dns", &pkt, &c);
    assert_int_equal(c.observations, 0);
}

static size_t dhcp_message(uint8_t *p, uint8_t op, const uint8_t *options, size_t olen)
{
    memset(p, 0, 240);
    p[0] = op;
    p[1] = 1;
    p[2] = 6;
    memcpy(p + 28, (uint8_t[]){0x58, 0x50, 0xed, 1, 2, 3}, 6);
    memcpy(p + 236, (uint8_t[]){0x63, 0x82, 0x53, 0x63}, 4);
    memcpy(p + 240, options, olen);
    return 240 + olen;
}

static void test_dhcp_options_and_mac_only_host_merge(void **state)
{
    (void)state;
    uint8_t req[400], ack[400];
    const uint8_t opts[] = {53,  1, 3,  12, 6,   'c', 'a', 'm', '-',
                            '1', 0, 60, 4,  'u', 'd', 'h', 'c', 255};
    size_t rlen = dhcp_message(req, 1, opts, sizeof opts);
    const uint8_t ack_opts[] = {53, 1, 5, 255};
    size_t alen = dhcp_message(ack, 2, ack_opts, sizeof ack_opts);
    memcpy(ack + 16, (uint8_t[]){10, 0, 0, 77}, 4); /* yiaddr */
    struct passive *ps = passive_new(NULL);
    struct packet r = udp_packet(68, 67, req, rlen);
    memset(r.src_ip, 0, 4);
    struct packet a = udp_packet(67, 68, ack, alen);
    passive_dispatch(ps, &r);
    passive_dispatch(ps, &a);
    struct collected c = {0};
    passive_finish(ps, collect, &c);
    passive_free(ps);
    assert_int_equal(c.hosts, 1);
    assert_non_null(strstr(c.text, "10.0.0.77|dhcp.hostname|cam-1\n"));
    assert_non_null(strstr(c.text, "10.0.0.77|dhcp.vendor_class|udhc\n"));
    assert_non_null(strstr(c.text, "10.0.0.77|mac|58:50:ed:01:02:03\n"));
}

static void test_dhcp_option_running_past_the_end(void **state)
{
    (void)state;
    uint8_t req[400];
    const uint8_t opts[] = {53, 1, 3, 12, 200, 'x', 'y'};
    size_t len = dhcp_message(req, 1, opts, sizeof opts);
    struct packet pkt = udp_packet(68, 67, req, len);
    struct collected c;
    dissect_one("dhcp", &pkt, &c);
    assert_null(strstr(c.text, "dhcp.hostname"));
    req[236] = 0; /* no magic cookie: not DHCP */
    dissect_one("dhcp", &pkt, &c);
    assert_int_equal(c.observations, 0);
}

static size_t client_hello(uint8_t *p, const char *sni, uint16_t claimed_list)
{
    size_t n = strlen(sni);
    uint8_t body[512] = {3, 3};
    size_t b = 34;
    body[b++] = 0;
    body[b++] = 0;
    body[b++] = 2;
    body[b++] = 0x13;
    body[b++] = 0x01;
    body[b++] = 1;
    body[b++] = 0;
    body[b++] = 0;
    body[b++] = (uint8_t)(n + 9);
    body[b++] = 0;
    body[b++] = 0;
    body[b++] = 0;
    body[b++] = (uint8_t)(n + 5);
    body[b++] = (uint8_t)(claimed_list >> 8);
    body[b++] = (uint8_t)claimed_list;
    body[b++] = 0;
    body[b++] = 0;
    body[b++] = (uint8_t)n;
    memcpy(body + b, sni, n);
    b += n;
    uint8_t head[9] = {
        22, 3, 1, (uint8_t)((b + 4) >> 8), (uint8_t)(b + 4), 1, 0, (uint8_t)(b >> 8), (uint8_t)b};
    memcpy(p, head, 9);
    memcpy(p + 9, body, b);
    return 9 + b;
}

static void test_tls_sni_and_lying_lengths(void **state)
{
    (void)state;
    uint8_t hello[600];
    size_t len = client_hello(hello, "dev.ezviz7.com", 17);
    struct packet pkt = tcp_packet(50000, 443, 1, hello, len);
    struct collected c;
    dissect_one("tls", &pkt, &c);
    assert_string_equal(c.text, "10.0.0.5|tls.sni|dev.ezviz7.com\n");
    /* The server-name list claims 60000 bytes: clamped, no read past. */
    len = client_hello(hello, "dev.ezviz7.com", 60000);
    pkt = tcp_packet(50000, 443, 1, hello, len);
    dissect_one("tls", &pkt, &c);
    assert_string_equal(c.text, "10.0.0.5|tls.sni|dev.ezviz7.com\n");
    /* The same hello cut short inside the name: nothing invented. */
    pkt = tcp_packet(50000, 443, 1, hello, len - 5);
    dissect_one("tls", &pkt, &c);
    assert_int_equal(c.observations, 0);
}

static void test_tls_garbage_certificate(void **state)
{
    (void)state;
    /* ServerHello-less Certificate record whose DER is garbage. */
    uint8_t rec[64] = {22, 3, 3, 0, 30, 11, 0, 0, 26, 0, 0, 23, 0, 0, 20};
    memset(rec + 15, 0x30, 20);
    struct packet pkt = tcp_packet(443, 50000, 1, rec, 35);
    struct collected c;
    dissect_one("tls", &pkt, &c);
    assert_int_equal(c.observations, 0);
}

static void test_http_headers_and_title(void **state)
{
    (void)state;
    const char resp[] =
        "HTTP/1.1 200 OK\r\nserver:   DNVRS-Webs  \r\nContent-Type: text/html\r\n\r\n"
        "<html><TITLE lang=en>NVR</title>";
    struct packet pkt = tcp_packet(80, 50000, 1, resp, sizeof resp - 1);
    struct collected c;
    dissect_one("http", &pkt, &c);
    assert_string_equal(c.text, "10.0.0.5|http.server|DNVRS-Webs\n"
                                "10.0.0.5|http.body|<html><TITLE lang=en>NVR</title>\n"
                                "10.0.0.5|http.title|NVR\n");
    /* No blank line, unclosed title, header without colon: only what is whole. */
    const char bad[] = "HTTP/1.1 200 OK\r\nServer\r\nX: y\r\n<title>never closed";
    pkt = tcp_packet(80, 50000, 1, bad, sizeof bad - 1);
    dissect_one("http", &pkt, &c);
    assert_int_equal(c.observations, 0);
    const char req[] = "GET / HTTP/1.1\r\nHost: pub-cfg.secu100.net:8086\r\n\r\n";
    pkt = tcp_packet(50000, 8086, 1, req, sizeof req - 1);
    dissect_one("http", &pkt, &c);
    assert_string_equal(c.text, "10.0.0.5|http.host|pub-cfg.secu100.net:8086\n");
}

/* What the engine emitted so far, as passive_set_observer sees it. */
static void observe(const struct observation *obs, void *arg)
{
    struct collected *c = arg;
    size_t used = strlen(c->text);
    snprintf(c->text + used, sizeof c->text - used, "%s|%s|%s\n", obs->ip, obs->signal, obs->value);
    c->observations++;
}

/* A response split over segments, one of them retransmitted, closed by an
 * empty FIN: read once, when the FIN comes, with its title. */
static void test_http_followed_across_segments(void **state)
{
    (void)state;
    const char resp[] = "HTTP/1.1 200 OK\r\nServer: Webs\r\n\r\n<html><head><meta charset=utf-8>"
                        "<title>Login</title></head><body>";
    size_t len = sizeof resp - 1, cut1 = 40, cut2 = 70;
    struct collected seen = {0};
    struct passive *ps = passive_new(NULL);
    passive_set_observer(ps, observe, &seen);
    struct packet a = tcp_packet(80, 50000, 1000, resp, cut1);
    struct packet b = tcp_packet(80, 50000, 1000 + (uint32_t)cut1, resp + cut1, cut2 - cut1);
    struct packet rest = tcp_packet(80, 50000, 1000 + (uint32_t)cut2, resp + cut2, len - cut2);
    passive_dispatch(ps, &a);
    passive_dispatch(ps, &b);
    passive_dispatch(ps, &b); /* retransmitted: nothing new, the flow goes on */
    struct packet overlap = tcp_packet(80, 50000, 1000 + (uint32_t)cut2 - 5, resp + cut2 - 5, 10);
    passive_dispatch(ps, &overlap); /* half old, half new */
    rest.tcp_seq += 5;
    rest.payload += 5;
    rest.payload_len -= 5;
    passive_dispatch(ps, &rest);
    if (seen.observations)
        fail_msg("emitted before the end: %s", seen.text);
    assert_int_equal(seen.observations, 0); /* no end yet: no </html>, no length */
    struct packet fin = tcp_packet(80, 50000, 1000 + (uint32_t)len, "", 0);
    fin.tcp_flags = TCP_FLAG_FIN;
    passive_dispatch(ps, &fin);
    assert_non_null(strstr(seen.text, "10.0.0.5|http.server|Webs\n"));
    assert_non_null(strstr(seen.text, "10.0.0.5|http.title|Login\n"));
    assert_int_equal(seen.observations, 3); /* server, body, title: once each */
    char body[512];
    snprintf(body, sizeof body, "10.0.0.5|http.body|%s\n", strstr(resp, "<html>"));
    assert_non_null(strstr(seen.text, body));
    struct collected c;
    memset(&c, 0, sizeof c);
    passive_finish(ps, collect, &c);
    assert_int_equal(c.observations, 3);
    passive_free(ps);
}

static void test_rtsp_realm(void **state)
{
    (void)state;
    const char resp[] = "RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Digest "
                        "realm=\"IP Camera(C2183)\"\r\n\r\n";
    struct packet pkt = tcp_packet(554, 50000, 1, resp, sizeof resp - 1);
    struct collected c;
    dissect_one("rtsp", &pkt, &c);
    assert_string_equal(c.text,
                        "10.0.0.5|rtsp.www_authenticate|Digest realm=\"IP Camera(C2183)\"\n");
}

/* Discovery replies are parsed by src/discovery (its own tests cover hostile
 * datagrams); passive credits what they say to the sender and binds the MAC
 * the device reports. Requests seen on the wire give nothing. */
static void test_discovery_replies_credit_the_sender(void **state)
{
    (void)state;
    const char body[] = "{\"mac\":\"08:ed:ed:87:42:7a\",\"method\":\"client.notifyDevInfo\","
                        "\"params\":{\"deviceInfo\":{\"DeviceType\":\"IPC-HDW1431T1-S4\","
                        "\"SerialNo\":\"6C01E93PAG69A7D\",\"Version\":\"2.800.0000000.13.R\"}}}";
    uint8_t msg[512];
    size_t len = discovery_dhip_frame(body, sizeof body - 1, msg, sizeof msg);
    assert_true(len > 32);
    struct packet pkt = udp_packet(37810, 37810, msg, len);
    struct collected c;
    dissect_one("dhip", &pkt, &c);
    assert_non_null(strstr(c.text, "10.0.0.5|discovery.model|IPC-HDW1431T1-S4\n"));
    assert_non_null(strstr(c.text, "10.0.0.5|discovery.serial|6C01E93PAG69A7D\n"));
    assert_non_null(strstr(c.text, "10.0.0.5|mac|08:ed:ed:87:42:7a\n"));
    assert_non_null(strstr(c.text, "10.0.0.5|dhip|{"));
    const char search[] = "{\"method\":\"DHDiscover.search\",\"params\":{\"mac\":\"\",\"uni\":1}}";
    len = discovery_dhip_frame(search, sizeof search - 1, msg, sizeof msg);
    pkt = udp_packet(50000, 37810, msg, len);
    dissect_one("dhip", &pkt, &c);
    assert_int_equal(c.observations, 0);
    const char probe[] =
        "<e:Envelope><e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types>"
        "</d:Probe></e:Body></e:Envelope>";
    pkt = udp_packet(50000, 3702, probe, sizeof probe - 1);
    dissect_one("onvif", &pkt, &c);
    assert_int_equal(c.observations, 0);
    const char msearch[] = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "
                           "\"ssdp:discover\"\r\nST: ssdp:all\r\nMX: 1\r\n\r\n";
    pkt = udp_packet(50000, 1900, msearch, sizeof msearch - 1);
    dissect_one("ssdp", &pkt, &c);
    assert_int_equal(c.observations, 0);
}

static void test_limits_bound_memory(void **state)
{
    (void)state;
    struct passive *ps =
        passive_new(&(struct passive_limits){.max_hosts = 3, .max_obs_per_host = 2});
    char resp[128];
    for (int host = 0; host < 5; host++) {
        for (int i = 0; i < 4; i++) {
            int n = snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nServer: s%d\r\n\r\n", i);
            /* each answer on a connection of its own */
            struct packet pkt = tcp_packet(80, (uint16_t)(50000 + i), 1, resp, (size_t)n);
            pkt.src_ip[3] = (uint8_t)(10 + host);
            passive_dispatch(ps, &pkt);
            passive_dispatch(ps, &pkt); /* a repeat is not a new observation */
        }
    }
    struct collected c = {0};
    passive_finish(ps, collect, &c);
    const struct passive_stats *st = passive_get_stats(ps);
    assert_int_equal(c.hosts, 3);
    assert_int_equal(c.observations, 6);
    /* each not-kept value once: the repeat is a retransmission, dropped before */
    assert_int_equal(st->dropped_obs, 3 * 2);
    assert_true(st->dropped_hosts >= 2);
    passive_free(ps);
}

static void test_byte_budget_bounds_memory(void **state)
{
    (void)state;
    struct passive *ps = passive_new(&(struct passive_limits){.max_bytes = 4096});
    char resp[600] = "HTTP/1.1 200 OK\r\nServer: ";
    size_t head = strlen(resp);
    for (int i = 0; i < 50; i++) {
        memset(resp + head, 'a' + i % 26, 500); /* 50 distinct 500-byte values */
        resp[head + 500 - 1] = (char)('0' + i / 26);
        memcpy(resp + head + 500, "\r\n\r\n", 4);
        struct packet pkt = tcp_packet(80, (uint16_t)(50000 + i), 1, resp, head + 504);
        passive_dispatch(ps, &pkt);
    }
    struct collected c = {0};
    passive_finish(ps, collect, &c);
    assert_true(c.observations >= 1 && c.observations <= 4096 / 500);
    assert_int_equal(passive_get_stats(ps)->dropped_obs, 50 - c.observations);
    passive_free(ps);
}

static void test_decode_hostile_frames(void **state)
{
    (void)state;
    struct packet pkt;
    /* Five stacked VLAN tags: more than decode follows. */
    uint8_t tags[64] = {0};
    for (int i = 0; i < 5; i++) {
        tags[12 + 4 * i] = 0x81;
        tags[13 + 4 * i] = 0x00;
    }
    assert_int_equal(packet_decode(DLT_EN10MB, tags, 34, 0, &pkt), 0);
    assert_int_equal(pkt.family, 0);
    /* IPv4 header length larger than the frame. */
    uint8_t ip[34] = {[12] = 0x08, [13] = 0x00, [14] = 0x4f};
    assert_int_equal(packet_decode(DLT_EN10MB, ip, sizeof ip, 0, &pkt), -1);
    /* IPv4 total length and UDP length lying upwards: clamped to the capture. */
    uint8_t udp[14 + 20 + 8 + 4] = {
        [12] = 0x08, [14] = 0x45, [16] = 0xff, [17] = 0xff, [23] = 17, [38] = 0xff, [39] = 0xff};
    assert_int_equal(packet_decode(DLT_EN10MB, udp, sizeof udp, 0, &pkt), 0);
    assert_int_equal(pkt.l4, L4_UDP);
    assert_int_equal(pkt.payload_len, 4);
    /* IPv6 hop-by-hop headers chained past the end. */
    uint8_t v6[14 + 40 + 8] = {
        [12] = 0x86, [13] = 0xdd, [14] = 0x60, [20] = 0, [54] = 0, [55] = 200};
    assert_int_equal(packet_decode(DLT_EN10MB, v6, sizeof v6, 0, &pkt), 0);
    assert_int_equal(pkt.l4, L4_NONE);
    /* Short frames of every link type. */
    const int links[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(packet_decode(links[i], udp, 3, 0, &pkt), -1);
    assert_int_equal(packet_decode(12345, udp, sizeof udp, 0, &pkt), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns_query_and_answer_credit_the_asker),
        cmocka_unit_test(test_dns_hostile_names_are_dropped),
        cmocka_unit_test(test_dhcp_options_and_mac_only_host_merge),
        cmocka_unit_test(test_dhcp_option_running_past_the_end),
        cmocka_unit_test(test_tls_sni_and_lying_lengths),
        cmocka_unit_test(test_tls_garbage_certificate),
        cmocka_unit_test(test_http_headers_and_title),
        cmocka_unit_test(test_http_followed_across_segments),
        cmocka_unit_test(test_rtsp_realm),
        cmocka_unit_test(test_discovery_replies_credit_the_sender),
        cmocka_unit_test(test_limits_bound_memory),
        cmocka_unit_test(test_byte_budget_bounds_memory),
        cmocka_unit_test(test_decode_hostile_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
