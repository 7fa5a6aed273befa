#!/bin/sh
# The GPU providers (nvidia-smi, dcgm) on NVML, loaded with dlopen. Where
# NVIDIA's driver is absent (libnvidia-ml.so.1 not loadable), dpu-telemetry
# runs on, says so once in its log and reports dts_nvml_up 0 for each; with
# a GPU, the values equal what nvidia-smi reads (memory, name, UUID exactly;
# temperature within 3 degrees, read a moment apart).
set -u
. "$top_srcdir/tests/tap.sh"

dts="$top_builddir/src/telemetry/dpu-telemetry"
work=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port/metrics"
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
	nvidia-smi --query-gpu=index,uuid,name,memory.total,temperature.gpu --format=csv,noheader,nounits \
		>"$work/smi.csv"
	/usr/bin/python3 - "$work" >"$work/check.txt" <<'PY'
import csv, re, sys
w = sys.argv[1]
text = open(f"{w}/m.txt").read()
def val(family, gpu):
    m = re.search(r'^%s\{gpu="%s",uuid="([^"]*)",name="([^"]*)"\} (\S+)$' % (family, gpu), text, re.M)
    return (m.group(1), m.group(2), float(m.group(3))) if m else None
bad = []
for row in csv.reader(open(f"{w}/smi.csv"), skipinitialspace=True):
    idx, uuid, name, mem, temp = row
    got = val("dts_nvidia_smi_memory_total_bytes", idx)
    if got is None or got[0] != uuid or got[1] != name or got[2] != int(mem) * 2**20:
        bad.append(f"gpu {idx} memory/uuid/name: {got} vs {uuid} {name} {mem} MiB")
    t = val("dts_nvidia_smi_temperature_gpu", idx)
    if t is None or abs(t[2] - float(temp)) > 3:
        bad.append(f"gpu {idx} temperature: {t} vs {temp}")
    if not re.search(r'^DCGM_FI_DEV_GPU_TEMP\{gpu="%s",UUID="%s",' % (idx, re.escape(uuid)), text, re.M):
        bad.append(f"gpu {idx}: no DCGM_FI_DEV_GPU_TEMP")
print("ok" if not bad else "; ".join(bad))
PY
	tap_check "every GPU: memory, UUID, name, temperature as nvidia-smi reads them ($(cat "$work/check.txt"))" \
		test "$(cat "$work/check.txt")" = ok
fi
tap_check "promtool accepts the exposition" sh -c "promtool check metrics <'$work/m.txt' >/dev/null 2>&1"
kill "$pid"
wait "$pid"
tap_check "dpu-telemetry stops cleanly" test $? -eq 0
pid=""
tap_done
