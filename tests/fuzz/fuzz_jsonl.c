/* fuzz_jsonl.c — the observation JSONL reader on arbitrary bytes, and a
 * write/read round trip of everything it accepts. */
#include "core/observation.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *in = fmemopen((void *)data, size, "r");
    if (!in)
        return 0;
    struct jsonl_reader *r = jsonl_reader_new(in, "fuzz", 4096);
    struct observation obs;
    char err[256];
    int rc;
    while ((rc = jsonl_reader_next(r, &obs, err, sizeof err)) != 0) {
        if (rc < 0)
            continue;
        char *json = observation_to_json(&obs);
        struct observation back;
        if (json && observation_parse_json(json, strlen(json), &back, err, sizeof err) == 0) {
            if (back.value_len != obs.value_len || memcmp(back.value, obs.value, obs.value_len))
                abort();
            observation_clear(&back);
        }
        free(json);
        observation_clear(&obs);
    }
    jsonl_reader_free(r);
    fclose(in);
    return 0;
}
