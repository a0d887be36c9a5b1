/* test_engine.c — the scan engine against real sockets on the scan helper's
 * loopback range (127.30.2.0/24): a well-behaved HTTP device, a closed port,
 * and hostile services (tarpit, one-byte drip, endless headers, endless
 * body). Asserts what is found, that deadlines and byte caps hold, and that
 * the thread count does not change the results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/engine.h"
#include "core/ratelimit.h"
#include "probes/probe.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum behaviour { GOOD_HTTP, TARPIT, DRIP, ENDLESS_HEADERS, ENDLESS_BODY };

struct listener {
    int fd;
    enum behaviour behaviour;
    pthread_t thread;
};

static atomic_bool stopping;
static atomic_uint_fast64_t bytes_sent_endless;
static atomic_uint good_requests; /* requests the good device answered */

static const char good_answer[] =
    "HTTP/1.1 200 OK\r\nServer: lab-good\r\nContent-Length: 38\r\n\r\n"
    "<html><title>Good Device</title></html>";

static bool send_all(int fd, const char *p, size_t n)
{
    return send(fd, p, n, MSG_NOSIGNAL) == (ssize_t)n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000};
    nanosleep(&ts, NULL);
}

static void *serve_connection(void *arg)
{
    /* The behaviour travels in the high bits of arg, the socket in the low. */
    enum behaviour b = (enum behaviour)((intptr_t)arg >> 32);
    int fd = (int)((intptr_t)arg & 0xffffffff);
    char buf[4096];
    recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    switch (b) {
    case GOOD_HTTP:
        /* Like many embedded servers: HTTP/1.1 without "Connection: close",
         * yet the connection closes after one answer. */
        sleep_ms(5);
        recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        send_all(fd, good_answer, sizeof good_answer - 1);
        atomic_fetch_add(&good_requests, 1);
        break;
    case TARPIT:
        while (!stopping && recv(fd, buf, sizeof buf, 0) > 0)
            ;
        break;
    case DRIP:
        send_all(fd, "HTTP/1.1 200 OK\r\nX-Drip: ", 26);
        while (!stopping && send_all(fd, "a", 1))
            sleep_ms(100);
        break;
    case ENDLESS_HEADERS:
        send_all(fd, "HTTP/1.1 200 OK\r\n", 17);
        while (!stopping && send_all(fd, "X-Junk: 0123456789\r\n", 20))
            atomic_fetch_add(&bytes_sent_endless, 20);
        break;
    case ENDLESS_BODY:
        send_all(fd, "HTTP/1.1 200 OK\r\n\r\n", 19);
        memset(buf, 'b', sizeof buf);
        while (!stopping && send_all(fd, buf, sizeof buf))
            atomic_fetch_add(&bytes_sent_endless, sizeof buf);
        break;
    }
    close(fd);
    return NULL;
}

static void *accept_loop(void *arg)
{
    struct listener *l = arg;
    for (;;) {
        int fd = accept(l->fd, NULL, NULL);
        if (fd < 0)
            return NULL;
        pthread_t t;
        intptr_t packed = ((intptr_t)l->behaviour << 32) | (intptr_t)fd;
        pthread_create(&t, NULL, serve_connection, (void *)packed);
        pthread_detach(t);
    }
}

static struct listener listeners[5];
static const char *const addrs[] = {"127.30.2.1", "127.30.2.2", "127.30.2.3", "127.30.2.4",
                                    "127.30.2.5"};
#define TEST_PORT 18080
static char ports_file[] = "/tmp/camaudit-test-ports-XXXXXX";

static int start_listeners(void **state)
{
    (void)state;
    int pf = mkstemp(ports_file);
    dprintf(pf, "%d http\n%d http\n", TEST_PORT, TEST_PORT + 1);
    close(pf);
    for (int i = 0; i < 5; i++) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(TEST_PORT)};
        inet_pton(AF_INET, addrs[i], &sa.sin_addr);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 128) != 0) {
            fprintf(stderr, "cannot listen on %s:%d\n", addrs[i], TEST_PORT);
            return -1;
        }
        listeners[i] = (struct listener){.fd = fd, .behaviour = (enum behaviour)i};
        pthread_create(&listeners[i].thread, NULL, accept_loop, &listeners[i]);
    }
    return 0;
}

static int stop_listeners(void **state)
{
    (void)state;
    stopping = true;
    for (int i = 0; i < 5; i++) {
        shutdown(listeners[i].fd, SHUT_RDWR);
        close(listeners[i].fd);
        pthread_join(listeners[i].thread, NULL);
    }
    sleep_ms(300); /* let connection threads see `stopping` */
    unlink(ports_file);
    return 0;
}

/* What the scan saw: one line per host "ip ports | signal=value ..." sorted. */
struct results {
    char lines[16][1024];
    size_t count;
    bool timed_out[16];
};

static pthread_mutex_t collect_lock = PTHREAD_MUTEX_INITIALIZER;

/* Called from several reporter threads at once. */
static void collect(const struct engine_host *host, void *ctx)
{
    struct results *r = ctx;
    pthread_mutex_lock(&collect_lock);
    assert_true(r->count < 16);
    char *line = r->lines[r->count];
    size_t o = (size_t)snprintf(line, 1024, "%s", host->ip);
    for (size_t i = 0; i < host->open_count; i++)
        o += (size_t)snprintf(line + o, 1024 - o, " %u", host->open_ports[i]);
    for (size_t i = 0; i < host->obs_count && o < 900; i++)
        if (strcmp(host->obs[i].signal, "http.title") == 0 ||
            strcmp(host->obs[i].signal, "http.server") == 0)
            o += (size_t)snprintf(line + o, 1024 - o, " %s=%.40s", host->obs[i].signal,
                                  host->obs[i].value);
    r->timed_out[r->count] = host->timed_out;
    r->count++;
    pthread_mutex_unlock(&collect_lock);
}

static int compare_lines(const void *a, const void *b)
{
    return strcmp(a, b);
}

static double run_scan(const char *spec, unsigned threads, unsigned host_timeout_ms,
                       struct results *r, struct engine_stats *stats)
{
    char err[256];
    struct target_set *set = target_set_new();
    assert_int_equal(target_set_add(set, spec, err, sizeof err), 0);
    struct probe_port_map *map = probe_port_map_load(ports_file, err, sizeof err);
    assert_non_null(map);
    static const uint16_t ports[] = {TEST_PORT, TEST_PORT + 1};
    memset(r, 0, sizeof *r);
    struct engine_config cfg = {.targets = set,
                                .seed = 42,
                                .ports = ports,
                                .port_count = 2,
                                .port_map = map,
                                .concurrency = 64,
                                .rate = 0,
                                .timeout_ms = 400,
                                .host_timeout_ms = host_timeout_ms,
                                .threads = threads,
                                .on_host = collect,
                                .ctx = r};
    double start = ratelimit_clock();
    assert_int_equal(engine_run(&cfg, stats, err, sizeof err), 0);
    double elapsed = ratelimit_clock() - start;
    qsort(r->lines, r->count, sizeof r->lines[0], compare_lines);
    probe_port_map_free(map);
    target_set_free(set);
    return elapsed;
}

static void test_good_device_is_found_and_closed_port_is_not(void **state)
{
    (void)state;
    struct results r;
    struct engine_stats stats;
    atomic_store(&good_requests, 0);
    run_scan("127.30.2.1", 1, 5000, &r, &stats);
    /* Every step of the HTTP probe was asked and answered, although the
     * server silently drops kept-alive connections. */
    assert_int_equal(atomic_load(&good_requests), 5);
    assert_int_equal(atomic_load(&stats.exchanges), 5);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.lines[0], "127.30.2.1 18080 http.server=lab-good http.title=Good Device");
    assert_int_equal(atomic_load(&stats.hosts_done), 1);
    assert_int_equal(atomic_load(&stats.ports_open), 1);
    assert_int_equal(atomic_load(&stats.hosts_timed_out), 0);
}

static void test_hostile_services_end_within_deadlines(void **state)
{
    (void)state;
    struct results r;
    struct engine_stats stats;
    double elapsed = run_scan("127.30.2.1-127.30.2.5", 1, 1500, &r, &stats);
    assert_int_equal(r.count, 5); /* every listener is found */
    /* Per-exchange limits end every hostile answer before the host deadline:
     * the tarpit by read silence, the drip by the exchange deadline (3 x
     * 400 ms), endless headers and body by the header limit and byte cap. */
    for (size_t i = 0; i < r.count; i++)
        assert_false(r.timed_out[i]);
    assert_true(elapsed < 1.5 + 1.0); /* host deadline plus slack for a loaded machine */
    assert_int_equal(atomic_load(&stats.hosts_done), 5);
    /* Endless senders were cut at the byte cap: the kernel buffers what the
     * engine did not read, far less than an unbounded read would take. */
    assert_true(atomic_load(&bytes_sent_endless) < 64u * 1024 * 1024);
}

static void test_host_deadline_cuts_a_drip(void **state)
{
    (void)state;
    struct results r;
    struct engine_stats stats;
    double elapsed = run_scan("127.30.2.3", 1, 600, &r, &stats);
    assert_int_equal(r.count, 1);
    assert_true(r.timed_out[0]);
    assert_true(elapsed < 0.6 + 1.0);
    assert_int_equal(atomic_load(&stats.hosts_timed_out), 1);
}

static void test_thread_count_does_not_change_results(void **state)
{
    (void)state;
    struct results one, three;
    struct engine_stats stats;
    run_scan("127.30.2.0/29", 1, 1500, &one, &stats);
    run_scan("127.30.2.0/29", 3, 1500, &three, &stats);
    assert_int_equal(one.count, three.count);
    for (size_t i = 0; i < one.count; i++)
        assert_string_equal(one.lines[i], three.lines[i]);
    assert_int_equal(atomic_load(&stats.hosts_done), 8);
}

static void test_bad_configuration_is_refused(void **state)
{
    (void)state;
    struct engine_config cfg = {.threads = 0};
    char err[256];
    assert_int_equal(engine_run(&cfg, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "threads"));
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_device_is_found_and_closed_port_is_not),
        cmocka_unit_test(test_hostile_services_end_within_deadlines),
        cmocka_unit_test(test_host_deadline_cuts_a_drip),
        cmocka_unit_test(test_thread_count_does_not_change_results),
        cmocka_unit_test(test_bad_configuration_is_refused),
    };
    return cmocka_run_group_tests(tests, start_listeners, stop_listeners);
}
