/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sysfs provider: counters from a sysfs tree (the device's counter root
 * through the HAL: /sys on hardware, dpu-simd's tree on the simulator).
 *
 * Components (all on by default except bf_ptm, as on a BlueField):
 *   eth      class/net/<port>/statistics/<counter>      dts_eth_<counter>{device}
 *   ib_port  class/infiniband/<hca>/ports/<n>/counters/<counter>
 *            dts_ib_port_<counter>{hca,port}
 *            of ACTIVE ports, DTS names "<hca>:<n>:<counter>", plus ib_port_state
 *   hw_port  .../ports/<n>/hw_counters/<counter>        dts_ib_hw_<counter>{hca,port}
 *            DTS names "<hca>:<n>:hw_<counter>"
 *   hwmon    class/hwmon/hwmon<N>/{temp,power}<i>_{input,max,crit}
 *            dts_hwmon_temp_celsius, dts_hwmon_power_watts (+ _max, _crit)
 *            {chip,sensor}
 *   mr_cache, bf_ptm  not in a sysfs tree this provider knows: reported
 *            unavailable once when enabled
 */
#ifndef DPU_TELEMETRY_SYSFS_H
#define DPU_TELEMETRY_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#include "dpu/hal.h"
#include "telemetry/config.h"
#include "telemetry/metrics.h"

struct dts_sysfs_stats {
	unsigned int files_read, files_failed;
	bool warned_mr_cache, warned_bf_ptm;
};

/*
 * Collect the enabled components for the ports 'ports' (the device's,
 * from dpu_port_list()) under 'root' into 'snap'. Unreadable files are
 * counted in 'st', never fatal. Returns 0 or -ENOMEM.
 */
int dts_sysfs_collect(const char *root, const struct dpu_port_info *ports, size_t n_ports,
		      const struct dts_config *cfg, struct dts_snapshot *snap,
		      struct dts_sysfs_stats *st);

/*
 * The ifconfig provider (off by default: enable-provider=ifconfig): every
 * interface of the network namespace dpu-telemetry runs in, from
 * '<sysroot>/class/net' ("/sys"): counters dts_ifconfig_<counter>_total
 * (rx/tx packets, bytes, errors, dropped, multicast, collisions) and gauges
 * dts_ifconfig_mtu, _up, _running, _carrier, each {device}. Returns 0 or
 * -ENOMEM.
 */
int dts_ifconfig_collect(const char *sysroot, const struct dts_config *cfg,
			 struct dts_snapshot *snap, struct dts_sysfs_stats *st);

#endif /* DPU_TELEMETRY_SYSFS_H */
