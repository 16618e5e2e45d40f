/* libFuzzer harness: the bundle reader (tar.gz safety rules, manifest, member hashes). */
#include "espctl/bundle.h"
#include "sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct espctl_bundle_open_options o = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_open_options),
                                           .max_total_size = 64u << 20};
    espctl_bundle *b = NULL;
    if (espctl_bundle_open_memory(NULL, data, size, &o, &b) != 0)
        return 0;
    struct espctl_bundle_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_info)};
    if (espctl_bundle_get_info(b, &info) != 0)
        __builtin_trap();
    for (uint32_t i = 0; i < info.member_count; i++) {
        struct espctl_bundle_member m = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_member)};
        if (espctl_bundle_get_member(b, i, &m) != 0)
            __builtin_trap();
    }
    const void *sig;
    uint64_t sig_size;
    if (espctl_bundle_member_data(b, ESPCTL_BUNDLE_SIGNATURE, &sig, &sig_size) == 0) {
        uint8_t pub[32];
        char id[CORE_KEY_ID_SIZE];
        core_sign_check(sig, (size_t)sig_size, info.manifest_json, (size_t)info.manifest_size, pub, id);
    }
    espctl_bundle_free(b);
    return 0;
}
