/* serve_discovery.h — `camlab serve` also answers the discovery protocols
 * (discovery_responder.c) when the persona has a "discovery" section: the
 * responder runs in a thread of its own on the interface holding --addr. */
#ifndef CAMLAB_SERVE_DISCOVERY_H
#define CAMLAB_SERVE_DISCOVERY_H

#include "fleet.h"

struct serve_discovery;

/* Starts the responder for dev and waits until it listens. NULL when the
 * persona has no discovery section or the address is not an IPv4 address
 * of a non-loopback interface (said in a log line), or on error (logged). */
struct serve_discovery *serve_discovery_start(const struct lab_device *dev,
                                              const char *personas_dir);
/* Stops the responder and waits for its thread. NULL is fine. */
void serve_discovery_stop(struct serve_discovery *sd);

#endif
