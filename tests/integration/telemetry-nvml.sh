#!/bin/sh
# The GPU providers (nvidia-smi, dcgm) on NVML, loaded with dlopen. Where
# NVIDIA's driver is absent (libnvidia-ml.so.1 not loadable), dpu-telemetry
# runs on, says so once in its log and reports dts_nvml_up 0 for each; with
# a GPU, the values equal what nvidia-smi reads (memory, name, UUID exactly;
# temperature, power and clocks read a moment apart, within a margin), and
# follow a known load (tests/helpers/gpu-load: memory held, a kernel on
# every SM) up and back down. Then, on every machine, the same against a
# stand-in NVML (tests/helpers/fake-nvml.c, loaded through LD_LIBRARY_PATH
# as libnvidia-ml.so.1): each query under its name, unit and GPU exactly,
# a driver without the v2 memory query, a driver that does not load.
set -u
. "$top_srcdir/tests/tap.sh"

dts="$top_builddir/src/telemetry/dpu-telemetry"
work=$(mktemp -d)
pid=""
load=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$load" ] && kill -9 "$load" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port/metrics"
compare="/usr/bin/python3 $top_srcdir/tests/helpers/nvml-compare.py"
mkdir -p "$work/config"
printf 'update=100\nprometheus=http://127.0.0.1:%s\nenable-provider=nvidia-smi\nenable-provider=dcgm\n' \
	"$port" >"$work/config/dts_config.ini"
"$dts" --config-dir "$work/config" --device "sim:none,run-dir=$work/nosim" 2>"$work/dts.log" &
pid=$!
tap_wait 10 "dpu-telemetry up with nvidia-smi and dcgm enabled" sh -c "curl -sf '$url' | grep -q '^dts_nvml_up'"
sleep 0.5 # several collection cycles
curl -sf "$url" >"$work/m.txt"

if ! /usr/bin/python3 -c 'import ctypes; ctypes.CDLL("libnvidia-ml.so.1")' 2>/dev/null; then
	tap_check "no NVML here: dts_nvml_up 0 for both providers" \
		sh -c "grep -qx 'dts_nvml_up{provider=\"nvidia-smi\"} 0' '$work/m.txt' && grep -qx 'dts_nvml_up{provider=\"dcgm\"} 0' '$work/m.txt'"
	tap_check "no GPU series" sh -c "! grep -q '^dts_nvidia_smi_\|^DCGM_FI_' '$work/m.txt'"
	tap_check "said once in the log, with the reason, over several cycles" \
		test "$(grep -c 'NVML unavailable: libnvidia-ml.so.1 not loaded' "$work/dts.log")" -eq 1
	tap_skip "GPU values against nvidia-smi" "no NVIDIA driver on this machine (libnvidia-ml.so.1 absent); checked where a GPU is"
else
	tap_check "NVML here: dts_nvml_up 1 for both providers" \
		sh -c "grep -qx 'dts_nvml_up{provider=\"nvidia-smi\"} 1' '$work/m.txt' && grep -qx 'dts_nvml_up{provider=\"dcgm\"} 1' '$work/m.txt'"
	# The fields this nvidia-smi knows (memory.reserved came with R510).
	fields=index,uuid,name,memory.total
	for f in memory.used memory.free memory.reserved temperature.gpu power.draw clocks.sm \
		clocks.mem clocks.gr fan.speed utilization.gpu; do
		nvidia-smi --help-query-gpu | grep '^"' | grep -qF "\"$f\"" && fields="$fields,$f"
	done
	smi() { nvidia-smi --query-gpu="$fields" --format=csv,noheader,nounits >"$work/$1"; }
	smi smi0.csv
	curl -sf "$url" >"$work/m0.txt"
	$compare idle "$work/m0.txt" "$work/smi0.csv" "$fields" >"$work/check.txt"
	tap_check "every GPU as nvidia-smi reads it: memory total/used/free/reserved, UUID, name, temperature, power, memory clock; a series exactly where nvidia-smi has a value; dcgm's the same ($(cat "$work/check.txt"))" \
		test "$(cat "$work/check.txt")" = ok

	# A known load: 4 GiB held and a kernel on every SM, back to back.
	"$top_builddir/tests/helpers/gpu-load" --mib 4096 --seconds 30 >"$work/load.out" 2>&1 &
	load=$!
	tap_wait 30 "gpu-load holds 4 GiB and runs its kernel" grep -q '^ready' "$work/load.out" ||
		sed 's/^/# /' "$work/load.out"
	sleep 2 # NVML's utilization covers the last sample period (up to 1 s)
	ta=$(date +%s.%N)
	curl -sf "$url" >"$work/ma.txt"
	sleep 4 # the energy counter is read once a second: a window of several
	tb=$(date +%s.%N)
	curl -sf "$url" >"$work/mb.txt"
	smi smi1.csv
	secs=$(echo "$tb $ta" | awk '{print $1 - $2}')
	$compare load "$work/m0.txt" "$work/ma.txt" "$work/mb.txt" "$work/smi1.csv" "$fields" 4096 "$secs" \
		>"$work/check.txt"
	tap_check "under load: memory used up by 4 GiB and equal to nvidia-smi's, utilization >= 90 % in both providers, energy rate matches power draw ($(cat "$work/check.txt"))" \
		test "$(cat "$work/check.txt")" = ok
	kill "$load"
	wait "$load"
	tap_check "gpu-load ends on SIGTERM" test $? -eq 0
	load=""
	sleep 0.5
	curl -sf "$url" >"$work/m2.txt"
	smi smi2.csv
	$compare after "$work/m0.txt" "$work/m2.txt" "$work/smi2.csv" "$fields" >"$work/check.txt"
	tap_check "after the load: memory used back where it was, as nvidia-smi says ($(cat "$work/check.txt"))" \
		test "$(cat "$work/check.txt")" = ok
fi
# promtool_ok PAGE: promtool accepts it. dcgm-exporter's own names are what
# its style lint flags (labels UUID and modelName; the energy counter has no
# _total): those notes alone may come, parse errors or anything else fail.
promtool_ok() {
	promtool check metrics <"$1" >"$1.promtool" 2>&1
	case $? in
	0) return 0 ;;
	3) ! grep -v '^DCGM_FI_[A-Z_]* \(label names should be written in .snake_case. not .camelCase.\|counter metrics should have "_total" suffix\)$' "$1.promtool" | grep -q . ;;
	*) return 1 ;;
	esac
}
tap_check "promtool accepts the exposition (style notes only on dcgm-exporter's names)" \
	promtool_ok "$work/m.txt"
kill "$pid"
wait "$pid"
tap_check "dpu-telemetry stops cleanly" test $? -eq 0
pid=""

# The stand-in NVML, two GPUs of fixed readings.
mkdir -p "$work/fake"
ln -s "$top_builddir/tests/helpers/.libs/libfakenvml.so" "$work/fake/libnvidia-ml.so.1"
# fake_page VARIANT: dpu-telemetry on the stand-in; its page in fake-VARIANT.txt
fake_page() {
	FAKE_NVML=$1 LD_LIBRARY_PATH="$work/fake" "$dts" --config-dir "$work/config" \
		--device "sim:none,run-dir=$work/nosim" 2>"$work/fake-$1.log" &
	pid=$!
	tap_wait 10 "stand-in NVML ($1): dpu-telemetry up" sh -c "curl -sf '$url' | grep -q '^dts_nvml_up'"
	sleep 0.3 # several collection cycles
	curl -sf "$url" >"$work/fake-$1.txt"
	kill "$pid"
	wait "$pid"
	tap_check "stand-in NVML ($1): dpu-telemetry stops cleanly" test $? -eq 0
	pid=""
}
fake_page default
tap_check "stand-in NVML: dts_nvml_up 1 for both providers" \
	sh -c "grep -qx 'dts_nvml_up{provider=\"nvidia-smi\"} 1' '$work/fake-default.txt' && grep -qx 'dts_nvml_up{provider=\"dcgm\"} 1' '$work/fake-default.txt'"
$compare fake "$work/fake-default.txt" default >"$work/check.txt"
tap_check "stand-in NVML: every reading of both GPUs under its nvidia-smi and DCGM name, unit and labels; memory from the v2 query (reservation apart); no fan (not supported), nothing else ($(cat "$work/check.txt"))" \
	test "$(cat "$work/check.txt")" = ok
tap_check "stand-in NVML: promtool accepts the page" promtool_ok "$work/fake-default.txt"
fake_page no-v2
$compare fake "$work/fake-no-v2.txt" no-v2 >"$work/check.txt"
tap_check "stand-in NVML without nvmlDeviceGetMemoryInfo_v2 (drivers before R510): memory from version 1, no reserved series ($(cat "$work/check.txt"))" \
	test "$(cat "$work/check.txt")" = ok
fake_page init-fails
tap_check "stand-in NVML whose nvmlInit fails: dts_nvml_up 0 for both, no GPU series" \
	sh -c "grep -qx 'dts_nvml_up{provider=\"nvidia-smi\"} 0' '$work/fake-init-fails.txt' && grep -qx 'dts_nvml_up{provider=\"dcgm\"} 0' '$work/fake-init-fails.txt' && ! grep -q '^dts_nvidia_smi_\\|^DCGM_FI_' '$work/fake-init-fails.txt'"
tap_check "stand-in NVML whose nvmlInit fails: the driver's reason in the log, once" \
	test "$(grep -c 'NVML unavailable: nvmlInit: Driver Not Loaded; not collected' "$work/fake-init-fails.log")" -eq 1
tap_done
