/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Register access: the dispatch, the PPCC codec and the mlx5 ACCESS_REG
 * mailbox the bluefield backend sends through fwctl.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

void dpu_ppcc_pack(const struct dpu_ppcc *r, uint8_t out[DPU_PPCC_LEN])
{
	memset(out, 0, DPU_PPCC_LEN);
	dpu_be32_set_field(out, 0x0, 0, 8, r->cmd_type);
	dpu_be32_set_field(out, 0x0, 12, 2, r->lp_msb);
	dpu_be32_set_field(out, 0x0, 14, 2, r->pnat);
	dpu_be32_set_field(out, 0x0, 16, 8, r->local_port);
	dpu_be32_set_field(out, 0x4, 0, 4, r->algo_slot);
	dpu_be32_set_field(out, 0x4, 16, 16, r->algo_param_index);
	dpu_put_be32(out, 0x8, r->value);
	dpu_put_be32(out, 0xc, r->param_value1);
	dpu_put_be32(out, 0x10, r->param_value2);
	dpu_put_be32(out, 0x14, r->param_value3);
	dpu_be32_set_field(out, 0x18, 0, 16, r->sl_bitmask);
	dpu_be32_set_field(out, 0x1c, 0, 2, r->prm);
	dpu_be32_set_field(out, 0x1c, 2, 1, r->sl_bitmask_support);
	dpu_be32_set_field(out, 0x1c, 3, 1, r->counter_en);
	dpu_be32_set_field(out, 0x1c, 4, 1, r->trace_en);
	dpu_be32_set_field(out, 0x1c, 8, 8, r->text_length);
	memcpy(out + 0x20, r->text, DPU_PPCC_TEXT_MAX);
}

void dpu_ppcc_unpack(const uint8_t in[DPU_PPCC_LEN], struct dpu_ppcc *r)
{
	memset(r, 0, sizeof(*r));
	r->cmd_type = (uint8_t)dpu_be32_field(in, 0x0, 0, 8);
	r->lp_msb = (uint8_t)dpu_be32_field(in, 0x0, 12, 2);
	r->pnat = (uint8_t)dpu_be32_field(in, 0x0, 14, 2);
	r->local_port = (uint8_t)dpu_be32_field(in, 0x0, 16, 8);
	r->algo_slot = (uint8_t)dpu_be32_field(in, 0x4, 0, 4);
	r->algo_param_index = (uint16_t)dpu_be32_field(in, 0x4, 16, 16);
	r->value = dpu_get_be32(in, 0x8);
	r->param_value1 = dpu_get_be32(in, 0xc);
	r->param_value2 = dpu_get_be32(in, 0x10);
	r->param_value3 = dpu_get_be32(in, 0x14);
	r->sl_bitmask = (uint16_t)dpu_be32_field(in, 0x18, 0, 16);
	r->prm = (uint8_t)dpu_be32_field(in, 0x1c, 0, 2);
	r->sl_bitmask_support = dpu_be32_field(in, 0x1c, 2, 1);
	r->counter_en = dpu_be32_field(in, 0x1c, 3, 1);
	r->trace_en = dpu_be32_field(in, 0x1c, 4, 1);
	r->text_length =
		(uint8_t)DPU_MIN(dpu_be32_field(in, 0x1c, 8, 8), (uint32_t)DPU_PPCC_TEXT_MAX);
	memcpy(r->text, in + 0x20, DPU_PPCC_TEXT_MAX);
}

uint32_t dpu_ppcc_text_u32(const struct dpu_ppcc *r, size_t n)
{
	return n < DPU_PPCC_TEXT_MAX / 4 ? dpu_get_be32(r->text, n * 4) : 0;
}

void dpu_ppcc_set_text_u32(struct dpu_ppcc *r, size_t n, uint32_t v)
{
	if (n < DPU_PPCC_TEXT_MAX / 4) {
		dpu_put_be32(r->text, n * 4, v);
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
	dpu_put_be32(in, 0x0,
		     (uint32_t)DPU_MLX5_CMD_ACCESS_REG << 16); /* opcode; uid set by the kernel */
	dpu_put_be32(in, 0x4, write ? 0 : 1);		       /* op_mod: 0 write, 1 read */
	dpu_put_be32(in, 0x8, reg_id);			       /* register_id */
	dpu_put_be32(in, 0xc, 0);			       /* argument */
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
	*syndrome = dpu_get_be32(out, 0x4);
	if (*status != 0) {
		return -EREMOTEIO;
	}
	memcpy(data, out + DPU_MLX5_REG_HDR, len);
	return 0;
}

/* ---- firmware commands ---- */

int dpu_dev_cmd(struct dpu_dev *dev, const void *in, size_t in_len, void *out, size_t out_len)
{
	const uint8_t *o = out;
	int rc;

	if (dev == NULL || in == NULL || out == NULL || in_len < 8 || out_len < 8 ||
	    in_len > DPU_CMD_MAX || out_len > DPU_CMD_MAX) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (dev->class->cmd == NULL) {
		return -EOPNOTSUPP;
	}
	memset(out, 0, out_len);
	rc = dev->class->cmd(dev, in, in_len, out, out_len);
	if (rc == 0 && o[0] != 0) {
		if (dev->last_error[0] == '\0') {
			dpu_dev_set_error(dev,
					  "command 0x%04x: firmware status 0x%02x syndrome 0x%08x",
					  dpu_get_be32(in, 0) >> 16, o[0], dpu_get_be32(o, 4));
		}
		rc = -EREMOTEIO;
	}
	return rc;
}

static void cmd_hdr(uint8_t *in, uint16_t opcode, uint16_t op_mod)
{
	dpu_put_be32(in, 0x0, (uint32_t)opcode << 16);
	dpu_put_be32(in, 0x4, op_mod);
}

/* Capabilities: QUERY_HCA_CAP, the current values of 'type'. */
#define HCA_CAP_LEN 0x1000
static int query_cap(struct dpu_dev *dev, uint16_t type, uint8_t *out)
{
	uint8_t in[16] = {0};

	cmd_hdr(in, DPU_CMD_QUERY_HCA_CAP, (uint16_t)(type << 1 | 1));
	return dpu_dev_cmd(dev, in, sizeof(in), out, 16 + HCA_CAP_LEN);
}

static int read_caps(struct dpu_dev *dev, uint8_t *out, struct dpu_diag_caps *caps)
{
	const uint8_t *cap = out + 16;
	size_t n;
	int rc = query_cap(dev, DPU_CAP_GENERAL, out);

	if (rc < 0) {
		return rc;
	}
	/* cmd_hca_cap: num_of_diagnostic_counters at bit 0x280, device_frequency_khz at 0x4e0. */
	n = dpu_be32_field(cap, 0x50, 16, 16);
	caps->dev_freq_khz = dpu_get_be32(cap, 0x9c);
	if (n == 0) {
		dpu_dev_set_error(dev, "the device offers no diagnostic counters");
		return -EOPNOTSUPP;
	}
	rc = query_cap(dev, DPU_CAP_DEBUG, out);
	if (rc < 0) {
		return rc;
	}
	caps->log_max_samples = (uint8_t)dpu_be32_field(cap, 0x0, 0, 8);
	caps->single = dpu_be32_field(cap, 0x4, 31, 1);
	caps->repetitive = dpu_be32_field(cap, 0x4, 30, 1);
	caps->log_min_sample_period = (uint8_t)dpu_be32_field(cap, 0x4, 0, 8);
	/* debug_cap: diagnostic_counter[] from byte 0x40, {sync:1, counter_id:16} each. */
	caps->n = DPU_MIN(n, DPU_MIN((size_t)DPU_DIAG_MAX, (size_t)(HCA_CAP_LEN - 0x40) / 4));
	for (size_t i = 0; i < caps->n; i++) {
		caps->ids[i] = (uint16_t)dpu_be32_field(cap, 0x40 + 4 * i, 0, 16);
	}
	return 0;
}

int dpu_diag_caps(struct dpu_dev *dev, struct dpu_diag_caps *caps)
{
	uint8_t *out = malloc(16 + HCA_CAP_LEN);
	int rc = out == NULL ? -ENOMEM : 0;

	if (caps == NULL) {
		free(out);
		return -EINVAL;
	}
	memset(caps, 0, sizeof(*caps));
	if (rc == 0) {
		rc = read_caps(dev, out, caps);
	}
	free(out);
	return rc;
}

void dpu_diag_ctx_put(uint8_t *ctx, const struct dpu_diag_params *p)
{
	dpu_be32_set_field(ctx, 0x0, 16, 16, (uint32_t)p->n);
	dpu_be32_set_field(ctx, 0x0, 0, 8, p->log_num_samples);
	dpu_be32_set_field(ctx, 0x4, 31, 1, p->single);
	dpu_be32_set_field(ctx, 0x4, 30, 1, p->repetitive);
	dpu_be32_set_field(ctx, 0x4, 29, 1, p->sync);
	dpu_be32_set_field(ctx, 0x4, 28, 1, p->clear);
	dpu_be32_set_field(ctx, 0x4, 27, 1, p->on_demand);
	dpu_be32_set_field(ctx, 0x4, 26, 1, p->enable);
	dpu_be32_set_field(ctx, 0x4, 0, 8, p->log_sample_period);
	for (size_t i = 0; i < p->n; i++) {
		dpu_put_be32(ctx, 0x18 + 4 * i, p->ids[i]);
	}
}

void dpu_diag_ctx_get(const uint8_t *ctx, size_t len, struct dpu_diag_params *p)
{
	memset(p, 0, sizeof(*p));
	p->n = dpu_be32_field(ctx, 0x0, 16, 16);
	p->log_num_samples = (uint8_t)dpu_be32_field(ctx, 0x0, 0, 8);
	p->single = dpu_be32_field(ctx, 0x4, 31, 1);
	p->repetitive = dpu_be32_field(ctx, 0x4, 30, 1);
	p->sync = dpu_be32_field(ctx, 0x4, 29, 1);
	p->clear = dpu_be32_field(ctx, 0x4, 28, 1);
	p->on_demand = dpu_be32_field(ctx, 0x4, 27, 1);
	p->enable = dpu_be32_field(ctx, 0x4, 26, 1);
	p->log_sample_period = (uint8_t)dpu_be32_field(ctx, 0x4, 0, 8);
	p->n = DPU_MIN(p->n, DPU_MIN((size_t)DPU_DIAG_MAX, len > 0x18 ? (len - 0x18) / 4 : 0));
	for (size_t i = 0; i < p->n; i++) {
		p->ids[i] = (uint16_t)dpu_be32_field(ctx, 0x18 + 4 * i, 0, 16);
	}
}

int dpu_diag_set(struct dpu_dev *dev, const struct dpu_diag_params *p)
{
	uint8_t in[8 + 0x18 + 4 * DPU_DIAG_MAX] = {0}, out[16];

	if (p == NULL || p->n > DPU_DIAG_MAX) {
		return -EINVAL;
	}
	cmd_hdr(in, DPU_CMD_SET_DIAGNOSTIC_PARAMS, 0);
	dpu_diag_ctx_put(in + 8, p);
	return dpu_dev_cmd(dev, in, 8 + 0x18 + 4 * p->n, out, sizeof(out));
}

int dpu_diag_params(struct dpu_dev *dev, struct dpu_diag_params *p)
{
	uint8_t in[16] = {0}, out[8 + 0x18 + 4 * DPU_DIAG_MAX];
	int rc;

	if (p == NULL) {
		return -EINVAL;
	}
	cmd_hdr(in, DPU_CMD_QUERY_DIAGNOSTIC_PARAMS, 0);
	rc = dpu_dev_cmd(dev, in, sizeof(in), out, sizeof(out));
	if (rc == 0) {
		dpu_diag_ctx_get(out + 8, sizeof(out) - 8, p);
	}
	return rc;
}

int dpu_diag_query(struct dpu_dev *dev, uint16_t num_samples, uint16_t sample_index,
		   struct dpu_diag_sample *s, size_t max)
{
	uint8_t in[16] = {0};
	size_t n = DPU_MIN(max, (size_t)(DPU_CMD_MAX - 16) / 16), out_len = 16 + 16 * n;
	uint8_t *out;
	int rc;

	if (s == NULL || num_samples == 0 || n == 0) {
		return -EINVAL;
	}
	out = malloc(out_len);
	if (out == NULL) {
		return -ENOMEM;
	}
	cmd_hdr(in, DPU_CMD_QUERY_DIAGNOSTIC_COUNTERS, 0);
	dpu_put_be32(in, 0x8, (uint32_t)num_samples << 16 | sample_index);
	rc = dpu_dev_cmd(dev, in, sizeof(in), out, out_len);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const uint8_t *e = out + 16 + 16 * i;

		s[i].counter_id = (uint16_t)dpu_be32_field(e, 0x0, 16, 16);
		s[i].sample_id = (uint16_t)dpu_be32_field(e, 0x0, 0, 16);
		s[i].timestamp = dpu_get_be32(e, 0x4);
		s[i].value = (uint64_t)dpu_get_be32(e, 0x8) << 32 | dpu_get_be32(e, 0xc);
	}
	free(out);
	return rc < 0 ? rc : (int)n;
}

const char *dpu_diag_name(uint16_t id)
{
	/* The ids mlx5ctl's diag_cnt names, with its meanings. */
	static const struct {
		uint16_t id;
		const char *name;
	} names[] = {
		{0x0401, "back_pressure_datalink_to_transport"}, /* device clocks */
		{0x0402, "outbound_stalled_writes"},		 /* no PCIe posted credits */
		{0x0403, "outbound_stalled_reads"},		 /* no PCIe non-posted credits */
		{0x0406, "rx_128b_data"}, /* inbound PCIe data, 128 B units */
		{0x0409, "pci_read_stalled_no_read_engines"},
		{0x040a, "pci_read_stalled_no_completion_buffer"},
		{0x040b, "pci_read_stalled_ordering"},
		{0x1001, "rx_steering_packets"}, /* through the receive pipe */
		{0x2001, "sq_stopped_limited_vl"},
		{0x2006, "tx_packets"}, /* through the transmit pipe */
		{0x2c02, "line_transmitted_port_1"},
		{0x2c03, "line_transmitted_port_2"},
		{0x2c04, "line_transmitted_loopback"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (names[i].id == id) {
			return names[i].name;
		}
	}
	return NULL;
}
