/* diss_tls.c — TLS on any TCP port: the server name of a ClientHello
 * (tls.sni, credited to the client) and the subject and issuer of the first
 * certificate of a TLS 1.2 (or older) Certificate message (credited to the
 * server, RFC 5246 7.4.2), decoded with OpenSSL's d2i_X509. TLS 1.3 encrypts
 * certificates, so only their SNI is seen.
 *
 * A server's handshake usually spans several TCP segments; tcp_follow keeps
 * up to TLS_FLOWS flows in sequence order, up to TLS_FLOW_BYTES each, until
 * the first certificate is complete. Segments out of order or lost end the
 * attempt for that flow. */
#include "passive/dissect.h"
#include "passive/tcp_follow.h"

#include <openssl/bio.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#define TLS_FLOWS 64
#define TLS_FLOW_BYTES 16384
#define TLS_NAME_MAX 1024

enum tls_result { TLS_DONE, TLS_NEED_MORE };

static uint32_t rd24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void emit_sni(struct passive *ps, const struct packet *pkt, const uint8_t *ext, size_t len)
{
    if (len < 2)
        return;
    size_t list = rd16(ext);
    if (list > len - 2)
        list = len - 2;
    size_t off = 2;
    while (off + 3 <= 2 + list) {
        uint8_t type = ext[off];
        size_t nlen = rd16(ext + off + 1);
        off += 3;
        if (nlen > 2 + list - off)
            return;
        if (type == 0 && nlen > 0) {
            passive_emit(ps, pkt, SIDE_SRC, pkt->dport, "tls.sni", ext + off, nlen);
            return;
        }
        off += nlen;
    }
}

/* Walks a ClientHello body (after the 4-byte handshake header) to its
 * server_name extension. */
static void parse_client_hello(struct passive *ps, const struct packet *pkt, const uint8_t *p,
                               size_t len)
{
    size_t off = 2 + 32; /* version, random */
    if (off + 1 > len)
        return;
    off += 1 + (size_t)p[off]; /* session id */
    if (off + 2 > len)
        return;
    off += 2 + (size_t)rd16(p + off); /* cipher suites */
    if (off + 1 > len)
        return;
    off += 1 + (size_t)p[off]; /* compression methods */
    if (off + 2 > len)
        return;
    size_t end = off + 2 + rd16(p + off);
    if (end > len)
        end = len;
    off += 2;
    while (off + 4 <= end) {
        uint16_t type = rd16(p + off);
        size_t elen = rd16(p + off + 2);
        off += 4;
        if (elen > end - off)
            return;
        if (type == 0) {
            emit_sni(ps, pkt, p + off, elen);
            return;
        }
        off += elen;
    }
}

static void emit_name(struct passive *ps, const struct packet *pkt, const char *signal,
                      const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *text;
        long n = BIO_get_mem_data(bio, &text);
        if (n > 0)
            passive_emit(ps, pkt, SIDE_SRC, pkt->sport, signal, text,
                         (size_t)n < TLS_NAME_MAX ? (size_t)n : TLS_NAME_MAX);
    }
    BIO_free(bio);
}

/* The Certificate body given may be cut short: only the first certificate
 * must be complete. Returns TLS_NEED_MORE when it is not yet. */
static enum tls_result parse_certificate(struct passive *ps, const struct packet *pkt,
                                         const uint8_t *p, size_t len)
{
    if (len < 6)
        return TLS_NEED_MORE;
    size_t cert_len = rd24(p + 3);
    if (cert_len == 0 || cert_len > rd24(p))
        return TLS_DONE;
    if (6 + cert_len > len)
        return TLS_NEED_MORE;
    const unsigned char *der = p + 6;
    X509 *cert = d2i_X509(NULL, &der, (long)cert_len);
    if (!cert)
        return TLS_DONE;
    emit_name(ps, pkt, "tls.subject", X509_get_subject_name(cert));
    emit_name(ps, pkt, "tls.issuer", X509_get_issuer_name(cert));
    X509_free(cert);
    return TLS_DONE;
}

/* Walks the TLS records in p. Handshake messages are read from the record
 * they start in; the Certificate may run past the bytes captured so far. */
static enum tls_result parse_records(struct passive *ps, const struct packet *pkt, const uint8_t *p,
                                     size_t len)
{
    size_t off = 0;
    bool server_hello = false;
    while (off + 5 <= len) {
        uint8_t type = p[off];
        if (type < 20 || type > 23 || p[off + 1] != 3)
            return TLS_DONE;
        size_t rlen = rd16(p + off + 3);
        const uint8_t *rec = p + off + 5;
        size_t avail = len - off - 5 < rlen ? len - off - 5 : rlen;
        if (type != 22)
            return TLS_DONE; /* past the plaintext handshake */
        size_t h = 0;
        while (h + 4 <= avail) {
            uint8_t htype = rec[h];
            size_t hlen = rd24(rec + h + 1);
            size_t have = avail - h - 4 < hlen ? avail - h - 4 : hlen;
            if (htype == 1) {
                parse_client_hello(ps, pkt, rec + h + 4, have);
                return TLS_DONE;
            }
            if (htype == 2)
                server_hello = true;
            if (htype == 11)
                return parse_certificate(ps, pkt, rec + h + 4, have);
            if (htype == 14 || htype == 13)
                return TLS_DONE; /* ServerHelloDone, CertificateRequest: no cert came */
            if (have < hlen)
                return TLS_NEED_MORE;
            h += 4 + hlen;
        }
        if (avail < rlen)
            return server_hello ? TLS_NEED_MORE : TLS_DONE;
        off += 5 + rlen;
    }
    return server_hello ? TLS_NEED_MORE : TLS_DONE;
}

static void dissect_tls(struct passive *ps, const struct packet *pkt)
{
    struct tcp_follow *flows = passive_state(ps);
    struct tcp_flow *f = flows ? tcp_follow_find(flows, pkt) : NULL;
    if (f) {
        switch (tcp_follow_append(flows, f, pkt)) {
        case FOLLOW_OLD:
            return; /* a retransmission: nothing new */
        case FOLLOW_APPENDED:
            if (parse_records(ps, pkt, f->buf, f->len) == TLS_DONE)
                tcp_follow_end(flows, f);
            return;
        case FOLLOW_BROKEN:
            tcp_follow_end(flows, f); /* lost or reordered: give up, but pkt */
            break;                    /* may start a new flight */
        }
    }
    const uint8_t *p = pkt->payload;
    if (pkt->payload_len < 9 || p[0] != 22 || p[1] != 3 || p[2] > 4)
        return;
    if (parse_records(ps, pkt, p, pkt->payload_len) == TLS_NEED_MORE && flows) {
        struct tcp_flow *slot = tcp_follow_slot(flows);
        tcp_follow_end(flows, slot); /* the oldest gives way */
        tcp_follow_begin(flows, slot, pkt);
    }
}

static void *tls_state_new(void)
{
    return tcp_follow_new(TLS_FLOWS, TLS_FLOW_BYTES);
}

const struct dissector dissector_tls = {.name = "tls",
                                        .l4 = L4_TCP,
                                        .dissect = dissect_tls,
                                        .state_new = tls_state_new,
                                        .state_free = tcp_follow_free};
