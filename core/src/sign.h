/*
 * core/src/sign.h — Ed25519 keys and the detached manifest signature (OpenSSL EVP).
 *
 * The signature member manifest.json.sig is one line of compact JSON with sorted keys:
 *   {"algorithm":"ed25519","key_id":"<32 hex>","public_key":"<base64 of 32 bytes>",
 *    "signature":"<base64 of 64 bytes>"}\n
 * key_id = first 16 bytes of SHA-256(raw public key), hex. A reader accepts only
 * this exact canonical form.
 */
#ifndef ESPCTL_CORE_SIGN_H
#define ESPCTL_CORE_SIGN_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#define CORE_KEY_ID_SIZE 33

/** Load an Ed25519 private key (PEM). ESPCTL_E_FORMAT names the file on failure. */
int core_key_load_private(EVP_PKEY **key, const char *path);
/** Load an Ed25519 public key (PEM SubjectPublicKeyInfo). */
int core_key_load_public(EVP_PKEY **key, const char *path);
/** Raw 32-byte public key of a (private or public) Ed25519 key. */
int core_key_raw_public(const EVP_PKEY *key, uint8_t raw[32]);
void core_key_id(const uint8_t raw[32], char id[CORE_KEY_ID_SIZE]);

/** Build the signature member for `data` (malloc'd text in *out). */
int core_sign_member(EVP_PKEY *key, const void *data, size_t size, char **out, size_t *out_size);

/**
 * Check a signature member against `data`. On success fills raw_pub and key_id.
 * ESPCTL_E_INTEGRITY naming manifest.json.sig when malformed or not matching.
 */
int core_sign_check(const void *sig, size_t sig_size, const void *data, size_t size,
                    uint8_t raw_pub[32], char key_id[CORE_KEY_ID_SIZE]);

/** Find a *.pem public key equal to raw_pub in `dir`; 1 found (path copied), 0 not. */
int core_trust_find(const char *dir, const uint8_t raw_pub[32], char *path, size_t path_size);

#endif /* ESPCTL_CORE_SIGN_H */
