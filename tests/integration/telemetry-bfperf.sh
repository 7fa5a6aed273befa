#!/bin/sh
# The bfperf provider: per-CPU counters from perf_event_open. Context
# switches summed over the CPUs move as the kernel's own count in /proc/stat
# (ctxt) does while two processes ping-pong over pipes; page faults grow by
# at least the pages a process touches; each CPU's clock runs at wall-clock
# speed. Hardware counters where the CPU has a PMU the kernel exposes;
# without enable-provider=bfperf, no series.
set -u
. "$top_srcdir/tests/tap.sh"

if [ "$(id -u)" -ne 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 3)" -gt 0 ]; then
	tap_skip "bfperf" "system-wide perf events need root or kernel.perf_event_paranoid <= 0"
	tap_done
	exit $?
fi
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
mkdir -p "$work/on" "$work/off"
printf 'update=100\nprometheus=http://127.0.0.1:%s\n' "$port" >"$work/off/dts_config.ini"
printf 'update=100\nprometheus=http://127.0.0.1:%s\nenable-provider=bfperf\n' "$port" >"$work/on/dts_config.ini"

"$dts" --config-dir "$work/off" --device "sim:none,run-dir=$work/nosim" 2>"$work/off.log" &
pid=$!
tap_wait 10 "dpu-telemetry up without bfperf" sh -c "curl -sf '$url' >/dev/null"
tap_check "no bfperf series unless enabled" sh -c "! curl -sf '$url' | grep -q '^dts_bfperf_'"
kill "$pid"
wait "$pid"
pid=""

"$dts" --config-dir "$work/on" --device "sim:none,run-dir=$work/nosim" 2>"$work/on.log" &
pid=$!
tap_wait 10 "with enable-provider=bfperf: per-CPU series" \
	sh -c "curl -sf '$url' | grep -q '^dts_bfperf_context_switches_total{cpu=\"0\"}'"
ncpu=$(grep -c '^processor' /proc/cpuinfo)
# Sums over the CPUs, taken after a collection cycle.
snap() {
	sleep 0.25
	curl -sf "$url" | awk -v f="$1" '$1 ~ "^" f "{" { s += $2 } END { printf "%.0f\n", s }'
}
ctxt() { awk '$1 == "ctxt" { print $2 }' /proc/stat; }

tap_check "one series per online CPU ($ncpu)" \
	test "$(curl -sf "$url" | grep -c '^dts_bfperf_cpu_clock_seconds_total{')" -eq "$ncpu"
k1=$(ctxt)
b1=$(snap dts_bfperf_context_switches_total)
/usr/bin/python3 -c '
import os
r1, w1 = os.pipe(); r2, w2 = os.pipe()
if os.fork() == 0:
    for _ in range(20000):
        os.read(r1, 1); os.write(w2, b"x")
    os._exit(0)
for _ in range(20000):
    os.write(w1, b"x"); os.read(r2, 1)
os.wait()'
k2=$(ctxt)
b2=$(snap dts_bfperf_context_switches_total)
dk=$((k2 - k1))
db=$((b2 - b1))
tap_check "context switches: 40000 ping-pongs counted ($db), as /proc/stat says ($dk) within 10 %" \
	/usr/bin/python3 -c "import sys; db, dk = $db, $dk; sys.exit(0 if db >= 40000 and abs(db - dk) <= dk / 10 else 1)"

p1=$(snap dts_bfperf_page_faults_total)
/usr/bin/python3 -c '
import mmap
m = mmap.mmap(-1, 100 << 20)
for i in range(0, 100 << 20, 4096):
    m[i] = 1'
p2=$(snap dts_bfperf_page_faults_total)
tap_check "page faults: at least the 25600 pages touched ($((p2 - p1)))" test $((p2 - p1)) -ge 25600

c1=$(curl -sf "$url" | sed -n 's/^dts_bfperf_cpu_clock_seconds_total{cpu="0"} //p')
sleep 2
c2=$(curl -sf "$url" | sed -n 's/^dts_bfperf_cpu_clock_seconds_total{cpu="0"} //p')
tap_check "cpu 0's clock ran 2 s in 2 s (+-0.25: $c1 -> $c2)" \
	/usr/bin/python3 -c "import sys; d = $c2 - $c1; sys.exit(0 if 1.75 <= d <= 2.25 else 1)"

# Whether the kernel opens a cycles counter on CPU 0 (perf_event_open, by hand).
pmu=$(/usr/bin/python3 -c '
import ctypes, os, platform, struct
nr = {"x86_64": 298, "aarch64": 241}.get(platform.machine())
libc = ctypes.CDLL(None, use_errno=True)
attr = ctypes.create_string_buffer(struct.pack("<IIQ", 0, 64, 0) + bytes(48))  # HARDWARE, CPU_CYCLES
fd = libc.syscall(nr, attr, -1, 0, -1, 0) if nr else -1
print("yes" if fd >= 0 else "no")
if fd >= 0: os.close(fd)')
if [ "$pmu" = yes ]; then
	tap_check "a PMU here: cycles and instructions per CPU" \
		sh -c "curl -sf '$url' | grep -q '^dts_bfperf_cycles_total{cpu=\"0\"}' && curl -sf '$url' | grep -q '^dts_bfperf_instructions_total{cpu=\"0\"}'"
else
	tap_check "no PMU here: said once, software counters only" \
		test "$(grep -c 'no hardware counters' "$work/on.log")" -eq 1
	tap_skip "hardware counters per CPU" "this machine's CPU has no PMU the kernel exposes (perf_event_open of cycles: ENOENT)"
fi
tap_check "promtool accepts the exposition" sh -c "curl -sf '$url' | promtool check metrics >/dev/null 2>&1"
kill "$pid"
wait "$pid"
tap_check "dpu-telemetry stops cleanly" test $? -eq 0
pid=""
tap_done
