// The few libcrypto entry points Tidings uses: HMAC (SHA-1, SHA-256), SHA-256 and
// constant-time comparison.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
