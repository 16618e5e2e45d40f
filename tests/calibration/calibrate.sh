#!/bin/sh
# OpenOCD 0.12 drives espctl-sim's ST-Link front (stlink-server TCP) and programs/verifies the
# simulated STM32G431. Usage:
#   calibrate.sh MODE SIM ELF BIN WORKDIR
# MODE: program-v2 | program-v3 | verify-preloaded | verify-mismatch | program-wrp | program-pgaerr | program-drop
set -u
MODE=$1 SIM=$2 ELF=$3 BIN=$4 WORK=$5
OPENOCD_TIMEOUT=120

fail() { echo "FAIL [$MODE]: $*" >&2; exit 1; }

rm -rf "$WORK" && mkdir -p "$WORK" || fail "cannot create $WORK"
cd "$WORK" || fail "cannot enter $WORK"
SIM_PID=
cleanup() { [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT INT TERM

LEN=$(wc -c < "$BIN")
[ "$LEN" -gt 0 ] || fail "empty firmware image $BIN"

sim_args="--chip stm32g431rb --port 0 --once --stats stats.json --flash-out flash-out.bin"
expect_ok=1
case $MODE in
program-v2) ocd_cmd="program $ELF verify reset exit" ;;
program-v3) ocd_cmd="program $ELF verify reset exit"; sim_args="$sim_args --identity v3j7" ;;
verify-preloaded)
    cp "$BIN" preload.bin
    sim_args="$sim_args --flash-in preload.bin"
    ocd_cmd="init; reset halt; echo \"verify_image: [verify_image $ELF]\"; shutdown" ;;
verify-mismatch)
    # The image with its last byte flipped: verify_image must report the difference.
    head -c $((LEN - 1)) "$BIN" > preload.bin
    last=$(tail -c 1 "$BIN" | od -An -tu1 | tr -d ' ')
    printf "\\$(printf '%03o' $(( (last ^ 0xFF) )))" >> preload.bin
    sim_args="$sim_args --flash-in preload.bin"
    ocd_cmd="init; reset halt; echo \"verify_image: [verify_image $ELF]\"; shutdown"
    expect_ok=0 ;;
program-wrp)
    sim_args="$sim_args --fault wrp=0-0"
    ocd_cmd="program $ELF verify reset exit"
    expect_ok=0 ;;
program-pgaerr)
    # PGAERR forced on the double word at 0x08000100: the first 32 double words land.
    sim_args="$sim_args --fault flash-err=pgaerr@0x08000100"
    ocd_cmd="program $ELF verify reset exit"
    expect_ok=0 ;;
program-drop)
    # The simulator closes the connection instead of answering command 501.
    sim_args="$sim_args --fault drop-after=500"
    ocd_cmd="program $ELF verify reset exit"
    expect_ok=0 ;;
*) fail "unknown mode" ;;
esac

# shellcheck disable=SC2086
"$SIM" stlink $sim_args > sim.out 2> sim.err &
SIM_PID=$!
i=0
while ! grep -q '^listening on 127.0.0.1:' sim.out 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "simulator did not report its port: $(cat sim.err)"
    kill -0 "$SIM_PID" 2>/dev/null || fail "simulator exited: $(cat sim.err)"
    sleep 0.1
done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' sim.out)

timeout $OPENOCD_TIMEOUT openocd \
    -c "gdb_port disabled" -c "telnet_port disabled" -c "tcl_port disabled" \
    -f interface/stlink-dap.cfg -c "st-link backend tcp $PORT" -c "transport select dapdirect_swd" \
    -c "set WORKAREASIZE 0" -f target/stm32g4x.cfg -c "$ocd_cmd" > openocd.log 2>&1
OCD_RC=$?

# The simulator exits on its own once OpenOCD disconnects (--once); bound the wait.
i=0
while kill -0 "$SIM_PID" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then
        kill "$SIM_PID"
        fail "simulator still running 10 s after OpenOCD exited"
    fi
    sleep 0.1
done
wait "$SIM_PID"
SIM_RC=$?
SIM_PID=
[ $SIM_RC -eq 0 ] || fail "simulator exit code $SIM_RC: $(cat sim.err)"
[ -f stats.json ] || fail "simulator wrote no stats"
[ -f flash-out.bin ] || fail "simulator wrote no flash image"
[ "$(wc -c < flash-out.bin)" -eq 131072 ] || fail "flash image is not 128 KiB"

image_matches() {
    head -c "$LEN" flash-out.bin | cmp -s - "$BIN" &&
        [ "$(tail -c +$((LEN + 1)) flash-out.bin | tr -d '\377' | wc -c)" -eq 0 ]
}
stat() { sed -n "s/^ *\"$1\": \([0-9]*\),*$/\1/p" stats.json; }

if [ $expect_ok -eq 1 ]; then
    [ $OCD_RC -eq 0 ] || { tail -40 openocd.log >&2; fail "openocd exit code $OCD_RC"; }
    case $MODE in
    program-*)
        grep -q '\*\* Verified OK \*\*' openocd.log || fail "openocd did not print '** Verified OK **'"
        grep -q '\*\* Programming Finished \*\*' openocd.log || fail "openocd did not finish programming"
        dw=$(( (LEN + 7) / 8 ))
        [ "$(stat double_words_programmed)" -eq "$dw" ] ||
            fail "double words programmed: $(stat double_words_programmed), expected $dw"
        [ "$(stat page_erases)" -eq $(( (LEN + 2047) / 2048 )) ] || fail "page erases: $(stat page_erases)" ;;
    verify-preloaded)
        grep -q "verify_image: verified $LEN bytes" openocd.log ||
            fail "openocd did not print 'verified $LEN bytes'"
        [ "$(stat page_erases)" -eq 0 ] && [ "$(stat double_words_programmed)" -eq 0 ] ||
            fail "verify_image modified flash" ;;
    esac
    image_matches || fail "simulator flash does not hold exactly the ELF's loadable bytes"
else
    [ $OCD_RC -ne 0 ] || fail "openocd succeeded although it must fail"
    case $MODE in
    verify-mismatch)
        grep -q "checksum mismatch" openocd.log && ! grep -q "verify_image: verified" openocd.log ||
            fail "openocd did not report the verify difference"
        head -c "$LEN" flash-out.bin | cmp -s - preload.bin || fail "flash changed during verify" ;;
    program-wrp)
        grep -q "device protected" openocd.log && grep -q "failed erasing sectors 0 to 0" openocd.log ||
            fail "openocd did not report the write-protected page"
        [ "$(stat double_words_programmed)" -eq 0 ] || fail "protected page was programmed"
        [ "$(tail -c +1 flash-out.bin | head -c 2048 | tr -d '\377' | wc -c)" -eq 0 ] ||
            fail "protected page 0 changed" ;;
    program-pgaerr)
        grep -q "error writing to flash at address 0x08000000" openocd.log ||
            fail "openocd did not report the programming error"
        ! grep -q 'Verified OK' openocd.log || fail "verify passed after a programming error"
        [ "$(stat double_words_programmed)" -eq 32 ] ||
            fail "double words programmed before PGAERR: $(stat double_words_programmed), expected 32" ;;
    program-drop)
        grep -q "failed to receive USB CMD response" openocd.log ||
            fail "openocd did not report the dropped connection"
        grep -q "injected connection drop after 500 commands" sim.err || fail "simulator did not drop"
        [ "$(stat round_trips)" -eq 500 ] || fail "round trips before the drop: $(stat round_trips)" ;;
    esac
fi
[ "$(stat round_trips)" -gt 0 ] || fail "stats report no round trips"
echo "PASS [$MODE]: openocd rc=$OCD_RC, round trips $(stat round_trips), modelled $(sed -n 's/.*"modelled_seconds": \([0-9.]*\).*/\1/p' stats.json) s"
