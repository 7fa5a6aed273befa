/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PPCC register: its codec against the layout mstflint's register
 * database gives (dpu/hal-reg.h), the ACCESS_REG mailbox against mlx5_ifc's
 * access_register_in/out, and the simulator's model of the register
 * (sim/pcc.h): commands, refusals, counter_en, clearing, wrap-around.
 */
#include <config.h>

#include "unit/testutil.h"

#include <errno.h>
#include <string.h>

#include "dpu/hal-reg.h"
#include "hal/hal-provider.h"
#include "sim/pcc.h"

static void test_pack_layout(void **state)
{
	struct dpu_ppcc r = {0}, back;
	uint8_t b[DPU_PPCC_LEN];

	(void)state;
	r.cmd_type = DPU_PPCC_ALGO_INFO_ARRAY; /* 0x0.0, 8 bits */
	r.lp_msb = 2;			       /* 0x0.12, 2 bits */
	r.pnat = 1;			       /* 0x0.14, 2 bits */
	r.local_port = 0x35;		       /* 0x0.16, 8 bits */
	r.algo_slot = 15;		       /* 0x4.0, 4 bits */
	r.algo_param_index = 0xabcd;	       /* 0x4.16, 16 bits */
	r.value = 0x01020304;
	r.param_value1 = 0x11121314;
	r.param_value2 = 0x21222324;
	r.param_value3 = 0x31323334;
	r.sl_bitmask = 0x8001;	       /* 0x18.0, 16 bits */
	r.prm = 2;		       /* 0x1c.0, 2 bits */
	r.sl_bitmask_support = true;   /* 0x1c.2 */
	r.counter_en = true;	       /* 0x1c.3 */
	r.trace_en = true;	       /* 0x1c.4 */
	r.text_length = 8;	       /* 0x1c.8, 8 bits */
	memcpy(r.text, "ab,cdefg", 8); /* 0x20 on */
	dpu_ppcc_pack(&r, b);
	static const uint8_t want[0x28] = {
		0x00, 0x35, 0x60, 0x10, /* local_port 0x35, pnat 1, lp_msb 2, cmd 0x10 */
		0xab, 0xcd, 0x00, 0x0f, /* param index, slot */
		0x01, 0x02, 0x03, 0x04, 0x11, 0x12, 0x13, 0x14, 0x21, 0x22,
		0x23, 0x24, 0x31, 0x32, 0x33, 0x34, 0x00, 0x00, 0x80, 0x01, /* sl_bitmask */
		0x00, 0x00, 0x08, 0x1e, /* text_length 8; trace, counter_en, sl support, prm 2 */
		'a',  'b',  ',',  'c',	'd',  'e',  'f',  'g',
	};
	assert_memory_equal(b, want, sizeof(want));
	for (size_t i = sizeof(want); i < sizeof(b); i++) {
		assert_int_equal(b[i], 0);
	}
	dpu_ppcc_unpack(b, &back);
	assert_memory_equal(&back, &r, sizeof(r));

	/* A length past the text field is clamped; names stop at the comma, odd bytes become '?'.
	 */
	b[0x1c + 2] = 0xff;
	b[0x21] = 0x07;
	dpu_ppcc_unpack(b, &back);
	assert_int_equal(back.text_length, DPU_PPCC_TEXT_MAX);
	char name[8], descr[4];
	back.text_length = 8;
	dpu_ppcc_text_name(&back, name, sizeof(name), descr, sizeof(descr));
	assert_string_equal(name, "a?");
	assert_string_equal(descr, "cde");
}

static void test_mailbox(void **state)
{
	uint8_t in[DPU_MLX5_REG_HDR + 8], out[DPU_MLX5_REG_HDR + 8] = {0}, data[8];
	static const uint8_t reg[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint32_t syndrome;
	uint8_t status;

	(void)state;
	assert_int_equal(dpu_mlx5_access_reg_in(in, sizeof(in) - 1, DPU_REG_PPCC, false, reg, 8),
			 0);
	assert_int_equal(dpu_mlx5_access_reg_in(in, sizeof(in), DPU_REG_PPCC, false, reg, 8),
			 sizeof(in));
	static const uint8_t hdr_read[16] = {0x08, 0x05, 0,    0,    0, 0, 0, 1,
					     0,	   0,	 0x50, 0x6e, 0, 0, 0, 0};
	assert_memory_equal(in, hdr_read, 16);
	assert_memory_equal(in + 16, reg, 8);
	dpu_mlx5_access_reg_in(in, sizeof(in), DPU_REG_PPCC, true, reg, 8);
	assert_int_equal(in[7], 0); /* op_mod 0: write */

	memcpy(out + 16, reg, 8);
	assert_int_equal(dpu_mlx5_access_reg_out(out, sizeof(out), data, 8, &status, &syndrome), 0);
	assert_memory_equal(data, reg, 8);
	out[0] = 0x03; /* bad parameter */
	out[4] = 0xde, out[5] = 0xad, out[6] = 0xbe, out[7] = 0xef;
	assert_int_equal(dpu_mlx5_access_reg_out(out, sizeof(out), data, 8, &status, &syndrome),
			 -EREMOTEIO);
	assert_int_equal(status, 3);
	assert_int_equal(syndrome, 0xdeadbeef);
	assert_int_equal(dpu_mlx5_access_reg_out(out, 20, data, 8, &status, &syndrome), -EIO);
}

/* ---- the simulator's model ---- */

static struct sim_pcc_events ev[2];

static void events(void *arg, size_t uplink, struct sim_pcc_events *out)
{
	(void)arg;
	*out = ev[uplink];
}

static int reg_access(struct sim_pcc *pcc, bool write, struct dpu_ppcc *r, char *why)
{
	uint8_t b[DPU_PPCC_LEN];
	int rc;

	dpu_ppcc_pack(r, b);
	rc = sim_pcc_access(pcc, write, b, events, NULL, why, 160);
	if (rc == 0) {
		dpu_ppcc_unpack(b, r);
	}
	return rc;
}

static struct dpu_ppcc cmd(uint8_t port, uint8_t slot, uint8_t type, uint16_t index)
{
	struct dpu_ppcc r = {0};

	r.local_port = port;
	r.algo_slot = slot;
	r.cmd_type = type;
	r.algo_param_index = index;
	return r;
}

static void test_model_discovery(void **state)
{
	struct sim_pcc pcc;
	struct dpu_ppcc r;
	char why[160], name[48];

	(void)state;
	memset(ev, 0, sizeof(ev));
	sim_pcc_init(&pcc, 2);
	r = cmd(2, 0, DPU_PPCC_ALGO_INFO_ARRAY, 0);
	assert_int_equal(reg_access(&pcc, false, &r, why), 0);
	assert_int_equal(r.text_length, 64);
	assert_int_equal(dpu_ppcc_text_u32(&r, 0), SIM_PCC_ALGO_INFO);
	for (size_t i = 1; i < DPU_PPCC_SLOTS; i++) {
		assert_int_equal(dpu_ppcc_text_u32(&r, i), 0);
	}
	r = cmd(1, 0, DPU_PPCC_ALGO_INFO, 0);
	assert_int_equal(reg_access(&pcc, false, &r, why), 0);
	assert_int_equal(DPU_PPCC_ALGO_ID(r.value), 1);
	dpu_ppcc_text_name(&r, name, sizeof(name), NULL, 0);
	assert_string_equal(name, "dcqcn_sim");
	r = cmd(1, 0, DPU_PPCC_PARAM_INFO, 1);
	assert_int_equal(reg_access(&pcc, false, &r, why), 0);
	dpu_ppcc_text_name(&r, name, sizeof(name), NULL, 0);
	assert_string_equal(name, "rate_reduce_monitor_period");
	assert_int_equal(r.param_value1, 4);
	assert_int_equal(r.param_value3, 1000000);
	assert_int_equal(r.prm, DPU_PPCC_RW);
	r = cmd(1, 0, DPU_PPCC_COUNTER_INFO, 3);
	assert_int_equal(reg_access(&pcc, false, &r, why), 0);
	dpu_ppcc_text_name(&r, name, sizeof(name), NULL, 0);
	assert_string_equal(name, "cnp_sent");
	assert_int_equal(r.param_value3, UINT32_MAX);
	assert_int_equal(r.prm, DPU_PPCC_RO_CLEAR);

	/* What the firmware refuses, with the field named. */
	r = cmd(3, 0, DPU_PPCC_ALGO_STATUS, 0);
	assert_int_equal(reg_access(&pcc, false, &r, why), -EINVAL);
	assert_non_null(strstr(why, "local_port 3"));
	r = cmd(1, 4, DPU_PPCC_NUM_PARAMS, 0);
	assert_int_equal(reg_access(&pcc, false, &r, why), -EINVAL);
	assert_non_null(strstr(why, "algo_slot 4"));
	r = cmd(1, 0, DPU_PPCC_GET_PARAM, 2);
	assert_int_equal(reg_access(&pcc, false, &r, why), -EINVAL);
	assert_non_null(strstr(why, "algo_param_index 2"));
	r = cmd(1, 0, DPU_PPCC_COUNTER_INFO, 4);
	assert_int_equal(reg_access(&pcc, false, &r, why), -EINVAL);
	r = cmd(1, 0, 0x9, 0);
	assert_int_equal(reg_access(&pcc, false, &r, why), -EINVAL);
	assert_non_null(strstr(why, "cmd_type 0x9"));
	r = cmd(1, 0, DPU_PPCC_ALGO_DISABLE, 0);
	assert_int_equal(reg_access(&pcc, false, &r, why), -EINVAL); /* a write, sent as a query */
	assert_true(pcc.port[0].enabled);
}

static void test_model_settings(void **state)
{
	struct sim_pcc pcc;
	struct dpu_ppcc r;
	char why[160];

	(void)state;
	memset(ev, 0, sizeof(ev));
	sim_pcc_init(&pcc, 2);
	/* Disabling slot 0 hands the port to the firmware's algorithm (slot 15). */
	r = cmd(2, 0, DPU_PPCC_ALGO_DISABLE, 0);
	assert_int_equal(reg_access(&pcc, true, &r, why), 0);
	assert_false(pcc.port[1].enabled);
	assert_true(pcc.port[0].enabled);
	r = cmd(2, 15, DPU_PPCC_ALGO_STATUS, 0);
	assert_int_equal(reg_access(&pcc, false, &r, why), 0);
	assert_int_equal(r.value, 1);
	r = cmd(2, 0, DPU_PPCC_ALGO_STATUS, 0);
	assert_int_equal(reg_access(&pcc, false, &r, why), 0);
	assert_int_equal(r.value, 0);

	/* A parameter outside min..max is ignored, silently. */
	r = cmd(1, 0, DPU_PPCC_SET_PARAM, SIM_PCC_MIN_TIME_BETWEEN_CNPS);
	r.value = 250;
	assert_int_equal(reg_access(&pcc, true, &r, why), 0);
	assert_int_equal(r.value, 250);
	r.value = 1000001;
	assert_int_equal(reg_access(&pcc, true, &r, why), 0);
	assert_int_equal(pcc.port[0].param[SIM_PCC_MIN_TIME_BETWEEN_CNPS], 250);
	/* Bulk set: each value on its own. */
	r = cmd(1, 0, DPU_PPCC_BULK_SET_PARAMS, 0);
	dpu_ppcc_set_text_u32(&r, 0, 2000000);
	dpu_ppcc_set_text_u32(&r, 1, 77);
	r.text_length = 8;
	assert_int_equal(reg_access(&pcc, true, &r, why), 0);
	r = cmd(1, 0, DPU_PPCC_BULK_GET_PARAMS, 0);
	assert_int_equal(reg_access(&pcc, false, &r, why), 0);
	assert_int_equal(r.text_length, 8);
	assert_int_equal(dpu_ppcc_text_u32(&r, 0), 250);
	assert_int_equal(dpu_ppcc_text_u32(&r, 1), 77);
	/* The other port kept its defaults. */
	assert_int_equal(pcc.port[1].param[SIM_PCC_MIN_TIME_BETWEEN_CNPS], 4);
}

static uint32_t counter(struct sim_pcc *pcc, size_t i, bool clear)
{
	struct dpu_ppcc r =
		cmd(1, 0, clear ? DPU_PPCC_BULK_CLEAR_COUNTERS : DPU_PPCC_BULK_GET_COUNTERS, 0);
	char why[160];

	assert_int_equal(reg_access(pcc, false, &r, why), 0);
	assert_int_equal(r.text_length, SIM_PCC_COUNTERS * 4);
	return dpu_ppcc_text_u32(&r, i);
}

static void test_model_counters(void **state)
{
	struct sim_pcc pcc;
	struct dpu_ppcc r;
	char why[160];

	(void)state;
	memset(ev, 0, sizeof(ev));
	ev[0].cnp_handled = 100; /* before the model started: counted from there */
	sim_pcc_init(&pcc, 2);
	for (size_t i = 0; i < 2; i++) {
		pcc.port[i].base[0] = ev[i].cnp_handled;
	}
	ev[0].cnp_handled = 107;
	ev[0].rate_reductions = 3;
	ev[0].ce_handled = 20;
	ev[0].ce_ignored = 5; /* not the algorithm's */
	ev[0].cnp_sent = 9;
	assert_int_equal(counter(&pcc, 0, false), 7);
	assert_int_equal(counter(&pcc, 1, false), 3);
	assert_int_equal(counter(&pcc, 2, false), 20);
	assert_int_equal(counter(&pcc, 3, false), 9);

	/* counter_en off: the values hold while events go on; on again: they move on. */
	r = cmd(1, 0, DPU_PPCC_ALGO_STATUS, 0);
	r.counter_en = false;
	assert_int_equal(reg_access(&pcc, true, &r, why), 0);
	assert_false(r.counter_en);
	ev[0].cnp_sent = 50;
	assert_int_equal(counter(&pcc, 3, false), 9);
	r.counter_en = true;
	assert_int_equal(reg_access(&pcc, true, &r, why), 0);
	ev[0].cnp_sent = 52;
	assert_int_equal(counter(&pcc, 3, false), 11);

	/* Get-and-clear answers the values, then counts from 0. */
	assert_int_equal(counter(&pcc, 3, true), 11);
	assert_int_equal(counter(&pcc, 3, false), 0);
	ev[0].cnp_sent += 4;
	assert_int_equal(counter(&pcc, 3, false), 4);

	/* 32-bit: past 0xffffffff the counter wraps to 0 (it was cleared above). */
	ev[0].ce_handled += UINT32_MAX;
	assert_int_equal(counter(&pcc, 2, false), UINT32_MAX);
	ev[0].ce_handled += 20;
	assert_int_equal(counter(&pcc, 2, false), 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pack_layout),	cmocka_unit_test(test_mailbox),
		cmocka_unit_test(test_model_discovery), cmocka_unit_test(test_model_settings),
		cmocka_unit_test(test_model_counters),
	};

	return cmocka_run_group_tests_name("pcc", tests, NULL, NULL);
}
