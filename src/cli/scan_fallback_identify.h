/* scan_fallback_identify.h — TEMPORARY minimal identifier for `camaudit
 * scan`, used only until identify_host() (src/identify/identify.h, branch
 * `identify`) is merged; then this file goes. It reads nothing but the three
 * self-describing bodies (Hikvision ISAPI deviceInfo, Dahua magicBox
 * getSystemInfo, Xiongmai DVRIP SystemInfo) and never guesses from headers,
 * realms or OEM tables: that is identify's job. */
#ifndef CAMAUDIT_SCAN_FALLBACK_IDENTIFY_H
#define CAMAUDIT_SCAN_FALLBACK_IDENTIFY_H

#include "core/observation.h"
#include "identify/device.h"

#include <stddef.h>

/* A new device for ip from its observations (device_free frees it). */
struct device *scan_fallback_identify(const char *ip, const struct observation *obs, size_t count);

#endif
