#!/bin/sh
# The Telemetry Exporter API end to end: a client (tests/helpers/te-client)
# reports records to dpu-telemetry, which exports each field's last value on
# its Prometheus endpoint; dpu-telemetry restarted under a running client
# loses nothing the client does not count as dropped; malformed messages are
# refused, counted and logged, and the daemon goes on. Records travel through
# the shared-memory ring (a client without it, over the socket), and a ring
# with nonsense in it closes only that client.
set -u
. "$top_srcdir/tests/tap.sh"

dts="$top_builddir/src/telemetry/dpu-telemetry"
client="$top_builddir/tests/helpers/te-client"
work=$(mktemp -d)
cfgdir="$work/telemetry/config"
sockdir="$work/telemetry/ipc_sockets"
dpid=""
cpid=""
cleanup() {
	for p in $cpid $dpid; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port/metrics"
mkdir -p "$cfgdir"
printf 'update=100\nprometheus=http://127.0.0.1:%s\n' "$port" >"$cfgdir/dts_config.ini"
start_dts() {
	# No device: only the exporter API's series and dpu-telemetry's own.
	"$dts" --config-dir "$cfgdir" --device "sim:none,run-dir=$work/nosim" 2>>"$work/dts.log" &
	dpid=$!
	tap_wait 5 "${1:-dpu-telemetry} listens for exporter clients" test -S "$sockdir/dpu-telemetry.sock"
}
json() {
	/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

start_dts
"$client" --sockets-dir "$sockdir" --id c1 --count 3000 --names a,b,c >"$work/c1.json"
tap_check "client: 3000 records reported, all acknowledged" \
	test "$(json "$work/c1.json" 'd["reported"], d["acked"], d["dropped"]')" = "3000 3000 0"
tap_wait 3 "records counted per source: 3000" \
	sh -c "curl -sf '$url' | grep -qx 'dts_ipc_records_total{source=\"c1\",schema=\"demo\"} 3000'"
curl -sf "$url" >"$work/m1.txt"
# Record i (0-based) went to name i % 3 with packets i + 1: the last ones are 2998, 2999, 3000.
tap_check "last values per name: a=2998, b=2999, c=3000" \
	sh -c "grep -qx 'demo_port_stats_packets{source=\"c1\",name=\"a\"} 2998' '$work/m1.txt' &&
	       grep -qx 'demo_port_stats_packets{source=\"c1\",name=\"b\"} 2999' '$work/m1.txt' &&
	       grep -qx 'demo_port_stats_packets{source=\"c1\",name=\"c\"} 3000' '$work/m1.txt'"
tap_check "a double field: load" grep -qx 'demo_port_stats_load{source="c1",name="c"} 0.99' "$work/m1.txt"
tap_check "promtool accepts the exposition" sh -c "promtool check metrics <'$work/m1.txt' >/dev/null 2>&1"
rb=$(json "$work/c1.json" 'd["ring_batches"]')
tap_check "client: every batch went through the ring ($rb), none over the socket" \
	test "$(json "$work/c1.json" 'd["ring_batches"] > 0 and d["socket_batches"] == 0')" = "True"
tap_check "dpu-telemetry took the same $rb batches from the ring" \
	grep -qx "dts_ipc_ring_batches_total $rb" "$work/m1.txt"
"$client" --sockets-dir "$sockdir" --id c0 --count 3000 --names a,b,c --no-ring >"$work/c0.json"
tap_check "a client without the ring: all 3000 acknowledged, over the socket" \
	test "$(json "$work/c0.json" 'd["acked"] == 3000 and d["socket_batches"] > 0 and d["ring_batches"] == 0')" = "True"

# Restart dpu-telemetry under a running client (4000 records at 1000/s).
"$client" --sockets-dir "$sockdir" --id c2 --count 4000 --rate 1000 >"$work/c2.json" &
cpid=$!
sleep 1
kill -TERM "$dpid"
wait "$dpid"
tap_check "dpu-telemetry stopped under the client" test $? -eq 0
sleep 1
start_dts "dpu-telemetry again"
wait "$cpid"
cpid=""
tap_check "client: reported = acknowledged + dropped" \
	test "$(json "$work/c2.json" 'd["reported"] == d["acked"] + d["dropped"]')" = "True"
tap_check "client: nothing dropped across the restart (it buffered and resent)" \
	test "$(json "$work/c2.json" 'd["dropped"], d["acked"]')" = "0 4000"
tap_check "client: reconnected by itself" test "$(json "$work/c2.json" 'd["reconnects"] >= 2')" = "True"
tap_wait 3 "the last record arrived: packets 4000" \
	sh -c "curl -sf '$url' | grep -q '^demo_port_stats_packets{source=\"c2\",name=\"a\"} 4000\$'"
kill -TERM "$dpid"
wait "$dpid"
dpid=""
# Each instance logs what it took in from c2 at exit: together at least all of it.
took=$(sed -n 's/.*source c2 (demo): \([0-9]*\) records taken in.*/\1/p' "$work/dts.log" | awk '{s += $1} END {print s + 0}')
tap_check "the two instances took in all 4000 records between them ($took)" test "${took:-0}" -ge 4000

# Malformed messages: each refused (the connection closed), counted, logged.
start_dts "dpu-telemetry for bad input"
/usr/bin/python3 - "$sockdir/dpu-telemetry.sock" >"$work/bad.out" 2>&1 <<'PY'
import socket, struct, sys
def msg(kind, payload, magic=0x49535444):
    return struct.pack('<IHHI', magic, 1, kind, len(payload)) + payload
name = lambda s: s.encode().ljust(64, b'\0')
cases = [
    b'\xff' * 40,                                                     # garbage
    msg(1, name('demo') + name('x')),                                 # HELLO too short
    msg(3, struct.pack('<QQHHI', 1, 0, 0, 0, 0)),                     # RECORDS before HELLO
    msg(1, name('demo') + name('bad') + name('')) + b'',              # fine ...
]
for i, m in enumerate(cases[:3]):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    s.send(m)
    s.settimeout(2)
    print(i, "closed" if s.recv(16) == b"" else "open")
# Rings: RING without its memfd; an unsealed memfd; a sealed one with an entry of a bad length.
import fcntl, mmap, os
def ring(seal, entry=None, size=65536):
    fd = os.memfd_create("ring", os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, 4096 + size)
    m = mmap.mmap(fd, 4096 + size)
    m[0:8] = struct.pack('<II', 0x52535444, size)
    if entry is not None:
        m[4096:4096 + len(entry)] = entry
        m[64:72] = struct.pack('<Q', (len(entry) + 7) // 8 * 8)  # head
    if seal:
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW)
    return fd
for i, (fd, first) in enumerate([(None, False), (ring(False), False),
                                 (ring(True, struct.pack('<I', 1 << 28) + b'x' * 12), True)]):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    if first:
        s.send(cases[3])
    rm = msg(5, struct.pack('<I', 65536))
    if fd is None:
        s.send(rm)
    else:
        s.sendmsg([rm], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack('i', fd))])
    try:
        s.send(msg(6, b''))  # KICK (refused when DTS closed already)
        s.settimeout(2)
        closed = s.recv(16) == b""
    except (ConnectionResetError, BrokenPipeError):
        closed = True
    print("ring", i, "closed" if closed else "open")
# A TYPE with an unknown field type after a good HELLO.
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(cases[3])
s.send(msg(2, struct.pack('<HH', 0, 1) + name('t') + name('f') + struct.pack('<BH', 99, 1)))
s.settimeout(2)
print(3, "closed" if s.recv(16) == b"" else "open")
PY
tap_check "each malformed message closes its connection" test "$(grep -c closed "$work/bad.out")" = 7
tap_wait 3 "and is counted: dts_ipc_bad_messages_total 7" \
	sh -c "curl -sf '$url' | grep -qx 'dts_ipc_bad_messages_total 7'"
tap_check "the log names the reason" grep -q "RECORDS before HELLO; closing its connection" "$work/dts.log"
tap_check "and the ring's faults: no memfd, not sealed, a bad entry" \
	sh -c "grep -q 'RING without its memfd' '$work/dts.log' && grep -q 'not a memfd sealed' '$work/dts.log' && grep -q 'ring: an entry of a bad length' '$work/dts.log'"
"$client" --sockets-dir "$sockdir" --id c3 --count 10 >"$work/c3.json"
tap_check "a good client right after: all acknowledged" test "$(json "$work/c3.json" 'd["acked"]')" = 10
kill -TERM "$dpid"
wait "$dpid"
tap_check "clean exit" test $? -eq 0
dpid=""
tap_check "the socket is removed at exit" test ! -e "$sockdir/dpu-telemetry.sock"
tap_done
