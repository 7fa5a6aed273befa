/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DPU_LOG_MODULE "ppcc_eth"
#include "common/log.h"
#include "dpu/hal-reg.h"
#include "telemetry/ppcc.h"

struct dts_ppcc {
	int last_rc; /* of the last failed read, logged once until a read succeeds */
	struct dpu_pcc_algo algos[DPU_PPCC_SLOTS];
};

static int put(struct dts_snapshot *snap, const char *family, const char *help, enum dts_kind kind,
	       const char *port, const struct dpu_pcc_algo *a, const char *what, uint64_t v)
{
	char slot[8], dname[128];
	const char *algo = a->name[0] ? a->name : "firmware";
	struct dts_series *s;

	snprintf(slot, sizeof(slot), "%u", a->slot);
	snprintf(dname, sizeof(dname), "%s:%u:%s", port, a->slot, what);
	s = dts_snapshot_add(snap, family, help, kind, dname, "ppcc_eth", 3, "port", port, "slot",
			     slot, "algo", algo);
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

static int put_algo(struct dts_snapshot *snap, const char *port, const struct dpu_pcc_algo *a)
{
	char family[96];
	int rc = put(snap, "dts_ppcc_eth_algo_enabled", "1 when the slot's algorithm runs",
		     DTS_GAUGE, port, a, "algo_enabled", a->enabled);

	if (rc == 0) {
		rc = put(snap, "dts_ppcc_eth_counters_enabled", "the algorithm's counter_en",
			 DTS_GAUGE, port, a, "counter_en", a->counter_en);
	}
	for (size_t i = 0; rc == 0 && i < a->n_params; i++) {
		snprintf(family, sizeof(family), "dts_ppcc_eth_param_%s", a->params[i].name);
		rc = put(snap, family, "congestion control parameter (PPCC)", DTS_GAUGE, port, a,
			 a->params[i].name, a->params[i].value);
	}
	for (size_t i = 0; rc == 0 && i < a->n_counters; i++) {
		snprintf(family, sizeof(family), "dts_ppcc_eth_%s", a->counters[i].name);
		rc = put(snap, family, "congestion control counter (PPCC, 32-bit)", DTS_COUNTER,
			 port, a, a->counters[i].name, a->counters[i].value);
	}
	return rc;
}

static int up(struct dts_snapshot *snap, const char *port, bool ok)
{
	char dname[64];
	struct dts_series *s;

	snprintf(dname, sizeof(dname), "%s:ppcc_up", port);
	s = dts_snapshot_add(snap, "dts_ppcc_eth_up", "1 when the port's PPCC register answered",
			     DTS_GAUGE, dname, "ppcc_eth", 1, "port", port);
	if (s == NULL) {
		return -ENOMEM;
	}
	s->d = ok;
	return 0;
}

int dts_ppcc_collect(struct dts_ppcc **pp, struct dpu_dev *dev, const struct dpu_port_info *ports,
		     size_t n_ports, const struct dts_config *cfg, struct dts_snapshot *snap)
{
	struct dts_ppcc *p = *pp;
	unsigned int local_port = 0;
	int rc = 0;

	if (dev == NULL || !dts_config_provider_enabled(cfg, "ppcc_eth")) {
		return 0;
	}
	if (p == NULL) {
		p = calloc(1, sizeof(*p));
		if (p == NULL) {
			return -ENOMEM;
		}
		*pp = p;
	}
	for (size_t i = 0; i < n_ports && rc == 0; i++) {
		int n;

		if (ports[i].kind != DPU_PORT_UPLINK) {
			continue;
		}
		local_port++;
		n = dpu_pcc_read(dev, local_port, p->algos, DPU_PPCC_SLOTS);
		if (n < 0) {
			if (n != p->last_rc) {
				const char *why = dpu_dev_last_error(dev);

				log_warn("%s: PPCC register: %s; ppcc_eth reports up 0 until it "
					 "answers",
					 ports[i].name, why[0] ? why : strerror(-n));
				p->last_rc = n;
			}
			rc = up(snap, ports[i].name, false);
			continue;
		}
		if (p->last_rc != 0) {
			log_info("%s: PPCC register answers again", ports[i].name);
			p->last_rc = 0;
		}
		rc = up(snap, ports[i].name, true);
		for (int j = 0; j < n && rc == 0; j++) {
			rc = put_algo(snap, ports[i].name, &p->algos[j]);
		}
	}
	return rc;
}

void dts_ppcc_free(struct dts_ppcc *p)
{
	free(p);
}
