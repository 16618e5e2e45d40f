#!/bin/sh
# Reverse-direction calibration: espctl flashes the firmware bundle into espctl-sim, then
# Debian's OpenOCD 0.12 runs verify_image against a fresh simulator started from the flash
# espctl left behind. Usage:
#   reverse.sh MODE SIM ESPCTL PLUGIN_DIR ELF BIN WORKDIR
# MODE: v2 | v3 (probe identity for both clients) | tampered (one flash byte flipped
# between the two runs: OpenOCD must report the difference, so this test can fail).
set -u
MODE=$1 SIM=$2 ESPCTL=$3 PLUGINS=$4 ELF=$5 BIN=$6 WORK=$7
TOOL_TIMEOUT=120

fail() { echo "FAIL [reverse-$MODE]: $*" >&2; exit 1; }

rm -rf "$WORK" && mkdir -p "$WORK" || fail "cannot create $WORK"
cd "$WORK" || fail "cannot enter $WORK"
SIM_PID=
cleanup() { [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT INT TERM

identity=v2j37
[ "$MODE" = v3 ] && identity=v3j7
case $MODE in v2 | v3 | tampered) ;; *) fail "unknown mode" ;; esac
LEN=$(wc -c < "$BIN")
[ "$LEN" -gt 0 ] || fail "empty firmware image $BIN"

# sim_start TAG [options]: a one-client simulator; sets PORT.
sim_start() {
    tag=$1; shift
    "$SIM" stlink --chip stm32g431rb --port 0 --once --identity $identity \
        --stats "$tag.stats" --flash-out "$tag.flash" "$@" > "$tag.out" 2> "$tag.err" &
    SIM_PID=$!
    i=0
    while ! grep -q '^listening on 127.0.0.1:' "$tag.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "simulator did not report its port: $(cat "$tag.err")"
        kill -0 "$SIM_PID" 2>/dev/null || fail "simulator exited: $(cat "$tag.err")"
        sleep 0.1
    done
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$tag.out")
}
# sim_wait TAG: the simulator exits once its client leaves (--once); bounded.
sim_wait() {
    i=0
    while kill -0 "$SIM_PID" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 100 ] || { kill "$SIM_PID"; fail "simulator still running 10 s after its client"; }
        sleep 0.1
    done
    wait "$SIM_PID" || fail "simulator exit code $?: $(cat "$1.err")"
    SIM_PID=
    [ -f "$1.flash" ] || fail "simulator wrote no flash image"
}
stat() { sed -n "s/^ *\"$2\": \([0-9]*\),*$/\1/p" "$1.stats"; }

# 1. espctl packages the ELF and flashes it (program + its own read-back verify).
timeout $TOOL_TIMEOUT "$ESPCTL" --plugin-path "$PLUGINS" build --rust-elf "$ELF" \
    --target stm32g431rb --out fw.tar.gz > build.log 2>&1 || fail "espctl build: $(cat build.log)"
sim_start espctl
timeout $TOOL_TIMEOUT "$ESPCTL" --plugin-path "$PLUGINS" flash fw.tar.gz \
    --probe "stlink-tcp:127.0.0.1:$PORT" > espctl.log 2>&1
ESPCTL_RC=$?
sim_wait espctl
[ $ESPCTL_RC -eq 0 ] || fail "espctl flash exit code $ESPCTL_RC: $(tail -5 espctl.log)"
grep -q 'verified' espctl.log || fail "espctl did not report its verify"
head -c "$LEN" espctl.flash | cmp -s - "$BIN" || fail "espctl left flash that differs from the image"
[ "$(tail -c +$((LEN + 1)) espctl.flash | tr -d '\377' | wc -c)" -eq 0 ] ||
    fail "bytes after the image are not erased"

cp espctl.flash preload.bin
if [ "$MODE" = tampered ]; then
    # flip the image's first byte in the flash OpenOCD will see
    first=$(head -c 1 preload.bin | od -An -tu1 | tr -d ' ')
    { printf "\\$(printf '%03o' $((first ^ 0xFF)))"; tail -c +2 espctl.flash; } > preload.bin
fi

# 2. OpenOCD verifies the ELF against a fresh simulator holding that flash.
sim_start openocd --flash-in preload.bin
timeout $TOOL_TIMEOUT openocd \
    -c "gdb_port disabled" -c "telnet_port disabled" -c "tcl_port disabled" \
    -f interface/stlink-dap.cfg -c "st-link backend tcp $PORT" -c "transport select dapdirect_swd" \
    -c "set WORKAREASIZE 0" -f target/stm32g4x.cfg \
    -c "init; reset halt; echo \"verify_image: [verify_image $ELF]\"; shutdown" > openocd.log 2>&1
OCD_RC=$?
sim_wait openocd
[ "$(stat openocd page_erases)" -eq 0 ] && [ "$(stat openocd double_words_programmed)" -eq 0 ] ||
    fail "verify_image modified flash"
if [ "$MODE" = tampered ]; then
    [ $OCD_RC -ne 0 ] || fail "openocd verify_image passed over a flipped byte"
    grep -q "checksum mismatch" openocd.log && ! grep -q "verify_image: verified" openocd.log ||
        fail "openocd did not report the difference"
else
    [ $OCD_RC -eq 0 ] || { tail -30 openocd.log >&2; fail "openocd exit code $OCD_RC"; }
    grep -q "verify_image: verified $LEN bytes" openocd.log ||
        fail "openocd did not print 'verified $LEN bytes': $(grep -i verif openocd.log)"
fi
echo "PASS [reverse-$MODE]: espctl $(stat espctl round_trips) round trips," \
     "then openocd verify_image rc=$OCD_RC"
