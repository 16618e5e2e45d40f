#!/bin/sh
# The README's main job must keep working: run scripts/demo.sh's main job (not the package
# install or the build) against this build tree; it must exit 0, print the verified line
# and stream the simulated RTT lines.
#   check_main_job.sh DEMO_SH BUILD_DIR
set -u
DEMO=$1 BUILD=$2
out=$(bash "$DEMO" --main-job "$BUILD" 2>&1)
rc=$?
printf '%s\n' "$out"
fail() { echo "FAIL (demo main job): $*" >&2; exit 1; }
[ $rc -eq 0 ] || fail "exit code $rc"
printf '%s\n' "$out" | grep -q '^verified: the simulated flash holds hello.bin exactly' ||
    fail "no verified line"
printf '%s\n' "$out" | grep -q 'signed by trusted key' || fail "the bundle was not signed and trusted"
printf '%s\n' "$out" | grep -q '^rtt 00000009$' || fail "the RTT lines did not stream"
! printf '%s\n' "$out" | grep -Eq 'Sanitizer|runtime error' || fail "sanitizer report"
echo "PASS (demo main job)"
