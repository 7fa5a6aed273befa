/* SPDX-License-Identifier: BSD-3-Clause */
/* NV configuration through MNVDA (dpu/hal-reg.h): the item codec and mlxconfig's parameters. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "dpu/hal-reg.h"
#include "hal-provider.h"

size_t dpu_nv_item_pack(const struct dpu_nv_item *it, uint8_t out[DPU_NV_HDR + DPU_NV_DATA_MAX])
{
	size_t len = it->length > DPU_NV_DATA_MAX ? DPU_NV_DATA_MAX : it->length;
	size_t words = (len + 3) / 4 * 4;

	memset(out, 0, DPU_NV_HDR + words);
	dpu_be32_set_field(out, 0x0, 0, 9, (uint32_t)len);
	dpu_be32_set_field(out, 0x0, 12, 4, it->version);
	dpu_be32_set_field(out, 0x0, 16, 5, it->writer_id);
	dpu_be32_set_field(out, 0x0, 22, 2, it->access_mode);
	dpu_be32_set_field(out, 0x4, 0, 24, it->type_index);
	dpu_be32_set_field(out, 0x4, 24, 8, it->type_class);
	memcpy(out + DPU_NV_HDR, it->data, len);
	return DPU_NV_HDR + words;
}

void dpu_nv_item_unpack(const uint8_t *in, size_t len, struct dpu_nv_item *it)
{
	size_t have = len > DPU_NV_HDR ? len - DPU_NV_HDR : 0;

	memset(it, 0, sizeof(*it));
	if (len < DPU_NV_HDR) {
		return;
	}
	it->length = (uint16_t)dpu_be32_field(in, 0x0, 0, 9);
	it->version = (uint8_t)dpu_be32_field(in, 0x0, 12, 4);
	it->writer_id = (uint8_t)dpu_be32_field(in, 0x0, 16, 5);
	it->access_mode = (uint8_t)dpu_be32_field(in, 0x0, 22, 2);
	it->type_index = dpu_be32_field(in, 0x4, 0, 24);
	it->type_class = (uint8_t)dpu_be32_field(in, 0x4, 24, 8);
	if (have > DPU_NV_DATA_MAX) {
		have = DPU_NV_DATA_MAX;
	}
	if (it->length > have) {
		it->length = (uint16_t)have;
	}
	memcpy(it->data, in + DPU_NV_HDR, it->length);
}

int dpu_nv_item_access(struct dpu_dev *dev, bool write, struct dpu_nv_item *it)
{
	uint8_t reg[DPU_NV_HDR + DPU_NV_DATA_MAX];
	size_t len = dpu_nv_item_pack(it, reg);
	int rc = dpu_reg_access(dev, DPU_REG_MNVDA, write, reg, len);

	if (rc == 0) {
		dpu_nv_item_unpack(reg, len, it);
	}
	return rc;
}

/* ---- the parameters (mstflint's mlxconfig_host.db: tlvs and params) ---- */

static const char *const cpu_model[] = {"SEPARATED_HOST", "EMBEDDED_CPU", NULL};
static const char *const cpu_side[] = {"ECPF", "EXT_HOST_PF", NULL};
static const char *const offload[] = {"ENABLED", "DISABLED", NULL};
static const char *const link_type[] = {"", "IB", "ETH", NULL};

/* nv_internal_cpu_conf: global 0x0c, 16 bytes. */
#define CPU_CONF DPU_NV_CLASS_GLOBAL, 0x0c, 16
/* nv_global_pci_conf: global 0x80, 12 bytes; sriov_valid is bit 31 of word 0. */
#define PCI_CONF DPU_NV_CLASS_GLOBAL, 0x80, 12
/* nv_vpi_link_type: port class 0x12, 4 bytes. */
#define LINK_TYPE(port) DPU_NV_CLASS_PORT, (port) << 16 | 0x12, 4

const struct dpu_nv_def dpu_nv_defs[] = {
	{"INTERNAL_CPU_MODEL", CPU_CONF, 0x0, 0, 4, -1, DPU_NV_ENUM, cpu_model},
	{"INTERNAL_CPU_PAGE_SUPPLIER", CPU_CONF, 0x0, 4, 1, -1, DPU_NV_ENUM, cpu_side},
	{"INTERNAL_CPU_ESWITCH_MANAGER", CPU_CONF, 0x0, 5, 1, -1, DPU_NV_ENUM, cpu_side},
	{"INTERNAL_CPU_IB_VPORT0", CPU_CONF, 0x0, 6, 1, -1, DPU_NV_ENUM, cpu_side},
	{"INTERNAL_CPU_OFFLOAD_ENGINE", CPU_CONF, 0x0, 8, 1, -1, DPU_NV_ENUM, offload},
	{"LINK_TYPE_P1", LINK_TYPE(1), 0x0, 2, 2, -1, DPU_NV_ENUM, link_type},
	{"LINK_TYPE_P2", LINK_TYPE(2), 0x0, 2, 2, -1, DPU_NV_ENUM, link_type},
	{"SRIOV_EN", PCI_CONF, 0x4, 31, 1, 31, DPU_NV_BOOL, NULL},
	{"NUM_OF_VFS", PCI_CONF, 0x4, 0, 16, 31, DPU_NV_UINT, NULL},
	{"PF_NUM_OF_VF_VALID", PCI_CONF, 0x0, 14, 1, -1, DPU_NV_BOOL, NULL},
	{"PER_PF_NUM_SF", PCI_CONF, 0x0, 20, 1, -1, DPU_NV_BOOL, NULL},
};
const size_t dpu_nv_n_defs = ARRAY_SIZE(dpu_nv_defs);

const struct dpu_nv_def *dpu_nv_def_find(const char *name)
{
	for (size_t i = 0; i < dpu_nv_n_defs; i++) {
		if (strcasecmp(dpu_nv_defs[i].name, name) == 0) {
			return &dpu_nv_defs[i];
		}
	}
	return NULL;
}

uint32_t dpu_nv_field(const struct dpu_nv_def *d, const uint8_t *data)
{
	return dpu_be32_field(data, d->word, d->bit, d->width);
}

void dpu_nv_set_field(const struct dpu_nv_def *d, uint8_t *data, uint32_t v)
{
	dpu_be32_set_field(data, d->word, d->bit, d->width, v);
	if (d->valid_bit >= 0) {
		dpu_be32_set_field(data, 0, (unsigned int)d->valid_bit, 1, 1);
	}
}

static const char *enum_name(const struct dpu_nv_def *d, uint32_t v)
{
	for (uint32_t i = 0; d->names != NULL && d->names[i] != NULL; i++) {
		if (i == v && d->names[i][0] != '\0') {
			return d->names[i];
		}
	}
	return NULL;
}

void dpu_nv_format(const struct dpu_nv_def *d, uint32_t v, char *buf, size_t size)
{
	const char *name = d->kind == DPU_NV_BOOL ? (v ? "True" : "False") : enum_name(d, v);

	if (name != NULL) {
		snprintf(buf, size, "%s(%u)", name, v);
	} else {
		snprintf(buf, size, "%u", v);
	}
}

/* A number, the whole text. */
static bool number(const char *text, uint32_t *v)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)text[0])) {
		return false;
	}
	errno = 0;
	n = strtoul(text, &end, 0);
	if (errno != 0 || *end != '\0' || n > UINT32_MAX) {
		return false;
	}
	*v = (uint32_t)n;
	return true;
}

int dpu_nv_parse(const struct dpu_nv_def *d, const char *text, uint32_t *v)
{
	uint32_t max = d->width >= 32 ? UINT32_MAX : (1u << d->width) - 1;
	char word[64];
	const char *paren = strchr(text, '(');
	size_t n = paren ? (size_t)(paren - text) : strlen(text);
	uint32_t in_parens;

	if (n >= sizeof(word)) {
		return -EINVAL;
	}
	memcpy(word, text, n);
	word[n] = '\0';
	if (paren != NULL) {
		/* mlxconfig's "NAME(n)": the name and the number must agree. */
		char num[16];
		size_t k = strlen(paren + 1);

		if (k < 2 || k >= sizeof(num) || paren[k] != ')') {
			return -EINVAL;
		}
		memcpy(num, paren + 1, k - 1);
		num[k - 1] = '\0';
		if (!number(num, &in_parens)) {
			return -EINVAL;
		}
	}
	if (number(word, v)) {
		/* a number: as it is */
	} else if (d->kind == DPU_NV_BOOL && strcasecmp(word, "True") == 0) {
		*v = 1;
	} else if (d->kind == DPU_NV_BOOL && strcasecmp(word, "False") == 0) {
		*v = 0;
	} else {
		bool found = false;

		for (uint32_t i = 0; d->names != NULL && d->names[i] != NULL && !found; i++) {
			if (d->names[i][0] != '\0' && strcasecmp(word, d->names[i]) == 0) {
				*v = i;
				found = true;
			}
		}
		if (!found) {
			return -EINVAL;
		}
	}
	if (paren != NULL && in_parens != *v) {
		return -EINVAL;
	}
	return *v <= max ? 0 : -EINVAL;
}

/* ---- the device's parameters through MNVDA ---- */

/*
 * Read the item parameter 'd' lives in, as 'mode' has it; -EPROTO when the
 * device's item is shorter than 'need' bytes (the field asked for).
 */
static int read_item(struct dpu_dev *dev, const struct dpu_nv_def *d, uint8_t mode, size_t need,
		     struct dpu_nv_item *it)
{
	int rc;

	memset(it, 0, sizeof(*it));
	it->type_class = d->type_class;
	it->type_index = d->type_index;
	it->access_mode = mode;
	it->length = d->item_len;
	rc = dpu_nv_item_access(dev, false, it);
	if (rc == 0 && it->length < need) {
		dpu_dev_set_error(dev, "%s: the device's item is %u bytes, too short", d->name,
				  it->length);
		rc = -EPROTO;
	}
	return rc;
}

/* Items read once per call: (class, index, mode) -> data, or the refusal. */
struct item_cache {
	size_t n;
	struct {
		uint8_t type_class, mode;
		uint32_t type_index;
		int rc;
		struct dpu_nv_item it;
	} e[16];
};

static const struct dpu_nv_item *cached(struct dpu_dev *dev, struct item_cache *c,
					const struct dpu_nv_def *d, uint8_t mode, int *rc)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->e[i].type_class == d->type_class && c->e[i].type_index == d->type_index &&
		    c->e[i].mode == mode) {
			*rc = c->e[i].rc;
			return *rc == 0 ? &c->e[i].it : NULL;
		}
	}
	if (c->n == ARRAY_SIZE(c->e)) {
		*rc = -ENOSPC;
		return NULL;
	}
	c->n++;
	c->e[i].type_class = d->type_class;
	c->e[i].type_index = d->type_index;
	c->e[i].mode = mode;
	*rc = c->e[i].rc = read_item(dev, d, mode, d->word + 4u, &c->e[i].it);
	return *rc == 0 ? &c->e[i].it : NULL;
}

int dpu_nv_reg_list(struct dpu_dev *dev, struct dpu_nv_param *params, size_t max)
{
	struct item_cache *c = calloc(1, sizeof(*c));
	size_t n = 0;
	int rc = 0;

	if (c == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < dpu_nv_n_defs && rc == 0; i++) {
		const struct dpu_nv_def *d = &dpu_nv_defs[i];
		const struct dpu_nv_item *next = cached(dev, c, d, DPU_NV_NEXT, &rc), *cur;

		if (next == NULL) {
			/* The firmware refused: an item this device does not have. */
			rc = rc == -EREMOTEIO || rc == -EPROTO ? 0 : rc;
			continue;
		}
		cur = cached(dev, c, d, DPU_NV_CURRENT, &rc);
		if (cur == NULL && rc != -EREMOTEIO && rc != -EPROTO) {
			break;
		}
		rc = 0;
		if (n < max) {
			struct dpu_nv_param *p = &params[n];

			memset(p, 0, sizeof(*p));
			dpu_strscpy(p->name, d->name, sizeof(p->name));
			dpu_nv_format(d, dpu_nv_field(d, next->data), p->next, sizeof(p->next));
			if (cur != NULL) {
				dpu_nv_format(d, dpu_nv_field(d, cur->data), p->current,
					      sizeof(p->current));
			}
		}
		n++;
	}
	free(c);
	if (rc == 0) {
		dev->last_error[0] = '\0'; /* the refusals were answers */
	}
	return rc < 0 ? rc : (int)n;
}

int dpu_nv_dpu_mode(struct dpu_dev *dev, char *mode, size_t size)
{
	const struct dpu_nv_def *model = dpu_nv_def_find("INTERNAL_CPU_MODEL");
	const struct dpu_nv_def *engine = dpu_nv_def_find("INTERNAL_CPU_OFFLOAD_ENGINE");
	struct dpu_nv_item it;
	int rc = read_item(dev, model, DPU_NV_CURRENT, engine->word + 4u, &it);

	if (rc < 0) {
		return rc;
	}
	if (dpu_nv_field(model, it.data) != 1) {
		dpu_strscpy(mode, "separated-host", size);
	} else {
		dpu_strscpy(mode, dpu_nv_field(engine, it.data) ? "nic" : "dpu", size);
	}
	return 0;
}

int dpu_nv_reg_set(struct dpu_dev *dev, const char *name, const char *value)
{
	const struct dpu_nv_def *d = dpu_nv_def_find(name);
	struct dpu_nv_item it;
	uint32_t v;
	int rc;

	if (d == NULL) {
		dpu_dev_set_error(dev, "%s: no such NV parameter", name);
		return -ENOENT;
	}
	if (dpu_nv_parse(d, value, &v) < 0) {
		char ok[160] = "";
		size_t at = 0;

		for (uint32_t i = 0; d->names != NULL && d->names[i] != NULL; i++) {
			if (d->names[i][0] != '\0' && at < sizeof(ok)) {
				at += (size_t)snprintf(ok + at, sizeof(ok) - at, "%s%s(%u)",
						       at ? ", " : "", d->names[i], i);
			}
		}
		dpu_dev_set_error(dev, "%s: '%s' is not %s", d->name, value,
				  d->kind == DPU_NV_BOOL   ? "True(1) or False(0)"
				  : d->kind == DPU_NV_ENUM ? ok
							   : "a number that fits the field");
		return -EINVAL;
	}
	rc = read_item(dev, d, DPU_NV_NEXT, d->word + 4u, &it);
	if (rc < 0) {
		return rc;
	}
	dpu_nv_set_field(d, it.data, v);
	it.access_mode = DPU_NV_NEXT;
	it.writer_id = DPU_NV_WRITER_COMMAND_INTERFACE;
	return dpu_nv_item_access(dev, true, &it);
}
