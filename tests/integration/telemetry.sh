#!/bin/sh
# dpu-telemetry end to end: on a simulated device with traffic replayed into
# p0, its Prometheus endpoint serves the device's counters in valid text
# format (promtool), a real Prometheus server scrapes it and a PromQL query
# returns our series; SIGHUP applies a changed file and refuses a broken one
# (naming the line) while the old configuration keeps serving; a missing
# config is written with the defaults; a bad one stops the start.
set -u
. "$top_srcdir/tests/tap.sh"

simd="$top_builddir/sim/simd/dpu-simd"
ctl="$top_builddir/sim/simd/dpu-simctl"
dts="$top_builddir/src/telemetry/dpu-telemetry"
work=$(mktemp -d)
run="$work/sim"
cfgdir="$work/telemetry/config"
spid=""
dpid=""
ppid=""
cleanup() {
	for p in $ppid $dpid $spid; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
url="http://127.0.0.1:$port/metrics"

"$simd" --device "$top_srcdir/fixtures/devices/bf3.yaml" --run-dir "$run" 2>"$work/simd.log" &
spid=$!
tap_wait 5 "dpu-simd listens" test -S "$run/simd.sock"

mkdir -p "$cfgdir"
cat >"$cfgdir/dts_config.ini" <<EOF2
# test configuration
update=200
prometheus=http://127.0.0.1:$port
EOF2
"$dts" --config-dir "$cfgdir" --device "sim:bf3-0,run-dir=$run" 2>"$work/dts.log" &
dpid=$!
tap_wait 5 "the endpoint answers" curl -sf -o /dev/null "$url"
tap_check "the service's layout: config/, data/, ipc_sockets/" \
	test -d "$work/telemetry/data" -a -d "$work/telemetry/ipc_sockets"

"$ctl" --run-dir "$run" replay "$top_srcdir/fixtures/pcap/mixed.pcap" --port p0 --top-speed >/dev/null
tap_wait 5 "p0's received packets (1000) on the endpoint" \
	sh -c "curl -sf '$url' | grep -qx 'dts_eth_rx_packets_total{device=\"p0\"} 1000'"
curl -sf "$url" >"$work/metrics.txt"
tap_check "promtool check metrics accepts the exposition" \
	sh -c "promtool check metrics <'$work/metrics.txt' >'$work/promtool.log' 2>&1"
tap_check "forwarded packets: pf0hpf tx_packets 990" \
	grep -qx 'dts_eth_tx_packets_total{device="pf0hpf"} 990' "$work/metrics.txt"
tap_check "InfiniBand port counters with hca and port labels" \
	grep -q '^dts_ib_port_port_xmit_data_total{hca="mlx5_0",port="1"} ' "$work/metrics.txt"
# p0 is mlx5_0's uplink: its RDMA counters count the wire (data in 4-byte words).
tap_check "the uplink's IB counters follow its traffic: 1000 packets, 150120/4 words" \
	sh -c "grep -qx 'dts_ib_port_port_rcv_packets_total{hca=\"mlx5_0\",port=\"1\"} 1000' '$work/metrics.txt' &&
	       grep -qx 'dts_ib_port_port_rcv_data_total{hca=\"mlx5_0\",port=\"1\"} 37530' '$work/metrics.txt'"
tap_check "hwmon temperatures in degrees Celsius" \
	grep -qx 'dts_hwmon_temp_celsius{chip="asic",sensor="temp1"} 54' "$work/metrics.txt"
tap_check "self metrics: the device is reachable" grep -qx 'dts_device_reachable{device="sim:bf3-0,run-dir='"$run"'"} 1' "$work/metrics.txt"
curl -sf -H 'Accept: application/openmetrics-text' "$url" >"$work/om.txt"
tap_check "OpenMetrics when asked: # EOF last" test "$(tail -n1 "$work/om.txt")" = "# EOF"
tap_check "unknown paths: 404" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")" = 404

# A real Prometheus server scrapes us; PromQL over its HTTP API finds our series.
pport=$(free_port)
cat >"$work/prometheus.yml" <<EOF2
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: dts
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF2
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$work/prometheus.log" 2>&1 &
ppid=$!
query() {
	curl -sf "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1"
}
tap_wait 30 "Prometheus scraped us: up{job=\"dts\"} is 1" \
	sh -c "curl -sf 'http://127.0.0.1:$pport/api/v1/query' --data-urlencode 'query=up{job=\"dts\"}' | grep -q '\"value\":\[[0-9.]*,\"1\"\]'"
tap_wait 10 "PromQL: dts_eth_rx_packets_total{device=\"p0\"} is 1000" \
	sh -c "curl -sf 'http://127.0.0.1:$pport/api/v1/query' --data-urlencode 'query=dts_eth_rx_packets_total{device=\"p0\"}' | grep -q '\"value\":\[[0-9.]*,\"1000\"\]'"
query 'count(dts_eth_rx_packets_total)' >"$work/count.json"
tap_check "PromQL: one rx_packets series per port (6)" grep -q '"value":\[[0-9.]*,"6"\]' "$work/count.json"
kill "$ppid"
wait "$ppid" 2>/dev/null
ppid=""

# SIGHUP: a good change applies...
cat >>"$cfgdir/dts_config.ini" <<EOF2
prometheus-ignore-names=rx_packets
disable-provider=sysfs.hwmon
EOF2
kill -HUP "$dpid"
tap_wait 5 "reload: ignored names and disabled components are gone" \
	sh -c "! curl -sf '$url' | grep -q -e '^dts_eth_rx_packets_total' -e '^dts_hwmon'"
tap_check "reload: the rest stays" sh -c "curl -sf '$url' | grep -q '^dts_eth_tx_packets_total'"
# ... a broken file is refused with its line, and the running configuration stays.
cp "$cfgdir/dts_config.ini" "$work/good.ini"
printf 'update=fast\n' >>"$cfgdir/dts_config.ini"
kill -HUP "$dpid"
tap_wait 5 "reload of a bad file: the error names file, line and key" \
	grep -q "dts_config.ini:6: update: 'fast'" "$work/dts.log"
tap_check "reload of a bad file: still serving the previous configuration" \
	sh -c "curl -sf '$url' | grep -q '^dts_eth_tx_packets_total' && ! curl -sf '$url' | grep -q '^dts_hwmon'"
kill -TERM "$dpid"
wait "$dpid"
tap_check "SIGTERM: clean exit" test $? -eq 0
dpid=""
tap_check "SIGTERM: pid file removed" test ! -e "$work/telemetry/dpu-telemetry.pid"

# A bad file at start: exit 1 with the line. A missing one: the defaults.
"$dts" --config-dir "$cfgdir" --device "sim:bf3-0,run-dir=$run" 2>"$work/bad.log"
tap_check "a bad file at start: exit 1" test $? -eq 1
tap_check "a bad file at start: names the line" grep -q "dts_config.ini:6: update: 'fast'" "$work/bad.log"
rm "$cfgdir/dts_config.ini"
DPU_TELEMETRY="$dts" "$top_srcdir/src/telemetry/telemetry-init.sh" "$cfgdir" 2>"$work/init.log"
tap_check "telemetry-init.sh writes the defaults into an empty directory" \
	grep -qx 'prometheus=http://0.0.0.0:9100' "$cfgdir/dts_config.ini"
echo "update=333" >"$cfgdir/dts_config.ini"
DPU_TELEMETRY="$dts" "$top_srcdir/src/telemetry/telemetry-init.sh" "$cfgdir" 2>>"$work/init.log"
tap_check "telemetry-init.sh keeps an existing file" test "$(cat "$cfgdir/dts_config.ini")" = "update=333"
tap_done
