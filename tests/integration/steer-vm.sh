#!/bin/sh
# The HAL's rte_flow steering with rules a kernel really applies: this
# machine's kernel may lack TC flower (net_tap makes every rte_flow rule a
# flower filter), so tests/unit/test-steer-rte runs again in a QEMU guest
# (sim/vm/dpu-vm) on Debian's own kernel, which loads the modules it needs,
# with DPU_STEER_NEED_TC=1: there its frame checks must run and pass, not
# skip. Each of its checks is reported here.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/vm.sh"

vm_setup "rte_flow steering in a VM"
bin="$(abs "$top_builddir")/tests/unit/test-steer-rte"
# The guest starts with an empty environment: the sanitizers' settings of
# this build's 'make check' go in with the script.
cat >"$work/guest.sh" <<EOS
modprobe tun
cd "$work"
ASAN_OPTIONS='${ASAN_OPTIONS:-}' UBSAN_OPTIONS='${UBSAN_OPTIONS:-}' \\
LSAN_OPTIONS='${LSAN_OPTIONS:-}' TSAN_OPTIONS='${TSAN_OPTIONS:-}' \\
DPU_STEER_NEED_TC=1 CMOCKA_MESSAGE_OUTPUT=TAP top_srcdir="$(abs "$top_srcdir")" \\
	"$bin" >"$work/unit.tap" 2>&1
echo \$? >"$work/unit.rc"
EOS

# DPDK's build needs SSE4.2 and more: QEMU's 'max' CPU has them.
"$vm" --cpu max --mem 768 --results "$work" --timeout 240 --vm steer="$work/guest.sh" \
	>"$work/dpu-vm.out" 2>&1
st=$?
tap_check "the guest ran to the end (dpu-vm status $st)" test "$st" -eq 0
if [ ! -s "$work/unit.tap" ]; then
	tap_not_ok "test-steer-rte's output" "none; console: $(tail -5 "$work/steer.console")"
	tap_done
	exit $?
fi
sed 's/^/# /' "$work/unit.tap"
for t in test_steering_follows_ports test_switch_rules_probe_ports test_tap_frames; do
	tap_check "in the guest: $t passed" grep -q "^ok [0-9]* - $t\$" "$work/unit.tap"
done
tap_check "in the guest: test-steer-rte exited 0 ($(cat "$work/unit.rc" 2>/dev/null))" \
	test "$(cat "$work/unit.rc" 2>/dev/null)" = 0
tap_done
