/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DPU_LOG_MODULE "hcaperf"
#include "common/log.h"
#include "dpu/hal-reg.h"
#include "telemetry/hcaperf.h"

struct dts_hcaperf {
	bool armed;	  /* 'p' is what we ask the device for */
	int last_rc;	  /* of the last failure, logged once until it works */
	bool busy_logged; /* another user holds the counters: said */
	struct dpu_diag_params p;
	struct dpu_diag_sample s[DPU_DIAG_MAX];
};

static bool ours(const struct dpu_diag_params *want, const struct dpu_diag_params *now)
{
	return now->enable && now->on_demand && now->n == want->n &&
	       memcmp(now->ids, want->ids, want->n * sizeof(want->ids[0])) == 0;
}

/*
 * Make sure the device samples what hcaperf wants: every counter it offers,
 * one sample per query. The set-up is checked each cycle, since it is the
 * device's only one: someone else's (enabled) is left alone (-EBUSY), a
 * disabled one is replaced by ours.
 */
static int arm(struct dts_hcaperf *h, struct dpu_dev *dev)
{
	struct dpu_diag_params now;
	int rc;

	if (!h->armed) {
		struct dpu_diag_caps caps;

		rc = dpu_diag_caps(dev, &caps);
		if (rc < 0) {
			return rc;
		}
		memset(&h->p, 0, sizeof(h->p));
		h->p.enable = h->p.on_demand = h->p.sync = true;
		h->p.n = caps.n;
		memcpy(h->p.ids, caps.ids, caps.n * sizeof(caps.ids[0]));
		h->p.log_sample_period = caps.log_min_sample_period;
		h->armed = true;
	}
	rc = dpu_diag_params(dev, &now);
	if (rc < 0) {
		h->armed = false;
		return rc;
	}
	if (ours(&h->p, &now)) {
		return 0;
	}
	if (now.enable) {
		return -EBUSY;
	}
	rc = dpu_diag_set(dev, &h->p);
	if (rc < 0) {
		h->armed = false;
	}
	return rc;
}

static int put(struct dts_snapshot *snap, const char *hca, const char *family, const char *help,
	       enum dts_kind kind, const char *what, uint64_t v)
{
	char dname[128];
	struct dts_series *s;

	snprintf(dname, sizeof(dname), "%s:hcaperf:%s", hca, what);
	s = dts_snapshot_add(snap, family, help, kind, dname, "hcaperf", 1, "hca", hca);
	if (s == NULL) {
		return -ENOMEM;
	}
	if (kind == DTS_COUNTER) {
		s->u = v;
	} else {
		s->d = (double)v;
	}
	return 0;
}

int dts_hcaperf_collect(struct dts_hcaperf **hp, struct dpu_dev *dev,
			const struct dpu_port_info *ports, size_t n_ports,
			const struct dts_config *cfg, struct dts_snapshot *snap)
{
	struct dts_hcaperf *h = *hp;
	const char *hca = "mlx5_0";
	int n = 0, rc = 0;

	if (dev == NULL || !dts_config_provider_enabled(cfg, "hcaperf")) {
		return 0;
	}
	if (h == NULL) {
		h = calloc(1, sizeof(*h));
		if (h == NULL) {
			return -ENOMEM;
		}
		*hp = h;
	}
	for (size_t i = 0; i < n_ports; i++) {
		if (ports[i].kind == DPU_PORT_UPLINK && ports[i].ibdev[0] != '\0') {
			hca = ports[i].ibdev;
			break;
		}
	}
	rc = arm(h, dev);
	if (rc == 0) {
		n = dpu_diag_query(dev, 1, 0, h->s, h->p.n);
		rc = n < 0 ? n : 0;
	}
	if (rc == -EBUSY) {
		if (!h->busy_logged) {
			log_warn("%s: the diagnostic counters are set up by another user; hcaperf "
				 "waits until they are free",
				 hca);
			h->busy_logged = true;
		}
	} else if (rc < 0 && rc != h->last_rc) {
		const char *why = dpu_dev_last_error(dev);

		log_warn("%s: diagnostic counters: %s; hcaperf reports up 0 until they answer", hca,
			 why[0] ? why : strerror(-rc));
	}
	h->last_rc = rc;
	if (rc == 0) {
		h->busy_logged = false;
	}
	if (put(snap, hca, "dts_hcaperf_up", "1 when the device's diagnostic counters answered",
		DTS_GAUGE, "up", rc == 0) < 0) {
		return -ENOMEM;
	}
	for (int i = 0; rc == 0 && i < n; i++) {
		const char *name = dpu_diag_name(h->s[i].counter_id);
		char buf[32], family[96];

		if (h->s[i].counter_id == 0) {
			continue; /* a slot not sampled yet */
		}
		if (name == NULL) {
			snprintf(buf, sizeof(buf), "counter_0x%04x", h->s[i].counter_id);
			name = buf;
		}
		snprintf(family, sizeof(family), "dts_hcaperf_%s", name);
		if (put(snap, hca, family, "HCA performance counter (diagnostic counter)",
			DTS_COUNTER, name, h->s[i].value) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

void dts_hcaperf_free(struct dts_hcaperf *h)
{
	free(h);
}
