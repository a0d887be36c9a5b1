/* policy_set.h — what src/policy knows beyond the contract of policy.h:
 * access to the loaded lists' long texts for `camaudit policies`, and the
 * loaded vulnerability and cloud data for tests. Internal. */
#ifndef CAMAUDIT_POLICY_SET_H
#define CAMAUDIT_POLICY_SET_H

#include "policy/cloud.h"
#include "policy/policy.h"
#include "policy/restriction.h"
#include "policy/vulndb.h"

const struct restriction_list *policy_set_list(const struct policy_set *ps, size_t i);
const struct vuln_db *policy_set_vulns(const struct policy_set *ps);
const struct cloud_db *policy_set_cloud(const struct policy_set *ps);

#endif
