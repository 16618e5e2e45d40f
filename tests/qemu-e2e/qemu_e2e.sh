#!/usr/bin/env bash
# End to end on an emulator: the espctl CLI, the cortexm and gdbremote plugins, and
# qemu-system-arm's netduinoplus2 (STM32F405) running the f405-rtt firmware.
#   qemu_e2e.sh CASE        CASE: flash-monitor | chained
# Environment (set by CMake): ESPCTL, PLUGIN_DIR, FIRMWARE_ELF, QEMU, WORK_ROOT.
# Each case signs its bundle with a fresh key its own config trusts (keys.require_signed).
# Exit 77 (skip) only when qemu-system-arm or the firmware (arm-none-eabi-gcc) is absent.
set -u

CASE=${1:?case}
command -v "$QEMU" > /dev/null 2>&1 || { echo "SKIP: $QEMU not found"; exit 77; }
[ -s "$FIRMWARE_ELF" ] || { echo "SKIP: no firmware (arm-none-eabi-gcc absent)"; exit 77; }

WORK="$WORK_ROOT/$CASE"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
QEMU_PID=
cleanup() { if [ -n "$QEMU_PID" ]; then kill "$QEMU_PID" 2>/dev/null; wait "$QEMU_PID" 2>/dev/null; fi; }
trap cleanup EXIT

fail() { echo "FAIL ($CASE): $*" >&2; exit 1; }

# A free loopback port: bind port 0, read what the kernel picked, release it.
free_port() {
    local p
    for _ in $(seq 20); do
        p=$(( 20000 + RANDOM % 40000 ))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    fail "no free loopback port"
}

qemu_start() {
    PORT=$(free_port)
    "$QEMU" -M netduinoplus2 -nographic -S -gdb "tcp:127.0.0.1:$PORT" -monitor none \
        -serial none > qemu.log 2>&1 &
    QEMU_PID=$!
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
        kill -0 "$QEMU_PID" 2>/dev/null || fail "qemu exited: $(cat qemu.log)"
        sleep 0.05
    done
    PROBE="gdb:127.0.0.1:$PORT"
}

# espctl NAME ARGS...: the CLI with our plugins, bounded in time; output in NAME.out/.err.
espctl() {
    local name=$1; shift
    timeout 90 "$ESPCTL" --plugin-path "$PLUGIN_DIR" "$@" > "$name.out" 2> "$name.err" < "${STDIN:-/dev/null}"
    RC=$?
    ! grep -Eq 'Sanitizer|runtime error' "$name.err" || fail "sanitizer report: $(cat "$name.err")"
}
expect_rc() { [ "$RC" = "$1" ] || fail "$2: expected exit $1, got $RC: $(cat "$2.err")"; }

# expect_lines FILE: "line 0" .. "line 999", in order, none missing (other lines ignored).
expect_lines() {
    awk -v f="$1" '
        /^line [0-9]+$/ { if ($2 != n) { printf "%s: expected line %d, got \"%s\"\n", f, n, $0; bad = 1; exit 1 } n++; next }
        END { if (!bad && n != 1000) { printf "%s: %d of 1000 lines\n", f, n; exit 1 } }' "$1" \
        || fail "RTT lines out of order or missing"
}

# bundle: fw.tar.gz, signed with a fresh Ed25519 key that the config trusts and requires.
bundle() {
    export XDG_CONFIG_HOME="$WORK/xdg"
    mkdir -p "$XDG_CONFIG_HOME/espctl/trusted-keys"
    openssl genpkey -algorithm ed25519 -out sign.pem 2> /dev/null || fail "openssl genpkey"
    openssl pkey -in sign.pem -pubout -out "$XDG_CONFIG_HOME/espctl/trusted-keys/test.pem" || fail "openssl pkey"
    printf 'keys = { require_signed = true; };\n' > "$XDG_CONFIG_HOME/espctl/config"
    espctl build build --rust-elf "$FIRMWARE_ELF" --target stm32f405rg --out fw.tar.gz --sign-key sign.pem
    expect_rc 0 build
}

# tampered: fw.tar.gz with one byte of files/firmware.bin changed, repacked as bad.tar.gz.
tampered() {
    mkdir t && tar xzf fw.tar.gz -C t || fail "cannot unpack the bundle"
    printf 'X' | dd of=t/files/firmware.bin bs=1 seek=64 conv=notrunc 2> /dev/null
    (cd t && tar czf ../bad.tar.gz $(tar tzf ../fw.tar.gz)) || fail "cannot repack"
}

case "$CASE" in
flash-monitor)
    bundle
    tampered
    qemu_start
    # integrity first: a tampered bundle never reaches the target
    espctl bad flash bad.tar.gz --probe "$PROBE"
    expect_rc 1 bad
    grep -q 'files/firmware.bin.*tampered' bad.err || fail "tampering not named: $(cat bad.err)"

    espctl flash1 --json flash fw.tar.gz --probe "$PROBE"
    expect_rc 0 flash1
    grep -q '"type": *"result".*"ok": *true.*"verified": *true' flash1.out || fail "flash result: $(tail -1 flash1.out)"
    grep -q '"signer": *"' flash1.out || fail "signature not checked: $(tail -1 flash1.out)"
    grep -q '"stage": *"erase"' flash1.out || fail "first flash did not erase"
    grep -q '"kind": *"stage_end", *"stage": *"program"' flash1.out || fail "first flash did not program"
    grep -q 'already held the image' flash1.out && fail "first flash claims the image was there"

    # the same bundle again: every sector already holds it
    espctl flash2 --json flash fw.tar.gz --probe "$PROBE"
    expect_rc 0 flash2
    grep -q '1 of 1 sectors already held the image and were skipped' flash2.out \
        || fail "unchanged re-flash did not skip: $(grep message flash2.out)"
    grep -q '"kind": *"progress", *"stage": *"program"' flash2.out && fail "unchanged re-flash programmed"

    # monitor: every line in order, then the echo of a line typed on stdin
    printf 'ping\n' > ping.in
    STDIN=ping.in espctl mon monitor --bundle fw.tar.gz --probe "$PROBE" --duration 8
    expect_rc 0 mon
    expect_lines mon.out
    grep -qx 'echo: ping' mon.out || fail "no echo of the down-channel line: $(tail -3 mon.out)"
    grep -q 'RTT control block at 0x2' mon.err || fail "control block not reported: $(cat mon.err)"
    ;;
chained)
    bundle
    qemu_start
    espctl chain flash fw.tar.gz --probe "$PROBE" --monitor --duration 8 --timestamps
    expect_rc 0 chain
    # every line carries a host time stamp, never decreasing
    grep -q '^flashed fw.tar.gz to STM32F405RGTx, verified' chain.out || fail "no flash result line: $(head -1 chain.out)"
    awk '/^flashed / { next } !/^\[ *[0-9]+\.[0-9][0-9][0-9]\] / { print "unstamped: " $0; exit 1 }
         { t = substr($0, 2, index($0, "]") - 2) + 0; if (t < last) { print "time went back: " $0; exit 1 } last = t }' \
        chain.out || fail "time stamps"
    sed -E 's/^\[ *[0-9]+\.[0-9]{3}\] //' chain.out > chain.lines
    expect_lines chain.lines
    awk '/\] line 0$/ { a = substr($0, 2, index($0, "]") - 2) + 0 } /\] line 999$/ { b = substr($0, 2, index($0, "]") - 2) + 0 }
         END { if (b > a) printf "RTT through gdbremote: 1000 lines in %.3f s (%.0f lines/s)\n", b - a, 999 / (b - a) }' chain.out
    ;;
*)
    fail "unknown case"
    ;;
esac
kill -0 "$QEMU_PID" 2>/dev/null || fail "qemu died: $(cat qemu.log)"
echo "ok ($CASE)"
