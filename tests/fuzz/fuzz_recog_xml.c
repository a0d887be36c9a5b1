/* fuzz_recog_xml.c — the Recog XML fingerprint loader on arbitrary bytes:
 * load, build the prefilter, verify every example, and match the input
 * itself against every database. */
#include "identify/fpdb.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool count_match(void *ctx, const struct fp_database *db, const struct fingerprint *fp,
                        const struct fp_value *values, size_t count)
{
    size_t *n = ctx;
    for (size_t i = 0; i < count; i++)
        *n += values[i].len + (values[i].name[0] != 0);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fp_set *set = fp_set_new();
    char err[256];
    if (fp_set_load_buffer(set, "fuzz.xml", (const char *)data, size, false, err, sizeof err) ==
        0) {
        fp_set_finalize(set);
        struct fp_verify_counts c;
        fp_set_verify(set, NULL, &c);
        if (c.passed + c.failed != c.examples)
            abort();
        struct fp_matcher *m = fp_matcher_acquire(set);
        size_t n = 0;
        for (size_t d = 0; d < fp_set_database_count(set); d++)
            fp_database_match(fp_set_database(set, d), m, (const char *)data, size, count_match,
                              &n);
        fp_matcher_release(set, m);
    }
    fp_set_free(set);
    return 0;
}
