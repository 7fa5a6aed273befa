#!/bin/sh
# dpu-telemetry's tc provider: in a network namespace with an HTB tree
# (two classes, a pfifo and a tbf under them) on one end of a veth and an
# ingress qdisc on the other, after traffic every qdisc's and class's
# statistics on the endpoint equal what `tc -s` prints; without
# enable-provider=tc there is none of it.
set -u
. "$top_srcdir/tests/tap.sh"

if [ "$(id -u)" -ne 0 ] || ! ip netns add "dpu-tc-probe-$$" 2>/dev/null; then
	tap_skip "tc provider" "needs root and network namespaces"
	tap_done
	exit $?
fi
ip netns del "dpu-tc-probe-$$"
dts="$top_builddir/src/telemetry/dpu-telemetry"
work=$(mktemp -d)
ns="dpu-tc-$$"
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$ns" link set lo up
ip -n "$ns" link add va type veth peer name vb
ip -n "$ns" link set va up
ip -n "$ns" link set vb up
if ! { tc -n "$ns" qdisc add dev va root handle 1: htb default 20 &&
	tc -n "$ns" class add dev va parent 1: classid 1:10 htb rate 10mbit &&
	tc -n "$ns" class add dev va parent 1: classid 1:20 htb rate 5mbit &&
	tc -n "$ns" qdisc add dev va parent 1:10 handle 10: pfifo &&
	tc -n "$ns" qdisc add dev va parent 1:20 handle 20: tbf rate 1mbit burst 32kbit latency 400ms &&
	tc -n "$ns" qdisc add dev vb ingress; } 2>"$work/tc.log"; then
	tap_skip "tc provider" "this kernel lacks htb, tbf, pfifo or ingress: $(head -1 "$work/tc.log")"
	tap_done
	exit $?
fi

mkdir -p "$work/on/config" "$work/off/config"
printf 'update=100\nprometheus=http://127.0.0.1:9100\nenable-provider=tc\n' >"$work/on/config/dts_config.ini"
printf 'update=100\nprometheus=http://127.0.0.1:9100\n' >"$work/off/config/dts_config.ini"
metrics() { ip netns exec "$ns" curl -sf http://127.0.0.1:9100/metrics; }

ip netns exec "$ns" "$dts" --config-dir "$work/off/config" --device "sim:none,run-dir=$work/nosim" \
	2>"$work/off.log" &
pid=$!
tap_wait 10 "dpu-telemetry up in the namespace" sh -c "ip netns exec $ns curl -sf http://127.0.0.1:9100/metrics >/dev/null"
tap_check "without enable-provider=tc: no tc series" sh -c "! (ip netns exec $ns curl -sf http://127.0.0.1:9100/metrics | grep -q '^dts_tc_')"
kill "$pid"
wait "$pid"
pid=""

# 50 raw frames of 200 bytes out of va: through htb's default class 1:20 and its tbf.
ip netns exec "$ns" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("va", 0))
frame = bytes.fromhex("ffffffffffff020000000001") + b"\x88\xb5" + b"x" * 186
for i in range(50):
    s.send(frame)'
ip netns exec "$ns" "$dts" --config-dir "$work/on/config" --device "sim:none,run-dir=$work/nosim" \
	2>"$work/on.log" &
pid=$!
tap_wait 10 "with enable-provider=tc: the tbf under 1:20 counted the 50 frames" \
	sh -c "ip netns exec $ns curl -sf http://127.0.0.1:9100/metrics | grep -qx 'dts_tc_qdisc_packets_total{device=\"va\",kind=\"tbf\",handle=\"20:\",parent=\"1:20\"} 50'"
sleep 0.3 # a collection cycle after the last change
metrics >"$work/metrics.txt"
tc -n "$ns" -s -j qdisc show >"$work/qdisc.json"
for d in va vb lo; do
	tc -n "$ns" -s class show dev "$d"
done >"$work/class.txt"
/usr/bin/python3 - "$work/metrics.txt" "$work/qdisc.json" "$work/class.txt" >"$work/cmp.txt" 2>&1 <<'PY'
import json, re, sys
ours = {}
for line in open(sys.argv[1]):
    m = re.match(r'dts_tc_(qdisc|class)_(\w+?)(?:_total)?\{device="([^"]*)",kind="([^"]*)",handle="([^"]*)",parent="([^"]*)"\} (\S+)$', line)
    if m:
        what, stat, dev, kind, handle, parent, v = m.groups()
        ours[(what, dev, kind, handle, parent, stat)] = float(v)
want = {}
for q in json.load(open(sys.argv[2])):
    parent = "root" if q.get("root") else q.get("parent", "none")
    for stat in ("bytes", "packets", "drops", "overlimits", "requeues", "qlen", "backlog"):
        want[("qdisc", q["dev"], q["kind"], q["handle"], parent, stat)] = float(q[stat])
cur = None
for line in open(sys.argv[3]):
    m = re.match(r'class (\S+) (\S+) (root|parent (\S+))', line)
    if m:
        dev = None
        cur = ("class", m.group(1), m.group(2), m.group(4) or "root")
        continue
    m = re.match(r'\s*Sent (\d+) bytes (\d+) pkt \(dropped (\d+), overlimits (\d+) requeues (\d+)\)', line)
    if m and cur:
        for stat, v in zip(("bytes", "packets", "drops", "overlimits", "requeues"), m.groups()):
            want[cur + (stat,)] = float(v)
# Classes carry the device in the command, not the output: va has them all.
want = {(k[0], "va", k[1], k[2], k[3], k[4]) if k[0] == "class" else k: v for k, v in want.items()}
ours_cmp = {k: v for k, v in ours.items() if k[0] == "qdisc" or k[5] in ("bytes", "packets", "drops", "overlimits", "requeues")}
missing = [k for k in want if k not in ours_cmp]
extra = [k for k in ours_cmp if k not in want]
wrong = [(k, ours_cmp[k], want[k]) for k in want if k in ours_cmp and ours_cmp[k] != want[k]]
print("qdiscs", len({k[:5] for k in want if k[0] == "qdisc"}), "classes", len({k[:5] for k in want if k[0] == "class"}),
      "values", len(want), "missing", len(missing), "extra", len(extra), "wrong", len(wrong))
for x in (missing[:3], extra[:3], wrong[:3]):
    for y in x:
        print(" ", y)
PY
tap_check "every qdisc and class of tc -s, value for value ($(head -1 "$work/cmp.txt"))" \
	grep -q "qdiscs 6 classes 2 values 52 missing 0 extra 0 wrong 0" "$work/cmp.txt"
[ "$(grep -c . "$work/cmp.txt")" -gt 1 ] && cat "$work/cmp.txt" >&2
tap_check "htb's default class 1:20 counted the 50 frames of 200 bytes" \
	grep -qx 'dts_tc_class_bytes_total{device="va",kind="htb",handle="1:20",parent="root"} 10000' "$work/metrics.txt"
printf 'prometheus-ignore-names=va:class 1:10:bytes\n' >>"$work/on/config/dts_config.ini"
kill -HUP "$pid"
tap_wait 5 "the DTS names name the class: prometheus-ignore-names can pick it" \
	sh -c "ip netns exec $ns curl -sf http://127.0.0.1:9100/metrics >'$work/m2.txt' &&
	       ! grep -q 'dts_tc_class_bytes_total{device=\"va\",kind=\"htb\",handle=\"1:10\"' '$work/m2.txt' &&
	       grep -q 'dts_tc_class_bytes_total{device=\"va\",kind=\"htb\",handle=\"1:20\"' '$work/m2.txt'"
kill "$pid"
wait "$pid"
tap_check "dpu-telemetry stops cleanly" test $? -eq 0
pid=""
tap_done
