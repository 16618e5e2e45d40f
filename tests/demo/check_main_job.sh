#!/bin/sh
# The README's main job must keep working: run scripts/demo.sh's main job (not the package
# install or the build) against this build tree; it must exit 0, print the verified line
# and stream the simulated RTT lines (STM32G431 part), then flash the ESP32-C3 bundle into
# the ROM loader simulator and print its verified line (ESP part). Exit 77 (skip) when the
# demo skipped the ESP part because riscv64-unknown-elf-gcc is missing.
#   check_main_job.sh DEMO_SH BUILD_DIR
set -u
DEMO=$1 BUILD=$2
out=$(bash "$DEMO" --main-job "$BUILD" 2>&1)
rc=$?
printf '%s\n' "$out"
fail() { echo "FAIL (demo main job): $*" >&2; exit 1; }
has() { printf '%s\n' "$out" | grep -Eq -- "$1"; }
[ $rc -eq 0 ] || fail "exit code $rc"
has '^verified: the simulated flash holds hello.bin exactly' || fail "no verified line"
has 'signed by trusted key' || fail "the bundle was not signed and trusted"
has '^rtt 00000009$' || fail "the RTT lines did not stream"
! has 'Sanitizer|runtime error' || fail "sanitizer report"
if has '^skipped: ESP32-C3 part'; then
    echo "SKIP (demo main job): the ESP32-C3 part was skipped"
    exit 77
fi
has '^wrote .*esp32c3-hello-flash-bundle\.tar\.gz \(signed;' || fail "the ESP bundle was not signed"
has '--port socket://127\.0\.0\.1:[0-9]+ --baud 921600$' || fail "the ESP bundle was not flashed over TCP at 921600"
has '^flashed .*esp32c3-hello-flash-bundle\.tar\.gz to esp32c3, verified' || fail "espctl did not flash the ESP32-C3"
has '^   effective [0-9.]+ kbit/s' || fail "no ESP simulator figures"
has "^verified: the simulated ESP32-C3 flash holds the bundle's merged image exactly" ||
    fail "no ESP verified line"
echo "PASS (demo main job)"
