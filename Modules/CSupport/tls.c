// TLS with OpenSSL: the server's context and its connections' bufferevents,
// a self-signed certificate, fingerprints, the client's handshake, and the
// server's own outbound connections (webhooks).
// See include/CSupport.h.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include "CSupport.h"

// OpenSSL's last error, as text, after `what`.
static void say(char *error, size_t size, const char *what) {
    unsigned long code = ERR_peek_last_error();
    char reason[256] = "";
    if (code) ERR_error_string_n(code, reason, sizeof reason);
    // The library's text is "error:0A000086:SSL routines::certificate verify failed": its reason is after the last ':'.
    const char *last = strrchr(reason, ':');
    snprintf(error, size, "%s%s%s", what, code ? ": " : "", code ? (last ? last + 1 : reason) : "");
    ERR_clear_error();
}

// The server offers HTTP/1.1 to clients that ask with ALPN, and nothing else.
static int select_http11(SSL *ssl, const unsigned char **out, unsigned char *out_length,
                         const unsigned char *offered, unsigned int offered_length, void *arg) {
    (void)ssl, (void)arg;
    static const unsigned char http11[] = "\x08http/1.1";
    unsigned char *chosen = NULL;
    if (SSL_select_next_proto(&chosen, out_length, http11, sizeof http11 - 1, offered, offered_length) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

struct ssl_ctx_st *jobsched_tls_server_context(const char *cert_path, const char *key_path, char *error, size_t error_size) {
    SSL_CTX *context = SSL_CTX_new(TLS_server_method());
    if (!context) {
        say(error, error_size, "cannot set up TLS");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    // A connection per client and no renegotiation: what evhttp's bufferevents expect.
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_alpn_select_cb(context, select_http11, NULL);
    char what[4096 + 64];
    if (SSL_CTX_use_certificate_chain_file(context, cert_path) != 1) {
        snprintf(what, sizeof what, "cannot use --tls-cert '%s'", cert_path);
        say(error, error_size, what);
    } else if (SSL_CTX_use_PrivateKey_file(context, key_path, SSL_FILETYPE_PEM) != 1
               && ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
        snprintf(what, sizeof what, "cannot use --tls-key '%s'", key_path);
        say(error, error_size, what);
    } else if (SSL_CTX_check_private_key(context) != 1) {
        ERR_clear_error();
        snprintf(error, error_size, "--tls-key '%s' is not the key of --tls-cert '%s'", key_path, cert_path);
    } else {
        return context;
    }
    SSL_CTX_free(context);
    return NULL;
}

void jobsched_tls_context_free(struct ssl_ctx_st *context) { SSL_CTX_free(context); }

struct bufferevent *jobsched_tls_accepting_bufferevent(struct event_base *base, struct ssl_ctx_st *context) {
    SSL *ssl = SSL_new(context);
    if (!ssl) return NULL;
    struct bufferevent *bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                              BEV_OPT_CLOSE_ON_FREE);
    // Clients that close without close_notify (most do) are not an error.
    if (bev) bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
}

int jobsched_tls_handshake_done(struct bufferevent *bev) {
    SSL *ssl = bufferevent_openssl_get_ssl(bev);
    return ssl && SSL_is_init_finished(ssl);
}

// Adds an X.509v3 extension made from its configuration text.
static int add_extension(X509 *certificate, int nid, const char *value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, NULL, NULL, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(NULL, &context, nid, value);
    if (!extension) return 0;
    int added = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    return added;
}

// Writes `write` to `path` through a new file of `mode`: 0 or -1.
static int write_pem(const char *path, mode_t mode, int (*write)(BIO *, void *), void *object) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return -1;
    fchmod(fd, mode);
    FILE *file = fdopen(fd, "w");
    if (!file) {
        close(fd);
        return -1;
    }
    BIO *bio = BIO_new_fp(file, BIO_CLOSE);
    int ok = bio && write(bio, object);
    if (bio) BIO_free(bio); else fclose(file);
    return ok ? 0 : -1;
}

static int write_key(BIO *bio, void *key) { return PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL); }
static int write_certificate(BIO *bio, void *certificate) { return PEM_write_bio_X509(bio, certificate); }

int jobsched_tls_make_self_signed(const char *cert_path, const char *key_path, const char *common_name,
                                  const char *alt_names, int days, char *error, size_t error_size) {
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *certificate = X509_new();
    int ok = key && certificate;
    if (ok) {
        unsigned char serial[16];
        BIGNUM *number = BN_new();
        ok = RAND_bytes(serial, sizeof serial) == 1 && number && BN_bin2bn(serial, sizeof serial, number)
            && BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate));
        BN_free(number);
    }
    if (ok) {
        X509_NAME *name = X509_get_subject_name(certificate);
        ok = X509_set_version(certificate, 2) && X509_gmtime_adj(X509_getm_notBefore(certificate), -3600)
            && X509_gmtime_adj(X509_getm_notAfter(certificate), (long)days * 24 * 3600)
            && X509_set_pubkey(certificate, key)
            && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"jobsched", -1, -1, 0)
            && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0)
            && X509_set_issuer_name(certificate, name)
            && add_extension(certificate, NID_basic_constraints, "critical,CA:TRUE")
            && add_extension(certificate, NID_key_usage, "critical,digitalSignature,keyCertSign")
            && add_extension(certificate, NID_ext_key_usage, "serverAuth")
            && add_extension(certificate, NID_subject_key_identifier, "hash")
            && add_extension(certificate, NID_authority_key_identifier, "keyid:always")
            && add_extension(certificate, NID_subject_alt_name, alt_names)
            && X509_sign(certificate, key, EVP_sha256()) > 0;
    }
    if (!ok) {
        say(error, error_size, "cannot make a self-signed certificate");
    } else if (write_pem(key_path, 0600, write_key, key) != 0) {
        snprintf(error, error_size, "cannot write '%s': %s", key_path, strerror(errno));
        ok = 0;
    } else if (write_pem(cert_path, 0644, write_certificate, certificate) != 0) {
        snprintf(error, error_size, "cannot write '%s': %s", cert_path, strerror(errno));
        ok = 0;
    }
    X509_free(certificate);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

// The SHA-256 of a certificate's DER, as 64 lowercase hex digits and a NUL.
static int fingerprint(X509 *certificate, char hex[65]) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(certificate, EVP_sha256(), digest, &length) != 1 || length != 32) return -1;
    for (unsigned int i = 0; i < length; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

int jobsched_tls_certificate_fingerprint(const char *cert_path, char hex[65], char *error, size_t error_size) {
    FILE *file = fopen(cert_path, "re");
    if (!file) {
        snprintf(error, error_size, "cannot read '%s': %s", cert_path, strerror(errno));
        return -1;
    }
    X509 *certificate = PEM_read_X509(file, NULL, NULL, NULL);
    fclose(file);
    int failed = !certificate || fingerprint(certificate, hex) != 0;
    if (failed) {
        char what[4096 + 64];
        snprintf(what, sizeof what, "cannot read a certificate from '%s'", cert_path);
        say(error, error_size, what);
    }
    X509_free(certificate);
    return failed ? -1 : 0;
}

// A client's context: TLS 1.2+, and when `verify`, the peer's certificate
// checked against `ca_file`'s authorities (NULL: the system's, or those
// SSL_CERT_FILE / SSL_CERT_DIR name). NULL on failure, said in `error`.
static SSL_CTX *client_context(const char *ca_file, int verify, char *error, size_t error_size) {
    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    if (!context) {
        say(error, error_size, "cannot set up TLS");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    // A server that closes without close_notify ends the reply; its length says whether it was whole.
    SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (verify) {
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
        int loaded = ca_file ? SSL_CTX_load_verify_locations(context, ca_file, NULL) == 1
                             : SSL_CTX_set_default_verify_paths(context) == 1;
        if (!loaded) {
            char what[4096 + 64];
            snprintf(what, sizeof what, "cannot read the certificates of '%s'", ca_file ? ca_file : "the system");
            say(error, error_size, what);
            SSL_CTX_free(context);
            return NULL;
        }
    }
    return context;
}

// Asks for HTTP/1.1 (ALPN), names `host` (SNI, unless it is an address) and,
// when `verify`, has the certificate checked against that name or address.
static int name_peer(SSL *ssl, const char *host, int host_is_address, int verify) {
    static const unsigned char http11[] = "\x08http/1.1";
    if (SSL_set_alpn_protos(ssl, http11, sizeof http11 - 1) != 0) return 0;
    if (!host_is_address && SSL_set_tlsext_host_name(ssl, host) != 1) return 0;
    if (!verify) return 1;
    return host_is_address ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 : SSL_set1_host(ssl, host) == 1;
}

struct ssl_st *jobsched_tls_connect(int fd, const char *host, int host_is_address, const char *ca_file, int verify,
                                    char peer_fingerprint[65], char *error, size_t error_size) {
    SSL_CTX *context = client_context(ca_file, verify, error, error_size);
    if (!context) return NULL;
    SSL *ssl = SSL_new(context);
    int ok = ssl && SSL_set_fd(ssl, fd) == 1 && name_peer(ssl, host, host_is_address, verify);
    if (!ok) say(error, error_size, "cannot set up TLS");
    if (ok && SSL_connect(ssl) != 1) {
        long result = SSL_get_verify_result(ssl);
        if (verify && result != X509_V_OK) {
            snprintf(error, error_size, "the server's certificate does not verify: %s", X509_verify_cert_error_string(result));
            ERR_clear_error();
        } else {
            say(error, error_size, "the TLS handshake failed");
        }
        ok = 0;
    }
    if (ok) {
        X509 *peer = SSL_get1_peer_certificate(ssl);
        ok = peer && fingerprint(peer, peer_fingerprint) == 0;
        X509_free(peer);
        if (!ok) snprintf(error, error_size, "the server sent no certificate");
    }
    // The connection holds its own reference to the context.
    SSL_CTX_free(context);
    if (!ok) {
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

struct ssl_ctx_st *jobsched_tls_client_context(char *error, size_t error_size) {
    return client_context(NULL, 1, error, error_size);
}

struct bufferevent *jobsched_tls_connecting_bufferevent(struct event_base *base, struct ssl_ctx_st *context,
                                                        const char *host, int host_is_address) {
    SSL *ssl = SSL_new(context);
    if (!ssl || !name_peer(ssl, host, host_is_address, 1)) {
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

// What an SSL_read or SSL_write that moved no bytes means: 0 at the end (the
// server closed, with or without close_notify), -1 a timeout, -2 a failure.
static int transfer_failure(SSL *ssl, int result, char *error, size_t error_size) {
    int code = SSL_get_error(ssl, result);
    int reason = errno;
    switch (code) {
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return -1;
    case SSL_ERROR_SYSCALL:
        if (reason == 0) return 0;
        snprintf(error, error_size, "%s", strerror(reason));
        ERR_clear_error();
        return -2;
    default:
        say(error, error_size, "TLS");
        return -2;
    }
}

int jobsched_tls_read(struct ssl_st *ssl, void *buffer, int count, char *error, size_t error_size) {
    int n = SSL_read(ssl, buffer, count);
    return n > 0 ? n : transfer_failure(ssl, n, error, error_size);
}

int jobsched_tls_write(struct ssl_st *ssl, const void *buffer, int count, char *error, size_t error_size) {
    int n = SSL_write(ssl, buffer, count);
    return n > 0 ? n : transfer_failure(ssl, n, error, error_size);
}

int jobsched_tls_pending(struct ssl_st *ssl) { return SSL_pending(ssl); }

void jobsched_tls_free(struct ssl_st *ssl) { SSL_free(ssl); }
