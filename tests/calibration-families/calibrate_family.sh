#!/bin/sh
# OpenOCD 0.12 calibrates the STM32L4/F7/H7 models of espctl-sim through its ST-Link front
# (stlink-server TCP, dap-direct), and checks espctl's family plugins against OpenOCD.
# Usage:
#   calibrate_family.sh FAMILY MODE WORK SIM ELF OBJCOPY [ESPCTL PLUGIN_DIR MAKE_BUNDLE]
# FAMILY: l4 | f7 | h7 (see family_config.sh)
# MODE:
#   program           OpenOCD programs the ELF (program ... verify); the flash image equals
#                     the ELF's bytes, and the modelled erase/program counts are OpenOCD's
#   verify-preloaded  verify_image against a simulator preloaded with the image
#   verify-mismatch   the same with one byte of the second region flipped: must fail
#   program-wrp       page/sector 0 write-protected: OpenOCD fails, nothing is written
#   program-flags     each programming error the model injects (flash-err=KIND@0x08000040)
#                     trips OpenOCD's own error mask: it stops at that unit and fails
#   espctl-flash      espctl (cortexm + this family + stlink, via stlink-tcp:) flashes the
#                     first region; OpenOCD then verifies the result on a fresh simulator
set -u
FAMILY=$1 MODE=$2 WORK=$3 SIM=$4 ELF=$5 OBJCOPY=$6
ESPCTL=${7:-} PLUGIN_DIR=${8:-} MAKE_BUNDLE=${9:-}
HERE=$(cd "$(dirname "$0")" && pwd)
OPENOCD_TIMEOUT=150

fail() { echo "FAIL [$FAMILY $MODE]: $*" >&2; exit 1; }
. "$HERE/family_config.sh"

rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || fail "cannot use $WORK"
SIM_PID=
cleanup() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; fi; }
trap cleanup EXIT INT TERM

# The image as OpenOCD and the simulator see it: all of it from 0x08000000 with gaps erased,
# and each of its two regions (the code at 0x08000000 and the table in .region2).
"$OBJCOPY" -O binary --gap-fill 0xFF "$ELF" image.bin || fail "objcopy image"
"$OBJCOPY" -O binary -R .region2 "$ELF" region1.bin || fail "objcopy region 1"
"$OBJCOPY" -O binary -j .region2 "$ELF" region2.bin || fail "objcopy region 2"
"$OBJCOPY" -R .region2 "$ELF" region1.elf 2> /dev/null || fail "objcopy region 1 ELF"
LEN=$(wc -c < image.bin) LEN1=$(wc -c < region1.bin) LEN2=$(wc -c < region2.bin)
[ "$LEN1" -gt 0 ] && [ "$LEN2" -gt 0 ] || fail "the firmware lacks one of its two regions"
up() { echo $(( ($1 + $2 - 1) / $2 )); }
if [ "$PAD_TO_ERASE" = 1 ]; then
    UNITS=$(( 2 * ERASE / UNIT ))
else
    UNITS=$(( $(up "$LEN1" "$UNIT") + $(up "$LEN2" "$UNIT") ))
fi
ERASES=$(( $(up "$LEN1" "$ERASE") + $(up "$LEN2" "$ERASE") ))
[ -n "$PRE_TCL" ] && printf '%s\n' "$PRE_TCL" > pre.tcl
[ -n "$POST_TCL" ] && printf '%s\n' "$POST_TCL" > post.tcl

# sim_start NAME [options]: a simulator that serves one connection, then writes NAME.stats
# and NAME.flash.
sim_start() {
    name=$1; shift
    "$SIM" stlink --chip "$CHIP" --port 0 --once --stats "$name.stats" --flash-out "$name.flash" \
        "$@" > "$name.simout" 2> "$name.simerr" &
    SIM_PID=$!
    i=0
    while ! grep -q '^listening on 127.0.0.1:' "$name.simout" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "simulator did not report its port: $(cat "$name.simerr")"
        kill -0 "$SIM_PID" 2>/dev/null || fail "simulator exited: $(cat "$name.simerr")"
        sleep 0.1
    done
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$name.simout")
}
# sim_wait NAME: the simulator exits once its client has gone; bounded.
sim_wait() {
    i=0
    while kill -0 "$SIM_PID" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "simulator still running 10 s after its client left"
        sleep 0.1
    done
    wait "$SIM_PID"
    rc=$?
    SIM_PID=
    [ $rc -eq 0 ] || fail "simulator exit code $rc: $(cat "$1.simerr")"
    [ "$(wc -c < "$1.flash")" -eq "$FLASH" ] || fail "$1.flash is not $FLASH bytes"
}
# openocd NAME COMMANDS: OpenOCD against the running simulator; log in NAME.log.
openocd_run() {
    name=$1 cmds=$2
    set -- -c "gdb_port disabled" -c "telnet_port disabled" -c "tcl_port disabled" \
        -f interface/stlink-dap.cfg -c "st-link backend tcp $PORT" \
        -c "transport select dapdirect_swd" -c "set WORKAREASIZE 0"
    [ -f pre.tcl ] && set -- "$@" -f pre.tcl
    set -- "$@" -f "$CFG"
    [ -f post.tcl ] && set -- "$@" -f post.tcl
    timeout $OPENOCD_TIMEOUT openocd "$@" -c "$cmds" > "$name.log" 2>&1
    OCD_RC=$?
}
stat() { sed -n "s/^ *\"$2\": \([0-9]*\),*$/\1/p" "$1.stats"; }
modelled() { sed -n 's/.*"modelled_seconds": \([0-9.]*\).*/\1/p' "$1.stats"; }
# holds FLASHFILE IMAGE: FLASHFILE starts with IMAGE and is erased after it.
holds() {
    n=$(wc -c < "$2")
    head -c "$n" "$1" | cmp -s - "$2" && [ "$(tail -c +$((n + 1)) "$1" | tr -d '\377' | wc -c)" -eq 0 ]
}

case $MODE in
program)
    sim_start prog
    openocd_run prog "program $ELF verify reset exit"
    sim_wait prog
    [ $OCD_RC -eq 0 ] || { tail -30 prog.log >&2; fail "openocd exit code $OCD_RC"; }
    grep -q '\*\* Programming Finished \*\*' prog.log || fail "openocd did not finish programming"
    grep -q '\*\* Verified OK \*\*' prog.log || fail "openocd did not print '** Verified OK **'"
    holds prog.flash image.bin || fail "the simulator's flash does not hold exactly the ELF's bytes"
    [ "$(stat prog page_erases)" -eq "$ERASES" ] ||
        fail "erases: $(stat prog page_erases), expected $ERASES"
    [ "$(stat prog double_words_programmed)" -eq "$UNITS" ] ||
        fail "programming units: $(stat prog double_words_programmed), expected $UNITS of $UNIT bytes"
    echo "PASS [$FAMILY program]: $LEN1+$LEN2 bytes, $ERASES erases, $UNITS units of $UNIT B," \
         "round trips $(stat prog round_trips), modelled $(modelled prog) s" ;;
verify-preloaded|verify-mismatch)
    cp image.bin preload.bin
    if [ "$MODE" = verify-mismatch ]; then
        last=$(tail -c 1 image.bin | od -An -tu1 | tr -d ' ')
        head -c $((LEN - 1)) image.bin > preload.bin
        printf "\\$(printf '%03o' $((last ^ 0xFF)))" >> preload.bin
    fi
    sim_start verify --flash-in preload.bin
    openocd_run verify "init; reset halt; echo \"verify_image: [verify_image $ELF]\"; shutdown"
    sim_wait verify
    [ "$(stat verify page_erases)" -eq 0 ] && [ "$(stat verify double_words_programmed)" -eq 0 ] ||
        fail "verify_image modified the flash"
    holds verify.flash preload.bin || fail "the flash changed during verify"
    if [ "$MODE" = verify-preloaded ]; then
        [ $OCD_RC -eq 0 ] || { tail -30 verify.log >&2; fail "openocd exit code $OCD_RC"; }
        grep -q "verify_image: verified $((LEN1 + LEN2)) bytes" verify.log ||
            fail "openocd did not print 'verified $((LEN1 + LEN2)) bytes'"
    else
        [ $OCD_RC -ne 0 ] || fail "openocd succeeded although the image differs"
        grep -q "checksum mismatch" verify.log && ! grep -q "verify_image: verified" verify.log ||
            fail "openocd did not report the difference"
    fi
    echo "PASS [$FAMILY $MODE]: openocd rc=$OCD_RC, modelled $(modelled verify) s" ;;
program-wrp)
    sim_start wrp --fault wrp=0-0
    openocd_run wrp "program $ELF verify reset exit"
    sim_wait wrp
    [ $OCD_RC -ne 0 ] || fail "openocd succeeded although sector 0 is write-protected"
    grep -q "$WRP_LOG" wrp.log || { tail -20 wrp.log >&2; fail "openocd did not print '$WRP_LOG'"; }
    ! grep -q 'Verified OK' wrp.log || fail "verify passed on a protected sector"
    [ "$(stat wrp double_words_programmed)" -eq 0 ] || fail "the protected sector was programmed"
    [ "$(head -c "$ERASE" wrp.flash | tr -d '\377' | wc -c)" -eq 0 ] || fail "sector 0 changed"
    echo "PASS [$FAMILY program-wrp]: openocd rc=$OCD_RC" ;;
program-flags)
    before=$((0x40 / UNIT))
    for kind in pgaerr progerr sizerr pgserr wrperr; do
        sim_start "flag-$kind" --fault "flash-err=$kind@0x08000040"
        openocd_run "flag-$kind" "program $ELF verify reset exit"
        sim_wait "flag-$kind"
        [ $OCD_RC -ne 0 ] || fail "openocd succeeded despite an injected $kind"
        grep -q "error writing to flash at address 0x08000000" "flag-$kind.log" ||
            { tail -20 "flag-$kind.log" >&2; fail "openocd did not report the $kind"; }
        ! grep -q 'Verified OK' "flag-$kind.log" || fail "verify passed after $kind"
        [ "$(stat "flag-$kind" double_words_programmed)" -eq "$before" ] ||
            fail "$kind: $(stat "flag-$kind" double_words_programmed) units before the error, expected $before"
    done
    echo "PASS [$FAMILY program-flags]: every injected flag stopped OpenOCD after $before units" ;;
espctl-flash)
    [ -x "$ESPCTL" ] && [ -d "$PLUGIN_DIR" ] && [ -x "$MAKE_BUNDLE" ] || fail "espctl inputs missing"
    # Until the core's bundle chip table knows the part (it lists STM32G4 parts only), the
    # bundle is packaged for the G431 and flashed with --chip naming the real part.
    upper=$(echo "$CHIP" | tr a-z A-Z) bundle_chip=STM32G431RB
    "$ESPCTL" bundle chips 2> /dev/null | awk '{print $1}' | grep -qx "$upper" && bundle_chip=$upper
    "$MAKE_BUNDLE" region1.elf "$bundle_chip" fw.tar.gz > bundle.out 2>&1 ||
        fail "bundle: $(cat bundle.out)"
    sim_start esp
    ESPCTL_PLUGIN_PATH= XDG_CONFIG_HOME="$WORK/xdg" timeout 60 "$ESPCTL" --plugin-path "$PLUGIN_DIR" \
        flash fw.tar.gz --chip "$CHIP" --probe "stlink-tcp:127.0.0.1:$PORT" > espctl.out 2> espctl.err
    ESP_RC=$?
    sim_wait esp
    ! grep -Eq 'Sanitizer|runtime error' espctl.err || fail "sanitizer report: $(cat espctl.err)"
    [ $ESP_RC -eq 0 ] || fail "espctl exit code $ESP_RC: $(cat espctl.err)"
    grep -q "connected to $CHIP" espctl.err || fail "espctl did not identify $CHIP: $(cat espctl.err)"
    grep -q "verified" espctl.out || fail "espctl did not verify: $(cat espctl.out)"
    holds esp.flash region1.bin || fail "espctl's flash does not hold exactly region 1"
    ESP_S=$(modelled esp)
    sim_start check --flash-in esp.flash
    openocd_run check "init; reset halt; echo \"verify_image: [verify_image region1.elf]\"; shutdown"
    sim_wait check
    [ $OCD_RC -eq 0 ] || { tail -30 check.log >&2; fail "openocd exit code $OCD_RC"; }
    grep -q "verify_image: verified $LEN1 bytes" check.log ||
        fail "openocd did not verify espctl's $LEN1 bytes"
    echo "PASS [$FAMILY espctl-flash]: espctl modelled $ESP_S s, erases $(stat esp page_erases)," \
         "units $(stat esp double_words_programmed); openocd verified $LEN1 bytes" ;;
*) fail "unknown mode" ;;
esac
