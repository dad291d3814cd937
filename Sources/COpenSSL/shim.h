#ifndef DRIFTCHECK_COPENSSL_SHIM_H
#define DRIFTCHECK_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

// Function-like macros do not import into Swift; these inline wrappers stand in for them.
static inline long driftcheck_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline void driftcheck_OPENSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

#endif
