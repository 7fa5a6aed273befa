#!/usr/bin/python3
"""BlueMan's API under load, against node_exporter in the same run.

Starts dpu-simd, dpu-telemetry and dpu-blueman, logs in, then runs wrk with
50 concurrent connections for N seconds against:
  - GET /api/v1/overview over HTTPS (the default) and over plain HTTP;
  - GET /api/v1/telemetry over HTTPS (every series dpu-telemetry exports);
  - node_exporter (Go's net/http, plain HTTP), the peer: its small landing
    page, and its /metrics.
Prints requests/s, p50/p99 latency and errors for each, and the ratio of
BlueMan's p99 to node_exporter's; the target is p99 <= 10 ms. Never fails
on speed.

  bench-bm.py BUILDDIR SRCDIR [--seconds N] [--connections N]
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import ssl


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, secs=10):
    end = time.time() + secs
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v


def wrk(url, seconds, conns, cookie=None):
    cmd = ["wrk", "-t2", "-c%d" % conns, "-d%ds" % seconds, "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", "Cookie: " + cookie]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(rps.group(1)) if rps else 0.0,
            "p50_ms": ms(lat["50"]) if "50" in lat else None,
            "p99_ms": ms(lat["99"]) if "99" in lat else None,
            "errors": errors + (int(non2xx.group(1)) if non2xx else 0)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builddir")
    ap.add_argument("srcdir")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=50)
    a = ap.parse_args()
    simd = os.path.join(a.builddir, "sim/simd/dpu-simd")
    if not shutil.which("wrk") or not os.access(simd, os.X_OK):
        print("bench-bm: skipped (needs wrk and dpu-simd)")
        return 0
    work = tempfile.mkdtemp()
    env = dict(os.environ, DPU_RUN_DIR=os.path.join(work, "run"))
    procs = []
    try:
        sd = os.path.join(work, "run/sim/bf3-0")
        procs.append(subprocess.Popen([simd, "--device", os.path.join(a.srcdir, "fixtures/devices/bf3.yaml"),
                                       "--run-dir", sd], env=env, stderr=subprocess.DEVNULL))
        end = time.time() + 10
        while not os.path.exists(os.path.join(sd, "simd.sock")) and time.time() < end:
            time.sleep(0.05)
        dport = free_port()
        cfg = os.path.join(work, "dts/config")
        os.makedirs(cfg)
        open(os.path.join(cfg, "dts_config.ini"), "w").write(
            "update=1000\nprometheus=http://127.0.0.1:%d\n" % dport)
        procs.append(subprocess.Popen([os.path.join(a.builddir, "src/telemetry/dpu-telemetry"),
                                       "--config-dir", cfg, "--device", "sim:bf3-0,run-dir=" + sd],
                                      env=env, stderr=subprocess.DEVNULL))
        ports = {}
        for mode in ("https", "http"):
            ports[mode] = free_port()
            args = [os.path.join(a.builddir, "src/blueman/dpu-blueman"), "--device", "sim:bf3-0,run-dir=" + sd,
                    "--listen", "127.0.0.1:%d" % ports[mode], "--www", os.path.join(a.srcdir, "src/blueman/www"),
                    "--telemetry", "http://127.0.0.1:%d/metrics" % dport, "-l", "30"]
            if mode == "http":
                args += ["--insecure-http"]
                env_m = dict(env, DPU_RUN_DIR=os.path.join(work, "run-http"))
            else:
                env_m = env
            procs.append(subprocess.Popen(args, env=env_m, stderr=subprocess.DEVNULL))
            wait_port(ports[mode])
        nport = free_port()
        procs.append(subprocess.Popen(["prometheus-node-exporter", "--web.listen-address=127.0.0.1:%d" % nport],
                                      stderr=subprocess.DEVNULL))
        wait_port(nport)
        wait_port(dport)
        ctx = ssl.create_default_context(cafile=os.path.join(work, "run/blueman/cert.pem"))
        ctx.check_hostname = False
        cookies = {}
        for mode, run in (("https", "run"), ("http", "run-http")):
            pw = open(os.path.join(work, run, "blueman/credentials.initial-password")).read().strip()
            req = urllib.request.Request("%s://127.0.0.1:%d/api/v1/login" % (mode, ports[mode]),
                                         data=json.dumps({"user": "admin", "password": pw}).encode(),
                                         headers={"Content-Type": "application/json"})
            r = urllib.request.urlopen(req, context=ctx if mode == "https" else None)
            cookies[mode] = r.headers["Set-Cookie"].split(";")[0]
        s, c = a.seconds, a.connections
        res = {
            "blueman https /api/v1/overview": wrk("https://127.0.0.1:%d/api/v1/overview" % ports["https"], s, c, cookies["https"]),
            "blueman http /api/v1/overview": wrk("http://127.0.0.1:%d/api/v1/overview" % ports["http"], s, c, cookies["http"]),
            "blueman https /api/v1/telemetry": wrk("https://127.0.0.1:%d/api/v1/telemetry" % ports["https"], s, c, cookies["https"]),
            "node_exporter http / (its page)": wrk("http://127.0.0.1:%d/" % nport, s, c),
            "node_exporter http /metrics": wrk("http://127.0.0.1:%d/metrics" % nport, s, c),
        }
        print("BlueMan API under load: wrk, %d connections, %d s each (target p99 <= 10 ms)" % (c, s))
        for k, v in res.items():
            print("  %-36s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d"
                  % (k, v["rps"], v["p50_ms"] or -1, v["p99_ms"] or -1, v["errors"]))
        peer = res["node_exporter http / (its page)"]
        for k in ("blueman https /api/v1/overview", "blueman http /api/v1/overview"):
            if peer["p99_ms"] and res[k]["p99_ms"]:
                print("  ratio to node_exporter's page, %s: p99 %.2f, req/s %.2f"
                      % (k.split()[1], res[k]["p99_ms"] / peer["p99_ms"], res[k]["rps"] / max(peer["rps"], 1e-9)))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
