# In the guest (scenarios/lib.sh loaded): load each module and use it.
for m in openvswitch cls_flower act_gact sch_netem vrf; do
	check "modprobe $m" modprobe "$m"
done
ns a
check "a VRF device with its own table" at a ip link add vrf-blue type vrf table 10
check "netem delays on a link" at a tc qdisc add dev lo root netem delay 1ms
at a tc qdisc add dev lo ingress
check "a flower filter with a drop action" \
	at a tc filter add dev lo ingress protocol ip flower ip_proto udp dst_port 4789 action drop
check_eq "the guest runs the cached Debian kernel" "$(uname -r)" "$(ls /lib/modules | head -1)"
