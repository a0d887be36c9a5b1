/* escape.h — making hostile device strings harmless in each output: HTML,
 * CSV (quoting, and no spreadsheet formulas), Markdown and the terminal.
 * Every string that came from a device or a user goes through one of these
 * before it is written; nothing is written raw. */
#ifndef CAMAUDIT_ESCAPE_H
#define CAMAUDIT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Writes s (NULL = nothing) with & < > " ' as entities: safe in text and in
 * quoted attribute values. */
void html_put(FILE *out, const char *s);
/* Writes s as one CSV field (RFC 4180 quoting). A value a spreadsheet would
 * run as a formula (= + - @ tab CR first) gets a leading apostrophe. */
void csv_put(FILE *out, const char *s);
/* Writes s for a Markdown table cell: HTML entities, | escaped, line breaks
 * as spaces. */
void md_put(FILE *out, const char *s);
/* A copy of s fit for a terminal (caller frees): control characters
 * (C0, DEL, C1: escape sequences) and bytes that are not UTF-8 become '?'.
 * NULL gives "-". */
char *terminal_safe(const char *s);
/* terminal_safe, cut to at most width bytes (whole UTF-8 characters) with
 * a trailing '~' when cut: for table columns. */
char *terminal_clip(const char *s, size_t width);

#endif
