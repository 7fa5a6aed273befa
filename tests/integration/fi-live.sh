#!/bin/sh
# Flow Inspector live, the whole stack: dpu-simd mirrors p0 to the SF,
# dpu-flow-inspector on the SF installs its policy as the port's ingress
# rules, receives the marked frames over HAL packet I/O and sends records to
# dpu-telemetry through the exporter API. A capture replayed into p0 gives
# the per-unit counts an independent decode of it predicts, on dpu-telemetry's
# Prometheus endpoint; a changed policy applies live, a broken one is refused
# with its JSON path while the running one goes on; no mbuf is leaked; with
# three queues the frames spread over the workers as RSS puts them.
set -u
. "$top_srcdir/tests/tap.sh"

simd="$top_builddir/sim/simd/dpu-simd"
ctl="$top_builddir/sim/simd/dpu-simctl"
dts="$top_builddir/src/telemetry/dpu-telemetry"
fi_bin="$top_builddir/src/flow-inspector/dpu-flow-inspector"
ref="$top_srcdir/tests/helpers/fi-reference.py"
fx="$top_srcdir/fixtures"
work=$(mktemp -d)
run="$work/sim"
cfgdir="$work/telemetry/config"
sf=en3f0pf0sf0
pids=""
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port/metrics"
"$simd" --device "$fx/devices/bf3.yaml" --run-dir "$run" 2>"$work/simd.log" &
pids="$pids $!"
mkdir -p "$cfgdir"
printf 'update=100\nprometheus=http://127.0.0.1:%s\n' "$port" >"$cfgdir/dts_config.ini"
"$dts" --config-dir "$cfgdir" --device "sim:bf3-0,run-dir=$run" 2>"$work/dts.log" &
pids="$pids $!"
tap_wait 5 "dpu-simd and dpu-telemetry up" \
	sh -c "test -S '$run/simd.sock' && test -S '$work/telemetry/ipc_sockets/dpu-telemetry.sock'"

cp "$fx/flow-inspector/policy-mixed.json" "$work/policy.json"
"$fi_bin" --policy "$work/policy.json" --device "sim:bf3-0,run-dir=$run" --port "$sf" \
	--mirror-from p0 --telemetry-sockets "$work/telemetry/ipc_sockets" --id fi0 \
	2>"$work/fi.log" &
fpid=$!
pids="$pids $fpid"
tap_wait 10 "dpu-flow-inspector inspects the SF" grep -q "inspecting $sf" "$work/fi.log"

expect() { # policy pcap unit -> the records the reference gives for that unit
	/usr/bin/python3 "$ref" "$1" "$2" | /usr/bin/python3 -c "import json,sys; print(sum(1 for l in sys.stdin if json.loads(l).get('export_unit', 0) == $3))"
}
stat_of() { # unit field -> its value on the endpoint
	curl -sf "$url" | sed -n "s/^flow_inspector_stats_$2{source=\"fi0\",unit=\"unit$1\"} //p"
}
"$ctl" --run-dir "$run" replay "$fx/pcap/mixed.pcap" --port p0 --top-speed >/dev/null
for u in 0 1 2; do
	want=$(expect "$work/policy.json" "$fx/pcap/mixed.pcap" $u)
	tap_wait 10 "unit $u: $want exported, as the reference decodes the capture" \
		sh -c "test \"\$(curl -sf '$url' | sed -n 's/^flow_inspector_stats_exported{source=\"fi0\",unit=\"unit$u\"} //p')\" = '$want'"
done
tap_check "records reached dpu-telemetry: 800" \
	sh -c "curl -sf '$url' | grep -qx 'dts_ipc_records_total{source=\"fi0\",schema=\"flow_inspector\"} [0-9]*' &&
	       test \$(curl -sf '$url' | sed -n 's/^dts_ipc_records_total{source=\"fi0\",schema=\"flow_inspector\"} //p') -ge 800"

# A broken policy: refused with its path; the running one stays.
printf '{"export-units": [{"filter": {"protocols": ["sctp"]}, "export": {"fields": ["src_ip"]}}]}\n' \
	>"$work/policy.tmp" && mv "$work/policy.tmp" "$work/policy.json"
tap_wait 5 "a broken policy is refused with its path" \
	grep -q "protocols\[0\]: 'sctp': protocols are tcp and udp; keeping the running policy" "$work/fi.log"
# A valid change (written in place): only DNS now.
printf '{"export-units": [{"filter": {"protocols": ["udp"], "ports": [["*", "53"]]}, "export": {"fields": ["src_port"]}}]}\n' \
	>"$work/policy.json"
tap_wait 5 "a valid change applies live" grep -q "policy $work/policy.json applied: 1 export units" "$work/fi.log"
"$ctl" --run-dir "$run" replay "$fx/pcap/mixed.pcap" --port p0 --top-speed >/dev/null
want=$(expect "$work/policy.json" "$fx/pcap/mixed.pcap" 0)
tap_wait 10 "after the change: unit 0 is DNS only ($want)" \
	sh -c "test \"\$(curl -sf '$url' | sed -n 's/^flow_inspector_stats_exported{source=\"fi0\",unit=\"unit0\"} //p')\" = '$want'"

kill -TERM "$fpid"
wait "$fpid"
tap_check "dpu-flow-inspector stops cleanly" test $? -eq 0
tap_check "no mbuf leaked: the pool is whole again" grep -q "mempool 8191 of 8191 buffers free" "$work/fi.log"

# Three receive queues, a worker lcore each: the switch spreads the frames by
# their RSS hash (tests/helpers/rss-queues.py predicts each queue's share from
# the Toeplitz definition); the units' counts add up over the workers.
cp "$fx/flow-inspector/policy-all.json" "$work/policy.json"
"$fi_bin" --policy "$work/policy.json" --device "sim:bf3-0,run-dir=$run" --port "$sf" \
	--queues 3 --telemetry-sockets "$work/telemetry/ipc_sockets" --id fi3 2>"$work/fi3.log" &
fpid=$!
pids="$pids $fpid"
tap_wait 10 "--queues 3: dpu-flow-inspector inspects the SF with 3 queues" \
	grep -q "inspecting $sf (1 export units, 3 queues)" "$work/fi3.log"
tap_check "dpu-simd made the SF's memif anew with 3 queues" grep -q "$sf: 3 queues instead of 1" "$work/simd.log"
"$ctl" --run-dir "$run" replay "$fx/pcap/mixed.pcap" --port p0 --top-speed >/dev/null
want=$(expect "$work/policy.json" "$fx/pcap/mixed.pcap" 0)
tap_wait 10 "--queues 3: $want exported over the workers, as the reference decodes the capture" \
	sh -c "test \"\$(curl -sf '$url' | sed -n 's/^flow_inspector_stats_exported{source=\"fi3\",unit=\"unit0\"} //p')\" = '$want'"
# A change applies with the workers parked under it; the last unit of policy-mixed
# takes every TCP and UDP frame, so the same frames are marked as before.
cp "$fx/flow-inspector/policy-mixed.json" "$work/policy.tmp" && mv "$work/policy.tmp" "$work/policy.json"
tap_wait 5 "--queues 3: a change applies live" grep -q "policy $work/policy.json applied: 3 export units" "$work/fi3.log"
"$ctl" --run-dir "$run" replay "$fx/pcap/mixed.pcap" --port p0 --top-speed >/dev/null
want=$(expect "$work/policy.json" "$fx/pcap/mixed.pcap" 2)
tap_wait 10 "--queues 3: after the change, unit 2 as the reference decodes it ($want)" \
	sh -c "test \"\$(curl -sf '$url' | sed -n 's/^flow_inspector_stats_exported{source=\"fi3\",unit=\"unit2\"} //p')\" = '$want'"
kill -TERM "$fpid"
wait "$fpid"
tap_check "--queues 3: stops cleanly" test $? -eq 0
share=$(/usr/bin/python3 "$ref" "$fx/flow-inspector/policy-all.json" "$fx/pcap/mixed.pcap" |
	/usr/bin/python3 "$top_srcdir/tests/helpers/rss-queues.py" 3)
got=$(sed -n 's/^  queue [0-9]*: received \([0-9]*\)$/\1/p' "$work/fi3.log" | tr '\n' ' ' | sed 's/ $//')
tap_check "--queues 3: each queue got the frames RSS gives it ($share; got $got)" test "$got" = "$share"
tap_check "--queues 3: no mbuf leaked" grep -q "mempool 24573 of 24573 buffers free" "$work/fi3.log"

# The records themselves, through the simulator: with --output jsonl the live
# service writes them out; they must be the records tshark (and fi-reference.py)
# decode from the captures, field for field but the receive time, in any order.
# A replayed frame is what was captured of it: the decoders get edge.pcap with
# each frame's length on the wire set to its captured length.
cp "$fx/flow-inspector/policy-all.json" "$work/policy.json"
"$fi_bin" --policy "$work/policy.json" --device "sim:bf3-0,run-dir=$run" --port "$sf" \
	--queues 2 --output jsonl --telemetry-sockets "$work/telemetry/ipc_sockets" --id fij \
	>"$work/live.jsonl" 2>"$work/fij.log" &
fpid=$!
pids="$pids $fpid"
tap_wait 10 "--output jsonl: inspecting with 2 queues" grep -q "inspecting $sf (1 export units, 2 queues)" "$work/fij.log"
/usr/bin/python3 - "$fx/pcap/edge.pcap" "$work/edge-wire.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
out, pos = [data[:24]], 24
while pos + 16 <= len(data):
    sec, frac, cap, _ = struct.unpack_from("<IIII", data, pos)
    out.append(struct.pack("<IIII", sec, frac, cap, cap) + data[pos + 16:pos + 16 + cap])
    pos += 16 + cap
open(sys.argv[2], "wb").write(b"".join(out))
PY
"$ctl" --run-dir "$run" replay "$fx/pcap/mixed.pcap" --port p0 --top-speed >/dev/null
"$ctl" --run-dir "$run" replay "$fx/pcap/edge.pcap" --port p0 --top-speed >/dev/null
want=$(($(expect "$work/policy.json" "$fx/pcap/mixed.pcap" 0) + $(expect "$work/policy.json" "$work/edge-wire.pcap" 0)))
tap_wait 10 "--output jsonl: $want records written" \
	sh -c "test \"\$(curl -sf '$url' | sed -n 's/^flow_inspector_stats_exported{source=\"fij\",unit=\"unit0\"} //p')\" = '$want'"
kill -TERM "$fpid"
wait "$fpid"
for dec in fi-tshark fi-reference; do
	if [ $dec = fi-tshark ] && ! command -v tshark >/dev/null 2>&1; then
		tap_skip "live records = tshark's decode" "no tshark (ci/install-deps installs it)"
		continue
	fi
	/usr/bin/python3 "$top_srcdir/tests/helpers/$dec.py" "$work/policy.json" "$fx/pcap/mixed.pcap" >"$work/dec.jsonl"
	/usr/bin/python3 "$top_srcdir/tests/helpers/$dec.py" "$work/policy.json" "$work/edge-wire.pcap" >>"$work/dec.jsonl"
	/usr/bin/python3 - "$work/live.jsonl" "$work/dec.jsonl" >"$work/cmp.txt" 2>&1 <<'PY'
import json, sys
def load(p):
    out = []
    for line in open(p):
        r = json.loads(line)
        r.pop("timestamp")
        out.append(json.dumps(r, sort_keys=True))
    return sorted(out)
a, b = load(sys.argv[1]), load(sys.argv[2])
print("records", len(a), len(b), "same" if a == b else "differ")
for x, y in zip(a, b):
    if x != y:
        print(" live", x)
        print(" decoded", y)
        break
PY
	tap_check "live records through the simulator = $dec's decode ($(head -1 "$work/cmp.txt"))" \
		grep -qx "records $want $want same" "$work/cmp.txt"
	[ "$(grep -c . "$work/cmp.txt")" -gt 1 ] && cat "$work/cmp.txt" >&2
done
tap_done
