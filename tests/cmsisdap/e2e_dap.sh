#!/usr/bin/env bash
# End-to-end: `espctl flash` with the cortexm and cmsisdap plugins through dap-tcp: into
# espctl-sim's CMSIS-DAP (elaphureLink) front with an STM32G431RB model.
#   e2e_dap.sh CASE
# Environment (set by CMake): ESPCTL, ESPCTL_SIM, PLUGIN_DIR, MAKE_BUNDLE, WORK_ROOT, and for
# rtt-stream HELLO_ELF (example firmware) and NM (arm-none-eabi-nm).
E2E_FRONT=dap
E2E_PREFIX=dap-tcp:
E2E_START_POLLS=200
E2E_CLI_TIMEOUT=90
# shellcheck source=../lib/e2e.sh
. "$(dirname "$0")/../lib/e2e.sh"

# flash_on LINK [sim options]: flash a blank chip with image a over the given link model.
flash_on() {
    local link=$1; shift
    make_image a 40000
    sim_start "$link" --transport "$link" "$@"
    espctl flash a.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 0
    grep -q 'verified' last.out || fail "no verification reported: $(cat last.out)"
    grep -q 'through cmsisdap' last.err || fail "connect line does not name cmsisdap: $(cat last.err)"
    expect_image "$link.out" a.bin
    [ "$(stat "$link" double_words_programmed)" = 5000 ] || fail "programmed $(stat "$link" double_words_programmed)"
    [ "$(stat "$link" dap_packets)" -gt 0 ] || fail "no DAP packets counted"
}

case "$CASE" in
flash-bulk)
    flash_on bulk
    [ "$(stat bulk batches)" -lt "$(stat bulk dap_packets)" ] || fail "no pipelining over the v2 bulk model"
    ;;
flash-hid)
    flash_on hid
    [ "$(stat hid packet_size)" = 64 ] || fail "HID model packet size $(stat hid packet_size)"
    ;;
flash-tcp-bare)
    flash_on tcp --elaphure-version 0
    [ "$(stat tcp batches)" = "$(stat tcp dap_packets)" ] || fail "bare elaphureLink was pipelined"
    ;;
reflash-changed)
    flash_on bulk
    cp bulk.out a.img
    seq 7 1000000 | head -c 40000 > b.bin
    printf '.section .text\n.incbin "b.bin"\n' > b.S
    arm-none-eabi-gcc -nostdlib -nostartfiles -Wl,-Ttext=0x08000000 -Wl,-e,0x08000000 -o b.elf b.S
    "$MAKE_BUNDLE" b.elf STM32G431RB b.tar.gz > /dev/null || fail "cannot bundle b"
    sim_start again --transport bulk --flash-in a.img
    espctl flash b.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 0
    expect_image again.out b.bin
    [ "$(stat again page_erases)" -ge 1 ] || fail "a changed image erased nothing"
    ;;
fault-drop)
    make_image a 40000
    sim_start drop --fault drop-after=300
    t0=$SECONDS
    espctl flash a.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 1
    expect_err 'cmsisdap|CMSIS-DAP|connection'
    [ $(( SECONDS - t0 )) -le 30 ] || fail "took $(( SECONDS - t0 )) s"
    sim_start recover --flash-in drop.out
    espctl flash a.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 0
    expect_image recover.out a.bin
    ;;
rtt-stream)
    # RTT over CMSIS-DAP: the simulator plays the example firmware's RTT producer
    RTT_ADDR=0x$("$NM" "$HELLO_ELF" | sed -n 's/^\([0-9a-f]*\) [DdBb] _SEGGER_RTT$/\1/p')
    [ "$RTT_ADDR" != 0x ] || fail "no _SEGGER_RTT in $HELLO_ELF"
    cp "$HELLO_ELF" hello.elf
    LINES=1500
    sim_start rtt --transport bulk --rtt-producer "rate=60k,mode=blocking,bytes=$(( LINES * 13 )),pattern=lines" \
        --rtt-addr "$RTT_ADDR"
    espctl monitor --rtt --probe "$PROBE" --elf hello.elf --raw --duration 5
    sim_stop
    expect_rc 0
    expect_err "RTT control block at $RTT_ADDR"
    seq -f 'rtt %08.0f' 0 $(( LINES - 1 )) > want.txt
    cmp last.out want.txt || fail "RTT stream differs: $(cmp last.out want.txt 2>&1)"
    ;;
fault-wait)
    make_image a 40000
    sim_start storm --fault wait=100000000@2000
    t0=$SECONDS
    espctl flash a.tar.gz --probe "$PROBE"
    sim_stop
    expect_rc 1
    expect_err 'timed out|WAIT'
    [ $(( SECONDS - t0 )) -le 30 ] || fail "took $(( SECONDS - t0 )) s"
    ;;
*)
    fail "unknown case"
    ;;
esac
echo "ok ($CASE)"
