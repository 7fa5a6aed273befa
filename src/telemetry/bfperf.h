/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bfperf provider (off by default: enable-provider=bfperf): the CPU
 * cores' performance counters, as BlueField's bfperf reads them from the
 * Arm cores, here with perf_event_open(2) on every online CPU (system-wide,
 * one event group per CPU, opened at the first collection and counting from
 * then on). Needs CAP_PERFMON (or root, or kernel.perf_event_paranoid <= 0).
 *
 *   hardware (when the CPU's PMU is there):
 *     dts_bfperf_cycles_total{cpu}, _instructions_total,
 *     _cache_references_total, _cache_misses_total,
 *     _branch_instructions_total, _branch_misses_total
 *   software (always):
 *     dts_bfperf_cpu_clock_seconds_total{cpu}, _context_switches_total,
 *     _cpu_migrations_total, _page_faults_total
 *
 * DTS names "cpu<N>:<counter>". Counts are scaled by time enabled / time
 * running when the kernel multiplexed the group. A machine without a PMU
 * (a VM) gets the software counters and one log line saying so; events that
 * cannot be opened at all are reported once, never fatal.
 */
#ifndef DPU_TELEMETRY_BFPERF_H
#define DPU_TELEMETRY_BFPERF_H

#include "telemetry/config.h"
#include "telemetry/metrics.h"

struct dts_bfperf;

/* Returns 0 or -ENOMEM. */
int dts_bfperf_collect(struct dts_bfperf **bfp, const struct dts_config *cfg,
		       struct dts_snapshot *snap);
void dts_bfperf_free(struct dts_bfperf *bf);

#endif /* DPU_TELEMETRY_BFPERF_H */
