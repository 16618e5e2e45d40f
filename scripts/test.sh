#!/usr/bin/env bash
# The README's second command: install what is missing, then build and run the
# whole suite three ways — normal (build/), ASan+UBSan (build-asan/) and, when
# clang is available, the libFuzzer harnesses (build-fuzz/, ctest -L fuzz).
# Every variant runs even if an earlier one failed; the exit status is non-zero
# if any failed, and the last line summarises.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
jobs=${ESPCTL_JOBS:-2}

declare -a summary=()
failed=0

# step NAME COMMAND...: run, record pass/fail, never abort the script.
step() {
  local name=$1
  shift
  local start=$SECONDS
  echo
  echo "==== test.sh: $name"
  if "$@"; then
    summary+=("$name=pass($((SECONDS - start))s)")
  else
    summary+=("$name=FAIL($((SECONDS - start))s)")
    failed=1
  fi
}

normal() {
  ./scripts/build.sh "$repo/build" &&
    ctest --test-dir "$repo/build" --output-on-failure -j "$jobs"
}

# Sanitizer reports exit with 86, so a test expecting exit 1 or 2 from a program
# cannot mistake a memory error for the failure it expected.
sanitized() {
  ./scripts/build.sh "$repo/build-asan" -DESPCTL_SANITIZE=ON -DESPCTL_BUILD_BENCH=OFF &&
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=86} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=86} \
      ctest --test-dir "$repo/build-asan" --output-on-failure -j "$jobs"
}

fuzz() {
  CC=clang CXX=clang++ ./scripts/build.sh "$repo/build-fuzz" -DESPCTL_FUZZ=ON \
    -DESPCTL_BUILD_BENCH=OFF &&
    ctest --test-dir "$repo/build-fuzz" --output-on-failure -j "$jobs" -L fuzz \
      --no-tests=ignore
}

if ! ./scripts/install-deps.sh; then
  echo "test.sh: FAILED: could not install the dependencies"
  exit 1
fi

step normal normal
step asan+ubsan sanitized
if command -v clang >/dev/null && command -v clang++ >/dev/null; then
  step fuzz fuzz
else
  summary+=("fuzz=skipped(no clang)")
fi

echo
if ((failed)); then
  echo "test.sh: FAILED: ${summary[*]}"
  exit 1
fi
echo "test.sh: OK: ${summary[*]}"
