#!/usr/bin/env bash
# End-to-end RTT tests: the espctl CLI (monitor, flash --monitor), the cortexm and
# stlink plugins, and espctl-sim's ST-Link front with its RTT producer playing the
# example firmware (stm32g431-hello) on an STM32G431RB model.
#   rtt_e2e.sh CASE
# Environment (set by CMake): ESPCTL, ESPCTL_SIM, PLUGIN_DIR, MAKE_BUNDLE, HELLO_ELF,
# NM, WORK_ROOT.
set -u

CASE=${1:?case}
WORK="$WORK_ROOT/$CASE"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
SIM_PID=
MON_PID=
cleanup() {
    [ -n "$MON_PID" ] && kill -9 "$MON_PID" 2>/dev/null
    if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; fi
}
trap cleanup EXIT

fail() { echo "FAIL ($CASE): $*" >&2; exit 1; }

# The firmware's control block address, read with binutils (not with espctl).
RTT_ADDR=0x$("$NM" "$HELLO_ELF" | sed -n 's/^\([0-9a-f]*\) [DdBb] _SEGGER_RTT$/\1/p')
[ "$RTT_ADDR" != 0x ] || fail "no _SEGGER_RTT in $HELLO_ELF"
cp "$HELLO_ELF" hello.elf

# sim_start [sim options...]: start the simulator; stats go to sim.stats.
sim_start() {
    "$ESPCTL_SIM" stlink --chip stm32g431rb --port 0 --stats sim.stats "$@" > sim.log 2>&1 &
    SIM_PID=$!
    for _ in $(seq 100); do grep -q 'listening on' sim.log && break; sleep 0.05; done
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' sim.log)
    [ -n "$PORT" ] || fail "simulator did not start: $(cat sim.log)"
    PROBE="stlink-tcp:127.0.0.1:$PORT"
}
sim_stop() {
    kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null; SIM_PID=
    ! grep -Eq 'Sanitizer|runtime error' sim.log || fail "simulator sanitizer report: $(cat sim.log)"
}
# rtt_stat KEY: an integer from the producer's stats.
rtt_stat() { tr -d ' \n' < sim.stats | sed -n "s/.*\"rtt\":{[^}]*\"$1\":\([0-9]*\).*/\1/p"; }

# espctl ARGS...: the CLI with our plugins, bounded; output in last.out / last.err.
espctl() {
    timeout 60 "$ESPCTL" --plugin-path "$PLUGIN_DIR" "$@" > last.out 2> last.err
    RC=$?
}
expect_rc() {
    ! grep -Eq 'Sanitizer|runtime error' last.err || fail "sanitizer report: $(cat last.err)"
    [ "$RC" = "$1" ] || fail "expected exit $1, got $RC: $(cat last.err)"
}
expect_err() { grep -Eq -- "$1" last.err || fail "stderr lacks /$1/: $(cat last.err)"; }
# expected_lines N: the producer's "lines" stream, N whole lines.
expected_lines() { seq -f 'rtt %08.0f' 0 $(( $1 - 1 )); }

LINES=3000 # 39000 bytes: dozens of ring wraps of the 1 KiB up buffer
case "$CASE" in
stream)
    sim_start --rtt-producer "rate=60k,mode=blocking,bytes=$(( LINES * 13 )),pattern=lines" \
        --rtt-addr "$RTT_ADDR"
    espctl monitor --rtt --probe "$PROBE" --elf hello.elf --raw --duration 6
    sim_stop
    expect_rc 0
    expect_err "RTT control block at $RTT_ADDR \(_SEGGER_RTT in hello.elf\)"
    expected_lines $LINES > want.txt
    cmp last.out want.txt || fail "stream differs from the producer's: $(cmp last.out want.txt 2>&1)"
    [ "$(rtt_stat produced)" = $(( LINES * 13 )) ] || fail "producer made $(rtt_stat produced) bytes"
    [ "$(rtt_stat dropped)" = 0 ] || fail "blocking mode dropped $(rtt_stat dropped) bytes"
    [ "$(rtt_stat consumed)" = $(( LINES * 13 )) ] || fail "host consumed $(rtt_stat consumed)"
    ;;
json)
    sim_start --rtt-producer "rate=20k,mode=blocking,bytes=1300,pattern=lines" --rtt-addr "$RTT_ADDR"
    espctl monitor --rtt --probe "$PROBE" --elf hello.elf --json --duration 3
    sim_stop
    expect_rc 0
    grep '"type": *"monitor"' last.out > lines.json
    [ "$(wc -l < lines.json)" = 100 ] || fail "expected 100 monitor lines: $(cat last.out)"
    grep -q '{"type": *"monitor", *"channel": *0, *"text": *"rtt 00000099"}' lines.json ||
        fail "no JSON line for rtt 00000099: $(tail -2 lines.json)"
    grep -q '"mode": *"rtt"' last.out || fail "result lacks mode rtt: $(tail -1 last.out)"
    ;;
scan)
    # no ELF: the control block is found by scanning RAM for its id
    sim_start --rtt-producer "rate=20k,mode=blocking,bytes=650,pattern=lines" --rtt-addr "$RTT_ADDR"
    espctl monitor --rtt --probe "$PROBE" --chip stm32g431rb --duration 3
    sim_stop
    expect_rc 0
    expected_lines 50 > want.txt
    cmp last.out want.txt || fail "scanned stream differs: $(head -3 last.out)"
    expect_err "RTT control block at 0x20000000, up channel 0"
    ;;
echo)
    sim_start --rtt-producer "rate=0,mode=blocking,echo" --rtt-addr "$RTT_ADDR"
    printf 'ping one\nsecond line is longer than the 16-byte down buffer\n' > in.txt
    timeout 60 "$ESPCTL" --plugin-path "$PLUGIN_DIR" monitor --rtt --probe "$PROBE" --elf hello.elf \
        --duration 3 < in.txt > last.out 2> last.err
    RC=$?
    sim_stop
    expect_rc 0
    cmp last.out in.txt || fail "echo differs: $(cat last.out)"
    [ "$(rtt_stat echoed)" = "$(wc -c < in.txt)" ] || fail "producer echoed $(rtt_stat echoed) bytes"
    ;;
nonblocking)
    # the producer outruns a 64-byte buffer: what it drops is counted, what arrives is in order
    sim_start --rtt-producer "rate=1M,mode=nonblocking,bytes=200000,pattern=lines,size=64" \
        --rtt-addr "$RTT_ADDR"
    espctl monitor --rtt --probe "$PROBE" --elf hello.elf --raw --duration 3
    sim_stop
    expect_rc 0
    dropped=$(rtt_stat dropped); produced=$(rtt_stat produced); consumed=$(rtt_stat consumed)
    [ "$dropped" -gt 0 ] || fail "nothing dropped at 1 MB/s into 64 bytes"
    [ "$consumed" = "$(wc -c < last.out)" ] || fail "host printed $(wc -c < last.out) of $consumed bytes"
    [ "$produced" = "$consumed" ] || fail "produced $produced, consumed $consumed"
    ;;
corrupt-pointer|corrupt-size|corrupt-count|corrupt-offset)
    kind=${CASE#corrupt-}
    sim_start --rtt-producer "rate=10k,mode=blocking,corrupt=$kind" --rtt-addr "$RTT_ADDR"
    start=$(date +%s)
    espctl monitor --rtt --probe "$PROBE" --elf hello.elf --duration 5
    sim_stop
    expect_rc 1
    case $kind in
    pointer) expect_err "corrupt RTT control block at $RTT_ADDR: up channel 0 buffer pBuffer = 0x30000000" ;;
    size) expect_err "SizeOfBuffer = 32768 lies outside RAM" ;;
    count) expect_err "MaxNumUpBuffers = 100000 \(at most 255\)" ;;
    offset) expect_err "up channel 0 WrOff = 1029 is not below SizeOfBuffer = 1024" ;;
    esac
    [ $(( $(date +%s) - start )) -lt 5 ] || fail "took longer than the monitor duration"
    ;;
absent)
    sim_start
    espctl monitor --rtt --probe "$PROBE" --chip stm32g431rb --rtt-timeout 400
    expect_rc 1
    expect_err 'no "SEGGER RTT" control block appeared in RAM within 400 ms'
    espctl monitor --rtt --probe "$PROBE" --elf hello.elf --rtt-timeout 300
    sim_stop
    expect_rc 1
    expect_err "no RTT control block appeared at $RTT_ADDR within 300 ms"
    ;;
usage)
    espctl monitor --rtt --uart --probe stlink-tcp:127.0.0.1:1
    expect_rc 2
    expect_err "--rtt and --uart exclude each other"
    espctl monitor --channel 300
    expect_rc 2
    espctl monitor --raw --json
    expect_rc 2
    expect_err "--raw and --json exclude each other"
    espctl flash x.tar.gz --duration 3
    expect_rc 2
    expect_err "--duration needs --monitor"
    ;;
flash-monitor)
    "$MAKE_BUNDLE" hello.elf STM32G431RB hello.tar.gz > /dev/null || fail "cannot bundle hello.elf"
    sim_start --rtt-producer "rate=20k,mode=blocking,bytes=1300,pattern=lines" --rtt-addr "$RTT_ADDR"
    espctl flash hello.tar.gz --probe "$PROBE" --monitor --duration 3
    sim_stop
    expect_rc 0
    expect_err "RTT control block at $RTT_ADDR \(_SEGGER_RTT in files/firmware.elf\)"
    grep -q '^flashed hello.tar.gz' last.out || fail "no flash line: $(head -2 last.out)"
    grep -v '^flashed' last.out > got.txt
    expected_lines 100 > want.txt
    cmp got.txt want.txt || fail "monitor after flash differs: $(head -3 got.txt)"
    [ "$(rtt_stat boots)" -ge 2 ] || fail "the producer did not restart after the flash's reset"
    ;;
bundle)
    # the bundle names the target (cortexm: RTT) and carries the ELF with _SEGGER_RTT
    "$MAKE_BUNDLE" hello.elf STM32G431RB hello.tar.gz > /dev/null || fail "cannot bundle hello.elf"
    sim_start --rtt-producer "rate=20k,mode=blocking,bytes=650,pattern=lines" --rtt-addr "$RTT_ADDR"
    espctl monitor --bundle hello.tar.gz --probe "$PROBE" --duration 3
    expect_rc 0
    expect_err "RTT control block at $RTT_ADDR \(_SEGGER_RTT in files/firmware.elf\)"
    expected_lines 50 > want.txt
    cmp last.out want.txt || fail "bundle monitor output differs: $(head -3 last.out)"
    espctl monitor --bundle hello.tar.gz --uart --probe "$PROBE"
    sim_stop
    expect_rc 2
    expect_err "the bundle is for a cortexm target, which monitors over RTT"
    [ "$(rtt_stat boots)" = 1 ] || fail "monitor reset the target (producer booted $(rtt_stat boots) times)"
    ;;
defmt)
    # frames sent through the down channel come back through the echoing producer and are
    # decoded with the .defmt table of an ELF assembled here
    "$AS" -mcpu=cortex-m4 -mthumb "$(dirname "$0")/defmt_fw.s" -o defmt_fw.o &&
        "$LD" -T "$(dirname "$0")/defmt_fw.ld" defmt_fw.o -o defmt_fw.elf || fail "cannot build defmt_fw.elf"
    addr=0x$("$NM" defmt_fw.elf | sed -n 's/^\([0-9a-f]*\) [DdBb] _SEGGER_RTT$/\1/p')
    sim_start --rtt-producer "rate=0,mode=blocking,echo" --rtt-addr "$addr"
    # rzcobs frames: info #1 (u8 21), warn #2 (u16 300), an unknown index 9
    printf '\000\001\025\172\000\002\054\001\162\000\011\176\000' > frames.bin
    timeout 60 "$ESPCTL" --plugin-path "$PLUGIN_DIR" monitor --rtt --probe "$PROBE" --elf defmt_fw.elf \
        --duration 3 < frames.bin > last.out 2> last.err
    RC=$?
    expect_rc 0
    printf 'INFO  temp 21 C\nWARN  300 left\n09 7e\n' > want.txt
    cmp last.out want.txt || fail "decoded output differs: $(cat last.out)"
    expect_err "warning: .*unknown string index 9.*shown as hex"
    timeout 60 "$ESPCTL" --plugin-path "$PLUGIN_DIR" monitor --rtt --probe "$PROBE" --elf defmt_fw.elf \
        --duration 3 --json < frames.bin > last.out 2> last.err
    RC=$?
    sim_stop
    expect_rc 0
    grep -q '{"type": *"monitor", *"channel": *0, *"text": *"300 left", *"level": *"WARN"}' last.out ||
        fail "no JSON line for the warn frame: $(grep monitor last.out)"
    grep -q '"defmt": *true' last.out || fail "result does not say defmt"
    ;;
uart)
    # the same core API routes a UART monitor to the esp32 target's monitor_* members
    "$ESPCTL_SIM" esp --chip esp32 --tcp 0 > sim.log 2>&1 &
    SIM_PID=$!
    for _ in $(seq 100); do grep -q 'listening on' sim.log && break; sleep 0.05; done
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' sim.log)
    [ -n "$PORT" ] || fail "esp simulator did not start: $(cat sim.log)"
    espctl monitor --uart --port "socket://127.0.0.1:$PORT" --duration 1 --json
    expect_rc 0
    grep -q '"target": *"esp32".*"mode": *"uart"' last.out || fail "not a UART monitor: $(tail -1 last.out)"
    espctl monitor --rtt --chip esp32 --port "socket://127.0.0.1:$PORT" --duration 1
    sim_stop
    expect_rc 2
    expect_err "flash target 'esp32' monitors over UART, not RTT"
    ;;
ctrl-c)
    sim_start --rtt-producer "rate=5k,mode=blocking,pattern=lines" --rtt-addr "$RTT_ADDR"
    set -m # a job of its own, so SIGINT is not ignored in the background
    "$ESPCTL" --plugin-path "$PLUGIN_DIR" monitor --rtt --probe "$PROBE" --elf hello.elf \
        > last.out 2> last.err < /dev/null &
    MON_PID=$!
    set +m
    for _ in $(seq 200); do [ -s last.out ] && break; sleep 0.05; done
    [ -s last.out ] || fail "no output before Ctrl-C: $(cat last.err)"
    kill -INT "$MON_PID"
    for _ in $(seq 100); do kill -0 "$MON_PID" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$MON_PID" 2>/dev/null && fail "monitor still running 5 s after Ctrl-C"
    wait "$MON_PID"
    RC=$?
    MON_PID=
    expect_rc 0
    sim_stop
    [ "$(rtt_stat consumed)" -gt 0 ] || fail "nothing consumed"
    head -1 last.out | grep -qx 'rtt 00000000' || fail "first line: $(head -1 last.out)"
    ! grep -Eqi 'error|cancel' last.err || fail "Ctrl-C reported a failure: $(cat last.err)"
    ;;
*)
    fail "unknown case"
    ;;
esac
echo "ok ($CASE)"
