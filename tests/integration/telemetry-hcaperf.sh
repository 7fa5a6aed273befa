#!/bin/sh
# The HCA's performance counters: the device's diagnostic counters, read by
# dpu-telemetry's hcaperf provider (one sample per query) and sampled at a
# high rate by dpu-ngauge. A capture replayed into dpu-simd's p0 at a fixed
# rate moves them: ngauge's samples come a period apart with the replay's
# rate between them; once the replay stops, hcaperf's rx_steering_packets and
# tx_packets equal the sums of the ports' counters the sysfs provider
# reports. While ngauge holds the device's one sampling set-up, hcaperf says
# so once and reports up 0, then takes it back. The device refuses what it
# does not offer, naming the field.
set -u
. "$top_srcdir/tests/tap.sh"

simd="$top_builddir/sim/simd/dpu-simd"
if [ ! -x "$simd" ]; then
	tap_skip "hcaperf" "dpu-simd is not built (it needs DPDK)"
	tap_done
	exit 0
fi
ctl="$top_builddir/sim/simd/dpu-simctl"
dts="$top_builddir/src/telemetry/dpu-telemetry"
ngauge="$top_builddir/src/telemetry/dpu-ngauge"
pcap="$top_srcdir/fixtures/pcap/mixed.pcap"
work=$(mktemp -d)
run="$work/run"
dev="sim:bf3,run-dir=$run"
pid="" dpid="" epid=""
cleanup() {
	for p in $dpid $epid $pid; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

"$simd" --device "$top_srcdir/fixtures/devices/bf3.yaml" --run-dir "$run" 2>"$work/simd.log" &
pid=$!
tap_wait 10 "dpu-simd up" test -S "$run/simd.sock"

tap_check "dpu-ngauge --list: the counters the device offers" \
	sh -c "'$ngauge' -d '$dev' --list | grep -q '^0x1001,rx_steering_packets$'"

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port/metrics"
mkdir -p "$work/dts"
printf 'update=100\nprometheus=http://127.0.0.1:%s\nenable-provider=hcaperf\n' "$port" \
	>"$work/dts/dts_config.ini"
"$dts" --config-dir "$work/dts" --device "$dev" 2>"$work/dts.log" &
dpid=$!
tap_wait 10 "dpu-telemetry reads the diagnostic counters (hcaperf up)" \
	sh -c "curl -sf '$url' | grep -q '^dts_hcaperf_up{hca=\"mlx5_0\"} 1'"
tap_check "one series per counter the device offers" \
	test "$(curl -sf "$url" | grep -c '^dts_hcaperf_.*_total{hca="mlx5_0"}')" -eq 5

# Traffic at 2000 frames/s for the samples.
"$ctl" -r "$run" replay "$pcap" --port p0 --pps 2000 --loop 0 --no-wait >/dev/null
sleep 0.3
tap_check "dpu-ngauge: 100 samples 2 ms apart of rx_steering_packets and tx_packets" \
	sh -c "'$ngauge' -d '$dev' --period-us 2000 --samples 100 --counters 0x1001,0x2006 >'$work/ng.csv' 2>'$work/ng.err'"
tap_wait 5 "hcaperf stepped aside while dpu-ngauge held the counters, and said so once" \
	sh -c "[ \$(grep -c 'set up by another user' '$work/dts.log') -eq 1 ]"
/usr/bin/python3 - "$work/ng.csv" >"$work/ng.check" 2>&1 <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 200, len(rows)
rx = [r for r in rows if r["counter"] == "rx_steering_packets"]
assert [int(r["sample"]) for r in rx] == list(range(100)), "sample ids"
t = [float(r["time_us"]) for r in rx]
gaps = [b - a for a, b in zip(t, t[1:])]
# 2000 us rounds up to 2^21 clocks of 1 ns: 2097 us.
assert 1900 < statistics.median(gaps) < 2400, statistics.median(gaps)
rates = [float(r["rate_per_s"]) for r in rx[1:]]
med = statistics.median(rates)
assert 1600 < med < 2400, med
v = [int(r["value"]) for r in rx]
assert all(b >= a for a, b in zip(v, v[1:])), "not monotonic"
print("median gap %.0f us, median rate %.0f/s" % (statistics.median(gaps), med))
PY
tap_check "samples a period apart, counting the replay's rate ($(tail -1 "$work/ng.check"))" \
	grep -q '^median gap' "$work/ng.check"
tap_wait 5 "hcaperf takes the counters back after dpu-ngauge" \
	sh -c "curl -sf '$url' | grep -q '^dts_hcaperf_up{hca=\"mlx5_0\"} 1'"

"$ctl" -r "$run" replay-stop
sleep 0.5
# The ports' counters (sysfs, published every 200 ms) and a sample, from one page:
# "rx hcaperf_rx tx hcaperf_tx".
cat >"$work/sums.awk" <<'AWK'
$1 ~ /^dts_eth_rx_packets_total[{]/ { rx += $2 }
$1 ~ /^dts_eth_tx_packets_total[{]/ { tx += $2 }
$1 ~ /^dts_hcaperf_rx_steering_packets_total[{]/ { hrx = $2 }
$1 ~ /^dts_hcaperf_tx_packets_total[{]/ { htx = $2 }
END { printf "%d %d %d %d\n", rx, hrx, tx, htx }
AWK
sums() { curl -sf "$url" | awk -f "$work/sums.awk"; }
equal() {
	set -- $(sums)
	[ "$1" -gt 0 ] && [ "$1" = "$2" ] && [ "$3" = "$4" ]
}
tap_wait 5 "rx_steering_packets and tx_packets equal the sums of the ports' rx and tx packets" equal
tap_check "(rx, hcaperf rx, tx, hcaperf tx: $(sums))" equal

# Inbound PCIe data: what a host function sends (a replay into pf0hpf).
"$ctl" -r "$run" replay "$pcap" --port pf0hpf --top-speed --loop 1 >/dev/null
cat >"$work/pcie.awk" <<'AWK'
$1 ~ /^dts_eth_rx_bytes_total[{]/ && $1 !~ /"p[01]"/ { b += $2 }
$1 ~ /^dts_hcaperf_rx_128b_data_total[{]/ { h = $2 }
END { printf "%d %d\n", int(b / 128), h }
AWK
pcie() {
	set -- $(curl -sf "$url" | awk -f "$work/pcie.awk")
	[ "$1" -gt 0 ] && [ "$1" = "$2" ]
}
tap_wait 5 "rx_128b_data: the host functions' bytes in 128-byte units" pcie
tap_check "(host functions' rx bytes / 128, rx_128b_data: $(curl -sf "$url" | awk -f "$work/pcie.awk"))" pcie
rx_final=$(sums | cut -d' ' -f2)

tap_check "dpu-ngauge refuses a counter the device does not offer, naming it" \
	sh -c "! '$ngauge' -d '$dev' --counters 0x1001,0x9999 2>'$work/err' >/dev/null && grep -q 'counter_id\[1\] 0x9999' '$work/err'"
tap_check "and more samples than the device keeps" \
	sh -c "! '$ngauge' -d '$dev' --samples 5000 2>/dev/null >/dev/null"
# A run cut short leaves the set-up enabled: hcaperf waits; --stop frees it.
"$ngauge" -d "$dev" --period-us 100000 --samples 50 >/dev/null 2>&1 &
ngp=$!
tap_wait 5 "a long dpu-ngauge run holds the counters" \
	sh -c "curl -sf '$url' | grep -q '^dts_hcaperf_up{hca=\"mlx5_0\"} 0'"
kill -9 "$ngp"
wait "$ngp" 2>/dev/null
sleep 0.3
tap_check "killed, it still holds them" \
	sh -c "curl -sf '$url' | grep -q '^dts_hcaperf_up{hca=\"mlx5_0\"} 0'"
tap_check "dpu-ngauge --stop" "$ngauge" -d "$dev" --stop
tap_wait 5 "hcaperf takes them back" \
	sh -c "curl -sf '$url' | grep -q '^dts_hcaperf_up{hca=\"mlx5_0\"} 1'"
curl -sf "$url" >"$work/page.txt"
if command -v promtool >/dev/null 2>&1; then
	tap_check "promtool check metrics accepts the page" sh -c "promtool check metrics <'$work/page.txt'"
fi
kill "$dpid"
wait "$dpid"
dpid=""

# grc.hcaperf: dpu-dpe reads the counters for a containerised dpu-telemetry.
mkdir -p "$work/grc"
printf 'update=100\nprometheus=http://127.0.0.1:%s\nenable-provider=grc.hcaperf\ndpe-socket=%s\n' \
	"$port" "$work/dpe.sock" >"$work/grc/dts_config.ini"
"$top_builddir/src/telemetry/dpu-dpe" --socket "$work/dpe.sock" --device "$dev" 2>"$work/dpe.log" &
epid=$!
"$dts" --config-dir "$work/grc" --device "sim:none,run-dir=$work/nosim" 2>"$work/dts-grc.log" &
dpid=$!
tap_wait 10 "grc.hcaperf: the counters through dpu-dpe" \
	sh -c "curl -sf '$url' | grep -q '^dts_grc_up{provider=\"hcaperf\"} 1'"
tap_check "rx_steering_packets as read directly ($rx_final)" \
	test "$(curl -sf "$url" | awk '$1 ~ /^dts_hcaperf_rx_steering_packets_total/ { print $2 }')" = "$rx_final"
kill "$dpid" "$epid"
wait "$dpid" "$epid"
dpid="" epid=""

# A device without diagnostic counters: up 0, said once.
"$dts" --config-dir "$work/dts" --device "bluefield:0000:03:00.0,sysfs=$run/sys" \
	2>"$work/dts-bf.log" &
dpid=$!
tap_wait 10 "a device without fwctl: dts_hcaperf_up 0" \
	sh -c "curl -sf '$url' | grep -q '^dts_hcaperf_up{hca=\"mlx5_0\"} 0'"
sleep 0.5
tap_check "said once" test "$(grep -c 'diagnostic counters:' "$work/dts-bf.log")" -eq 1
kill "$dpid"
wait "$dpid"
dpid=""

kill "$pid"
wait "$pid"
tap_check "dpu-simd stops cleanly" test $? -eq 0
pid=""
tap_done
