/* cmd_policies.c — `camaudit policies`: lists the restriction lists camaudit
 * applies (id, jurisdiction, instrument, effective date, makers named and
 * public source), optionally the vulnerability and cloud data too. With
 * --policy-file it also checks a user's own list file. */
#include "cli/commands.h"
#include "cli/policy_options.h"
#include "core/log.h"
#include "core/util.h"
#include "policy/policy.h"
#include "policy/policy_set.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct policies_options {
    struct policy_options policy;
    bool long_form, json, vulns, cloud;
};

static void policies_usage(FILE *out)
{
    fprintf(out,
            "usage: camaudit policies [--policy LIST] [--policy-file FILE]... [--long]\n"
            "                         [--vulnerabilities] [--cloud] [--json]\n"
            "Lists the restriction lists camaudit applies, with their legal instrument,\n"
            "effective date, the manufacturers they name and their public source.\n"
            "A --policy-file is checked and reported like the shipped lists.\n%s"
            "  --long               also print scope, summary and known uncertainty\n"
            "  --vulnerabilities    also list the firmware vulnerabilities checked\n"
            "  --cloud              also list the vendor-cloud services recognised\n"
            "  --json               print JSON instead of text\n",
            POLICY_OPTIONS_HELP);
}

static int parse_options(int argc, char **argv, struct policies_options *o)
{
    policy_options_init(&o->policy);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int used = policy_options_consume(&o->policy, argc, argv, &i);
        if (used < 0)
            return -1;
        if (used)
            continue;
        if (strcmp(a, "--long") == 0) {
            o->long_form = true;
        } else if (strcmp(a, "--json") == 0) {
            o->json = true;
        } else if (strcmp(a, "--vulnerabilities") == 0) {
            o->vulns = true;
        } else if (strcmp(a, "--cloud") == 0) {
            o->cloud = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            policies_usage(stdout);
            return 1;
        } else {
            log_error("unknown option '%s' for 'policies' (see 'camaudit policies --help')", a);
            return -1;
        }
    }
    return 0;
}

static void print_field(const char *label, const char *value)
{
    if (value)
        printf("  %-13s %s\n", label, value);
}

static void print_list_text(const struct restriction_list *l, bool long_form)
{
    const struct policy_list *p = restriction_list_info(l);
    char *makers = restriction_list_makers_text(l);
    printf("%s: %s\n", p->id, p->name);
    print_field("jurisdiction", p->jurisdiction);
    print_field("effective", p->effective_date);
    print_field("authority", p->authority);
    print_field("instrument", p->instrument);
    print_field("names", makers);
    print_field("source", p->source);
    if (long_form) {
        print_field("scope", p->scope);
        print_field("summary", restriction_list_summary(l));
        print_field("uncertainty", restriction_list_uncertainty(l));
    }
    free(makers);
}

static json_t *list_json(const struct restriction_list *l)
{
    const struct policy_list *p = restriction_list_info(l);
    char *makers = restriction_list_makers_text(l);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", p->id, "name",
                          p->name, "jurisdiction", p->jurisdiction, "authority", p->authority,
                          "instrument", p->instrument, "effective_date", p->effective_date, "scope",
                          p->scope, "source", p->source, "manufacturers", makers);
    free(makers);
    return o;
}

static void print_vulns_text(const struct vuln_db *db)
{
    printf("\nFirmware vulnerabilities checked (from the versions devices show):\n");
    for (size_t i = 0; i < db->count; i++) {
        const struct vuln_entry *e = &db->entries[i];
        printf("%s  %s, %s: %s\n", e->id, e->manufacturer, e->severity, e->title);
        for (size_t k = 0; k < e->block_count; k++)
            printf("    %s: %s\n", e->blocks[k].products, e->blocks[k].range_text);
    }
}

static void print_cloud_text(const struct cloud_db *db)
{
    printf("\nVendor-cloud services recognised (DNS names and TLS SNI):\n");
    for (size_t i = 0; i < db->count; i++) {
        const struct cloud_service *s = &db->services[i];
        printf("%s  %s:", s->id, s->name);
        for (size_t k = 0; k < s->domain_count; k++)
            printf(" %s", s->domains[k]);
        printf("\n");
    }
}

static json_t *vulns_json(const struct vuln_db *db)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < db->count; i++) {
        const struct vuln_entry *e = &db->entries[i];
        json_t *blocks = json_array();
        for (size_t k = 0; k < e->block_count; k++)
            json_array_append_new(blocks, json_pack("{s:s, s:s}", "products", e->blocks[k].products,
                                                    "range", e->blocks[k].range_text));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", e->id,
                                             "manufacturer", e->manufacturer, "severity",
                                             e->severity, "title", e->title, "source",
                                             e->sources[0], "affected", blocks));
    }
    return arr;
}

static json_t *cloud_json(const struct cloud_db *db)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < db->count; i++) {
        const struct cloud_service *s = &db->services[i];
        json_t *domains = json_array();
        for (size_t k = 0; k < s->domain_count; k++)
            json_array_append_new(domains, json_string(s->domains[k]));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o}", "id", s->id, "name", s->name,
                                             "manufacturer", s->manufacturer, "domains", domains));
    }
    return arr;
}

static void print_json(const struct policy_set *ps, const struct policies_options *o)
{
    json_t *root = json_object();
    json_t *lists = json_array();
    for (size_t i = 0; i < policy_set_count(ps); i++)
        json_array_append_new(lists, list_json(policy_set_list(ps, i)));
    json_object_set_new(root, "policies", lists);
    if (o->vulns)
        json_object_set_new(root, "vulnerabilities", vulns_json(policy_set_vulns(ps)));
    if (o->cloud)
        json_object_set_new(root, "cloud_services", cloud_json(policy_set_cloud(ps)));
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    printf("\n");
    json_decref(root);
}

int cmd_policies(int argc, char **argv)
{
    struct policies_options o = {0};
    int rc = parse_options(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    struct policy_set *ps = policy_options_load(&o.policy);
    if (!ps)
        return EXIT_USAGE;
    if (o.json) {
        print_json(ps, &o);
    } else {
        for (size_t i = 0; i < policy_set_count(ps); i++) {
            if (i)
                printf("\n");
            print_list_text(policy_set_list(ps, i), o.long_form);
        }
        if (o.vulns)
            print_vulns_text(policy_set_vulns(ps));
        if (o.cloud)
            print_cloud_text(policy_set_cloud(ps));
    }
    policy_set_free(ps);
    return EXIT_OK;
}
