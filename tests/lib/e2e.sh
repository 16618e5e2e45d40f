# e2e.sh — the common part of the end-to-end flash scripts that drive the espctl CLI against
# an espctl-sim probe front (tests/cortexm/e2e/flash_e2e.sh, tests/cmsisdap/e2e_dap.sh).
# Source it with the case name as $1 after setting:
#   E2E_FRONT        espctl-sim front: stlink or dap
#   E2E_PREFIX       probe selector prefix: stlink-tcp: or dap-tcp:
#   E2E_START_POLLS  how many 50 ms polls the simulator gets to print its port
#   E2E_CLI_TIMEOUT  seconds one espctl run may take
# Environment (set by CMake): ESPCTL, ESPCTL_SIM, PLUGIN_DIR, MAKE_BUNDLE, WORK_ROOT.
# It enters a fresh $WORK_ROOT/CASE and stops any simulator left running on exit.
set -u

CASE=${1:?case}
WORK="$WORK_ROOT/$CASE"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
SIM_PID=
cleanup() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; fi; }
trap cleanup EXIT

fail() { echo "FAIL ($CASE): $*" >&2; exit 1; }

# sim_start NAME [sim options...]: start the simulator, writing NAME.stats/NAME.out; sets
# PORT and PROBE.
sim_start() {
    local name=$1; shift
    "$ESPCTL_SIM" "$E2E_FRONT" --chip stm32g431rb --port 0 --stats "$name.stats" \
        --flash-out "$name.out" "$@" > "$name.sim" 2>&1 &
    SIM_PID=$!
    for _ in $(seq "$E2E_START_POLLS"); do grep -q 'listening on' "$name.sim" && break; sleep 0.05; done
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$name.sim")
    [ -n "$PORT" ] || fail "simulator did not start: $(cat "$name.sim")"
    PROBE="${E2E_PREFIX}127.0.0.1:$PORT"
}
# sim_stop: stop it so it writes its stats and flash image.
sim_stop() { kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null; SIM_PID=; }

# stat NAME KEY: an integer from NAME.stats.
stat() { sed -n "s/^ *\"$2\": \([0-9]*\),\{0,1\}$/\1/p" "$1.stats"; }

# espctl ARGS...: the CLI with our plugins, bounded in time; output in last.out/last.err.
espctl() {
    timeout "$E2E_CLI_TIMEOUT" "$ESPCTL" --plugin-path "$PLUGIN_DIR" "$@" > last.out 2> last.err
    RC=$?
}
expect_rc() {
    ! grep -Eq 'Sanitizer|runtime error' last.err || fail "sanitizer report: $(cat last.err)"
    [ "$RC" = "$1" ] || fail "expected exit $1, got $RC: $(cat last.err)"
}
expect_err() { grep -Eq "$1" last.err || fail "stderr lacks /$1/: $(cat last.err)"; }

# make_image NAME BYTES [PATCH_OFFSET]: NAME.bin (with "CHANGED!" at PATCH_OFFSET when
# given), NAME.elf (at 0x08000000), NAME.tar.gz.
make_image() {
    seq 1000000 | head -c "$2" > "$1.bin"
    if [ -n "${3:-}" ]; then
        { head -c "$3" "$1.bin"; printf 'CHANGED!'; tail -c +"$(( $3 + 9 ))" "$1.bin"; } > "$1.tmp"
        mv "$1.tmp" "$1.bin"
    fi
    printf '.section .text\n.incbin "%s"\n' "$1.bin" > "$1.S"
    arm-none-eabi-gcc -nostdlib -nostartfiles -Wl,-Ttext=0x08000000 -Wl,-e,0x08000000 \
        -o "$1.elf" "$1.S" || fail "cannot build $1.elf"
    "$MAKE_BUNDLE" "$1.elf" STM32G431RB "$1.tar.gz" > /dev/null || fail "cannot bundle $1"
}
# expect_image FLASH FILE: FLASH starts with the bytes of FILE.
expect_image() { cmp -s -n "$(wc -c < "$2")" "$1" "$2" || fail "$1 does not hold $2"; }
