/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated device's PPCC register (dpu/hal-reg.h) and the congestion
 * control behind it: one programmable algorithm in slot 0 of every uplink,
 * a DCQCN reaction and notification point that dpu-simd's data plane runs
 * on the RoCEv2 frames arriving from the wire (sim/simd/dataplane.h):
 *
 *   notification point: a RoCEv2 frame marked ECN CE is counted; a CNP is
 *     due for its destination QP unless one was due less than
 *     min_time_between_cnps microseconds before;
 *   reaction point: a CNP (BTH opcode 0x81) is handled; it reduces its QP's
 *     rate unless the last reduction was less than
 *     rate_reduce_monitor_period microseconds before.
 * With the algorithm disabled CNPs are ignored and no CNP is due (slot 15,
 * the firmware's own algorithm, then reports itself enabled).
 *
 * Parameters (RW): 0 min_time_between_cnps (µs, default 4, 0..1000000),
 * 1 rate_reduce_monitor_period (µs, default 4, 0..1000000).
 * Counters (32-bit, read-only, cleared by bulk get-and-clear; they count
 * while counter_en is set, which a write of "get algo status" sets):
 *   0 cnp_handled, 1 rate_reductions, 2 ecn_marked_roce_packets, 3 cnp_sent.
 * Local port N is the device's N-th uplink. A command the firmware would
 * refuse (an empty slot, an index past the last parameter, an unknown
 * command) fails with a message naming the field.
 */
#ifndef DPU_SIM_PCC_H
#define DPU_SIM_PCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/device.h"

#define SIM_PCC_PARAMS 2
#define SIM_PCC_COUNTERS 4
#define SIM_PCC_ALGO_INFO 0x00010100u /* algo_id 1, version 1.0 */

enum {
	SIM_PCC_MIN_TIME_BETWEEN_CNPS,
	SIM_PCC_RATE_REDUCE_MONITOR_PERIOD,
};

/* What the data plane counted on one uplink since it started (totals). */
struct sim_pcc_events {
	uint64_t cnp_handled;	  /* CNPs while the algorithm was enabled */
	uint64_t cnp_ignored;	  /* CNPs while it was disabled */
	uint64_t rate_reductions; /* handled CNPs that reduced their QP's rate */
	uint64_t ce_handled;	  /* CE-marked RoCEv2 frames, algorithm enabled */
	uint64_t ce_ignored;	  /* ... disabled */
	uint64_t cnp_sent;	  /* CNPs due from the notification point */
};

struct sim_pcc_port {
	bool enabled;
	bool counter_en;
	uint32_t param[SIM_PCC_PARAMS];
	uint64_t base[SIM_PCC_COUNTERS];   /* event totals the counters count from */
	uint32_t frozen[SIM_PCC_COUNTERS]; /* their values while counter_en is off */
};

struct sim_pcc {
	size_t n_ports; /* uplinks */
	struct sim_pcc_port port[SIM_MAX_PORTS];
};

/* The uplinks' event totals now; 'uplink' counts from 0. */
typedef void sim_pcc_events_fn(void *arg, size_t uplink, struct sim_pcc_events *ev);

void sim_pcc_init(struct sim_pcc *pcc, size_t n_uplinks);

/*
 * One access to the register image 'reg' (DPU_PPCC_LEN bytes), answered in
 * place. Returns 0, or -EINVAL with 'why' set when the firmware would refuse
 * it. After a write the caller hands the port's new settings to the data
 * plane.
 */
int sim_pcc_access(struct sim_pcc *pcc, bool write, uint8_t *reg, sim_pcc_events_fn *events,
		   void *arg, char *why, size_t why_size);

/* The counters' values from event totals (what BULK_GET_COUNTERS answers). */
void sim_pcc_counters(const struct sim_pcc_port *p, const struct sim_pcc_events *ev,
		      uint32_t out[SIM_PCC_COUNTERS]);

#endif /* DPU_SIM_PCC_H */
