/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Diagnostic counters: the HAL's command mailboxes (dpu/hal-reg.h) against
 * mlx5_ifc's layouts, and the simulator's model of the commands (sim/diag.h)
 * driven through them: capabilities, refusals, on-demand, single and
 * repetitive sampling, clear, timestamps.
 */
#include <config.h>

#include "unit/testutil.h"

#include <errno.h>
#include <string.h>

#include "common/util.h"
#include "dpu/hal-reg.h"
#include "hal/hal-provider.h"
#include "sim/diag.h"

/* A device whose commands go to a sim_diag in this process, the last request kept. */
struct fake {
	struct dpu_dev up;
	struct sim_diag d;
	uint64_t now_ns;
	uint64_t value[0x3000];
	uint8_t last_in[DPU_CMD_MAX];
	size_t last_in_len;
	char why[160];
};

static uint64_t value_of(void *arg, uint16_t id)
{
	struct fake *f = arg;

	return id < ARRAY_SIZE(f->value) ? f->value[id] : 0;
}

static int fake_cmd(struct dpu_dev *dev, const void *in, size_t in_len, void *out, size_t out_len)
{
	struct fake *f = container_of(dev, struct fake, up);
	int rc;

	memcpy(f->last_in, in, in_len);
	f->last_in_len = in_len;
	rc = sim_diag_cmd(&f->d, in, in_len, out, out_len, value_of, f, f->now_ns, f->why,
			  sizeof(f->why));
	if (rc == -EINVAL) {
		dpu_dev_set_error(dev, "%s", f->why);
		return -EREMOTEIO;
	}
	return rc;
}

static const struct dpu_hal_class fake_class = {
	.scheme = "fake",
	.api_version = DPU_HAL_API_VERSION,
	.cmd = fake_cmd,
};

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->up.class = &fake_class;
	f->now_ns = 1000;
	sim_diag_init(&f->d, 1000);
	return f;
}

static void fake_free(struct fake *f)
{
	sim_diag_free(&f->d);
	free(f);
}

static void test_caps(void **state)
{
	struct fake *f = fake_new();
	struct dpu_diag_caps c;

	(void)state;
	assert_int_equal(dpu_diag_caps(&f->up, &c), 0);
	/* The last request: QUERY_HCA_CAP (0x100) of the debug capabilities (0xd << 1 | current).
	 */
	assert_int_equal(f->last_in[0], 0x01);
	assert_int_equal(f->last_in[1], 0x00);
	assert_int_equal(f->last_in[7], 0x1b);
	assert_int_equal(c.dev_freq_khz, SIM_DIAG_FREQ_KHZ);
	assert_int_equal(c.log_max_samples, SIM_DIAG_LOG_MAX_SAMPLES);
	assert_int_equal(c.log_min_sample_period, SIM_DIAG_LOG_MIN_PERIOD);
	assert_true(c.single && c.repetitive);
	assert_int_equal(c.n, SIM_DIAG_COUNTERS);
	assert_int_equal(c.ids[1], 0x1001);
	assert_string_equal(dpu_diag_name(0x1001), "rx_steering_packets");
	assert_null(dpu_diag_name(0x9999));
	fake_free(f);
}

static void test_set_mailbox_and_refusals(void **state)
{
	struct fake *f = fake_new();
	struct dpu_diag_params p = {.enable = true,
				    .repetitive = true,
				    .clear = true,
				    .log_num_samples = 3,
				    .log_sample_period = 21,
				    .n = 2,
				    .ids = {0x1001, 0x2006}};
	struct dpu_diag_params back;

	(void)state;
	assert_int_equal(dpu_diag_set(&f->up, &p), 0);
	/* set_diagnostic_params_in: opcode 0x820; the context from byte 8. */
	static const uint8_t want[] = {
		0x08, 0x20, 0,	  0,	0,    0,    0,	  0, /* opcode, op_mod */
		0x00, 0x02, 0x00, 0x03, /* num_of_counters 2, log_num_of_samples 3 */
		0x54, 0x00, 0x00, 21,	/* repetitive, clear, enable; period 21 */
		0,    0,    0,	  0,	0,    0,    0,	  0,
		0,    0,    0,	  0,	0,    0,    0,	  0,	/* reserved */
		0x00, 0x00, 0x10, 0x01, 0x00, 0x00, 0x20, 0x06, /* counter ids */
	};
	assert_int_equal(f->last_in_len, sizeof(want));
	assert_memory_equal(f->last_in, want, sizeof(want));
	assert_int_equal(dpu_diag_params(&f->up, &back), 0);
	assert_true(back.enable && back.repetitive && back.clear && !back.single);
	assert_int_equal(back.log_num_samples, 3);
	assert_int_equal(back.log_sample_period, 21);
	assert_int_equal(back.n, 2);
	assert_int_equal(back.ids[1], 0x2006);

	/* What the firmware refuses, the field named. */
	p.ids[1] = 0x9999;
	assert_int_equal(dpu_diag_set(&f->up, &p), -EREMOTEIO);
	assert_non_null(strstr(dpu_dev_last_error(&f->up), "counter_id[1] 0x9999"));
	p.ids[1] = 0x2006;
	p.log_sample_period = SIM_DIAG_LOG_MIN_PERIOD - 1;
	assert_int_equal(dpu_diag_set(&f->up, &p), -EREMOTEIO);
	assert_non_null(strstr(dpu_dev_last_error(&f->up), "log_sample_period"));
	p.log_sample_period =
		SIM_DIAG_LOG_MAX_PERIOD + 1; /* 2^41 clocks: too long (and UB if shifted) */
	assert_int_equal(dpu_diag_set(&f->up, &p), -EREMOTEIO);
	assert_non_null(strstr(dpu_dev_last_error(&f->up), "log_sample_period 41"));
	p.log_sample_period = 255;
	assert_int_equal(dpu_diag_set(&f->up, &p), -EREMOTEIO);
	p.log_sample_period = 21;
	p.log_num_samples = SIM_DIAG_LOG_MAX_SAMPLES + 1;
	assert_int_equal(dpu_diag_set(&f->up, &p), -EREMOTEIO);
	p.log_num_samples = 3;
	p.single = true;
	assert_int_equal(dpu_diag_set(&f->up, &p), -EREMOTEIO);
	assert_non_null(strstr(dpu_dev_last_error(&f->up), "single and repetitive"));
	/* The refused ones changed nothing. */
	assert_int_equal(dpu_diag_params(&f->up, &back), 0);
	assert_true(back.repetitive && !back.single);
	fake_free(f);
}

static void test_on_demand_and_clear(void **state)
{
	struct fake *f = fake_new();
	struct dpu_diag_params p = {
		.enable = true, .on_demand = true, .n = 2, .ids = {0x1001, 0x2c02}};
	struct dpu_diag_sample s[2];

	(void)state;
	f->value[0x1001] = 5;
	f->value[0x2c02] = 0x123456789aull; /* above 32 bits */
	assert_int_equal(dpu_diag_set(&f->up, &p), 0);
	assert_int_equal(sim_diag_period_ns(&f->d), 0); /* no timer: a sample per query */
	f->now_ns = 1000 + 3000;
	assert_int_equal(dpu_diag_query(&f->up, 1, 0, s, 2), 2);
	assert_int_equal(s[0].counter_id, 0x1001);
	assert_int_equal(s[0].value, 5);
	assert_int_equal(s[0].timestamp, 3000); /* 1 GHz: ns since the clock's zero */
	assert_int_equal(s[1].value, 0x123456789aull);
	f->value[0x1001] = 9;
	assert_int_equal(dpu_diag_query(&f->up, 1, 0, s, 2), 2);
	assert_int_equal(s[0].value, 9);
	assert_int_equal(s[0].sample_id, 1);
	/* A slot past the buffer (one slot here) is refused. */
	assert_int_equal(dpu_diag_query(&f->up, 1, 1, s, 2), -EREMOTEIO);

	/* clear: each sample the change since the previous one (the set-up is the start). */
	p.clear = true;
	assert_int_equal(dpu_diag_set(&f->up, &p), 0);
	f->value[0x1001] = 15;
	assert_int_equal(dpu_diag_query(&f->up, 1, 0, s, 2), 2);
	assert_int_equal(s[0].value, 6);
	f->value[0x1001] = 16;
	assert_int_equal(dpu_diag_query(&f->up, 1, 0, s, 2), 2);
	assert_int_equal(s[0].value, 1);
	fake_free(f);
}

static void test_single_and_repetitive(void **state)
{
	struct fake *f = fake_new();
	struct dpu_diag_params p = {.enable = true,
				    .single = true,
				    .log_num_samples = 2,
				    .log_sample_period = 20,
				    .n = 1,
				    .ids = {0x2006}};
	struct dpu_diag_sample s[4];

	(void)state;
	assert_int_equal(dpu_diag_set(&f->up, &p), 0);
	assert_int_equal(sim_diag_period_ns(&f->d), 1u << 20);
	/* Not yet sampled: zeros. */
	assert_int_equal(dpu_diag_query(&f->up, 4, 0, s, 4), 4);
	assert_int_equal(s[0].counter_id, 0);
	for (int i = 0; i < 6; i++) {
		f->value[0x2006] = 100 + (uint64_t)i;
		sim_diag_tick(&f->d, value_of, f, 1000 + (uint64_t)i * (1u << 20));
	}
	/* single: the four slots hold the first four samples; then it stops. */
	assert_int_equal(dpu_diag_query(&f->up, 4, 0, s, 4), 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(s[i].counter_id, 0x2006);
		assert_int_equal(s[i].sample_id, i);
		assert_int_equal(s[i].value, 100 + i);
		assert_int_equal(s[i].timestamp, (uint32_t)i << 20);
	}
	assert_int_equal(sim_diag_period_ns(&f->d), 0);

	/* repetitive: round and round, the newest over the oldest. */
	p.single = false;
	p.repetitive = true;
	assert_int_equal(dpu_diag_set(&f->up, &p), 0);
	for (int i = 0; i < 6; i++) {
		f->value[0x2006] = 200 + (uint64_t)i;
		sim_diag_tick(&f->d, value_of, f, 1000 + (uint64_t)i * (1u << 20));
	}
	assert_int_equal(dpu_diag_query(&f->up, 2, 0, s, 2), 2);
	assert_int_equal(s[0].sample_id, 4);
	assert_int_equal(s[0].value, 204);
	assert_int_equal(s[1].sample_id, 5);
	assert_int_equal(dpu_diag_query(&f->up, 2, 2, s, 2), 2);
	assert_int_equal(s[0].sample_id, 2);
	assert_int_equal(sim_diag_period_ns(&f->d), 1u << 20);

	/* Disabled: queries refused, no timer. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(dpu_diag_set(&f->up, &p), 0);
	assert_int_equal(dpu_diag_query(&f->up, 1, 0, s, 1), -EREMOTEIO);
	assert_int_equal(sim_diag_period_ns(&f->d), 0);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_set_mailbox_and_refusals),
		cmocka_unit_test(test_on_demand_and_clear),
		cmocka_unit_test(test_single_and_repetitive),
	};

	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
