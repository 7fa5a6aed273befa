#!/bin/sh
# dpu-simd's sensors move with the traffic: a device whose uplinks run at
# 1 Mb/s, so any replay fills them (a sanitizer build's too); the ASIC's
# temperature (a rise of 30 °C at line rate, a time constant of 0.5 s)
# climbs in class/hwmon and in `dpu-simctl sensors`, the board's power
# with the default rise, and both come back once the replay stops.
set -u
. "$top_srcdir/tests/tap.sh"

simd="$top_builddir/sim/simd/dpu-simd"
ctl="$top_builddir/sim/simd/dpu-simctl"
work=$(mktemp -d)
run="$work/run"
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

sed -e 's/speed: 200000/speed: 1/' \
	-e 's/{name: asic, kind: temperature, value: 54.0, warn: 95.0, crit: 105.0}/{name: asic, kind: temperature, value: 54.0, warn: 95.0, crit: 105.0, load_rise: 30, tau: 0.5}/' \
	"$top_srcdir/fixtures/devices/bf3.yaml" >"$work/dev.yaml"
tap_check "the test's device: 1 Mb/s uplinks, a fast ASIC sensor" \
	sh -c "grep -q 'speed: 1}' '$work/dev.yaml' && grep -q 'tau: 0.5' '$work/dev.yaml'"
"$simd" --device "$work/dev.yaml" --run-dir "$run" 2>>"$work/simd.log" &
pid=$!
tap_wait 5 "dpu-simd listens" test -S "$run/simd.sock"
root=$("$ctl" --run-dir "$run" counters | sed -n "s/^counter tree: //p")
asic="$root/class/hwmon/hwmon0/temp1_input"
board="$root/class/hwmon/hwmon2/power1_input"
tap_check "idle: the ASIC at its idle 54 °C" test "$(cat "$asic")" = 54000
tap_check "idle: the board at its idle 62 W" test "$(cat "$board")" = 62000000

"$ctl" --run-dir "$run" replay "$top_srcdir/fixtures/pcap/mixed.pcap" --port p0 --top-speed \
	--loop 0 --no-wait
tap_wait 5 "line rate: the ASIC climbs past 80 °C (54 + 30 at line rate)" \
	sh -c "test \$(cat '$asic') -ge 80000"
tap_check "line rate: no higher than 84 °C" sh -c "test \$(cat '$asic') -le 84000"
tap_wait 5 "line rate: the board's power past 90 W (62 + 39, half-way to its warning)" \
	sh -c "test \$(cat '$board') -ge 90000000"
tap_check "dpu-simctl sensors: the same reading as class/hwmon" sh -c "
	'$ctl' --run-dir '$run' --json sensors | /usr/bin/python3 -c '
import json, sys
v = [s for s in json.load(sys.stdin) if s[\"name\"] == \"asic\"][0][\"value\"]
sys.exit(0 if v >= 80 else 1)'"
"$ctl" --run-dir "$run" replay-stop
tap_wait 5 "idle again: the ASIC back under 56 °C" sh -c "test \$(cat '$asic') -le 56000"
tap_wait 5 "idle again: the board back under 64 W" sh -c "test \$(cat '$board') -le 64000000"

kill -TERM "$pid"
wait "$pid"
tap_check "SIGTERM: exit 0" test $? -eq 0
pid=""
tap_sanitizers_quiet "$work/simd.log"
tap_done
