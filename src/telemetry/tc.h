/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tc provider (off by default: enable-provider=tc): the statistics of
 * every queueing discipline and class of every interface in dpu-telemetry's
 * network namespace, as `tc -s qdisc show` / `tc -s class show` print them,
 * dumped over rtnetlink (RTM_GETQDISC, RTM_GETTCLASS) with libmnl.
 *
 *   dts_tc_qdisc_<stat>{device,kind,handle,parent}
 *   dts_tc_class_<stat>{device,kind,handle,parent}
 *
 * <stat>: bytes, packets, drops, overlimits, requeues (counters) and qlen,
 * backlog (gauges, packets and bytes waiting). An entry the kernel gives
 * no statistics for (tbf's inner class) is left out, as tc leaves them out. handle and parent as tc
 * prints them ("1:", "1:10", "root", "ffff:fff1"); DTS names
 * "<ifname>:<handle>:<stat>" (classes "<ifname>:class <handle>:<stat>").
 */
#ifndef DPU_TELEMETRY_TC_H
#define DPU_TELEMETRY_TC_H

#include "telemetry/config.h"
#include "telemetry/metrics.h"

struct dts_tc_stats {
	unsigned long long dumps, dumps_failed;
};

/* Returns 0 or -ENOMEM; a dump that fails is counted in 'st' and skipped. */
int dts_tc_collect(const struct dts_config *cfg, struct dts_snapshot *snap,
		   struct dts_tc_stats *st);

#endif /* DPU_TELEMETRY_TC_H */
