#!/bin/sh
# The eSwitch's packet edits against Linux's own VXLAN: dpu-simd terminates a
# VXLAN tunnel from a kernel VTEP on uplink p0 and routes between the tenant
# network behind it and a host behind pf0hpf, as HBN would
# (tests/helpers/vxlan-router sets the pipes up through the HAL: decap, LPM
# on the inner destination, MAC rewrite, TTL decrement, meter, encap).
#
#   ns vtep: vt0 192.0.2.1 --veth-- ns dpu: p0-wire = p0 ] dpu-simd [ pf0hpf = pf-wire --veth-- ns host: h0
#            vx100 10.1.0.1 (VNI 100, remote 192.0.2.2)                                                 10.2.0.2
#
# The kernel accepts only well-formed frames: ping and a TCP transfer across
# both directions prove the decap, the encap (outer IPv4 header checksum or
# IPv6 UDP checksum, lengths, VNI), the rewritten MACs and the IPv4 checksum
# after the TTL decrement; ping's "ttl=63" shows the decrement itself. The
# counters of the entries, the meter and the VRF's miss path agree with what
# was sent. All of it twice: the tunnel over IPv4, then over IPv6.
set -u
. "$top_srcdir/tests/tap.sh"

if [ "$(id -u)" -ne 0 ] || ! ip netns add "esw-vx-probe-$$" 2>/dev/null; then
	tap_skip "VXLAN through the eSwitch" "needs root and network namespaces"
	tap_done
	exit 0
fi
ip netns del "esw-vx-probe-$$"
if ! ip link add "vxprobe$$" type vxlan id 1 dstport 4789 2>/dev/null; then
	tap_skip "VXLAN through the eSwitch" "the kernel has no vxlan driver"
	tap_done
	exit 0
fi
ip link del "vxprobe$$"

simd="$top_builddir/sim/simd/dpu-simd"
ctl="$top_builddir/sim/simd/dpu-simctl"
router="$top_builddir/tests/helpers/vxlan-router"
work=$(mktemp -d)
pid=""
spid=""
nss=""
stop_all() {
	[ -n "$spid" ] && kill -9 "$spid" 2>/dev/null
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	wait 2>/dev/null
	for n in $nss; do ip netns del "$n" 2>/dev/null; done
	pid=""
	spid=""
	nss=""
}
cleanup() {
	stop_all
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

UPLINK_MAC=02:00:00:00:0a:01 # the DPU's side of the tunnel
ROUTER_MAC=02:00:00:00:0a:fe
VT0_MAC=02:00:00:00:0b:01
VX_MAC=02:00:00:00:0b:64
H0_MAC=02:00:00:00:0c:01

# scenario 4|6: the tunnel over IPv4 or IPv6.
scenario() {
	fam=$1
	dpu="esw-vx$fam-dpu-$$"
	vtep="esw-vx$fam-vtep-$$"
	host="esw-vx$fam-host-$$"
	nss="$dpu $vtep $host"
	run="$work/run$fam"
	w="$work/v$fam"
	mkdir -p "$w"
	if [ "$fam" = 4 ]; then
		local_ip=192.0.2.2 remote_ip=192.0.2.1 plen=24
	else
		local_ip=2001:db8::2 remote_ip=2001:db8::1 plen=64
	fi
	for n in "$dpu" "$vtep" "$host"; do
		ip netns add "$n"
		# No IPv6: the kernel would send its own solicitations on every link.
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip -n "$n" link set lo up
	done
	ip -n "$dpu" link add p0-wire type veth peer name vt0 netns "$vtep"
	ip -n "$dpu" link add pf-wire type veth peer name h0 netns "$host"
	ip -n "$dpu" link set p0-wire up
	ip -n "$dpu" link set pf-wire up
	# Checksums filled in by the sender's stack, not left to an offload the
	# af_packet port would pass on unfinished.
	ip netns exec "$vtep" ethtool -K vt0 tx off >/dev/null
	ip netns exec "$host" ethtool -K h0 tx off >/dev/null

	if [ "$fam" = 6 ]; then
		# IPv6 on the tunnel's link only; no duplicate address detection to wait for.
		ip netns exec "$vtep" sysctl -qw net.ipv6.conf.vt0.disable_ipv6=0 \
			net.ipv6.conf.vt0.accept_dad=0
	fi
	ip -n "$vtep" link set vt0 address "$VT0_MAC" up
	ip -n "$vtep" addr add "$remote_ip/$plen" dev vt0 nodad
	ip -n "$vtep" neigh add "$local_ip" lladdr "$UPLINK_MAC" dev vt0 nud permanent
	ip -n "$vtep" link add vx100 address "$VX_MAC" type vxlan id 100 local "$remote_ip" \
		remote "$local_ip" dstport 4789 dev vt0
	ip -n "$vtep" link set vx100 up
	ip -n "$vtep" addr add 10.1.0.1/24 dev vx100
	ip -n "$vtep" neigh add 10.1.0.254 lladdr "$ROUTER_MAC" dev vx100 nud permanent
	ip -n "$vtep" route add 10.2.0.0/24 via 10.1.0.254
	ip -n "$vtep" route add 10.3.0.0/24 via 10.1.0.254

	ip -n "$host" link set h0 address "$H0_MAC" up
	ip -n "$host" addr add 10.2.0.2/24 dev h0
	ip -n "$host" neigh add 10.2.0.1 lladdr "$ROUTER_MAC" dev h0 nud permanent
	ip -n "$host" route add default via 10.2.0.1

	ip netns exec "$dpu" "$simd" --device "$top_srcdir/fixtures/devices/bf3.yaml" --run-dir "$run" \
		--port-backing p0=af_packet:p0-wire --port-backing pf0hpf=af_packet:pf-wire \
		2>"$w/simd.log" &
	pid=$!
	tap_wait 10 "IPv$fam tunnel: dpu-simd up on the two veths" test -S "$run/simd.sock"

	uri="sim:bf3-0,run-dir=$run"
	"$router" --device "$uri" --uplink p0 --host-port pf0hpf --vni 100 \
		--local-ip "$local_ip" --remote-ip "$remote_ip" --local-mac "$UPLINK_MAC" \
		--remote-mac "$VT0_MAC" --router-mac "$ROUTER_MAC" --host-net 10.2.0.0/24 \
		--host-mac "$H0_MAC" --tenant-net 10.1.0.0/24 --tenant-mac "$VX_MAC" \
		--meter 50000000:1000000 >"$w/router.json" 2>"$w/router.log"
	tap_check "IPv$fam tunnel: pipes, entries and a meter set up through the HAL" test $? -eq 0
	cat "$w/router.log" >&2
	meter=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["meter"])' \
		"$w/router.json")

	ip netns exec "$vtep" ping -c 5 -i 0.2 -W 2 10.2.0.2 >"$w/ping.txt" 2>&1
	tap_check "IPv$fam tunnel: ping 10.2.0.2 across the tunnel and the route: 5 of 5 answered" \
		grep -q " 5 received" "$w/ping.txt"
	tap_check "IPv$fam tunnel: the replies arrive with TTL 63 (decremented once, checksum still right)" \
		test "$(grep -c 'ttl=63' "$w/ping.txt")" -eq 5
	cat "$w/ping.txt" >&2

	# TCP both ways: 1 MiB to the host, its SHA-256 back.
	ip netns exec "$host" /usr/bin/python3 -c '
import hashlib, socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.2.0.2", 5001)); s.listen(1); s.settimeout(30)
c, _ = s.accept(); c.settimeout(30); h = hashlib.sha256(); n = 0
while n < 1 << 20:
    b = c.recv(65536)
    if not b: break
    h.update(b); n += len(b)
c.sendall(h.hexdigest().encode()); c.close()
	' &
	spid=$!
	sleep 0.3
	got=$(ip netns exec "$vtep" /usr/bin/python3 -c '
import hashlib, os, socket
data = os.urandom(1 << 20)
s = socket.create_connection(("10.2.0.2", 5001), timeout=30)
s.sendall(data); print(hashlib.sha256(data).hexdigest(), s.recv(64).decode())
	' 2>"$w/tcp.log")
	wait "$spid"
	spid=""
	tap_check "IPv$fam tunnel: 1 MiB over TCP arrives whole (SHA-256 sent = SHA-256 received)" \
		sh -c "set -- $got; test \$# -eq 2 && test \"\$1\" = \"\$2\""

	# A tenant destination without a route in the VRF: the miss path drops it.
	ip netns exec "$vtep" ping -c 3 -i 0.2 -W 1 10.3.0.9 >/dev/null 2>&1
	tap_check "IPv$fam tunnel: no route for 10.3.0.9: nothing answers" test $? -ne 0

	"$ctl" --run-dir "$run" --json entries vrf >"$w/vrf.json"
	"$ctl" --run-dir "$run" --json entries vtep >"$w/vtep.json"
	"$ctl" --run-dir "$run" --json pipes >"$w/pipes.json"
	"$router" --device "$uri" --meter-stats "$meter" >"$w/meter.json"
	/usr/bin/python3 - "$w" >"$w/check.txt" <<-'PY'
	import json, sys
	w = sys.argv[1]
	def entries(name):
	    d = json.load(open(f"{w}/{name}.json"))
	    return {json.dumps(e["match"], sort_keys=True): e for e in d}
	vrf = entries("vrf")
	vtep = entries("vtep")
	host = [e for k, e in vrf.items() if "10.2.0.0/24" in k][0]
	tenant = [e for k, e in vrf.items() if "10.1.0.0/24" in k][0]
	up = [e for k, e in vtep.items() if '"vni": 100' in k][0]
	hp = [e for k, e in vtep.items() if '"vni": 0' in k][0]
	pipes = {p["name"]: p for p in json.load(open(f"{w}/pipes.json"))}
	meter = json.load(open(f"{w}/meter.json"))
	print(host["packets"], tenant["packets"], up["packets"], hp["packets"],
	      pipes["vrf"]["miss_packets"], meter["green"], meter["red"])
	PY
	set -- $(cat "$w/check.txt")
	tap_check "IPv$fam tunnel: route to the host hit by every frame to it (pings + TCP: $1)" test "${1:-0}" -ge 5
	tap_check "IPv$fam tunnel: route to the tenant hit by every frame back ($2)" test "${2:-0}" -ge 5
	tap_check "IPv$fam tunnel: decap entry counted what came out of the tunnel ($3 = $1 routed + 3 unrouted)" \
		test "${3:-0}" -eq "$((${1:-0} + 3))"
	tap_check "IPv$fam tunnel: host-side entry counted what went into it ($4 = $2)" test "${4:-0}" -eq "${2:-1}"
	tap_check "IPv$fam tunnel: the VRF's miss path counted the 3 unrouted pings (${5:-})" test "${5:-0}" -eq 3
	tap_check "IPv$fam tunnel: the meter saw every frame to the host, all green ($6 green, $7 red)" \
		test "${6:-0}" -eq "${1:-1}" -a "${7:-1}" -eq 0
	tap_check "IPv$fam tunnel: dpu-simctl meters shows the same ($6 green)" \
		sh -c "'$ctl' --run-dir '$run' meters | grep -Eq '^$meter +$6 +0 +0 +0\$'"
	stop_all
}

scenario 4
scenario 6
tap_done
