#!/bin/sh
# Ports on kernel interfaces: in a network namespace, dpu-simd carries p0 on
# a veth (af_packet) and pf0hpf on a tap. tcpreplay, a real traffic
# generator, sends a capture into the veth's peer; the frames come out of
# the tap as the default steering says (p0 -> pf0hpf), byte for byte; frames
# written to the tap leave through the veth; the counters agree.
set -u
. "$top_srcdir/tests/tap.sh"

if [ "$(id -u)" -ne 0 ] || ! ip netns add "dpu-back-probe-$$" 2>/dev/null; then
	tap_skip "port backings" "needs root and network namespaces"
	tap_done
	exit 0
fi
ip netns del "dpu-back-probe-$$"
if ! command -v tcpreplay >/dev/null; then
	tap_skip "port backings" "tcpreplay is not installed (ci/install-deps installs it)"
	tap_done
	exit 0
fi

simd="$top_builddir/sim/simd/dpu-simd"
ctl="$top_builddir/sim/simd/dpu-simctl"
pcap="$top_srcdir/fixtures/pcap/mixed.pcap"
ns="dpu-back-$$"
work=$(mktemp -d)
run="$work/run"
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
nsx() { ip netns exec "$ns" "$@"; }
# No IPv6: the kernel would send its own solicitations on every link.
nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
nsx ip link set lo up
nsx ip link add wire type veth peer name p0-wire
nsx ip link set wire up
nsx ip link set p0-wire up

# Not through nsx: $! must be dpu-simd itself (ip netns exec execs it).
ip netns exec "$ns" "$simd" --device "$top_srcdir/fixtures/devices/bf3.yaml" --run-dir "$run" \
	--port-backing p0=af_packet:p0-wire --port-backing pf0hpf=tap:pf0hpf-tap \
	2>"$work/simd.log" &
pid=$!
tap_wait 10 "dpu-simd up with a veth and a tap" test -S "$run/simd.sock"
tap_check "the tap interface exists in the namespace" nsx ip link show pf0hpf-tap
nsx ip link set pf0hpf-tap up

# Frames of the capture long enough to be Ethernet (the kernel sends no runts).
frames=$(/usr/bin/python3 "$top_srcdir/tests/helpers/pcap-classify.py" "$pcap" |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["parsed"])')

# Capture on the tap what dpu-simd forwards there (python: AF_PACKET). tcpreplay
# paces at 10 kpps: flat out it overruns the af_packet ring and the socket
# buffer on this small machine.
ip netns exec "$ns" /usr/bin/python3 - "$pcap" pf0hpf-tap "$frames" >"$work/tap.out" 2>&1 <<'PY' &
import socket, struct, sys, time
want = []
data = open(sys.argv[1], "rb").read()
pos = 24
while pos + 16 <= len(data):
    cap = struct.unpack_from("<I", data, pos + 8)[0]
    fr = data[pos + 16:pos + 16 + cap]
    pos += 16 + cap
    if len(fr) >= 14:
        want.append(fr)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE
# The kernel takes a VLAN tag out of the frame into PACKET_AUXDATA: put it back.
SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 1 << 4
s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
s.bind((sys.argv[2], 0))
s.settimeout(0.5)
print("ready", flush=True)
got, end = [], time.time() + 20
while len(got) < int(sys.argv[3]) and time.time() < end:
    try:
        fr, anc, _, addr = s.recvmsg(65535, 256)
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    for level, kind, val in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA:
            status, _, _, _, _, tci, tpid = struct.unpack_from("IIIHHHH", val)
            if status & TP_STATUS_VLAN_VALID:
                fr = fr[:12] + struct.pack("!HH", tpid or 0x8100, tci) + fr[12:]
    got.append(fr)
print("frames", len(got))
print("identical", sum(1 for a, b in zip(want, got) if a == b))
bad = [(i, a.hex(), b.hex()) for i, (a, b) in enumerate(zip(want, got)) if a != b][:2]
if bad:
    print("differ", bad, file=sys.stderr)
PY
cap=$!
tap_wait 5 "capture on the tap ready" grep -q ready "$work/tap.out"

nsx tcpreplay --intf1=wire --pps=10000 "$pcap" >"$work/tcpreplay.log" 2>&1
tap_check "tcpreplay sent the capture into the veth" test $? -eq 0
wait "$cap"
tap_check "all $frames frames came out of the tap" grep -q "^frames $frames\$" "$work/tap.out"
tap_check "byte for byte, in order" grep -q "^identical $frames\$" "$work/tap.out"

counters() {
	"$ctl" --run-dir "$run" --json counters >"$work/c.json"
	/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([p['$2'] for p in d['ports'] if p['port'] == '$1'][0])" "$work/c.json"
}
tap_check "p0 counted $frames frames in" test "$(counters p0 rx_packets)" = "$frames"
tap_check "pf0hpf counted $frames frames out" test "$(counters pf0hpf tx_packets)" = "$frames"

# The other way: frames written to the tap leave through the veth.
nsx /usr/bin/python3 - >"$work/back.out" 2>&1 <<'PY'
import socket, time
rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
rx.bind(("wire", 0))
rx.settimeout(0.5)
tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
tx.bind(("pf0hpf-tap", 0))
frame = bytes.fromhex("020000000002020000000001") + b"\x88\xb5" + b"dpu-services back" + bytes(29)
for _ in range(50):
    tx.send(frame)
got, end = 0, time.time() + 10
while got < 50 and time.time() < end:
    try:
        fr, addr = rx.recvfrom(65535)
    except socket.timeout:
        continue
    if fr == frame:
        got += 1
print("back", got)
PY
tap_check "50 frames from the tap left through the veth" grep -q "^back 50\$" "$work/back.out"
tap_wait 3 "pf0hpf counted them in, p0 out" \
	sh -c "test \"\$(\"$ctl\" --run-dir '$run' --json counters | /usr/bin/python3 -c \"import json,sys; d={p['port']: p for p in json.load(sys.stdin)['ports']}; print(d['pf0hpf']['rx_packets'], d['p0']['tx_packets'])\")\" = '50 50'"

"$simd" --device "$top_srcdir/fixtures/devices/bf3.yaml" --run-dir "$work/run2" \
	--port-backing p9=tap 2>"$work/bad.log"
tap_check "a backing for an unknown port: exit 1, named" \
	sh -c "test $? -eq 1 && grep -q 'p9 is not a port of bf3-0' '$work/bad.log'"
"$simd" --device "$top_srcdir/fixtures/devices/bf3.yaml" --run-dir "$work/run3" \
	--port-backing p0=vhost:x 2>"$work/bad2.log"
tap_check "an unknown backing: exit 1, says what is expected" \
	sh -c "test $? -eq 1 && grep -q 'expected tap\[:IFNAME\] or af_packet:IFACE' '$work/bad2.log'"

kill -TERM "$pid"
wait "$pid"
tap_check "dpu-simd stops cleanly" test $? -eq 0
pid=""
tap_check "the tap is gone with it" sh -c "! ip netns exec '$ns' ip link show pf0hpf-tap 2>/dev/null"
tap_done
