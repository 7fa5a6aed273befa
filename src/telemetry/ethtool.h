/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ethtool provider (off by default: enable-provider=ethtool): the
 * driver statistics `ethtool -S` shows, for every interface of the network
 * namespace dpu-telemetry runs in, read with the SIOCETHTOOL ioctl
 * (ETHTOOL_GSSET_INFO, ETHTOOL_GSTRINGS, ETHTOOL_GSTATS).
 *
 *   dts_ethtool_<statistic>{device}   DTS name "<ifname>:<statistic>"
 *
 * The statistic's name made a metric name ([^a-zA-Z0-9_] -> '_'). Drivers
 * mix counters and gauges under these names without saying which (veth's
 * peer_ifindex beside its packet counts), so every one is exported as a
 * gauge, as node_exporter's ethtool collector does. Interfaces without
 * driver statistics (lo, tun) are left out; a driver that names two
 * statistics alike keeps the first.
 */
#ifndef DPU_TELEMETRY_ETHTOOL_H
#define DPU_TELEMETRY_ETHTOOL_H

#include "telemetry/config.h"
#include "telemetry/metrics.h"

struct dts_ethtool_stats {
	unsigned long long ioctls, ioctls_failed;
};

/* Returns 0 or -ENOMEM; an interface that cannot be read is skipped. */
int dts_ethtool_collect(const struct dts_config *cfg, struct dts_snapshot *snap,
			struct dts_ethtool_stats *st);

#endif /* DPU_TELEMETRY_ETHTOOL_H */
