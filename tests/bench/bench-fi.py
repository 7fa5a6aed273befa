#!/usr/bin/python3
"""Flow Inspector against tcpdump, same capture, same machine, same run.

Builds a capture of N frames (mixed.pcap repeated, in /dev/shm), then:
  - dpu-flow-inspector --pcap FILE (filter in the software eSwitch, parse,
    records through the exporter API into a running dpu-telemetry), with a
    policy of 1 export unit and one of 16;
  - tcpdump -r FILE -w /dev/null with the equivalent BPF filter.
Prints Mpps for each and the ratios; never fails on speed.

  bench-fi.py BUILDDIR SRCDIR [--frames N]
"""
import argparse
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time


def build_pcap(src, dst, frames):
    data = open(src, "rb").read()
    head, body = data[:24], data[24:]
    recs = []
    pos = 0
    while pos + 16 <= len(body):
        cap = struct.unpack_from("<I", body, pos + 8)[0]
        recs.append(body[pos:pos + 16 + cap])
        pos += 16 + cap
    with open(dst, "wb") as f:
        f.write(head)
        for i in range(frames):
            f.write(recs[i % len(recs)])


def policy(path, units):
    us = []
    for i in range(units):
        # Unit 0: web; the others carve up UDP destination ports; the last takes the rest.
        if i == 0:
            flt = {"protocols": ["tcp"], "ports": [["*", "80"], ["*", "443"]]}
        elif i == units - 1:
            flt = {"protocols": ["tcp", "udp"]}
        else:
            flt = {"protocols": ["udp"], "ports": [["*", str(53 + i - 1)]]}
        us.append({"filter": flt, "export": {"fields": ["timestamp", "src_ip", "dst_ip", "src_port",
                                                        "dst_port", "packet_len"]}})
    json.dump({"export-units": us}, open(path, "w"))


def timed(cmd, env=None):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - t0, r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builddir")
    ap.add_argument("srcdir")
    ap.add_argument("--frames", type=int, default=2000000)
    a = ap.parse_args()
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    work = tempfile.mkdtemp(prefix="bench-fi-", dir=shm)
    dts = None
    try:
        pcap = os.path.join(work, "bench.pcap")
        build_pcap(os.path.join(a.srcdir, "fixtures/pcap/mixed.pcap"), pcap, a.frames)
        cfg = os.path.join(work, "telemetry/config")
        os.makedirs(cfg)
        open(os.path.join(cfg, "dts_config.ini"), "w").write("update=1000\n")
        dts = subprocess.Popen([os.path.join(a.builddir, "src/telemetry/dpu-telemetry"),
                                "--config-dir", cfg, "--device", "sim:none,run-dir=" + work],
                               stderr=subprocess.DEVNULL)
        sock = os.path.join(work, "telemetry/ipc_sockets/dpu-telemetry.sock")
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        print(f"bench-fi: {a.frames} frames ({os.path.getsize(pcap) >> 20} MiB) from {shm}, one core each")
        rates = {}
        for units in (1, 16):
            pol = os.path.join(work, f"policy-{units}.json")
            policy(pol, units)
            secs, r = timed([os.path.join(a.builddir, "src/flow-inspector/dpu-flow-inspector"),
                             "--policy", pol, "--pcap", pcap, "--telemetry-sockets",
                             os.path.dirname(sock), "--id", f"bench{units}"])
            exported = sum(int(x.split("exported ")[1].split(",")[0])
                           for x in r.stderr.decode().splitlines() if "exported" in x)
            rates[units] = a.frames / secs / 1e6
            print(f"dpu-flow-inspector, {units} export unit(s): {secs:.2f} s, "
                  f"{rates[units]:.2f} Mpps, {exported} records to dpu-telemetry")
        tcpdump = shutil.which("tcpdump")
        if tcpdump is None:
            print("tcpdump: not installed (ci/install-deps installs it)")
            return 0
        secs, _ = timed([tcpdump, "-n", "-r", pcap, "-w", "/dev/null",
                         "tcp port 80 or tcp port 443 or udp or tcp"])
        td = a.frames / secs / 1e6
        print(f"tcpdump -r with the equivalent BPF filter: {secs:.2f} s, {td:.2f} Mpps")
        print(f"ratios dpu-flow-inspector / tcpdump: 1 unit {rates[1] / td:.2f}, "
              f"16 units {rates[16] / td:.2f}")
        return 0
    finally:
        if dts is not None:
            dts.send_signal(signal.SIGTERM)
            dts.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
