/* tls_cert.h — self-signed certificates made in memory at start, one per
 * persona TLS service, with the subject the persona file gives (one RSA key
 * per key size is shared by all of them, to keep start-up fast). */
#ifndef CAMLAB_TLS_CERT_H
#define CAMLAB_TLS_CERT_H

#include "persona.h"

#include <stddef.h>

/* Makes (once) the SSL_CTX of a TLS service: key, self-signed certificate
 * with the persona's subject. Returns it, or NULL with a message in err. */
void *lab_tls_ctx_get(struct lab_tls *tls, char *err, size_t err_size);
void lab_tls_ctx_free(void *ctx);
/* Frees the RSA keys shared by the certificates (at exit). */
void lab_tls_cleanup(void);

#endif
