/* server.c — camlab's libevent engine: listeners per (address, port) and the
 * per-connection protocol state machines (see server.h). */
#include "server.h"

#include "core/log.h"
#include "core/util.h"
#include "lab_request.h"
#include "tls_cert.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEAD_LIMIT (16 * 1024)
#define IDLE_TIMEOUT_S 30
#define HOSTILE_TIMEOUT_S 600
#define HUGE_CHUNK (64 * 1024)
#define ENDLESS_LINES_PER_TICK 32
#define LISTEN_BACKLOG 128
#define OUTPUT_BACKLOG (1024 * 1024) /* queued answer bytes before reading stops */

struct listener {
    struct lab_server *srv;
    struct lab_device *dev;
    struct lab_service *svc;
    struct evconnlistener *evl;
    struct event *pause; /* re-enables the listener after an accept failure */
    void *ssl_ctx;       /* this device's certificate (per-device TLS subjects) */
};

struct conn {
    struct conn *prev, *next;
    struct lab_server *srv;
    struct lab_device *dev;
    struct lab_service *svc;
    struct bufferevent *bev;
    struct event *timer;      /* drip / endless headers pacing */
    struct evbuffer *pending; /* drip: bytes not yet sent */
    uint64_t huge_left;       /* huge body: bytes still to generate */
    uint64_t counter;         /* endless headers: lines sent; garbage: PRNG state */
    bool close_when_done;
    bool answered; /* hostile services answer one request only */
};

struct lab_server {
    struct event_base *base;
    struct listener **listeners;
    size_t n_listeners, cap_listeners;
    struct conn *conns;
    size_t n_conns;
};

struct lab_server *lab_server_new(void)
{
    struct lab_server *srv = xcalloc(1, sizeof *srv);
    srv->base = event_base_new();
    if (!srv->base) {
        free(srv);
        return NULL;
    }
    return srv;
}

static void conn_free(struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        c->srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->srv->n_conns--;
    if (c->timer)
        event_free(c->timer);
    if (c->pending)
        evbuffer_free(c->pending);
    if (c->bev)
        bufferevent_free(c->bev);
    free(c);
}

void lab_server_free(struct lab_server *srv)
{
    if (!srv)
        return;
    while (srv->conns)
        conn_free(srv->conns);
    for (size_t i = 0; i < srv->n_listeners; i++) {
        if (srv->listeners[i]->pause)
            event_free(srv->listeners[i]->pause);
        if (srv->listeners[i]->ssl_ctx)
            lab_tls_ctx_free(srv->listeners[i]->ssl_ctx);
        evconnlistener_free(srv->listeners[i]->evl);
        free(srv->listeners[i]);
    }
    free(srv->listeners);
    event_base_free(srv->base);
    free(srv);
}

size_t lab_server_socket_count(const struct lab_server *srv)
{
    return srv->n_listeners;
}

/* ---- sending ---- */

static void drip_tick(evutil_socket_t fd, short what, void *arg);

/* Queues bytes for the client, one at a time for dripping services. */
static void conn_send(struct conn *c, const void *data, size_t len)
{
    if (c->svc->behaviour != BEHAVE_DRIP) {
        bufferevent_write(c->bev, data, len);
        return;
    }
    if (!c->pending)
        c->pending = evbuffer_new();
    evbuffer_add(c->pending, data, len);
    if (!c->timer) {
        c->timer = event_new(c->srv->base, -1, EV_PERSIST, drip_tick, c);
        struct timeval tv = {c->svc->interval_ms / 1000, (c->svc->interval_ms % 1000) * 1000};
        event_add(c->timer, &tv);
    }
}

static void drip_tick(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    unsigned char byte;
    if (evbuffer_remove(c->pending, &byte, 1) == 1)
        bufferevent_write(c->bev, &byte, 1);
    if (evbuffer_get_length(c->pending) == 0) {
        event_del(c->timer);
        if (c->close_when_done && evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
            conn_free(c);
    }
}

/* Closes once everything queued has left (now, if nothing is queued). */
static void conn_finish(struct conn *c)
{
    c->close_when_done = true;
    bool drip_pending = c->pending && evbuffer_get_length(c->pending) > 0;
    if (!drip_pending && evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
        conn_free(c);
}

/* Sends text after expanding {{variables}}. */
static void send_rendered(struct conn *c, const char *text, size_t len)
{
    size_t out_len;
    char *out = lab_render(c->dev, c->svc->port, text, len, &out_len);
    conn_send(c, out, out_len);
    free(out);
}

/* ---- HTTP and RTSP ---- */

static bool has_header(const struct lab_response *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->n_headers; i++)
        if (strncasecmp(r->headers[i], name, n) == 0 && r->headers[i][n] == ':')
            return true;
    return false;
}

static bool header_says_close(const struct lab_response *r)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (strncasecmp(r->headers[i], "Connection:", 11) == 0 &&
            strcasestr(r->headers[i] + 11, "close"))
            return true;
    return false;
}

static const struct lab_response *route_request(const struct lab_service *svc,
                                                const struct lab_request *req, const char *body,
                                                size_t body_len)
{
    for (size_t i = 0; i < svc->n_routes; i++) {
        const struct lab_route *r = &svc->routes[i];
        bool head_as_get =
            strcmp(req->method, "HEAD") == 0 && r->method && strcmp(r->method, "GET") == 0;
        if (r->method && strcmp(r->method, req->method) != 0 && !head_as_get)
            continue;
        if (r->path && strcmp(r->path, req->path) != 0)
            continue;
        if (r->body_contains && !memmem(body, body_len, r->body_contains, strlen(r->body_contains)))
            continue;
        return &r->response;
    }
    return &svc->fallback;
}

/* One persona header; {{content_length}} is the only per-answer variable. */
static void send_header_line(struct conn *c, const char *header, uint64_t content_length)
{
    static const char var[] = "{{content_length}}";
    const char *at = strstr(header, var);
    if (!at) {
        send_rendered(c, header, strlen(header));
        return;
    }
    char *line = xasprintf("%.*s%llu%s", (int)(at - header), header,
                           (unsigned long long)content_length, at + sizeof var - 1);
    send_rendered(c, line, strlen(line));
    free(line);
}

/* Status line, CSeq (RTSP), the persona's headers, Content-Length. */
static void send_head(struct conn *c, const struct lab_request *req, const struct lab_response *r,
                      uint64_t content_length)
{
    bool rtsp = c->svc->kind == SERVICE_RTSP;
    char *line = xasprintf("%s %d %s\r\n", rtsp ? "RTSP/1.0" : "HTTP/1.1", r->status, r->reason);
    conn_send(c, line, strlen(line));
    free(line);
    if (rtsp && req->cseq >= 0) {
        line = xasprintf("CSeq: %ld\r\n", req->cseq);
        conn_send(c, line, strlen(line));
        free(line);
    }
    for (size_t i = 0; i < r->n_headers; i++) {
        send_header_line(c, r->headers[i], content_length);
        conn_send(c, "\r\n", 2);
    }
    if (!has_header(r, "Content-Length") && (!rtsp || content_length > 0)) {
        line = xasprintf("Content-Length: %llu\r\n", (unsigned long long)content_length);
        conn_send(c, line, strlen(line));
        free(line);
    }
}

static void send_response(struct conn *c, const struct lab_request *req,
                          const struct lab_response *r)
{
    size_t body_len = r->body_len;
    char *body = r->template_body ? lab_render(c->dev, c->svc->port, (const char *)r->body,
                                               r->body_len, &body_len)
                                  : NULL;
    send_head(c, req, r, body_len);
    conn_send(c, "\r\n", 2);
    if (strcmp(req->method, "HEAD") != 0)
        conn_send(c, body ? body : (const char *)r->body, body_len);
    free(body);
}

static void endless_tick(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    if (evbuffer_get_length(out) > 256 * 1024)
        return; /* the client is not reading: wait */
    for (int i = 0; i < ENDLESS_LINES_PER_TICK; i++, c->counter++)
        evbuffer_add_printf(out, "X-Camlab-Header-%llu: %016llx\r\n",
                            (unsigned long long)c->counter,
                            (unsigned long long)(c->counter * 0x9E3779B97F4A7C15ULL));
}

static void fill_huge_body(struct conn *c)
{
    static unsigned char chunk[HUGE_CHUNK];
    if (chunk[0] == 0)
        for (size_t i = 0; i < sizeof chunk; i++)
            chunk[i] = (unsigned char)('a' + i % 26);
    size_t n = c->huge_left < sizeof chunk ? (size_t)c->huge_left : sizeof chunk;
    bufferevent_write(c->bev, chunk, n);
    c->huge_left -= n;
}

static void start_hostile_http(struct conn *c, const struct lab_request *req,
                               const struct lab_response *r)
{
    if (c->svc->behaviour == BEHAVE_HUGE_BODY) {
        send_head(c, req, r, c->svc->huge_body_bytes);
        conn_send(c, "\r\n", 2);
        c->huge_left = strcmp(req->method, "HEAD") == 0 ? 0 : c->svc->huge_body_bytes;
        c->close_when_done = true;
        fill_huge_body(c);
        return;
    }
    /* endless headers: a status line, then header lines until the client gives up */
    conn_send(c, "HTTP/1.1 200 OK\r\n", 17);
    c->timer = event_new(c->srv->base, -1, EV_PERSIST, endless_tick, c);
    struct timeval tv = {c->svc->interval_ms / 1000, (c->svc->interval_ms % 1000) * 1000};
    event_add(c->timer, &tv);
}

/* Handles every complete request in the input. */
static void on_http_input(struct conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    while (!c->answered && !c->close_when_done) {
        size_t avail = evbuffer_get_length(in);
        if (avail == 0)
            return;
        if (evbuffer_get_length(bufferevent_get_output(c->bev)) > OUTPUT_BACKLOG)
            return; /* a client that sends without reading waits (on_write resumes) */
        size_t look = avail < HEAD_LIMIT + LAB_BODY_LIMIT ? avail : HEAD_LIMIT + LAB_BODY_LIMIT;
        const char *data = (const char *)evbuffer_pullup(in, (ev_ssize_t)look);
        struct lab_request req;
        enum lab_parse rc = lab_request_parse(data, look, HEAD_LIMIT, &req);
        if (rc == LAB_PARSE_NEED_MORE)
            return;
        if (rc == LAB_PARSE_BAD) {
            const char *bad = c->svc->kind == SERVICE_RTSP
                                  ? "RTSP/1.0 400 Bad Request\r\n\r\n"
                                  : "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                    "Connection: close\r\n\r\n";
            bufferevent_write(c->bev, bad, strlen(bad));
            evbuffer_drain(in, avail);
            conn_finish(c);
            return;
        }
        if (req.head_len + req.content_length > look)
            return; /* body not complete yet */
        const struct lab_response *r =
            route_request(c->svc, &req, data + req.head_len, req.content_length);
        if (c->svc->behaviour == BEHAVE_HUGE_BODY || c->svc->behaviour == BEHAVE_ENDLESS_HEADERS) {
            c->answered = true;
            start_hostile_http(c, &req, r);
        } else {
            send_response(c, &req, r);
            if (req.close || header_says_close(r) || c->svc->behaviour == BEHAVE_DRIP)
                c->close_when_done = true;
        }
        evbuffer_drain(in, req.head_len + req.content_length);
        if (c->close_when_done) {
            evbuffer_drain(in, evbuffer_get_length(in));
            conn_finish(c);
            return;
        }
    }
    evbuffer_drain(in, evbuffer_get_length(in));
}

/* ---- DVRIP ---- */

static void on_dvrip_input(struct conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    for (;;) {
        size_t avail = evbuffer_get_length(in);
        if (avail == 0)
            return;
        const uint8_t *data = evbuffer_pullup(in, avail < DVRIP_HEADER_LEN ? -1 : DVRIP_HEADER_LEN);
        struct dvrip_header h;
        enum lab_parse rc = dvrip_header_parse(data, avail, LAB_BODY_LIMIT, &h);
        if (rc == LAB_PARSE_NEED_MORE ||
            (rc == LAB_PARSE_OK && avail < DVRIP_HEADER_LEN + h.body_len))
            return;
        if (rc == LAB_PARSE_BAD) {
            evbuffer_drain(in, avail);
            conn_finish(c); /* real DVRIP servers drop framing errors */
            return;
        }
        evbuffer_drain(in, DVRIP_HEADER_LEN + h.body_len);
        for (size_t i = 0; i < c->svc->n_dvrip; i++) {
            const struct lab_dvrip_reply *r = &c->svc->dvrip[i];
            if (r->request_id != h.message_id)
                continue;
            size_t len;
            char *body = lab_render(c->dev, c->svc->port, r->body, strlen(r->body), &len);
            struct dvrip_header out = {1, h.session ? h.session : 1, h.sequence, r->reply_id,
                                       (uint32_t)len + 2};
            uint8_t head[DVRIP_HEADER_LEN];
            dvrip_header_write(&out, head);
            conn_send(c, head, sizeof head);
            conn_send(c, body, len);
            conn_send(c, "\n\0", 2);
            free(body);
            break;
        }
    }
}

/* ---- connection events ---- */

static void send_garbage(struct conn *c)
{
    unsigned char junk[1024];
    uint64_t x = c->dev->id | 1;
    for (size_t i = 0; i < sizeof junk; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        junk[i] = (unsigned char)x;
    }
    junk[0] = 0x17; /* looks like a TLS record type, then nonsense */
    conn_send(c, junk, sizeof junk);
    conn_finish(c);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    switch (c->svc->behaviour) {
    case BEHAVE_TARPIT:
        evbuffer_drain(in, evbuffer_get_length(in));
        return;
    case BEHAVE_GARBAGE:
        evbuffer_drain(in, evbuffer_get_length(in));
        if (!c->answered) {
            c->answered = true;
            send_garbage(c);
        }
        return;
    default:
        break;
    }
    switch (c->svc->kind) {
    case SERVICE_HTTP:
    case SERVICE_RTSP:
        on_http_input(c);
        return;
    case SERVICE_DVRIP:
        on_dvrip_input(c);
        return;
    case SERVICE_BANNER:
        evbuffer_drain(in, evbuffer_get_length(in));
        if (c->svc->reply_len && !c->answered) {
            c->answered = true;
            conn_send(c, c->svc->reply, c->svc->reply_len);
        }
        return;
    }
}

static void on_write(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    if (c->huge_left > 0) {
        fill_huge_body(c);
        return;
    }
    bool drip_pending = c->pending && evbuffer_get_length(c->pending) > 0;
    if (c->close_when_done && !drip_pending) {
        conn_free(c);
        return;
    }
    if ((c->svc->kind == SERVICE_HTTP || c->svc->kind == SERVICE_RTSP) &&
        c->svc->behaviour == BEHAVE_NORMAL && evbuffer_get_length(bufferevent_get_input(bev)))
        on_http_input(c); /* requests held back while the output was full */
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
        conn_free(arg);
}

/* The SSL_CTX for a connection: the service's, or this device's own (made on
 * the first connection, with the subject's {{variables}} expanded). */
static SSL_CTX *listener_ssl_ctx(struct listener *l)
{
    const struct lab_tls *tls = l->svc->tls;
    if (!tls->per_device)
        return tls->ssl_ctx;
    if (l->ssl_ctx)
        return l->ssl_ctx;
    char **values = xcalloc(tls->n_subject + 1, sizeof *values);
    for (size_t i = 0; i < tls->n_subject; i++) {
        const char *v = tls->subject[2 * i + 1];
        values[i] = lab_render(l->dev, l->svc->port, v, strlen(v), NULL);
    }
    char err[256];
    l->ssl_ctx = lab_tls_ctx_make(tls, (const char *const *)values, err, sizeof err);
    if (!l->ssl_ctx)
        log_warn("%s port %u: %s", l->dev->ip, l->svc->port, err);
    for (size_t i = 0; i < tls->n_subject; i++)
        free(values[i]);
    free(values);
    return l->ssl_ctx;
}

static struct bufferevent *make_bufferevent(struct listener *l, evutil_socket_t fd)
{
    struct event_base *base = l->srv->base;
    if (!l->svc->tls || l->svc->behaviour == BEHAVE_GARBAGE)
        return bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    SSL_CTX *ctx = listener_ssl_ctx(l);
    SSL *ssl = ctx ? SSL_new(ctx) : NULL;
    if (!ssl)
        return NULL;
    struct bufferevent *bev = bufferevent_openssl_socket_new(
        base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (bev)
        bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    else
        SSL_free(ssl);
    return bev;
}

static void on_accept(struct evconnlistener *evl, evutil_socket_t fd, struct sockaddr *sa,
                      int socklen, void *arg)
{
    struct listener *l = arg;
    struct bufferevent *bev = make_bufferevent(l, fd);
    if (!bev) {
        evutil_closesocket(fd);
        return;
    }
    struct conn *c = xcalloc(1, sizeof *c);
    c->srv = l->srv;
    c->dev = l->dev;
    c->svc = l->svc;
    c->bev = bev;
    c->next = l->srv->conns;
    if (c->next)
        c->next->prev = c;
    l->srv->conns = c;
    l->srv->n_conns++;
    bufferevent_setcb(bev, on_read, on_write, on_event, c);
    bool hostile = c->svc->behaviour != BEHAVE_NORMAL;
    struct timeval idle = {hostile ? HOSTILE_TIMEOUT_S : IDLE_TIMEOUT_S, 0};
    bufferevent_set_timeouts(bev, &idle, NULL);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    if (c->svc->kind == SERVICE_BANNER && c->svc->banner_len && !hostile)
        conn_send(c, c->svc->banner, c->svc->banner_len);
    else if (c->svc->kind == SERVICE_BANNER && c->svc->banner_len &&
             c->svc->behaviour == BEHAVE_DRIP)
        conn_send(c, c->svc->banner, c->svc->banner_len);
}

static void on_pause_over(evutil_socket_t fd, short what, void *arg)
{
    struct listener *l = arg;
    evconnlistener_enable(l->evl);
}

/* Out of descriptors (EMFILE): the pending connection stays readable, so the
 * listener rests 100 ms instead of spinning on accept(). */
static void on_accept_error(struct evconnlistener *evl, void *arg)
{
    struct listener *l = arg;
    int e = EVUTIL_SOCKET_ERROR();
    log_debug("accept on %s port %u failed: %s", l->dev->ip, l->svc->port,
              evutil_socket_error_to_string(e));
    if (!l->pause)
        l->pause = evtimer_new(l->srv->base, on_pause_over, l);
    struct timeval rest = {0, 100 * 1000};
    evconnlistener_disable(evl);
    evtimer_add(l->pause, &rest);
}

/* ---- listening ---- */

static evutil_socket_t listen_socket(const struct lab_device *dev, uint16_t port, char *err,
                                     size_t err_size)
{
    struct sockaddr_storage ss;
    socklen_t len = target_addr_sockaddr(&dev->addr, port, &ss);
    evutil_socket_t fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        snprintf(err, err_size, "cannot listen on %s port %u: %s", dev->ip, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int add_listener(struct lab_server *srv, struct lab_device *dev, struct lab_service *svc,
                        char *err, size_t err_size)
{
    if (svc->tls && svc->behaviour != BEHAVE_GARBAGE && !svc->tls->ssl_ctx) {
        double start = time_now();
        int rc = svc->tls->per_device ? lab_tls_prepare(svc->tls, err, err_size)
                                      : (lab_tls_ctx_get(svc->tls, err, err_size) ? 0 : -1);
        if (rc < 0)
            return -1;
        log_debug("TLS key and certificate for port %u made in %.2f s", svc->port,
                  time_now() - start);
    }
    evutil_socket_t fd = listen_socket(dev, svc->port, err, err_size);
    if (fd < 0)
        return -1;
    struct listener *l = xcalloc(1, sizeof *l);
    l->srv = srv;
    l->dev = dev;
    l->svc = svc;
    l->evl = evconnlistener_new(srv->base, on_accept, l, LEV_OPT_CLOSE_ON_FREE, -1, fd);
    if (!l->evl) {
        snprintf(err, err_size, "cannot watch %s port %u", dev->ip, svc->port);
        close(fd);
        free(l);
        return -1;
    }
    evconnlistener_set_error_cb(l->evl, on_accept_error);
    if (srv->n_listeners == srv->cap_listeners) {
        srv->cap_listeners = srv->cap_listeners ? srv->cap_listeners * 2 : 256;
        srv->listeners = xrealloc(srv->listeners, srv->cap_listeners * sizeof *srv->listeners);
    }
    srv->listeners[srv->n_listeners++] = l;
    return 0;
}

int lab_server_add_device(struct lab_server *srv, struct lab_device *dev, char *err,
                          size_t err_size)
{
    const struct persona *p = dev->persona;
    for (size_t i = 0; i < p->n_services; i++)
        if (add_listener(srv, dev, &p->services[i], err, err_size) < 0)
            return -1;
    return 0;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    event_base_loopbreak(arg);
}

int lab_server_run(struct lab_server *srv)
{
    struct event *term = evsignal_new(srv->base, SIGTERM, on_signal, srv->base);
    struct event *intr = evsignal_new(srv->base, SIGINT, on_signal, srv->base);
    event_add(term, NULL);
    event_add(intr, NULL);
    int rc = event_base_dispatch(srv->base);
    event_free(term);
    event_free(intr);
    return rc < 0 ? -1 : 0;
}
