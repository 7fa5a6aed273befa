#!/bin/sh
# dpu-telemetry's binary data files and dpu-telemetry-read: off by default;
# with data-write=true the records a client sends through the exporter API
# land in <root>/data, rotated by size and by age, every file readable
# alone; dpu-telemetry-read gives them back record for record as JSON or
# CSV; the exporter API writes the same files itself when asked; a damaged
# file gives what it holds before the damage and the offset.
set -u
. "$top_srcdir/tests/tap.sh"

dts="$top_builddir/src/telemetry/dpu-telemetry"
rd="$top_builddir/src/telemetry/dpu-telemetry-read"
te="$top_builddir/tests/helpers/te-client"
work=$(mktemp -d)
cfg="$work/telemetry/config"
data="$work/telemetry/data"
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$cfg"
start() {
	"$dts" --config-dir "$cfg" --device "sim:none,run-dir=$work/nosim" 2>>"$work/dts.log" &
	pid=$!
	tap_wait 10 "$1" test -S "$work/telemetry/ipc_sockets/dpu-telemetry.sock"
}
stop() {
	kill "$pid"
	wait "$pid"
	pid=""
	rm -f "$work/telemetry/ipc_sockets/dpu-telemetry.sock"
}

printf 'update=100\n' >"$cfg/dts_config.ini"
start "dpu-telemetry up with the defaults"
"$te" --sockets-dir "$work/telemetry/ipc_sockets" --id off --count 100 >/dev/null
tap_check "data writing is off by default: no data file" sh -c "! ls '$data'/*.dts >/dev/null 2>&1"
stop

printf 'update=100\ndata-write=true\ndata-max-file-size=65536\n' >"$cfg/dts_config.ini"
start "dpu-telemetry up with data-write=true"
"$te" --sockets-dir "$work/telemetry/ipc_sockets" --id data1 --count 5000 >"$work/te1.json"
tap_check "the client's 5000 records were acknowledged" grep -q '"acked": 5000' "$work/te1.json"
stop
n_files=$(ls "$data"/data1-*.dts 2>/dev/null | wc -l)
tap_check "rotated by size: $n_files files of at most 64 KiB" \
	sh -c "test $n_files -ge 3 && test \$(stat -c %s '$data'/data1-*.dts | sort -n | tail -1) -le 65536"
"$rd" "$data" >"$work/all.jsonl" 2>"$work/rd.err"
tap_check "dpu-telemetry-read gives the 5000 records back, field for field" \
	/usr/bin/python3 -c "
import json, sys
recs = [json.loads(l) for l in open('$work/all.jsonl')]
names = 'abc'
ok = len(recs) == 5000 and all(
    r['source'] == 'data1' and r['schema'] == 'demo' and r['type'] == 'port_stats' and
    r['packets'] == i + 1 and r['bytes'] == 100 * (i + 1) and r['name'] == names[i % 3] and
    abs(r['load'] - (i % 100) / 100) < 1e-12 for i, r in enumerate(recs))
sys.exit(0 if ok else 1)"
total=0
for f in "$data"/data1-*.dts; do
	n=$("$rd" "$f" | grep -c .)
	total=$((total + n))
done
tap_check "every file reads alone (its own HELLO and TYPE): $total records over the files" test "$total" = 5000
"$rd" --format csv "$data" >"$work/all.csv"
tap_check "CSV: a header, then 5000 lines" \
	sh -c "test \$(grep -c . '$work/all.csv') = 5001 && head -1 '$work/all.csv' | grep -qx 'source,schema,type,time_us,name,packets,bytes,load' &&
	       sed -n 2p '$work/all.csv' | grep -q '^data1,demo,port_stats,[0-9]*,\"a\",1,100,0$'"

# Rotation by age: 3000 records over 1.5 s, files of at most 400 ms.
printf 'update=100\ndata-write=true\ndata-max-file-age=400\n' >"$cfg/dts_config.ini"
start "dpu-telemetry up with data-max-file-age=400"
"$te" --sockets-dir "$work/telemetry/ipc_sockets" --id data2 --count 3000 --rate 2000 --buf-size 256 >/dev/null
stop
n_files=$(ls "$data"/data2-*.dts 2>/dev/null | wc -l)
tap_check "rotated by age: $n_files files for 1.5 s" test "$n_files" -ge 3
tap_check "... and all 3000 records in them" sh -c "test \$('$rd' '$data'/data2-*.dts | grep -c .) = 3000"

# The exporter API writing data files itself, with no dpu-telemetry at all.
"$te" --sockets-dir "$work/none" --id filer --count 3000 --file-dir "$work/client" \
	--file-max-size 32768 --no-ipc >"$work/te3.json"
n_files=$(ls "$work/client"/filer.exporter-*.dts 2>/dev/null | wc -l)
tap_check "the client writes its own files (file writing, no IPC): $n_files of at most 32 KiB" \
	sh -c "test $n_files -ge 3 && test \$(stat -c %s '$work/client'/*.dts | sort -n | tail -1) -le 32768"
tap_check "... which dpu-telemetry-read gives back record for record" \
	/usr/bin/python3 -c "
import json, subprocess, sys
out = subprocess.run(['$rd', '$work/client'], capture_output=True, text=True, check=True).stdout
recs = [json.loads(l) for l in out.splitlines()]
ok = len(recs) == 3000 and all(r['source'] == 'filer' and r['packets'] == i + 1 for i, r in enumerate(recs))
sys.exit(0 if ok else 1)"

# A damaged file: the records before the damage, then where it is.
f=$(ls "$data"/data1-*.dts | head -1)
size=$(stat -c %s "$f")
head -c $((size - 10)) "$f" >"$work/cut.dts"
"$rd" "$work/cut.dts" >"$work/cut.jsonl" 2>"$work/cut.err"
rc=$?
tap_check "a cut file: exit 1" test $rc -eq 1
tap_check "... the error names the file and offset" grep -q "cut.dts: offset [0-9]*: a message cut short" "$work/cut.err"
tap_check "... the records before the cut are there ($(grep -c . "$work/cut.jsonl"))" \
	sh -c "test \$(grep -c . '$work/cut.jsonl') -gt 0 && '$rd' '$f' | head -n \$(grep -c . '$work/cut.jsonl') | cmp -s - '$work/cut.jsonl'"
printf 'not a data file' >"$work/junk.dts"
"$rd" "$work/junk.dts" >/dev/null 2>"$work/junk.err"
rc=$?
tap_check "a file that is not one: exit 1, offset 0" \
	sh -c "test $rc -eq 1 && grep -q 'junk.dts: offset 0: not a dpu-telemetry data file' '$work/junk.err'"
tap_done
