/* favicon_hash.c — favicon MD5 and MurmurHash3; see favicon_hash.h. */
#include "probes/favicon_hash.h"

#include "core/util.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void favicon_md5_hex(const void *data, size_t len, char out[33])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    out[0] = '\0';
    if (!EVP_Digest(data, len, digest, &n, EVP_md5(), NULL) || n != 16)
        return;
    for (unsigned i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

static uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

static uint32_t fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return h;
}

uint32_t murmur3_x86_32(const void *data, size_t len, uint32_t seed)
{
    const uint8_t *p = data;
    const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
    uint32_t h = seed;
    size_t blocks = len / 4;
    for (size_t i = 0; i < blocks; i++) {
        uint32_t k = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
                     (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5 + 0xe6546b64;
    }
    const uint8_t *tail = p + blocks * 4;
    uint32_t k = 0;
    switch (len & 3) {
    case 3:
        k ^= (uint32_t)tail[2] << 16;
        /* fall through */
    case 2:
        k ^= (uint32_t)tail[1] << 8;
        /* fall through */
    case 1:
        k ^= tail[0];
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
    }
    h ^= (uint32_t)len;
    return fmix32(h);
}

char *base64_mime_lines(const void *data, size_t len, size_t *out_len)
{
    /* 57 input bytes make one 76-character line. */
    size_t lines = (len + 56) / 57;
    char *out = xmalloc(lines * 78 + 1);
    size_t o = 0;
    const unsigned char *in = data;
    for (size_t i = 0; i < len; i += 57) {
        size_t n = len - i < 57 ? len - i : 57;
        o += (size_t)EVP_EncodeBlock((unsigned char *)out + o, in + i, (int)n);
        out[o++] = '\n';
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

int32_t favicon_mmh3(const void *data, size_t len)
{
    size_t n;
    char *text = base64_mime_lines(data, len, &n);
    uint32_t h = murmur3_x86_32(text, n, 0);
    free(text);
    return (int32_t)h;
}
