/* discovery_upnp.h — fetching a UPnP device description (see
 * discovery_upnp.c); parsing it is discovery_upnp_parse_description(). */
#ifndef CAMAUDIT_DISCOVERY_UPNP_H
#define CAMAUDIT_DISCOVERY_UPNP_H

#include <stddef.h>

/* GETs the http:// URL location when its host is exactly device_ip; returns
 * the body (caller frees, NUL-terminated, at most limit bytes of answer) or
 * NULL (other host, not 200, timeout, connection refused). */
char *discovery_upnp_fetch(const char *location, const char *device_ip, double timeout,
                           size_t limit, size_t *body_len);

#endif
