/* passive_fuzz.c — see passive_fuzz.h. */
#include "passive_fuzz.h"

#include <stdlib.h>
#include <string.h>

static void count_host(const struct passive_host *host, void *arg)
{
    size_t *total = arg;
    for (size_t i = 0; i < host->count; i++)
        if (!host->obs[i].value || strlen(host->obs[i].value) != host->obs[i].value_len)
            abort(); /* values must be NUL-terminated text of their length */
    *total += host->count;
}

static void run(struct passive *ps, const char *const *names, const struct packet *pkt)
{
    for (size_t i = 0; names[i]; i++)
        if (passive_dissect_with(ps, names[i], pkt) != 0)
            abort();
}

void passive_fuzz_payload(const char *const *names, enum packet_l4 l4, uint16_t sport,
                          uint16_t dport, const uint8_t *data, size_t size)
{
    struct passive *ps = passive_new(NULL);
    struct packet pkt = {.family = 4,
                         .l4 = l4,
                         .sport = sport,
                         .dport = dport,
                         .payload = data,
                         .payload_len = size,
                         .tcp_seq = 7};
    memcpy(pkt.src_ip, (uint8_t[]){192, 0, 2, 1}, 4);
    memcpy(pkt.dst_ip, (uint8_t[]){192, 0, 2, 2}, 4);
    pkt.l3 = data;
    pkt.l3_len = size;
    run(ps, names, &pkt);
    /* The same bytes again as two segments of one stream. */
    size_t half = size / 2;
    pkt.payload_len = half;
    pkt.tcp_seq = 1000;
    run(ps, names, &pkt);
    pkt.payload = data + half;
    pkt.payload_len = size - half;
    pkt.tcp_seq = 1000 + (uint32_t)half;
    run(ps, names, &pkt);
    size_t total = 0;
    passive_finish(ps, count_host, &total);
    passive_free(ps);
}
