/* server.h — the network side of camlab: one libevent loop, one listening
 * socket per (device address, persona port) so that every other port of
 * every address refuses connections (RST) like a real device, and the
 * per-connection behaviour of each service kind (HTTP(S), RTSP, banner,
 * DVRIP) and hostile behaviour (tarpit, drip, endless headers, huge body,
 * garbage). */
#ifndef CAMLAB_SERVER_H
#define CAMLAB_SERVER_H

#include "fleet.h"

#include <stddef.h>

struct lab_server;

struct lab_server *lab_server_new(void);
void lab_server_free(struct lab_server *srv);

/* Listens on every port of dev's persona at dev's address (dev must outlive
 * the server). -1 with a message naming address and port in err. */
int lab_server_add_device(struct lab_server *srv, struct lab_device *dev, char *err,
                          size_t err_size);
size_t lab_server_socket_count(const struct lab_server *srv);

/* Serves until SIGTERM or SIGINT. 0 on a clean stop. */
int lab_server_run(struct lab_server *srv);

#endif
