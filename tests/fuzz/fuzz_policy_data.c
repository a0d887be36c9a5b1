/* fuzz_policy_data.c — the loaders of user-providable policy data on
 * arbitrary bytes: the first byte picks the parser (restriction list,
 * vulnerability data, cloud endpoints, equipment categories), the rest is
 * the file text. Whatever parses is then applied to a few devices so the
 * matchers run on fuzzed data too. */
#include "core/observation.h"
#include "identify/device.h"
#include "policy/cloud.h"
#include "policy/restriction.h"
#include "policy/vulndb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char categories_json[] =
    "{\"format\":1,\"categories\":{\"video_surveillance\":[\"ip_camera\",\"nvr\"],"
    "\"telecommunications\":[\"router\"]}}";

static struct device *sample_device(int i)
{
    static const char *const makers[] = {"Hikvision", "unknown", "Dahua", "Axis"};
    static const char *const brands[] = {"Annke", "EZVIZ", NULL, "Amcrest"};
    static const char *const models[] = {"DS-2CD2532F-IWS", "IPC-HFW5241E-ZE", NULL, "AHB8004T-GL"};
    static const char *const firmware[] = {"V5.2.0 build 140721", NULL,
                                           "2.800.0000016.0.R,build:2020-06-05", "4.02.R11.A1"};
    static const char *const types[] = {"ip_camera", "router", NULL, "nvr"};
    struct device *dev = device_new("192.0.2.1");
    device_set(&dev->manufacturer, makers[i]);
    device_set(&dev->brand, brands[i]);
    device_set(&dev->model, models[i]);
    device_set(&dev->firmware, firmware[i]);
    device_set(&dev->device_type, types[i]);
    dev->confidence = i == 1 ? 0.2 : 0.9;
    return dev;
}

static void run_devices(struct restriction_list *list, struct category_map *cats,
                        struct vuln_db *vulns, struct cloud_db *cloud)
{
    struct observation obs[2];
    observation_init(&obs[0], "192.0.2.1", 80, "tcp", "http.server", "fuzz", NULL, "uc-httpd 1.0.0",
                     14);
    observation_init(&obs[1], "192.0.2.1", 53, "udp", "dns.query", "fuzz", NULL,
                     "litedev.hik-connect.com", 23);
    for (int i = 0; i < 4; i++) {
        struct device *dev = sample_device(i);
        if (list)
            restriction_evaluate(list, cats, dev);
        if (vulns)
            vuln_db_evaluate(vulns, dev, obs, 2);
        if (cloud)
            cloud_db_evaluate(cloud, dev, obs, 2);
        device_free(dev);
    }
    observation_clear(&obs[0]);
    observation_clear(&obs[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    char err[512];
    struct category_map *cats =
        category_map_parse("categories", categories_json, strlen(categories_json), err, sizeof err);
    if (!cats)
        abort();
    switch (data[0] % 4) {
    case 0: {
        struct restriction_list *l =
            restriction_list_parse("fuzz", text, len, cats, err, sizeof err);
        if (l) {
            char *makers = restriction_list_makers_text(l);
            free(makers);
            run_devices(l, cats, NULL, NULL);
        }
        restriction_list_free(l);
        break;
    }
    case 1: {
        struct vuln_db *db = vuln_db_parse("fuzz", text, len, err, sizeof err);
        if (db)
            run_devices(NULL, cats, db, NULL);
        vuln_db_free(db);
        break;
    }
    case 2: {
        struct cloud_db *db = cloud_db_parse("fuzz", text, len, err, sizeof err);
        if (db) {
            run_devices(NULL, cats, NULL, db);
            for (size_t i = 0; i < db->count; i++)
                for (size_t k = 0; k < db->services[i].domain_count; k++)
                    if (!cloud_db_lookup(db, db->services[i].domains[k], NULL))
                        abort(); /* every domain matches itself */
        }
        cloud_db_free(db);
        break;
    }
    default:
        category_map_free(category_map_parse("fuzz", text, len, err, sizeof err));
        break;
    }
    category_map_free(cats);
    return 0;
}
