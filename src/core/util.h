/* util.h — small helpers every module needs: checked allocation, bounded
 * string copy, reading a whole file with a size limit, time stamps. */
#ifndef CAMAUDIT_UTIL_H
#define CAMAUDIT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation that never returns NULL: out of memory ends the program with a
 * message (there is nothing sensible to do for a scanner without memory). */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string (caller frees). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copies at most dst_size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy_safe(char *dst, const char *src, size_t dst_size);

/* Reads a whole file into a new NUL-terminated buffer (caller frees).
 * Fails (NULL, errno set, EFBIG if too large) beyond max_bytes. */
char *file_read_all(const char *path, size_t max_bytes, size_t *out_len);

/* Seconds since the epoch, with sub-second precision. */
double time_now(void);
/* Formats t as RFC 3339 UTC with milliseconds: "2026-11-27T10:00:00.000Z".
 * buf must hold at least 32 bytes. */
void time_format_rfc3339(double t, char *buf, size_t buf_size);
/* Parses the form written above (fraction and 'Z' optional); false if not. */
bool time_parse_rfc3339(const char *text, double *out);

/* Locates a data directory shipped with camaudit (fingerprints, policies,
 * data, lab/personas): $CAMAUDIT_DATA_DIR/<name>, else the source tree the
 * binary was built from, else the install folder meson.build names
 * (<prefix>/share/camaudit/<name>). Caller frees. */
char *data_path(const char *name);

/* Paths "dir/name" of the entries of dir whose name ends with suffix (dot
 * files skipped), sorted by name; *count says how many. The caller frees
 * them with string_list_free. NULL with errno set when dir cannot be read;
 * an empty folder gives an empty, non-NULL list. */
char **dir_list_sorted(const char *dir, const char *suffix, size_t *count);
void string_list_free(char **list, size_t count);

#endif
