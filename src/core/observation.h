/* observation.h — the one record every collector produces: one fact seen on
 * the wire, {ip, port, proto, signal, value, source, time, mac}.
 *
 * Probes, discovery, passive dissectors and importers only make observations;
 * identify turns them into devices. Observations travel as JSONL (one JSON
 * object per line); this module is the only reader and writer of that form.
 *
 * Values are bytes from devices: they are made valid UTF-8 on entry (a byte
 * that is not part of valid UTF-8 becomes the code point of the same number,
 * as Latin-1 would read it) and capped per signal (signals.h); a capped value
 * keeps its first bytes and has `truncated` set. */
#ifndef CAMAUDIT_OBSERVATION_H
#define CAMAUDIT_OBSERVATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OBS_IP_MAX 46   /* INET6_ADDRSTRLEN */
#define OBS_MAC_MAX 18  /* "aa:bb:cc:dd:ee:ff" + NUL */
#define OBS_PROTO_MAX 8 /* "tcp", "udp", "l2" */
#define OBS_NAME_MAX 48 /* signal and source names */

struct observation {
    char ip[OBS_IP_MAX];
    uint16_t port; /* 0 when the fact has no port */
    char proto[OBS_PROTO_MAX];
    char signal[OBS_NAME_MAX];
    char source[OBS_NAME_MAX]; /* who saw it: "probe/http", "passive/dns" */
    char mac[OBS_MAC_MAX];     /* "" when unknown */
    double time;               /* seconds since the epoch */
    char *value;               /* owned, NUL-terminated valid UTF-8 */
    size_t value_len;
    bool truncated; /* value was cut at its signal's cap */
};

/* Fills obs (value owned by obs; free with observation_clear). The value is
 * sanitised to UTF-8 and capped for its signal. port may be 0, mac NULL. */
void observation_init(struct observation *obs, const char *ip, uint16_t port, const char *proto,
                      const char *signal, const char *source, const char *mac, const void *value,
                      size_t value_len);
/* Replaces obs->value with a sanitised, capped copy of the bytes given. */
void observation_set_value(struct observation *obs, const void *value, size_t len);
void observation_clear(struct observation *obs);

/* Writes obs as one JSON line (with '\n'). Returns 0, or -1 on write error. */
int observation_write_jsonl(FILE *out, const struct observation *obs);
/* Same, into a new string without newline (caller frees). */
char *observation_to_json(const struct observation *obs);

/* Parses one JSON line into obs. Required: ip, signal, value (strings).
 * Optional: port (0..65535), proto, source, mac, time (RFC 3339 or number),
 * truncated. Returns 0, or -1 with a reason in err (err_size bytes). */
int observation_parse_json(const char *line, size_t len, struct observation *obs, char *err,
                           size_t err_size);

/* Reads observation JSONL from a stream line by line. */
struct jsonl_reader;
/* max_line bounds one line; longer lines are reported as errors and skipped. */
struct jsonl_reader *jsonl_reader_new(FILE *in, const char *name, size_t max_line);
/* Returns 1 with *obs filled, 0 at end of input, -1 for a malformed line
 * (message with file name and line number in err; the caller may go on),
 * JSONL_READ_ERROR when the input cannot be read on (message in err; stop). */
#define JSONL_READ_ERROR (-2)
int jsonl_reader_next(struct jsonl_reader *r, struct observation *obs, char *err, size_t err_size);
size_t jsonl_reader_line(const struct jsonl_reader *r);
void jsonl_reader_free(struct jsonl_reader *r);

/* Largest line jsonl_reader accepts by default (bodies are capped far lower). */
#define JSONL_MAX_LINE (1024 * 1024)

#endif
