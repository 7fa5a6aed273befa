/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Register access: the dispatch, the PPCC codec and the mlx5 ACCESS_REG
 * mailbox the bluefield backend sends through fwctl.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "dpu/hal-reg.h"
#include "hal-provider.h"

int dpu_reg_access(struct dpu_dev *dev, uint16_t reg_id, bool write, void *data, size_t len)
{
	if (dev == NULL || data == NULL || len == 0 || len % 4 != 0 || len > DPU_REG_MAX) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (dev->class->reg_access == NULL) {
		return -EOPNOTSUPP;
	}
	return dev->class->reg_access(dev, reg_id, write, data, len);
}

/* ---- big-endian 32-bit words, fields as (word offset, low bit, width) ---- */

static uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 |
	       p[off + 3];
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = (uint8_t)(v >> 24);
	p[off + 1] = (uint8_t)(v >> 16);
	p[off + 2] = (uint8_t)(v >> 8);
	p[off + 3] = (uint8_t)v;
}

static uint32_t field(const uint8_t *p, size_t off, unsigned int bit, unsigned int width)
{
	uint32_t mask = width >= 32 ? UINT32_MAX : (1u << width) - 1;

	return (get32(p, off) >> bit) & mask;
}

static void set_field(uint8_t *p, size_t off, unsigned int bit, unsigned int width, uint32_t v)
{
	uint32_t mask = width >= 32 ? UINT32_MAX : (1u << width) - 1;
	uint32_t w = get32(p, off) & ~(mask << bit);

	put32(p, off, w | (v & mask) << bit);
}

void dpu_ppcc_pack(const struct dpu_ppcc *r, uint8_t out[DPU_PPCC_LEN])
{
	memset(out, 0, DPU_PPCC_LEN);
	set_field(out, 0x0, 0, 8, r->cmd_type);
	set_field(out, 0x0, 12, 2, r->lp_msb);
	set_field(out, 0x0, 14, 2, r->pnat);
	set_field(out, 0x0, 16, 8, r->local_port);
	set_field(out, 0x4, 0, 4, r->algo_slot);
	set_field(out, 0x4, 16, 16, r->algo_param_index);
	put32(out, 0x8, r->value);
	put32(out, 0xc, r->param_value1);
	put32(out, 0x10, r->param_value2);
	put32(out, 0x14, r->param_value3);
	set_field(out, 0x18, 0, 16, r->sl_bitmask);
	set_field(out, 0x1c, 0, 2, r->prm);
	set_field(out, 0x1c, 2, 1, r->sl_bitmask_support);
	set_field(out, 0x1c, 3, 1, r->counter_en);
	set_field(out, 0x1c, 4, 1, r->trace_en);
	set_field(out, 0x1c, 8, 8, r->text_length);
	memcpy(out + 0x20, r->text, DPU_PPCC_TEXT_MAX);
}

void dpu_ppcc_unpack(const uint8_t in[DPU_PPCC_LEN], struct dpu_ppcc *r)
{
	memset(r, 0, sizeof(*r));
	r->cmd_type = (uint8_t)field(in, 0x0, 0, 8);
	r->lp_msb = (uint8_t)field(in, 0x0, 12, 2);
	r->pnat = (uint8_t)field(in, 0x0, 14, 2);
	r->local_port = (uint8_t)field(in, 0x0, 16, 8);
	r->algo_slot = (uint8_t)field(in, 0x4, 0, 4);
	r->algo_param_index = (uint16_t)field(in, 0x4, 16, 16);
	r->value = get32(in, 0x8);
	r->param_value1 = get32(in, 0xc);
	r->param_value2 = get32(in, 0x10);
	r->param_value3 = get32(in, 0x14);
	r->sl_bitmask = (uint16_t)field(in, 0x18, 0, 16);
	r->prm = (uint8_t)field(in, 0x1c, 0, 2);
	r->sl_bitmask_support = field(in, 0x1c, 2, 1);
	r->counter_en = field(in, 0x1c, 3, 1);
	r->trace_en = field(in, 0x1c, 4, 1);
	r->text_length = (uint8_t)DPU_MIN(field(in, 0x1c, 8, 8), (uint32_t)DPU_PPCC_TEXT_MAX);
	memcpy(r->text, in + 0x20, DPU_PPCC_TEXT_MAX);
}

uint32_t dpu_ppcc_text_u32(const struct dpu_ppcc *r, size_t n)
{
	return n < DPU_PPCC_TEXT_MAX / 4 ? get32(r->text, n * 4) : 0;
}

void dpu_ppcc_set_text_u32(struct dpu_ppcc *r, size_t n, uint32_t v)
{
	if (n < DPU_PPCC_TEXT_MAX / 4) {
		put32(r->text, n * 4, v);
	}
}

static void copy_printable(char *dst, size_t size, const uint8_t *src, size_t len)
{
	size_t n = 0;

	if (size == 0) {
		return;
	}
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		dst[n++] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	}
	dst[n] = '\0';
}

void dpu_ppcc_text_name(const struct dpu_ppcc *r, char *name, size_t name_size, char *descr,
			size_t descr_size)
{
	size_t len = r->text_length, comma;
	const uint8_t *nul = memchr(r->text, '\0', len);

	if (nul != NULL) {
		len = (size_t)(nul - r->text);
	}
	for (comma = 0; comma < len && r->text[comma] != ','; comma++) {
	}
	copy_printable(name, name_size, r->text, comma);
	if (descr != NULL) {
		copy_printable(descr, descr_size, r->text + DPU_MIN(comma + 1, len),
			       comma < len ? len - comma - 1 : 0);
	}
}

int dpu_ppcc_access(struct dpu_dev *dev, bool write, struct dpu_ppcc *r)
{
	uint8_t buf[DPU_PPCC_LEN];
	int rc;

	if (r == NULL || (r->local_port == 0 && r->lp_msb == 0) || r->algo_slot >= DPU_PPCC_SLOTS) {
		return -EINVAL;
	}
	dpu_ppcc_pack(r, buf);
	rc = dpu_reg_access(dev, DPU_REG_PPCC, write, buf, sizeof(buf));
	if (rc == 0) {
		dpu_ppcc_unpack(buf, r);
	}
	return rc;
}

int dpu_pcc_local_port(struct dpu_dev *dev, const char *name)
{
	struct dpu_port_info ports[64];
	int n = dpu_port_list(dev, ports, ARRAY_SIZE(ports)), uplinks = 0;

	if (n < 0) {
		return n;
	}
	for (int i = 0; i < n; i++) {
		if (ports[i].kind != DPU_PORT_UPLINK) {
			continue;
		}
		uplinks++;
		if (strcmp(ports[i].name, name) == 0) {
			return uplinks;
		}
	}
	return -ENODEV;
}

static int ppcc_get(struct dpu_dev *dev, unsigned int port, uint8_t slot, uint8_t cmd,
		    uint16_t index, struct dpu_ppcc *r)
{
	memset(r, 0, sizeof(*r));
	r->cmd_type = cmd;
	r->local_port = (uint8_t)port;
	r->lp_msb = (uint8_t)(port >> 8);
	r->algo_slot = slot;
	r->algo_param_index = index;
	return dpu_ppcc_access(dev, false, r);
}

/* Names (PARAM_INFO / COUNTER_INFO) and values (a bulk get) of 'n' items. */
static int read_items(struct dpu_dev *dev, unsigned int port, uint8_t slot, uint8_t num_cmd,
		      uint8_t info_cmd, uint8_t bulk_cmd, struct dpu_pcc_item *items, size_t *n)
{
	struct dpu_ppcc r;
	int rc = ppcc_get(dev, port, slot, num_cmd, 0, &r);

	*n = 0;
	if (rc < 0) {
		return rc;
	}
	*n = DPU_MIN((size_t)r.value, (size_t)DPU_PCC_ITEMS_MAX);
	for (size_t i = 0; i < *n; i++) {
		rc = ppcc_get(dev, port, slot, info_cmd, (uint16_t)i, &r);
		if (rc < 0) {
			*n = 0;
			return rc;
		}
		dpu_ppcc_text_name(&r, items[i].name, sizeof(items[i].name), NULL, 0);
	}
	if (*n == 0) {
		return 0;
	}
	rc = ppcc_get(dev, port, slot, bulk_cmd, 0, &r);
	if (rc < 0) {
		*n = 0;
		return rc;
	}
	/* The answer says how many it holds: no more than that is taken. */
	*n = DPU_MIN(*n, (size_t)r.text_length / 4);
	for (size_t i = 0; i < *n; i++) {
		items[i].value = dpu_ppcc_text_u32(&r, i);
	}
	return 0;
}

int dpu_pcc_read(struct dpu_dev *dev, unsigned int local_port, struct dpu_pcc_algo *algos,
		 size_t max)
{
	struct dpu_ppcc r;
	uint32_t present[DPU_PPCC_SLOTS];
	size_t n = 0;
	int rc;

	if (dev == NULL || algos == NULL || local_port == 0 || local_port > 1023) {
		return -EINVAL;
	}
	rc = ppcc_get(dev, local_port, 0, DPU_PPCC_ALGO_INFO_ARRAY, 0, &r);
	if (rc < 0) {
		return rc;
	}
	for (size_t i = 0; i < DPU_PPCC_SLOTS; i++) {
		present[i] = i * 4 < r.text_length ? dpu_ppcc_text_u32(&r, i) : 0;
	}
	for (uint8_t slot = 0; slot < DPU_PPCC_SLOTS && n < max; slot++) {
		struct dpu_pcc_algo *a = &algos[n];

		if (slot != DPU_PPCC_STATUS_SLOT && present[slot] == 0) {
			continue;
		}
		memset(a, 0, sizeof(*a));
		a->slot = slot;
		if (slot != DPU_PPCC_STATUS_SLOT || present[slot] != 0) {
			rc = ppcc_get(dev, local_port, slot, DPU_PPCC_ALGO_INFO, 0, &r);
			if (rc < 0) {
				return rc;
			}
			a->info = r.value;
			dpu_ppcc_text_name(&r, a->name, sizeof(a->name), NULL, 0);
		}
		rc = ppcc_get(dev, local_port, slot, DPU_PPCC_ALGO_STATUS, 0, &r);
		if (rc < 0) {
			return rc;
		}
		a->enabled = r.value == 1;
		a->counter_en = r.counter_en;
		n++;
		if (slot == DPU_PPCC_STATUS_SLOT && present[slot] == 0) {
			continue;
		}
		rc = read_items(dev, local_port, slot, DPU_PPCC_NUM_PARAMS, DPU_PPCC_PARAM_INFO,
				DPU_PPCC_BULK_GET_PARAMS, a->params, &a->n_params);
		if (rc == 0 && a->enabled && a->counter_en) {
			rc = read_items(dev, local_port, slot, DPU_PPCC_NUM_COUNTERS,
					DPU_PPCC_COUNTER_INFO, DPU_PPCC_BULK_GET_COUNTERS,
					a->counters, &a->n_counters);
		}
		if (rc < 0) {
			return rc;
		}
	}
	return (int)n;
}

/* ---- the mlx5 ACCESS_REG mailbox (mlx5_ifc access_register_in/out) ---- */

size_t dpu_mlx5_access_reg_in(uint8_t *in, size_t size, uint16_t reg_id, bool write,
			      const void *data, size_t len)
{
	if (size < DPU_MLX5_REG_HDR + len) {
		return 0;
	}
	memset(in, 0, DPU_MLX5_REG_HDR);
	put32(in, 0x0, (uint32_t)DPU_MLX5_CMD_ACCESS_REG << 16); /* opcode; uid set by the kernel */
	put32(in, 0x4, write ? 0 : 1);				 /* op_mod: 0 write, 1 read */
	put32(in, 0x8, reg_id);					 /* register_id */
	put32(in, 0xc, 0);					 /* argument */
	memcpy(in + DPU_MLX5_REG_HDR, data, len);
	return DPU_MLX5_REG_HDR + len;
}

int dpu_mlx5_access_reg_out(const uint8_t *out, size_t out_len, void *data, size_t len,
			    uint8_t *status, uint32_t *syndrome)
{
	if (out_len < DPU_MLX5_REG_HDR + len) {
		return -EIO;
	}
	*status = out[0];
	*syndrome = get32(out, 0x4);
	if (*status != 0) {
		return -EREMOTEIO;
	}
	memcpy(data, out + DPU_MLX5_REG_HDR, len);
	return 0;
}
