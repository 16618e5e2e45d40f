#!/bin/sh
# Installs the build into a temporary prefix, builds an out-of-tree plugin with only
# pkg-config, installs it into the prefix's plugin dir, and checks that the installed
# libespctl finds it there by itself (relocated prefix, ESPCTL_PLUGIN_PATH unset).
# Usage: install_test.sh BUILD_DIR WORK_DIR SOURCE_DIR LIBDIR CC "EXTRA_CFLAGS"
set -eu
build=$1 work=$2 src=$3 libdir=$4 cc=$5 extra=${6:-}
prefix=$work/prefix
rm -rf "$work"
mkdir -p "$work/home"

cmake --install "$build" --prefix "$prefix" >"$work/install.log"

fail() { echo "install test: $*" >&2; exit 1; }
for f in include/espctl/common.h include/espctl/plugin.h include/espctl/espctl.h \
         include/espctl/plugin/entry.h include/espctl/plugin/host.h \
         include/espctl/plugin/probe.h include/espctl/plugin/target.h \
         include/espctl/plugin/chip.h \
         "$libdir/libespctl.so" "$libdir/libespctl.so.0" "$libdir/libespctl.so.0.1.0" \
         "$libdir/pkgconfig/espctl-plugin.pc"; do
    [ -e "$prefix/$f" ] || fail "missing $prefix/$f"
done
[ -L "$prefix/$libdir/libespctl.so" ] || fail "libespctl.so is not a symlink"
[ "$(readlink "$prefix/$libdir/libespctl.so.0")" = libespctl.so.0.1.0 ] || fail "bad SONAME link"
# No test fixture may be installed.
if find "$prefix" -name 'good.so' -o -name 'garbage.so' -o -name 'dup-*.so' | grep -q .; then
    fail "fixture plugins were installed"
fi

# pkg-config from this prefix only; --define-prefix relocates the .pc to where it lies.
export PKG_CONFIG_LIBDIR="$prefix/$libdir/pkgconfig"
export PKG_CONFIG_PATH=
cflags=$(pkg-config --define-prefix --cflags espctl-plugin)
plugindir=$(pkg-config --define-prefix --variable=plugindir espctl-plugin)
[ "$plugindir" = "$prefix/$libdir/espctl/plugins" ] || fail "plugindir is $plugindir"

mkdir -p "$plugindir"
# shellcheck disable=SC2086
$cc -std=c11 -Wall -Wextra -Werror -shared -fPIC $cflags $extra \
    -o "$plugindir/oot.so" "$src/oot-plugin/oot.c"
exports=$(nm -D --defined-only "$plugindir/oot.so" | awk '{print $3}')
[ "$exports" = espctl_plugin_entry_v1 ] || fail "oot.so exports: $exports"

# shellcheck disable=SC2086
$cc -std=c11 -Wall -Wextra -Werror $extra -I"$prefix/include" -o "$work/check_installed" \
    "$src/check_installed.c" -L"$prefix/$libdir" -lespctl -Wl,-rpath,"$prefix/$libdir"

unset ESPCTL_PLUGIN_PATH
HOME="$work/home" XDG_CONFIG_HOME="$work/home" "$work/check_installed" "$plugindir"
