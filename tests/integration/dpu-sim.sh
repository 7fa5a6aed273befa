#!/bin/sh
# The README's main job: ./dpu-sim up --detach brings the simulated DPU up
# with traffic flowing, status says so, down leaves nothing running.
set -u
. "$top_srcdir/tests/tap.sh"

work=$(mktemp -d)
export DPU_RUN_DIR="$work/run" DPU_BUILD_DIR="$top_builddir" DPU_NO_BUILD=1
sim="$top_srcdir/dpu-sim"
sd="$DPU_RUN_DIR/sim/bf3-0"
ctl="$top_builddir/sim/simd/dpu-simctl"
cleanup() {
	"$sim" down >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

"$sim" up --detach >"$work/up.log" 2>&1
tap_check "up --detach: exit 0" test $? -eq 0
tap_check "up: says where to look" grep -q "HAL URI       sim:bf3-0" "$work/up.log"
tap_check "status: dpu-simd up" sh -c "'$sim' status | grep -q '^dpu-simd:  up'"
tap_wait 10 "traffic flows: p0 counts received packets" \
	sh -c "test \"\$(cat '$sd/sys/class/net/p0/statistics/rx_packets')\" -gt 0"
tap_wait 5 "traffic flows: pf0hpf sends them on" \
	sh -c "test \"\$(cat '$sd/sys/class/net/pf0hpf/statistics/tx_packets')\" -gt 0"
"$sim" up --detach >"$work/again.log" 2>&1
tap_check "a second up is refused" grep -q "already up" "$work/again.log"
pid=$(cat "$DPU_RUN_DIR/dpu-sim.pids")
"$sim" down >/dev/null
tap_check "down: dpu-simd gone" sh -c "! kill -0 $pid 2>/dev/null"
tap_check "down: socket and counter tree removed" sh -c "! test -e '$sd/simd.sock' && ! test -e '$sd/sys'"
tap_check "status: down" sh -c "'$sim' status | grep -q '^dpu-simd:  down'"
tap_done
