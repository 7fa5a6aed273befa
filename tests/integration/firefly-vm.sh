#!/bin/sh
# Firefly steering a real clock: two QEMU guests (sim/vm/dpu-vm), each with
# its own kernel and clock, on one Ethernet link. One runs a linuxptp
# grandmaster; the other starts 1 s ahead and runs dpu-firefly, not free
# running, so ptp4l steps and steers that guest's clock. The port must reach
# SLAVE within CONVERGE_S and the offsets after that stay within bounds
# (docs/firefly.md explains them); the figures are printed.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/vm.sh"

vm_setup "firefly between two VMs"
ff="$(abs "$top_builddir")/src/firefly/dpu-firefly"
guest="$(abs "$top_srcdir")/tests/integration/firefly-vm-guest.sh"
CONVERGE_S=${FF_VM_CONVERGE_S:-90}
RUN_S=${FF_VM_RUN_S:-20}
cat >"$work/guest.sh" <<EOF
FF=$ff
CONVERGE_S=$CONVERGE_S
RUN_S=$RUN_S
export FF CONVERGE_S RUN_S
. $guest
EOF

"$vm" --results "$work" --timeout $((CONVERGE_S + RUN_S + 120)) \
	--vm gm="$work/guest.sh" --vm slave="$work/guest.sh" >"$work/dpu-vm.out" 2>&1
st=$?
tap_check "both guests ran to the end (dpu-vm status $st)" test "$st" -eq 0
if [ ! -s "$work/slave.json" ]; then
	tap_not_ok "the slave's figures" "no slave.json; consoles: $(tail -5 "$work"/*.console)"
	tap_done
	exit $?
fi
echo "# $(cat "$work/slave.json")"
j() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$work/slave.json"; }
# Within 100 ms: the guests' clocks were aligned to a millisecond, but an
# emulated clock on a busy host drifts by tens of ms in the seconds before
# the first measurement.
tap_check "the first offset ptp4l measured is the 1 s the slave started ahead ($(j 'd["first_offset_ns"]') ns)" \
	test "$(j 'int(abs((d["first_offset_ns"] or 0) - 1e9) < 100e6)')" -eq 1
tap_check "the port reaches SLAVE within ${CONVERGE_S}s ($(j 'd["slave_after_s"]') s; states $(j '"-".join(d["states"])'))" \
	test "$(j 'int(d["slave_after_s"] is not None)')" -eq 1
tap_check "samples after convergence ($(j 'd["samples"]'))" test "$(j 'd["samples"]')" -ge 20
# Bounds for emulated machines on a loaded CI host (docs/firefly.md): the
# clock is held 200 times closer than it started. The 95th percentile, not
# the 99th: with ~80 samples the 99th is the largest, and one stall of the
# emulated guest (a CI run saw a single 107 ms sample, median 0.39 ms) is
# the host's, not the servo's.
tap_check "median |offset| after convergence < 5 ms ($(j 'd["median_abs_offset_ns"]') ns)" \
	test "$(j 'int((d["median_abs_offset_ns"] or 1e9) < 5e6)')" -eq 1
tap_check "p95 |offset| after convergence < 50 ms ($(j 'd["p95_abs_offset_ns"]') ns; p99 $(j 'd["p99_abs_offset_ns"]') ns)" \
	test "$(j 'int((d["p95_abs_offset_ns"] or 1e9) < 50e6)')" -eq 1
tap_done
