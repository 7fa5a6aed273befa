#!/usr/bin/python3
"""dpu-telemetry against prometheus-node-exporter, same machine, same run.

Starts dpu-simd (bf3, a capture replayed into p0 in a loop), dpu-telemetry
on it, and node_exporter with the netdev, netclass and ethtool collectors
reading the simulator's sysfs tree (--path.sysfs) for netclass. For each:
10 warm-up scrapes, then N scrapes with curl (time_total); CPU per scrape
from /proc/PID/stat over the N scrapes; RSS from /proc/PID/status; series
counted from the exposition. Also dpu-telemetry's CPU per collection cycle
(over an idle stretch of cycles, no scrapes); the exporter API's records/s
into the daemon; fluent_aggr's ingest of PackedForward messages.

  bench-dts.py BUILDDIR SRCDIR [--scrapes N]

Prints one line per figure and the ratios; never fails on speed.
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def scrape_once(url):
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_total}", url],
                         capture_output=True, text=True, check=True)
    return float(out.stdout) * 1000.0


def keepalive_times(url, n):
    """Scrapes over one persistent connection (curl reuses it), as Prometheus does; ms each."""
    args = ["curl", "-s", "-w", "%{time_total}\n"]
    for _ in range(n + 10):
        args += ["-o", "/dev/null", url]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()
    return sorted(float(x) * 1000.0 for x in out[10:])


def wait_http(url, secs=15):
    end = time.time() + secs
    while time.time() < end:
        if subprocess.run(["curl", "-sf", "-o", "/dev/null", url]).returncode == 0:
            return True
        time.sleep(0.1)
    return False


def series(url):
    text = subprocess.run(["curl", "-s", url], capture_output=True, text=True).stdout
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


def measure(name, pid, url, n):
    for _ in range(10):
        scrape_once(url)
    c0 = cpu_s(pid)
    times = [scrape_once(url) for _ in range(n)]
    c1 = cpu_s(pid)
    times.sort()
    ka = keepalive_times(url, n)
    return {
        "ka50": statistics.median(ka),
        "ka99": ka[min(len(ka) - 1, int(len(ka) * 0.99))],
        "name": name,
        "series": series(url),
        "p50": statistics.median(times),
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
        "cpu_ms": (c1 - c0) * 1000.0 / n,
        "rss": rss_mb(pid),
    }


def start_collectd(work, procs):
    """collectd with the interface plugin and write_prometheus; (process, url) or (None, None)."""
    collectd = shutil.which("collectd") or (os.path.exists("/usr/sbin/collectd") and "/usr/sbin/collectd")
    if not collectd or not os.path.exists("/usr/lib/collectd/write_prometheus.so"):
        print("bench-dts: collectd with write_prometheus is not installed (ci/install-deps installs it)")
        return None, None
    port = free_port()
    conf = os.path.join(work, "collectd.conf")
    with open(conf, "w") as f:
        f.write(f"Interval 1\nBaseDir \"{work}\"\nPIDFile \"{work}/collectd.pid\"\n"
                "PluginDir \"/usr/lib/collectd\"\nTypesDB \"/usr/share/collectd/types.db\"\n"
                "LoadPlugin interface\nLoadPlugin write_prometheus\n"
                f"<Plugin write_prometheus>\n  Port \"{port}\"\n</Plugin>\n")
    p = subprocess.Popen([collectd, "-f", "-C", conf], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    procs.append(p)
    url = f"http://127.0.0.1:{port}/metrics"
    if not wait_http(url):
        print("bench-dts: collectd's write_prometheus did not come up")
        return None, None
    time.sleep(2)  # a read cycle or two
    return p, url


def fluent_ingest(pid, port, url, messages=2000, per_message=1000):
    """fluent_aggr taking PackedForward messages as fast as one client sends them."""
    try:
        import msgpack
    except ImportError:
        print("fluent ingest: python3-msgpack is not installed (ci/install-deps installs it)")
        return
    now = int(time.time())
    entries = b"".join(msgpack.packb([now, {"latency_us": i % 997, "bytes": i, "host": f"h{i % 4}"}])
                       for i in range(per_message))
    msg = msgpack.packb(["bench.ingest", entries])
    total = messages * per_message
    c0, t0 = cpu_s(pid), time.time()
    with socket.create_connection(("127.0.0.1", port)) as s:
        for _ in range(messages):
            s.sendall(msg)
    done = None
    for _ in range(600):
        out = subprocess.run(["curl", "-s", url], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith('dts_fluent_records_total{tag="bench.ingest"}'):
                done = int(float(line.split()[-1]))
        if done is not None and done >= total:
            break
        time.sleep(0.05)
    wall = time.time() - t0
    cpu = cpu_s(pid) - c0
    if done is None or done < total:
        print(f"fluent ingest: only {done} of {total} records counted")
        return
    print(f"fluent ingest (fluent_aggr, PackedForward, {per_message} records a message, one client): "
          f"{total} records in {wall:.2f} s wall, {cpu:.2f} s of dpu-telemetry's CPU: "
          f"{total / cpu / 1e6 if cpu > 0 else float('nan'):.2f} M records per CPU-second")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builddir")
    ap.add_argument("srcdir")
    ap.add_argument("--scrapes", type=int, default=200)
    a = ap.parse_args()
    node = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
    if node is None:
        print("bench-dts: prometheus-node-exporter is not installed (ci/install-deps installs it)")
        return 0
    work = tempfile.mkdtemp(prefix="bench-dts-")
    procs = []
    try:
        run = os.path.join(work, "sim")
        simd = subprocess.Popen([os.path.join(a.builddir, "sim/simd/dpu-simd"), "--device",
                                 os.path.join(a.srcdir, "fixtures/devices/bf3.yaml"),
                                 "--run-dir", run], stderr=subprocess.DEVNULL)
        procs.append(simd)
        for _ in range(100):
            if os.path.exists(os.path.join(run, "simd.sock")):
                break
            time.sleep(0.05)
        subprocess.run([os.path.join(a.builddir, "sim/simd/dpu-simctl"), "--run-dir", run,
                        "replay", os.path.join(a.srcdir, "fixtures/pcap/mixed.pcap"),
                        "--port", "p0", "--loop", "0", "--no-wait"], check=True)
        dport, nport, fport = free_port(), free_port(), free_port()
        cfgdir = os.path.join(work, "telemetry/config")
        os.makedirs(cfgdir)
        with open(os.path.join(cfgdir, "dts_config.ini"), "w") as f:
            f.write(f"update=1000\nprometheus=http://127.0.0.1:{dport}\n"
                    f"enable-provider=fluent_aggr\nfluent-aggr-listen=127.0.0.1:{fport}\n")
        dts = subprocess.Popen([os.path.join(a.builddir, "src/telemetry/dpu-telemetry"),
                                "--config-dir", cfgdir, "--device",
                                f"sim:bf3-0,run-dir={run}"], stderr=subprocess.DEVNULL)
        procs.append(dts)
        nodex = subprocess.Popen([node, f"--web.listen-address=127.0.0.1:{nport}",
                                  "--collector.disable-defaults", "--collector.netdev",
                                  "--collector.netclass", "--collector.ethtool",
                                  f"--path.sysfs={os.path.join(run, 'sys')}"],
                                 stderr=subprocess.DEVNULL)
        procs.append(nodex)
        durl, nurl = f"http://127.0.0.1:{dport}/metrics", f"http://127.0.0.1:{nport}/metrics"
        if not wait_http(durl) or not wait_http(nurl):
            print("bench-dts: an endpoint did not come up")
            return 1
        collectd, curl_ = start_collectd(work, procs)
        time.sleep(1.5)  # a collection cycle or two
        # dpu-telemetry's own cost per collection cycle, nobody scraping.
        c0, t0 = cpu_s(dts.pid), time.time()
        time.sleep(10)
        cycles = (time.time() - t0) * 1000.0 / 1000.0
        cycle_ms = (cpu_s(dts.pid) - c0) * 1000.0 / cycles
        rows = [measure("dpu-telemetry", dts.pid, durl, a.scrapes),
                measure("node_exporter", nodex.pid, nurl, a.scrapes)]
        if collectd is not None:
            rows.append(measure("collectd", collectd.pid, curl_, a.scrapes))
        print(f"bench-dts: {a.scrapes} scrapes each with curl (a new connection each), "
              f"after 10 warm-up scrapes; then {a.scrapes} over one kept-alive connection "
              "(as Prometheus scrapes)")
        for r in rows:
            print(f"{r['name']}: {r['series']} series; scrape p50 {r['p50']:.2f} ms, "
                  f"p99 {r['p99']:.2f} ms; keep-alive p50 {r['ka50']:.3f} ms, "
                  f"p99 {r['ka99']:.3f} ms; CPU {r['cpu_ms']:.3f} ms per scrape; "
                  f"RSS {r['rss']:.1f} MB")
        d, n = rows[0], rows[1]
        print(f"dpu-telemetry collection cycle: {cycle_ms:.3f} ms CPU "
              f"({d['series']} series, update=1000)")
        # Exporter API: records into the daemon, acknowledged, one client.
        # Through the shared-memory ring (the default) and over the socket alone.
        import json
        rates = {}
        for how, extra in (("ring", []), ("socket", ["--no-ring"])):
            out = subprocess.run([os.path.join(a.builddir, "tests/helpers/te-client"),
                                  "--sockets-dir", os.path.join(work, "telemetry/ipc_sockets"),
                                  "--id", "bench-" + how, "--count", "5000000",
                                  "--buf-size", "60000", "--names", "a,b,c,d"] + extra,
                                 capture_output=True, text=True)
            if out.returncode == 0:
                r = json.loads(out.stdout)
                rates[how] = r['records_per_s']
                print(f"exporter API ({how}): {r['acked']} records of 40 bytes acknowledged "
                      f"in {r['seconds']:.3f} s: {r['records_per_s'] / 1e6:.2f} M records/s "
                      f"(dropped {r['dropped']}, kicks {r['kicks']})")
        if rates.get("socket"):
            print(f"exporter API ring / socket: {rates.get('ring', 0) / rates['socket']:.2f}")
        fluent_ingest(dts.pid, fport, durl)
        print(f"ratios dpu-telemetry / node_exporter: scrape p50 {d['p50'] / n['p50']:.3f}, "
              f"p99 {d['p99'] / n['p99']:.3f}, keep-alive p50 {d['ka50'] / n['ka50']:.3f}, "
              f"CPU per scrape "
              f"{d['cpu_ms'] / n['cpu_ms'] if n['cpu_ms'] > 0 else float('nan'):.3f}, "
              f"RSS {d['rss'] / n['rss']:.3f}")
        if collectd is not None:
            c = rows[2]
            print(f"ratios dpu-telemetry / collectd (write_prometheus; it reads the host's "
                  f"interfaces): scrape p50 {d['p50'] / c['p50']:.3f}, keep-alive p50 "
                  f"{d['ka50'] / c['ka50']:.3f}, RSS {d['rss'] / c['rss']:.3f}")
        return 0
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
