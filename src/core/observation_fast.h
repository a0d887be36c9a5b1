/* observation_fast.h — the fast path of observation_parse_json (internal to
 * src/core): a direct reader for the common flat observation line, so that
 * `camaudit identify` keeps up with hundreds of thousands of lines a second.
 * It accepts only what it fully understands and gives the same result as the
 * jansson reader; anything else (an error, nesting, unknown keys, rare
 * escapes) is left to jansson, which then decides and words the error. The
 * differential fuzz target tests/fuzz/fuzz_observation_fast.c holds the two
 * to the same answers. */
#ifndef CAMAUDIT_OBSERVATION_FAST_H
#define CAMAUDIT_OBSERVATION_FAST_H

#include "core/observation.h"

/* 1: line parsed into obs (value set through observation_set_value);
 * 0: not handled, obs untouched apart from being zeroed. */
int observation_parse_fast(const char *line, size_t len, struct observation *obs);

/* The jansson-only reader (the reference the fast path must agree with). */
int observation_parse_json_jansson(const char *line, size_t len, struct observation *obs, char *err,
                                   size_t err_size);

#endif
