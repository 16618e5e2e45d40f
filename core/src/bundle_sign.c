/* Signatures and trust: verify, sign an existing bundle, generate and trust keys. */
#include "bundle_internal.h"

#include "internal.h"
#include "sign.h"

#include <errno.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The trusted-keys directory: given, else config keys.trusted_dir, else (with a
 * context) $XDG_CONFIG_HOME/espctl/trusted-keys or ~/.config/espctl/trusted-keys. */
static const char *trusted_dir_of(espctl_ctx *ctx, const char *given, char *buf, size_t size)
{
    if (given)
        return given;
    if (!ctx)
        return NULL;
    const char *configured = espctl_config_get(ctx, "keys.trusted_dir");
    if (configured)
        return configured;
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    int n = xdg && *xdg ? snprintf(buf, size, "%s/espctl/trusted-keys", xdg)
                        : home ? snprintf(buf, size, "%s/.config/espctl/trusted-keys", home) : -1;
    return n > 0 && (size_t)n < size ? buf : NULL;
}

ESPCTL_API int espctl_bundle_verify(espctl_ctx *ctx, const espctl_bundle *b, const char *trusted_dir,
                                    struct espctl_bundle_verify_result *result)
{
    if (!b)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_verify: bundle is NULL");
    if (result && result->hdr.struct_size < sizeof result->hdr)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_verify: result hdr.struct_size too small");
    struct espctl_bundle_verify_result full;
    memset(&full, 0, sizeof full);
    core_stage_begin(ctx, "verify", 0);
    int rc = 0;
    if (!b->signature_member) {
        rc = core_error(ESPCTL_E_UNSIGNED, "bundle is unsigned: it has no " ESPCTL_BUNDLE_SIGNATURE
                                           " (sign it with `espctl bundle sign`)");
    } else {
        uint8_t pub[32];
        rc = core_sign_check(b->signature_member->data, b->signature_member->size, b->manifest_member->data,
                             b->manifest_member->size, pub, full.key_id);
        if (!rc) {
            char dirbuf[ESPCTL_PATH_SIZE];
            const char *dir = trusted_dir_of(ctx, trusted_dir, dirbuf, sizeof dirbuf);
            if (!dir)
                rc = core_error(ESPCTL_E_UNTRUSTED,
                                "signature is valid (key %s) but no trusted-keys directory is configured "
                                "(keys.trusted_dir)", full.key_id);
            else if (!core_trust_find(dir, pub, full.trusted_key, sizeof full.trusted_key))
                rc = core_error(ESPCTL_E_UNTRUSTED,
                                "signature is valid but key %s is not trusted (not in %s; add it with "
                                "`espctl keys trust`)", full.key_id, dir);
        }
    }
    core_stage_end(ctx, "verify", rc);
    if (result) {
        struct espctl_abi_hdr keep = result->hdr;
        size_t n = keep.struct_size < sizeof full ? keep.struct_size : sizeof full;
        memcpy(result, &full, n);
        result->hdr = keep;
    }
    return rc;
}

ESPCTL_API int espctl_bundle_sign(espctl_ctx *ctx, const char *path, const char *key_path, const char *out_path)
{
    if (!path || !key_path)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_sign: path and key_path are required");
    EVP_PKEY *key = NULL;
    int rc = core_key_load_private(&key, key_path);
    if (rc)
        return rc;
    espctl_bundle *b = NULL;
    rc = espctl_bundle_open(ctx, path, NULL, &b);
    char *sig = NULL;
    size_t sig_size = 0;
    if (!rc) {
        core_stage_begin(ctx, "sign", 0);
        rc = core_sign_member(key, b->manifest_member->data, b->manifest_member->size, &sig, &sig_size);
        core_stage_end(ctx, "sign", rc);
    }
    if (!rc) {
        core_stage_begin(ctx, "write", 0);
        rc = bundle_repack(b, sig, sig_size, out_path ? out_path : path);
        core_stage_end(ctx, "write", rc);
    }
    free(sig);
    espctl_bundle_free(b);
    EVP_PKEY_free(key);
    return rc;
}

static int pem_to_memory(EVP_PKEY *key, int private_key, char **out, size_t *size)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int ok = bio && (private_key ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)
                                 : PEM_write_bio_PUBKEY(bio, key));
    char *mem = NULL;
    long n = ok ? BIO_get_mem_data(bio, &mem) : 0;
    if (!ok || n <= 0 || !(*out = malloc((size_t)n))) {
        BIO_free(bio);
        return core_error(ESPCTL_E_OTHER, "cannot encode the key as PEM");
    }
    memcpy(*out, mem, (size_t)n);
    *size = (size_t)n;
    BIO_free(bio);
    return 0;
}

static int refuse_existing(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0)
        return core_error(ESPCTL_E_INVAL, "%s: already exists; refusing to overwrite a key", path);
    return 0;
}

ESPCTL_API int espctl_keys_generate(const char *private_path, const char *public_path, char key_id[33])
{
    if (!private_path)
        return core_error(ESPCTL_E_INVAL, "espctl_keys_generate: private_path is NULL");
    char pub_default[ESPCTL_PATH_SIZE];
    if (!public_path) {
        if (snprintf(pub_default, sizeof pub_default, "%s.pub", private_path) >= (int)sizeof pub_default)
            return core_error(ESPCTL_E_INVAL, "%s: path too long", private_path);
        public_path = pub_default;
    }
    int rc = refuse_existing(private_path);
    if (!rc)
        rc = refuse_existing(public_path);
    if (rc)
        return rc;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (!key)
        return core_error(ESPCTL_E_OTHER, "Ed25519 key generation failed");
    char *priv = NULL, *pub = NULL;
    size_t priv_n = 0, pub_n = 0;
    uint8_t raw[32];
    rc = pem_to_memory(key, 1, &priv, &priv_n);
    if (!rc)
        rc = pem_to_memory(key, 0, &pub, &pub_n);
    if (!rc)
        rc = core_key_raw_public(key, raw);
    if (!rc)
        rc = bundle_write_file_atomic(private_path, priv, priv_n, 0600);
    if (!rc) {
        rc = bundle_write_file_atomic(public_path, pub, pub_n, 0644);
        if (rc)
            remove(private_path);
    }
    if (!rc && key_id)
        core_key_id(raw, key_id);
    if (priv)
        OPENSSL_cleanse(priv, priv_n);
    free(priv);
    free(pub);
    EVP_PKEY_free(key);
    return rc;
}

ESPCTL_API int espctl_keys_trust(espctl_ctx *ctx, const char *pubkey_path, const char *trusted_dir,
                                 char installed[ESPCTL_PATH_SIZE])
{
    if (!pubkey_path)
        return core_error(ESPCTL_E_INVAL, "espctl_keys_trust: pubkey_path is NULL");
    char dirbuf[ESPCTL_PATH_SIZE];
    const char *dir = trusted_dir_of(ctx, trusted_dir, dirbuf, sizeof dirbuf);
    if (!dir)
        return core_error(ESPCTL_E_CONFIG, "no trusted-keys directory: set keys.trusted_dir in the config");
    EVP_PKEY *key = NULL;
    int rc = core_key_load_public(&key, pubkey_path);
    if (rc) {
        EVP_PKEY *priv = NULL;
        if (core_key_load_private(&priv, pubkey_path) == 0) {
            EVP_PKEY_free(priv);
            return core_error(ESPCTL_E_INVAL, "%s: this is a private key; trust the public key (.pub) instead",
                              pubkey_path);
        }
        return core_error(ESPCTL_E_FORMAT, "%s: not a PEM Ed25519 public key", pubkey_path);
    }
    uint8_t raw[32];
    char id[CORE_KEY_ID_SIZE];
    char *pem = NULL;
    size_t pem_n = 0;
    rc = core_key_raw_public(key, raw);
    if (!rc)
        rc = pem_to_memory(key, 0, &pem, &pem_n);
    EVP_PKEY_free(key);
    if (rc)
        return rc;
    core_key_id(raw, id);
    if ((rc = bundle_mkdir_p(dir, 0700))) {
        free(pem);
        return rc;
    }
    char path[ESPCTL_PATH_SIZE];
    if (snprintf(path, sizeof path, "%s/%s.pem", dir, id) >= (int)sizeof path) {
        free(pem);
        return core_error(ESPCTL_E_INVAL, "%s: path too long", dir);
    }
    rc = bundle_write_file_atomic(path, pem, pem_n, 0644);
    free(pem);
    if (!rc) {
        core_log(ctx, ESPCTL_LOG_INFO, "bundle", "trusted key %s installed as %s", id, path);
        if (installed)
            snprintf(installed, ESPCTL_PATH_SIZE, "%s", path);
    }
    return rc;
}
