/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated device's diagnostic counters (dpu/hal-reg.h): the firmware
 * commands QUERY_HCA_CAP (the general capabilities' counter count and
 * clock, the debug capabilities), SET/QUERY_DIAGNOSTIC_PARAMS and
 * QUERY_DIAGNOSTIC_COUNTERS, answered from dpu-simd's traffic counters:
 *
 *   0x0406 rx_128b_data             bytes the host functions send / 128 (inbound PCIe)
 *   0x1001 rx_steering_packets      frames into the eSwitch from any port
 *   0x2006 tx_packets               frames out of any port
 *   0x2c02 line_transmitted_port_1  bytes out of the first uplink
 *   0x2c03 line_transmitted_port_2  bytes out of the second uplink
 *
 * The device clock runs at 1 GHz (a clock is a nanosecond). Samples go into
 * a buffer of 2^log_num_samples slots, each holding every counter set:
 * on a timer every 2^log_sample_period clocks (the simulator's timer is no
 * finer than 1 ms: log_min_sample_period is 20), once through (single) or
 * round and round (repetitive); with on_demand, one sample at each query
 * instead. QUERY_DIAGNOSTIC_COUNTERS answers num_of_samples slots from
 * sample_index, a slot never written all zeros; sample ids count every
 * sample taken (16 bits, wrapping). With clear, a sample is the change since
 * the previous one. What the firmware would refuse (an id it does not offer,
 * a period outside 20..40, more samples than the maximum, single with
 * repetitive, a slot past the buffer) fails with the field named.
 */
#ifndef DPU_SIM_DIAG_H
#define DPU_SIM_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dpu/hal-reg.h"

#define SIM_DIAG_COUNTERS 5
#define SIM_DIAG_FREQ_KHZ 1000000
#define SIM_DIAG_LOG_MAX_SAMPLES 12
#define SIM_DIAG_LOG_MIN_PERIOD 20
#define SIM_DIAG_LOG_MAX_PERIOD 40 /* 2^40 ns: 18 minutes */

extern const uint16_t sim_diag_ids[SIM_DIAG_COUNTERS];

/* A counter's value now. */
typedef uint64_t sim_diag_value_fn(void *arg, uint16_t id);

struct sim_diag {
	struct dpu_diag_params p;
	uint64_t start_ns;	     /* the device clock's zero */
	uint64_t taken;		     /* samples taken since the last SET */
	size_t slots;		     /* 2^log_num_samples */
	struct dpu_diag_sample *buf; /* slots * p.n */
	uint64_t last[DPU_DIAG_MAX]; /* with clear: each counter at the previous sample */
};

void sim_diag_init(struct sim_diag *d, uint64_t now_ns);
void sim_diag_free(struct sim_diag *d);

/*
 * Answer the command mailbox 'in' into 'out' (out_len bytes, zeroed here).
 * -EOPNOTSUPP: not a command modelled here; -EINVAL: refused, 'why' says
 * which field; -EMSGSIZE: a mailbox too short for its command; -ENOMEM.
 */
int sim_diag_cmd(struct sim_diag *d, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len,
		 sim_diag_value_fn *val, void *arg, uint64_t now_ns, char *why, size_t why_size);

/* The sampler's tick: take a sample if sampling runs on the timer. */
void sim_diag_tick(struct sim_diag *d, sim_diag_value_fn *val, void *arg, uint64_t now_ns);
/* The timer's period (ns), or 0 when no timer is wanted. */
uint64_t sim_diag_period_ns(const struct sim_diag *d);

#endif /* DPU_SIM_DIAG_H */
