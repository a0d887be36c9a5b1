/* passive.h — passive analysis of captured traffic: frames go in, each is
 * decoded (packet.h) and handed to the dissectors whose ports or heuristics
 * match (dissect.h); what they see becomes observations, deduplicated and
 * grouped per host (by IP, MAC carried along) in bounded memory.
 *
 * Limits: at most max_hosts hosts, max_obs_per_host distinct observations
 * per host and max_bytes of stored observations in all are kept; anything
 * beyond is counted in the stats, not stored, so memory stays flat however
 * long the capture runs and whatever it holds. */
#ifndef CAMAUDIT_PASSIVE_H
#define CAMAUDIT_PASSIVE_H

#include "core/observation.h"
#include "passive/packet.h"

#include <stddef.h>
#include <stdint.h>

struct passive_limits {
    size_t max_hosts;        /* 0 = PASSIVE_DEFAULT_MAX_HOSTS */
    size_t max_obs_per_host; /* 0 = PASSIVE_DEFAULT_MAX_OBS */
    size_t max_bytes;        /* 0 = PASSIVE_DEFAULT_MAX_BYTES */
};
#define PASSIVE_DEFAULT_MAX_HOSTS 65536
#define PASSIVE_DEFAULT_MAX_OBS 256
#define PASSIVE_DEFAULT_MAX_BYTES ((size_t)256 * 1024 * 1024)

struct passive_stats {
    uint64_t frames;        /* fed */
    uint64_t undecoded;     /* link type unknown or frame too short */
    uint64_t observations;  /* distinct observations stored */
    uint64_t dropped_obs;   /* observations not kept as their host or the byte budget
                             * was full (a value not kept counts again when seen again) */
    uint64_t dropped_hosts; /* hosts over max_hosts (their observations dropped) */
};

/* One host at the end of a capture. ip is "" for a host only known by MAC
 * (a DHCP client whose address was never seen). */
struct passive_host {
    const char *ip;
    const char *mac; /* "" when unknown */
    const struct observation *obs;
    size_t count;
};

struct passive;

struct passive *passive_new(const struct passive_limits *limits);
void passive_free(struct passive *ps);

/* fn is called once for every new distinct observation, as it is found. */
void passive_set_observer(struct passive *ps, void (*fn)(const struct observation *obs, void *arg),
                          void *arg);

/* Feeds one captured frame of pcap link type linktype. */
void passive_feed(struct passive *ps, int linktype, const uint8_t *frame, size_t caplen,
                  double time);
/* Hands an already decoded packet to the matching dissectors. */
void passive_dispatch(struct passive *ps, const struct packet *pkt);
/* Runs one named dissector on pkt (tests and fuzz targets). -1 if unknown. */
int passive_dissect_with(struct passive *ps, const char *dissector, const struct packet *pkt);

/* Merges hosts known only by MAC into the address that MAC was later seen
 * with, then calls fn for every host in address order. */
void passive_finish(struct passive *ps, void (*fn)(const struct passive_host *host, void *arg),
                    void *arg);

const struct passive_stats *passive_get_stats(const struct passive *ps);

#endif
