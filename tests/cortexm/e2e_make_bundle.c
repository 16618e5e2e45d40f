/* e2e_make_bundle ELF CHIP OUT [SIGN_KEY]: build a flash bundle through the front-end
 * API, for the end-to-end flash tests (no bundle CLI command is needed).
 * e2e_make_bundle keygen PRIVATE: an Ed25519 pair (PRIVATE and PRIVATE.pub). */
#include "espctl/bundle.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "keygen")) {
        char id[33];
        int rc = espctl_keys_generate(argv[2], NULL, id);
        if (rc)
            fprintf(stderr, "e2e_make_bundle: %s: %s\n", espctl_strerror(rc), espctl_last_error());
        return rc ? 1 : 0;
    }
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: e2e_make_bundle ELF CHIP OUT [SIGN_KEY]\n");
        return 2;
    }
    struct espctl_bundle_create_options opts = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_options),
        .elf_path = argv[1],
        .chip = argv[2],
        .out_path = argv[3],
        .project = "e2e",
        .sign_key_path = argc == 5 ? argv[4] : NULL,
    };
    struct espctl_bundle_create_result res = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_result)};
    int rc = espctl_bundle_create(NULL, &opts, &res);
    if (rc) {
        fprintf(stderr, "e2e_make_bundle: %s: %s\n", espctl_strerror(rc), espctl_last_error());
        return 1;
    }
    printf("%s %llu bytes at 0x%08llx\n", res.path, (unsigned long long)res.image_size,
           (unsigned long long)res.image_address);
    return 0;
}
