#!/bin/sh
# Remote collection through dpu-dpe: dpu-telemetry runs in a namespace of its
# own (a container's view: no interfaces but lo) and names grc.ethtool,
# grc.ifconfig and grc.tc; dpu-dpe runs in the "host" namespace with a veth
# pair, a qdisc and traffic. The host's interfaces appear on dpu-telemetry's
# endpoint with the values ethtool -S, /sys and tc read in the host
# namespace, tagged grc.*; a provider dpu-dpe does not run, and dpu-dpe
# gone, are reported (dts_grc_up 0) and logged once, never fatal; dpu-dpe
# back, the series come back.
set -u
. "$top_srcdir/tests/tap.sh"

if [ "$(id -u)" -ne 0 ] || ! ip netns add "dpu-grc-probe-$$" 2>/dev/null; then
	tap_skip "grc. providers" "needs root and network namespaces"
	tap_done
	exit $?
fi
ip netns del "dpu-grc-probe-$$"
if ! command -v ethtool >/dev/null 2>&1; then
	tap_skip "grc. providers" "no ethtool to compare with (ci/install-deps installs it)"
	tap_done
	exit $?
fi
dts="$top_builddir/src/telemetry/dpu-telemetry"
dpe="$top_builddir/src/telemetry/dpu-dpe"
work=$(mktemp -d)
host="dpu-grc-host-$$"
ctr="dpu-grc-ctr-$$"
pid=""
dpid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
	ip netns del "$host" 2>/dev/null
	ip netns del "$ctr" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
for n in "$host" "$ctr"; do
	ip netns add "$n"
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$n" link set lo up
done
ip -n "$host" link add va type veth peer name vb
ip -n "$host" link set va up
ip -n "$host" link set vb up
ip netns exec "$host" tc qdisc add dev va root tbf rate 100mbit burst 32kb latency 50ms
ip netns exec "$host" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("va", 0))
frame = bytes.fromhex("ffffffffffff020000000001") + b"\x88\xb5" + b"x" * 186
for i in range(300):
    s.send(frame)'

sock="$work/dpe/dpe.sock"
mkdir -p "$work/config"
cat >"$work/config/dts_config.ini" <<INI
update=100
prometheus=http://127.0.0.1:9100
enable-provider=grc.ethtool
enable-provider=grc.ifconfig
enable-provider=grc.tc
enable-provider=grc.nosuch
dpe-socket=$sock
INI
metrics() { ip netns exec "$ctr" curl -sf http://127.0.0.1:9100/metrics; }

ip netns exec "$host" "$dpe" --socket "$sock" 2>"$work/dpe.log" &
dpid=$!
tap_wait 5 "dpu-dpe listens in the host namespace" test -S "$sock"
ip netns exec "$ctr" "$dts" --config-dir "$work/config" --device "sim:none,run-dir=$work/nosim" \
	2>"$work/dts.log" &
pid=$!
tap_wait 10 "dpu-telemetry (container namespace) shows the host's vb through grc.ifconfig" \
	sh -c "ip netns exec $ctr curl -sf http://127.0.0.1:9100/metrics | grep -q '^dts_ifconfig_rx_packets_total{device=\"vb\"} 300$'"
metrics >"$work/m1.txt"
tap_check "the container's own namespace has no va (the series are the host's)" \
	sh -c "! ip -n $ctr link show va >/dev/null 2>&1"
ip netns exec "$host" ethtool -S vb | sed -n 's/^ *\([^:]*\): \([0-9]*\)$/\1 \2/p' | sort >"$work/want-vb.txt"
sed -n 's/^dts_ethtool_\([a-zA-Z0-9_]*\){device="vb"} \([0-9.e+]*\)$/\1 \2/p' "$work/m1.txt" |
	awk '{ printf "%s %.0f\n", $1, $2 }' | sort >"$work/got-vb.txt"
tap_check "grc.ethtool: vb's $(grep -c . "$work/want-vb.txt") driver statistics, value for value" \
	sh -c "test -s '$work/want-vb.txt' && cmp -s '$work/want-vb.txt' '$work/got-vb.txt'"
sent=$(ip netns exec "$host" tc -s qdisc show dev va | sed -n 's/^ Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -1)
tap_check "grc.tc: va's tbf qdisc with the packets tc counts ($sent)" \
	grep -q "^dts_tc_qdisc_packets_total{device=\"va\",kind=\"tbf\",handle=\"[0-9a-f]*:\",parent=\"root\"} $sent\$" "$work/m1.txt"
tap_check "dts_grc_up is 1 for the three providers dpu-dpe runs" \
	test "$(grep -c '^dts_grc_up{provider="\(ethtool\|ifconfig\|tc\)"} 1$' "$work/m1.txt")" -eq 3
tap_check "and 0 for grc.nosuch, which it does not run" grep -q '^dts_grc_up{provider="nosuch"} 0$' "$work/m1.txt"
tap_check "the refusal is logged once, with dpu-dpe's reason" \
	test "$(grep -c 'grc.nosuch: dpu-dpe: no such provider' "$work/dts.log")" -eq 1

# dpu-dpe stops: the series go, dts_grc_up says so, dpu-telemetry goes on.
kill "$dpid"
wait "$dpid"
tap_check "dpu-dpe stops cleanly (and removes its socket)" sh -c "test $? -eq 0 && test ! -e '$sock'"
dpid=""
tap_wait 5 "without dpu-dpe: dts_grc_up{provider=\"ethtool\"} 0 and no host series" \
	sh -c "m=\$(ip netns exec $ctr curl -sf http://127.0.0.1:9100/metrics) && echo \"\$m\" | grep -q '^dts_grc_up{provider=\"ethtool\"} 0\$' && ! echo \"\$m\" | grep -q 'device=\"vb\"'"
tap_check "dpu-telemetry logged dpu-dpe's absence once" \
	test "$(grep -c 'dpu-dpe: .*; the grc. providers wait for it' "$work/dts.log")" -eq 1
ip netns exec "$host" "$dpe" --socket "$sock" 2>>"$work/dpe.log" &
dpid=$!
tap_wait 10 "dpu-dpe back: the host's series are back" \
	sh -c "ip netns exec $ctr curl -sf http://127.0.0.1:9100/metrics | grep -q '^dts_ifconfig_rx_packets_total{device=\"vb\"} 300$'"
tap_check "and that is logged" grep -q 'dpu-dpe answers again' "$work/dts.log"
tap_check "a second dpu-dpe on the same socket is refused" \
	sh -c "! ip netns exec $host '$dpe' --socket '$sock' 2>'$work/dpe2.log' && grep -q 'another dpu-dpe' '$work/dpe2.log'"
# A request dpu-dpe cannot read: an error line back, and it serves on.
reply=$(ip netns exec "$host" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{not json\n")
print(s.makefile().readline().strip())' "$sock")
tap_check "a malformed request gets {\"ok\": false, ...}" sh -c "echo '$reply' | grep -q '\"ok\":false'"
# A dpu-dpe that takes connections and never answers: dpu-telemetry waits 2 s
# for it, then leaves it alone for a while; its cycles go on meanwhile.
kill "$dpid"
wait "$dpid"
dpid=""
ip netns exec "$host" /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(64)
held = []
end = time.time() + 12
s.settimeout(0.2)
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass' "$sock" &
dpid=$!
sleep 1
n1=$(metrics | sed -n 's/^dts_collections_total //p')
sleep 8
n2=$(metrics | sed -n 's/^dts_collections_total //p')
tap_check "a silent dpu-dpe: collection goes on (cycles $n1 -> $n2 in 8 s, update=100)" \
	test "$((${n2:-0} - ${n1:-0}))" -ge 20
tap_check "and dts_grc_up says 0" sh -c "ip netns exec $ctr curl -sf http://127.0.0.1:9100/metrics | grep -q '^dts_grc_up{provider=\"ethtool\"} 0\$'"
kill "$dpid" 2>/dev/null
wait "$dpid" 2>/dev/null
dpid=""
kill "$pid"
wait "$pid"
tap_check "dpu-telemetry stops cleanly" test $? -eq 0
pid=""
tap_done
