# Soft-RoCE between two hosts: rdma_rxe on each guest's eth0, then RDMA
# traffic with rdma-core's own tools: rping (RDMA read and write through the
# connection manager, every ping's data validated) and perftest's
# ib_write_bw (RDMA writes, its bandwidth reported).
scenario "soft-RoCE between two QEMU guests: rping with validation, ib_write_bw"
needs_root
needs rdma ibv_devices rping ib_write_bw
vm server=guest.sh client=guest.sh
