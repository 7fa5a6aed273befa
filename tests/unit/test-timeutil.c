/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include "unit/testutil.h"

#include "common/timeutil.h"

static void test_conversions(void **state)
{
	struct timespec ts = {.tv_sec = 3, .tv_nsec = 250};
	struct timespec back;

	(void)state;
	assert_int_equal(dpu_ts_to_ns(&ts), 3000000250ULL);
	back = dpu_ns_to_ts(3000000250ULL);
	assert_int_equal(back.tv_sec, 3);
	assert_int_equal(back.tv_nsec, 250);
}

static void test_sub_normalises(void **state)
{
	struct timespec a = {.tv_sec = 5, .tv_nsec = 100};
	struct timespec b = {.tv_sec = 4, .tv_nsec = 900000000};
	struct timespec d;

	(void)state;
	d = dpu_ts_sub(a, b);
	assert_int_equal(d.tv_sec, 0);
	assert_int_equal(d.tv_nsec, 100000100);
	assert_int_equal(dpu_ts_diff_ns(a, b), 100000100);
	/* Negative: -0.1000001 s is {-1, 899999900}. */
	d = dpu_ts_sub(b, a);
	assert_int_equal(d.tv_sec, -1);
	assert_int_equal(d.tv_nsec, 899999900);
	assert_int_equal(dpu_ts_diff_ns(b, a), -100000100);
}

static void test_monotonic_advances(void **state)
{
	uint64_t t0, t1;

	(void)state;
	t0 = dpu_time_mono_ns();
	dpu_sleep_ns(2 * DPU_NSEC_PER_MSEC);
	t1 = dpu_time_mono_ns();
	assert_true(t1 - t0 >= 2 * DPU_NSEC_PER_MSEC);
	/* Real time is in this century, in nanoseconds. */
	assert_true(dpu_time_real_ns() > 1600000000ULL * DPU_NSEC_PER_SEC);
}

static void test_deadline(void **state)
{
	struct dpu_deadline d;

	(void)state;
	d = dpu_deadline_in(60 * DPU_NSEC_PER_SEC);
	assert_false(dpu_deadline_passed(d));
	assert_in_range(dpu_deadline_ms_left(d), 59000, 60000);
	d = dpu_deadline_in(0);
	assert_true(dpu_deadline_passed(d));
	assert_int_equal(dpu_deadline_ms_left(d), 0);
	/* Rounds up: 1 ns left is 1 ms for poll(), never a busy 0. */
	d.at_ns = dpu_time_mono_ns() + 10 * DPU_NSEC_PER_SEC + 1;
	assert_int_equal(dpu_deadline_ms_left(d) >= 10000, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_sub_normalises),
		cmocka_unit_test(test_monotonic_advances),
		cmocka_unit_test(test_deadline),
	};

	return cmocka_run_group_tests_name("timeutil", tests, NULL, NULL);
}
