/* discovery_responder.h — camlab's answers to the local discovery protocols
 * (ONVIF WS-Discovery, Hikvision SADP, Dahua DHIP and legacy 5050,
 * Xiongmai 34569, SSDP + UPnP description, mDNS), as the "discovery"
 * section of a persona says the device answers them. Meant for a device
 * that has its own network namespace: it binds the wildcard address of the
 * discovery ports, joins the groups on its interface and answers the way
 * the real devices do (SADP by multicast, Xiongmai and legacy Dahua by
 * broadcast, DHIP unicast or broadcast when the asker is on another subnet,
 * the rest unicast). The section format is in lab/README-discovery.md. */
#ifndef CAMLAB_DISCOVERY_RESPONDER_H
#define CAMLAB_DISCOVERY_RESPONDER_H

#include <jansson.h>
#include <signal.h>
#include <stdint.h>

/* Who the device is: persona facts plus its address on the segment. */
struct lab_discovery_identity {
    const char *interface; /* the device's interface, e.g. "eth0" */
    const char *ip;        /* its IPv4 address there */
    unsigned prefix_len;   /* its netmask length */
    const char *gateway;   /* its configured gateway, NULL: none */
    uint8_t mac[6];
    const char *manufacturer, *brand, *model, *firmware, *serial;
    const json_t *section; /* the persona's "discovery" object */
    const char *base_dir;  /* where the persona's *_file paths are relative to */
};

/* Answers until *stop becomes non-zero (checked at least every 200 ms).
 * Returns 0, or -1 with a reason in err (bad section, socket errors). Call
 * in a thread of its own when the caller has other work. */
int lab_discovery_serve(const struct lab_discovery_identity *id, volatile sig_atomic_t *stop,
                        const char *ready_file, char *err, size_t err_size);

#endif
