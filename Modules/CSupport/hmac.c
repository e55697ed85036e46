// The HMAC-SHA256 that signs each webhook delivery. See include/CSupport.h.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "CSupport.h"

void jobsched_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char digest[32]) {
    unsigned int size = 32;
    HMAC(EVP_sha256(), key, (int)key_length, data, length, digest, &size);
}
