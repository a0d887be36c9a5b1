/* discovery_scan.h — discovery inside `camaudit scan`: `--discover` searches
 * the local segments the targets overlap (discovery_run per interface) and
 * asks the routed IPv4 targets by unicast (ONVIF, DHIP; --rate paced) before
 * the TCP scan; the answers then join the scan's observations of the same
 * address before identification, and the devices only discovery found
 * (misaddressed ones, hosts without an open scanned port) are reported after
 * the scan, marked by a discovery.only observation. docs/DISCOVERY.md. */
#ifndef CAMAUDIT_DISCOVERY_SCAN_H
#define CAMAUDIT_DISCOVERY_SCAN_H

#include "core/engine.h"
#include "core/targets.h"
#include "identify/device.h"

#include <stdbool.h>

struct discovery_scan_options {
    bool local;   /* --discover: search the local segments of the targets */
    bool unicast; /* ask routed targets by unicast (on with --discover) */
    bool no_unicast;
    double wait; /* seconds to collect answers (--discover-wait) */
};

/* Help lines of the options below. */
extern const char DISCOVERY_SCAN_OPTIONS_HELP[];

/* Consumes --discover, --udp-discovery, --no-udp-discovery, --discover-wait S
 * at argv[*i]: 1 used, 0 not one of them, -1 bad value (error printed). */
int discovery_scan_consume(struct discovery_scan_options *o, int argc, char **argv, int *i);

struct discovery_scan;

/* Runs discovery as the options say (NULL when they ask for none) and
 * routes cfg's host callback through the merge: cfg->on_host / cfg->ctx
 * are replaced, the originals kept. rate: datagrams per second for the
 * unicast sweep (the scan's --rate). Failures are warnings: the scan runs. */
struct discovery_scan *discovery_scan_start(const struct discovery_scan_options *o,
                                            struct target_set *targets, double rate,
                                            struct engine_config *cfg);
/* After engine_run: reports (through the original callback) each host that
 * discovery found and the scan did not, then frees. NULL is fine. */
void discovery_scan_finish(struct discovery_scan *ds);

/* Adds the discovery facts a reader of the device record must see
 * (discovery.only, discovery.misaddressed) to dev as evidence. */
void discovery_scan_annotate(struct device *dev, const struct observation *obs, size_t count);

#endif
