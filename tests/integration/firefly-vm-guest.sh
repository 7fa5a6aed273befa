#!/bin/sh
# Inside a dpu-vm guest (see firefly-vm.sh): VM_INDEX 0 is a linuxptp
# grandmaster; VM_INDEX 1 sets its own clock 1 s ahead and runs dpu-firefly
# (a real slave: ptp4l steps and steers this guest's clock), then records the
# offsets from the monitor's TCP port into $VM_RESULTS/slave.json.
# Set by the wrapper: FF (dpu-firefly), RUN_S (seconds to record after the
# port reaches SLAVE), CONVERGE_S (seconds allowed to reach SLAVE).
set -u
# Both guests first take the host's clock (to a few ms): the mtime the host
# gives a file created in the shared results folder. Guests boot with their
# clocks from the emulated RTC, whole seconds apart.
/usr/bin/python3 - "$VM_RESULTS/.clock-$VM_INDEX" <<'PY'
import os, sys, time
t0 = time.monotonic_ns()
open(sys.argv[1], "w").close()
host_ns = os.stat(sys.argv[1]).st_mtime_ns
now = host_ns + (time.monotonic_ns() - t0) // 2
time.clock_settime_ns(time.CLOCK_REALTIME, now)
PY
ip link set eth0 up
ip addr add "10.99.0.$((VM_INDEX + 1))/24" dev eth0

cat >/tmp/fast.cfg <<EOF
[global]
logAnnounceInterval -1
logSyncInterval -2
logMinDelayReqInterval -2
EOF

if [ "$VM_INDEX" -eq 0 ]; then
	cat >>/tmp/fast.cfg <<EOF
priority1 10
time_stamping software
[eth0]
EOF
	ptp4l -f /tmp/fast.cfg -m >"$VM_RESULTS/gm.ptp4l.log" 2>&1 &
	# Serve until the slave has its figures (or could not have them any more).
	end=$(($(date +%s) + CONVERGE_S + RUN_S + 30))
	while [ ! -e "$VM_RESULTS/slave.json" ] && [ "$(date +%s)" -lt "$end" ]; do
		sleep 1
	done
	kill %1
	exit 0
fi

# The slave: start 1 s ahead of the grandmaster's clock.
/usr/bin/python3 -c 'import time; time.clock_settime(time.CLOCK_REALTIME, time.clock_gettime(time.CLOCK_REALTIME) + 1.0)'
"$FF" -i eth0 -f /tmp/fast.cfg -s MONITOR_STATE=enable -s MONITOR_INTERVAL_MS=100 \
	-s FIREFLY_TELEMETRY=0 -r /run/ff -l debug 2>"$VM_RESULTS/slave.firefly.log" &
ffpid=$!
/usr/bin/python3 - "$CONVERGE_S" "$RUN_S" "$VM_RESULTS/slave.json" <<'PY'
import json, socket, sys, time
converge_s, run_s, out = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]

def blocks():
    """Monitor blocks from the TCP port, as they come."""
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", 25600), timeout=5)
            break
        except OSError:
            time.sleep(0.1)
    buf = b""
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        if not d:
            return
        buf += d
        while b"\n\n" in buf:
            block, buf = buf.split(b"\n\n", 1)
            yield dict(l.split(": ", 1) for l in block.decode().splitlines() if ": " in l)

start = time.monotonic()
first = None        # the first offset measured (expected about +1 s)
slave_at = None
seen = set()
offsets = []        # |offset| per sync after the port reached SLAVE
states = []
for v in blocks():
    if time.monotonic() - start > converge_s + run_s:
        break
    if v.get("port_state") in (None, "NO_PTP4L"):
        continue
    if not states or states[-1] != v["port_state"]:
        states.append(v["port_state"])
    ing = v.get("ingress_time", "0")
    if ing == "0" or ing in seen:
        continue
    seen.add(ing)
    off = int(v["offsetFromMaster"])
    # ptp4l reports 0 until it has a measurement: the first other value.
    if first is None and off != 0:
        first = off
    if v["port_state"] == "SLAVE" and slave_at is None:
        slave_at = time.monotonic() - start
    if slave_at is not None:
        offsets.append(abs(off))
        if time.monotonic() - start > slave_at + run_s:
            break
    elif time.monotonic() - start > converge_s:
        break
offsets.sort()
pct = lambda p: offsets[min(len(offsets) - 1, int(p * len(offsets)))] if offsets else None
json.dump({"first_offset_ns": first, "slave_after_s": slave_at, "states": states,
           "samples": len(offsets), "median_abs_offset_ns": pct(0.5),
           "p95_abs_offset_ns": pct(0.95), "p99_abs_offset_ns": pct(0.99),
           "max_abs_offset_ns": offsets[-1] if offsets else None},
          open(out, "w"))
PY
kill "$ffpid"
wait "$ffpid"
