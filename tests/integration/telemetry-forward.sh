#!/bin/sh
# dpu-telemetry's Fluent forward push, against a forward server
# (tests/helpers/fluent-sink.py, msgpack): enable-fluent-forward.sh turns it
# on, each cycle's series arrive as one acknowledged Forward-mode chunk,
# and so do the records sources send through the exporter API;
# while the server is away the chunks wait and are sent when it is back,
# none lost (the cycle counter in them runs without a gap); a server that
# never reads costs no more than the buffer and the rest is counted as
# dropped; a broken forward.exp is refused with its line on SIGHUP.
set -u
. "$top_srcdir/tests/tap.sh"

dts="$top_builddir/src/telemetry/dpu-telemetry"
eff="$top_srcdir/src/telemetry/enable-fluent-forward.sh"
sink="$top_srcdir/tests/helpers/fluent-sink.py"
work=$(mktemp -d)
cfg="$work/telemetry/config"
pids=""
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
fport=$(free_port)
mport=$(free_port)
url="http://127.0.0.1:$mport/metrics"
metric() { curl -sf "$url" | awk -v m="$1" 'index($1, m) == 1 { print $2; exit }'; }

tap_check "enable-fluent-forward.sh: a bad port is refused" \
	sh -c "! '$eff' -i=127.0.0.1 -p=99999 -c='$cfg' 2>/dev/null"
"$eff" -i=127.0.0.1 -p="$fport" -t=dpu.test -c="$cfg" >"$work/eff.log"
tap_check "enable-fluent-forward.sh writes forward.exp" \
	sh -c "grep -qx 'enable=1' '$cfg/fluent_bit_configs/forward.exp' && grep -qx 'port=$fport' '$cfg/fluent_bit_configs/forward.exp'"
printf 'max-buffer-bytes=1048576\n' >>"$cfg/fluent_bit_configs/forward.exp"
printf 'update=100\nprometheus=http://127.0.0.1:%s\n' "$mport" >"$cfg/dts_config.ini"

/usr/bin/python3 "$sink" --port "$fport" --out "$work/events.jsonl" 2>"$work/sink.log" &
spid=$!
pids="$pids $spid"
"$dts" --config-dir "$cfg" --device "sim:none,run-dir=$work/nosim" 2>"$work/dts.log" &
dpid=$!
pids="$pids $dpid"
tap_wait 10 "chunks arrive at the forward server" sh -c "test \$(grep -c . '$work/events.jsonl' 2>/dev/null || echo 0) -gt 30"
tap_check "records carry the tag, name, family, value and provider" \
	/usr/bin/python3 -c "
import json, sys
ev = [json.loads(l) for l in open('$work/events.jsonl')]
ok = all(e['tag'] == 'dpu.test' and e['chunk'] and {'name', 'family', 'value', 'provider'} <= set(e['record']) for e in ev)
names = {e['record'].get('family') for e in ev}
sys.exit(0 if ok and 'dts_collections' in names and 'dts_up' in names else 1)"
tap_wait 5 "the server's acknowledgements come back (acked records > 0, little buffered)" \
	sh -c "test \"\$(curl -sf '$url' | awk '\$1 ~ /^dts_forward_acked_records_total/ { print (\$2 > 0) }')\" = 1 &&
	       test \"\$(curl -sf '$url' | awk '\$1 ~ /^dts_forward_buffered_bytes/ { print (\$2 < 20000) }')\" = 1"

# The exporter API's records go out too, each a map of its fields.
"$top_builddir/tests/helpers/te-client" --sockets-dir "$work/telemetry/ipc_sockets" --id fwd1 \
	--count 2000 >"$work/te.json" 2>"$work/te.log"
tap_wait 10 "exporter API records forwarded: all 2000, each with its fields" \
	/usr/bin/python3 -c "
import json, sys
ev = [json.loads(l) for l in open('$work/events.jsonl')]
recs = [e['record'] for e in ev if e['tag'] == 'dpu.test.demo.port_stats']
ok = sorted(r['packets'] for r in recs) == list(range(1, 2001))
ok = ok and all(r['source'] == 'fwd1' and r['bytes'] == 100 * r['packets'] and
                r['name'] == 'abc'[(r['packets'] - 1) % 3] and
                abs(r['load'] - ((r['packets'] - 1) % 100) / 100) < 1e-9 for r in recs)
sys.exit(0 if ok else 1)"

# The server away for a second: chunks wait, then go; none is lost.
kill "$spid"
wait "$spid" 2>/dev/null
sleep 1
/usr/bin/python3 "$sink" --port "$fport" --out "$work/events.jsonl" 2>>"$work/sink.log" &
spid=$!
pids="$pids $spid"
tap_wait 10 "reconnected after the server came back" \
	sh -c "test \"\$(curl -sf '$url' | awk '\$1 ~ /^dts_forward_connects_total/ { print \$2 }')\" -ge 2"
sleep 1
tap_check "no cycle lost across the outage: dts_collections runs without a gap" \
	/usr/bin/python3 -c "
import json, sys
seen = sorted({int(json.loads(l)['record']['value']) for l in open('$work/events.jsonl') if json.loads(l)['record'].get('family') == 'dts_collections'})
gaps = [(a, b) for a, b in zip(seen, seen[1:]) if b != a + 1]
print('cycles', seen[0], '..', seen[-1], 'gaps', gaps[:3], file=sys.stderr)
sys.exit(0 if len(seen) > 20 and not gaps else 1)"
tap_check "nothing dropped while it was away (the buffer held it)" \
	sh -c "test \"\$(curl -sf '$url' | awk '\$1 ~ /^dts_forward_dropped_records_total/ { print \$2 }')\" = 0"

# A broken forward.exp on SIGHUP: refused with its line; forwarding goes on.
cp "$cfg/fluent_bit_configs/forward.exp" "$work/forward.good"
printf 'port=70000\n' >>"$cfg/fluent_bit_configs/forward.exp"
kill -HUP "$dpid"
tap_wait 5 "a broken forward.exp is refused, naming its line" grep -q "forward.exp:[0-9]*: port: '70000'" "$work/dts.log"
cp "$work/forward.good" "$cfg/fluent_bit_configs/forward.exp"

# A server that never reads: the buffer (made 64 KiB for this) fills to its bound,
# the rest is dropped and counted.
kill "$spid"
wait "$spid" 2>/dev/null
sed -i 's/^max-buffer-bytes=.*/max-buffer-bytes=65536/' "$cfg/fluent_bit_configs/forward.exp"
kill -HUP "$dpid"
/usr/bin/python3 "$sink" --port "$fport" --out "$work/stalled.jsonl" --no-read 2>>"$work/sink.log" &
spid=$!
pids="$pids $spid"
tap_wait 30 "a server that never reads: records dropped and counted" \
	sh -c "test \"\$(curl -sf '$url' | awk '\$1 ~ /^dts_forward_dropped_records_total/ { print (\$2 > 0) }')\" = 1"
tap_check "... the buffer stays within max-buffer-bytes (65536)" \
	sh -c "test \"\$(curl -sf '$url' | awk '\$1 ~ /^dts_forward_buffered_bytes/ { print (\$2 <= 65536) }')\" = 1"
tap_check "... and dpu-telemetry's memory stays small (VmRSS < 32 MB)" \
	sh -c "test \$(awk '/^VmRSS/ { print \$2 }' /proc/$dpid/status) -lt 32768"
kill "$dpid"
wait "$dpid"
tap_check "dpu-telemetry stops cleanly" test $? -eq 0
tap_done
