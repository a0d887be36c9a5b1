/* textproto.h — bounded helpers for the text protocols seen passively
 * (HTTP, RTSP, SSDP headers; HTML titles; XML elements in discovery
 * messages). All take a pointer and a length; none needs a NUL. */
#ifndef CAMAUDIT_PASSIVE_TEXTPROTO_H
#define CAMAUDIT_PASSIVE_TEXTPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when p (len bytes) starts with the NUL-terminated prefix. */
bool text_starts(const uint8_t *p, size_t len, const char *prefix);
/* First case-insensitive occurrence of needle in p, or NULL. */
const uint8_t *text_find_ci(const uint8_t *p, size_t len, const char *needle);
/* Value of header `name` (case-insensitive) in the header block that follows
 * the first line, trimmed of blanks. False when absent. */
bool text_header(const uint8_t *p, size_t len, const char *name, const uint8_t **value,
                 size_t *value_len);
/* The body after the blank line ending the headers, or false without one. */
bool text_body(const uint8_t *p, size_t len, const uint8_t **body, size_t *body_len);
/* Text of the first <title> element in p, trimmed. False when there is no
 * complete title in the bytes given. */
bool html_title(const uint8_t *p, size_t len, const uint8_t **value, size_t *value_len);
/* Text content of the first element whose local name is `local` (any or no
 * namespace prefix), trimmed. False when absent or not closed. */
bool xml_element_text(const uint8_t *p, size_t len, const char *local, const uint8_t **value,
                      size_t *value_len);

#endif
