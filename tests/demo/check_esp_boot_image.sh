#!/bin/sh
# esp-boot-image (examples/firmware/esp32c3-hello) makes the demo's bootloader image: the image
# it writes from boot.elf must be accepted by `espctl build --bootloader` and decoded by
# `bundle inspect` as a valid bootloader at 0x0; ELFs that cannot be a bootloader (flash-mapped
# sections, wrong architecture, truncated) are refused with exit 2 and leave no output file.
#   check_esp_boot_image.sh ESP_BOOT_IMAGE BOOT_ELF APP_ELF ESPCTL PLUGIN_DIR WORK_DIR
set -u
TOOL=$1 BOOT_ELF=$2 APP_ELF=$3 ESPCTL=$4 PLUGINS=$5 WORK=$6
fail() { echo "FAIL (esp-boot-image): $*" >&2; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK" || fail "cannot make $WORK"

"$TOOL" --chip esp32c3 "$BOOT_ELF" "$WORK/boot.bin" || fail "boot.elf: exit $?"
[ "$(head -c 1 "$WORK/boot.bin" | od -An -tx1 | tr -d ' ')" = e9 ] || fail "no ESP image magic"
XDG_CONFIG_HOME="$WORK/config" "$ESPCTL" --plugin-path "$PLUGINS" build --rust-elf "$APP_ELF" \
    --target esp32c3 --bootloader "$WORK/boot.bin" --out "$WORK/bundle.tar.gz" > "$WORK/build.log" 2>&1 ||
    fail "espctl build refused the bootloader: $(cat "$WORK/build.log")"
out=$(XDG_CONFIG_HOME="$WORK/config" "$ESPCTL" --plugin-path "$PLUGINS" bundle inspect "$WORK/bundle.tar.gz" 2>&1) ||
    fail "bundle inspect: $out"
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -Eq "^  bootloader  0x00000 +$(wc -c < "$WORK/boot.bin") bytes, sha256 ok" ||
    fail "bundle inspect does not show the bootloader as a valid image at 0x0"

refused() { # refused NAME CHIP ELF
    "$TOOL" --chip "$2" "$3" "$WORK/$1.bin" 2> "$WORK/$1.err"
    rc=$?
    [ $rc -eq 2 ] || fail "$1: exit $rc, expected 2"
    [ ! -e "$WORK/$1.bin" ] || fail "$1: an output file was left"
    grep -q . "$WORK/$1.err" || fail "$1: no message"
    cat "$WORK/$1.err"
}
refused flash-mapped esp32c3 "$APP_ELF"
refused wrong-arch esp32s3 "$BOOT_ELF"
head -c 100 "$BOOT_ELF" > "$WORK/truncated.elf"
refused truncated esp32c3 "$WORK/truncated.elf"
grep -q "section '.text' at 0x42000020 is flash-mapped" "$WORK/flash-mapped.err" || fail "flash-mapped: wrong message"
rm -rf "$WORK"
echo "PASS (esp-boot-image)"
