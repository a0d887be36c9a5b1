/* engine.h — the active scan engine: walks targets in random order, sweeps
 * each host's ports with non-blocking TCP connects, runs the probe module of
 * every port that answered (probes/probe.h), and hands each finished host's
 * open ports and observations to a callback.
 *
 * Hosts are the unit of work: a host is admitted, swept, probed, reported
 * and freed, so memory follows --concurrency, never the number of targets.
 * Each thread runs its own libevent loop over a disjoint shard of the
 * target walk; the results do not depend on the thread count. */
#ifndef CAMAUDIT_ENGINE_H
#define CAMAUDIT_ENGINE_H

#include "core/observation.h"
#include "core/targets.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct probe_port_map;

/* Defaults (named limits, after SQLite's habit). */
#define ENGINE_DEFAULT_TIMEOUT_MS 3000
#define ENGINE_DEFAULT_HOST_TIMEOUT_MS 30000
#define ENGINE_DEFAULT_RATE 10000.0
#define ENGINE_DEFAULT_CONCURRENCY 1024
#define ENGINE_MAX_CONCURRENCY 65536
#define ENGINE_MAX_THREADS 64

/* One finished host as the callback sees it (valid during the call). */
struct engine_host {
    const char *ip;
    const uint16_t *open_ports; /* sorted */
    size_t open_count;
    const struct observation *obs;
    size_t obs_count;
    bool timed_out; /* the host deadline cut its probes short */
};

/* Counters, updated by the worker threads while the scan runs. */
struct engine_stats {
    atomic_uint_fast64_t hosts_done;
    atomic_uint_fast64_t hosts_up; /* at least one open port */
    atomic_uint_fast64_t ports_open;
    atomic_uint_fast64_t connections; /* connection attempts started */
    atomic_uint_fast64_t exchanges;   /* probe exchanges that got an answer */
    /* Connections whose first probe exchange got an answer (connect, send,
     * read: what a bare connect-send-read loop counts). */
    atomic_uint_fast64_t probe_connections;
    atomic_uint_fast64_t hosts_timed_out;
};

struct engine_config {
    struct target_set *targets;
    uint64_t seed; /* 0: random (one seed shared by all threads) */
    uint32_t shard_index, shard_count;
    const uint16_t *ports;
    size_t port_count;
    const struct probe_port_map *port_map; /* which probe runs where */
    unsigned concurrency;                  /* connections in flight, all threads */
    double rate;                           /* connection attempts per second; 0: no limit */
    unsigned timeout_ms;                   /* connect timeout, and read silence timeout */
    unsigned host_timeout_ms;              /* whole-host deadline */
    unsigned threads;
    /* Called for each host with an open port (and, with report_all, for
     * every host), from --threads reporter threads at once (not from the
     * event loops, so slow identification never stalls probing): the callee
     * locks what it shares and copies what it keeps. */
    void (*on_host)(const struct engine_host *host, void *ctx);
    void *ctx;
    bool report_all;
    /* Called about once a second from the calling thread while scanning. */
    void (*on_progress)(const struct engine_stats *stats, void *ctx);
};

/* Runs the scan to the end. Returns 0, or -1 with a reason in err (nothing
 * was scanned). stats may be NULL. */
int engine_run(const struct engine_config *cfg, struct engine_stats *stats, char *err,
               size_t err_size);

/* Largest useful --concurrency for this process (open-file limit, after
 * raising the soft limit to the hard one). */
unsigned engine_max_concurrency(void);

#endif
