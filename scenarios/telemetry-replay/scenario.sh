# The simulated BlueField and the Telemetry Service end to end: a capture
# replayed into uplink p0 goes through the emulated eSwitch to the host PF;
# the counter tree counts every frame (the eSwitch forwards all but the
# runts), and dpu-telemetry's Prometheus endpoint serves exactly those
# counts.
scenario "a replayed capture moves p0's and pf0hpf's counters; dpu-telemetry serves them"
needs curl /usr/bin/python3
simd="$SC_BUILD/sim/simd/dpu-simd"
ctl="$SC_BUILD/sim/simd/dpu-simctl"
if [ ! -x "$simd" ]; then
	sc_record SKIP "dpu-simd" "not built (it needs DPDK)"
	exit 0
fi
pcap="$SC_TOP/fixtures/pcap/mixed.pcap"
run="$SC_RESULTS/run"
# Frames in the capture, and those long enough to be Ethernet (the eSwitch
# drops the runts), by an independent reading of the file.
read -r frames parsed < <(/usr/bin/python3 "$SC_TOP/tests/helpers/pcap-classify.py" "$pcap" |
	/usr/bin/python3 -c 'import json,sys; d = json.load(sys.stdin); print(d["frames"], d["parsed"])')

daemon simd -- "$simd" --device "$SC_TOP/fixtures/devices/bf3.yaml" --run-dir "$run/sim"
wait_until 10 "dpu-simd up" test -S "$run/sim/simd.sock" || exit 1
check "replay $(basename "$pcap") into p0 at top speed" \
	"$ctl" --run-dir "$run/sim" replay "$pcap" --port p0 --top-speed
tree="$run/sim/sys/class/net"
expect 10 "p0 rx_packets: every frame of the capture" "$frames" cat "$tree/p0/statistics/rx_packets"
expect 10 "pf0hpf tx_packets: the default steering sent on all but the runts" "$parsed" \
	cat "$tree/pf0hpf/statistics/tx_packets"

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$run/telemetry/config"
printf 'update=100\nprometheus=http://127.0.0.1:%s\n' "$port" >"$run/telemetry/config/dts_config.ini"
daemon dts -- "$SC_BUILD/src/telemetry/dpu-telemetry" --config-dir "$run/telemetry/config" \
	--device "sim:bf3-0,run-dir=$run/sim"
url="http://127.0.0.1:$port/metrics"
wait_until 10 "dpu-telemetry serves metrics" curl -sf "$url"
value() { curl -sf "$url" | awk -v m="$1" '$1 == m { print $2 }'; }
expect 10 "dts_eth_rx_packets_total{device=\"p0\"}" "$frames" value 'dts_eth_rx_packets_total{device="p0"}'
expect 10 "dts_eth_tx_packets_total{device=\"pf0hpf\"}" "$parsed" value 'dts_eth_tx_packets_total{device="pf0hpf"}' 
