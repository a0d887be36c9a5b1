/* passive_fuzz.h — shared by the passive fuzz targets: runs named dissectors
 * of src/passive on arbitrary bytes given as a transport payload, then the
 * per-host grouping, so every path a dissector can reach is exercised. */
#ifndef CAMAUDIT_PASSIVE_FUZZ_H
#define CAMAUDIT_PASSIVE_FUZZ_H

#include "passive/passive.h"

#include <stddef.h>
#include <stdint.h>

/* Feeds data as payload from 192.0.2.1:sport to 192.0.2.2:dport (l4 UDP or
 * TCP) to each dissector in names (NULL-terminated); also splits it in two
 * TCP segments for dissectors that follow streams. */
void passive_fuzz_payload(const char *const *names, enum packet_l4 l4, uint16_t sport,
                          uint16_t dport, const uint8_t *data, size_t size);

#endif
