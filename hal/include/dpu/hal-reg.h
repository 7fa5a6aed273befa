/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device registers (the NIC's ACCESS_REG command) with a codec for PPCC,
 * Port Programmable Congestion Control, which the ppcc_eth telemetry
 * provider reads, and for MNVDA, the NV configuration items (mlxconfig's
 * parameters), which the bluefield backend's dpu_nv_list()/_set() are; and
 * firmware commands (dpu_dev_cmd()) with codecs for the
 * diagnostic counters, which the hcaperf provider and dpu-ngauge read.
 *
 * dpu_reg_access() moves one register: 'data' holds 'len' bytes laid out as
 * the adapter's Programmer's Reference Manual lays the register out (32-bit
 * big-endian words), its index fields set by the caller; a query overwrites
 * it with the device's answer, a write sends it and gets the answer back.
 *   sim:        dpu-simd's register models (sim/pcc.h for PPCC,
 *               sim/nvstore.h for MNVDA);
 *   bluefield:  the kernel's fwctl device of the PCI function (mlx5_fwctl,
 *               /dev/fwctl/fwctlN), an ACCESS_REG mailbox through FWCTL_RPC.
 * Errors: -EINVAL (length not a multiple of 4, or over DPU_REG_MAX), -ENODEV
 * (no fwctl device), -EOPNOTSUPP (the device has no such register), -EPERM,
 * -EREMOTEIO (the firmware refused the access: see dpu_dev_last_error()).
 *
 * The PPCC layout follows the register database mstflint ships
 * (prm_dbs/hca/ext/register_access_table.adb, node ppcc_reg_ext); the
 * command mailboxes follow mlx5_ifc.h (access_register, query_hca_cap,
 * set/query_diagnostic_params, query_diagnostic_cntrs).
 */
#ifndef DPU_HAL_REG_H
#define DPU_HAL_REG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dpu/hal.h"

#define DPU_REG_MAX 1024 /* bytes of register data one access moves at most */

#define DPU_REG_PPCC 0x506e

int dpu_reg_access(struct dpu_dev *dev, uint16_t reg_id, bool write, void *data, size_t len);

/* ---- PPCC ---- */

#define DPU_PPCC_LEN 0xfc	/* bytes */
#define DPU_PPCC_TEXT_MAX 0xdc	/* bytes of 'text' */
#define DPU_PPCC_SLOTS 16	/* algorithm slots per port */
#define DPU_PPCC_STATUS_SLOT 15 /* the firmware's own algorithm: status only */

enum dpu_ppcc_cmd {
	DPU_PPCC_ALGO_INFO = 0x0,	    /* value: algo info; text: "name,description" */
	DPU_PPCC_ALGO_ENABLE = 0x1,	    /* write */
	DPU_PPCC_ALGO_DISABLE = 0x2,	    /* write */
	DPU_PPCC_ALGO_STATUS = 0x3,	    /* value: 1 enabled; counter_en, trace_en */
	DPU_PPCC_NUM_PARAMS = 0x4,	    /* value */
	DPU_PPCC_PARAM_INFO = 0x5,	    /* param_value1..3 default/min/max, prm, text */
	DPU_PPCC_GET_PARAM = 0x6,	    /* value */
	DPU_PPCC_GET_CLEAR_PARAM = 0x7,	    /* value, then cleared */
	DPU_PPCC_SET_PARAM = 0x8,	    /* write: value (ignored outside min..max) */
	DPU_PPCC_BULK_GET_PARAMS = 0xa,	    /* text: u32 per parameter */
	DPU_PPCC_BULK_SET_PARAMS = 0xb,	    /* write: text as above */
	DPU_PPCC_BULK_GET_COUNTERS = 0xc,   /* text: u32 per counter */
	DPU_PPCC_BULK_CLEAR_COUNTERS = 0xd, /* as 0xc, and the counters are cleared */
	DPU_PPCC_NUM_COUNTERS = 0xe,	    /* value */
	DPU_PPCC_COUNTER_INFO = 0xf,	    /* param_value3 max (wraps to 0), prm, text */
	DPU_PPCC_ALGO_INFO_ARRAY = 0x10,    /* text: algo info per slot, 0 = empty */
};

/* Permissions of a parameter or counter (prm). */
enum dpu_ppcc_prm {
	DPU_PPCC_RO = 0,
	DPU_PPCC_RW = 1,
	DPU_PPCC_RO_CLEAR = 2, /* read-only, cleared by the get-and-clear commands */
};

/* The register, field by field. */
struct dpu_ppcc {
	uint8_t cmd_type;
	uint8_t local_port; /* 1-based */
	uint8_t pnat;	    /* 0: local port number, 1: IB port number */
	uint8_t lp_msb;	    /* local port bits 9:8 */
	uint8_t algo_slot;  /* 0..15 */
	uint16_t algo_param_index;
	uint32_t value;
	uint32_t param_value1, param_value2, param_value3;
	uint16_t sl_bitmask;
	uint8_t prm;
	bool sl_bitmask_support, counter_en, trace_en;
	uint8_t text_length; /* bytes of 'text' that are valid */
	uint8_t text[DPU_PPCC_TEXT_MAX];
};

/* Algo info: algo_id[31:16], major[15:8], minor[7:0]. */
#define DPU_PPCC_ALGO_ID(info) ((uint16_t)((info) >> 16))
#define DPU_PPCC_ALGO_MAJOR(info) ((uint8_t)((info) >> 8))
#define DPU_PPCC_ALGO_MINOR(info) ((uint8_t)(info))

void dpu_ppcc_pack(const struct dpu_ppcc *r, uint8_t out[DPU_PPCC_LEN]);
/* Every field is decoded; a text_length over DPU_PPCC_TEXT_MAX is clamped. */
void dpu_ppcc_unpack(const uint8_t in[DPU_PPCC_LEN], struct dpu_ppcc *r);
/* The n-th big-endian u32 of 'text' (bulk commands, the algo info array). */
uint32_t dpu_ppcc_text_u32(const struct dpu_ppcc *r, size_t n);
void dpu_ppcc_set_text_u32(struct dpu_ppcc *r, size_t n, uint32_t v);
/*
 * The "name,description" text of ALGO_INFO / PARAM_INFO / COUNTER_INFO:
 * the name (up to the comma) and the description, each NUL-ended and cut to
 * its buffer; characters outside printable ASCII become '?'.
 */
void dpu_ppcc_text_name(const struct dpu_ppcc *r, char *name, size_t name_size, char *descr,
			size_t descr_size);

/*
 * One PPCC access on the port r->local_port (1-based, bits 9:8 in lp_msb):
 * 'r' holds the command (cmd_type, algo_slot, algo_param_index and, for
 * writes, value/text); it is packed, sent, and the answer unpacked into 'r'.
 */
int dpu_ppcc_access(struct dpu_dev *dev, bool write, struct dpu_ppcc *r);

/* ---- a port's programmable congestion control, read whole ---- */

#define DPU_PCC_ITEMS_MAX (DPU_PPCC_TEXT_MAX / 4) /* parameters or counters per algorithm */

struct dpu_pcc_item {
	char name[48];
	uint32_t value;
};

struct dpu_pcc_algo {
	uint8_t slot;
	uint32_t info; /* DPU_PPCC_ALGO_ID() ...; 0 for the status-only slot */
	char name[48]; /* "" for the status-only slot */
	bool enabled, counter_en;
	size_t n_params, n_counters; /* counters only when enabled and counter_en */
	struct dpu_pcc_item params[DPU_PCC_ITEMS_MAX];
	struct dpu_pcc_item counters[DPU_PCC_ITEMS_MAX];
};

/* The PPCC local port of port 'name': 1 + its place among the uplinks; -ENODEV if none. */
int dpu_pcc_local_port(struct dpu_dev *dev, const char *name);
/*
 * Every algorithm of local port 'local_port': the slots ALGO_INFO_ARRAY
 * reports, each with its name, status, parameters and (when enabled and
 * counting) counters, then slot 15's status. Returns how many were filled
 * (at most 'max'), or -errno of the first access that failed.
 */
int dpu_pcc_read(struct dpu_dev *dev, unsigned int local_port, struct dpu_pcc_algo *algos,
		 size_t max);

/* ---- device commands and diagnostic counters ---- */

/*
 * One firmware command: 'in' (in_len bytes) is an mlx5 command mailbox as
 * the PRM lays it out (opcode in its first 16 bits), 'out' receives the
 * answer (out_len bytes: what the command's output structure needs). The
 * answer's status byte is checked: a refusal is -EREMOTEIO with status and
 * syndrome in dpu_dev_last_error(). bluefield: FWCTL_RPC on the function's
 * fwctl device (the scope the command needs: set-diagnostic-params is
 * debug-write, which taints the kernel; queries are debug-read-only);
 * sim: dpu-simd's models. Sizes up to DPU_CMD_MAX.
 */
#define DPU_CMD_MAX 8192
int dpu_dev_cmd(struct dpu_dev *dev, const void *in, size_t in_len, void *out, size_t out_len);

#define DPU_CMD_QUERY_HCA_CAP 0x100
#define DPU_CMD_QUERY_DIAGNOSTIC_PARAMS 0x819
#define DPU_CMD_SET_DIAGNOSTIC_PARAMS 0x820
#define DPU_CMD_QUERY_DIAGNOSTIC_COUNTERS 0x821
#define DPU_CAP_GENERAL 0x0
#define DPU_CAP_DEBUG 0xd

/*
 * Diagnostic counters (the HCA's performance counters; the hcaperf provider
 * and dpu-ngauge read them): the device samples the counters it was asked
 * for every 2^log_sample_period device clocks into a buffer of
 * 2^log_num_samples samples, once through (single) or cyclically
 * (repetitive), or at each query (on_demand); 'clear' makes each sample the
 * change since the last one.
 */
#define DPU_DIAG_MAX 64

struct dpu_diag_caps {
	uint32_t dev_freq_khz; /* device clock, for sample periods */
	uint8_t log_max_samples, log_min_sample_period;
	bool single, repetitive;
	size_t n; /* counters the device offers */
	uint16_t ids[DPU_DIAG_MAX];
};

struct dpu_diag_params {
	bool enable, single, repetitive, sync, clear, on_demand;
	uint8_t log_num_samples, log_sample_period;
	size_t n;
	uint16_t ids[DPU_DIAG_MAX];
};

struct dpu_diag_sample {
	uint16_t counter_id, sample_id;
	uint32_t timestamp; /* device clocks, bits 31:0 */
	uint64_t value;
};

/* -ENOTSUP (EOPNOTSUPP) when the device offers no diagnostic counters. */
int dpu_diag_caps(struct dpu_dev *dev, struct dpu_diag_caps *caps);
int dpu_diag_set(struct dpu_dev *dev, const struct dpu_diag_params *p);
int dpu_diag_params(struct dpu_dev *dev, struct dpu_diag_params *p);
/*
 * 'num_samples' samples from 'sample_index' of the buffer, each with every
 * counter set: 'max' entries into 's' (num_samples times the counters set;
 * at most one mailbox, (DPU_CMD_MAX - 16) / 16); returns how many.
 */
int dpu_diag_query(struct dpu_dev *dev, uint16_t num_samples, uint16_t sample_index,
		   struct dpu_diag_sample *s, size_t max);
/*
 * The diagnostic_params_context of set/query_diagnostic_params: 0x18 bytes,
 * then a counter_id per 32-bit word. _put() writes 0x18 + 4 * p->n bytes;
 * _get() reads 'len' (at least 0x18) bytes, taking as many ids as fit.
 */
void dpu_diag_ctx_put(uint8_t *ctx, const struct dpu_diag_params *p);
void dpu_diag_ctx_get(const uint8_t *ctx, size_t len, struct dpu_diag_params *p);
/* A short name for a counter id ("rx_steering_packets"), or NULL when unknown. */
const char *dpu_diag_name(uint16_t id);

/* ---- NV configuration: MNVDA, the NV configuration items ---- */

/*
 * mlxconfig's parameters live in configuration items (TLVs) the firmware
 * keeps in flash; register MNVDA (0x9024) reads one (the value for the
 * next boot, the one in force, or the factory default) or writes the
 * next-boot value. The header's layout is the register database's
 * (config_item_ext) and mlx5's nv_param.c; the items and their fields are
 * those mstflint's mlxconfig_host.db describes. The register moves the
 * 12-byte header and the item's data.
 */
#define DPU_REG_MNVDA 0x9024
#define DPU_NV_HDR 12
#define DPU_NV_DATA_MAX 256

enum dpu_nv_access {
	DPU_NV_NEXT = 0,    /* the value for the next boot (what a write sets) */
	DPU_NV_CURRENT = 1, /* in force since the last boot (read only) */
	DPU_NV_FACTORY = 2, /* the factory default (read only) */
};

enum {
	DPU_NV_CLASS_GLOBAL = 0,
	DPU_NV_CLASS_PORT = 1, /* type_index: port (1-based) in bits 23:16, parameter 15:0 */
};

#define DPU_NV_WRITER_COMMAND_INTERFACE 0x4

struct dpu_nv_item {
	uint8_t type_class;
	uint32_t type_index; /* 24 bits */
	uint8_t access_mode; /* enum dpu_nv_access */
	uint8_t version, writer_id;
	uint16_t length; /* bytes of data */
	uint8_t data[DPU_NV_DATA_MAX];
};

/* The register: header and data, 'length' rounded up to 32-bit words; returns its length. */
size_t dpu_nv_item_pack(const struct dpu_nv_item *it, uint8_t out[DPU_NV_HDR + DPU_NV_DATA_MAX]);
/* From 'len' bytes of register; a length field beyond them is cut to what came. */
void dpu_nv_item_unpack(const uint8_t *in, size_t len, struct dpu_nv_item *it);
/* One MNVDA access of 'it' (its class, index, access mode, and length as the data to move). */
int dpu_nv_item_access(struct dpu_dev *dev, bool write, struct dpu_nv_item *it);

enum dpu_nv_kind { DPU_NV_BOOL, DPU_NV_ENUM, DPU_NV_UINT };

/* A parameter: a field of a configuration item. */
struct dpu_nv_def {
	const char *name; /* mlxconfig's ("SRIOV_EN", "LINK_TYPE_P1") */
	uint8_t type_class;
	uint32_t type_index;
	uint16_t item_len;  /* bytes of the item's data */
	uint16_t word;	    /* byte offset of the field's 32-bit word */
	uint8_t bit, width; /* low bit (0 = the word's least significant) and width */
	int8_t valid_bit;   /* the bit of word 0 that says the field is set, or -1 */
	enum dpu_nv_kind kind;
	const char *const *names; /* ENUM: names of values 0, 1, ... (NULL: none) */
};

extern const struct dpu_nv_def dpu_nv_defs[];
extern const size_t dpu_nv_n_defs;

const struct dpu_nv_def *dpu_nv_def_find(const char *name);
uint32_t dpu_nv_field(const struct dpu_nv_def *d, const uint8_t *data);
/* Set the field (and its valid bit). */
void dpu_nv_set_field(const struct dpu_nv_def *d, uint8_t *data, uint32_t v);
/* As mlxconfig shows it: "ETH(2)", "True(1)", "16". */
void dpu_nv_format(const struct dpu_nv_def *d, uint32_t v, char *buf, size_t size);
/*
 * What a user may give: a name ("ETH", "True", any case), mlxconfig's
 * form ("ETH(2)"), or the number. -EINVAL when it is none of those or out
 * of the field's range.
 */
int dpu_nv_parse(const struct dpu_nv_def *d, const char *text, uint32_t *v);

/*
 * The parameters of dpu_nv_defs the device has, through MNVDA: current and
 * next-boot values (current "" where the device does not say). An item the
 * firmware refuses is one the device does not have. Returns how many (up
 * to 'max' filled), or -errno.
 */
int dpu_nv_reg_list(struct dpu_dev *dev, struct dpu_nv_param *params, size_t max);
/* Read the item for the next boot, change the field, write it back. */
int dpu_nv_reg_set(struct dpu_dev *dev, const char *name, const char *value);

/*
 * The BlueField's operating mode in force, from its internal-CPU item
 * (current values): EMBEDDED_CPU with the offload engine ENABLED is "dpu",
 * with it DISABLED "nic" (BlueField-3's NIC mode), SEPARATED_HOST
 * "separated-host". -errno when the device does not say (no such item:
 * -EREMOTEIO, as the firmware refused).
 */
int dpu_nv_dpu_mode(struct dpu_dev *dev, char *mode, size_t size);

#endif /* DPU_HAL_REG_H */
