#!/bin/sh
# Removing one family plugin removes exactly that family. The build is installed into a
# temporary prefix (as a distribution would ship it); then, for each of stm32l4, stm32f7 and
# stm32h7, its .so is taken out of the prefix's plugin directory:
#   - `espctl plugins` no longer lists that family and still lists the other two;
#   - `espctl flash` of a bundle for a chip of that family exits 2 naming the chip, before
#     any probe is contacted; once the core's chip table knows the chip (`espctl bundle
#     chips`), the message must be "no flash driver for chip C; install the stm32xx plugin";
# and with the .so back, the same command flashes the simulated chip (exit 0).
# Usage: plugin_removal.sh BUILD_DIR WORK SIM ELF_DIR MAKE_BUNDLE OBJCOPY
set -u
BUILD=$1 WORK=$2 SIM=$3 ELF_DIR=$4 MAKE_BUNDLE=$5 OBJCOPY=$6
fail() { echo "FAIL [plugin-removal]: $*" >&2; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK/home" && cd "$WORK" || fail "cannot use $WORK"
SIM_PID=
cleanup() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; fi; }
trap cleanup EXIT INT TERM

cmake --install "$BUILD" --prefix "$WORK/prefix" > install.log 2>&1 || fail "install: $(tail -5 install.log)"
PLUGINS=$(find "$WORK/prefix" -type d -path '*/espctl/plugins' | head -1)
ESPCTL=$WORK/prefix/bin/espctl
[ -x "$ESPCTL" ] && [ -n "$PLUGINS" ] || fail "no espctl or plugin directory in the prefix"
unset ESPCTL_PLUGIN_PATH
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home"
run() { timeout 60 "$ESPCTL" "$@" > last.out 2> last.err; RC=$?; }

for fam in l4 f7 h7; do
    case $fam in
    l4) chip=stm32l476rg ;;
    f7) chip=stm32f746zg ;;
    h7) chip=stm32h743zi ;;
    esac
    so=stm32$fam.so
    [ -f "$PLUGINS/$so" ] || fail "$so is not installed in $PLUGINS"
    "$OBJCOPY" -R .region2 "$ELF_DIR/$chip.elf" "$fam.elf" 2> /dev/null || fail "objcopy $chip"
    # Until the core's bundle chip table knows the part, package for the G431 and name the part.
    upper=$(echo "$chip" | tr a-z A-Z)
    known=0
    "$ESPCTL" bundle chips 2> /dev/null | awk '{print $1}' | grep -qx "$upper" && known=1
    bundle_chip=STM32G431RB
    [ $known = 1 ] && bundle_chip=$upper
    "$MAKE_BUNDLE" "$fam.elf" "$bundle_chip" "$fam.tar.gz" > /dev/null || fail "bundle for $chip"

    mv "$PLUGINS/$so" "$WORK/$so.removed"
    run --json plugins
    [ $RC -eq 0 ] || fail "espctl plugins without $so: exit $RC"
    ! grep -q "\"chip-family\",\"name\":\"stm32$fam\"" last.out || fail "stm32$fam still listed"
    for other in l4 f7 h7; do
        [ $other = $fam ] && continue
        grep -q "\"chip-family\",\"name\":\"stm32$other\"" last.out ||
            fail "removing $so also removed stm32$other"
    done
    # Port 9 (discard) is never contacted: the chip is refused before the probe is opened.
    run flash "$fam.tar.gz" --chip "$chip" --probe stlink-tcp:127.0.0.1:9
    [ $RC -eq 2 ] || fail "flash for $chip without $so: exit $RC, expected 2: $(cat last.err)"
    grep -q "$chip" last.err || fail "the error does not name $chip: $(cat last.err)"
    if [ $known = 1 ]; then
        grep -q "no flash driver for chip $chip; install the stm32$fam plugin" last.err ||
            fail "the error does not point at the stm32$fam plugin: $(cat last.err)"
    fi
    cp last.err "missing-$fam.err"
    mv "$WORK/$so.removed" "$PLUGINS/$so"

    "$SIM" stlink --chip "$chip" --port 0 --once --stats "$fam.stats" --flash-out "$fam.flash" \
        > "$fam.simout" 2> "$fam.simerr" &
    SIM_PID=$!
    i=0
    while ! grep -q '^listening on 127.0.0.1:' "$fam.simout" 2>/dev/null; do
        i=$((i + 1)); [ $i -le 100 ] || fail "simulator did not start: $(cat "$fam.simerr")"
        sleep 0.1
    done
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$fam.simout")
    run flash "$fam.tar.gz" --chip "$chip" --probe "stlink-tcp:127.0.0.1:$port"
    i=0
    while kill -0 "$SIM_PID" 2>/dev/null; do
        i=$((i + 1)); [ $i -le 100 ] || fail "simulator still running"; sleep 0.1
    done
    wait "$SIM_PID"; SIM_PID=
    [ $RC -eq 0 ] || fail "flash for $chip with $so back: exit $RC: $(cat last.err)"
    echo "ok: stm32$fam removed -> exit 2 ($(tail -1 "missing-$fam.err")); restored -> flashed"
done
echo "PASS [plugin-removal]"
