/* identify.h — turns all observations of one host into a device: the
 * fingerprint databases (Recog XML), the IEEE MAC registries, the OEM table
 * and the canonical manufacturer names, fused into one verdict with its
 * evidence. `camaudit identify` and `camaudit scan` both go through here.
 * See docs/FINGERPRINTS.md for the data it reads. */
#ifndef CAMAUDIT_IDENTIFY_H
#define CAMAUDIT_IDENTIFY_H

#include "core/observation.h"
#include "identify/device.h"

#include <stddef.h>

struct identifier;
/* Loads fingerprints/ (via data_path("fingerprints")), IEEE OUI registries
 * from ieee-data, the OEM table and the manufacturer names (data/). extra
 * Recog XML folders may be given. NULL + message in err on failure. */
struct identifier *identifier_load(const char *const *extra_dirs, size_t n_extra, char *err,
                                   size_t err_size);
void identifier_free(struct identifier *id);
/* All observations of ONE host -> a new device (device_free() frees it).
 * Must be safe to call from several threads at once on one identifier. */
struct device *identify_host(const struct identifier *id, const struct observation *obs,
                             size_t count);

#endif
