/* tcp_follow.c — bounded in-order TCP flow following; see tcp_follow.h.
 * Hand-written: libpcap has no reassembly, and a full TCP reassembler
 * (libnids, Wireshark's) is more than the few kilobytes the dissectors need
 * and not a Debian library one can embed. */
#include "passive/tcp_follow.h"

#include "core/util.h"

#include <stdlib.h>
#include <string.h>

struct tcp_follow *tcp_follow_new(size_t flows, size_t bytes)
{
    struct tcp_follow *t = xcalloc(1, sizeof *t);
    t->flow_count = flows;
    t->flow_bytes = bytes;
    return t;
}

void tcp_follow_free(void *table)
{
    struct tcp_follow *t = table;
    if (!t)
        return;
    for (size_t i = 0; t->flows && i < t->flow_count; i++)
        free(t->flows[i].buf);
    free(t->flows);
    free(t);
}

static bool same_direction(const struct tcp_flow *f, const struct packet *pkt)
{
    size_t n = pkt->family == 4 ? 4 : 16;
    return f->used && f->first.family == pkt->family && f->first.sport == pkt->sport &&
           f->first.dport == pkt->dport && memcmp(f->first.src_ip, pkt->src_ip, n) == 0 &&
           memcmp(f->first.dst_ip, pkt->dst_ip, n) == 0;
}

struct tcp_flow *tcp_follow_find(struct tcp_follow *t, const struct packet *pkt)
{
    for (size_t i = 0; t->active && i < t->flow_count; i++)
        if (same_direction(&t->flows[i], pkt))
            return &t->flows[i];
    return NULL;
}

enum tcp_follow_result tcp_follow_append(struct tcp_follow *t, struct tcp_flow *f,
                                         const struct packet *pkt)
{
    /* Sequence numbers wrap: the signed distance says before or after. */
    int32_t ahead = (int32_t)(pkt->tcp_seq - f->next_seq);
    if (ahead > 0)
        return FOLLOW_BROKEN;
    size_t skip = ahead < 0 ? (size_t) - (int64_t)ahead : 0;
    if (skip && skip >= pkt->payload_len)
        return FOLLOW_OLD;
    size_t n = pkt->payload_len - skip;
    if (f->len + n > t->flow_bytes)
        return FOLLOW_BROKEN;
    memcpy(f->buf + f->len, pkt->payload + skip, n);
    f->len += n;
    f->next_seq += (uint32_t)n;
    f->age = ++t->clock;
    return FOLLOW_APPENDED;
}

struct tcp_flow *tcp_follow_slot(struct tcp_follow *t)
{
    if (t->flow_count == 0)
        abort(); /* a table of no flows is a programming error */
    if (!t->flows)
        t->flows = xcalloc(t->flow_count, sizeof *t->flows);
    struct tcp_flow *slot = &t->flows[0];
    for (size_t i = 0; i < t->flow_count; i++) {
        if (!t->flows[i].used)
            return &t->flows[i];
        if (t->flows[i].age < slot->age)
            slot = &t->flows[i];
    }
    return slot;
}

void tcp_follow_begin(struct tcp_follow *t, struct tcp_flow *slot, const struct packet *pkt)
{
    if (!slot->buf)
        slot->buf = xmalloc(t->flow_bytes);
    size_t n = pkt->payload_len < t->flow_bytes ? pkt->payload_len : t->flow_bytes;
    slot->used = true;
    slot->first = *pkt;
    /* Addressing only: the frame these point into will be gone. */
    slot->first.l3 = slot->first.payload = NULL;
    slot->first.l3_len = slot->first.payload_len = 0;
    memcpy(slot->buf, pkt->payload, n);
    slot->len = n;
    slot->next_seq = pkt->tcp_seq + (uint32_t)pkt->payload_len;
    slot->age = ++t->clock;
    t->active++;
}

void tcp_follow_end(struct tcp_follow *t, struct tcp_flow *f)
{
    if (f->used) {
        f->used = false;
        t->active--;
    }
}
