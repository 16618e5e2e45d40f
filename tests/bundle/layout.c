/* Pins the layout of the bundle ABI structs on LP64 (x86_64, aarch64): only appending
 * members is allowed. Compiling this file is the test; running it reports the result. */
#include "espctl/bundle.h"

#include <assert.h>
#include <stdio.h>

#if UINTPTR_MAX == 0xffffffffffffffff
#define PIN_SIZE(type, size) static_assert(sizeof(struct type) == (size), #type " size")
#define PIN_AT(type, member, offset) \
    static_assert(offsetof(struct type, member) == (offset), #type "." #member " offset")

PIN_SIZE(espctl_bundle_create_options, 104);
PIN_AT(espctl_bundle_create_options, elf_path, 8);
PIN_AT(espctl_bundle_create_options, chip, 16);
PIN_AT(espctl_bundle_create_options, out_path, 24);
PIN_AT(espctl_bundle_create_options, build_meta_path, 32);
PIN_AT(espctl_bundle_create_options, project, 40);
PIN_AT(espctl_bundle_create_options, sign_key_path, 48);
PIN_AT(espctl_bundle_create_options, dependencies_path, 56);
/* appended for ESP chips (issue 7) */
PIN_AT(espctl_bundle_create_options, bootloader_path, 64);
PIN_AT(espctl_bundle_create_options, partition_table_path, 72);
PIN_AT(espctl_bundle_create_options, flash_mode, 80);
PIN_AT(espctl_bundle_create_options, flash_freq, 88);
PIN_AT(espctl_bundle_create_options, flash_size, 96);

PIN_SIZE(espctl_bundle_create_result, 1064);
PIN_AT(espctl_bundle_create_result, path, 8);
PIN_AT(espctl_bundle_create_result, is_signed, 1032);
PIN_AT(espctl_bundle_create_result, image_size, 1040);
PIN_AT(espctl_bundle_create_result, image_address, 1048);
PIN_AT(espctl_bundle_create_result, bundle_size, 1056);

PIN_SIZE(espctl_bundle_open_options, 16);
PIN_AT(espctl_bundle_open_options, max_total_size, 8);

PIN_SIZE(espctl_bundle_info, 120);
PIN_AT(espctl_bundle_info, schema_version, 8);
PIN_AT(espctl_bundle_info, target_kind, 16);
PIN_AT(espctl_bundle_info, chip, 24);
PIN_AT(espctl_bundle_info, probe_rs_chip, 32);
PIN_AT(espctl_bundle_info, project, 40);
PIN_AT(espctl_bundle_info, ref, 48);
PIN_AT(espctl_bundle_info, job_id, 56);
PIN_AT(espctl_bundle_info, created_at, 64);
PIN_AT(espctl_bundle_info, build_provenance, 72);
PIN_AT(espctl_bundle_info, build_meta, 80);
PIN_AT(espctl_bundle_info, segment_count, 88);
PIN_AT(espctl_bundle_info, member_count, 92);
PIN_AT(espctl_bundle_info, has_signature, 96);
PIN_AT(espctl_bundle_info, manifest_json, 104);
PIN_AT(espctl_bundle_info, manifest_size, 112);

PIN_SIZE(espctl_bundle_segment, 40);
PIN_AT(espctl_bundle_segment, offset, 8);
PIN_AT(espctl_bundle_segment, size, 16);
PIN_AT(espctl_bundle_segment, file, 24);
PIN_AT(espctl_bundle_segment, sha256, 32);

PIN_SIZE(espctl_bundle_member, 32);
PIN_AT(espctl_bundle_member, name, 8);
PIN_AT(espctl_bundle_member, size, 16);
PIN_AT(espctl_bundle_member, sha256, 24);

PIN_SIZE(espctl_bundle_verify_result, 1068);
PIN_AT(espctl_bundle_verify_result, key_id, 8);
PIN_AT(espctl_bundle_verify_result, trusted_key, 41);

PIN_SIZE(espctl_chip_info, 40);
PIN_AT(espctl_chip_info, name, 8);
PIN_AT(espctl_chip_info, probe_rs_chip, 16);
PIN_AT(espctl_chip_info, family, 24);
PIN_AT(espctl_chip_info, flash_size, 32);
PIN_AT(espctl_chip_info, ram_size, 36);
#define PINNED 1
#else
#define PINNED 0
#endif

int main(void)
{
    printf(PINNED ? "bundle ABI layout pinned (LP64)\n" : "not LP64: layout not pinned here\n");
    return 0;
}
