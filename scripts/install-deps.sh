#!/usr/bin/env bash
# Install the Debian packages espctl needs to build and test, skipping those
# already installed. Runs as root without sudo and without stdin (CI).
# Add a package: append it to the matching list below.
set -euo pipefail

BUILD_PACKAGES=(
  cmake gcc g++ pkg-config make
  libusb-1.0-0-dev libarchive-dev libconfig-dev libjansson-dev libssl-dev zlib1g-dev
  libcmocka-dev
)

TEST_PACKAGES=(
  valgrind
  openocd qemu-system-arm
  gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi gdb-multiarch
  gcc-riscv64-unknown-elf
  umockdev libumockdev-dev
  clang libclang-rt-14-dev
  python3 python3-jsonschema
)

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for pkg in "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

# Node.js + npm drive the independent ESP calibration tool (esptool-js). A machine
# that already has node/npm from elsewhere keeps them (Debian's npm would conflict).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#BUILD_PACKAGES[@]} build and ${#TEST_PACKAGES[@]} test packages present"
else
  echo "install-deps: installing ${missing[*]}"
  if ((EUID != 0)); then
    echo "install-deps: missing packages and not root; install them with apt-get as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update </dev/null
  apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
fi

# npm packages pinned by lock files in the repo (test tools only).
root=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$root"/tests/esp-sim/calibration; do
  [[ -f "$dir/package-lock.json" ]] || continue
  if [[ -d "$dir/node_modules" && "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]]; then
    continue
  fi
  echo "install-deps: npm ci in ${dir#"$root"/}"
  ok=0
  for attempt in 1 2 3; do
    if npm ci --prefix "$dir" --no-audit --no-fund </dev/null; then ok=1; break; fi
    echo "install-deps: npm ci failed (attempt $attempt)" >&2
    sleep 5
  done
  ((ok)) || { echo "install-deps: could not install npm packages in $dir" >&2; exit 1; }
done
