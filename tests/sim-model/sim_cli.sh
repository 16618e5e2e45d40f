#!/bin/sh
# espctl-sim stlink command line: usage errors exit 2 with a message naming the option, SIGTERM
# ends a run with exit 0 after writing the stats JSON and the flash image (temp + rename).
# Usage: sim_cli.sh ESPCTL_SIM WORKDIR
set -u
SIM=$1 WORK=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || fail "cannot use $WORK"
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null' EXIT INT TERM

expect_usage() { # expect_usage WORD-IN-MESSAGE ARGS...
    word=$1; shift
    timeout 10 "$SIM" stlink "$@" > out.txt 2> err.txt
    rc=$?
    [ $rc -eq 2 ] || fail "'$*' exited $rc, expected 2"
    grep -q -- "$word" err.txt || fail "'$*' message does not name '$word': $(cat err.txt)"
}
expect_usage "unknown chip" --chip stm32f999 --port 0
expect_usage "--port" --chip stm32g431rb --port 70000
expect_usage "loopback" --chip stm32g431rb --port 0 --listen 10.1.2.3
expect_usage "--fault" --chip stm32g431rb --port 0 --fault wait=abc
expect_usage "--identity" --chip stm32g431rb --port 0 --identity v9
expect_usage "required" --port 0
expect_usage "out of range" --chip stm32g431rb --port 0 --fault wrp=10-70
head -c 140000 /dev/zero > big.bin
expect_usage "larger than" --chip stm32g431rb --port 0 --flash-in big.bin
timeout 10 "$SIM" stlink --help > help.txt 2>&1 || fail "--help failed"
grep -q "stm32g431rb" help.txt || fail "--help does not list the chips"

printf 'ABCDEFGH' > in.bin
"$SIM" stlink --chip stm32g431rb --port 0 --flash-in in.bin --flash-out out.bin --stats stats.json \
    > sim.out 2> sim.err &
PID=$!
i=0
until grep -q '^listening on 127.0.0.1:[0-9]*$' sim.out 2>/dev/null; do
    i=$((i + 1)); [ $i -le 100 ] || fail "no listening line"; sleep 0.1
done
kill -TERM $PID
i=0
while kill -0 $PID 2>/dev/null; do
    i=$((i + 1)); [ $i -le 100 ] || fail "still running 10 s after SIGTERM"; sleep 0.1
done
wait $PID
rc=$?
PID=
[ $rc -eq 0 ] || fail "exit $rc after SIGTERM: $(cat sim.err)"
[ "$(wc -c < out.bin)" -eq 131072 ] || fail "flash image size"
[ "$(head -c 8 out.bin)" = "ABCDEFGH" ] || fail "flash image does not start with the --flash-in bytes"
grep -q '"round_trips": 0' stats.json || fail "stats JSON: $(cat stats.json)"
grep -q '"chip": "stm32g431rb"' stats.json || fail "stats JSON lacks the chip"
ls | grep -q '\.tmp' && fail "temporary files left behind"
echo PASS
