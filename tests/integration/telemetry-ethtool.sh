#!/bin/sh
# dpu-telemetry's ethtool provider: in a network namespace with a veth pair
# (an XDP program that passes everything on one end, so the driver's XDP
# counters move), every driver statistic it exports equals what `ethtool -S`
# reads after traffic; without enable-provider=ethtool there is none of it.
set -u
. "$top_srcdir/tests/tap.sh"

if [ "$(id -u)" -ne 0 ] || ! ip netns add "dpu-eth-probe-$$" 2>/dev/null; then
	tap_skip "ethtool provider" "needs root and network namespaces"
	tap_done
	exit $?
fi
ip netns del "dpu-eth-probe-$$"
if ! command -v ethtool >/dev/null 2>&1; then
	tap_skip "ethtool provider" "no ethtool to compare with (ci/install-deps installs it)"
	tap_done
	exit $?
fi
dts="$top_builddir/src/telemetry/dpu-telemetry"
work=$(mktemp -d)
ns="dpu-eth-$$"
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$ns" link set lo up
ip -n "$ns" link add va type veth peer name vb
ip -n "$ns" link set va up
ip -n "$ns" link set vb up

# XDP_PASS on vb: veth then counts what its XDP program saw.
cat >"$work/xdp.c" <<'C'
__attribute__((section("xdp"), used)) int xdp_pass(void *ctx) { return 2; }
char _license[] __attribute__((section("license"), used)) = "GPL";
C
xdp=no
if clang -O2 -target bpf -c "$work/xdp.c" -o "$work/xdp.o" 2>"$work/clang.log" &&
	ip -n "$ns" link set dev vb xdp obj "$work/xdp.o" sec xdp 2>"$work/xdp.log"; then
	xdp=yes
fi

mkdir -p "$work/on/config" "$work/off/config"
# A DTS name in prometheus-ignore-names: that one series is left out.
printf 'update=100\nprometheus=http://127.0.0.1:9100\nenable-provider=ethtool\nprometheus-ignore-names=va:peer_ifindex\n' >"$work/on/config/dts_config.ini"
printf 'update=100\nprometheus=http://127.0.0.1:9100\n' >"$work/off/config/dts_config.ini"
metrics() { ip netns exec "$ns" curl -sf http://127.0.0.1:9100/metrics; }

ip netns exec "$ns" "$dts" --config-dir "$work/off/config" --device "sim:none,run-dir=$work/nosim" \
	2>"$work/off.log" &
pid=$!
tap_wait 10 "dpu-telemetry up in the namespace" sh -c "ip netns exec $ns curl -sf http://127.0.0.1:9100/metrics >/dev/null"
tap_check "without enable-provider=ethtool: no ethtool series" sh -c "! (ip netns exec $ns curl -sf http://127.0.0.1:9100/metrics | grep -q '^dts_ethtool_')"
kill "$pid"
wait "$pid"
pid=""

# 300 raw frames of 200 bytes into va: they come out of vb through its XDP program.
ip netns exec "$ns" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("va", 0))
frame = bytes.fromhex("ffffffffffff020000000001") + b"\x88\xb5" + b"x" * 186
for i in range(300):
    s.send(frame)'
ip netns exec "$ns" "$dts" --config-dir "$work/on/config" --device "sim:none,run-dir=$work/nosim" \
	2>"$work/on.log" &
pid=$!
tap_wait 10 "with enable-provider=ethtool: vb's driver statistics" \
	sh -c "ip netns exec $ns curl -sf http://127.0.0.1:9100/metrics | grep -q '^dts_ethtool_peer_ifindex{device=\"vb\"}'"
if [ $xdp = yes ]; then
	tap_check "the XDP program saw the 300 frames (ethtool -S)" \
		sh -c "ip netns exec $ns ethtool -S vb | grep -qx ' *rx_queue_0_xdp_packets: 300'"
else
	tap_skip "the XDP program saw the 300 frames (ethtool -S)" "no XDP program: $(cat "$work/clang.log" "$work/xdp.log" 2>/dev/null | head -2 | tr '\n' ' ')"
fi
sleep 0.3 # a collection cycle after the last change
for dev in va vb lo; do
	ip netns exec "$ns" ethtool -S "$dev" 2>/dev/null | sed -n 's/^ *\([^:]*\): \([0-9]*\)$/\1 \2/p' | sort >"$work/ethtool-$dev.txt"
	metrics | sed -n "s/^dts_ethtool_\([a-zA-Z0-9_]*\){device=\"$dev\"} \([0-9.e+]*\)$/\1 \2/p" |
		awk '{ printf "%s %.0f\n", $1, $2 }' | sort >"$work/dts-$dev.txt"
	n=$(grep -c . "$work/ethtool-$dev.txt")
	if [ "$dev" = lo ]; then
		tap_check "lo (no driver statistics): none exported" test ! -s "$work/dts-lo.txt"
		continue
	fi
	if [ "$dev" = va ]; then
		# prometheus-ignore-names=va:peer_ifindex (the DTS name) takes just that one out.
		grep -v '^peer_ifindex ' "$work/ethtool-va.txt" >"$work/want-va.txt"
		what="all $n statistics of ethtool -S but the ignored va:peer_ifindex"
	else
		cp "$work/ethtool-$dev.txt" "$work/want-$dev.txt"
		what="all $n statistics of ethtool -S"
	fi
	tap_check "$dev: $what, value for value" \
		sh -c "test $n -gt 1 && cmp -s '$work/want-$dev.txt' '$work/dts-$dev.txt'"
	cmp -s "$work/want-$dev.txt" "$work/dts-$dev.txt" || diff "$work/want-$dev.txt" "$work/dts-$dev.txt" >&2
done
kill "$pid"
wait "$pid"
tap_check "dpu-telemetry stops cleanly" test $? -eq 0
pid=""
tap_done
