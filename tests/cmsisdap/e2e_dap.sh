#!/usr/bin/env bash
# End-to-end: `espctl flash` with the cortexm and cmsisdap plugins through dap-tcp: into
# espctl-sim's CMSIS-DAP (elaphureLink) front with an STM32G431RB model.
#   e2e_dap.sh CASE
# Environment (set by CMake): ESPCTL, ESPCTL_SIM, PLUGIN_DIR, MAKE_BUNDLE, WORK_ROOT, and for
# rtt-stream HELLO_ELF (example firmware) and NM (arm-none-eabi-nm).
set -u

CASE=${1:?case}
WORK="$WORK_ROOT/$CASE"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
SIM_PID=
cleanup() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; fi; }
trap cleanup EXIT

fail() { echo "FAIL ($CASE): $*" >&2; exit 1; }

# sim_start NAME [sim options...]: start the simulator, writing NAME.stats/NAME.out.
sim_start() {
    local name=$1; shift
    "$ESPCTL_SIM" dap --chip stm32g431rb --port 0 --stats "$name.stats" \
        --flash-out "$name.out" "$@" > "$name.sim" 2>&1 &
    SIM_PID=$!
    for _ in $(seq 200); do grep -q 'listening on' "$name.sim" && break; sleep 0.05; done
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$name.sim")
    [ -n "$PORT" ] || fail "simulator did not start: $(cat "$name.sim")"
    PROBE="dap-tcp:127.0.0.1:$PORT"
}
sim_stop() { kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null; SIM_PID=; }
stat() { sed -n "s/^ *\"$2\": \([0-9]*\),\{0,1\}$/\1/p" "$1.stats"; }

espctl() {
    timeout 90 "$ESPCTL" --plugin-path "$PLUGIN_DIR" "$@" > last.out 2> last.err
    RC=$?
}
expect_rc() {
    ! grep -Eq 'Sanitizer|runtime error' last.err || fail "sanitizer report: $(cat last.err)"
    [ "$RC" = "$1" ] || fail "expected exit $1, got $RC: $(cat last.err)"
}
expect_err() { grep -Eq "$1" last.err || fail "stderr lacks /$1/: $(cat last.err)"; }

make_image() {
    seq 1000000 | head -c "$2" > "$1.bin"
    printf '.section .text\n.incbin "%s"\n' "$1.bin" > "$1.S"
    arm-none-eabi-gcc -nostdlib -nostartfiles -Wl,-Ttext=0x08000000 -Wl,-e,0x08000000 \
        -o "$1.elf" "$1.S" || fail "cannot build $1.elf"
    "$MAKE_BUNDLE" "$1.elf" STM32G431RB "$1.tar.gz" > /dev/null || fail "cannot bundle $1"
}
expect_image() { cmp -s -n "$(wc -c < "$2")" "$1" "$2" || fail "$1 does not hold $2"; }

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
