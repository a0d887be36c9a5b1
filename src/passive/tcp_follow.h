/* tcp_follow.h — a small bounded table of TCP flows followed in sequence
 * order, for dissectors whose message spans several segments (a TLS server
 * flight, an HTTP response). Each flow keeps a copy of its first segment's
 * addressing (so what it yields can be credited even after other packets
 * went by) and up to a fixed number of payload bytes. Retransmitted bytes
 * are recognised and skipped; a gap or the byte cap ends nothing by itself:
 * the dissector decides what to do with what the flow holds. Memory is flows x bytes,
 * allocated on first use, whatever the capture's size. */
#ifndef CAMAUDIT_PASSIVE_TCP_FOLLOW_H
#define CAMAUDIT_PASSIVE_TCP_FOLLOW_H

#include "passive/packet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tcp_flow {
    bool used;
    struct packet first; /* the first segment's addressing (no payload: see buf) */
    uint32_t next_seq;
    uint64_t age;
    size_t len;
    uint8_t *buf;
};

struct tcp_follow {
    struct tcp_flow *flows;
    size_t flow_count, flow_bytes, active;
    uint64_t clock;
};

/* A table of at most flows flows of at most bytes each (a dissector's
 * state); tcp_follow_free takes void * so it serves as state_free. */
struct tcp_follow *tcp_follow_new(size_t flows, size_t bytes);
void tcp_follow_free(void *t);

/* The followed flow of pkt's direction, or NULL. */
struct tcp_flow *tcp_follow_find(struct tcp_follow *t, const struct packet *pkt);
enum tcp_follow_result {
    FOLLOW_APPENDED, /* the flow holds pkt's new bytes (none for an empty FIN) */
    FOLLOW_OLD,      /* bytes the flow already holds: a retransmission, a keepalive */
    FOLLOW_BROKEN,   /* a gap before pkt (lost or reordered), or past the byte cap */
};
/* Appends pkt to its flow; a segment that overlaps what the flow holds
 * adds only its new bytes. */
enum tcp_follow_result tcp_follow_append(struct tcp_follow *t, struct tcp_flow *f,
                                         const struct packet *pkt);
/* The slot a new flow would take: a free one, else the oldest (still used:
 * the caller finishes it with tcp_follow_end before tcp_follow_begin). */
struct tcp_flow *tcp_follow_slot(struct tcp_follow *t);
/* Starts following pkt's direction in slot (free) with pkt's payload. */
void tcp_follow_begin(struct tcp_follow *t, struct tcp_flow *slot, const struct packet *pkt);
void tcp_follow_end(struct tcp_follow *t, struct tcp_flow *f);

#endif
