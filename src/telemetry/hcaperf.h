/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hcaperf provider (off by default: enable-provider=hcaperf): the HCA's
 * performance counters, which the firmware keeps as diagnostic counters
 * (dpu/hal-reg.h; fwctl on a BlueField, dpu-simd's model on the simulator).
 * At its first cycle it asks the device for every counter it offers, one
 * sample taken at each query (on_demand); each cycle then queries a sample:
 *
 *   dts_hcaperf_<name>_total{hca}   each counter (64-bit), named as mlx5ctl
 *                                   names them, else counter_0x<id>
 *   dts_hcaperf_up{hca}             1 when the device answered this cycle
 *
 * DTS names "<hca>:hcaperf:<name>". The device has one sampling set-up: when
 * another user holds it (dpu-ngauge, say), hcaperf says so once, reports up
 * 0 and leaves it alone until it is free (disabled) again. A device without
 * diagnostic counters is reported once, never fatal.
 */
#ifndef DPU_TELEMETRY_HCAPERF_H
#define DPU_TELEMETRY_HCAPERF_H

#include "dpu/hal.h"
#include "telemetry/config.h"
#include "telemetry/metrics.h"

struct dts_hcaperf;

/* Returns 0 or -ENOMEM; 'dev' may be NULL (no device this cycle). */
int dts_hcaperf_collect(struct dts_hcaperf **hp, struct dpu_dev *dev,
			const struct dpu_port_info *ports, size_t n_ports,
			const struct dts_config *cfg, struct dts_snapshot *snap);
void dts_hcaperf_free(struct dts_hcaperf *h);

#endif /* DPU_TELEMETRY_HCAPERF_H */
