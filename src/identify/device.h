/* device.h — the device record: what identify concludes about one host from
 * all its observations, and the findings policy attaches to it. This is the
 * shared contract between identify, scan, policy, store and report; its JSON
 * form is the `camaudit identify` / `scan --jsonl` output line:
 *
 *   {"ip","mac","manufacturer","brand","model","device_type","firmware",
 *    "serial","confidence","open_ports":[..],"evidence":[..],"conflicts":[..],
 *    "findings":[..]}
 *
 * Unknown text fields are NULL in C and null in JSON, except manufacturer,
 * which is "unknown" when identify cannot tell. */
#ifndef CAMAUDIT_DEVICE_H
#define CAMAUDIT_DEVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One piece of evidence: an observation that a fingerprint (or table) read. */
struct evidence {
    char *signal;     /* "http.server" */
    char *value;      /* the observed value (possibly shortened for display) */
    char *matched_by; /* fingerprint description, "oui:MA-L", "oem-table" ... */
    char *names;      /* what it says: "manufacturer=Hikvision model=DS-2CD2386G2-IU" */
    uint16_t port;    /* 0 when none */
    double weight;    /* contribution to confidence, 0..1 */
    bool packed;      /* the four strings share one allocation starting at signal
                         (device_add_evidence); treat them as read-only */
};

enum finding_kind {
    FINDING_RESTRICTION,   /* a restriction list's verdict */
    FINDING_VULNERABILITY, /* a known vulnerability inferred from the version */
    FINDING_PHONE_HOME,    /* traffic to a vendor cloud was seen */
};

/* One finding of policy about a device. */
struct finding {
    enum finding_kind kind;
    char *id;       /* policy id ("quebec"), CVE id, or cloud service id */
    char *verdict;  /* restricted | not_restricted | unknown |
                       vulnerable | possibly_vulnerable | phone_home */
    char *reason;   /* one sentence a person can read */
    char *severity; /* "critical", "high"... or NULL */
    char *source;   /* public source URL or citation */
};

struct device {
    char ip[46];
    char mac[18];       /* "" when unknown */
    char *manufacturer; /* canonical short name, or "unknown" */
    char *brand;        /* label on the box (OEM rebrands); NULL when unknown */
    char *model;
    char *device_type; /* "ip_camera", "nvr", "dvr", "doorbell", "router", ... */
    char *firmware;
    char *serial;
    double confidence; /* 0..1 */
    uint16_t *open_ports;
    size_t open_port_count;
    struct evidence *evidence;
    size_t evidence_count;
    char **conflicts; /* human-readable descriptions of disagreement */
    size_t conflict_count;
    struct finding *findings;
    size_t finding_count;
};

/* Allocates an empty device for ip with manufacturer "unknown". */
struct device *device_new(const char *ip);
void device_free(struct device *dev);

/* Replaces a text field (manufacturer, brand, ...) with a copy of value
 * (NULL clears it). field points at one of the char* members. */
void device_set(char **field, const char *value);
void device_add_port(struct device *dev, uint16_t port); /* keeps ports unique, sorted */
void device_add_evidence(struct device *dev, const char *signal, const char *value, uint16_t port,
                         const char *matched_by, const char *names, double weight);
/* Same, taking ownership of the strings given (allocated, or NULL). */
void device_take_evidence(struct device *dev, char *signal, char *value, uint16_t port,
                          char *matched_by, char *names, double weight);
void device_add_conflict(struct device *dev, const char *text);
void device_add_finding(struct device *dev, enum finding_kind kind, const char *id,
                        const char *verdict, const char *reason, const char *severity,
                        const char *source);

const char *finding_kind_name(enum finding_kind kind); /* "restriction" ... */

/* JSON form (new reference). */
json_t *device_to_json(const struct device *dev);
/* The same JSON form written straight into a buffer, compact, keys in the
 * order above, reals as JSON_REAL_PRECISION(6), then '\n': byte for byte what
 * json_dumps(device_to_json(dev), JSON_COMPACT | JSON_PRESERVE_ORDER |
 * JSON_REAL_PRECISION(6)) gives (test_device holds them equal), without
 * building the tree: the output path of `camaudit identify`, which writes
 * hundreds of thousands of devices a second. Appends at *len, growing *buf
 * (xrealloc) and *cap. */
void device_append_jsonl(const struct device *dev, char **buf, size_t *cap, size_t *len);
/* Parses the JSON form; NULL with a reason in err when malformed. */
struct device *device_from_json(const json_t *obj, char *err, size_t err_size);

#endif
