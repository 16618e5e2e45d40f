/* libFuzzer harness: the manifest v1 parser and the signature-member checker. */
#include "manifest.h"
#include "sign.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct core_manifest m;
    if (core_manifest_parse(&m, (const char *)data, size) == 0) {
        /* Parsed manifests are internally consistent. */
        for (size_t i = 0; i < m.segment_count; i++) {
            if (!m.segments[i].file || strlen(m.segments[i].sha256) != 64)
                __builtin_trap();
        }
        core_manifest_release(&m);
    }
    uint8_t pub[32];
    char id[CORE_KEY_ID_SIZE];
    core_sign_check(data, size, "manifest", 8, pub, id);
    return 0;
}
