/* engine.c — the scan engine; see engine.h.
 *
 * Per thread: one event_base, one target iterator (its shard), one token
 * bucket (its share of --rate), a queue of connections waiting for a slot.
 * A host owns one port_state per port; the sweep connection of an open port
 * carries the first probe exchange (no second connect), later exchanges get
 * new connections queued at the head so started hosts finish first. Every
 * connection has one timer: connect timeout, then read-silence timeout,
 * never past its exchange deadline. The host has its own deadline timer that
 * cancels whatever is left. */
#include "core/engine.h"

#include "core/log.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "probes/probe.h"
#include "probes/tls_cert.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* An exchange never outlives this many connect/read timeouts in total, so a
 * device dripping one byte a second cannot hold a slot for long. */
#define EXCHANGE_TIMEOUTS 3
/* Fds kept back from the open-file limit for files, logs and the store,
 * plus an event loop's fds for each possible worker thread. */
#define FD_RESERVE (64 + 2 * ENGINE_MAX_THREADS)

enum port_status { PORT_SWEEPING, PORT_OPEN, PORT_CLOSED };

struct host;

struct port_state {
    uint16_t port;
    enum port_status status;
    struct probe_session session;
    SSL_SESSION *tls_session; /* resumed by the port's later exchanges */
    bool no_reuse;            /* the server dropped a kept-alive connection */
};

struct conn {
    struct host *host;
    struct port_state *ps;
    bool sweep;     /* first connection of the port: failure means closed */
    bool started;   /* connect issued */
    bool connected; /* TCP (and TLS) up */
    bool failed;    /* could not even start */
    bool reused;    /* carries a second or later request */
    struct bufferevent *bev;
    struct bufferevent *tcp; /* the socket bufferevent under a TLS filter */
    struct event *timer;
    double deadline; /* monotonic seconds */
    unsigned read_ms;
    TAILQ_ENTRY(conn) queue_link; /* worker queue while waiting */
    TAILQ_ENTRY(conn) host_link;  /* all live connections of the host */
};
TAILQ_HEAD(conn_list, conn);

struct worker;

/* A finished host handed to the reporter threads (owns its data). */
struct report {
    char ip[OBS_IP_MAX];
    uint16_t *open_ports;
    size_t open_count;
    struct obs_list obs;
    bool timed_out;
    TAILQ_ENTRY(report) link;
};

struct host {
    struct worker *w;
    struct target_addr addr;
    char ip[OBS_IP_MAX];
    struct port_state *ports;
    size_t port_count;
    size_t sweeps_left;
    struct conn_list conns;
    size_t conn_count;
    struct obs_list obs;
    struct event *deadline;
    bool expired;
};

struct engine {
    const struct engine_config *cfg;
    struct engine_stats *stats;
    SSL_CTX *ssl_ctx;
    atomic_uint running; /* worker threads still scanning */
    /* Finished hosts wait here for the reporter threads, which call
     * on_host outside the event loops: slow identification never stalls
     * the network side. Workers stop admitting hosts while it is full. */
    pthread_mutex_t queue_lock;
    pthread_cond_t queue_cond;
    TAILQ_HEAD(, report) reports;
    atomic_size_t queued;
    size_t queue_limit;
    bool closing;
    pthread_t *reporters;
    unsigned reporter_count;
};

struct worker {
    struct engine *eng;
    pthread_t thread;
    struct event_base *base;
    struct target_iter *it;
    bool exhausted;
    struct ratelimit rl;
    unsigned max_conns, in_flight;
    unsigned max_hosts, hosts_active;
    struct conn_list queue;
    struct event *pump_timer;
    bool pumping;
};

static void pump(struct worker *w);
static void conn_finish(struct conn *c, bool whole);
static void conn_done(struct conn *c);
static void conn_done_whole(struct conn *c);

static struct timeval ms_to_timeval(double ms)
{
    if (ms < 0)
        ms = 0;
    struct timeval tv = {.tv_sec = (time_t)(ms / 1000),
                         .tv_usec = (suseconds_t)((long long)ms % 1000 * 1000)};
    return tv;
}

/* Arms the connection's timer for min(ms, time left before its deadline). */
static void conn_arm(struct conn *c, unsigned ms)
{
    double left = (c->deadline - ratelimit_clock()) * 1000.0;
    double wait = ms < left ? ms : left;
    struct timeval tv = ms_to_timeval(wait);
    evtimer_add(c->timer, &tv);
}

static void conn_release(struct conn *c)
{
    struct host *h = c->host;
    if (c->bev) {
        /* Reset rather than linger: no TIME_WAIT pile-up across a /16. */
        evutil_socket_t fd = bufferevent_getfd(c->tcp ? c->tcp : c->bev);
        if (fd >= 0) {
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        bufferevent_free(c->bev);
        h->w->in_flight--;
    } else if (!c->started) {
        TAILQ_REMOVE(&h->w->queue, c, queue_link);
    }
    event_free(c->timer);
    TAILQ_REMOVE(&h->conns, c, host_link);
    h->conn_count--;
    free(c);
}

static void host_free(struct host *h)
{
    for (size_t i = 0; i < h->port_count; i++)
        if (h->ports[i].tls_session)
            SSL_SESSION_free(h->ports[i].tls_session);
    obs_list_clear(&h->obs);
    event_free(h->deadline);
    free(h->ports);
    free(h);
}

/* Moves a finished host's results to the report queue (or drops them when
 * nothing would be reported) and counts it. */
static void host_report(struct host *h)
{
    struct engine *eng = h->w->eng;
    struct report *r = xcalloc(1, sizeof *r);
    r->open_ports = xmalloc((h->port_count ? h->port_count : 1) * sizeof *r->open_ports);
    for (size_t i = 0; i < h->port_count; i++)
        if (h->ports[i].status == PORT_OPEN)
            r->open_ports[r->open_count++] = h->ports[i].port;
    atomic_fetch_add(&eng->stats->hosts_done, 1);
    if (r->open_count) {
        atomic_fetch_add(&eng->stats->hosts_up, 1);
        atomic_fetch_add(&eng->stats->ports_open, r->open_count);
    }
    if (h->expired)
        atomic_fetch_add(&eng->stats->hosts_timed_out, 1);
    if ((!r->open_count && !eng->cfg->report_all) || !eng->cfg->on_host) {
        free(r->open_ports);
        free(r);
        return;
    }
    memcpy(r->ip, h->ip, sizeof r->ip);
    r->obs = h->obs; /* ownership moves to the report */
    memset(&h->obs, 0, sizeof h->obs);
    r->timed_out = h->expired;
    pthread_mutex_lock(&eng->queue_lock);
    TAILQ_INSERT_TAIL(&eng->reports, r, link);
    atomic_fetch_add(&eng->queued, 1);
    pthread_cond_signal(&eng->queue_cond);
    pthread_mutex_unlock(&eng->queue_lock);
}

static void report_free(struct report *r)
{
    obs_list_clear(&r->obs);
    free(r->open_ports);
    free(r);
}

/* Reporter thread: hands queued hosts to on_host until the scan is over. */
static void *reporter_main(void *arg)
{
    struct engine *eng = arg;
    for (;;) {
        pthread_mutex_lock(&eng->queue_lock);
        while (TAILQ_EMPTY(&eng->reports) && !eng->closing)
            pthread_cond_wait(&eng->queue_cond, &eng->queue_lock);
        struct report *r = TAILQ_FIRST(&eng->reports);
        if (r)
            TAILQ_REMOVE(&eng->reports, r, link);
        pthread_mutex_unlock(&eng->queue_lock);
        if (!r)
            return NULL;
        struct engine_host result = {.ip = r->ip,
                                     .open_ports = r->open_ports,
                                     .open_count = r->open_count,
                                     .obs = r->obs.items,
                                     .obs_count = r->obs.count,
                                     .timed_out = r->timed_out};
        eng->cfg->on_host(&result, eng->cfg->ctx);
        report_free(r);
        atomic_fetch_sub(&eng->queued, 1);
    }
}

/* Reports and frees the host once nothing of it is left running. */
static void host_maybe_done(struct host *h)
{
    if (h->conn_count > 0)
        return;
    struct worker *w = h->w;
    host_report(h);
    host_free(h);
    w->hosts_active--;
}

static void host_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    struct host *h = arg;
    h->expired = true;
    /* Finishing parses what each exchange has so far; nothing new starts. */
    while (!TAILQ_EMPTY(&h->conns)) {
        struct conn *c = TAILQ_FIRST(&h->conns);
        if (c->connected)
            conn_finish(c, false);
        else
            conn_release(c);
    }
    struct worker *w = h->w;
    host_maybe_done(h);
    pump(w);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg);

static struct conn *conn_new(struct host *h, struct port_state *ps, bool sweep)
{
    struct conn *c = xcalloc(1, sizeof *c);
    c->host = h;
    c->ps = ps;
    c->sweep = sweep;
    c->timer = evtimer_new(h->w->base, conn_timer_cb, c);
    TAILQ_INSERT_TAIL(&h->conns, c, host_link);
    h->conn_count++;
    return c;
}

static void port_mark(struct port_state *ps, struct host *h, enum port_status status)
{
    if (ps->status == PORT_SWEEPING)
        h->sweeps_left--;
    ps->status = status;
}

/* Sends the session's current request on a connected conn and waits for the
 * answer. */
static void exchange_send(struct conn *c)
{
    struct probe_session *s = &c->ps->session;
    char *req = NULL;
    size_t len = 0;
    s->closed_by_peer = false;
    s->module->build_request(s, &req, &len);
    if (len)
        bufferevent_write(c->bev, req, len);
    free(req);
    const struct engine_config *cfg = c->host->w->eng->cfg;
    unsigned idle = s->module->idle_ms;
    c->read_ms = idle && idle < cfg->timeout_ms ? idle : cfg->timeout_ms;
    bufferevent_enable(c->bev, EV_READ);
    conn_arm(c, c->read_ms);
}

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short events, void *arg);

/* Puts the exchange on TLS: the socket bufferevent goes under a filter. */
static bool conn_start_tls(struct conn *c)
{
    struct worker *w = c->host->w;
    SSL *ssl = SSL_new(w->eng->ssl_ctx);
    if (!ssl)
        return false;
    /* Later exchanges resume the first one's session: one full handshake
     * per port instead of one per request. */
    if (c->ps->tls_session)
        SSL_set_session(ssl, c->ps->tls_session);
    struct bufferevent *tls = bufferevent_openssl_filter_new(
        w->base, c->bev, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    if (!tls) {
        /* Whether libevent already freed ssl on this (allocation failure)
         * path differs between its versions: a leak here is the safe side
         * of a double free. */
        return false;
    }
    bufferevent_openssl_set_allow_dirty_shutdown(tls, 1);
    c->tcp = c->bev;
    c->bev = tls;
    bufferevent_setcb(tls, conn_read_cb, NULL, conn_event_cb, c);
    bufferevent_enable(tls, EV_READ | EV_WRITE);
    return true;
}

static void conn_connected(struct conn *c)
{
    struct port_state *ps = c->ps;
    struct host *h = c->host;
    if (c->sweep && ps->status == PORT_SWEEPING) {
        port_mark(ps, h, PORT_OPEN);
        ps->session.module = probe_port_map_module(h->w->eng->cfg->port_map, ps->port);
    }
    if (ps->session.module->tls && !c->tcp) {
        if (!conn_start_tls(c)) {
            conn_done(c);
            return;
        }
        conn_arm(c, h->w->eng->cfg->timeout_ms); /* handshake */
        return;
    }
    c->connected = true;
    exchange_send(c);
}

static void conn_event_cb(struct bufferevent *bev, short events, void *arg)
{
    struct conn *c = arg;
    if (events & BEV_EVENT_CONNECTED) {
        if (c->tcp) { /* TLS handshake done */
            SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
            if (ssl)
                tls_cert_emit(&c->ps->session, ssl);
            c->connected = true;
            exchange_send(c);
            return;
        }
        conn_connected(c);
        return;
    }
    /* EOF or error: the answer (if any) is all there is. */
    c->ps->session.closed_by_peer = c->connected && (events & BEV_EVENT_EOF);
    if ((events & BEV_EVENT_ERROR) && log_verbosity() >= 2)
        log_debug("%s:%u %s: %s", c->host->ip, c->ps->port, c->connected ? "read" : "connect",
                  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
    if (!c->connected && c->sweep && c->ps->status == PORT_SWEEPING)
        port_mark(c->ps, c->host, PORT_CLOSED);
    conn_done(c);
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t len = evbuffer_get_length(in);
    const struct probe_module *m = c->ps->session.module;
    if (len >= m->response_cap) {
        conn_done(c);
        return;
    }
    const uint8_t *data = evbuffer_pullup(in, (ev_ssize_t)len);
    if (m->response_status(data, len) == PROBE_READ_DONE) {
        conn_done_whole(c);
        return;
    }
    conn_arm(c, c->read_ms);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    if (log_verbosity() >= 2)
        log_debug("%s:%u %s timed out", c->host->ip, c->ps->port,
                  c->connected ? "read" : (c->failed ? "start" : "connect"));
    if (!c->connected && c->sweep && c->ps->status == PORT_SWEEPING)
        port_mark(c->ps, c->host, PORT_CLOSED); /* filtered, or could not start */
    conn_done(c);
}

/* Sends the session's next request on the same connection (HTTP keep-alive,
 * RTSP): no connect, no TLS handshake. */
static void conn_reuse(struct conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    evbuffer_drain(in, evbuffer_get_length(in));
    c->deadline = ratelimit_clock() + EXCHANGE_TIMEOUTS * c->host->w->eng->cfg->timeout_ms / 1000.0;
    c->reused = true;
    exchange_send(c);
}

/* Ends an exchange: parses what arrived, then either sends the next request
 * on the same connection (whole answer, module allows it) or frees the
 * connection and queues the session's next exchange. */
static void conn_finish(struct conn *c, bool whole)
{
    struct host *h = c->host;
    struct worker *w = h->w;
    struct port_state *ps = c->ps;
    struct probe_session *s = &ps->session;
    bool parse = c->connected && s->module && !s->done;
    if (c->connected && c->tcp && !ps->tls_session) {
        SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
        SSL_SESSION *sess = ssl ? SSL_get1_session(ssl) : NULL;
        if (sess && SSL_SESSION_is_resumable(sess))
            ps->tls_session = sess;
        else if (sess)
            SSL_SESSION_free(sess);
    }
    if (parse && c->reused && evbuffer_get_length(bufferevent_get_input(c->bev)) == 0 &&
        !h->expired) {
        /* Many embedded servers close a kept-alive connection without
         * saying so: ask again on a fresh connection, and stop reusing. */
        ps->no_reuse = true;
        conn_release(c);
        struct conn *next = conn_new(h, ps, false);
        TAILQ_INSERT_HEAD(&w->queue, next, queue_link);
        return;
    }
    if (parse) {
        struct evbuffer *in = bufferevent_get_input(c->bev);
        size_t len = evbuffer_get_length(in);
        if (len > s->module->response_cap)
            len = s->module->response_cap;
        const uint8_t *data = len ? evbuffer_pullup(in, (ev_ssize_t)len) : NULL;
        if (len)
            atomic_fetch_add(&w->eng->stats->exchanges, 1);
        if (len && !c->reused)
            atomic_fetch_add(&w->eng->stats->probe_connections, 1);
        s->keep_alive = false;
        s->module->parse_response(s, data ? data : (const uint8_t *)"", len);
        if (whole && s->keep_alive && !ps->no_reuse && !s->done && !h->expired) {
            conn_reuse(c);
            return;
        }
    }
    conn_release(c);
    if (parse && !s->done && !h->expired) {
        struct conn *next = conn_new(h, ps, false);
        TAILQ_INSERT_HEAD(&w->queue, next, queue_link);
    }
}

/* conn_finish, then the host may be complete and a slot is free. */
static void conn_end(struct conn *c, bool whole)
{
    struct host *h = c->host;
    struct worker *w = h->w;
    conn_finish(c, whole);
    host_maybe_done(h);
    pump(w);
}

/* The connection ended early (end of stream, error, timeout, byte cap). */
static void conn_done(struct conn *c)
{
    conn_end(c, false);
}

/* A whole answer arrived and the connection is still up. */
static void conn_done_whole(struct conn *c)
{
    conn_end(c, true);
}

/* A connection that could not even be tried for want of local resources
 * (no fd left, no memory): the port is reported closed, so say why, once. */
static void warn_not_started(void)
{
    static atomic_flag warned = ATOMIC_FLAG_INIT;
    int e = errno;
    if ((e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) &&
        !atomic_flag_test_and_set(&warned))
        log_warn("cannot open a connection: %s; ports that could not be tried are reported "
                 "closed (lower --concurrency or raise the open-file limit)",
                 strerror(e));
}

static void conn_start(struct worker *w, struct conn *c)
{
    const struct engine_config *cfg = w->eng->cfg;
    struct host *h = c->host;
    static const struct timeval zero = {0, 0};
    c->started = true;
    c->deadline = ratelimit_clock() + EXCHANGE_TIMEOUTS * cfg->timeout_ms / 1000.0;
    atomic_fetch_add(&w->eng->stats->connections, 1);
    struct sockaddr_storage sa;
    socklen_t sa_len = target_addr_sockaddr(&h->addr, c->ps->port, &sa);
    c->bev = bufferevent_socket_new(w->base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!c->bev) {
        warn_not_started();
        c->failed = true;
        evtimer_add(c->timer, &zero);
        return;
    }
    w->in_flight++;
    bufferevent_setcb(c->bev, conn_read_cb, NULL, conn_event_cb, c);
    if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&sa, (int)sa_len) < 0) {
        warn_not_started();
        c->failed = true;
        evtimer_add(c->timer, &zero);
        return;
    }
    conn_arm(c, cfg->timeout_ms);
}

static bool host_admit(struct worker *w)
{
    if (w->exhausted || w->hosts_active >= w->max_hosts)
        return false;
    if (atomic_load(&w->eng->queued) >= w->eng->queue_limit) {
        /* Reporters are behind: look again shortly instead of piling up. */
        static const struct timeval later = {0, 20 * 1000};
        evtimer_add(w->pump_timer, &later);
        return false;
    }
    struct target_addr addr;
    if (!target_iter_next(w->it, &addr)) {
        w->exhausted = true;
        return false;
    }
    const struct engine_config *cfg = w->eng->cfg;
    struct host *h = xcalloc(1, sizeof *h);
    h->w = w;
    h->addr = addr;
    target_addr_format(&addr, h->ip, sizeof h->ip);
    TAILQ_INIT(&h->conns);
    h->port_count = cfg->port_count;
    h->sweeps_left = cfg->port_count;
    h->ports = xcalloc(cfg->port_count ? cfg->port_count : 1, sizeof *h->ports);
    for (size_t i = 0; i < cfg->port_count; i++) {
        struct port_state *ps = &h->ports[i];
        ps->port = cfg->ports[i];
        ps->session.ip = h->ip;
        ps->session.port = ps->port;
        ps->session.out = &h->obs;
        struct conn *c = conn_new(h, ps, true);
        TAILQ_INSERT_TAIL(&w->queue, c, queue_link);
    }
    h->deadline = evtimer_new(w->base, host_deadline_cb, h);
    struct timeval tv = ms_to_timeval(cfg->host_timeout_ms);
    evtimer_add(h->deadline, &tv);
    w->hosts_active++;
    if (cfg->port_count == 0)
        host_maybe_done(h);
    return true;
}

static void pump_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    pump(arg);
}

/* Starts queued connections (admitting hosts when the queue runs dry) while
 * there are free slots and rate tokens. */
static void pump(struct worker *w)
{
    if (w->pumping)
        return;
    w->pumping = true;
    while (w->in_flight < w->max_conns) {
        struct conn *c = TAILQ_FIRST(&w->queue);
        if (!c) {
            if (!host_admit(w))
                break;
            continue;
        }
        double now = ratelimit_clock();
        if (!ratelimit_take(&w->rl, now)) {
            struct timeval tv = ms_to_timeval(ratelimit_wait(&w->rl, now) * 1000.0 + 0.5);
            evtimer_add(w->pump_timer, &tv);
            break;
        }
        TAILQ_REMOVE(&w->queue, c, queue_link);
        conn_start(w, c);
    }
    w->pumping = false;
    if (w->exhausted && w->hosts_active == 0)
        event_base_loopexit(w->base, NULL);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    pump(w);
    if (!(w->exhausted && w->hosts_active == 0))
        event_base_dispatch(w->base);
    atomic_fetch_sub(&w->eng->running, 1);
    return NULL;
}

unsigned engine_max_concurrency(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 256;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    rlim_t usable = rl.rlim_cur > FD_RESERVE * 2 ? rl.rlim_cur - FD_RESERVE : FD_RESERVE;
    return usable > ENGINE_MAX_CONCURRENCY ? ENGINE_MAX_CONCURRENCY : (unsigned)usable;
}

static bool worker_init(struct worker *w, struct engine *eng, unsigned index, uint64_t seed)
{
    const struct engine_config *cfg = eng->cfg;
    unsigned threads = cfg->threads;
    w->eng = eng;
    w->base = event_base_new();
    if (!w->base)
        return false;
    /* Thread t of T inside user shard i/N walks shard i + N*t of N*T. */
    uint32_t shard_count = cfg->shard_count ? cfg->shard_count : 1;
    w->it = target_iter_new(cfg->targets, seed, cfg->shard_index + shard_count * index,
                            shard_count * threads);
    w->max_conns = cfg->concurrency / threads + (index < cfg->concurrency % threads);
    if (w->max_conns == 0)
        w->max_conns = 1;
    w->max_hosts = w->max_conns;
    double rate = cfg->rate / threads;
    ratelimit_init(&w->rl, rate, rate / 100, ratelimit_clock());
    TAILQ_INIT(&w->queue);
    w->pump_timer = evtimer_new(w->base, pump_timer_cb, w);
    return true;
}

static void worker_free(struct worker *w)
{
    if (w->pump_timer)
        event_free(w->pump_timer);
    if (w->it)
        target_iter_free(w->it);
    if (w->base)
        event_base_free(w->base);
}

/* Without its reporter threads a scan cannot report anything. */
static void fatal_thread_error(void)
{
    log_error("cannot start a reporter thread: %s", strerror(errno));
    exit(EXIT_FAILURE_RUNTIME);
}

static uint64_t pick_seed(uint64_t seed)
{
    while (seed == 0) {
        if (getentropy(&seed, sizeof seed) != 0)
            seed = (uint64_t)time(NULL);
    }
    return seed;
}

static void wait_for_workers(struct engine *eng, const struct engine_config *cfg)
{
    double last = ratelimit_clock();
    while (atomic_load(&eng->running) > 0) {
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
        double now = ratelimit_clock();
        if (cfg->on_progress && now - last >= 1.0) {
            cfg->on_progress(eng->stats, cfg->ctx);
            last = now;
        }
    }
}

static bool config_valid(const struct engine_config *cfg, char *err, size_t err_size)
{
    if (cfg->threads == 0 || cfg->threads > ENGINE_MAX_THREADS) {
        snprintf(err, err_size, "threads must be 1-%d", ENGINE_MAX_THREADS);
        return false;
    }
    if (cfg->concurrency == 0 || cfg->timeout_ms == 0 || cfg->host_timeout_ms == 0 ||
        !cfg->port_map) {
        snprintf(err, err_size, "concurrency, timeouts and the port map must be set");
        return false;
    }
    return true;
}

int engine_run(const struct engine_config *cfg, struct engine_stats *stats, char *err,
               size_t err_size)
{
    if (!config_valid(cfg, err, err_size))
        return -1;
    struct engine_stats local_stats;
    if (!stats)
        stats = &local_stats;
    memset(stats, 0, sizeof *stats);
    struct engine eng = {.cfg = cfg, .stats = stats};
    eng.ssl_ctx = tls_client_context_new();
    if (!eng.ssl_ctx) {
        snprintf(err, err_size, "cannot create a TLS context");
        return -1;
    }
    pthread_mutex_init(&eng.queue_lock, NULL);
    pthread_cond_init(&eng.queue_cond, NULL);
    TAILQ_INIT(&eng.reports);
    eng.queue_limit = cfg->concurrency;
    eng.reporter_count = cfg->threads;
    eng.reporters = xcalloc(eng.reporter_count, sizeof *eng.reporters);
    for (unsigned i = 0; i < eng.reporter_count; i++)
        if (pthread_create(&eng.reporters[i], NULL, reporter_main, &eng) != 0)
            fatal_thread_error();
    uint64_t seed = pick_seed(cfg->seed);
    struct worker *workers = xcalloc(cfg->threads, sizeof *workers);
    int rc = 0;
    for (unsigned i = 0; i < cfg->threads && rc == 0; i++)
        if (!worker_init(&workers[i], &eng, i, seed)) {
            snprintf(err, err_size, "cannot create an event loop");
            rc = -1;
        }
    unsigned started = 0;
    for (unsigned i = 0; i < cfg->threads && rc == 0; i++) {
        atomic_fetch_add(&eng.running, 1);
        if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
            atomic_fetch_sub(&eng.running, 1);
            snprintf(err, err_size, "cannot start a scan thread: %s", strerror(errno));
            rc = -1;
            break;
        }
        started++;
    }
    wait_for_workers(&eng, cfg);
    for (unsigned i = 0; i < started; i++)
        pthread_join(workers[i].thread, NULL);
    for (unsigned i = 0; i < cfg->threads; i++)
        worker_free(&workers[i]);
    free(workers);
    SSL_CTX_free(eng.ssl_ctx);
    pthread_mutex_lock(&eng.queue_lock);
    eng.closing = true;
    pthread_cond_broadcast(&eng.queue_cond);
    pthread_mutex_unlock(&eng.queue_lock);
    for (unsigned i = 0; i < eng.reporter_count; i++)
        pthread_join(eng.reporters[i], NULL);
    free(eng.reporters);
    pthread_cond_destroy(&eng.queue_cond);
    pthread_mutex_destroy(&eng.queue_lock);
    return rc;
}
