/* diss_http.c — HTTP/1.x on any TCP port. A request gives the Host its
 * client asked for (http.host, credited to the client); a response gives
 * Server, WWW-Authenticate, the HTML <title> and the first bytes of its body
 * (http.body), credited to the server.
 *
 * A response often spans several segments (a login page's <title> may sit in
 * the second): when the first segment does not hold the whole header block
 * and enough of the body, the response's flow is followed in sequence order
 * (tcp_follow: HTTP_FLOWS flows, HTTP_FLOW_BYTES each) and read once it is
 * complete, full, broken (a lost or reordered segment), closed, pushed out by
 * newer flows, or the capture ends. Each response is read exactly once. */
#include "passive/dissect.h"
#include "passive/tcp_follow.h"
#include "passive/textproto.h"
#include "probes/http_parse.h"

#define HTTP_FLOWS 64
#define HTTP_FLOW_BYTES 8192
/* Body bytes worth waiting for: the http.body signal's cap. */
#define HTTP_BODY_WANT 4096

static const char *const methods[] = {"GET ",    "POST ",    "HEAD ", "PUT ",
                                      "DELETE ", "OPTIONS ", NULL};

static bool is_request(const uint8_t *p, size_t len)
{
    for (size_t i = 0; methods[i]; i++)
        if (text_starts(p, len, methods[i]))
            return !text_find_ci(p, len < 512 ? len : 512, " RTSP/1.0\r\n");
    return false;
}

static void emit_header(struct passive *ps, const struct packet *pkt, enum emit_side side,
                        uint16_t port, const uint8_t *p, size_t len, const char *name,
                        const char *signal)
{
    const uint8_t *v;
    size_t vlen;
    if (text_header(p, len, name, &v, &vlen) && vlen > 0)
        passive_emit(ps, pkt, side, port, signal, v, vlen);
}

/* True when the bytes of a response hold all the dissector reads: the
 * answer is whole by its own framing (src/probes/http_parse: length,
 * chunks, no body by status, interim answers skipped) or never will be
 * (malformed), or its first HTTP_BODY_WANT body bytes or its closing
 * </html> are there. */
static bool response_complete(const uint8_t *p, size_t len)
{
    if (http_response_status(p, len) != HTTP_PARSE_INCOMPLETE)
        return true;
    const uint8_t *body;
    size_t body_len;
    return text_body(p, len, &body, &body_len) &&
           (body_len >= HTTP_BODY_WANT || text_find_ci(body, body_len, "</html>") != NULL);
}

/* Reads one response (all of it that is here), crediting pkt's source. */
static void read_response(struct passive *ps, const struct packet *pkt, const uint8_t *p,
                          size_t len)
{
    emit_header(ps, pkt, SIDE_SRC, pkt->sport, p, len, "Server", "http.server");
    emit_header(ps, pkt, SIDE_SRC, pkt->sport, p, len, "WWW-Authenticate", "http.www_authenticate");
    const uint8_t *body, *title;
    size_t body_len, title_len;
    if (!text_body(p, len, &body, &body_len) || body_len == 0)
        return;
    passive_emit(ps, pkt, SIDE_SRC, pkt->sport, "http.body", body, body_len);
    if (html_title(body, body_len, &title, &title_len) && title_len > 0)
        passive_emit(ps, pkt, SIDE_SRC, pkt->sport, "http.title", title, title_len);
}

/* Reads what a followed flow holds and stops following it. */
static void flow_read(struct passive *ps, struct tcp_follow *flows, struct tcp_flow *f)
{
    read_response(ps, &f->first, f->buf, f->len);
    tcp_follow_end(flows, f);
}

/* A segment of a followed response: true when it was one (read or kept). */
static bool continue_response(struct passive *ps, struct tcp_follow *flows,
                              const struct packet *pkt)
{
    struct tcp_flow *f = tcp_follow_find(flows, pkt);
    if (!f)
        return false;
    if (pkt->tcp_seq == f->next_seq && text_starts(pkt->payload, pkt->payload_len, "HTTP/1.")) {
        flow_read(ps, flows, f); /* the next response of a kept-alive connection */
        return false;
    }
    switch (tcp_follow_append(flows, f, pkt)) {
    case FOLLOW_OLD:
        return true; /* a retransmission: nothing new */
    case FOLLOW_BROKEN:
        flow_read(ps, flows, f); /* what came in order is all there is */
        return false;
    case FOLLOW_APPENDED:
        break;
    }
    if ((pkt->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) || f->len == flows->flow_bytes ||
        response_complete(f->buf, f->len))
        flow_read(ps, flows, f);
    return true;
}

static void dissect_http(struct passive *ps, const struct packet *pkt)
{
    struct tcp_follow *flows = passive_state(ps);
    const uint8_t *p = pkt->payload;
    size_t len = pkt->payload_len;
    if (flows && flows->active && (len || (pkt->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST))) &&
        continue_response(ps, flows, pkt))
        return;
    if (len < 16)
        return;
    if (text_starts(p, len, "HTTP/1.")) {
        if (!flows || (pkt->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) ||
            len >= flows->flow_bytes || response_complete(p, len)) {
            read_response(ps, pkt, p, len);
            return;
        }
        struct tcp_flow *slot = tcp_follow_slot(flows);
        if (slot->used)
            flow_read(ps, flows, slot); /* the oldest gives way, read as it is */
        tcp_follow_begin(flows, slot, pkt);
    } else if (is_request(p, len)) {
        emit_header(ps, pkt, SIDE_SRC, pkt->dport, p, len, "Host", "http.host");
    }
}

static void *http_state_new(void)
{
    return tcp_follow_new(HTTP_FLOWS, HTTP_FLOW_BYTES);
}

/* The capture ended: read the responses still followed. */
static void http_finish(struct passive *ps)
{
    struct tcp_follow *flows = passive_state(ps);
    for (size_t i = 0; flows && flows->flows && i < flows->flow_count; i++)
        if (flows->flows[i].used)
            flow_read(ps, flows, &flows->flows[i]);
}

const struct dissector dissector_http = {.name = "http",
                                         .l4 = L4_TCP,
                                         .dissect = dissect_http,
                                         .state_new = http_state_new,
                                         .state_free = tcp_follow_free,
                                         .finish = http_finish};
