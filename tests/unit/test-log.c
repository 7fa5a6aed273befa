/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include "unit/testutil.h"

#define DPU_LOG_MODULE "test"
#include "common/log.h"
#include "common/opts.h"

struct captured {
	int count;
	int level;
	char module[32];
	char msg[1100];
};

static void capture(int level, const char *module, const char *msg, void *arg)
{
	struct captured *c = arg;

	c->count++;
	c->level = level;
	snprintf(c->module, sizeof(c->module), "%s", module);
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

static int setup(void **state)
{
	static struct captured c;

	memset(&c, 0, sizeof(c));
	dpu_log_set_sink(capture, &c);
	dpu_log_set_level(DPU_LOG_INFO);
	*state = &c;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dpu_log_set_sink(NULL, NULL);
	dpu_log_set_level(DPU_LOG_INFO);
	return 0;
}

static void test_level_parse_numbers(void **state)
{
	int lvl;

	(void)state;
	for (int v = 10; v <= 70; v += 10) {
		char buf[8];

		snprintf(buf, sizeof(buf), "%d", v);
		assert_int_equal(dpu_log_level_parse(buf, &lvl), 0);
		assert_int_equal(lvl, v);
	}
	assert_int_equal(dpu_log_level_parse("0", &lvl), -EINVAL);
	assert_int_equal(dpu_log_level_parse("45", &lvl), -EINVAL);
	assert_int_equal(dpu_log_level_parse("80", &lvl), -EINVAL);
	assert_int_equal(dpu_log_level_parse("50x", &lvl), -EINVAL);
	assert_int_equal(dpu_log_level_parse("", &lvl), -EINVAL);
	assert_int_equal(dpu_log_level_parse(NULL, &lvl), -EINVAL);
}

static void test_level_parse_names(void **state)
{
	int lvl;

	(void)state;
	assert_int_equal(dpu_log_level_parse("debug", &lvl), 0);
	assert_int_equal(lvl, DPU_LOG_DEBUG);
	assert_int_equal(dpu_log_level_parse("WARNING", &lvl), 0);
	assert_int_equal(lvl, DPU_LOG_WARNING);
	assert_int_equal(dpu_log_level_parse("warn", &lvl), 0);
	assert_int_equal(lvl, DPU_LOG_WARNING);
	assert_int_equal(dpu_log_level_parse("Trace", &lvl), 0);
	assert_int_equal(lvl, DPU_LOG_TRACE);
	assert_int_equal(dpu_log_level_parse("disable", &lvl), 0);
	assert_int_equal(lvl, DPU_LOG_DISABLE);
	assert_int_equal(dpu_log_level_parse("verbose", &lvl), -EINVAL);
	assert_string_equal(dpu_log_level_name(DPU_LOG_CRITICAL), "CRITICAL");
	assert_string_equal(dpu_log_level_name(55), "?");
}

static int side_effects;

static const char *count_eval(void)
{
	side_effects++;
	return "x";
}

static void test_threshold(void **state)
{
	struct captured *c = *state;

	log_info("hello %d", 42);
	assert_int_equal(c->count, 1);
	assert_int_equal(c->level, DPU_LOG_INFO);
	assert_string_equal(c->module, "test");
	assert_string_equal(c->msg, "hello 42");

	/* Below the threshold: not printed, arguments not evaluated. */
	side_effects = 0;
	log_dbg("%s", count_eval());
	assert_int_equal(c->count, 1);
	assert_int_equal(side_effects, 0);

	dpu_log_set_level(DPU_LOG_TRACE);
	log_trace("%s", count_eval());
	assert_int_equal(c->count, 2);
	assert_int_equal(side_effects, 1);

	/* DISABLE silences even CRITICAL. */
	dpu_log_set_level(DPU_LOG_DISABLE);
	log_crit("must not appear");
	assert_int_equal(c->count, 2);

	dpu_log_set_level(DPU_LOG_ERROR);
	log_warn("filtered");
	log_err("kept");
	assert_int_equal(c->count, 3);
	assert_string_equal(c->msg, "kept");
}

static void test_truncation_marked(void **state)
{
	struct captured *c = *state;
	char big[2000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
	assert_int_equal(strlen(c->msg), 1023);
	assert_string_equal(c->msg + 1020, "...");
}

static void test_rate_limit(void **state)
{
	struct captured *c = *state;

	for (int i = 0; i < 100; i++) {
		log_warn_rl("flood %d", i);
	}
	/* A burst passes, the rest is suppressed in this one-second window. */
	assert_int_equal(c->count, DPU_LOG_RL_BURST);
	assert_string_equal(c->msg, "flood 9");
}

static void test_rate_limit_reports_suppressed(void **state)
{
	struct captured *c = *state;
	struct dpu_log_rl rl = {0};

	for (int i = 0; i < 25; i++) {
		assert_int_equal(dpu_log_rl_allow(&rl, DPU_LOG_WARNING, "t"), i < DPU_LOG_RL_BURST);
	}
	assert_int_equal(c->count, 0);
	/* Pretend the window is over: the next call reports what was dropped. */
	rl.window_ns -= 2000000000ULL;
	assert_true(dpu_log_rl_allow(&rl, DPU_LOG_WARNING, "t"));
	assert_int_equal(c->count, 1);
	assert_string_equal(c->msg, "15 similar messages suppressed");
}

static void test_common_options(void **state)
{
	(void)state;
	assert_int_equal(dpu_common_opt('l', "60"), 1);
	assert_int_equal(dpu_log_get_level(), DPU_LOG_DEBUG);
	assert_int_equal(dpu_common_opt('l', "trace"), 1);
	assert_int_equal(dpu_log_get_level(), DPU_LOG_TRACE);
	assert_int_equal(dpu_common_opt(DPU_OPT_SDK_LOG_LEVEL, "30"), 1);
	assert_int_equal(dpu_log_get_sdk_level(), DPU_LOG_ERROR);
	assert_int_equal(dpu_common_opt('l', "99"), -EINVAL);
	assert_int_equal(dpu_log_get_level(), DPU_LOG_TRACE); /* unchanged */
	assert_int_equal(dpu_common_opt('x', "1"), 0);
	assert_int_equal(dpu_common_opt(DPU_OPT_SYSLOG, NULL), 1);
}

static void test_stderr_line_format(void **state)
{
	int fds[2], saved;
	char buf[512] = {0};
	ssize_t n;

	(void)state;
	dpu_log_set_sink(NULL, NULL);
	assert_int_equal(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	assert_true(dup2(fds[1], STDERR_FILENO) >= 0);
	assert_int_equal(dpu_log_open("dpu-test", DPU_LOG_TO_STDERR), 0);
	log_err("disk %s full", "/data");
	dpu_log_close();
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	assert_true(n > 0);
	/* 2026-11-25T12:00:00.123Z dpu-test[PID]: ERROR test: disk /data full */
	assert_int_equal(buf[4], '-');
	assert_int_equal(buf[10], 'T');
	assert_non_null(strstr(buf, "Z dpu-test["));
	assert_non_null(strstr(buf, "]: ERROR test: disk /data full\n"));
	assert_int_equal(dpu_log_open("x", (enum dpu_log_target)7), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_parse_numbers),
		cmocka_unit_test(test_level_parse_names),
		cmocka_unit_test_setup_teardown(test_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation_marked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit_reports_suppressed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_common_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stderr_line_format, setup, teardown),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
