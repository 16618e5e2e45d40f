#!/usr/bin/env bash
# The README's first command: install what is missing, build, run the main job.
#
#   scripts/demo.sh                         install packages, build build/, run the main job
#   scripts/demo.sh --main-job BUILD_DIR    only the main job, against an existing build tree
#                                           (what the demo.main_job ctest runs)
#
# The main job: build the example firmware (examples/firmware/stm32g431-hello), package it
# as a signed flash bundle with a throwaway key, flash it into a simulated STM32G431RB
# behind a simulated ST-Link (espctl-sim, stlink-server protocol on a free loopback port),
# show what the flash cost in the simulator's modelled time and check that the simulated
# flash holds exactly the image, then stream RTT output for a few seconds.
# Then the same for an ESP32-C3 (examples/firmware/esp32c3-hello, built with
# riscv64-unknown-elf-gcc): a signed bundle holding the merged image (bootloader, partition
# table, app), flashed through the simulated ROM serial loader (espctl-sim esp, raw TCP on a
# free loopback port) at 921600 baud, with the simulator's figures and a check that its flash
# holds exactly the merged image. Without the RISC-V compiler that part prints a skip line.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

MONITOR_SECONDS=3
WORK=
SIM_PID=

# Every exit path stops the simulator and removes the temporary directory.
cleanup() {
  if [[ -n "$SIM_PID" ]]; then
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
    SIM_PID=
  fi
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  WORK=
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "demo: $*" >&2; exit 1; }

# sim_stat FILE KEY: a number from the simulator's stats JSON.
sim_stat() { sed -n "s/^ *\"$2\": \([0-9.]*\),\{0,1\}$/\1/p" "$1"; }

# sim_start TAG [espctl-sim options]: a simulated ST-Link + STM32G431RB on a free port.
# Sets SIM_PID and PROBE.
sim_start() {
  local tag=$1; shift
  "$build/bin/espctl-sim" stlink --chip stm32g431rb --port 0 --stats "$WORK/$tag.stats" \
    --flash-out "$WORK/$tag.flash" "$@" > "$WORK/$tag.out" 2> "$WORK/$tag.err" &
  SIM_PID=$!
  local port=
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/$tag.out")
    [[ -n "$port" ]] && break
    kill -0 "$SIM_PID" 2>/dev/null || die "the simulator exited: $(cat "$WORK/$tag.err")"
    sleep 0.1
  done
  [[ -n "$port" ]] || die "the simulator did not report its port"
  PROBE="stlink-tcp:127.0.0.1:$port"
}

# sim_stop: the simulator writes its stats and flash image when it is stopped.
sim_stop() {
  kill "$SIM_PID" 2>/dev/null || true
  wait "$SIM_PID" 2>/dev/null || true
  SIM_PID=
}

espctl() { "$build/bin/espctl" --plugin-path "$build/lib/espctl/plugins" "$@"; }

# 1. The firmware, built with arm-none-eabi-gcc by the build tree.
build_firmware() {
  echo "== building the example firmware (examples/firmware/stm32g431-hello)"
  cmake --build "$build" --target stm32g431-hello > "$WORK/firmware.log" 2>&1 ||
    die "cannot build the firmware: $(tail -5 "$WORK/firmware.log")"
  elf="$build/examples/firmware/stm32g431-hello/hello.elf"
  bin="$build/examples/firmware/stm32g431-hello/hello.bin"
  [[ -f "$elf" && -f "$bin" ]] || die "the firmware build left no $elf"
  echo "   $elf ($(wc -c < "$bin") bytes of flash image)"
}

# 2. A signed bundle: a throwaway key, trusted through a temporary configuration.
make_bundle() {
  echo "== packaging it as a signed flash bundle (throwaway key in a temporary directory)"
  export XDG_CONFIG_HOME="$WORK/config"
  espctl keys generate --out "$WORK/demo-key.pem" > /dev/null
  espctl keys trust "$WORK/demo-key.pem.pub" > /dev/null
  bundle="$WORK/hello-flash-bundle.tar.gz"
  espctl build --rust-elf "$elf" --target stm32g431rb --sign-key "$WORK/demo-key.pem" \
    --out "$bundle"
}

# 3. Flash it into the simulator (one client; the simulator exits after it).
flash_bundle() {
  echo "== flashing it into a simulated STM32G431RB behind a simulated ST-Link V2"
  sim_start flash --once
  echo "   espctl flash $(basename "$bundle") --probe $PROBE"
  espctl flash "$bundle" --probe "$PROBE"
  sim_stop
}

# 4. What happened, from the simulator's side.
report() {
  local stats="$WORK/flash.stats" flash="$WORK/flash.flash"
  [[ -f "$stats" && -f "$flash" ]] || die "the simulator left no stats or flash image"
  echo "== what the simulator saw"
  printf '   modelled time %.3f s (ST-Link V2 latency model), %s USB round trips, %s bytes to the probe, %s from it\n' \
    "$(sim_stat "$stats" modelled_seconds)" "$(sim_stat "$stats" round_trips)" \
    "$(sim_stat "$stats" bytes_to_probe)" "$(sim_stat "$stats" bytes_from_probe)"
  echo "   $(sim_stat "$stats" page_erases) pages erased, $(sim_stat "$stats" double_words_programmed) double words programmed"
  local len
  len=$(wc -c < "$bin")
  head -c "$len" "$flash" | cmp -s - "$bin" ||
    die "the simulated flash does not hold the firmware image"
  [[ "$(tail -c +$((len + 1)) "$flash" | tr -d '\377' | wc -c)" -eq 0 ]] ||
    die "flash beyond the image is not erased"
  echo "verified: the simulated flash holds hello.bin exactly ($len bytes at 0x08000000, the rest erased)"
}

# 5. RTT output. The simulated target has no CPU, so the firmware cannot run: the
# simulator's RTT producer plays the firmware's side in its _SEGGER_RTT control block
# (test lines "rtt NNNNNNNN" instead of the firmware's "hello N").
stream_rtt() {
  echo "== espctl monitor: RTT for ${MONITOR_SECONDS} s (simulated output: the model has no CPU, so"
  echo "   the simulator writes test lines into the firmware's _SEGGER_RTT block)"
  local rtt_addr
  rtt_addr=0x$(arm-none-eabi-nm "$elf" | sed -n 's/^\([0-9a-f]*\) [DdBb] _SEGGER_RTT$/\1/p')
  [[ "$rtt_addr" != 0x ]] || die "no _SEGGER_RTT symbol in $elf"
  sim_start monitor --flash-in "$WORK/flash.flash" \
    --rtt-producer "rate=20k,mode=blocking,bytes=130,pattern=lines" --rtt-addr "$rtt_addr"
  espctl monitor --bundle "$bundle" --probe "$PROBE" --duration "$MONITOR_SECONDS"
  sim_stop
}

# 6. The ESP32-C3 part: app and stand-in bootloader from the build tree, a signed bundle, the
# ROM loader simulator on a free loopback port, espctl flash over socket://.
ESP_BAUD=921600

build_esp_firmware() {
  echo "== building the ESP32-C3 example (examples/firmware/esp32c3-hello)"
  cmake --build "$build" --target esp32c3-hello > "$WORK/esp-firmware.log" 2>&1 ||
    die "cannot build the ESP32-C3 example: $(tail -5 "$WORK/esp-firmware.log")"
  esp_elf="$build/examples/firmware/esp32c3-hello/app.elf"
  esp_boot="$build/examples/firmware/esp32c3-hello/boot.bin"
  [[ -f "$esp_elf" && -f "$esp_boot" ]] || die "the ESP32-C3 build left no $esp_elf and $esp_boot"
  echo "   $esp_elf, bootloader image $esp_boot ($(wc -c < "$esp_boot") bytes)"
}

make_esp_bundle() {
  echo "== packaging it as a signed flash bundle (same throwaway key)"
  esp_bundle="$WORK/esp32c3-hello-flash-bundle.tar.gz"
  espctl build --rust-elf "$esp_elf" --target esp32c3 --bootloader "$esp_boot" \
    --sign-key "$WORK/demo-key.pem" --out "$esp_bundle"
}

# esp_sim_start: the simulated ESP32-C3 ROM loader on a free port. Sets SIM_PID and ESP_PORT.
esp_sim_start() {
  "$build/bin/espctl-sim" esp --chip esp32c3 --tcp 0 --once --stats "$WORK/esp.stats" \
    --flash-out "$WORK/esp.flash" > "$WORK/esp.out" 2> "$WORK/esp.err" &
  SIM_PID=$!
  local port=
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/esp.out")
    [[ -n "$port" ]] && break
    kill -0 "$SIM_PID" 2>/dev/null || die "the ESP simulator exited: $(cat "$WORK/esp.err")"
    sleep 0.1
  done
  [[ -n "$port" ]] || die "the ESP simulator did not report its port"
  ESP_PORT="socket://127.0.0.1:$port"
}

flash_esp_bundle() {
  echo "== flashing it into a simulated ESP32-C3 (ROM serial loader over raw TCP)"
  esp_sim_start
  echo "   espctl flash $(basename "$esp_bundle") --port $ESP_PORT --baud $ESP_BAUD"
  espctl flash "$esp_bundle" --port "$ESP_PORT" --baud "$ESP_BAUD"
  sim_stop
}

# The merged image is the bundle's one segment, at 0x0.
report_esp() {
  local stats="$WORK/esp.stats" flash="$WORK/esp.flash" image="$WORK/esp-bundle/files/firmware.bin"
  [[ -f "$stats" && -f "$flash" ]] || die "the ESP simulator left no stats or flash image"
  mkdir -p "$WORK/esp-bundle"
  tar -xzf "$esp_bundle" -C "$WORK/esp-bundle" files/firmware.bin ||
    die "the bundle has no files/firmware.bin"
  local len wire seconds
  len=$(wc -c < "$image")
  wire=$(( $(sim_stat "$stats" bytes_from_host) + $(sim_stat "$stats" bytes_to_host) ))
  seconds=$(sim_stat "$stats" modelled_seconds)
  echo "== what the ESP simulator saw"
  printf '   modelled time %.3f s (%.3f s on the wire at the line rate, %.3f s flash erase/program)\n' \
    "$seconds" "$(sim_stat "$stats" wire_seconds)" "$(sim_stat "$stats" flash_seconds)"
  printf '   %s bytes on the wire (%s from the host, %s to it), %s sectors erased, %s bytes programmed\n' \
    "$wire" "$(sim_stat "$stats" bytes_from_host)" "$(sim_stat "$stats" bytes_to_host)" \
    "$(sim_stat "$stats" sectors_erased)" "$(sim_stat "$stats" bytes_programmed)"
  awk -v n="$len" -v s="$seconds" -v b="$(sim_stat "$stats" baud)" 'BEGIN {
    if (s > 0) printf "   effective %.1f kbit/s (%d image bytes in the modelled time; compressed on the wire at %d baud)\n", n * 8 / s / 1000, n, b }'
  head -c "$len" "$flash" | cmp -s - "$image" ||
    die "the simulated ESP flash does not hold the bundle's merged image"
  [[ "$(tail -c +$((len + 1)) "$flash" | tr -d '\377' | wc -c)" -eq 0 ]] ||
    die "ESP flash beyond the merged image is not erased"
  echo "verified: the simulated ESP32-C3 flash holds the bundle's merged image exactly ($len bytes at 0x0, the rest erased)"
}

esp_part() {
  if ! command -v riscv64-unknown-elf-gcc > /dev/null; then
    echo "skipped: ESP32-C3 part (riscv64-unknown-elf-gcc is not installed; scripts/install-deps.sh installs it)"
    return
  fi
  build_esp_firmware
  make_esp_bundle
  flash_esp_bundle
  report_esp
}

main_job() {
  build=$(cd "$1" && pwd)
  [[ -x "$build/bin/espctl" && -x "$build/bin/espctl-sim" ]] ||
    die "$build has no bin/espctl and bin/espctl-sim: build it first (scripts/build.sh)"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/espctl-demo.XXXXXX")
  build_firmware
  make_bundle
  flash_bundle
  report
  stream_rtt
  esp_part
}

if [[ "${1:-}" == "--main-job" ]]; then
  [[ $# -eq 2 ]] || die "usage: demo.sh [--main-job BUILD_DIR]"
  main_job "$2"
else
  cd "$repo"
  ./scripts/install-deps.sh
  ./scripts/build.sh "$repo/build"
  echo
  main_job "$repo/build"
fi
