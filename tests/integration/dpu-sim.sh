#!/bin/sh
# The README's main job: ./dpu-sim up --detach brings the simulated DPU up
# with traffic flowing, status says so, down leaves nothing running.
set -u
. "$top_srcdir/tests/tap.sh"

work=$(mktemp -d)
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
DPU_DTS_PORT=$(free_port)
DPU_FF_PORT=$(free_port)
DPU_BM_PORT=$(free_port)
export DPU_RUN_DIR="$work/run" DPU_BUILD_DIR="$top_builddir" DPU_NO_BUILD=1 DPU_DTS_PORT DPU_FF_PORT \
	DPU_BM_PORT
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
tap_check "status: dpu-telemetry up" sh -c "'$sim' status | grep -q '^dpu-telemetry: up'"
tap_wait 10 "telemetry: p0's packets on the Prometheus endpoint" \
	sh -c "curl -sf http://127.0.0.1:$DPU_DTS_PORT/metrics | grep -Eq '^dts_eth_rx_packets_total\{device=\"p0\"\} [1-9]'"
# Flow Inspector on the SF with p0 mirrored to it: its records and counters reach dpu-telemetry.
tap_wait 20 "flow inspector: its per-unit counters on the Prometheus endpoint, received > 0" \
	sh -c "curl -sf http://127.0.0.1:$DPU_DTS_PORT/metrics | grep -Eq '^flow_inspector_stats_received\{[^}]*\} [1-9]'"

# BlueMan: HTTPS with its own certificate, the admin password made at first start.
bmd="$DPU_RUN_DIR/blueman"
tap_check "status: dpu-blueman up" sh -c "'$sim' status | grep -q '^dpu-blueman: up'"
tap_wait 10 "blueman: the page over HTTPS (its own certificate verifies)" \
	sh -c "curl -sf --cacert '$bmd/cert.pem' https://localhost:$DPU_BM_PORT/ | grep -q '<title>BlueMan</title>'"
pw=$(cat "$bmd/credentials.initial-password" 2>/dev/null)
curl -s --cacert "$bmd/cert.pem" -c "$work/jar" -d "{\"user\":\"admin\",\"password\":\"$pw\"}" \
	"https://localhost:$DPU_BM_PORT/api/v1/login" >/dev/null
tap_check "blueman: admin logs in with the made password and sees the serial" \
	sh -c "curl -s --cacert '$bmd/cert.pem' -b '$work/jar' https://localhost:$DPU_BM_PORT/api/v1/overview | grep -q '\"serial\":\"MT2412X00001\"'"

# Firefly, where it can run (root and linuxptp): it follows the grandmaster
# dpu-sim puts beside the DPU, and reports to dpu-telemetry.
mon="$DPU_RUN_DIR/firefly/ptp_monitor.txt"
if [ "$(id -u)" -eq 0 ] && command -v ptp4l >/dev/null; then
	tap_check "status: dpu-firefly up" sh -c "'$sim' status | grep -q '^dpu-firefly: up'"
	tap_wait 30 "firefly: the port follows the grandmaster (UNCALIBRATED, free running)" \
		sh -c "grep -qx 'port_state: UNCALIBRATED' '$mon' && grep -qx 'grandmasterPriority1: 64' '$mon'"
	tap_wait 10 "firefly: the monitor's port answers" /usr/bin/python3 -c "
import socket, sys
s = socket.create_connection(('127.0.0.1', $DPU_FF_PORT), timeout=5)
sys.exit(b'port_state: UNCALIBRATED' not in s.recv(4096))"
	tap_wait 10 "firefly: its series on the Prometheus endpoint" \
		sh -c "curl -sf http://127.0.0.1:$DPU_DTS_PORT/metrics | grep -q '^firefly_ptp_monitor_port_state{source=\"firefly\"} 8\$'"
	# This run's namespace, as up named it (another run's may exist beside it).
	ptp_ns=$(sed -n 's/.*(grandmaster in netns \(dpu-sim-ptp-[0-9]*\))$/\1/p' "$work/up.log")
	tap_check "up: names the grandmaster's namespace, and it exists" \
		sh -c "test -n '$ptp_ns' && ip netns list | grep -q '^$ptp_ns\\b'"
else
	tap_skip "firefly in the main job" "needs root (the grandmaster's network namespace) and linuxptp"
	ptp_ns=""
fi
"$sim" up --detach >"$work/again.log" 2>&1
tap_check "a second up is refused" grep -q "already up" "$work/again.log"
pids=$(cat "$DPU_RUN_DIR/dpu-sim.pids")
"$sim" down >/dev/null
tap_check "down: dpu-simd and dpu-telemetry gone" sh -c "! kill -0 $(echo $pids | tr ' ' '\n' | head -1) 2>/dev/null && ! kill -0 $(echo $pids | tr ' ' '\n' | tail -1) 2>/dev/null"
tap_check "down: socket and counter tree removed" sh -c "! test -e '$sd/simd.sock' && ! test -e '$sd/sys'"
tap_check "status: down" sh -c "'$sim' status | grep -q '^dpu-simd:  down'"
tap_check "status: dpu-telemetry down" sh -c "'$sim' status | grep -q '^dpu-telemetry: down'"
tap_check "status: dpu-blueman down" sh -c "'$sim' status | grep -q '^dpu-blueman: down'"
if [ -n "$ptp_ns" ]; then
	tap_check "down: dpu-firefly down, the grandmaster's namespace removed" \
		sh -c "'$sim' status | grep -q '^dpu-firefly: down' && ! ip netns list | grep -q '^$ptp_ns\\b'"
fi
tap_done
