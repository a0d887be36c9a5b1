/* report_json.c — the report for machines: totals, the restriction lists
 * with their sources, and per site the scan, its counts, the history of
 * restricted devices and every device in its stored JSON form. */
#include "core/util.h"
#include "report/report.h"

#include <jansson.h>

static json_t *time_json(double t)
{
    if (t <= 0)
        return json_null();
    char buf[32];
    time_format_rfc3339(t, buf, sizeof buf);
    return json_string(buf);
}

static json_t *counts_json(const struct report_counts *c)
{
    return json_pack("{s:I, s:I, s:I, s:I}", "devices", (json_int_t)c->devices, "restricted",
                     (json_int_t)c->restricted, "vulnerable", (json_int_t)c->vulnerable,
                     "phone_home", (json_int_t)c->phone_home);
}

static json_t *scan_json(const struct store_scan *s)
{
    json_t *o = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:I}", "id", (json_int_t)s->id,
                          "site", s->site, "targets", s->targets, "options", s->options, "command",
                          s->command, "operator", s->operator_name, "hosts", (json_int_t)s->hosts);
    json_object_set_new(o, "started", time_json(s->started));
    json_object_set_new(o, "finished", time_json(s->finished));
    return o;
}

static json_t *policy_json(const struct report_policy *p)
{
    return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:I, s:I, s:I}", "id", p->id,
                     "name", p->name, "jurisdiction", p->jurisdiction, "authority", p->authority,
                     "instrument", p->instrument, "effective_date", p->effective_date, "scope",
                     p->scope, "source", p->source, "restricted", (json_int_t)p->restricted,
                     "not_restricted", (json_int_t)p->not_restricted, "unknown",
                     (json_int_t)p->unknown);
}

static json_t *site_json(const struct report_site *site)
{
    json_t *o = json_object();
    json_object_set_new(o, "site", json_string(site->scan.site));
    json_object_set_new(o, "scan", scan_json(&site->scan));
    json_object_set_new(o, "counts", counts_json(&site->counts));
    json_t *history = json_array();
    for (size_t i = 0; i < site->history.count; i++) {
        json_t *h = json_pack("{s:I, s:I}", "scan_id", (json_int_t)site->history.items[i].id,
                              "restricted", (json_int_t)site->restricted_history[i]);
        json_object_set_new(h, "started", time_json(site->history.items[i].started));
        json_array_append_new(history, h);
    }
    json_object_set_new(o, "history", history);
    const struct report_change *c = &site->change;
    if (c->previous_scan) {
        json_t *since = json_pack(
            "{s:I, s:I, s:I, s:I, s:I}", "scan_id", (json_int_t)c->previous_scan, "appeared",
            (json_int_t)c->appeared, "vanished", (json_int_t)c->vanished, "vanished_restricted",
            (json_int_t)c->vanished_restricted, "changed", (json_int_t)c->changed);
        json_object_set_new(since, "started", time_json(c->previous_started));
        json_object_set_new(o, "since_previous", since);
    } else {
        json_object_set_new(o, "since_previous", json_null());
    }
    json_t *devices = json_array();
    for (size_t i = 0; i < site->devices.count; i++) {
        json_t *d = device_to_json(site->devices.items[i].dev);
        json_object_set_new(d, "device_id", json_integer(site->devices.items[i].device_id));
        json_array_append_new(devices, d);
    }
    json_object_set_new(o, "devices", devices);
    return o;
}

int report_write_json(const struct report *r, FILE *out)
{
    json_t *o = json_object();
    json_object_set_new(o, "generated", time_json(r->generated));
    json_t *totals = counts_json(&r->totals);
    json_t *by_list = json_object();
    for (size_t i = 0; i < r->policy_count; i++)
        json_object_set_new(by_list, r->policies[i].id,
                            json_integer((json_int_t)r->policies[i].restricted));
    json_object_set_new(totals, "restricted_by_list", by_list);
    json_object_set_new(o, "totals", totals);
    json_t *policies = json_array();
    for (size_t i = 0; i < r->policy_count; i++)
        json_array_append_new(policies, policy_json(&r->policies[i]));
    json_object_set_new(o, "policies", policies);
    json_t *sites = json_array();
    for (size_t s = 0; s < r->site_count; s++)
        json_array_append_new(sites, site_json(&r->sites[s]));
    json_object_set_new(o, "sites", sites);
    int rc = json_dumpf(o, out, JSON_INDENT(2)) == 0 && fputc('\n', out) != EOF ? 0 : -1;
    json_decref(o);
    return rc;
}
