/* ieee_oui.h — MAC address blocks of the IEEE registries (MA-L 24-bit,
 * MA-M 28-bit, MA-S and IAB 36-bit) as Debian's ieee-data ships them in
 * /usr/share/ieee-data/ (oui.csv, mam.csv, oui36.csv, iab.csv); the longest registered prefix wins.
 */
#ifndef CAMAUDIT_IEEE_OUI_H
#define CAMAUDIT_IEEE_OUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IEEE_DATA_DIR "/usr/share/ieee-data"

struct oui_registry;

/* Loads oui.csv, mam.csv, oui36.csv and iab.csv from dir (missing files are
 * skipped with a warning). Never NULL. */
struct oui_registry *oui_registry_load(const char *dir);
void oui_registry_free(struct oui_registry *reg);
size_t oui_registry_count(const struct oui_registry *reg);

/* Parses "aa:bb:cc:dd:ee:ff" (also '-' or '.' separated, or 12 hex digits)
 * into 48 bits; false when it is not a MAC. */
bool mac_parse(const char *text, uint64_t *out);
/* Locally administered: bit 0x02 of the first octet. */
bool mac_is_local(uint64_t mac);

struct oui_match {
    const char *organization; /* registered organisation name */
    const char *registry;     /* "MA-L", "MA-M", "MA-S", "IAB" */
};
/* The longest registered block holding mac; false when none. */
bool oui_lookup(const struct oui_registry *reg, uint64_t mac, struct oui_match *out);

#endif
