/* diss_http.c — HTTP/1.x on any TCP port. A request gives the Host its
 * client asked for (http.host, credited to the client); a response gives
 * Server, WWW-Authenticate, the HTML <title> and the first bytes of its body
 * (http.body), credited to the server. Only the first segment of a response
 * is read: a title or body that starts in a later segment is not seen (no
 * stream reassembly for HTTP). */
#include "passive/dissect.h"
#include "passive/textproto.h"

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

static void dissect_http(struct passive *ps, const struct packet *pkt)
{
    const uint8_t *p = pkt->payload;
    size_t len = pkt->payload_len;
    if (len < 16)
        return;
    if (text_starts(p, len, "HTTP/1.")) {
        emit_header(ps, pkt, SIDE_SRC, pkt->sport, p, len, "Server", "http.server");
        emit_header(ps, pkt, SIDE_SRC, pkt->sport, p, len, "WWW-Authenticate",
                    "http.www_authenticate");
        const uint8_t *body, *title;
        size_t body_len, title_len;
        if (!text_body(p, len, &body, &body_len) || body_len == 0)
            return;
        passive_emit(ps, pkt, SIDE_SRC, pkt->sport, "http.body", body, body_len);
        if (html_title(body, body_len, &title, &title_len) && title_len > 0)
            passive_emit(ps, pkt, SIDE_SRC, pkt->sport, "http.title", title, title_len);
    } else if (is_request(p, len)) {
        emit_header(ps, pkt, SIDE_SRC, pkt->dport, p, len, "Host", "http.host");
    }
}

const struct dissector dissector_http = {.name = "http", .l4 = L4_TCP, .dissect = dissect_http};
