/* family_make_bundle ELF CHIP OUT: package ELF as an unsigned flash bundle for CHIP through
 * the front-end API (espctl_bundle_create), for the family calibration tests. */
#include "espctl/bundle.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: family_make_bundle ELF CHIP OUT\n");
        return 2;
    }
    struct espctl_bundle_create_options opts = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_options),
        .elf_path = argv[1],
        .chip = argv[2],
        .out_path = argv[3],
        .project = "calibration-families",
    };
    struct espctl_bundle_create_result res = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_result)};
    int rc = espctl_bundle_create(NULL, &opts, &res);
    if (rc) {
        fprintf(stderr, "family_make_bundle: %s: %s\n", espctl_strerror(rc), espctl_last_error());
        return 1;
    }
    printf("%s %llu bytes at 0x%08llx\n", res.path, (unsigned long long)res.image_size,
           (unsigned long long)res.image_address);
    return 0;
}
