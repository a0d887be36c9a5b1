/* policy.h — restriction lists, vulnerability data and vendor-cloud
 * endpoints applied to devices: the findings of a scan.
 *
 * A policy set holds the selected restriction lists (policies/<id>.json and
 * user files), data/vulnerabilities.json and data/cloud_endpoints.json; it
 * is read-only once loaded, so threads may share it. */
#ifndef CAMAUDIT_POLICY_H
#define CAMAUDIT_POLICY_H

#include "core/observation.h"
#include "identify/device.h"

#include <stddef.h>

struct policy_list {
    const char *id, *name, *jurisdiction, *authority, *instrument, *effective_date, *scope, *source;
};
struct policy_set;

/* selection: "quebec,us-fcc" or NULL for every shipped list (policies/);
 * extra_files: user --policy-file paths. Also loads data/vulnerabilities
 * and data/cloud_endpoints. */
struct policy_set *policy_set_load(const char *selection, const char *const *extra_files,
                                   size_t n_extra, char *err, size_t err_size);
void policy_set_free(struct policy_set *ps);
size_t policy_set_count(const struct policy_set *ps);
const struct policy_list *policy_set_get(const struct policy_set *ps, size_t i);
/* Appends findings to dev (device.h struct finding): one restriction
 * verdict per list (restricted | not_restricted | unknown), vulnerable /
 * possibly_vulnerable per matching CVE, phone_home per cloud service seen
 * in obs (dns.query, tls.sni values). Thread-safe (read-only ps). */
void policy_evaluate(const struct policy_set *ps, struct device *dev, const struct observation *obs,
                     size_t count);
/* Cloud endpoint lookup for a host name: service id or NULL. */
const char *policy_cloud_service(const struct policy_set *ps, const char *hostname);

#endif
