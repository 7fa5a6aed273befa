/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated device's PTP hardware clock: a free-running oscillator
 * with an error of its own (drift) that a servo corrects (frequency
 * adjustment) and steps, as a NIC's PHC behind /dev/ptpN.
 *
 *   phc(t) = base + (t - t_base) * (1 + (drift_ppb + freq_ppb) / 1e9)
 *
 * with t the host's CLOCK_MONOTONIC_RAW-like reference passed in by the
 * caller (nanoseconds). Every change rebases at its instant, so the clock
 * never jumps except when stepped or set. Pure arithmetic: the caller owns
 * the time source and the locking.
 */
#ifndef DPU_SIM_PHC_H
#define DPU_SIM_PHC_H

#include <stdint.h>

/* As mlx5: frequency corrections up to +-500 ppm. */
#define SIM_PHC_MAX_ADJ_PPB 500000.0

struct sim_phc {
	int64_t base_ns; /* PHC time at 'ref_ns' */
	int64_t ref_ns;
	double drift_ppb; /* the oscillator's own error */
	double freq_ppb;  /* the servo's correction */
};

/* Start at 'phc_ns' (e.g. the system's real time) at reference time 'ref_ns'. */
void sim_phc_init(struct sim_phc *c, int64_t ref_ns, int64_t phc_ns, double drift_ppb);
int64_t sim_phc_read(const struct sim_phc *c, int64_t ref_ns);
void sim_phc_set(struct sim_phc *c, int64_t ref_ns, int64_t phc_ns);
void sim_phc_step(struct sim_phc *c, int64_t ref_ns, int64_t delta_ns);
/* -ERANGE beyond +-SIM_PHC_MAX_ADJ_PPB (the clock keeps its correction). */
int sim_phc_adjfreq(struct sim_phc *c, int64_t ref_ns, double ppb);
void sim_phc_set_drift(struct sim_phc *c, int64_t ref_ns, double ppb);

#endif /* DPU_SIM_PHC_H */
