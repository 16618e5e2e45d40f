#!/bin/sh
# A chip family built out of tree, as a vendor would: the build is installed into a temporary
# prefix, the stm32l4 family's sources are compiled with nothing but
# `pkg-config --cflags espctl-plugin` into the prefix's plugin directory (replacing the
# in-tree build), and the installed espctl must then
#   - load it from there, exporting only espctl_plugin_entry_v1, with its chip-family component;
#   - accept its chips: a chip of the family gets past chip selection (exit 1: the probe at a
#     closed port cannot be reached) where an unknown chip is refused (exit 2);
#   - flash the simulated STM32L476RG through cortexm + stlink + this plugin.
# Usage: oot_family_test.sh BUILD_DIR WORK SOURCE_DIR LIBDIR CC "EXTRA_CFLAGS" SIM ELF
#        MAKE_BUNDLE OBJCOPY
set -u
build=$1 work=$2 src=$3 libdir=$4 cc=$5 extra=${6:-} sim=$7 elf=$8 make_bundle=$9 objcopy=${10}
fail() { echo "FAIL [oot-family]: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work/home" && cd "$work" || fail "cannot use $work"
SIM_PID=
cleanup() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; fi; }
trap cleanup EXIT INT TERM

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > install.log 2>&1 || fail "install: $(tail -5 install.log)"
export PKG_CONFIG_LIBDIR="$prefix/$libdir/pkgconfig" PKG_CONFIG_PATH=
cflags=$(pkg-config --define-prefix --cflags espctl-plugin) || fail "pkg-config espctl-plugin"
plugindir=$(pkg-config --define-prefix --variable=plugindir espctl-plugin)
[ -d "$plugindir" ] || fail "no plugin directory $plugindir"

# The family's own sources and its private helper; the ABI comes from the installed headers.
rm -f "$plugindir/stm32l4.so"
# shellcheck disable=SC2086
$cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fvisibility=hidden -shared -fPIC $cflags $extra \
    -I"$src/plugins/stm32l4/src" -I"$src/plugins/stm32common" \
    -o "$plugindir/stm32l4.so" "$src"/plugins/stm32l4/src/*.c "$src/plugins/stm32common/stm32_common.c" \
    -Wl,-z,defs > cc.log 2>&1 || fail "compile: $(cat cc.log)"
exports=$(nm -D --defined-only "$plugindir/stm32l4.so" | awk '{print $3}')
[ "$exports" = espctl_plugin_entry_v1 ] || fail "stm32l4.so exports: $exports"

unset ESPCTL_PLUGIN_PATH
export HOME="$work/home" XDG_CONFIG_HOME="$work/home"
espctl="$prefix/bin/espctl"
run() { timeout 60 "$espctl" "$@" > last.out 2> last.err; RC=$?; }

run --json plugins
[ $RC -eq 0 ] || fail "espctl plugins: exit $RC"
grep -q "\"name\":\"stm32l4\",.*\"status\":\"loaded\",\"path\":\"$plugindir/stm32l4.so\"" last.out ||
    fail "stm32l4 not loaded from $plugindir: $(grep stm32l4 last.out)"
grep -q '"kind":"chip-family","name":"stm32l4"' last.out || fail "no stm32l4 chip family"

"$objcopy" -R .region2 "$elf" fw.elf 2> /dev/null || fail "objcopy"
upper=STM32L476RG bundle_chip=STM32G431RB
"$espctl" bundle chips 2> /dev/null | awk '{print $1}' | grep -qx "$upper" && bundle_chip=$upper
"$make_bundle" fw.elf "$bundle_chip" fw.tar.gz > /dev/null || fail "bundle"

for chip in stm32l476rg stm32l432kc STM32L496ZGTx; do
    run flash fw.tar.gz --chip "$chip" --probe stlink-tcp:127.0.0.1:9
    [ $RC -eq 1 ] && grep -q "127.0.0.1:9" last.err ||
        fail "$chip was not accepted up to the probe (exit $RC): $(cat last.err)"
done
run flash fw.tar.gz --chip stm32l999zz --probe stlink-tcp:127.0.0.1:9
[ $RC -eq 2 ] || fail "an unknown chip gave exit $RC"

"$sim" stlink --chip stm32l476rg --port 0 --once --stats sim.stats --flash-out sim.flash \
    > sim.out 2> sim.err &
SIM_PID=$!
i=0
while ! grep -q '^listening on 127.0.0.1:' sim.out 2>/dev/null; do
    i=$((i + 1)); [ $i -le 100 ] || fail "simulator did not start: $(cat sim.err)"; sleep 0.1
done
port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' sim.out)
run flash fw.tar.gz --chip stm32l476rg --probe "stlink-tcp:127.0.0.1:$port"
i=0
while kill -0 "$SIM_PID" 2>/dev/null; do
    i=$((i + 1)); [ $i -le 100 ] || fail "simulator still running"; sleep 0.1
done
wait "$SIM_PID"; SIM_PID=
[ $RC -eq 0 ] || fail "flash through the out-of-tree plugin: exit $RC: $(cat last.err)"
grep -q "connected to stm32l476rg" last.err || fail "not identified: $(cat last.err)"
"$objcopy" -O binary fw.elf fw.bin
n=$(wc -c < fw.bin)
head -c "$n" sim.flash | cmp -s - fw.bin || fail "the simulated flash does not hold the image"
echo "PASS [oot-family]: stm32l4 built out of tree, loaded from $plugindir, flashed $n bytes"
