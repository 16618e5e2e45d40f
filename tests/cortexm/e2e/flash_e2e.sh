#!/usr/bin/env bash
# End-to-end flash tests: the espctl CLI, the cortexm and stlink plugins, and
# espctl-sim's ST-Link (stlink-server TCP) front with an STM32G431RB model.
#   flash_e2e.sh CASE
# Environment (set by CMake): ESPCTL, ESPCTL_SIM, PLUGIN_DIR, MAKE_BUNDLE, WORK_ROOT.
E2E_FRONT=stlink
E2E_PREFIX=stlink-tcp:
E2E_START_POLLS=100
E2E_CLI_TIMEOUT=60
# shellcheck source=../../lib/e2e.sh
. "$(dirname "$0")/../../lib/e2e.sh"

size_of() { wc -c < "$1"; }
all_erased() { # FILE OFFSET LEN
    [ "$(tail -c +"$(( $2 + 1 ))" "$1" | head -c "$3" | tr -d '\377' | wc -c)" = 0 ]
}

# flash_fresh: a blank chip gets image a; leaves a.img (the whole flash) behind.
flash_fresh() {
    make_image a 40000
    sim_start fresh
    espctl flash a.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 0
    cp fresh.out a.img
}

# recover_after NAME: a following flash from the failed run's flash contents succeeds.
recover_after() {
    sim_start recover --flash-in "$1.out"
    espctl flash a.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 0
    expect_image recover.out a.bin
}

# fault NAME REGEX [sim options]: flash a onto a blank chip under a fault; exit 1 with
# a message matching REGEX, then recover.
fault() {
    local name=$1 regex=$2; shift 2
    make_image a 40000
    sim_start "$name" "$@"
    local t0=$SECONDS
    espctl flash a.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 1
    expect_err "$regex"
    [ $(( SECONDS - t0 )) -le 30 ] || fail "took $(( SECONDS - t0 )) s"
    cp last.err "$name.err"
    recover_after "$name"
}

case "$CASE" in
fresh)
    flash_fresh
    expect_image a.img a.bin
    all_erased a.img 40000 1000 || fail "bytes after the image are not erased"
    [ "$(stat fresh page_erases)" = 0 ] || fail "a blank chip needs no erase"
    [ "$(stat fresh double_words_programmed)" = 5000 ] || fail "programmed $(stat fresh double_words_programmed) double words"
    # 4 KiB transfers, one-round-trip register access, one SR check per program run:
    # about 108 round trips (it was ~350 with 1 KiB transfers and per-page runs)
    [ "$(stat fresh round_trips)" -le 120 ] || fail "$(stat fresh round_trips) round trips for 40000 bytes"
    grep -q 'verified' last.out || fail "no verification reported"
    ;;
unchanged)
    flash_fresh
    sim_start again --flash-in a.img
    espctl flash a.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 0
    expect_image again.out a.bin
    [ "$(stat again page_erases)" = 0 ] || fail "unchanged re-flash erased $(stat again page_erases) pages"
    [ "$(stat again double_words_programmed)" = 0 ] || fail "unchanged re-flash programmed"
    [ "$(stat again round_trips)" -le 70 ] || fail "unchanged re-flash took $(stat again round_trips) round trips"
    ;;
no-verify)
    flash_fresh
    make_image b 40000 6400 # one changed double word in page 3
    sim_start checked --flash-in a.img
    espctl flash b.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 0
    sim_start unchecked --flash-in a.img
    espctl flash b.tar.gz --probe "$PROBE" --no-verify
    sim_stop
    expect_rc 0
    grep -q 'not verified' last.out || fail "--no-verify not reported"
    expect_image unchecked.out b.bin
    [ "$(stat unchecked page_erases)" = 1 ] || fail "changing one page erased $(stat unchecked page_erases)"
    [ "$(stat unchecked words_read)" -lt "$(stat checked words_read)" ] ||
        fail "--no-verify read as much as a verified flash"
    ;;
erase)
    flash_fresh
    sim_start range --flash-in a.img
    espctl erase 0x08000900 0x100 --probe "$PROBE"
    sim_stop
    expect_rc 0
    [ "$(stat range page_erases)" = 1 ] || fail "erased $(stat range page_erases) pages"
    all_erased range.out 2048 2048 || fail "page 1 not erased"
    cmp -s -n 2048 range.out a.img || fail "page 0 changed"
    cmp -s -i 4096 range.out a.img || fail "pages after 1 changed"
    sim_start all --flash-in a.img
    espctl erase --chip-erase --probe "$PROBE"
    sim_stop
    expect_rc 0
    [ "$(stat all mass_erases)" = 1 ] || fail "no mass erase"
    all_erased all.out 0 131072 || fail "chip not erased"
    espctl erase 0x08000000 --probe "$PROBE"
    expect_rc 2
    ;;
read)
    flash_fresh
    sim_start rd --flash-in a.img
    espctl read 0x08000101 1000 -o r.bin --probe "$PROBE"
    expect_rc 0
    tail -c +258 a.bin | head -c 1000 | cmp -s - r.bin || fail "read returned other bytes"
    espctl read 0x08000000 16 -o nodir/r.bin --probe "$PROBE"
    expect_rc 1
    [ ! -e nodir ] || fail "output directory appeared"
    sim_stop
    ;;
reset)
    sim_start rs
    espctl reset --probe "$PROBE" --json
    expect_rc 0
    grep -Eq '"reset": ?"system"' last.out || fail "no JSON result: $(cat last.out)"
    espctl reset --probe "$PROBE" --hw
    expect_rc 0
    grep -q 'nRESET pulse' last.out || fail "hardware reset not reported"
    sim_stop
    ;;
json)
    make_image a 40000
    sim_start js
    espctl flash a.tar.gz --probe "$PROBE" --json
    sim_stop
    expect_rc 0
    for stage in connect compare erase program verify; do
        grep -Eq "\"stage\": ?\"$stage\"" last.out || fail "no $stage event in --json output"
    done
    grep -Eq '"verified": ?true' last.out || fail "no result object"
    ;;
usage)
    make_image a 4000
    sim_start us
    espctl flash a.tar.gz --probe "$PROBE" --chip stm32f999zz
    expect_rc 2
    expect_err "unknown chip 'stm32f999zz'"
    espctl flash a.tar.gz --probe "$PROBE" --chip stm32g491re
    expect_rc 1
    expect_err 'connect: .*device id 0x468.*not stm32g491re'
    sim_stop
    ;;
fault-drop)
    fault drop 'program at 0x080[0-9a-f]{5}: .*probe disconnected' --fault drop-after=57 ;; # the third 4 KiB write of the first program run
fault-wait)
    fault wait '(compare|erase|program|verify)( at 0x080[0-9a-f]{5})?: .*0x080[0-9a-f]{5}.*timed out' --fault wait=100000@200 ;;
fault-reply)
    fault reply 'compare: read at 0x08004000 failed: target fault' --fault fault-at=0x08004000 ;;
fault-pgaerr)
    # the second double word of a 16 KiB program run: the message names it, not the run
    fault pgaerr 'program: PGAERR.* at 0x08004008' --fault flash-err=pgaerr@0x08004008 ;;
fault-wrperr)
    fault wrperr 'program: WRPERR.* at 0x08000000' --fault flash-err=wrperr ;;
fault-wrp-page)
    fault wrp 'program: WRPERR.* at 0x08004000' --fault wrp=8-8 ;;
signature)
    make_image a 4000
    "$MAKE_BUNDLE" keygen signer.key > /dev/null || fail "keygen"
    "$MAKE_BUNDLE" a.elf STM32G431RB signed.tar.gz signer.key > /dev/null || fail "signing"
    export XDG_CONFIG_HOME="$WORK/xdg"
    sim_start untrusted
    espctl flash signed.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 1
    expect_err 'signature: '
    [ "$(stat untrusted round_trips)" = 0 ] || fail "an untrusted bundle reached the target"
    # tampered: one byte of the archive flipped
    cp a.tar.gz bad.tar.gz
    printf '\x55' | dd of=bad.tar.gz bs=1 seek=200 conv=notrunc 2> /dev/null
    sim_start tampered
    espctl flash bad.tar.gz --probe "$PROBE"
    sim_stop
    [ "$RC" != 0 ] || fail "a tampered bundle was flashed"
    [ "$(stat tampered round_trips)" = 0 ] || fail "a tampered bundle reached the target"
    mkdir -p "$XDG_CONFIG_HOME/espctl/trusted-keys"
    cp signer.key.pub "$XDG_CONFIG_HOME/espctl/trusted-keys/signer.pem"
    sim_start trusted
    espctl flash signed.tar.gz --probe "$PROBE" --json
    sim_stop
    expect_rc 0
    grep -Eq '"signer": ?"[0-9a-f]{32}"' last.out || fail "signer not reported: $(cat last.out)"
    expect_image trusted.out a.bin
    printf 'keys: { require_signed = "true"; };\n' > strict.cfg
    sim_start strict
    timeout 60 "$ESPCTL" --config strict.cfg --plugin-path "$PLUGIN_DIR" flash a.tar.gz \
        --probe "$PROBE" > last.out 2> last.err
    RC=$?
    sim_stop
    expect_rc 1
    expect_err 'signature: bundle is unsigned'
    [ "$(stat strict round_trips)" = 0 ] || fail "an unsigned bundle reached the target"
    ;;
fault-wrp-erase)
    flash_fresh
    make_image b 40000 16400 # the change lies in write-protected page 8
    sim_start wrperase --flash-in a.img --fault wrp=8-8
    espctl flash b.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 1
    expect_err 'erase: WRPERR.* at 0x08004000'
    expect_image wrperase.out a.bin
    ;;
*)
    fail "unknown case" ;;
esac
echo "PASS ($CASE)"
