/* favicon_hash.h — the two favicon fingerprints search engines publish:
 * hex MD5 of the icon bytes (http.favicon_md5) and the signed 32-bit
 * MurmurHash3 (x86_32, seed 0) of the icon's base64 text with a newline
 * after every 76 characters and at the end, as Python's
 * base64.encodebytes writes it (http.favicon_mmh3, the form of Shodan's
 * http.favicon.hash and nuclei). */
#ifndef CAMAUDIT_FAVICON_HASH_H
#define CAMAUDIT_FAVICON_HASH_H

#include <stddef.h>
#include <stdint.h>

/* 32 hex digits + NUL into out. */
void favicon_md5_hex(const void *data, size_t len, char out[33]);
int32_t favicon_mmh3(const void *data, size_t len);
/* MurmurHash3 x86_32 of bytes with a seed (exposed for its test vectors). */
uint32_t murmur3_x86_32(const void *data, size_t len, uint32_t seed);
/* base64 with "\n" after every 76 characters and at the end (caller frees). */
char *base64_mime_lines(const void *data, size_t len, size_t *out_len);

#endif
