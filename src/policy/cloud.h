/* cloud.h — vendor-cloud endpoints (data/cloud_endpoints.json) and host
 * name matching: a name matches a domain when it equals it or ends with
 * "." + domain, compared per label and case-insensitively; the longest
 * matching domain wins. Internal to src/policy. */
#ifndef CAMAUDIT_POLICY_CLOUD_H
#define CAMAUDIT_POLICY_CLOUD_H

#include "core/observation.h"
#include "identify/device.h"

#include <stddef.h>

/* Longest DNS name (RFC 1035). */
#define CLOUD_HOSTNAME_MAX 253

struct cloud_service {
    char *id, *name, *manufacturer;
    char **domains, **uncertain, **sources;
    size_t domain_count, uncertain_count, source_count;
};

struct cloud_db {
    struct cloud_service *services;
    size_t count;
};

struct cloud_db *cloud_db_parse(const char *name, const char *text, size_t len, char *err,
                                size_t err_size);
void cloud_db_free(struct cloud_db *db);
/* The service whose domain covers hostname (a trailing dot is ignored), or
 * NULL; *domain (may be NULL) receives the matching domain. */
const struct cloud_service *cloud_db_lookup(const struct cloud_db *db, const char *hostname,
                                            const char **domain);
/* One FINDING_PHONE_HOME per service seen in dns.query / tls.sni values. */
void cloud_db_evaluate(const struct cloud_db *db, struct device *dev, const struct observation *obs,
                       size_t count);

#endif
