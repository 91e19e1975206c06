// System OpenSSL 3 (libssl, libcrypto) for DTLS-SRTP and the HTTPS certificate on the edge.
// Only function-like macros are wrapped here; everything else is imported directly.
#ifndef STREAMLY_COPENSSL_SHIM_H
#define STREAMLY_COPENSSL_SHIM_H

#include <string.h>
#include <sys/time.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/// EVP_EC_gen("P-256"): a fresh ECDSA P-256 key pair (macro over a variadic function).
static inline EVP_PKEY *streamly_EVP_EC_gen_P256(void) {
    return EVP_EC_gen("P-256");
}

/// SSL_CTX_set_min_proto_version (macro over SSL_CTX_ctrl). Returns 1 on success.
static inline int streamly_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

/// SSL_OP_NO_QUERY_MTU: the transport is not a socket, so the MTU is set explicitly.
static inline uint64_t streamly_SSL_OP_NO_QUERY_MTU(void) {
    return SSL_OP_NO_QUERY_MTU;
}

/// DTLS_set_link_mtu (macro over SSL_ctrl). Returns 1 on success.
static inline long streamly_DTLS_set_link_mtu(SSL *ssl, long mtu) {
    return DTLS_set_link_mtu(ssl, mtu);
}

/// DTLSv1_get_timeout (macro over SSL_ctrl). Returns 1 and fills `left` when a timer is running.
static inline long streamly_DTLSv1_get_timeout(SSL *ssl, struct timeval *left) {
    return DTLSv1_get_timeout(ssl, left);
}

/// DTLSv1_handle_timeout (macro over SSL_ctrl): retransmits the last flight if the timer expired.
static inline long streamly_DTLSv1_handle_timeout(SSL *ssl) {
    return DTLSv1_handle_timeout(ssl);
}

/// BIO_set_retry_read (macro over BIO_set_flags).
static inline void streamly_BIO_set_retry_read(BIO *bio) {
    BIO_set_retry_read(bio);
}

/// BIO_clear_retry_flags (macro over BIO_clear_flags).
static inline void streamly_BIO_clear_retry_flags(BIO *bio) {
    BIO_clear_retry_flags(bio);
}

#endif
