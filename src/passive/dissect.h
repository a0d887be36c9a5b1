/* dissect.h — what a passive dissector is and the calls it makes. Each
 * protocol lives in its own diss_<name>.c exporting one struct dissector;
 * dissectors.c lists them all (the zmap probe-module shape). A dissector
 * reads pkt->payload (or pkt->l3 for layer-2 protocols) with explicit lengths
 * and emits observations; it never decides a vendor. */
#ifndef CAMAUDIT_PASSIVE_DISSECT_H
#define CAMAUDIT_PASSIVE_DISSECT_H

#include "passive/packet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct passive;

#define DISSECTOR_MAX_PORTS 6

struct dissector {
    const char *name;   /* observations carry source "passive/<name>" */
    uint16_t ethertype; /* layer-2 dissector: its ethertype; 0 otherwise */
    enum packet_l4 l4;  /* L4_UDP or L4_TCP for transport dissectors */
    /* Ports matched on either side; none means every payload of l4 is offered
     * and the dissector's own cheap check decides (TLS, HTTP, RTSP). */
    uint16_t ports[DISSECTOR_MAX_PORTS];
    void (*dissect)(struct passive *ps, const struct packet *pkt);
    /* Optional per-capture state (flow buffers): made once per passive
     * instance, reached with passive_state(), freed with it. */
    void *(*state_new)(void);
    void (*state_free)(void *state);
    /* Optional: the capture ended; emit what the state still holds (flows
     * that never completed). Called once, before the hosts are reported. */
    void (*finish)(struct passive *ps);
};

/* All dissectors, terminated by an entry whose name is NULL. */
extern const struct dissector *const passive_dissectors[];

enum emit_side { SIDE_SRC, SIDE_DST };

/* Emits one observation about the source or destination host of pkt. port
 * is the service port the fact belongs to (0 for none). */
void passive_emit(struct passive *ps, const struct packet *pkt, enum emit_side side, uint16_t port,
                  const char *signal, const void *value, size_t len);
/* Emits an observation about an explicit address (family 4 or 6). */
void passive_emit_at(struct passive *ps, const struct packet *pkt, int family, const uint8_t *addr,
                     uint16_t port, const char *signal, const void *value, size_t len);
/* Emits an observation about a host known only by its MAC address. */
void passive_emit_for_mac(struct passive *ps, const struct packet *pkt, const uint8_t mac[6],
                          const char *signal, const void *value, size_t len);
/* Records that addr (family 4 or 6) belongs to mac (ARP, DHCP ACK). */
void passive_bind_mac(struct passive *ps, const struct packet *pkt, int family, const uint8_t *addr,
                      const uint8_t mac[6]);

/* The state of the dissector now running (NULL when it has none). */
void *passive_state(struct passive *ps);

struct discovery_answer;
/* The body of the discovery-broadcast dissectors (diss_discovery.c): parse
 * the payload with a src/discovery reply parser and emit what it found about
 * the sender, at the protocol's port. */
void dissect_discovery_reply(struct passive *ps, const struct packet *pkt, const char *module,
                             int (*parse)(const uint8_t *, size_t, struct discovery_answer *),
                             uint16_t port);

/* Extern dissectors (one file each). */
extern const struct dissector dissector_arp, dissector_dhcp, dissector_dns, dissector_dns_tcp,
    dissector_tls, dissector_http, dissector_rtsp, dissector_ssdp, dissector_sadp, dissector_dhip,
    dissector_xiongmai, dissector_onvif, dissector_dahua5050, dissector_mdns;

#endif
