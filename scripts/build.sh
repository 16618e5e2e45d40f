#!/usr/bin/env bash
# Configure and build espctl: scripts/build.sh [BUILD_DIR [CMAKE_ARGS...]]
# BUILD_DIR defaults to build/ (RelWithDebInfo). Jobs: $ESPCTL_JOBS (default 2).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-"$repo/build"}
shift || true

cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build "$build_dir" -j "${ESPCTL_JOBS:-2}"
