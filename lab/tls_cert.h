/* tls_cert.h — self-signed certificates made in memory at start, one per
 * persona TLS service, with the subject the persona file gives (one RSA key
 * per key size is shared by all of them, to keep start-up fast). */
#ifndef CAMLAB_TLS_CERT_H
#define CAMLAB_TLS_CERT_H

#include "persona.h"

#include <stddef.h>

/* Makes (once) the SSL_CTX of a TLS service whose subject has no
 * {{variables}}: self-signed certificate with the persona's subject. Returns
 * it (owned by tls), or NULL with a message in err. */
void *lab_tls_ctx_get(struct lab_tls *tls, char *err, size_t err_size);
/* A new SSL_CTX (caller frees) whose subject takes values[i] for field i:
 * for per-device subjects (tls->per_device). */
void *lab_tls_ctx_make(const struct lab_tls *tls, const char *const *values, char *err,
                       size_t err_size);
/* Makes the shared key ahead of the first connection. 0 or -1 + err. */
int lab_tls_prepare(const struct lab_tls *tls, char *err, size_t err_size);
void lab_tls_ctx_free(void *ctx);
/* Frees the RSA keys shared by the certificates (at exit). */
void lab_tls_cleanup(void);

#endif
