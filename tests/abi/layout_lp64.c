/*
 * Pins the layout of every ABI struct (plugin ABI 1.1 and the front-end ABI) on
 * LP64 targets such as x86_64. A failing assertion means a change broke binary
 * compatibility: only appending members (and growing struct_size) is allowed.
 */
#include "espctl/espctl.h"
#include "espctl/defmt.h"
#include "espctl/monitor.h"
#include "espctl/plugin.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#if UINTPTR_MAX == 0xffffffffffffffff

#define PIN_SIZE(type, size) static_assert(sizeof(struct type) == (size), #type " size")
#define PIN_AT(type, member, offset) \
    static_assert(offsetof(struct type, member) == (offset), #type "." #member " offset")


PIN_SIZE(espctl_abi_hdr, 8);
PIN_AT(espctl_abi_hdr, struct_size, 0);
PIN_AT(espctl_abi_hdr, abi_major, 4);
PIN_AT(espctl_abi_hdr, abi_minor, 6);

PIN_SIZE(espctl_event, 64);
PIN_AT(espctl_event, hdr, 0);
PIN_AT(espctl_event, kind, 8);
PIN_AT(espctl_event, status, 12);
PIN_AT(espctl_event, stage, 16);
PIN_AT(espctl_event, source, 24);
PIN_AT(espctl_event, message, 32);
PIN_AT(espctl_event, done, 40);
PIN_AT(espctl_event, total, 48);
PIN_AT(espctl_event, address, 56);

PIN_SIZE(espctl_segment, 24);
PIN_AT(espctl_segment, address, 0);
PIN_AT(espctl_segment, size, 8);
PIN_AT(espctl_segment, data, 16);

PIN_SIZE(espctl_flash_image, 32);
PIN_AT(espctl_flash_image, hdr, 0);
PIN_AT(espctl_flash_image, segment_count, 8);
PIN_AT(espctl_flash_image, reserved, 12);
PIN_AT(espctl_flash_image, segments, 16);
PIN_AT(espctl_flash_image, elf_path, 24);

PIN_SIZE(espctl_target_params, 48);
PIN_AT(espctl_target_params, hdr, 0);
PIN_AT(espctl_target_params, chip, 8);
PIN_AT(espctl_target_params, probe, 16);
PIN_AT(espctl_target_params, port, 24);
PIN_AT(espctl_target_params, baud, 32);
PIN_AT(espctl_target_params, flags, 36);
PIN_AT(espctl_target_params, target_json, 40);

PIN_SIZE(espctl_monitor_params, 56);
PIN_AT(espctl_monitor_params, hdr, 0);
PIN_AT(espctl_monitor_params, mode, 8);
PIN_AT(espctl_monitor_params, channel, 12);
PIN_AT(espctl_monitor_params, elf_path, 16);
PIN_AT(espctl_monitor_params, port, 24);
PIN_AT(espctl_monitor_params, baud, 32);
PIN_AT(espctl_monitor_params, flags, 36);
PIN_AT(espctl_monitor_params, rtt_address, 40);
PIN_AT(espctl_monitor_params, rtt_timeout_ms, 48);

PIN_SIZE(espctl_flash_target, 136);
PIN_AT(espctl_flash_target, hdr, 0);
PIN_AT(espctl_flash_target, name, 8);
PIN_AT(espctl_flash_target, description, 16);
PIN_AT(espctl_flash_target, target_data, 24);
PIN_AT(espctl_flash_target, supports_chip, 32);
PIN_AT(espctl_flash_target, open, 40);
PIN_AT(espctl_flash_target, close, 48);
PIN_AT(espctl_flash_target, flash, 56);
PIN_AT(espctl_flash_target, verify, 64);
PIN_AT(espctl_flash_target, erase, 72);
PIN_AT(espctl_flash_target, reset, 80);
PIN_AT(espctl_flash_target, read, 88);
PIN_AT(espctl_flash_target, monitor_open, 96);
PIN_AT(espctl_flash_target, monitor_read, 104);
PIN_AT(espctl_flash_target, monitor_write, 112);
PIN_AT(espctl_flash_target, monitor_close, 120);
PIN_AT(espctl_flash_target, get_extension, 128);

PIN_SIZE(espctl_component, 24);
PIN_AT(espctl_component, hdr, 0);
PIN_AT(espctl_component, kind, 8);
PIN_AT(espctl_component, reserved, 12);
PIN_AT(espctl_component, vtable, 16);

PIN_SIZE(espctl_plugin_entry, 56);
PIN_AT(espctl_plugin_entry, hdr, 0);
PIN_AT(espctl_plugin_entry, name, 8);
PIN_AT(espctl_plugin_entry, version, 16);
PIN_AT(espctl_plugin_entry, description, 24);
PIN_AT(espctl_plugin_entry, init, 32);
PIN_AT(espctl_plugin_entry, deinit, 40);
PIN_AT(espctl_plugin_entry, components, 48);

PIN_SIZE(espctl_usb_id, 8);
PIN_AT(espctl_usb_id, vid, 0);
PIN_AT(espctl_usb_id, pid, 2);
PIN_AT(espctl_usb_id, flags, 4);

PIN_SIZE(espctl_probe_info, 72);
PIN_AT(espctl_probe_info, hdr, 0);
PIN_AT(espctl_probe_info, driver, 8);
PIN_AT(espctl_probe_info, selector, 16);
PIN_AT(espctl_probe_info, serial, 24);
PIN_AT(espctl_probe_info, manufacturer, 32);
PIN_AT(espctl_probe_info, product, 40);
PIN_AT(espctl_probe_info, firmware, 48);
PIN_AT(espctl_probe_info, port_path, 56);
PIN_AT(espctl_probe_info, vid, 64);
PIN_AT(espctl_probe_info, pid, 66);
PIN_AT(espctl_probe_info, flags, 68);

PIN_SIZE(espctl_probe_caps, 24);
PIN_AT(espctl_probe_caps, hdr, 0);
PIN_AT(espctl_probe_caps, flags, 8);
PIN_AT(espctl_probe_caps, max_mem_block, 12);
PIN_AT(espctl_probe_caps, speed_khz, 16);
PIN_AT(espctl_probe_caps, reserved, 20);

PIN_SIZE(espctl_probe_driver, 184);
PIN_AT(espctl_probe_driver, hdr, 0);
PIN_AT(espctl_probe_driver, name, 8);
PIN_AT(espctl_probe_driver, description, 16);
PIN_AT(espctl_probe_driver, usb_id_count, 24);
PIN_AT(espctl_probe_driver, usb_ids, 32);
PIN_AT(espctl_probe_driver, selector_prefixes, 40);
PIN_AT(espctl_probe_driver, driver_data, 48);
PIN_AT(espctl_probe_driver, enumerate, 56);
PIN_AT(espctl_probe_driver, open, 64);
PIN_AT(espctl_probe_driver, close, 72);
PIN_AT(espctl_probe_driver, caps, 80);
PIN_AT(espctl_probe_driver, set_speed, 88);
PIN_AT(espctl_probe_driver, target_voltage, 96);
PIN_AT(espctl_probe_driver, connect, 104);
PIN_AT(espctl_probe_driver, disconnect, 112);
PIN_AT(espctl_probe_driver, dp_read, 120);
PIN_AT(espctl_probe_driver, dp_write, 128);
PIN_AT(espctl_probe_driver, ap_read, 136);
PIN_AT(espctl_probe_driver, ap_write, 144);
PIN_AT(espctl_probe_driver, mem_read, 152);
PIN_AT(espctl_probe_driver, mem_write, 160);
PIN_AT(espctl_probe_driver, reset, 168);
PIN_AT(espctl_probe_driver, get_extension, 176);

PIN_SIZE(espctl_host, 120);
PIN_AT(espctl_host, hdr, 0);
PIN_AT(espctl_host, host_data, 8);
PIN_AT(espctl_host, log, 16);
PIN_AT(espctl_host, emit, 24);
PIN_AT(espctl_host, set_error, 32);
PIN_AT(espctl_host, config_get, 40);
PIN_AT(espctl_host, cancelled, 48);
PIN_AT(espctl_host, now_us, 56);
PIN_AT(espctl_host, sleep_us, 64);
PIN_AT(espctl_host, probe_driver_count, 72);
PIN_AT(espctl_host, probe_driver_at, 80);
PIN_AT(espctl_host, find_probe_driver, 88);
PIN_AT(espctl_host, chip_family_count, 96);
PIN_AT(espctl_host, chip_family_at, 104);
PIN_AT(espctl_host, find_chip_family, 112);

PIN_SIZE(espctl_mem_region, 24);
PIN_AT(espctl_mem_region, base, 0);
PIN_AT(espctl_mem_region, size, 8);
PIN_AT(espctl_mem_region, kind, 16);
PIN_AT(espctl_mem_region, flags, 20);

PIN_SIZE(espctl_chip_desc, 48);
PIN_AT(espctl_chip_desc, hdr, 0);
PIN_AT(espctl_chip_desc, name, 8);
PIN_AT(espctl_chip_desc, probe_rs_name, 16);
PIN_AT(espctl_chip_desc, device_id, 24);
PIN_AT(espctl_chip_desc, flash_size, 28);
PIN_AT(espctl_chip_desc, region_count, 32);
PIN_AT(espctl_chip_desc, reserved, 36);
PIN_AT(espctl_chip_desc, regions, 40);

PIN_SIZE(espctl_target_mem, 48);
PIN_AT(espctl_target_mem, hdr, 0);
PIN_AT(espctl_target_mem, ctx, 8);
PIN_AT(espctl_target_mem, read32, 16);
PIN_AT(espctl_target_mem, write32, 24);
PIN_AT(espctl_target_mem, read, 32);
PIN_AT(espctl_target_mem, write, 40);

PIN_SIZE(espctl_flash_geometry, 40);
PIN_AT(espctl_flash_geometry, hdr, 0);
PIN_AT(espctl_flash_geometry, base, 8);
PIN_AT(espctl_flash_geometry, size, 16);
PIN_AT(espctl_flash_geometry, write_unit, 24);
PIN_AT(espctl_flash_geometry, erased_value, 28);
PIN_AT(espctl_flash_geometry, bank_count, 32);
PIN_AT(espctl_flash_geometry, check_unit, 36);

PIN_SIZE(espctl_chip_family, 112);
PIN_AT(espctl_chip_family, hdr, 0);
PIN_AT(espctl_chip_family, name, 8);
PIN_AT(espctl_chip_family, description, 16);
PIN_AT(espctl_chip_family, arch, 24);
PIN_AT(espctl_chip_family, family_data, 32);
PIN_AT(espctl_chip_family, chips, 40);
PIN_AT(espctl_chip_family, identify, 48);
PIN_AT(espctl_chip_family, flash_open, 56);
PIN_AT(espctl_chip_family, sector_at, 64);
PIN_AT(espctl_chip_family, erase_sector, 72);
PIN_AT(espctl_chip_family, mass_erase, 80);
PIN_AT(espctl_chip_family, program, 88);
PIN_AT(espctl_chip_family, flash_close, 96);
PIN_AT(espctl_chip_family, check, 104);

PIN_SIZE(espctl_ctx_options, 64);
PIN_AT(espctl_ctx_options, hdr, 0);
PIN_AT(espctl_ctx_options, plugin_paths, 8);
PIN_AT(espctl_ctx_options, config_path, 16);
PIN_AT(espctl_ctx_options, flags, 24);
PIN_AT(espctl_ctx_options, log_level, 28);
PIN_AT(espctl_ctx_options, log_cb, 32);
PIN_AT(espctl_ctx_options, log_user, 40);
PIN_AT(espctl_ctx_options, event_cb, 48);
PIN_AT(espctl_ctx_options, event_user, 56);

PIN_SIZE(espctl_plugin_info, 64);
PIN_AT(espctl_plugin_info, hdr, 0);
PIN_AT(espctl_plugin_info, status, 8);
PIN_AT(espctl_plugin_info, error, 12);
PIN_AT(espctl_plugin_info, name, 16);
PIN_AT(espctl_plugin_info, version, 24);
PIN_AT(espctl_plugin_info, description, 32);
PIN_AT(espctl_plugin_info, path, 40);
PIN_AT(espctl_plugin_info, reason, 48);
PIN_AT(espctl_plugin_info, abi_major, 56);
PIN_AT(espctl_plugin_info, abi_minor, 58);
PIN_AT(espctl_plugin_info, component_count, 60);

PIN_SIZE(espctl_component_info, 32);
PIN_AT(espctl_component_info, hdr, 0);
PIN_AT(espctl_component_info, kind, 8);
PIN_AT(espctl_component_info, name, 16);
PIN_AT(espctl_component_info, description, 24);

PIN_SIZE(espctl_probe_desc, 72);
PIN_AT(espctl_probe_desc, hdr, 0);
PIN_AT(espctl_probe_desc, driver, 8);
PIN_AT(espctl_probe_desc, selector, 16);
PIN_AT(espctl_probe_desc, serial, 24);
PIN_AT(espctl_probe_desc, manufacturer, 32);
PIN_AT(espctl_probe_desc, product, 40);
PIN_AT(espctl_probe_desc, firmware, 48);
PIN_AT(espctl_probe_desc, port_path, 56);
PIN_AT(espctl_probe_desc, vid, 64);
PIN_AT(espctl_probe_desc, pid, 66);
PIN_AT(espctl_probe_desc, flags, 68);

PIN_SIZE(espctl_usb_id_info, 24);
PIN_AT(espctl_usb_id_info, hdr, 0);
PIN_AT(espctl_usb_id_info, driver, 8);
PIN_AT(espctl_usb_id_info, vid, 16);
PIN_AT(espctl_usb_id_info, pid, 18);
PIN_AT(espctl_usb_id_info, flags, 20);

/* espctl/monitor.h */
PIN_SIZE(espctl_monitor_options, 48);
PIN_AT(espctl_monitor_options, hdr, 0);
PIN_AT(espctl_monitor_options, mode, 8);
PIN_AT(espctl_monitor_options, channel, 12);
PIN_AT(espctl_monitor_options, elf_path, 16);
PIN_AT(espctl_monitor_options, rtt_address, 24);
PIN_AT(espctl_monitor_options, rtt_timeout_ms, 32);
PIN_AT(espctl_monitor_options, baud, 36);
PIN_AT(espctl_monitor_options, port, 40);

/* espctl/defmt.h */
PIN_SIZE(espctl_defmt_frame, 56);
PIN_AT(espctl_defmt_frame, hdr, 0);
PIN_AT(espctl_defmt_frame, status, 8);
PIN_AT(espctl_defmt_frame, level, 12);
PIN_AT(espctl_defmt_frame, index, 16);
PIN_AT(espctl_defmt_frame, flags, 20);
PIN_AT(espctl_defmt_frame, timestamp, 24);
PIN_AT(espctl_defmt_frame, text, 32);
PIN_AT(espctl_defmt_frame, raw, 40);
PIN_AT(espctl_defmt_frame, raw_size, 48);

/* espctl/plugin/ext/run_control.h */
PIN_SIZE(espctl_run_control, 48);
PIN_AT(espctl_run_control, hdr, 0);
PIN_AT(espctl_run_control, flags, 8);
PIN_AT(espctl_run_control, halt, 16);
PIN_AT(espctl_run_control, resume, 24);
PIN_AT(espctl_run_control, is_halted, 32);
PIN_AT(espctl_run_control, reset_and_halt, 40);

/* espctl/plugin/ext/flash_writer.h */
PIN_SIZE(espctl_flash_region, 32);
PIN_AT(espctl_flash_region, hdr, 0);
PIN_AT(espctl_flash_region, start, 8);
PIN_AT(espctl_flash_region, length, 16);
PIN_AT(espctl_flash_region, block_size, 24);
PIN_SIZE(espctl_flash_writer, 56);
PIN_AT(espctl_flash_writer, hdr, 0);
PIN_AT(espctl_flash_writer, flags, 8);
PIN_AT(espctl_flash_writer, region_count, 16);
PIN_AT(espctl_flash_writer, region, 24);
PIN_AT(espctl_flash_writer, erase, 32);
PIN_AT(espctl_flash_writer, write, 40);
PIN_AT(espctl_flash_writer, done, 48);

/* espctl/plugin/ext/image_format.h */
PIN_SIZE(espctl_built_image, 40);
PIN_AT(espctl_built_image, hdr, 0);
PIN_AT(espctl_built_image, segment_count, 8);
PIN_AT(espctl_built_image, segments, 16);
PIN_AT(espctl_built_image, target_json, 24);
PIN_AT(espctl_built_image, build_json, 32);
PIN_SIZE(espctl_image_format, 40);
PIN_AT(espctl_image_format, hdr, 0);
PIN_AT(espctl_image_format, build, 8);
PIN_AT(espctl_image_format, free_image, 16);
PIN_AT(espctl_image_format, describe, 24);
PIN_AT(espctl_image_format, free_text, 32);

#endif

/* Keeps the translation unit non-empty on other targets. */
int espctl_abi_layout_checked(void);
int espctl_abi_layout_checked(void)
{
    return 1;
}
