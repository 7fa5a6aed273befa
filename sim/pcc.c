/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "dpu/hal-reg.h"
#include "sim/pcc.h"

struct info {
	const char *text; /* "name,description" */
	uint32_t def, min, max;
};

static const struct info algo = {
	"dcqcn_sim,DCQCN reaction and notification point of the simulated eSwitch "
	"(RoCEv2 CNPs and ECN CE marks from the wire)",
	0, 0, 0};

static const struct info params[SIM_PCC_PARAMS] = {
	{"min_time_between_cnps,Least time between two CNPs to one QP (usec)", 4, 0, 1000000},
	{"rate_reduce_monitor_period,Least time between two rate reductions of one QP (usec)", 4, 0,
	 1000000},
};

static const struct info counters[SIM_PCC_COUNTERS] = {
	{"cnp_handled,CNPs the reaction point handled", 0, 0, UINT32_MAX},
	{"rate_reductions,CNPs that reduced the rate of their QP", 0, 0, UINT32_MAX},
	{"ecn_marked_roce_packets,RoCEv2 packets received marked ECN CE", 0, 0, UINT32_MAX},
	{"cnp_sent,CNPs the notification point sent", 0, 0, UINT32_MAX},
};

void sim_pcc_init(struct sim_pcc *pcc, size_t n_uplinks)
{
	memset(pcc, 0, sizeof(*pcc));
	pcc->n_ports = DPU_MIN(n_uplinks, (size_t)SIM_MAX_PORTS);
	for (size_t i = 0; i < pcc->n_ports; i++) {
		pcc->port[i].enabled = true;
		pcc->port[i].counter_en = true;
		for (size_t j = 0; j < SIM_PCC_PARAMS; j++) {
			pcc->port[i].param[j] = params[j].def;
		}
	}
}

static void totals(const struct sim_pcc_events *ev, uint64_t t[SIM_PCC_COUNTERS])
{
	t[0] = ev->cnp_handled;
	t[1] = ev->rate_reductions;
	t[2] = ev->ce_handled;
	t[3] = ev->cnp_sent;
}

void sim_pcc_counters(const struct sim_pcc_port *p, const struct sim_pcc_events *ev,
		      uint32_t out[SIM_PCC_COUNTERS])
{
	uint64_t t[SIM_PCC_COUNTERS];

	totals(ev, t);
	for (size_t i = 0; i < SIM_PCC_COUNTERS; i++) {
		/* 32-bit counters wrap to 0 past their maximum, as the register's do. */
		out[i] = p->counter_en ? (uint32_t)(t[i] - p->base[i]) : p->frozen[i];
	}
}

static void set_counter_en(struct sim_pcc_port *p, const struct sim_pcc_events *ev, bool on)
{
	uint64_t t[SIM_PCC_COUNTERS];

	if (on == p->counter_en) {
		return;
	}
	totals(ev, t);
	for (size_t i = 0; i < SIM_PCC_COUNTERS; i++) {
		if (on) {
			p->base[i] = t[i] - p->frozen[i];
		} else {
			p->frozen[i] = (uint32_t)(t[i] - p->base[i]);
		}
	}
	p->counter_en = on;
}

static void clear_counters(struct sim_pcc_port *p, const struct sim_pcc_events *ev)
{
	uint64_t t[SIM_PCC_COUNTERS];

	totals(ev, t);
	for (size_t i = 0; i < SIM_PCC_COUNTERS; i++) {
		p->base[i] = t[i];
		p->frozen[i] = 0;
	}
}

static void put_text(struct dpu_ppcc *r, const char *text)
{
	size_t len = DPU_MIN(strlen(text), (size_t)DPU_PPCC_TEXT_MAX);

	memcpy(r->text, text, len);
	r->text_length = (uint8_t)len;
}

static int refuse(char *why, size_t size, const char *fmt, ...) DPU_PRINTF(3, 4);

static int refuse(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int sim_pcc_access(struct sim_pcc *pcc, bool write, uint8_t *reg, sim_pcc_events_fn *events,
		   void *arg, char *why, size_t why_size)
{
	struct sim_pcc_events ev = {0};
	struct sim_pcc_port *p;
	struct dpu_ppcc r, in;
	unsigned int port;
	uint32_t c[SIM_PCC_COUNTERS];
	const size_t np = SIM_PCC_PARAMS, nc = SIM_PCC_COUNTERS;

	dpu_ppcc_unpack(reg, &in);
	port = (unsigned int)in.lp_msb << 8 | in.local_port;
	if (port == 0 || port > pcc->n_ports) {
		return refuse(why, why_size, "PPCC: local_port %u: no such port (1..%zu)", port,
			      pcc->n_ports);
	}
	p = &pcc->port[port - 1];
	events(arg, port - 1, &ev);
	/* The answer keeps the index fields and the command; the rest is the device's. */
	memset(&r, 0, sizeof(r));
	r.cmd_type = in.cmd_type;
	r.local_port = in.local_port;
	r.lp_msb = in.lp_msb;
	r.pnat = in.pnat;
	r.algo_slot = in.algo_slot;
	r.algo_param_index = in.algo_param_index;

	if (in.cmd_type == DPU_PPCC_ALGO_INFO_ARRAY) {
		dpu_ppcc_set_text_u32(&r, 0, SIM_PCC_ALGO_INFO);
		r.text_length = DPU_PPCC_SLOTS * 4;
		goto done;
	}
	if (in.cmd_type == DPU_PPCC_ALGO_INFO) {
		if (in.algo_slot == 0) {
			r.value = SIM_PCC_ALGO_INFO;
			put_text(&r, algo.text);
		}
		goto done;
	}
	if (in.algo_slot == DPU_PPCC_STATUS_SLOT && in.cmd_type == DPU_PPCC_ALGO_STATUS) {
		r.value = !p->enabled; /* the firmware's algorithm runs when ours does not */
		goto done;
	}
	if (in.algo_slot != 0) {
		return refuse(
			why, why_size,
			"PPCC: algo_slot %u holds no algorithm (cmd_type 0x%x, local_port %u)",
			in.algo_slot, in.cmd_type, port);
	}
	switch (in.cmd_type) {
	case DPU_PPCC_ALGO_ENABLE:
	case DPU_PPCC_ALGO_DISABLE:
		if (!write) {
			return refuse(why, why_size, "PPCC: cmd_type 0x%x is a write", in.cmd_type);
		}
		p->enabled = in.cmd_type == DPU_PPCC_ALGO_ENABLE;
		break;
	case DPU_PPCC_ALGO_STATUS:
		if (write) {
			set_counter_en(p, &ev, in.counter_en);
		}
		r.value = p->enabled;
		r.counter_en = p->counter_en;
		break;
	case DPU_PPCC_NUM_PARAMS:
		r.value = (uint32_t)np;
		break;
	case DPU_PPCC_NUM_COUNTERS:
		r.value = (uint32_t)nc;
		break;
	case DPU_PPCC_PARAM_INFO:
	case DPU_PPCC_GET_PARAM:
	case DPU_PPCC_GET_CLEAR_PARAM:
	case DPU_PPCC_SET_PARAM:
		if (in.algo_param_index >= np) {
			return refuse(why, why_size,
				      "PPCC: algo_param_index %u: the algorithm has %zu parameters",
				      in.algo_param_index, np);
		}
		if (in.cmd_type == DPU_PPCC_PARAM_INFO) {
			const struct info *i = &params[in.algo_param_index];

			r.param_value1 = i->def;
			r.param_value2 = i->min;
			r.param_value3 = i->max;
			r.prm = DPU_PPCC_RW;
			put_text(&r, i->text);
			break;
		}
		if (in.cmd_type == DPU_PPCC_SET_PARAM) {
			const struct info *i = &params[in.algo_param_index];

			if (!write) {
				return refuse(why, why_size, "PPCC: cmd_type 0x8 is a write");
			}
			/* Outside min..max the write is silently ignored, as the PRM says. */
			if (in.value >= i->min && in.value <= i->max) {
				p->param[in.algo_param_index] = in.value;
			}
		}
		/* Read-write parameters are not cleared by get-and-clear (only prm 2 ones). */
		r.value = p->param[in.algo_param_index];
		break;
	case DPU_PPCC_COUNTER_INFO:
		if (in.algo_param_index >= nc) {
			return refuse(why, why_size,
				      "PPCC: algo_param_index %u: the algorithm has %zu counters",
				      in.algo_param_index, nc);
		}
		r.param_value3 = counters[in.algo_param_index].max;
		r.prm = DPU_PPCC_RO_CLEAR;
		put_text(&r, counters[in.algo_param_index].text);
		break;
	case DPU_PPCC_BULK_GET_PARAMS:
	case DPU_PPCC_BULK_SET_PARAMS:
		if (in.cmd_type == DPU_PPCC_BULK_SET_PARAMS) {
			if (!write) {
				return refuse(why, why_size, "PPCC: cmd_type 0xb is a write");
			}
			for (size_t j = 0; j < np && j * 4 < in.text_length; j++) {
				uint32_t v = dpu_ppcc_text_u32(&in, j);

				if (v >= params[j].min && v <= params[j].max) {
					p->param[j] = v;
				}
			}
		}
		for (size_t j = 0; j < np; j++) {
			dpu_ppcc_set_text_u32(&r, j, p->param[j]);
		}
		r.text_length = (uint8_t)(np * 4);
		break;
	case DPU_PPCC_BULK_GET_COUNTERS:
	case DPU_PPCC_BULK_CLEAR_COUNTERS:
		sim_pcc_counters(p, &ev, c);
		for (size_t j = 0; j < nc; j++) {
			dpu_ppcc_set_text_u32(&r, j, c[j]);
		}
		r.text_length = (uint8_t)(nc * 4);
		if (in.cmd_type == DPU_PPCC_BULK_CLEAR_COUNTERS) {
			clear_counters(p, &ev);
		}
		break;
	default:
		return refuse(why, why_size, "PPCC: cmd_type 0x%x: unknown command", in.cmd_type);
	}
done:
	dpu_ppcc_pack(&r, reg);
	return 0;
}
