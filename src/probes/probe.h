/* probe.h — the shape of an active probe module (after zmap's probe modules)
 * and the one table they are registered in.
 *
 * A probe talks one protocol to one open port as a short series of
 * exchanges. Each exchange is one request on a TCP connection (TLS-wrapped
 * when the module says so): the engine connects, sends what build_request
 * wrote, reads until response_status says stop (or the byte cap, a timeout
 * or end of stream), then hands the bytes to parse_response, which emits
 * observations and moves the session to its next step. When the answer was
 * whole and parse_response set keep_alive, the next request goes on the same
 * connection (HTTP keep-alive, RTSP); otherwise a new connection is made. The engine knows no
 * protocol; a module knows no sockets, so each is tested alone.
 *
 * Which module runs on which port is data: data/ports.txt
 * ("PORT MODULE # source"); ports without a module get `banner`. */
#ifndef CAMAUDIT_PROBE_H
#define CAMAUDIT_PROBE_H

#include "core/observation.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The observations of one host, in arrival order; identical facts (same
 * port, signal and value) are kept once. */
struct obs_list {
    struct observation *items;
    size_t count, cap;
};

void obs_list_add(struct obs_list *list, const char *ip, uint16_t port, const char *signal,
                  const char *source, const void *value, size_t len);
void obs_list_clear(struct obs_list *list);

#define PROBE_PATH_MAX 512

/* One probe running against one port of one host. */
struct probe_session {
    const struct probe_module *module;
    const char *ip; /* text form, for Host headers and observations */
    uint16_t port;
    unsigned step;       /* module-defined; starts at 0 */
    bool done;           /* set by parse_response when nothing follows */
    bool keep_alive;     /* set by parse_response: the next request may use this connection */
    bool closed_by_peer; /* set by the engine: the answer ended with the connection (a body
                            without a length is then whole) */
    char redirect[PROBE_PATH_MAX]; /* http: path of a same-host redirect to follow */
    struct obs_list *out;
};

/* Verdict of response_status on the bytes read so far. */
enum probe_read {
    PROBE_READ_MORE = 0, /* keep reading */
    PROBE_READ_DONE = 1, /* the response is whole (or hopeless): stop and parse */
};

struct probe_module {
    const char *name;    /* "http", also the observation source "probe/<name>" */
    bool tls;            /* exchanges run over TLS (certificate recorded) */
    size_t response_cap; /* bytes kept from one response; reading stops there */
    /* Silence after which a response counts as ended, in ms (0: the
     * engine's read timeout). Banner grabbing waits less than a full timeout. */
    unsigned idle_ms;
    /* Writes the request of s->step into a new buffer (*req, *len; len may be
     * 0 for listen-only). Called only while !s->done. */
    void (*build_request)(struct probe_session *s, char **req, size_t *len);
    enum probe_read (*response_status)(const uint8_t *data, size_t len);
    /* Parses one response (possibly partial, possibly empty), emits
     * observations into s->out, advances s->step or sets s->done. */
    void (*parse_response)(struct probe_session *s, const uint8_t *data, size_t len);
};

/* The registered modules, terminated by NULL. */
const struct probe_module *const *probe_modules(void);
const struct probe_module *probe_module_find(const char *name);

/* Port-to-module map read from data/ports.txt (or another file). */
struct probe_port_map;
/* NULL with a reason in err when the file cannot be read or names an
 * unknown module. */
struct probe_port_map *probe_port_map_load(const char *path, char *err, size_t err_size);
void probe_port_map_free(struct probe_port_map *map);
/* The module for port; `banner` for ports the file does not name. */
const struct probe_module *probe_port_map_module(const struct probe_port_map *map, uint16_t port);
/* The file's ports (the default scan set), sorted, owned by the map. */
const uint16_t *probe_port_map_ports(const struct probe_port_map *map, size_t *count);

/* Emits one observation from a probe: source "probe/<module name>". */
void probe_emit(struct probe_session *s, const char *signal, const void *value, size_t len);
/* Same with another source name ("probe/tls"). */
void probe_emit_from(struct probe_session *s, const char *source, const char *signal,
                     const void *value, size_t len);
/* probe_emit with a NUL-terminated value. */
void probe_emit_text(struct probe_session *s, const char *signal, const char *value);

/* The modules (each in its own file). */
extern const struct probe_module probe_http;
extern const struct probe_module probe_https;
extern const struct probe_module probe_rtsp;
extern const struct probe_module probe_dvrip;
extern const struct probe_module probe_banner;

#endif
