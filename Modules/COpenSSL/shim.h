// OpenSSL, and libevent's OpenSSL bufferevents: the libraries of
// Modules/CSupport/tls.c, which depends on this target for them (headers,
// pkg-config, the package to install). Swift code reaches TLS through CSupport.
#include <features.h>  // first, as in CLibEvent: both must agree on fd_set
#include <openssl/ssl.h>
#include <event2/bufferevent_ssl.h>
