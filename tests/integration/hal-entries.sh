#!/bin/sh
# Entries in batches through the HAL (dpu_pipe_entries_add) into dpu-simd:
# every good entry added and in force when the call returns, a bad one
# refused alone with its index and reason, an ECMP group carried whole,
# re-adding routes replaces them in place (same ids), one entry's counters
# read without listing the pipe's thousands. Then dpu-simctl's pipe create,
# entry add/del and entry load (a file of entries, errors by line), and
# pipes destroyed.
set -u
. "$top_srcdir/tests/tap.sh"

simd="$top_builddir/sim/simd/dpu-simd"
ctl="$top_builddir/sim/simd/dpu-simctl"
helper="$top_builddir/tests/helpers/hal-entries"
pcap="$top_srcdir/fixtures/pcap/mixed.pcap"
work=$(mktemp -d)
run="$work/run"
uri="sim:bf3-0,run-dir=$run"
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

"$simd" --device "$top_srcdir/fixtures/devices/bf3.yaml" --run-dir "$run" 2>>"$work/simd.log" &
pid=$!
tap_wait 5 "dpu-simd listens" test -S "$run/simd.sock"

# 10000 routes: several requests' worth (each under the control socket's 64 KiB).
"$helper" "$uri" lpm 10000 >"$work/lpm.out" 2>&1
cat "$work/lpm.out" >&2
tap_check "lpm batch: every good route added" grep -q "^added 9999 of 10000$" "$work/lpm.out"
tap_check "lpm batch: the bad route refused alone, by index and reason" \
	sh -c "grep -q '^failed 5 -19\$' '$work/lpm.out' &&
	       grep -q '^first error: entries\[5\]: actions.port: nope is not a port' '$work/lpm.out'"
tap_check "lpm batch: nothing else refused" test "$(grep -c '^failed' "$work/lpm.out")" = 1
ecmp=$(sed -n 's/^entry 1 //p' "$work/lpm.out")
last=$(sed -n 's/^entry 9999 //p' "$work/lpm.out")
# One route as the daemon holds it (the "entries" request for one entry).
route() {
	/usr/bin/python3 - "$run/simd.sock" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rw")
f.write(json.dumps({"cmd": "entries", "pipe": "routes", "entry": int(sys.argv[2])}) + "\n"); f.flush()
e = json.loads(f.readline())["entries"]
print(len(e), json.dumps(e[0]["actions"], sort_keys=True))
PY
}
route "$ecmp" >"$work/ecmp.out" 2>&1
cat "$work/ecmp.out" >&2
tap_check "lpm batch: the ECMP group carried whole (4 members)" \
	grep -q '^1 \[{"fate": "port", "mark": 11, "port": "p0"}, {"fate": "port", "mark": 12, "port": "p1"}, {.*"mark": 13.*}, {.*"mark": 14.*}\]$' "$work/ecmp.out"
# A reply far larger than the socket takes at once (all 9999 routes, over
# 1 MB) goes out whole to a client slow to read it, and a request sent
# right behind the first, before reading, is answered after it.
/usr/bin/python3 - "$run/simd.sock" >"$work/big.out" 2>&1 <<'PY'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall((json.dumps({"cmd": "entries", "pipe": "routes", "from": 0, "max": 100000}) + "\n" +
           json.dumps({"cmd": "pipes"}) + "\n").encode())
time.sleep(0.5)
f = s.makefile("r")
a = json.loads(f.readline()); b = json.loads(f.readline())
print("big", a["ok"], len(a["entries"]), "next", b["ok"], "pipes" in b)
PY
cat "$work/big.out" >&2
tap_check "control: a reply larger than the socket takes goes whole, the next after it" \
	grep -q "^big True 9999 next True True$" "$work/big.out"
"$ctl" --run-dir "$run" replay "$pcap" --port p0 --top-speed >/dev/null
# 10.0.1.0/24 is route 1: the capture's 790 IPv4 packets to 10.0.1.x.
"$helper" "$uri" stats routes "$ecmp" >"$work/stats.out" 2>&1
cat "$work/stats.out" >&2
tap_check "entry stats of one route among 10000: its packets" grep -q "^packets 790 " "$work/stats.out"
"$helper" "$uri" stats routes "$last" >"$work/stats-last.out" 2>&1
tap_check "entry stats: an unused route counts nothing" grep -q "^packets 0 bytes 0$" "$work/stats-last.out"
"$helper" "$uri" stats routes 20000 2>"$work/stats-none.out"
tap_check "entry stats: an unknown entry is refused, named" grep -q "entry 20000: not in pipe routes" "$work/stats-none.out"

"$helper" "$uri" lpm-again 10000 >"$work/again.out" 2>&1
cat "$work/again.out" >&2
tap_check "lpm batch again: all 10000 taken" grep -q "^added 10000 of 10000$" "$work/again.out"
tap_check "lpm batch again: routes replaced in place (their ids)" \
	sh -c "grep -q '^entry 1 $ecmp\$' '$work/again.out' && grep -q '^entry 9999 $last\$' '$work/again.out'"
"$ctl" --run-dir "$run" pipes >"$work/pipes.out"
tap_check "pipes: 10000 routes, none twice" grep -Eq "^routes +lpm +yes +10000 " "$work/pipes.out"
"$ctl" --run-dir "$run" entries routes >"$work/routes.out" 2>&1
"$ctl" --run-dir "$run" --json entries routes >"$work/routes.json" 2>&1
tap_check "simctl entries: all 10000 routes listed, in id order, once each" \
	sh -c "test \$(awk 'NR > 1 {print \$1}' '$work/routes.out' | sort -n | uniq | wc -l) = 10000 &&
	       awk 'NR > 1 {print \$1}' '$work/routes.out' | sort -c -n"
tap_check "simctl --json entries: all 10000" \
	sh -c "test \$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' '$work/routes.json') = 10000"
route "$ecmp" >"$work/ecmp2.out" 2>&1
tap_check "a replaced route: its new actions, its counters kept" \
	sh -c "grep -q '^1 {\"fate\": \"port\", \"mark\": 2, \"port\": \"p0\"}\$' '$work/ecmp2.out' &&
	       '$helper' '$uri' stats routes '$ecmp' | grep -q '^packets 790 '"
"$helper" "$uri" update routes "$ecmp" p1 21 p0 22
route "$ecmp" >"$work/ecmp3.out" 2>&1
tap_check "entry update through the HAL: an ECMP group again, counters kept" \
	sh -c "grep -q '^1 \[{\"fate\": \"port\", \"mark\": 21, \"port\": \"p1\"}, {\"fate\": \"port\", \"mark\": 22, \"port\": \"p0\"}\]\$' '$work/ecmp3.out' &&
	       '$helper' '$uri' stats routes '$ecmp' | grep -q '^packets 790 '"
"$helper" "$uri" update routes 123456 p0 1 2>"$work/upd-none.err"
tap_check "entry update: an unknown entry refused, named" grep -q "entry 123456: not in pipe routes" "$work/upd-none.err"

# 2000 ACL rules in one call: compiled once, in force when it returns.
"$helper" "$uri" acl 2000 >"$work/acl.out" 2>&1
cat "$work/acl.out" >&2
tap_check "acl batch: every good rule added" grep -q "^added 1999 of 2000$" "$work/acl.out"
tap_check "acl batch: the rule matching a VNI refused alone" \
	sh -c "test \"\$(grep '^failed' '$work/acl.out')\" = 'failed 3 -22' &&
	       grep -q '^first error: entries\[3\]: match: acl pipes match' '$work/acl.out'"
dns=$(sed -n 's/^entry 52 //p' "$work/acl.out")
"$ctl" --run-dir "$run" replay "$pcap" --port p0 --top-speed >/dev/null
"$helper" "$uri" stats acl "$dns" >"$work/acl-stats.out" 2>&1
tap_check "acl batch: in force at once (udp/53's 200 packets hit its rule)" \
	grep -q "^packets 200 " "$work/acl-stats.out"

# The same through dpu-simctl: one entry, a file of them, deletions.
"$ctl" --run-dir "$run" pipe create fib --kind lpm --max 64 --miss '{"fate": "pipe", "pipe": "default"}'
tap_check "simctl pipe create: made" sh -c "'$ctl' --run-dir '$run' pipes | grep -Eq '^fib +lpm +0 +64 '"
"$ctl" --run-dir "$run" entry add fib '{"dst_ip": "10.9.0.0/16"}' '{"fate": "port", "port": "p1", "mark": 5}' >"$work/add.out"
tap_check "simctl entry add: prints the id" grep -q "^entry [0-9][0-9]*$" "$work/add.out"
"$ctl" --run-dir "$run" entry add fib '{"dst_ip": "10.8.0.0/16"' '{"fate": "drop"}' 2>"$work/add-bad.out"
tap_check "simctl entry add: bad JSON refused, exit 1, where" \
	sh -c "test $? -eq 1 && grep -q 'MATCH: column [0-9]*: JSON syntax' '$work/add-bad.out'"
"$ctl" --run-dir "$run" entry add fib '{"dst_ip": "10.8.0.0/33"}' '{"fate": "drop"}' 2>"$work/add-bad2.out"
tap_check "simctl entry add: dpu-simd's refusal, naming the field" \
	grep -q "match.dst_ip: prefix length" "$work/add-bad2.out"
cat >"$work/routes.jsonl" <<'JSON'
# a route file: one entry a line
{"match": {"dst_ip": "10.1.0.0/16"}, "actions": {"fate": "drop"}}

{"match": {"dst_ip": "10.2.0.0/16"}, "actions": {"fate": "port", "port": "nope"}}
{"match": {"dst_ip": "10.3.0.0/16"}, "actions": [{"fate": "port", "port": "p0"}, {"fate": "port", "port": "p1"}]}
JSON
"$ctl" --run-dir "$run" entry load fib "$work/routes.jsonl" >"$work/load.out" 2>"$work/load.err"
rc=$?
cat "$work/load.out" "$work/load.err" >&2
tap_check "simctl entry load: the good lines added, exit 1 for the bad" \
	sh -c "test $rc -eq 1 && grep -q '^2 of 3 entries added from ' '$work/load.out'"
tap_check "simctl entry load: a refused line named by file and line" \
	grep -q "routes.jsonl:4: actions.port: nope is not a port" "$work/load.err"
"$ctl" --run-dir "$run" entries fib >"$work/fib.out"
tap_check "simctl entries: the loaded ECMP route, both members" \
	grep -q '{"dst_ip":"10.3.0.0/16"} -> \[{"fate":"port","port":"p0"},{"fate":"port","port":"p1"}\]' "$work/fib.out"
printf '{"match": {"dst_ip": "10.4.0.0/16"}, "actions": {"fate": "drop"}}\n{"match": [1,\n' >"$work/broken.jsonl"
"$ctl" --run-dir "$run" entry load fib "$work/broken.jsonl" 2>"$work/broken.err"
tap_check "simctl entry load: a syntax error names file, line and column, loads nothing" \
	sh -c "grep -q 'broken.jsonl:2:[0-9]*: JSON syntax' '$work/broken.err' &&
	       grep -q 'nothing loaded' '$work/broken.err' &&
	       '$ctl' --run-dir '$run' pipes | grep -Eq '^fib +lpm +3 '"
id=$(sed -n 's/^entry //p' "$work/add.out")
"$ctl" --run-dir "$run" entry del fib "$id"
tap_check "simctl entry del: gone" sh -c "'$ctl' --run-dir '$run' pipes | grep -Eq '^fib +lpm +2 '"
"$ctl" --run-dir "$run" entry del fib "$id" 2>"$work/del.err"
tap_check "simctl entry del again: refused, exit 1" \
	sh -c "test $? -eq 1 && grep -q 'entry $id: not in pipe fib' '$work/del.err'"
# An ACL file: compiled once at the end, in force when the command returns.
"$ctl" --run-dir "$run" pipe create acl2 --kind acl --root --miss '{"fate": "pipe", "pipe": "default"}'
printf '{"priority": 1, "match": {"ip_proto": "udp", "dst_port": 53}, "actions": {"fate": "pipe", "pipe": "default", "mark": 53}}\n{"priority": 2, "match": {"ip_proto": "tcp", "dst_port": "80-443"}, "actions": {"fate": "pipe", "pipe": "default"}}\n' >"$work/acl.jsonl"
"$ctl" --run-dir "$run" entry load acl2 "$work/acl.jsonl" >"$work/acl-load.out"
"$ctl" --run-dir "$run" replay "$pcap" --port p0 --top-speed >/dev/null
"$ctl" --run-dir "$run" entries acl2 >"$work/acl2.out"
cat "$work/acl-load.out" "$work/acl2.out" >&2
tap_check "simctl entry load into an ACL pipe: in force (udp/53 and tcp/80..443 counted)" \
	sh -c "grep -Eq '^[0-9]+ +1 +200 ' '$work/acl2.out' && grep -Eq '^[0-9]+ +2 +400 ' '$work/acl2.out'"
dnsid=$(awk '$2 == 1 {print $1}' "$work/acl2.out")
"$ctl" --run-dir "$run" entry update acl2 "$dnsid" '{"fate": "pipe", "pipe": "default", "mark": 99}'
"$ctl" --run-dir "$run" replay "$pcap" --port p0 --top-speed >/dev/null
"$ctl" --run-dir "$run" entries acl2 >"$work/acl3.out"
tap_check "simctl entry update of an ACL rule: in force, its counters go on" \
	grep -Eq "^$dnsid +1 +400 .*\"mark\":99" "$work/acl3.out"
"$ctl" --run-dir "$run" entry update acl2 "$dnsid" '[{"fate": "drop"}, {"fate": "drop"}]' 2>"$work/upd-ecmp.err"
tap_check "simctl entry update: an ECMP group outside LPM refused" \
	sh -c "test $? -eq 1 && grep -q 'is for lpm pipes only' '$work/upd-ecmp.err'"
tcpid=$(awk '$2 == 2 {print $1}' "$work/acl2.out")
hm0=$("$ctl" --run-dir "$run" pipes | awk '$1 == "acl2" {print $(NF - 1), $NF}')
"$ctl" --run-dir "$run" entry del acl2 "$dnsid" "$tcpid"
"$ctl" --run-dir "$run" replay "$pcap" --port p0 --top-speed >/dev/null
hm1=$("$ctl" --run-dir "$run" pipes | awk '$1 == "acl2" {print $(NF - 1), $NF}')
# hits and misses before and after: the replay's 990 frames all misses
# (with the rules in force, udp/53's 200 and tcp's 400 would hit)
tap_check "simctl entry del of two ACL rules in one go: out of force (hits misses: $hm0 -> $hm1)" \
	sh -c "test $((${hm1#* } - ${hm0#* })) -eq 990 &&
	       '$ctl' --run-dir '$run' pipes | grep -Eq '^acl2 +acl +yes +0 '"

# 2000 routes withdrawn in one call; again, each refused alone.
"$helper" "$uri" del routes 100 2000 >"$work/del.out" 2>&1
tap_check "entries del in one go: 2000 routes" \
	sh -c "grep -q '^removed 2000 of 2000\$' '$work/del.out' &&
	       '$ctl' --run-dir '$run' pipes | grep -Eq '^routes +lpm +8000 '"
"$helper" "$uri" del routes 100 2000 >"$work/del2.out" 2>&1
tap_check "entries del again: each refused, named" \
	sh -c "grep -q '^removed 0 of 2000\$' '$work/del2.out' &&
	       grep -q '^first error: entries\[0\]: entry 100: not in pipe routes' '$work/del2.out'"
# dpu-simctl takes as many ids as the command line holds.
"$ctl" --run-dir "$run" entry del routes $(seq 3000 3299)
tap_check "simctl entry del of 300 routes in one command" \
	sh -c "test $? -eq 0 && '$ctl' --run-dir '$run' pipes | grep -Eq '^routes +lpm +7700 '"

# Pipes destroyed: not while another sends packets to them, never the
# switch's own; the root's going puts "default" back in front.
"$ctl" --run-dir "$run" pipe create tgt --kind exact --match in_port
"$ctl" --run-dir "$run" pipe create src --kind exact --match in_port --miss '{"fate": "pipe", "pipe": "tgt"}'
"$ctl" --run-dir "$run" pipe destroy tgt 2>"$work/busy.err"
tap_check "pipe destroy: refused while another pipe's miss sends packets there" \
	sh -c "test $? -eq 1 && grep -q 'tgt: another pipe.s entry or miss sends packets to it' '$work/busy.err'"
"$ctl" --run-dir "$run" pipe destroy src && "$ctl" --run-dir "$run" pipe destroy tgt
tap_check "pipe destroy: the sender, then its target" \
	sh -c "! '$ctl' --run-dir '$run' pipes | grep -Eq '^(src|tgt) '"
"$ctl" --run-dir "$run" pipe destroy default 2>"$work/default.err"
tap_check "pipe destroy: the switch's default stays" \
	sh -c "test $? -eq 1 && grep -q \"default: the switch's own pipe stays\" '$work/default.err'"
"$ctl" --run-dir "$run" pipe destroy routes
tap_check "pipe destroy: 10000 routes gone with their pipe" \
	sh -c "! '$ctl' --run-dir '$run' pipes | grep -q '^routes '"
"$ctl" --run-dir "$run" pipe destroy acl2
"$ctl" --run-dir "$run" pipes >"$work/pipes-after.out"
cat "$work/pipes-after.out" >&2
tap_check "pipe destroy of the root: default is the root again" grep -Eq "^default +exact +yes " "$work/pipes-after.out"
before=$(awk '$1 == "default" {print $6}' "$work/pipes-after.out")
"$ctl" --run-dir "$run" replay "$pcap" --port p0 --top-speed >/dev/null
after=$("$ctl" --run-dir "$run" pipes | awk '$1 == "default" {print $6}')
tap_check "pipe destroy of the root: frames through default again ($before -> $after hits)" \
	test "$after" -gt "$before"
# A port's ingress: its pipes go the same way; with none, it delivers all.
"$ctl" --run-dir "$run" pipe create keep --kind acl --root --domain en3f0pf0sf0
"$ctl" --run-dir "$run" pipes --domain en3f0pf0sf0 >"$work/ingress-before.out"
"$ctl" --run-dir "$run" pipe destroy keep --domain en3f0pf0sf0
"$ctl" --run-dir "$run" pipes --domain en3f0pf0sf0 >"$work/ingress-after.out"
tap_check "pipe destroy in a port's ingress" \
	sh -c "grep -Eq '^keep +acl +yes ' '$work/ingress-before.out' &&
	       grep -q '^PIPE ' '$work/ingress-after.out' && ! grep -q '^keep ' '$work/ingress-after.out'"
"$ctl" --run-dir "$run" pipe destroy keep --domain en3f0pf0sf0 2>"$work/gone.err"
tap_check "pipe destroy: an unknown pipe is refused, named" grep -q 'no pipe "keep" in this domain' "$work/gone.err"
"$ctl" --run-dir "$run" pipe create routes --kind lpm --max 16
tap_check "pipe create: a destroyed pipe's name free again" \
	sh -c "'$ctl' --run-dir '$run' pipes | grep -Eq '^routes +lpm +0 +16 '"

# Through the HAL: a batch of several requests (each sent before the last
# one's answer is read), all refused whole; the next call's answer is its own.
"$helper" "$uri" nopipe 10000 routes >"$work/nopipe.out" 2>&1
cat "$work/nopipe.out" >&2
tap_check "HAL batch into no pipe: refused, every entry with the reason" \
	grep -q "^refused -2, every entry -2$" "$work/nopipe.out"
tap_check "HAL batch into no pipe: the next call answered in step" \
	grep -q "^then added [0-9][0-9]*$" "$work/nopipe.out"

# The request itself refused: no such pipe.
/usr/bin/python3 - "$run/simd.sock" >"$work/raw.out" 2>&1 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rw")
def req(**r):
    f.write(json.dumps(r) + "\n"); f.flush()
    return json.loads(f.readline())
print("nopipe", req(cmd="entries-add", pipe="nope", entries=[]))
print("notlist", req(cmd="entries-add", pipe="routes", entries={}))
req(cmd="pipe-create", name="raw", kind="lpm")
print("junk", req(cmd="entries-add", pipe="raw",
                  entries=[{"match": {"dst_ip": "11.0.0.0/8"}, "actions": {"fate": "drop"}, "x": 1},
                           {"match": {"dst_ip": "12.0.0.0/8"}, "actions": {"fate": "drop"}}]))
PY
cat "$work/raw.out" >&2
tap_check "entries-add into no pipe: refused whole" grep -q "^nopipe .*'ok': False.*no pipe \"nope\"" "$work/raw.out"
tap_check "entries-add without a list: refused whole" grep -q "^notlist .*'ok': False.*entries: expected a list" "$work/raw.out"
tap_check "entries-add: an unknown key refuses its entry only" \
	grep -q "^junk .*'results': \[{'errno': 22, 'error': 'entries\[0\]: unknown key \"x\"'}, [0-9]" "$work/raw.out"

kill -TERM "$pid"
wait "$pid"
tap_check "SIGTERM: exit 0" test $? -eq 0
pid=""
tap_sanitizers_quiet "$work/simd.log"
tap_done
