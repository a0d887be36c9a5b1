/* fleet.h — which persona lives at which address: a deterministic choice from
 * the seed and the address (weighted by --mix, thinned by --density), the
 * per-device identity (MAC in the maker's OUI block, serial number), the
 * {{variables}} persona answers may use, and the ground-truth file. */
#ifndef CAMLAB_FLEET_H
#define CAMLAB_FLEET_H

#include "core/targets.h"
#include "persona.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lab_device {
    struct target_addr addr;
    char ip[48];
    const struct persona *persona;
    uint64_t id; /* per-device hash: MAC tail, serial digits */
    uint8_t mac[6];
    char *serial;
};

/* Per-persona weights for the fleet draw. */
struct fleet_mix {
    double *weights; /* one per persona of the set */
    size_t count;
    double total;
};

/* spec NULL: every non-hostile persona, weight 1. Otherwise "key=weight,..."
 * where key is a persona name (that persona) or a tag (split evenly among
 * the personas carrying it); unnamed personas get weight 0. -1 + err. */
int fleet_mix_parse(const struct persona_set *set, const char *spec, struct fleet_mix *mix,
                    char *err, size_t err_size);
void fleet_mix_free(struct fleet_mix *mix);

/* The persona the seed puts at addr, or NULL for an empty address (density
 * draw). Deterministic in (seed, addr, mix, density). */
const struct persona *fleet_pick(const struct persona_set *set, const struct fleet_mix *mix,
                                 uint64_t seed, double density, const struct target_addr *addr);

/* Fills dev (identity derived from seed and address). lab_device_clear frees it. */
void lab_device_init(struct lab_device *dev, const struct persona *p, uint64_t seed,
                     const struct target_addr *addr);
/* Gives dev another MAC (a real interface's) and re-renders its serial. */
void lab_device_set_mac(struct lab_device *dev, const uint8_t mac[6]);
void lab_device_clear(struct lab_device *dev);

/* Expands {{ip}} {{port}} {{mac}} {{MAC}} {{mac_dash}} {{mac_hex}} (lower
 * case) {{MAC_HEX}} (upper case) {{serial}}
 * {{id_hex}} {{id5}} {{id_dec}} {{model}} {{firmware}} {{brand}} {{manufacturer}}
 * {{date}} in text; unknown
 * names are kept as written. Returns a new buffer (NUL-terminated). */
char *lab_render(const struct lab_device *dev, uint16_t port, const char *text, size_t len,
                 size_t *out_len);

/* Writes the ground truth (JSON array sorted by address) to path through a
 * temporary file and rename. -1 + err. */
int fleet_write_truth(const char *path, const struct lab_device *devs, size_t count, char *err,
                      size_t err_size);

#endif
