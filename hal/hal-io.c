/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet I/O on a service's port (dpu/hal-io.h). */
#include <config.h>

/* rte_flow's metadata field (where mlx5 delivers it) is an experimental API. */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_flow.h>

#define DPU_LOG_MODULE "hal-io"
#include "common/log.h"
#include "common/timeutil.h"
#include "dpu/hal-io.h"
#include "hal-provider.h"
#include "sim/simd/portmeta.h"
#include "steer-rte.h"

#define IO_DESC_DEFAULT 1024
#define IO_LINK_TIMEOUT_MS 3000

struct dpu_portio {
	struct dpu_dev *dev;
	uint16_t ethdev, queues;
	bool meta_header;
	bool hotplugged;
	bool steering; /* registered with the device's rte_flow steering */
	struct dpu_hal_attach at;
	char port[DPU_HAL_STR];
};

uint16_t dpu_portio_ethdev(const struct dpu_portio *io)
{
	return io->ethdev;
}

bool dpu_portio_link_up(const struct dpu_portio *io)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(io->ethdev, &link) == 0 &&
	       link.link_status == RTE_ETH_LINK_UP;
}

static int start_port(struct dpu_portio *io, const struct dpu_portio_conf *conf)
{
	uint16_t rxd = conf->rx_desc ? conf->rx_desc : IO_DESC_DEFAULT;
	uint16_t txd = conf->tx_desc ? conf->tx_desc : IO_DESC_DEFAULT;
	struct rte_eth_conf ec;
	int rc;

	memset(&ec, 0, sizeof(ec));
	rc = rte_eth_dev_configure(io->ethdev, io->queues, io->queues, &ec);
	for (uint16_t q = 0; rc == 0 && q < io->queues; q++) {
		rc = rte_eth_rx_queue_setup(io->ethdev, q, rxd, SOCKET_ID_ANY, NULL, conf->pool);
		if (rc == 0) {
			rc = rte_eth_tx_queue_setup(io->ethdev, q, txd, SOCKET_ID_ANY, NULL);
		}
	}
	if (rc == 0) {
		rc = rte_eth_dev_start(io->ethdev);
	}
	return rc;
}

/* Close the port; the device goes too once none of its ports is left (a
 * representor's device is its adapter's, which other ports may still use). */
static void detach(struct dpu_portio *io)
{
	struct rte_eth_dev_info info;
	struct rte_device *device = NULL;
	uint16_t other;

	if (!io->hotplugged) {
		return;
	}
	if (rte_eth_dev_is_valid_port(io->ethdev) && rte_eth_dev_info_get(io->ethdev, &info) == 0) {
		device = info.device;
		rte_eth_dev_close(io->ethdev);
	}
	if (device != NULL) {
		RTE_ETH_FOREACH_DEV_OF(other, device)
		{
			return; /* another port of the device is still open */
		}
	} else if (io->at.match[0] != '\0') {
		return; /* no representor came up: the adapter stays as it was */
	}
	rte_eal_hotplug_remove(io->at.bus, io->at.name);
}

int dpu_hal_attach_ethdev(const struct dpu_hal_attach *at, uint16_t *port)
{
	struct rte_dev_iterator it;
	int rc;

	if (at->match[0] == '\0') {
		return rte_eth_dev_get_port_by_name(at->name, port);
	}
	rc = rte_eth_iterator_init(&it, at->match);
	if (rc < 0) {
		return rc;
	}
	*port = rte_eth_iterator_next(&it);
	rte_eth_iterator_cleanup(&it);
	return *port == RTE_MAX_ETHPORTS ? -ENODEV : 0;
}

int dpu_portio_open(struct dpu_dev *dev, const char *port, const struct dpu_portio_conf *conf,
		    struct dpu_portio **iop)
{
	unsigned int timeout =
		conf != NULL && conf->link_timeout_ms ? conf->link_timeout_ms : IO_LINK_TIMEOUT_MS;
	uint64_t until;
	struct dpu_portio *io;
	int rc;

	if (dev == NULL || port == NULL || conf == NULL || conf->pool == NULL || iop == NULL ||
	    conf->queues > DPU_PORTIO_MAX_QUEUES) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (dev->class->port_attach == NULL) {
		return -EOPNOTSUPP;
	}
	io = calloc(1, sizeof(*io));
	if (io == NULL) {
		return -ENOMEM;
	}
	dpu_strscpy(io->port, port, sizeof(io->port));
	io->dev = dev;
	io->ethdev = RTE_MAX_ETHPORTS; /* none yet */
	io->queues = conf->queues ? conf->queues : 1;
	io->at.queues = io->queues;
	rc = dev->class->port_attach(dev, port, &io->at);
	if (rc < 0) {
		free(io);
		return rc;
	}
	io->meta_header = io->at.meta_header;
	/* Where the source port goes, as mlx5 delivers rte_flow metadata. */
	if (io->meta_header && rte_flow_dynf_metadata_register() < 0) {
		log_warn("%s: no rte_flow metadata field: %s; source ports not delivered", port,
			 rte_strerror(rte_errno));
	}
	if (io->at.args[0] != '\0') {
		rc = rte_eal_hotplug_add(io->at.bus, io->at.name, io->at.args);
		if (rc == -EEXIST && dpu_rte_steer_probed(dev, port)) {
			rc = 0; /* probed for a switch rule: opened now */
		}
		if (rc < 0) {
			dpu_dev_set_error(dev, "%s: cannot attach %s:%s: %s", port, io->at.bus,
					  io->at.name, rte_strerror(-rc));
			free(io);
			return rc == -EEXIST ? -EBUSY : rc;
		}
		io->hotplugged = true;
	}
	rc = dpu_hal_attach_ethdev(&io->at, &io->ethdev);
	if (rc == 0) {
		rc = start_port(io, conf);
	}
	if (rc < 0) {
		dpu_dev_set_error(dev, "%s: cannot start %s: %s", port, io->at.name,
				  rte_strerror(-rc));
		detach(io);
		free(io);
		return rc;
	}
	until = dpu_time_mono_ns() + (uint64_t)timeout * DPU_NSEC_PER_MSEC;
	while (!dpu_portio_link_up(io)) {
		if (dpu_time_mono_ns() >= until) {
			dpu_dev_set_error(dev, "%s: link of %s still down after %u ms", port,
					  io->at.name, timeout);
			rte_eth_dev_stop(io->ethdev);
			detach(io);
			free(io);
			return -ETIMEDOUT;
		}
		dpu_sleep_ns(5 * DPU_NSEC_PER_MSEC);
	}
	if (io->at.rte_steering) {
		rc = dpu_rte_steer_port_add(dev, port, io->ethdev, io->queues);
		if (rc < 0) {
			dpu_dev_set_error(dev, "%s: cannot set up its steering: %s", port,
					  strerror(-rc));
			rte_eth_dev_stop(io->ethdev);
			detach(io);
			free(io);
			return rc;
		}
		io->steering = true;
	}
	log_info("%s: packet I/O on DPDK port %u (%s), %u queue%s", port, io->ethdev, io->at.name,
		 io->queues, io->queues == 1 ? "" : "s");
	*iop = io;
	return 0;
}

void dpu_portio_close(struct dpu_portio *io)
{
	if (io == NULL) {
		return;
	}
	if (io->steering) {
		dpu_rte_steer_port_del(io->dev, io->port);
	}
	rte_eth_dev_stop(io->ethdev);
	detach(io);
	free(io);
}

/* The header dpu-simd puts in front: into the mbuf's mark and metadata fields. */
static void take_meta(struct rte_mbuf *m)
{
	struct simd_port_meta meta;

	if (rte_pktmbuf_data_len(m) < sizeof(meta)) {
		return;
	}
	memcpy(&meta, rte_pktmbuf_mtod(m, const void *), sizeof(meta));
	if (meta.magic != SIMD_META_MAGIC) {
		return;
	}
	rte_pktmbuf_adj(m, sizeof(meta));
	if (meta.flags & SIMD_META_MARKED) {
		m->hash.fdir.hi = meta.mark;
		m->ol_flags |= RTE_MBUF_F_RX_FDIR | RTE_MBUF_F_RX_FDIR_ID;
	}
	if (meta.flags & SIMD_META_RSS) {
		m->hash.rss = meta.rss;
		m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
	}
	if (rte_flow_dynf_metadata_avail()) {
		*RTE_FLOW_DYNF_METADATA(m) = meta.src_port;
		m->ol_flags |= RTE_MBUF_DYNFLAG_RX_METADATA;
	}
}

int dpu_mbuf_src_port(const struct rte_mbuf *m)
{
	if (!rte_flow_dynf_metadata_avail() || (m->ol_flags & RTE_MBUF_DYNFLAG_RX_METADATA) == 0) {
		return -1;
	}
	return (int)*RTE_FLOW_DYNF_METADATA(m);
}

uint16_t dpu_portio_queues(const struct dpu_portio *io)
{
	return io->queues;
}

uint16_t dpu_portio_rx_queue_burst(struct dpu_portio *io, uint16_t queue, struct rte_mbuf **pkts,
				   uint16_t n)
{
	uint16_t got = rte_eth_rx_burst(io->ethdev, queue, pkts, n);

	if (io->meta_header) {
		for (uint16_t i = 0; i < got; i++) {
			take_meta(pkts[i]);
		}
	}
	return got;
}

uint16_t dpu_portio_tx_queue_burst(struct dpu_portio *io, uint16_t queue, struct rte_mbuf **pkts,
				   uint16_t n)
{
	return rte_eth_tx_burst(io->ethdev, queue, pkts, n);
}
