/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: what a device answers (dpu/hal-reg.h): to the PPCC register
 * accesses of dpu_pcc_read(), the reader of the ppcc_eth provider, then to
 * the diagnostic-counter commands of hcaperf and dpu-ngauge (capabilities,
 * parameters, a query); and, reading the same input again from its start,
 * to the NV configuration items of dpu_nv_reg_list() (register MNVDA).
 * Each access or command is answered with the input's
 * next bytes (as many as it asks for; a command's answer may come short and
 * is padded with zeros); when the input runs out, it fails.
 * Names and values must come out NUL-ended and printable, counts within
 * their arrays.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "dpu/hal-reg.h"
#include "hal/hal-provider.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake {
	struct dpu_dev up;
	const uint8_t *data;
	size_t size, off;
};

static int fake_reg(struct dpu_dev *dev, uint16_t reg_id, bool write, void *buf, size_t len)
{
	struct fake *f = container_of(dev, struct fake, up);

	(void)write;
	if ((reg_id != DPU_REG_PPCC && reg_id != DPU_REG_MNVDA) || f->off + len > f->size) {
		return -EIO;
	}
	memcpy(buf, f->data + f->off, len);
	f->off += len;
	return 0;
}

static int fake_cmd(struct dpu_dev *dev, const void *in, size_t in_len, void *buf, size_t len)
{
	struct fake *f = container_of(dev, struct fake, up);

	size_t n = DPU_MIN(len, f->size - f->off);

	(void)in;
	(void)in_len;
	if (n == 0) {
		return -EIO;
	}
	/* A short answer is padded with zeros: the big ones (capabilities) stay reachable. */
	memcpy(buf, f->data + f->off, n);
	memset((uint8_t *)buf + n, 0, len - n);
	f->off += n;
	return 0;
}

static const struct dpu_hal_class fake_class = {
	.scheme = "fuzz",
	.api_version = DPU_HAL_API_VERSION,
	.reg_access = fake_reg,
	.cmd = fake_cmd,
};

static void check_name(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dpu_pcc_algo algos[DPU_PPCC_SLOTS];
	static struct dpu_diag_sample samples[64];
	struct fake f = {.up = {.class = &fake_class}, .data = data, .size = size};
	int n = dpu_pcc_read(&f.up, 1, algos, DPU_PPCC_SLOTS);
	struct dpu_diag_caps caps;
	struct dpu_diag_params params;

	if (n > DPU_PPCC_SLOTS) {
		abort();
	}
	for (int i = 0; i < n; i++) {
		const struct dpu_pcc_algo *a = &algos[i];

		if (a->slot >= DPU_PPCC_SLOTS || a->n_params > DPU_PCC_ITEMS_MAX ||
		    a->n_counters > DPU_PCC_ITEMS_MAX) {
			abort();
		}
		check_name(a->name, sizeof(a->name));
		for (size_t j = 0; j < a->n_params; j++) {
			check_name(a->params[j].name, sizeof(a->params[j].name));
		}
		for (size_t j = 0; j < a->n_counters; j++) {
			check_name(a->counters[j].name, sizeof(a->counters[j].name));
		}
	}
	/* The diagnostic counters, from what is left of the input. */
	if (dpu_diag_caps(&f.up, &caps) == 0 && caps.n > DPU_DIAG_MAX) {
		abort();
	}
	if (dpu_diag_params(&f.up, &params) == 0 && params.n > DPU_DIAG_MAX) {
		abort();
	}
	n = dpu_diag_query(&f.up, 4, 0, samples, 64);
	if (n > 64) {
		abort();
	}
	/* NV configuration items: the input once more, from its start. */
	{
		static struct dpu_nv_param nv[8];
		struct fake g = {.up = {.class = &fake_class}, .data = data, .size = size};

		n = dpu_nv_reg_list(&g.up, nv, 8);
		if (n > (int)dpu_nv_n_defs) {
			abort();
		}
		for (int i = 0; i < n && i < 8; i++) {
			check_name(nv[i].name, sizeof(nv[i].name));
			check_name(nv[i].current, sizeof(nv[i].current));
			check_name(nv[i].next, sizeof(nv[i].next));
		}
	}
	return 0;
}
