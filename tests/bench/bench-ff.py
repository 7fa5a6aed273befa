#!/usr/bin/python3
"""Firefly's PTP monitor against linuxptp's pmc, same ptp4l, same run.

In a network namespace of its own, dpu-firefly runs ptp4l on a veth and
polls it every 10 ms (six management GETs per round, each complete round
rendered and published to the monitor file and a TCP client). Measured:
  - dpu-firefly: CPU time per monitor round (from /proc), rounds per second
    delivered to a TCP client, resident memory;
  - pmc, the peer, asking the same six GETs of the same ptp4l: once as one
    process per round (as a polling script does) and once as one process
    fed every round on stdin.
Prints the figures and the ratios; never fails on speed.

  bench-ff.py BUILDDIR SRCDIR [--seconds N]
"""
import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

GETS = ["GET DEFAULT_DATA_SET", "GET CURRENT_DATA_SET", "GET PARENT_DATA_SET",
        "GET TIME_PROPERTIES_DATA_SET", "GET PORT_DATA_SET", "GET TIME_STATUS_NP"]


def cpu_s(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builddir")
    ap.add_argument("srcdir")
    ap.add_argument("--seconds", type=float, default=10)
    a = ap.parse_args()
    if os.geteuid() != 0 or not shutil.which("ptp4l") or not shutil.which("pmc"):
        print("bench-ff: skipped (needs root, ptp4l and pmc)")
        return 0
    ns = "dpu-bench-ff-%d" % os.getpid()
    work = tempfile.mkdtemp()
    ff = None
    try:
        subprocess.run(["ip", "netns", "add", ns], check=True)
        nsx = ["ip", "netns", "exec", ns]
        subprocess.run(nsx + ["ip", "link", "add", "ptp0", "type", "veth", "peer", "name", "ptp1"],
                       check=True)
        for i in ("lo", "ptp0", "ptp1"):
            subprocess.run(nsx + ["ip", "link", "set", i, "up"], check=True)
        subprocess.run(nsx + ["ip", "addr", "add", "10.66.0.1/24", "dev", "ptp0"], check=True)
        run = os.path.join(work, "ff")
        ff = subprocess.Popen(nsx + [os.path.join(a.builddir, "src/firefly/dpu-firefly"),
                                     "-i", "ptp0", "-s", "MONITOR_STATE=enable",
                                     "-s", "MONITOR_INTERVAL_MS=10", "-s", "FIREFLY_TELEMETRY=0",
                                     "-s", "MONITOR_ADDRESS=127.0.0.1", "-r", run],
                              stderr=open(os.path.join(work, "ff.log"), "w"))
        sock = os.path.join(run, "ptp4l.sock")
        deadline = time.time() + 10
        while not os.path.exists(os.path.join(run, "ptp_monitor.txt")) and time.time() < deadline:
            time.sleep(0.05)
        # ip netns exec execs dpu-firefly: the Popen pid is its pid.
        pid = ff.pid
        # A TCP client in the namespace counts the blocks it receives.
        counter = subprocess.Popen(
            nsx + ["/usr/bin/python3", "-c",
                   "import socket,sys,time\n"
                   "s=socket.create_connection(('127.0.0.1',25600)); n=0; end=time.time()+%f\n"
                   "while time.time()<end:\n"
                   "    d=s.recv(65536)\n"
                   "    if not d: break\n"
                   "    n+=d.count(b'\\n\\n')\n"
                   "print(n)\n" % a.seconds],
            stdout=subprocess.PIPE, text=True)
        c0 = cpu_s(pid)
        counter_out = counter.communicate()[0]
        c1 = cpu_s(pid)
        blocks = int(counter_out.strip() or 0)
        ff_rss = rss_kb(pid)
        ff_cpu_round = (c1 - c0) / max(blocks, 1)

        # pmc, one process per round.
        rounds = 100
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        for i in range(rounds):
            subprocess.run(nsx + ["pmc", "-u", "-b", "0", "-s", sock,
                                  "-i", os.path.join(work, "pmc.sock")] + GETS,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        pmc_once_cpu = ((r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)) / rounds
        pmc_once_wall = (t1 - t0) / rounds

        # pmc, one process fed every round on stdin.
        rounds_b = 2000
        script = "\n".join(GETS * rounds_b) + "\n"
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run(nsx + ["pmc", "-u", "-b", "0", "-s", sock,
                                    "-i", os.path.join(work, "pmcb.sock")],
                             input=script, capture_output=True, text=True).stdout
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        answered = out.count("RESPONSE MANAGEMENT")
        pmc_batch_cpu = ((r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)) / rounds_b

        print("Firefly PTP monitor vs pmc (six GETs per round, same ptp4l, %.0f s)" % a.seconds)
        print("  dpu-firefly: %d rounds delivered (%.0f/s at a 10 ms interval), "
              "%.1f us CPU per round, RSS %d kB"
              % (blocks, blocks / a.seconds, ff_cpu_round * 1e6, ff_rss))
        print("  pmc, one process per round: %.0f us CPU, %.1f ms wall per round"
              % (pmc_once_cpu * 1e6, pmc_once_wall * 1e3))
        print("  pmc, one process, %d rounds on stdin: %.1f us CPU per round "
              "(%d of %d answers)" % (rounds_b, pmc_batch_cpu * 1e6, answered, rounds_b * 6))
        print("  ratio CPU per round: firefly/pmc-per-round %.3f, firefly/pmc-batch %.2f"
              % (ff_cpu_round / pmc_once_cpu, ff_cpu_round / max(pmc_batch_cpu, 1e-9)))
    finally:
        if ff is not None:
            ff.terminate()
            try:
                ff.wait(5)
            except subprocess.TimeoutExpired:
                ff.kill()
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
