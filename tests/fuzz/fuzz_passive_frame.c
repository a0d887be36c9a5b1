/* fuzz_passive_frame.c — whole frames through the passive dispatcher: the
 * first byte picks the link type (Ethernet, SLL, SLL2, raw IP, loopback),
 * the rest is the frame, decoded and handed to every matching dissector. */
#include "passive/passive.h"

#include <pcap/dlt.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
                                DLT_NULL,   DLT_LOOP,      DLT_IPV4,       DLT_IPV6};

static void ignore_host(const struct passive_host *host, void *arg)
{
    (void)host;
    (void)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int linktype = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
    struct passive *ps =
        passive_new(&(struct passive_limits){.max_hosts = 8, .max_obs_per_host = 8});
    passive_feed(ps, linktype, data + 1, size - 1, 1.0);
    /* Twice: the second pass meets the state (flows, hosts) of the first. */
    passive_feed(ps, linktype, data + 1, size - 1, 2.0);
    passive_finish(ps, ignore_host, NULL);
    passive_free(ps);
    return 0;
}
