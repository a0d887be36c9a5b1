/* fuzz_identify.c — identify_host on arbitrary observation values with the
 * project's database: the input is cut into observations at '\n', the first
 * byte of each choosing its signal. The device must come out whole, and its
 * direct JSON line must equal jansson's. */
#include "identify/identify.h"

#include "core/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const signals[] = {"http.server",
                                      "http.title",
                                      "http.www_authenticate",
                                      "http.body",
                                      "http.favicon_md5",
                                      "http.isapi_device_info",
                                      "http.dahua_system_info",
                                      "rtsp.server",
                                      "rtsp.www_authenticate",
                                      "rtsp.sdp",
                                      "onvif.device_info",
                                      "onvif.scopes",
                                      "tls.subject",
                                      "tls.issuer",
                                      "mac",
                                      "sadp",
                                      "dhip",
                                      "ssdp.server",
                                      "upnp.device_xml",
                                      "dvrip.system_info",
                                      "dhcp.vendor_class",
                                      "dhcp.hostname",
                                      "banner",
                                      "unknown.signal"};

#define MAX_OBS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct identifier *id;
    if (!id) {
        char err[512];
        id = identifier_load(NULL, 0, err, sizeof err);
        if (!id) {
            fprintf(stderr, "fuzz_identify: %s\n", err);
            abort();
        }
    }
    struct observation obs[MAX_OBS];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size && n < MAX_OBS; i++) {
        if (i < size && data[i] != '\n')
            continue;
        if (i > start) {
            const char *signal = signals[data[start] % (sizeof signals / sizeof signals[0])];
            observation_init(&obs[n], "192.0.2.1", (uint16_t)(data[start] * 7), "tcp", signal,
                             "fuzz", n % 3 ? NULL : "a4:14:37:00:00:01", data + start + 1,
                             i - start - 1);
            n++;
        }
        start = i + 1;
    }
    struct device *dev = identify_host(id, obs, n);
    if (!dev->manufacturer || dev->confidence < 0 || dev->confidence > 1)
        abort();
    size_t cap = 64, len = 0;
    char *line = xmalloc(cap);
    device_append_jsonl(dev, &line, &cap, &len);
    if (!len || line[len - 1] != '\n')
        abort();
    /* the direct writer must say exactly what jansson says */
    json_t *j = device_to_json(dev);
    char *want = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(j);
    if (!want || strlen(want) != len - 1 || memcmp(want, line, len - 1) != 0)
        abort();
    free(want);
    free(line);
    device_free(dev);
    for (size_t i = 0; i < n; i++)
        observation_clear(&obs[i]);
    return 0;
}
