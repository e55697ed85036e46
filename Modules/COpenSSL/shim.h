// The C surface of OpenSSL jobsched uses: TLS connections (the client's
// reads and writes; the rest is in Modules/CSupport/tls.c), and libevent's
// OpenSSL bufferevents, linked here. Only Sources/JobSchedSystem imports this module.
#include <features.h>  // first, as in CLibEvent: both must agree on fd_set
#include <openssl/ssl.h>
#include <openssl/err.h>
