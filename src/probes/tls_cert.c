/* tls_cert.c — certificate names from a completed TLS handshake; see
 * tls_cert.h. No verification on purpose: the point is to read what a
 * (usually self-signed) device presents, not to trust it. */
#include "probes/tls_cert.h"

#include "core/util.h"

#include <openssl/bio.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

SSL_CTX *tls_client_context_new(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return NULL;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    /* Cameras speak TLS 1.0 with old ciphers: allow what OpenSSL can. */
    SSL_CTX_set_min_proto_version(ctx, 0);
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
    SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_IGNORE_UNEXPECTED_EOF);
    /* Sessions are kept per port by the engine, not in a shared cache. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    return ctx;
}

char *tls_name_rfc4514(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return NULL;
    char *text = NULL;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *data;
        long len = BIO_get_mem_data(bio, &data);
        text = xstrndup(len > 0 && data ? data : "", len > 0 && data ? (size_t)len : 0);
    }
    BIO_free(bio);
    return text;
}

static void emit_name(struct probe_session *s, const char *signal, const X509_NAME *name)
{
    char *text = name ? tls_name_rfc4514(name) : NULL;
    if (text && *text)
        probe_emit_from(s, "probe/tls", signal, text, strlen(text));
    free(text);
}

void tls_cert_emit(struct probe_session *s, const SSL *ssl)
{
    X509 *cert = SSL_get1_peer_certificate(ssl);
    if (!cert)
        return;
    emit_name(s, "tls.subject", X509_get_subject_name(cert));
    emit_name(s, "tls.issuer", X509_get_issuer_name(cert));
    X509_free(cert);
}
