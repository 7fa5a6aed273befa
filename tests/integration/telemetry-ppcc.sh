#!/bin/sh
# The ppcc_eth provider and the congestion control behind it. dpu-simd
# carries uplink p0 on a veth; scapy sends RoCEv2 frames into the veth's peer
# (ECN CE-marked data over IPv4 and IPv6, unmarked data, CNPs, CE-marked
# non-RoCE UDP). The simulated NIC's notification and reaction points count
# them; dpu-telemetry reads the PPCC register through the HAL
# (enable-provider=ppcc_eth) and the mlx5 CC hw_counters through sysfs, and
# both agree with what tshark, decoding a capture of the same frames, counts.
# dpu-simctl pcc changes parameters, disables the algorithm, stops and clears
# its counters, and the endpoint follows. promtool accepts the page; a device
# without the register (no fwctl) reports up 0, with one log line.
set -u
. "$top_srcdir/tests/tap.sh"

if [ "$(id -u)" -ne 0 ] || ! ip netns add "dpu-ppcc-probe-$$" 2>/dev/null; then
	tap_skip "ppcc_eth" "needs root and network namespaces"
	tap_done
	exit 0
fi
ip netns del "dpu-ppcc-probe-$$"
simd="$top_builddir/sim/simd/dpu-simd"
if [ ! -x "$simd" ]; then
	tap_skip "ppcc_eth" "dpu-simd is not built (it needs DPDK)"
	tap_done
	exit 0
fi
if ! /usr/bin/python3 -c 'import scapy.contrib.roce' 2>/dev/null || ! command -v tshark >/dev/null; then
	tap_skip "ppcc_eth" "python3-scapy and tshark are needed (ci/install-deps installs them)"
	tap_done
	exit 0
fi

ctl="$top_builddir/sim/simd/dpu-simctl"
dts="$top_builddir/src/telemetry/dpu-telemetry"
send="$top_srcdir/tests/helpers/roce-send.py"
ns="dpu-ppcc-$$"
work=$(mktemp -d)
run="$work/run"
pid="" dpid="" cap="" epid=""
cleanup() {
	for p in $cap $dpid $epid $pid; do kill -9 "$p" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
nsx() { ip netns exec "$ns" "$@"; }
nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
nsx ip link set lo up
nsx ip link add wire type veth peer name p0-wire
nsx ip link set wire up
nsx ip link set p0-wire up

ip netns exec "$ns" "$simd" --device "$top_srcdir/fixtures/devices/bf3.yaml" --run-dir "$run" \
	--port-backing p0=af_packet:p0-wire 2>"$work/simd.log" &
pid=$!
tap_wait 10 "dpu-simd up with p0 on a veth" test -S "$run/simd.sock"

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port/metrics"
mkdir -p "$work/dts"
printf 'update=100\nprometheus=http://127.0.0.1:%s\nenable-provider=ppcc_eth\n' "$port" \
	>"$work/dts/dts_config.ini"
"$dts" --config-dir "$work/dts" --device "sim:bf3,run-dir=$run" 2>"$work/dts.log" &
dpid=$!
tap_wait 10 "dpu-telemetry reads the PPCC register of p0 and p1" \
	sh -c "curl -sf '$url' | grep -q '^dts_ppcc_eth_up{port=\"p1\"} 1'"

# The value of one series ("name{labels}") on the page, or "none".
m() { curl -sf "$url" | awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "none" : v) }'; }
L0='{port="p0",slot="0",algo="dcqcn_sim"}'
L15='{port="p0",slot="15",algo="firmware"}'
# Wait until series $1 shows $2 (a cycle is 100 ms).
expect() {
	tap_wait 5 "$3 ($1 = $2)" sh -c "[ \"\$(curl -sf '$url' | awk -v k='$1' '\$1 == k { print \$2 }')\" = '$2' ]"
}

tap_check "slot 0 runs the simulator's DCQCN, slot 15 (firmware) does not" \
	sh -c "[ '$(m "dts_ppcc_eth_algo_enabled$L0")' = 1 ] && [ '$(m "dts_ppcc_eth_algo_enabled$L15")' = 0 ]"
tap_check "parameters at their defaults (4 usec)" \
	sh -c "[ '$(m "dts_ppcc_eth_param_min_time_between_cnps$L0")' = 4 ] && [ '$(m "dts_ppcc_eth_param_rate_reduce_monitor_period$L0")' = 4 ]"
tap_check "counters start at 0" test "$(m "dts_ppcc_eth_cnp_sent_total$L0")" = 0

# Every CE mark gets its CNP (no gap), every CNP its rate reduction at first.
tap_check "dpu-simctl pcc sets min_time_between_cnps to 0" \
	"$ctl" -r "$run" pcc p0 set min_time_between_cnps 0
tap_check "and rate_reduce_monitor_period to 1 s" \
	"$ctl" -r "$run" pcc p0 set rate_reduce_monitor_period 1000000
expect "dts_ppcc_eth_param_min_time_between_cnps$L0" 0 "the endpoint shows the new parameter"

# Not through nsx: $! must be tcpdump itself (ip netns exec execs it).
ip netns exec "$ns" tcpdump -c 50 -i wire -w "$work/wire.pcap" -U udp 2>/dev/null &
cap=$!
sleep 1
nsx /usr/bin/python3 "$send" wire ce 30 0x11,0x12,0x13
nsx /usr/bin/python3 "$send" wire ce6 3 0x14
nsx /usr/bin/python3 "$send" wire ect 5 0x11
nsx /usr/bin/python3 "$send" wire udp-ce 4 0x11
nsx /usr/bin/python3 "$send" wire cnp 8 0x21
# tcpdump stops by itself at the 50th frame (killed, it could lose the last ones).
tap_wait 10 "tcpdump captured the 50 frames sent" sh -c "! kill -0 $cap 2>/dev/null"
wait "$cap"
cap=""

# What Wireshark's dissector makes of the same frames.
tsh() { tshark -r "$work/wire.pcap" -Y "$1" 2>/dev/null | wc -l; }
ce_ts=$(tsh 'infiniband.bth.opcode != 0x81 && (ip.dsfield.ecn == 3 || ipv6.tclass.ecn == 3)')
cnp_ts=$(tsh 'infiniband.bth.opcode == 0x81')
tap_check "tshark decodes 33 CE-marked RoCEv2 data frames and 8 CNPs ($ce_ts, $cnp_ts)" \
	sh -c "[ $ce_ts = 33 ] && [ $cnp_ts = 8 ]"
expect "dts_ppcc_eth_ecn_marked_roce_packets_total$L0" "$ce_ts" \
	"ecn_marked_roce_packets: the CE-marked RoCEv2 frames, IPv4 and IPv6, not plain UDP"
expect "dts_ppcc_eth_cnp_sent_total$L0" "$ce_ts" "cnp_sent: one CNP per CE mark without a gap"
expect "dts_ppcc_eth_cnp_handled_total$L0" "$cnp_ts" "cnp_handled: every CNP"
expect "dts_ppcc_eth_rate_reductions_total$L0" 1 \
	"rate_reductions: one for 8 CNPs to one QP within rate_reduce_monitor_period"
expect 'dts_ib_hw_np_ecn_marked_roce_packets_total{hca="mlx5_0",port="1"}' "$ce_ts" \
	"mlx5_0's hw_counters agree (np_ecn_marked_roce_packets)"
expect 'dts_ib_hw_np_cnp_sent_total{hca="mlx5_0",port="1"}' "$ce_ts" "(np_cnp_sent)"
expect 'dts_ib_hw_rp_cnp_handled_total{hca="mlx5_0",port="1"}' "$cnp_ts" "(rp_cnp_handled)"
tap_check "p1 saw none of it" \
	test "$(m 'dts_ppcc_eth_cnp_handled_total{port="p1",slot="0",algo="dcqcn_sim"}')" = 0

# With a 1 s gap, one CNP per QP however many marks.
"$ctl" -r "$run" pcc p0 set min_time_between_cnps 1000000
"$ctl" -r "$run" pcc p0 clear
expect "dts_ppcc_eth_cnp_sent_total$L0" 0 "dpu-simctl pcc clear zeroes the counters"
nsx /usr/bin/python3 "$send" wire ce 30 0x31,0x32,0x33
expect "dts_ppcc_eth_ecn_marked_roce_packets_total$L0" 30 "30 more marks"
expect "dts_ppcc_eth_cnp_sent_total$L0" 3 "min_time_between_cnps 1 s: one CNP for each of 3 QPs"

# counter_en off: the counters hold while the marks go on.
"$ctl" -r "$run" pcc p0 counters off
expect "dts_ppcc_eth_counters_enabled$L0" 0 "counters off"
tap_check "no counter series while not counting" \
	test "$(m "dts_ppcc_eth_ecn_marked_roce_packets_total$L0")" = none
nsx /usr/bin/python3 "$send" wire ce 10 0x41
tap_wait 5 "np_ecn_marked_roce_packets moves on (hw_counters count regardless)" \
	sh -c "[ \$(cat '$run/sys/class/infiniband/mlx5_0/ports/1/hw_counters/np_ecn_marked_roce_packets') = $((ce_ts + 40)) ]"
"$ctl" -r "$run" pcc p0 counters on
expect "dts_ppcc_eth_ecn_marked_roce_packets_total$L0" 30 "counters on again: they held at 30"

# Disabled, the firmware's algorithm takes over and CNPs are ignored.
tap_check "dpu-simctl pcc p0 disable" "$ctl" -r "$run" pcc p0 disable
expect "dts_ppcc_eth_algo_enabled$L0" 0 "slot 0 disabled"
expect "dts_ppcc_eth_algo_enabled$L15" 1 "slot 15 (firmware) enabled"
nsx /usr/bin/python3 "$send" wire cnp 4 0x21
expect 'dts_ib_hw_rp_cnp_ignored_total{hca="mlx5_0",port="1"}' 4 "CNPs ignored while disabled"
tap_check "cnp_handled in hw_counters unchanged" \
	test "$(m 'dts_ib_hw_rp_cnp_handled_total{hca="mlx5_0",port="1"}')" = "$cnp_ts"
"$ctl" -r "$run" pcc p0 enable
expect "dts_ppcc_eth_algo_enabled$L0" 1 "enabled again"

tap_check "dpu-simctl pcc refuses an unknown parameter" \
	sh -c "! '$ctl' -r '$run' pcc p0 set no_such_param 1 2>'$work/err' && grep -q no_such_param '$work/err'"
tap_check "and an empty slot, naming it" \
	sh -c "! '$ctl' -r '$run' pcc p0 disable 7 2>'$work/err' && grep -q 'algo_slot 7' '$work/err'"
tap_check "dpu-simctl --json pcc names the counters" \
	sh -c "'$ctl' -r '$run' --json pcc p0 | /usr/bin/python3 -c 'import json,sys; a = json.load(sys.stdin); assert a[0][\"counters\"][\"cnp_sent\"] == 3, a'"

curl -sf "$url" >"$work/page.txt"
if command -v promtool >/dev/null 2>&1; then
	tap_check "promtool check metrics accepts the page" sh -c "promtool check metrics <'$work/page.txt'"
fi
kill "$dpid"
wait "$dpid"
dpid=""

# grc.ppcc_eth: dpu-dpe reads the registers (on a BlueField: the host's fwctl,
# which a containerised dpu-telemetry does not see) and hands the series over.
dpe="$top_builddir/src/telemetry/dpu-dpe"
mkdir -p "$work/grc"
printf 'update=100\nprometheus=http://127.0.0.1:%s\nenable-provider=grc.ppcc_eth\ndpe-socket=%s\n' \
	"$port" "$work/dpe.sock" >"$work/grc/dts_config.ini"
"$dpe" --socket "$work/dpe.sock" --device "sim:bf3,run-dir=$run" 2>"$work/dpe.log" &
epid=$!
"$dts" --config-dir "$work/grc" --device "sim:none,run-dir=$work/nosim" 2>"$work/dts-grc.log" &
dpid=$!
tap_wait 10 "grc.ppcc_eth: the series through dpu-dpe" \
	sh -c "curl -sf '$url' | grep -q '^dts_grc_up{provider=\"ppcc_eth\"} 1'"
tap_check "the same counters as read directly (cnp_sent 3, ecn_marked_roce_packets 30)" \
	sh -c "[ '$(m "dts_ppcc_eth_cnp_sent_total$L0")' = 3 ] && [ '$(m "dts_ppcc_eth_ecn_marked_roce_packets_total$L0")' = 30 ]"
tap_check "dpu-dpe refused no request" \
	sh -c "! grep -q 'refused' '$work/dpe.log'"
kill "$dpid" "$epid"
wait "$dpid" "$epid"
dpid=""

# The same provider on a device without the register: up 0, said once.
"$dts" --config-dir "$work/dts" --device "bluefield:0000:03:00.0,sysfs=$run/sys" \
	2>"$work/dts-bf.log" &
dpid=$!
tap_wait 10 "a device without fwctl: dts_ppcc_eth_up 0" \
	sh -c "curl -sf '$url' | grep -q '^dts_ppcc_eth_up{port=\"p0\"} 0'"
sleep 0.5
tap_check "said once, naming fwctl" \
	test "$(grep -c 'PPCC register.*fwctl' "$work/dts-bf.log")" -eq 1
tap_check "the other providers go on" sh -c "curl -sf '$url' | grep -q '^dts_ib_hw_np_cnp_sent_total'"
kill "$dpid"
wait "$dpid"
dpid=""

kill "$pid"
wait "$pid"
tap_check "dpu-simd stops cleanly" test $? -eq 0
pid=""
tap_done
