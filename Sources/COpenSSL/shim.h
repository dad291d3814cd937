#ifndef DRIFTCHECK_COPENSSL_SHIM_H
#define DRIFTCHECK_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <openssl/ssl.h>
#include <openssl/rand.h>

// Function-like macros do not import into Swift; these inline wrappers stand in for them.
static inline long driftcheck_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline void driftcheck_OPENSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

// TLS for `check --push` (libssl): the macros the client needs, as functions.
static inline long driftcheck_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

static inline long driftcheck_SSL_CTX_set_min_proto_version(SSL_CTX *context, int version) {
    return SSL_CTX_set_min_proto_version(context, version);
}

#endif
