/* Ed25519 signing and verification of manifest.json (OpenSSL EVP). */
#include "sign.h"

#include "espctl/bundle.h"
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG "manifest.json.sig"

static int load_pem(EVP_PKEY **key, const char *path, int private_key)
{
    *key = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return core_error(errno == ENOENT ? ESPCTL_E_NOT_FOUND : ESPCTL_E_IO, "%s: cannot open key: %s",
                          path, strerror(errno));
    EVP_PKEY *k = private_key ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (!k)
        return core_error(ESPCTL_E_FORMAT, "%s: not a PEM %s key", path, private_key ? "private" : "public");
    if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(k);
        return core_error(ESPCTL_E_FORMAT, "%s: key is not Ed25519", path);
    }
    *key = k;
    return 0;
}

int core_key_load_private(EVP_PKEY **key, const char *path)
{
    return load_pem(key, path, 1);
}

int core_key_load_public(EVP_PKEY **key, const char *path)
{
    return load_pem(key, path, 0);
}

int core_key_raw_public(const EVP_PKEY *key, uint8_t raw[32])
{
    size_t len = 32;
    if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1 || len != 32)
        return core_error(ESPCTL_E_FORMAT, "cannot extract the Ed25519 public key");
    return 0;
}

void core_key_id(const uint8_t raw[32], char id[CORE_KEY_ID_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(raw, 32, md, &mdlen, EVP_sha256(), NULL);
    for (int i = 0; i < 16; i++) {
        id[2 * i] = hex[md[i] >> 4];
        id[2 * i + 1] = hex[md[i] & 15];
    }
    id[32] = '\0';
}

static void b64(const uint8_t *in, size_t n, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* Decode exactly `n` bytes from canonical base64 (padding included). */
static int unb64(const char *in, uint8_t *out, size_t n)
{
    size_t len = strlen(in);
    if (len != 4 * ((n + 2) / 3) || len > 128)
        return -1;
    unsigned char tmp[96];
    int got = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)len);
    if (got != (int)(3 * ((n + 2) / 3)))
        return -1;
    memcpy(out, tmp, n);
    char again[132];
    b64(out, n, again);
    return strcmp(again, in) == 0 ? 0 : -1;
}

static char *member_text(const char *key_id, const uint8_t pub[32], const uint8_t sig[64])
{
    char pub64[48], sig64[92];
    b64(pub, 32, pub64);
    b64(sig, 64, sig64);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "algorithm", "ed25519", "key_id", key_id,
                          "public_key", pub64, "signature", sig64);
    if (!o)
        return NULL;
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *line = realloc(text, n + 2);
    if (!line) {
        free(text);
        return NULL;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    return line;
}

int core_sign_member(EVP_PKEY *key, const void *data, size_t size, char **out, size_t *out_size)
{
    uint8_t pub[32], sig[64];
    size_t siglen = sizeof sig;
    int rc = core_key_raw_public(key, pub);
    if (rc)
        return rc;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
             EVP_DigestSign(md, sig, &siglen, data, size) == 1 && siglen == 64;
    EVP_MD_CTX_free(md);
    if (!ok)
        return core_error(ESPCTL_E_OTHER, "Ed25519 signing failed");
    char id[CORE_KEY_ID_SIZE];
    core_key_id(pub, id);
    char *text = member_text(id, pub, sig);
    if (!text)
        return core_error(ESPCTL_E_NOMEM, SIG ": out of memory");
    *out = text;
    *out_size = strlen(text);
    return 0;
}

int core_sign_check(const void *sig_member, size_t sig_size, const void *data, size_t size,
                    uint8_t raw_pub[32], char key_id[CORE_KEY_ID_SIZE])
{
    json_error_t jerr;
    json_t *o = json_loadb(sig_member, sig_size, JSON_REJECT_DUPLICATES, &jerr);
    const char *alg = NULL, *id = NULL, *pub64 = NULL, *sig64 = NULL;
    if (!o || json_unpack(o, "{s:s, s:s, s:s, s:s !}", "algorithm", &alg, "key_id", &id, "public_key",
                          &pub64, "signature", &sig64) != 0) {
        json_decref(o);
        return core_error(ESPCTL_E_INTEGRITY,
                          SIG ": malformed signature member (need {algorithm, key_id, public_key, signature})");
    }
    uint8_t pub[32], sig[64];
    char want_id[CORE_KEY_ID_SIZE];
    int rc = 0;
    if (strcmp(alg, "ed25519") != 0)
        rc = core_error(ESPCTL_E_INTEGRITY, SIG ": algorithm \"%s\" is not ed25519", alg);
    else if (unb64(pub64, pub, 32) || unb64(sig64, sig, 64))
        rc = core_error(ESPCTL_E_INTEGRITY, SIG ": public_key/signature are not canonical base64 of 32/64 bytes");
    if (!rc) {
        core_key_id(pub, want_id);
        if (strcmp(want_id, id) != 0)
            rc = core_error(ESPCTL_E_INTEGRITY, SIG ": key_id does not match public_key");
    }
    if (!rc) {
        char *canon = member_text(id, pub, sig);
        if (!canon || strlen(canon) != sig_size || memcmp(canon, sig_member, sig_size) != 0)
            rc = core_error(ESPCTL_E_INTEGRITY, SIG ": not in canonical form (member was altered)");
        free(canon);
    }
    json_decref(o);
    if (rc)
        return rc;
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = k && md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, k) == 1 &&
             EVP_DigestVerify(md, sig, 64, data, size) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    if (!ok)
        return core_error(ESPCTL_E_INTEGRITY,
                          "manifest.json: signature in " SIG " does not match (manifest or signature was altered)");
    memcpy(raw_pub, pub, 32);
    memcpy(key_id, want_id, CORE_KEY_ID_SIZE);
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int core_trust_find(const char *dir, const uint8_t raw_pub[32], char *path, size_t path_size)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < sizeof names / sizeof names[0]) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".pem") == 0 && (names[n] = strdup(e->d_name)))
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_name);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", dir, names[i]);
        EVP_PKEY *k = NULL;
        uint8_t raw[32];
        if (!found && core_key_load_public(&k, full) == 0 && core_key_raw_public(k, raw) == 0 &&
            memcmp(raw, raw_pub, 32) == 0) {
            snprintf(path, path_size, "%s", full);
            found = 1;
        }
        EVP_PKEY_free(k);
        free(names[i]);
    }
    espctl_clear_error();
    return found;
}
