#!/bin/sh
# The GPU providers' cost (docs/performance.md): dpu-telemetry at
# update=100 with no device behind it, with no GPU provider, nvidia-smi,
# dcgm and both; the collection cycle's time (50 readings of
# dts_collection_duration_seconds 0.2 s apart) and the CPU ticks the process
# used meanwhile. Where pynvml is there, each NVML query's own time too.
# Without NVIDIA's driver it says so and stops.
#
#   bench-nvml.sh BUILDDIR
set -u
dts="$1/src/telemetry/dpu-telemetry"
if ! /usr/bin/python3 -c 'import ctypes; ctypes.CDLL("libnvidia-ml.so.1")' 2>/dev/null; then
	echo "bench-nvml: skipped, no NVIDIA driver here (libnvidia-ml.so.1 absent)"
	exit 0
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
for providers in "" "nvidia-smi" "dcgm" "nvidia-smi dcgm"; do
	w=$(mktemp -d)
	mkdir -p "$w/config"
	port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	{
		printf 'update=100\nprometheus=http://127.0.0.1:%s\n' "$port"
		for p in $providers; do echo "enable-provider=$p"; done
	} >"$w/config/dts_config.ini"
	"$dts" --config-dir "$w/config" --device "sim:none,run-dir=$w/nosim" 2>"$w/log" &
	pid=$!
	sleep 2
	t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	for i in $(seq 50); do
		curl -sf "http://127.0.0.1:$port/metrics" | sed -n 's/^dts_collection_duration_seconds //p'
		sleep 0.2
	done >"$w/cycles"
	t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	series=$(curl -sf "http://127.0.0.1:$port/metrics" | grep -c '^dts_nvidia_smi_\|^DCGM_FI_')
	/usr/bin/python3 - "$w/cycles" "$((t1 - t0))" "${providers:-none}" "$series" <<'PY'
import statistics, sys
d = sorted(float(x) * 1e3 for x in open(sys.argv[1]) if x.strip())
print(f"providers {sys.argv[3]:16s} series {sys.argv[4]:>3s}  cycle median {statistics.median(d):.3f} ms"
      f"  p95 {d[int(len(d) * 0.95) - 1]:.3f} ms  max {d[-1]:.3f} ms  CPU {sys.argv[2]} ticks in ~10.5 s")
PY
	kill "$pid"
	wait "$pid" 2>/dev/null
	rm -rf "$w"
done
python3 - <<'PY' 2>/dev/null || echo "bench-nvml: no pynvml, no per-query times"
import time, pynvml as n
n.nvmlInit()
h = n.nvmlDeviceGetHandleByIndex(0)
calls = {
    "temperature": lambda: n.nvmlDeviceGetTemperature(h, 0),
    "power": lambda: n.nvmlDeviceGetPowerUsage(h),
    "utilization": lambda: n.nvmlDeviceGetUtilizationRates(h),
    "memory_v2": lambda: n.nvmlDeviceGetMemoryInfo(h, version=n.nvmlMemory_v2),
    "clock_sm": lambda: n.nvmlDeviceGetClockInfo(h, 1),
    "energy": lambda: n.nvmlDeviceGetTotalEnergyConsumption(h),
}
for name, f in calls.items():
    ts = []
    for _ in range(50):
        t = time.perf_counter()
        try:
            f()
        except n.NVMLError:
            pass
        ts.append(time.perf_counter() - t)
    ts.sort()
    print(f"NVML {name:12s} median {ts[25] * 1e6:9.1f} us  max {ts[-1] * 1e6:9.1f} us")
PY
