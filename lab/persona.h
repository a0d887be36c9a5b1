/* persona.h — what one emulated device answers, loaded from a JSON persona
 * file under lab/personas/ (format in lab/README.md). The loader treats the
 * files as untrusted: every error names the file and the field. */
#ifndef CAMLAB_PERSONA_H
#define CAMLAB_PERSONA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a service behaves once a client connects. */
enum lab_behaviour {
    BEHAVE_NORMAL,
    BEHAVE_TARPIT,          /* accepts, never answers */
    BEHAVE_DRIP,            /* sends its answer one byte per drip interval */
    BEHAVE_ENDLESS_HEADERS, /* a status line, then header lines forever */
    BEHAVE_HUGE_BODY,       /* a generated body of huge_body_bytes */
    BEHAVE_GARBAGE,         /* random bytes in answer to anything (e.g. instead of TLS) */
};

enum lab_service_kind {
    SERVICE_HTTP,   /* HTTP/1.x, optionally inside TLS */
    SERVICE_RTSP,   /* RTSP/1.0 */
    SERVICE_BANNER, /* raw TCP: optional banner on connect, optional reply to input */
    SERVICE_DVRIP,  /* Xiongmai DVRIP/Sofia (TCP 34567) */
};

/* One answer. Text bodies and header values may hold {{variables}}. */
struct lab_response {
    int status;
    char *reason;
    char **headers; /* "Name: value" lines, in order */
    size_t n_headers;
    unsigned char *body;
    size_t body_len;
    bool template_body; /* substitute {{variables}} in the body */
};

/* An HTTP or RTSP route: first match wins. */
struct lab_route {
    char *method;        /* NULL = any */
    char *path;          /* exact path with query; NULL = any */
    char *body_contains; /* request body must contain this; NULL = any */
    struct lab_response response;
};

/* A DVRIP answer: request message id -> reply message id + JSON body. */
struct lab_dvrip_reply {
    uint16_t request_id;
    uint16_t reply_id;
    char *body; /* JSON text, may hold {{variables}} */
};

struct lab_tls {
    char **subject; /* pairs: field, value, field, value ... */
    size_t n_subject;
    int key_bits;    /* RSA key size */
    int days;        /* validity */
    bool per_device; /* a subject value holds {{variables}}: one certificate per device */
    void *ssl_ctx;   /* SSL_CTX *, made on first use (unless per_device) */
};

struct lab_service {
    uint16_t port;
    enum lab_service_kind kind;
    enum lab_behaviour behaviour;
    struct lab_tls *tls; /* NULL = plain */
    struct lab_route *routes;
    size_t n_routes;
    struct lab_response fallback; /* when no route matches */
    unsigned char *banner;
    size_t banner_len;
    unsigned char *reply; /* banner services: answer to any input */
    size_t reply_len;
    struct lab_dvrip_reply *dvrip;
    size_t n_dvrip;
    unsigned interval_ms; /* drip / endless headers pacing */
    uint64_t huge_body_bytes;
};

struct persona {
    char *file;
    char *name;
    char *manufacturer, *brand, *model, *firmware, *device_type;
    char *serial; /* template of the serial number, e.g. "DS-2CD2386G2-IU20240101AAWR{{id_dec}}" */
    uint8_t oui[3];
    bool restricted_expected;
    bool hostile;
    char **tags;
    size_t n_tags;
    struct lab_service *services;
    size_t n_services;
    json_t *discovery; /* reserved for UDP discovery answers (object or NULL) */
};

struct persona_set {
    struct persona *items;
    size_t count;
};

/* Loads every *.json of dir (sorted by name). Returns NULL with a message
 * naming the file and field in err on the first error. */
struct persona_set *persona_set_load(const char *dir, char *err, size_t err_size);
/* Loads one persona file into p (used by persona_set_load and the tests). */
int persona_load_file(const char *path, const char *base_dir, struct persona *p, char *err,
                      size_t err_size);
void persona_set_free(struct persona_set *set);
void persona_clear(struct persona *p);
const struct persona *persona_set_find(const struct persona_set *set, const char *name);
bool persona_has_tag(const struct persona *p, const char *tag);

#endif
