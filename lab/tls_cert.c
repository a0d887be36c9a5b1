/* tls_cert.c — in-memory RSA keys and self-signed certificates for persona
 * TLS services (see tls_cert.h). Nothing is written to disk. */
#include "tls_cert.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>

static void openssl_error(const char *what, char *err, size_t err_size)
{
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    snprintf(err, err_size, "%s: %s", what, buf);
}

static X509 *make_certificate(EVP_PKEY *key, const struct lab_tls *tls, const char *const *values,
                              char *err, size_t err_size)
{
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    for (size_t i = 0; i < tls->n_subject; i++) {
        if (!X509_NAME_add_entry_by_txt(name, tls->subject[2 * i], MBSTRING_UTF8,
                                        (const unsigned char *)values[i], -1, -1, 0)) {
            snprintf(err, err_size, "certificate subject field '%s' is not known to OpenSSL",
                     tls->subject[2 * i]);
            goto fail;
        }
    }
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), (long)tls->days * 86400L);
    X509_set_subject_name(cert, name);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, key);
    if (!X509_sign(cert, key, EVP_sha256())) {
        openssl_error("cannot sign certificate", err, err_size);
        goto fail;
    }
    X509_NAME_free(name);
    return cert;
fail:
    X509_NAME_free(name);
    X509_free(cert);
    return NULL;
}

/* RSA key generation dominates start-up (0.3-2 s a key on a busy machine),
 * so every certificate of one key size shares one key: the certificates,
 * and what a scanner reads from them, still differ per persona. */
struct shared_key {
    int bits;
    EVP_PKEY *key;
};
static struct shared_key shared_keys[4];

static EVP_PKEY *shared_key(int bits, char *err, size_t err_size)
{
    size_t i = 0;
    for (; i < sizeof shared_keys / sizeof *shared_keys && shared_keys[i].key; i++)
        if (shared_keys[i].bits == bits) {
            EVP_PKEY_up_ref(shared_keys[i].key); /* the caller frees its reference */
            return shared_keys[i].key;
        }
    EVP_PKEY *key = EVP_RSA_gen((unsigned)bits);
    if (!key) {
        openssl_error("cannot make RSA key", err, err_size);
        return NULL;
    }
    if (i < sizeof shared_keys / sizeof *shared_keys) {
        shared_keys[i].bits = bits;
        shared_keys[i].key = key;
        EVP_PKEY_up_ref(key);
    }
    return key;
}

void lab_tls_cleanup(void)
{
    for (size_t i = 0; i < sizeof shared_keys / sizeof *shared_keys; i++) {
        EVP_PKEY_free(shared_keys[i].key);
        shared_keys[i].key = NULL;
    }
}

int lab_tls_prepare(const struct lab_tls *tls, char *err, size_t err_size)
{
    EVP_PKEY *key = shared_key(tls->key_bits, err, err_size);
    EVP_PKEY_free(key);
    return key ? 0 : -1;
}

void *lab_tls_ctx_make(const struct lab_tls *tls, const char *const *values, char *err,
                       size_t err_size)
{
    EVP_PKEY *key = shared_key(tls->key_bits, err, err_size);
    if (!key)
        return NULL;
    X509 *cert = make_certificate(key, tls, values, err, err_size);
    SSL_CTX *ctx = cert ? SSL_CTX_new(TLS_server_method()) : NULL;
    if (cert && ctx &&
        (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1)) {
        openssl_error("cannot load certificate", err, err_size);
        SSL_CTX_free(ctx);
        ctx = NULL;
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    return ctx;
}

void *lab_tls_ctx_get(struct lab_tls *tls, char *err, size_t err_size)
{
    if (tls->ssl_ctx)
        return tls->ssl_ctx;
    const char **values = calloc(tls->n_subject + 1, sizeof *values);
    if (!values)
        return NULL;
    for (size_t i = 0; i < tls->n_subject; i++)
        values[i] = tls->subject[2 * i + 1];
    tls->ssl_ctx = lab_tls_ctx_make(tls, values, err, err_size);
    free(values);
    return tls->ssl_ctx;
}

void lab_tls_ctx_free(void *ctx)
{
    SSL_CTX_free(ctx);
}
