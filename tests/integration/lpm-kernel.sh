#!/bin/sh
# The eSwitch's LPM against the kernel's FIB: the same random IPv4 and IPv6
# route tables go into a network namespace (as routes via eight veth
# next hops) and into an eSwitch LPM pipe; for random addresses the next hop
# from `ip route get` and from the eSwitch must agree. LPM_TEST_SEED=<n>
# picks other tables; KEEP=1 keeps the work directory.
set -u
. "$top_srcdir/tests/tap.sh"

if [ "$(id -u)" -ne 0 ] || ! ip netns add "dpu-lpm-probe-$$" 2>/dev/null; then
	tap_skip "LPM against the kernel" "needs root and network namespaces"
	tap_done
	exit 0
fi
ip netns del "dpu-lpm-probe-$$"

ns="dpu-lpm-$$"
work=$(mktemp -d)
cleanup() {
	ip netns del "$ns" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
for k in 0 1 2 3 4 5 6 7; do
	ip -n "$ns" link add "v$k" type veth peer name "v${k}p"
	ip -n "$ns" addr add "192.168.$k.1/24" dev "v$k"
	ip -n "$ns" -6 addr add "fd00:$k::1/64" dev "v$k" nodad
	ip -n "$ns" link set "v$k" up
	ip -n "$ns" link set "v${k}p" up
done

# Random tables and queries (seeded); next hop k is gateway 192.168.k.2 / fd00:k::2.
/usr/bin/python3 - "$work" "${LPM_TEST_SEED:-1}" <<'PY'
import ipaddress, random, sys
out, seed = sys.argv[1], int(sys.argv[2])
r = random.Random(seed)
def excluded4(n):
    return n.overlaps(ipaddress.ip_network("192.168.0.0/16")) or n.overlaps(ipaddress.ip_network("127.0.0.0/8")) \
        or n.overlaps(ipaddress.ip_network("224.0.0.0/3")) or n.overlaps(ipaddress.ip_network("0.0.0.0/8"))
routes, kroutes, seen = [], [], set()
for fam in (4, 6):
    while len([x for x in routes if x[0] == fam]) < 400:
        if fam == 4:
            depth = r.choice([8, 12, 16, 16, 20, 24, 24, 24, 28, 32])
            net = ipaddress.ip_network((r.getrandbits(32) & ~((1 << (32 - depth)) - 1), depth))
            if excluded4(net):
                continue
        else:
            depth = r.choice([16, 32, 48, 48, 56, 64, 64, 96, 128])
            base = (0x2001 << 112) | (r.getrandbits(20) << 92) | r.getrandbits(92)
            net = ipaddress.ip_network((base & ~((1 << (128 - depth)) - 1), depth))
        if (fam, net) in seen:
            continue
        seen.add((fam, net))
        routes.append((fam, net, r.randrange(8)))
# Nested prefixes on purpose: more specifics inside existing routes.
for fam, net, nh in list(routes)[:200]:
    if net.prefixlen < net.max_prefixlen - 4:
        sub = list(net.subnets(new_prefix=net.prefixlen + r.randrange(1, 5)))[0]
        if (fam, sub) not in seen:
            seen.add((fam, sub))
            routes.append((fam, sub, r.randrange(8)))
with open(out + "/ip.batch", "w") as b, open(out + "/routes", "w") as rt:
    b.write("route add default via 192.168.0.2\n")
    b.write("route add ::/0 via fd00:0::2\n")
    for fam, net, nh in routes:
        gw = "192.168.%d.2" % nh if fam == 4 else "fd00:%d::2" % nh
        b.write("route add %s via %s\n" % (net, gw))
        rt.write("%s %d\n" % (net, nh))
qs = []
for i in range(1500):
    fam, net, nh = r.choice(routes)
    host = net.network_address + r.randrange(net.num_addresses)
    if fam == 4 and excluded4(ipaddress.ip_network(str(host) + "/32")):
        continue
    qs.append(str(host))
for i in range(300):  # and addresses anywhere (the default route)
    a = ipaddress.ip_address(r.getrandbits(32))
    if not excluded4(ipaddress.ip_network(str(a) + "/32")):
        qs.append(str(a))
with open(out + "/addrs", "w") as f:
    f.write("\n".join(qs) + "\n")
with open(out + "/get.batch", "w") as f:
    for q in qs:
        f.write("route get %s\n" % q)
PY
ip -n "$ns" -batch "$work/ip.batch" 2>"$work/add.err"
tap_check "kernel accepted every route" test ! -s "$work/add.err"
ip -n "$ns" -batch "$work/get.batch" >"$work/kernel.out" 2>"$work/get.err"
# "A via 192.168.K.2 dev vK ..." / "A from :: via fd00:K::2 dev vK ..."
sed -n 's/^\([^ ]*\) .*via [^ ]* dev v\([0-9]\) .*/\1 \2/p' "$work/kernel.out" >"$work/kernel"
"$top_builddir/tests/helpers/esw-lpm-lookup" "$work/routes" "$work/addrs" >"$work/esw.raw" 2>"$work/esw.err"
tap_check "eSwitch loaded the routes" test $? -eq 0
# A miss in the eSwitch is the default route (next hop 0) in the kernel.
sed 's/ miss$/ 0/' "$work/esw.raw" >"$work/esw"
total=$(wc -l <"$work/addrs")
tap_check "kernel answered every query ($total)" test "$(wc -l <"$work/kernel")" -eq "$total"
if cmp -s "$work/kernel" "$work/esw"; then
	tap_ok "eSwitch and kernel agree on all $total addresses"
else
	tap_not_ok "eSwitch and kernel agree on all $total addresses" \
		"$(diff "$work/kernel" "$work/esw" | head -5)"
fi
v6=$(grep -c ':' "$work/addrs")
tap_check "IPv6 took part ($v6 addresses)" test "$v6" -gt 100
tap_done
