// Webhooks: TLS for the server's outbound connections (libevent's OpenSSL
// bufferevents, checking the receiver's certificate against its name), and
// the HMAC-SHA256 that signs each delivery. See include/CSupport.h.
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include "CSupport.h"

struct ssl_ctx_st *jobsched_tls_client_context(char *error, size_t error_size) {
    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    if (!context) {
        snprintf(error, error_size, "cannot set up TLS");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
    // The system's authorities, or those SSL_CERT_FILE / SSL_CERT_DIR name.
    if (SSL_CTX_set_default_verify_paths(context) != 1) {
        snprintf(error, error_size, "cannot read the system's certificate authorities");
        SSL_CTX_free(context);
        ERR_clear_error();
        return NULL;
    }
    return context;
}

struct bufferevent *jobsched_tls_connecting_bufferevent(struct event_base *base, struct ssl_ctx_st *context,
                                                        const char *host, int host_is_address) {
    SSL *ssl = SSL_new(context);
    if (!ssl) return NULL;
    static const unsigned char http11[] = "\x08http/1.1";
    int ok = SSL_set_alpn_protos(ssl, http11, sizeof http11 - 1) == 0;
    if (ok && !host_is_address) ok = SSL_set_tlsext_host_name(ssl, host) == 1;
    if (ok) ok = host_is_address ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 : SSL_set1_host(ssl, host) == 1;
    if (!ok) {
        SSL_free(ssl);
        ERR_clear_error();
        return NULL;
    }
    // The bufferevent owns the SSL from here, and frees it with itself.
    struct bufferevent *bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
                                                             BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
    if (bev) bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
}

void jobsched_tls_bufferevent_error(struct bufferevent *bev, char *error, size_t error_size) {
    error[0] = 0;
    SSL *ssl = bufferevent_openssl_get_ssl(bev);
    if (!ssl) return;
    long verified = SSL_get_verify_result(ssl);
    unsigned long code = bufferevent_get_openssl_error(bev);
    if (verified != X509_V_OK) {
        snprintf(error, error_size, "its certificate does not verify: %s", X509_verify_cert_error_string(verified));
    } else if (code) {
        char reason[256] = "";
        ERR_error_string_n(code, reason, sizeof reason);
        const char *last = strrchr(reason, ':');
        snprintf(error, error_size, "TLS: %s", last ? last + 1 : reason);
    }
    while (bufferevent_get_openssl_error(bev)) {}
}

void jobsched_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char digest[32]) {
    unsigned int size = 32;
    HMAC(EVP_sha256(), key, (int)key_length, data, length, digest, &size);
}
