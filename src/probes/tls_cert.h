/* tls_cert.h — what a TLS handshake reveals without verification: the
 * certificate's subject and issuer in RFC 4514 text (tls.subject,
 * tls.issuer). The engine calls it once a probe's handshake completes. */
#ifndef CAMAUDIT_TLS_CERT_H
#define CAMAUDIT_TLS_CERT_H

#include "probes/probe.h"

#include <openssl/ssl.h>

/* A client context that accepts any certificate and any protocol version
 * OpenSSL still speaks (devices are self-signed and old). NULL on failure. */
SSL_CTX *tls_client_context_new(void);
/* Emits tls.subject and tls.issuer of the peer certificate, if any. */
void tls_cert_emit(struct probe_session *s, const SSL *ssl);
/* RFC 4514 text of a name into a new string (caller frees); NULL on failure. */
char *tls_name_rfc4514(const X509_NAME *name);

#endif
