#!/bin/sh
# Packet I/O and steering through the HAL: a service (tests/helpers/portio-sink)
# attaches to the SF over memif, installs ingress rules that mark UDP/53 and
# TCP/80-443 and drop the rest, and has the switch mirror p0 to it. A capture
# replayed into p0 must arrive with the marks and counts that an independent
# parse of the capture predicts (tests/helpers/pcap-classify.py), tagged with
# p0 as the source port; the frames it echoes back leave through the uplink;
# the ordinary forwarding p0 -> pf0hpf is untouched; the counter tree agrees.
set -u
. "$top_srcdir/tests/tap.sh"

simd="$top_builddir/sim/simd/dpu-simd"
ctl="$top_builddir/sim/simd/dpu-simctl"
sink="$top_builddir/tests/helpers/portio-sink"
pcap="$top_srcdir/fixtures/pcap/mixed.pcap"
sf=en3f0pf0sf0
work=$(mktemp -d)
run="$work/run"
pid=""
spid=""
cleanup() {
	[ -n "$spid" ] && kill -9 "$spid" 2>/dev/null
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# jq-free JSON field access: json FILE PYTHON-EXPR (on 'd').
json() {
	/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

"$simd" --device "$top_srcdir/fixtures/devices/bf3.yaml" --run-dir "$run" 2>"$work/simd.log" &
pid=$!
tap_wait 5 "dpu-simd listens" test -S "$run/simd.sock"

/usr/bin/python3 "$top_srcdir/tests/helpers/pcap-classify.py" "$pcap" udp:53=1 tcp:80-443=2 \
	>"$work/want.json"
want1=$(json "$work/want.json" 'd["marks"]["1"]')
want2=$(json "$work/want.json" 'd["marks"]["2"]')
parsed=$(json "$work/want.json" 'd["parsed"]')
frames=$(json "$work/want.json" 'd["frames"]')
want=$((want1 + want2))

"$sink" --device "sim:bf3-0,run-dir=$run" --port "$sf" --rule udp:53=1 --rule tcp:80-443=2 \
	--mirror-from p0 --echo --count "$want" --timeout-ms 30000 --ready "$work/ready" \
	>"$work/got.json" 2>"$work/sink.log" &
spid=$!
tap_wait 10 "service port up (memif linked)" test -f "$work/ready"

"$ctl" --run-dir "$run" replay "$pcap" --port p0 --top-speed >"$work/replay.log" 2>&1
tap_check "replay into p0 finished" test $? -eq 0
wait "$spid"
tap_check "service exited cleanly" test $? -eq 0
spid=""
cat "$work/sink.log" >&2

tap_check "frames delivered = the rules' matches ($want)" test "$(json "$work/got.json" 'd["packets"]')" = "$want"
tap_check "mark 1 (udp/53): $want1 frames" test "$(json "$work/got.json" 'd["marks"]["1"]')" = "$want1"
tap_check "mark 2 (tcp/80-443): $want2 frames" test "$(json "$work/got.json" 'd["marks"]["2"]')" = "$want2"
tap_check "no frame without a known mark" test "$(json "$work/got.json" 'd["unmarked"]')" = 0
tap_check "source port of every frame: p0" test "$(json "$work/got.json" 'd["src"].get("p0")')" = "$want"
tap_check "entry counters = frames per rule" \
	test "$(json "$work/got.json" 'd["entries"]["1"], d["entries"]["2"]')" = "$want1 $want2"
tap_check "every frame echoed back" test "$(json "$work/got.json" 'd["echoed"]')" = "$want"

# The counters, from dpu-simd and from its counter tree.
"$ctl" --run-dir "$run" --json counters >"$work/counters.json"
ctr() {
	json "$work/counters.json" "[c['$2'] for c in d['ports'] if c['port'] == '$1'][0]"
}
tap_check "p0 received the whole capture ($frames)" test "$(ctr p0 rx_packets)" = "$frames"
tap_check "pf0hpf still gets all parsed frames ($parsed)" test "$(ctr pf0hpf tx_packets)" = "$parsed"
tap_check "the SF was sent every parsed frame (mirror)" test "$(ctr $sf tx_packets)" = "$parsed"
tap_check "the SF's ingress rules dropped the rest" test "$(ctr $sf tx_dropped)" = "$((parsed - want))"
tap_wait 5 "echoed frames entered on the SF" \
	sh -c "'$ctl' --run-dir '$run' --json counters | /usr/bin/python3 -c \"import json,sys; d=json.load(sys.stdin); sys.exit(0 if [c['rx_packets'] for c in d['ports'] if c['port']=='$sf'][0] == $want else 1)\""
tap_wait 5 "and left through uplink p0 (default pipe)" \
	sh -c "'$ctl' --run-dir '$run' --json counters | /usr/bin/python3 -c \"import json,sys; d=json.load(sys.stdin); sys.exit(0 if [c['tx_packets'] for c in d['ports'] if c['port']=='p0'][0] == $want else 1)\""
root=$("$ctl" --run-dir "$run" counters | sed -n "s/^counter tree: //p")
tap_wait 3 "counter tree: the SF's tx_packets" \
	sh -c "test \"\$(cat '$root/class/net/$sf/statistics/tx_packets')\" = $parsed"

# What dpu-simctl shows of the steering.
"$ctl" --run-dir "$run" pipes >"$work/pipes.txt"
tap_check "simctl pipes: the mirror pipe is the switch's root" grep -Eq "^mirror-$sf +exact +yes +1 " "$work/pipes.txt"
"$ctl" --run-dir "$run" pipes --domain "$sf" >"$work/pipes-sf.txt"
tap_check "simctl pipes --domain: the SF's filter, 2 entries" grep -Eq '^filter +acl +yes +2 ' "$work/pipes-sf.txt"
"$ctl" --run-dir "$run" --json entries filter --domain "$sf" >"$work/entries.json"
tap_check "simctl entries: packets per entry" \
	test "$(json "$work/entries.json" '[e["packets"] for e in d]')" = "[$want1, $want2]"
tap_check "simctl entries: the match as given" \
	test "$(json "$work/entries.json" 'd[1]["match"]["dst_port"]')" = "80-443"
"$ctl" --run-dir "$run" entries nope --domain "$sf" 2>"$work/entries.err"
tap_check "simctl entries of an unknown pipe: exit 1, named" \
	sh -c "test $? -eq 1 && grep -q 'no pipe \"nope\"' '$work/entries.err'"

# Steering errors name the field.
/usr/bin/python3 - "$run/simd.sock" >"$work/bad.log" 2>&1 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rw")
for req in [
    {"cmd": "entry-add", "domain": "en3f0pf0sf0", "pipe": "filter", "match": {"dst_port": "90-80"}, "actions": {"fate": "deliver"}},
    {"cmd": "entry-add", "domain": "en3f0pf0sf0", "pipe": "filter", "match": {"ip_proto": "udp"}, "actions": {"fate": "port", "port": "p1"}},
    {"cmd": "entry-add", "domain": "nope", "pipe": "filter", "match": {}, "actions": {}},
    {"cmd": "pipe-create", "name": "x", "kind": "exact", "match": ["dst_port", "colour"]},
]:
    f.write(json.dumps(req) + "\n"); f.flush(); print(f.readline().strip())
PY
tap_check "bad port range: named" grep -q 'match.dst_port: expected 0..65535 or' "$work/bad.log"
tap_check "ingress rule forwarding elsewhere: refused" grep -q "ingress rules deliver to that port only" "$work/bad.log"
tap_check "unknown domain: named" grep -q 'domain: nope is not a port' "$work/bad.log"
tap_check "unknown match field: named" grep -q 'match\[1\]: unknown field \\"colour\\"' "$work/bad.log"

# A route over 32 VXLAN tunnels (ECMP): its actions run to kilobytes, and
# dpu-simctl shows them whole.
/usr/bin/python3 - "$run/simd.sock" >"$work/ecmp.log" 2>&1 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rw")
hops = [{"fate": "port", "port": "p0", "encap": {"src_mac": "02:00:00:00:00:01",
         "dst_mac": "02:00:00:00:01:%02x" % i, "src_ip": "192.0.2.1",
         "dst_ip": "198.51.100.%d" % (i + 1), "vni": 5000 + i}} for i in range(32)]
for req in [
    {"cmd": "pipe-create", "name": "routes", "kind": "lpm"},
    {"cmd": "entry-add", "pipe": "routes", "match": {"dst_ip": "10.0.0.0/8"}, "actions": hops},
]:
    f.write(json.dumps(req) + "\n"); f.flush(); print(f.readline().strip())
PY
"$ctl" --run-dir "$run" --json entries routes >"$work/routes.json"
tap_check "simctl entries: a 32-way ECMP group of encaps, whole ($(wc -c <"$work/routes.json") bytes)" \
	test "$(json "$work/routes.json" '[len(d[0]["actions"]), d[0]["actions"][31]["encap"]["vni"]]')" = "[32, 5031]"

kill -TERM "$pid"
wait "$pid"
tap_check "dpu-simd stops cleanly" test $? -eq 0
pid=""
tap_check "memif socket removed" test ! -e "$run/memif-$sf.sock"
tap_done
