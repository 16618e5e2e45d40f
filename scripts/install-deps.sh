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

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#BUILD_PACKAGES[@]} build and ${#TEST_PACKAGES[@]} test packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if ((EUID != 0)); then
  echo "install-deps: missing packages and not root; install them with apt-get as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update </dev/null
apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
