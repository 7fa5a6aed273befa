/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ppcc_eth provider (off by default: enable-provider=ppcc_eth): the
 * programmable congestion control of every uplink, read through the PPCC
 * register (dpu/hal-reg.h: fwctl on a BlueField, dpu-simd's model on the
 * simulator). For each algorithm slot the register reports, each cycle:
 *
 *   dts_ppcc_eth_algo_enabled{port,slot,algo}       1 when the slot's algorithm runs
 *   dts_ppcc_eth_counters_enabled{port,slot,algo}   its counter_en
 *   dts_ppcc_eth_param_<name>{port,slot,algo}       each parameter (gauge)
 *   dts_ppcc_eth_<name>_total{port,slot,algo}       each counter, while counting
 *   dts_ppcc_eth_up{port}                           1 when the register answered
 *
 * Names come from the device (PARAM_INFO / COUNTER_INFO); slot 15, the
 * firmware's own algorithm, reports its status only (algo "firmware").
 * Counters are the device's 32-bit values: a wrap or a clear shows as a
 * counter reset. DTS names "<port>:<slot>:<name>". A device without the
 * register (no fwctl, an older kernel) is reported once, up 0, never fatal.
 */
#ifndef DPU_TELEMETRY_PPCC_H
#define DPU_TELEMETRY_PPCC_H

#include "dpu/hal.h"
#include "telemetry/config.h"
#include "telemetry/metrics.h"

struct dts_ppcc;

/* Returns 0 or -ENOMEM; 'dev' may be NULL (no device this cycle). */
int dts_ppcc_collect(struct dts_ppcc **pp, struct dpu_dev *dev, const struct dpu_port_info *ports,
		     size_t n_ports, const struct dts_config *cfg, struct dts_snapshot *snap);
void dts_ppcc_free(struct dts_ppcc *p);

#endif /* DPU_TELEMETRY_PPCC_H */
