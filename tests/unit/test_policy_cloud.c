/* test_policy_cloud.c — vendor-cloud endpoint matching (label suffixes,
 * case, trailing dot, look-alikes) over data/cloud_endpoints.json, and the
 * phone_home findings policy_evaluate derives from dns.query / tls.sni. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/util.h"
#include "policy/policy.h"
#include "policy/policy_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct policy_set *ps;

static int setup(void **state)
{
    (void)state;
    char err[1024];
    ps = policy_set_load("quebec", NULL, 0, err, sizeof err);
    if (!ps)
        fprintf(stderr, "%s\n", err);
    return ps ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    policy_set_free(ps);
    return 0;
}

struct lookup_case {
    const char *host, *service; /* service NULL: no match */
};

static const struct lookup_case lookup_cases[] = {
    {"litedev.hik-connect.com", "hik-connect"},
    {"LITEDEV.Hik-Connect.COM.", "hik-connect"},
    {"hik-connect.com", "hik-connect"},
    {"nothik-connect.com", NULL},
    {"hik-connect.com.evil.example", NULL},
    {"litedev.ezvizlife.com", "ezviz"},
    {"time.ys7.com", "ezviz"},
    {"apiieu.guardingvision.com", "hikvision-guarding-vision"},
    {"www.easy4ipcloud.com", "dahua-p2p"},
    {"iotaccess.easy4ipcloud.com", "dahua-p2p"},
    {"www.dahuap2pcloud.com", "dahua-p2p"},
    {"cmgw-sg.imoulife.com", "imou"},
    {"pub-cfg.secu100.net", "xiongmai-cloud"},
    {"caps.xmcsrv.net", "xiongmai-cloud"},
    {"push.umeye.cn", "xiongmai-umeye"},
    {"ap.ezcloud.uniview.com", "uniview-ezcloud"},
    {"uniview.com", NULL},
    {"www.example.org", NULL},
    {"", NULL},
    {".", NULL},
    {"com", NULL},
    {"litedev.hik-connect.com A", "hik-connect"}, /* a value with a record type after it */
};

static void test_lookup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof lookup_cases / sizeof lookup_cases[0]; i++) {
        const char *got = policy_cloud_service(ps, lookup_cases[i].host);
        const char *want = lookup_cases[i].service;
        if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
            fail_msg("'%s': got %s, expected %s", lookup_cases[i].host, got ? got : "none",
                     want ? want : "none");
    }
    assert_null(policy_cloud_service(ps, NULL));
    char long_name[400];
    memset(long_name, 'a', sizeof long_name);
    strcpy(long_name + sizeof long_name - 17, ".hik-connect.com");
    assert_null(policy_cloud_service(ps, long_name)); /* longer than a DNS name */
}

/* Every domain of the data file matches its own service, as itself and as
 * a parent of a sub-domain, and every service has a source. */
static void test_every_domain_in_data(void **state)
{
    (void)state;
    const struct cloud_db *db = policy_set_cloud(ps);
    assert_true(db->count >= 8);
    for (size_t i = 0; i < db->count; i++) {
        const struct cloud_service *s = &db->services[i];
        assert_true(s->source_count > 0);
        for (size_t k = 0; k < s->domain_count; k++) {
            char *sub = xasprintf("device-7.%s", s->domains[k]);
            const char *a = policy_cloud_service(ps, s->domains[k]);
            const char *b = policy_cloud_service(ps, sub);
            if (!a || !b || strcmp(a, s->id) || strcmp(b, s->id))
                fail_msg("%s does not map to %s", s->domains[k], s->id);
            free(sub);
        }
    }
}

static void add_obs(struct observation *obs, size_t *n, const char *signal, const char *value)
{
    observation_init(&obs[*n], "192.0.2.30", 0, "udp", signal, "passive/test", NULL, value,
                     strlen(value));
    (*n)++;
}

static void test_phone_home_findings(void **state)
{
    (void)state;
    struct observation obs[6];
    size_t n = 0;
    add_obs(obs, &n, "dns.query", "litedev.ezvizlife.com");
    add_obs(obs, &n, "dns.query", "dev.ezviz7.com");
    add_obs(obs, &n, "tls.sni", "api.hik-connect.com");
    add_obs(obs, &n, "dns.query", "www.example.org");
    add_obs(obs, &n, "http.server", "hik-connect.com"); /* not a name the device contacted */
    struct device *dev = device_new("192.0.2.30");
    device_set(&dev->manufacturer, "Hikvision");
    dev->confidence = 0.9;
    policy_evaluate(ps, dev, obs, n);
    size_t phone = 0;
    const struct finding *ezviz = NULL, *hik = NULL;
    for (size_t i = 0; i < dev->finding_count; i++) {
        const struct finding *f = &dev->findings[i];
        if (f->kind != FINDING_PHONE_HOME)
            continue;
        phone++;
        assert_string_equal(f->verdict, "phone_home");
        if (strcmp(f->id, "ezviz") == 0)
            ezviz = f;
        if (strcmp(f->id, "hik-connect") == 0)
            hik = f;
    }
    assert_int_equal(phone, 2);
    assert_non_null(ezviz);
    assert_non_null(hik);
    assert_non_null(strstr(ezviz->reason, "litedev.ezvizlife.com (dns.query)"));
    assert_non_null(strstr(ezviz->reason, "1 more"));
    assert_non_null(strstr(hik->reason, "api.hik-connect.com (tls.sni)"));
    assert_non_null(hik->source);
    device_free(dev);
    for (size_t i = 0; i < n; i++)
        observation_clear(&obs[i]);
}

static void test_bad_cloud_data(void **state)
{
    (void)state;
    char err[512];
    const char *bad =
        "{\"format\":1,\"services\":[{\"id\":\"x\",\"name\":\"X\",\"manufacturer\":\"M\","
        "\"domains\":[\"Bad..Domain\"],\"sources\":[\"s\"]}]}";
    assert_null(cloud_db_parse("c.json", bad, strlen(bad), err, sizeof err));
    assert_non_null(strstr(err, "c.json: field 'services[0].domains[0]'"));
    const char *nosrc = "{\"format\":1,\"services\":[{\"id\":\"x\",\"name\":\"X\","
                        "\"manufacturer\":\"M\",\"domains\":[\"a.test\"],\"sources\":[]}]}";
    assert_null(cloud_db_parse("c.json", nosrc, strlen(nosrc), err, sizeof err));
    assert_non_null(strstr(err, "field 'services[0].sources'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_every_domain_in_data),
        cmocka_unit_test(test_phone_home_findings),
        cmocka_unit_test(test_bad_cloud_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
