/* discovery.h — local-segment discovery: the vendor search protocols cameras
 * answer (ONVIF WS-Discovery, Hikvision SADP, Dahua DHIP and its legacy 5050
 * search, Xiongmai 34569 search, SSDP/UPnP, mDNS) and the neighbour table.
 *
 * Each protocol is one module (discovery_<name>.c): a request builder and a
 * reply parser, registered in the table of discovery.c (the shape of zmap's
 * probe modules). A parser turns one reply datagram into a discovery_answer:
 * what the device says about itself. discovery_answer_emit() turns an answer
 * into observations; nothing here decides a vendor (identify does).
 *
 * Two ways to run the modules:
 *   discovery_run()      multicast/broadcast on one interface, every module
 *                        once, collecting answers until the wait expires;
 *   discovery_unicast()  the modules that also answer unicast (ONVIF, DHIP),
 *                        to one routed address (used by `scan --discover`). */
#ifndef CAMAUDIT_DISCOVERY_H
#define CAMAUDIT_DISCOVERY_H

#include "core/observation.h"

#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest datagram read; longer replies are cut there (UDP cannot exceed it). */
#define DISCOVERY_DATAGRAM_MAX 65536
/* Bound of each text field an answer carries (model, serial ...). */
#define DISCOVERY_FIELD_MAX 128

/* What one reply says about the device that sent it. Empty strings are
 * unknown; tri-state ints are -1 when the protocol does not say. */
struct discovery_answer {
    const char *module; /* module name: "sadp", "onvif" ... */
    char src_ip[OBS_IP_MAX];
    uint16_t src_port;
    char mac[OBS_MAC_MAX]; /* as the device reports it, normalised */
    /* The device's own IP configuration (may be on another subnet). */
    char own_ip[OBS_IP_MAX];
    char own_mask[OBS_IP_MAX];
    char own_gateway[OBS_IP_MAX];
    int dhcp;                               /* -1 unknown, 0, 1 */
    int activated;                          /* -1 unknown, 0 (no password set yet), 1 */
    char manufacturer[DISCOVERY_FIELD_MAX]; /* as advertised (may be an OEM label) */
    char model[DISCOVERY_FIELD_MAX];
    char serial[DISCOVERY_FIELD_MAX];
    char firmware[DISCOVERY_FIELD_MAX];
    char name[DISCOVERY_FIELD_MAX];         /* friendly / machine / host name */
    char location[DISCOVERY_FIELD_MAX * 2]; /* SSDP LOCATION URL */
    uint16_t http_port;                     /* 0 unknown */
    /* The protocol's own observation: signal name and the value to keep
     * (XML or JSON body, scopes string, SERVER header ...), owned. */
    const char *signal;
    char *raw;
    size_t raw_len;
    /* A second protocol-specific observation (onvif.xaddrs, mdns.txt ...). */
    const char *extra_signal;
    char *extra;
    size_t extra_len;
};

void discovery_answer_init(struct discovery_answer *ans, const char *module);
void discovery_answer_clear(struct discovery_answer *ans);
/* Replaces ans->raw / ans->extra with a copy of the bytes given. */
void discovery_answer_set_raw(struct discovery_answer *ans, const char *signal, const void *bytes,
                              size_t len);
void discovery_answer_set_extra(struct discovery_answer *ans, const char *signal, const void *bytes,
                                size_t len);

/* One protocol. build_request writes request number `variant` (0, 1 ...;
 * ONVIF sends two Probes, one per device type) into buf (cap bytes) and
 * returns its length, 0 when there is no such variant or it does not fit. parse_reply reads one
 * datagram of len bytes, trusting no length field in it; returns 0 and fills ans for a reply of
 * this protocol, -1 for anything else (requests, garbage). */
struct discovery_module {
    const char *name;
    uint16_t port;             /* destination port of the request */
    const char *const *groups; /* destinations: multicast groups and/or
                                  "255.255.255.255", NULL-terminated */
    uint16_t local_port;       /* 0: ephemeral; else bind it (replies come there) */
    const char *reply_group;   /* multicast group replies may come to, or NULL */
    bool unicast;              /* also answers a request sent to one address */
    size_t (*build_request)(unsigned variant, uint8_t *buf, size_t cap);
    int (*parse_reply)(const uint8_t *buf, size_t len, struct discovery_answer *ans);
};

/* The modules, NULL-terminated; and one by name (NULL if unknown). */
const struct discovery_module *const *discovery_modules(void);
const struct discovery_module *discovery_module_find(const char *name);

/* The parsers, callable alone (unit tests, fuzz targets, passive capture). */
int discovery_onvif_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans);
int discovery_sadp_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans);
int discovery_dhip_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans);
int discovery_dahua5050_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans);
int discovery_xm_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans);
int discovery_ssdp_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans);
int discovery_mdns_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans);
/* UPnP device description XML (fetched from an SSDP LOCATION) into ans:
 * manufacturer, model, serial, name; keeps the XML as upnp.device_xml. */
int discovery_upnp_parse_description(const char *xml, size_t len, struct discovery_answer *ans);

/* Frames a DHIP message: the 32-byte header, then body. Returns the length
 * written into buf, 0 when cap is too small. (The lab answers with it too.) */
size_t discovery_dhip_frame(const char *body, size_t body_len, uint8_t *buf, size_t cap);

/* A growing list of observations (owned). */
struct discovery_obs_list {
    struct observation *items;
    size_t count, cap;
};
void discovery_obs_list_free(struct discovery_obs_list *list);
/* Appends a new observation (fields as observation_init). */
void discovery_obs_add(struct discovery_obs_list *list, const char *ip, uint16_t port,
                       const char *signal, const char *source, const char *mac, const char *value,
                       size_t len, double when);

/* The subnet a device should be on: answers whose own address is outside it
 * are misaddressed. Zero prefix_len means unknown (nothing is flagged). */
struct discovery_subnet {
    uint32_t addr; /* host order */
    unsigned prefix_len;
};
bool discovery_subnet_contains(const struct discovery_subnet *net, const char *ip);

/* Turns one answer into observations (see docs/SIGNALS.md for the signal
 * names): the protocol's raw signal, mac, discovery.* fields, and
 * discovery.misaddressed when the device's own address is outside net. */
void discovery_answer_emit(const struct discovery_answer *ans, const struct discovery_subnet *net,
                           double when, struct discovery_obs_list *out);

/* Options of a local discovery run. */
struct discovery_options {
    const char *interface; /* required */
    double wait;           /* seconds to collect answers after sending */
    bool fetch_upnp;       /* fetch SSDP LOCATION descriptions (same host only) */
};

/* Sends each module's request once on the interface and collects answers
 * until opts->wait expires; appends observations to out (plus a mac
 * observation per answering host from the neighbour table). Returns the
 * number of answers, or -1 with a reason in err (no such interface, no IPv4
 * address, socket errors). */
int discovery_run(const struct discovery_options *opts, struct discovery_obs_list *out, char *err,
                  size_t err_size);

/* Sends the requests of the modules that answer unicast (ONVIF WS-Discovery
 * to 3702, DHIP to 37810) to one IPv4 address and collects answers from that
 * address for wait seconds. Returns the number of answers or -1 (err). */
int discovery_unicast(const char *ip, double wait, struct discovery_obs_list *out, char *err,
                      size_t err_size);

/* A unicast sweep over many (routed) addresses: the ONVIF and DHIP requests
 * to each address next() gives, at most rate datagrams per second (0: no
 * limit), answers read while sending and for wait seconds after the last;
 * only answers from addresses accept() takes count. */
struct discovery_sweep {
    bool (*next)(void *ctx, struct in_addr *addr); /* false when done */
    bool (*accept)(void *ctx, struct in_addr from);
    void *ctx;
    double rate;
    double wait;
};
/* Returns the number of answers, or -1 (err: no socket). */
int discovery_unicast_sweep(const struct discovery_sweep *sw, struct discovery_obs_list *out,
                            char *err, size_t err_size);

/* The local interface whose IPv4 subnet holds ip (for `scan --discover`:
 * which segments to search for a target list). Writes its name into out
 * (out_size >= 16) and returns true; false when no interface is on-link. */
bool discovery_interface_for_address(const char *ip, char *out, size_t out_size);

/* Reads the kernel neighbour table (/proc/net/arp form) for one interface
 * (NULL: all): calls fn for each complete entry. path NULL = /proc/net/arp.
 * Returns the number of entries or -1 when the file cannot be read. */
int discovery_neighbours_read(const char *path, const char *interface,
                              void (*fn)(const char *ip, const char *mac, void *ctx), void *ctx);

/* Normalises a MAC written with ':', '-' or nothing between bytes into
 * "aa:bb:cc:dd:ee:ff"; false if it is not a MAC (or all zero). */
bool discovery_mac_normalise(const char *in, size_t len, char out[OBS_MAC_MAX]);

#endif
