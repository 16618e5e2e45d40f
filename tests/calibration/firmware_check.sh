#!/bin/sh
# The example firmware is a well-formed STM32G431 image: vector table at 0x08000000 with the
# initial SP at the top of the 32 KiB SRAM and the reset vector on reset_handler (Thumb), the
# _SEGGER_RTT control block in SRAM with its "SEGGER RTT" id initialised from flash.
# Usage: firmware_check.sh ELF BIN NM
set -u
ELF=$1 BIN=$2 NM=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
word() { od -An -tx4 -j "$1" -N 4 "$BIN" | tr -d ' '; }
sym() { "$NM" "$ELF" | awk -v s="$1" '$3 == s { print $1 }'; }

size=$(wc -c < "$BIN")
[ "$size" -gt 64 ] && [ "$size" -le 131072 ] || fail "image size $size"
[ "$(word 0)" = "20008000" ] || fail "initial SP $(word 0), expected 20008000"
reset=$(sym reset_handler)
[ -n "$reset" ] || fail "no reset_handler symbol"
expected=$(printf '%08x' $((0x$reset | 1)))
[ "$(word 4)" = "$expected" ] || fail "reset vector $(word 4), expected $expected"
rtt=$(sym _SEGGER_RTT)
case $rtt in 2000*) ;; *) fail "_SEGGER_RTT at '$rtt', expected in SRAM 0x2000xxxx" ;; esac
"$NM" "$ELF" | grep -q " [dD] _SEGGER_RTT$" || fail "_SEGGER_RTT is not initialised data"
grep -q "SEGGER RTT" "$BIN" || fail "the RTT id is not in the .data load image"
grep -q "Terminal" "$BIN" || fail "the up buffer name is missing"
echo PASS
