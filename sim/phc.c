/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <math.h>

#include "sim/phc.h"

void sim_phc_init(struct sim_phc *c, int64_t ref_ns, int64_t phc_ns, double drift_ppb)
{
	c->base_ns = phc_ns;
	c->ref_ns = ref_ns;
	c->drift_ppb = drift_ppb;
	c->freq_ppb = 0;
}

int64_t sim_phc_read(const struct sim_phc *c, int64_t ref_ns)
{
	double rate = (c->drift_ppb + c->freq_ppb) / 1e9;
	int64_t el = ref_ns - c->ref_ns;

	/* The elapsed time itself stays exact; only the correction is floating point. */
	return c->base_ns + el + (int64_t)llround((double)el * rate);
}

static void rebase(struct sim_phc *c, int64_t ref_ns)
{
	c->base_ns = sim_phc_read(c, ref_ns);
	c->ref_ns = ref_ns;
}

void sim_phc_set(struct sim_phc *c, int64_t ref_ns, int64_t phc_ns)
{
	c->base_ns = phc_ns;
	c->ref_ns = ref_ns;
}

void sim_phc_step(struct sim_phc *c, int64_t ref_ns, int64_t delta_ns)
{
	rebase(c, ref_ns);
	c->base_ns += delta_ns;
}

int sim_phc_adjfreq(struct sim_phc *c, int64_t ref_ns, double ppb)
{
	if (!isfinite(ppb) || fabs(ppb) > SIM_PHC_MAX_ADJ_PPB) {
		return -ERANGE;
	}
	rebase(c, ref_ns);
	c->freq_ppb = ppb;
	return 0;
}

void sim_phc_set_drift(struct sim_phc *c, int64_t ref_ns, double ppb)
{
	rebase(c, ref_ns);
	c->drift_ppb = ppb;
}
