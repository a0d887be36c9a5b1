/* discovery_internal.h — helpers the discovery modules share (not public). */
#ifndef CAMAUDIT_DISCOVERY_INTERNAL_H
#define CAMAUDIT_DISCOVERY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* A fresh random UUID, lower-case, 36 characters + NUL. */
void discovery_random_uuid(char out[37]);
/* Copies at most len bytes of src (stopping at NUL) into dst, keeping only
 * printable text (control bytes become spaces), trimmed. */
void discovery_copy_text(char *dst, size_t dst_size, const char *src, size_t len);
/* Bytes after the last non-NUL, non-space byte are dropped: many devices pad
 * their datagrams. Returns the useful length. */
size_t discovery_trim_tail(const uint8_t *buf, size_t len);

/* Copies text into dst only when it is a dotted IPv4 address ("" if not). */
void discovery_copy_ipv4(char *dst, size_t dst_size, const char *text);

#endif
