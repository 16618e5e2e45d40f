#!/usr/bin/env bash
# The README's second command: install what is missing, then build and run the
# whole suite three ways — normal (build/), ASan+UBSan (build-asan/) and, when
# clang is available, the libFuzzer harnesses (build-fuzz/, ctest -L fuzz) — and
# run the benchmarks in bench/ once on the normal build, printing their figures.
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

# The benchmarks print figures (modelled seconds on the simulators, wall time for the
# bundle pipeline); they are run, not judged by time. A bench that cannot run fails.
BENCHES=(bench-bundle bench-flash-stm32 bench-flash-dap bench-flash-families bench-flash-esp bench-rtt)
benches() {
  local rc=0 b
  for b in "${BENCHES[@]}"; do
    echo "---- bench: $b"
    if ! timeout 900 cmake --build "$repo/build" --target "$b"; then
      echo "test.sh: bench $b failed" >&2
      rc=1
    fi
  done
  return "$rc"
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
step benches benches
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
