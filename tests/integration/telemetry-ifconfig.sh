#!/bin/sh
# dpu-telemetry's ifconfig provider: in a network namespace with a veth to
# another, the interface counters it exports equal what iproute2 reads over
# netlink (an independent reader) after traffic; up/running follow the link;
# without enable-provider=ifconfig there is none of it.
set -u
. "$top_srcdir/tests/tap.sh"

if [ "$(id -u)" -ne 0 ] || ! ip netns add "dpu-ifc-probe-$$" 2>/dev/null; then
	tap_skip "ifconfig provider" "needs root and network namespaces"
	tap_done
	exit $?
fi
ip netns del "dpu-ifc-probe-$$"
dts="$top_builddir/src/telemetry/dpu-telemetry"
work=$(mktemp -d)
a="dpu-ifc-a-$$"
b="dpu-ifc-b-$$"
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
for n in "$a" "$b"; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$n" link set lo up
done
ip link add "ifa$$" type veth peer name "ifb$$"
ip link set "ifa$$" netns "$a"
ip link set "ifb$$" netns "$b"
ip -n "$a" link set "ifa$$" name a0
ip -n "$b" link set "ifb$$" name b0
ip -n "$a" addr add 10.66.1.1/24 dev a0
ip -n "$b" addr add 10.66.1.2/24 dev b0
ip -n "$a" link set a0 up
ip -n "$b" link set b0 up

mkdir -p "$work/on/config" "$work/off/config"
printf 'update=100\nprometheus=http://127.0.0.1:9100\nenable-provider=ifconfig\n' >"$work/on/config/dts_config.ini"
printf 'update=100\nprometheus=http://127.0.0.1:9100\n' >"$work/off/config/dts_config.ini"
metrics() { ip netns exec "$a" curl -sf http://127.0.0.1:9100/metrics; }
value() { metrics | awk -v m="$1" '$1 == m { print $2 }'; }

# Off by default.
ip netns exec "$a" "$dts" --config-dir "$work/off/config" --device "sim:none,run-dir=$work/nosim" \
	2>"$work/off.log" &
pid=$!
tap_wait 10 "dpu-telemetry up in the namespace" sh -c "ip netns exec $a curl -sf http://127.0.0.1:9100/metrics >/dev/null"
tap_check "without enable-provider=ifconfig: no ifconfig series" sh -c "! (ip netns exec $a curl -sf http://127.0.0.1:9100/metrics | grep -q '^dts_ifconfig_')"
kill "$pid"
wait "$pid"
ip netns exec "$a" "$dts" --config-dir "$work/on/config" --device "sim:none,run-dir=$work/nosim" \
	2>"$work/on.log" &
pid=$!
tap_wait 10 "with enable-provider=ifconfig: a0's series" sh -c "ip netns exec $a curl -sf http://127.0.0.1:9100/metrics | grep -q '^dts_ifconfig_rx_packets_total{device=\"a0\"}'"

# Traffic from b to a: 200 UDP datagrams of 1000 bytes.
ip netns exec "$b" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(200):
    s.sendto(b"x" * 1000, ("10.66.1.1", 9))'
sleep 0.5
# iproute2 over netlink, the independent reader; nothing moves once the burst is over.
stats=$(ip -n "$a" -s -j link show a0 |
	/usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["stats64"]["rx"]; print(s["packets"], s["bytes"])')
rxp=${stats% *}
rxb=${stats#* }
tap_check "iproute2 saw the 200 datagrams arrive ($rxp packets)" test "$rxp" -ge 200
tap_wait 5 "dts_ifconfig_rx_packets_total{device=\"a0\"} equals iproute2's ($rxp)" \
	sh -c "test \"\$(ip netns exec $a curl -sf http://127.0.0.1:9100/metrics | awk '\$1 == \"dts_ifconfig_rx_packets_total{device=\\\"a0\\\"}\" { print \$2 }')\" = '$rxp'"
tap_check "dts_ifconfig_rx_bytes_total{device=\"a0\"} equals iproute2's ($rxb)" \
	test "$(value 'dts_ifconfig_rx_bytes_total{device="a0"}')" = "$rxb"
tap_check "a0 up, running, carrier, MTU 1500" sh -c "
	test '$(value 'dts_ifconfig_up{device="a0"}')' = 1 && test '$(value 'dts_ifconfig_running{device="a0"}')' = 1 &&
	test '$(value 'dts_ifconfig_carrier{device="a0"}')' = 1 && test '$(value 'dts_ifconfig_mtu{device="a0"}')' = 1500"
ip -n "$a" link set a0 down
tap_wait 5 "a0 set down: up and running become 0" \
	sh -c "ip netns exec $a curl -sf http://127.0.0.1:9100/metrics | grep -q '^dts_ifconfig_up{device=\"a0\"} 0\$' && ip netns exec $a curl -sf http://127.0.0.1:9100/metrics | grep -q '^dts_ifconfig_running{device=\"a0\"} 0\$'"
tap_check "lo is there too" sh -c "ip netns exec $a curl -sf http://127.0.0.1:9100/metrics | grep -q '^dts_ifconfig_up{device=\"lo\"} 1\$'"
kill "$pid"
wait "$pid"
tap_check "clean exit" test $? -eq 0
pid=""
tap_done
