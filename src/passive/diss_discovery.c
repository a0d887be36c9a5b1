/* diss_discovery.c — the common body of the dissectors of camera discovery
 * broadcasts (SADP, DHIP, Dahua 5050, Xiongmai, ONVIF, SSDP, mDNS): the reply
 * parsers of src/discovery read the datagram (the same code `camaudit
 * discover` uses, so both see the same fields), and their observations —
 * the raw signal, the advertised maker, model, serial, firmware, name, the
 * device's own IP settings — are credited to the sender. A MAC the device
 * reports binds its address like ARP does. Requests are not replies and
 * give nothing. */
#include "passive/dissect.h"

#include "discovery/discovery.h"

#include <string.h>

void dissect_discovery_reply(struct passive *ps, const struct packet *pkt, const char *module,
                             int (*parse)(const uint8_t *, size_t, struct discovery_answer *),
                             uint16_t port)
{
    struct discovery_answer ans;
    discovery_answer_init(&ans, module);
    if (parse(pkt->payload, pkt->payload_len, &ans) != 0) {
        discovery_answer_clear(&ans);
        return;
    }
    struct discovery_obs_list list = {0};
    discovery_answer_emit(&ans, NULL, pkt->time, &list);
    for (size_t i = 0; i < list.count; i++) {
        const struct observation *o = &list.items[i];
        uint8_t mac[6];
        if (strcmp(o->signal, "mac") == 0) {
            if (sscanf(o->value, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx", &mac[0], &mac[1], &mac[2],
                       &mac[3], &mac[4], &mac[5]) == 6)
                passive_bind_mac(ps, pkt, pkt->family, pkt->src_ip, mac);
            continue;
        }
        passive_emit(ps, pkt, SIDE_SRC, port, o->signal, o->value, o->value_len);
    }
    discovery_obs_list_free(&list);
    discovery_answer_clear(&ans);
}
