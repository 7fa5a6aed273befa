/* SPDX-License-Identifier: BSD-3-Clause */
/* The simulated PHC's oscillator model (sim/phc.h). */
#include <config.h>

#include "unit/testutil.h"

#include <errno.h>
#include <math.h>

#include "sim/phc.h"

#define SEC 1000000000LL

static void test_free_running(void **state)
{
	struct sim_phc c;

	(void)state;
	sim_phc_init(&c, 1000, 5 * SEC, 0);
	assert_int_equal(sim_phc_read(&c, 1000), 5 * SEC);
	assert_int_equal(sim_phc_read(&c, 1000 + 3 * SEC), 8 * SEC);
	/* A day later, still exact to the nanosecond without drift. */
	assert_int_equal(sim_phc_read(&c, 1000 + 86400 * SEC + 7), 5 * SEC + 86400 * SEC + 7);
}

static void test_drift_and_correction(void **state)
{
	struct sim_phc c;
	int64_t t = 0, before;

	(void)state;
	sim_phc_init(&c, t, 0, 1e6); /* 1000 ppm fast: 1 ms per second */
	assert_int_equal(sim_phc_read(&c, SEC), SEC + SEC / 1000);
	/* Changing the drift never moves the clock at that instant. */
	t = 2 * SEC;
	before = sim_phc_read(&c, t);
	sim_phc_set_drift(&c, t, -2e5);
	assert_int_equal(sim_phc_read(&c, t), before);
	assert_int_equal(sim_phc_read(&c, t + SEC), before + SEC - SEC / 5000);
	/* The servo's correction adds to the drift; beyond its range it is refused. */
	assert_int_equal(sim_phc_adjfreq(&c, t, 2e5), 0);
	assert_int_equal(sim_phc_read(&c, t + 10 * SEC), before + 10 * SEC);
	assert_int_equal(sim_phc_adjfreq(&c, t, SIM_PHC_MAX_ADJ_PPB + 1), -ERANGE);
	assert_int_equal(sim_phc_adjfreq(&c, t, NAN), -ERANGE);
	assert_true(c.freq_ppb == 2e5);
}

static void test_step_and_set(void **state)
{
	struct sim_phc c;

	(void)state;
	sim_phc_init(&c, 0, 100 * SEC, 0);
	sim_phc_step(&c, SEC, -30 * SEC);
	assert_int_equal(sim_phc_read(&c, SEC), 71 * SEC);
	sim_phc_step(&c, 2 * SEC, 250);
	assert_int_equal(sim_phc_read(&c, 2 * SEC), 72 * SEC + 250);
	sim_phc_set(&c, 3 * SEC, 37);
	assert_int_equal(sim_phc_read(&c, 4 * SEC), SEC + 37);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_running),
		cmocka_unit_test(test_drift_and_correction),
		cmocka_unit_test(test_step_and_set),
	};

	return cmocka_run_group_tests_name("sim-phc", tests, NULL, NULL);
}
