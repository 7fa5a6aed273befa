#!/usr/bin/python3
# Compare dpu-firefly's PTP monitor with linuxptp's own pmc, queried at the
# same moment: pmc (A), a fresh monitor block (one published after we
# connected), pmc again (B). When A and B agree, nothing changed in ptp4l
# while the monitor took its block, so the monitor must agree with them.
# Tries until such a quiet window is found.
#
#   ff-compare.py UDS_PATH MONITOR_PORT [TRIES]
#
# Prints one JSON object: {"compared": true, "pmc": {...}, "monitor": {...},
# "mismatch": [...]} and exits 0 when the values agree, 1 otherwise.
import json
import os
import socket
import subprocess
import sys

uds, port = sys.argv[1], int(sys.argv[2])
tries = int(sys.argv[3]) if len(sys.argv) > 3 else 30
own = "/tmp/ff-compare-%d.sock" % os.getpid()


def pmc():
    out = subprocess.run(
        ["pmc", "-u", "-b", "0", "-s", uds, "-i", own,
         "GET CURRENT_DATA_SET", "GET PARENT_DATA_SET", "GET PORT_DATA_SET",
         "GET TIME_STATUS_NP"],
        capture_output=True, text=True, timeout=10).stdout
    v = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2:
            v[parts[0]] = parts[1]
    if "offsetFromMaster" not in v or "ingress_time" not in v:
        return None
    return {
        "stepsRemoved": int(v["stepsRemoved"]),
        "offsetFromMaster": round(float(v["offsetFromMaster"])),
        "meanPathDelay": round(float(v["meanPathDelay"])),
        "port_state": v["portState"],
        "gmIdentity": v["grandmasterIdentity"],
        "grandmasterPriority1": int(v["grandmasterPriority1"]),
        "gmClockClass": int(v["gm.ClockClass"]),
        "ingress_time": int(v["ingress_time"]),
        "gmPresent": v["gmPresent"],
    }


def monitor_block():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    data = b""
    # The first block is the last one published; wait for the next.
    while data.count(b"\n\n") < 2:
        chunk = s.recv(8192)
        if not chunk:
            break
        data += chunk
    s.close()
    block = data.split(b"\n\n")[1].decode()
    v = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
    return {
        "stepsRemoved": int(v["stepsRemoved"]),
        "offsetFromMaster": int(v["offsetFromMaster"]),
        "meanPathDelay": int(v["meanPathDelay"]),
        "port_state": v["port_state"],
        "gmIdentity": v["gmIdentity"],
        "grandmasterPriority1": int(v["grandmasterPriority1"]),
        "gmClockClass": int(v["gmClockClass"]),
        "ingress_time": int(v["ingress_time"]),
        "gmPresent": v["gmPresent"],
    }


for attempt in range(tries):
    a = pmc()
    m = monitor_block()
    b = pmc()
    if a is None or b is None or a != b:
        continue
    # pmc rounds x.5 to even, the monitor prints %.0f: allow 1 ns there.
    mismatch = [k for k in a if k not in ("offsetFromMaster", "meanPathDelay")
                and a[k] != m[k]]
    mismatch += [k for k in ("offsetFromMaster", "meanPathDelay") if abs(a[k] - m[k]) > 1]
    print(json.dumps({"compared": True, "attempt": attempt, "pmc": a, "monitor": m,
                      "mismatch": mismatch}))
    sys.exit(1 if mismatch else 0)
print(json.dumps({"compared": False, "tries": tries}))
sys.exit(1)
