# In each guest (scenarios/lib.sh loaded). VM_INDEX 0 serves, 1 connects.
me="10.98.0.$((VM_INDEX + 1))"
ip link set eth0 up
ip addr add "$me/24" dev eth0
for m in rdma_rxe ib_uverbs rdma_ucm; do
	modprobe "$m"
done
check "$VM_NAME: rdma link add rxe0 on eth0" rdma link add rxe0 type rxe netdev eth0
check "$VM_NAME: ibv_devices lists rxe0" sh -c "ibv_devices | grep -qw rxe0"
if [ "$VM_INDEX" -eq 0 ]; then
	# Two clients in turn: rping, then ib_write_bw.
	check "server: rping served 20 validated pings" \
		timeout 120 rping -s -a "$me" -C 20 -V
	check "server: ib_write_bw served" timeout 120 ib_write_bw -d rxe0 -F -n 500 -s 65536
	exit 0
fi
# The client: retry until the server listens.
ok=1
for _ in $(seq 60); do
	if rping -c -a 10.98.0.1 -C 20 -V -v >"$SC_RESULTS/rping.out" 2>&1; then
		ok=0
		break
	fi
	sleep 1
done
check_eq "client: rping: 20 RDMA pings, data validated" "$ok" 0
check_eq "client: rping printed 20 pings" "$(grep -c '^ping data' "$SC_RESULTS/rping.out")" 20
for _ in $(seq 30); do
	ib_write_bw -d rxe0 -F -n 500 -s 65536 10.98.0.1 >"$SC_RESULTS/ib_write_bw.out" 2>&1 && break
	sleep 1
done
bw=$(awk '$1 == 65536 && $2 == 500 { print $4 }' "$SC_RESULTS/ib_write_bw.out")
check_range "client: ib_write_bw 500 x 64 KiB RDMA writes, average MB/s" "$bw" 0.01 100000
