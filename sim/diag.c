/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sim/diag.h"

const uint16_t sim_diag_ids[SIM_DIAG_COUNTERS] = {0x0406, 0x1001, 0x2006, 0x2c02, 0x2c03};

void sim_diag_init(struct sim_diag *d, uint64_t now_ns)
{
	memset(d, 0, sizeof(*d));
	d->start_ns = now_ns;
}

void sim_diag_free(struct sim_diag *d)
{
	free(d->buf);
	d->buf = NULL;
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

static bool offered(uint16_t id)
{
	for (size_t i = 0; i < SIM_DIAG_COUNTERS; i++) {
		if (sim_diag_ids[i] == id) {
			return true;
		}
	}
	return false;
}

static void take(struct sim_diag *d, sim_diag_value_fn *val, void *arg, uint64_t now_ns)
{
	size_t slot = (size_t)(d->taken % d->slots);
	uint32_t ts = (uint32_t)((now_ns - d->start_ns) * (SIM_DIAG_FREQ_KHZ / 1000) / 1000);

	for (size_t i = 0; i < d->p.n; i++) {
		struct dpu_diag_sample *s = &d->buf[slot * d->p.n + i];
		uint64_t v = val(arg, d->p.ids[i]);

		s->counter_id = d->p.ids[i];
		s->sample_id = (uint16_t)d->taken;
		s->timestamp = ts;
		s->value = d->p.clear ? v - d->last[i] : v;
		d->last[i] = v;
	}
	d->taken++;
}

static bool sampling(const struct sim_diag *d)
{
	return d->p.enable && d->buf != NULL && !d->p.on_demand &&
	       (d->p.repetitive || d->taken < d->slots);
}

void sim_diag_tick(struct sim_diag *d, sim_diag_value_fn *val, void *arg, uint64_t now_ns)
{
	if (sampling(d)) {
		take(d, val, arg, now_ns);
	}
}

uint64_t sim_diag_period_ns(const struct sim_diag *d)
{
	if (!sampling(d)) {
		return 0;
	}
	/* 2^log_sample_period clocks of 1 ns, no finer than the minimum the caps give. */
	return (uint64_t)1 << d->p.log_sample_period;
}

static int set_params(struct sim_diag *d, const uint8_t *ctx, size_t len, sim_diag_value_fn *val,
		      void *arg, char *why, size_t why_size)
{
	struct dpu_diag_params p;
	struct dpu_diag_sample *buf = NULL;
	uint32_t n = dpu_get_be32(ctx, 0) >> 16;

	if (n > DPU_DIAG_MAX || 0x18 + 4 * (size_t)n > len) {
		return refuse(why, why_size,
			      "num_of_counters %u: at most %d, and one counter_id each", n,
			      DPU_DIAG_MAX);
	}
	dpu_diag_ctx_get(ctx, len, &p);
	if (p.enable) {
		if (p.n == 0) {
			return refuse(why, why_size, "num_of_counters 0 with enable");
		}
		if (p.single && p.repetitive) {
			return refuse(why, why_size, "single and repetitive both set");
		}
		if (!p.single && !p.repetitive && !p.on_demand) {
			return refuse(why, why_size, "none of single, repetitive, on_demand set");
		}
		if (p.log_num_samples > SIM_DIAG_LOG_MAX_SAMPLES) {
			return refuse(why, why_size, "log_num_of_samples %u: at most %d",
				      p.log_num_samples, SIM_DIAG_LOG_MAX_SAMPLES);
		}
		if (!p.on_demand && (p.log_sample_period < SIM_DIAG_LOG_MIN_PERIOD ||
				     p.log_sample_period > SIM_DIAG_LOG_MAX_PERIOD)) {
			return refuse(why, why_size, "log_sample_period %u: %d..%d",
				      p.log_sample_period, SIM_DIAG_LOG_MIN_PERIOD,
				      SIM_DIAG_LOG_MAX_PERIOD);
		}
		for (size_t i = 0; i < p.n; i++) {
			if (!offered(p.ids[i])) {
				return refuse(
					why, why_size,
					"counter_id[%zu] 0x%04x: not a counter of this device", i,
					p.ids[i]);
			}
		}
		buf = calloc((size_t)1 << p.log_num_samples, p.n * sizeof(*buf));
		if (buf == NULL) {
			return -ENOMEM;
		}
	}
	free(d->buf);
	d->buf = buf;
	d->p = p;
	d->slots = buf != NULL ? (size_t)1 << p.log_num_samples : 0;
	d->taken = 0;
	for (size_t i = 0; i < p.n; i++) {
		d->last[i] = val(arg, p.ids[i]);
	}
	return 0;
}

static int query_cap(const uint8_t *in, uint8_t *out, size_t out_len, char *why, size_t why_size)
{
	uint16_t type = (uint16_t)(dpu_get_be32(in, 4) >> 1);
	uint8_t *cap = out + 16;

	/* The general capabilities need 0xa0 bytes, the debug ones 0x40 + an id each. */
	if (out_len < 16 + DPU_MAX(0xa0, 0x40 + 4 * SIM_DIAG_COUNTERS)) {
		return -EMSGSIZE;
	}
	if (type == DPU_CAP_GENERAL) {
		dpu_put_be32(cap, 0x50, (uint32_t)SIM_DIAG_COUNTERS << 16);
		dpu_put_be32(cap, 0x9c, SIM_DIAG_FREQ_KHZ);
		return 0;
	}
	if (type == DPU_CAP_DEBUG) {
		dpu_put_be32(cap, 0x0, SIM_DIAG_LOG_MAX_SAMPLES);
		dpu_put_be32(cap, 0x4, 1u << 31 | 1u << 30 | SIM_DIAG_LOG_MIN_PERIOD);
		for (size_t i = 0; i < SIM_DIAG_COUNTERS; i++) {
			dpu_put_be32(cap, 0x40 + 4 * i, 1u << 31 | sim_diag_ids[i]);
		}
		return 0;
	}
	return refuse(why, why_size, "QUERY_HCA_CAP: capability type 0x%x not modelled", type);
}

int sim_diag_cmd(struct sim_diag *d, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len,
		 sim_diag_value_fn *val, void *arg, uint64_t now_ns, char *why, size_t why_size)
{
	uint16_t opcode;

	if (in_len < 16 || out_len < 16) {
		return -EMSGSIZE;
	}
	memset(out, 0, out_len);
	opcode = (uint16_t)(dpu_get_be32(in, 0) >> 16);
	switch (opcode) {
	case DPU_CMD_QUERY_HCA_CAP:
		return query_cap(in, out, out_len, why, why_size);
	case DPU_CMD_SET_DIAGNOSTIC_PARAMS:
		if (in_len < 8 + 0x18) {
			return -EMSGSIZE;
		}
		return set_params(d, in + 8, in_len - 8, val, arg, why, why_size);
	case DPU_CMD_QUERY_DIAGNOSTIC_PARAMS:
		if (out_len < 8 + 0x18 + 4 * d->p.n) {
			return -EMSGSIZE;
		}
		dpu_diag_ctx_put(out + 8, &d->p);
		return 0;
	case DPU_CMD_QUERY_DIAGNOSTIC_COUNTERS: {
		uint32_t w = dpu_get_be32(in, 8);
		size_t num = w >> 16, index = w & 0xffff;

		if (!d->p.enable || d->buf == NULL) {
			return refuse(why, why_size, "diagnostic counters are not enabled");
		}
		if (num == 0 || index >= d->slots || num > d->slots - index) {
			return refuse(
				why, why_size,
				"num_of_samples %zu from sample_index %zu: the buffer has %zu", num,
				index, d->slots);
		}
		if (out_len < 16 + 16 * num * d->p.n) {
			return -EMSGSIZE;
		}
		if (d->p.on_demand) {
			take(d, val, arg, now_ns);
		}
		for (size_t k = 0; k < num * d->p.n; k++) {
			const struct dpu_diag_sample *s = &d->buf[index * d->p.n + k];
			uint8_t *e = out + 16 + 16 * k;

			dpu_put_be32(e, 0x0, (uint32_t)s->counter_id << 16 | s->sample_id);
			dpu_put_be32(e, 0x4, s->timestamp);
			dpu_put_be32(e, 0x8, (uint32_t)(s->value >> 32));
			dpu_put_be32(e, 0xc, (uint32_t)s->value);
		}
		return 0;
	}
	default:
		return -EOPNOTSUPP;
	}
}
