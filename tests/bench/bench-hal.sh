#!/bin/sh
# Routes programmed through the HAL into dpu-simd, against the kernel's own
# route programming in the same run (docs/performance.md): N /24 routes one
# dpu_pipe_entry_add() each and all in one dpu_pipe_entries_add()
# (tests/helpers/hal-entries rate), and the same N routes given to Linux
# with `ip -batch` in a network namespace of its own (what FRR's zebra
# does through netlink, one message a route). Needs root for the namespace;
# without it the kernel's figure is left out, said so.
#
#   bench-hal.sh BUILDDIR [ROUTES]
set -u
build="$1"
n="${2:-20000}"
work=$(mktemp -d)
ns="dpu-bench-hal-$$"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE # the EXIT trap then cleans up too

"$build/sim/simd/dpu-simd" --device "$(dirname "$0")/../../fixtures/devices/bf3.yaml" \
	--run-dir "$work/run" 2>"$work/simd.log" &
pid=$!
for i in $(seq 50); do
	[ -S "$work/run/simd.sock" ] && break
	sleep 0.1
done
if ! out=$("$build/tests/helpers/hal-entries" "sim:bf3-0,run-dir=$work/run" rate "$n"); then
	echo "bench-hal: hal-entries failed: $out" >&2
	exit 1
fi
one=$(echo "$out" | sed -n 's/^one call each: \([0-9]*\) .*/\1/p')
batch=$(echo "$out" | sed -n 's/^one batch: \([0-9]*\) .*/\1/p')
echo "hal: $n routes into dpu-simd through the HAL: one call each ${one}/s, one batch ${batch}/s"

if [ "$(id -u)" != 0 ] || ! ip netns add "$ns" 2>/dev/null; then
	echo "hal: the kernel's figure left out (a network namespace needs root)"
	exit 0
fi
ip -n "$ns" link set lo up
# As many routes as hal-entries makes (10.H.L.0/24, route i = H.L), under 12/8.
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
	printf "route add 12.%d.%d.0/24 dev lo\n", int(i / 256) % 256, i % 256 }' \
	>"$work/routes"
t0=$(date +%s%N)
if ! ip -n "$ns" -batch "$work/routes"; then
	echo "bench-hal: ip -batch failed" >&2
	exit 1
fi
t1=$(date +%s%N)
kernel=$((n * 1000000000 / (t1 - t0)))
got=$(ip -n "$ns" route show | grep -c '^12\.')
echo "hal: the kernel (ip -batch into a namespace's FIB): ${kernel}/s ($got routes in)"
awk -v b="$batch" -v o="$one" -v k="$kernel" \
	'BEGIN { printf "hal: batch/kernel %.2f, one-call/kernel %.2f\n", b / k, o / k }'
