/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet I/O on a service's port, on DPDK ethdev (libdpuhal-io; the
 * program has initialised the EAL).
 *
 * dpu_portio_open() makes port 'port' of the device this process's DPDK
 * port: on the simulator a memif interface to dpu-simd (which serves it),
 * on hardware the port's representor or SF on the mlx5 PMD. Frames arrive
 * with the eSwitch's metadata where a NIC's PMD puts it:
 *
 *   flow mark    m->hash.fdir.hi with RTE_MBUF_F_RX_FDIR_ID in ol_flags
 *                (dpu_mbuf_mark())
 *   source port  the rte_flow metadata dynamic field: the index in
 *                dpu_port_list() of the port the frame entered the switch
 *                on (dpu_mbuf_src_port())
 *
 * Frames sent go into the switch on 'port'. A port has 'queues' queue
 * pairs (dpu_portio_conf; 1 by default). The switch spreads what it sends to
 * the port over the receive queues as a NIC's RSS does: a Toeplitz hash
 * (the common 40-byte key) of the IPv4/IPv6 addresses and, for TCP and
 * UDP, the ports, looked up in a 128-entry redirection table that deals the
 * queues out in turn; frames without IP go to queue 0. The hash arrives in
 * m->hash.rss with RTE_MBUF_F_RX_RSS_HASH. One thread at a time per queue
 * and direction, as with rte_eth_rx/tx_burst.
 */
#ifndef DPU_HAL_IO_H
#define DPU_HAL_IO_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dpu/hal.h"

struct dpu_portio;

struct dpu_portio_conf {
	struct rte_mempool *pool;     /* rx buffers (required, borrowed) */
	uint16_t rx_desc, tx_desc;    /* 0: 1024 */
	unsigned int link_timeout_ms; /* wait for the link; 0: 3000 */
	uint16_t queues;	      /* queue pairs; 0: 1; at most DPU_PORTIO_MAX_QUEUES */
};

#define DPU_PORTIO_MAX_QUEUES 16

/*
 * -ENODEV: no such port; -ETIMEDOUT: the link did not come up;
 * -EOPNOTSUPP: the backend has no packet I/O. The device stays the
 * caller's and must outlive the returned handle.
 */
int dpu_portio_open(struct dpu_dev *dev, const char *port, const struct dpu_portio_conf *conf,
		    struct dpu_portio **iop);
/* Stop the port and detach it from this process. Accepts NULL. */
void dpu_portio_close(struct dpu_portio *io);
/* The DPDK port id, for rte_eth_* calls of the caller's own. */
uint16_t dpu_portio_ethdev(const struct dpu_portio *io);
bool dpu_portio_link_up(const struct dpu_portio *io);

uint16_t dpu_portio_queues(const struct dpu_portio *io);

/* Queue 'queue' (below dpu_portio_queues()). */
uint16_t dpu_portio_rx_queue_burst(struct dpu_portio *io, uint16_t queue, struct rte_mbuf **pkts,
				   uint16_t n);
uint16_t dpu_portio_tx_queue_burst(struct dpu_portio *io, uint16_t queue, struct rte_mbuf **pkts,
				   uint16_t n);

/* Queue 0. */
static inline uint16_t dpu_portio_rx_burst(struct dpu_portio *io, struct rte_mbuf **pkts,
					   uint16_t n)
{
	return dpu_portio_rx_queue_burst(io, 0, pkts, n);
}

static inline uint16_t dpu_portio_tx_burst(struct dpu_portio *io, struct rte_mbuf **pkts,
					   uint16_t n)
{
	return dpu_portio_tx_queue_burst(io, 0, pkts, n);
}

/* The flow mark the steering set, as a NIC reports it. */
static inline bool dpu_mbuf_mark(const struct rte_mbuf *m, uint32_t *mark)
{
	if ((m->ol_flags & RTE_MBUF_F_RX_FDIR_ID) == 0) {
		return false;
	}
	*mark = m->hash.fdir.hi;
	return true;
}

/* The switch port the frame came in on (rte_flow metadata), or -1 when unknown. */
int dpu_mbuf_src_port(const struct rte_mbuf *m);

#endif /* DPU_HAL_IO_H */
