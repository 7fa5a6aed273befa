/* SPDX-License-Identifier: BSD-3-Clause */
/* BlueMan: credentials, sessions, login rate limiting, Prometheus text. */
#include <config.h>

#include "unit/testutil.h"

#include <crypt.h>
#include <errno.h>

#include <json-c/json.h>

#include "blueman/auth.h"
#include "blueman/data.h"
#include "common/cfg.h"

static void test_creds(void **state)
{
	struct crypt_data cd;
	struct bm_creds *c = NULL;
	struct dpu_cfg_err err;
	char text[512], msg[512], salt[64];
	const char *hash;

	(void)state;
	memset(&cd, 0, sizeof(cd));
	assert_non_null(crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof(salt)));
	hash = crypt_r("right horse", salt, &cd);
	assert_non_null(hash);
	snprintf(text, sizeof(text), "# users\n\nops:%s\r\n", hash);
	assert_int_equal(bm_creds_parse(text, "creds", &c, &err), 0);
	assert_int_equal(bm_creds_count(c), 1);
	assert_true(bm_creds_check(c, "ops", "right horse"));
	assert_false(bm_creds_check(c, "ops", "right horse "));
	assert_false(bm_creds_check(c, "nobody", "right horse"));
	bm_creds_free(c);

	assert_int_equal(bm_creds_parse("# x\n\nops\n", "creds", &c, &err), -EINVAL);
	assert_string_equal(dpu_cfg_err_str(&err, msg, sizeof(msg)),
			    "creds:3: expected user:hash (no ':' after a user name)");
	assert_int_equal(bm_creds_parse("a:$6$x$y\nops:secret\n", "creds", &c, &err), -EINVAL);
	assert_string_equal(dpu_cfg_err_str(&err, msg, sizeof(msg)),
			    "creds:2: ops: not a crypt(3) yescrypt/SHA-512/SHA-256/bcrypt hash");
	assert_int_equal(bm_creds_parse("# nobody\n", "creds", &c, &err), -EINVAL);
	assert_string_equal(dpu_cfg_err_str(&err, msg, sizeof(msg)), "creds: no user in the file");
}

static void test_sessions(void **state)
{
	struct bm_sessions *s;
	char t1[BM_TOKEN_LEN + 1], t2[BM_TOKEN_LEN + 1], t3[BM_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(bm_sessions_create(2, 1000, 10000, &s), 0);
	assert_int_equal(bm_session_new(s, "a", 0, t1), 0);
	assert_int_equal(strlen(t1), BM_TOKEN_LEN);
	assert_int_equal(strspn(t1, "0123456789abcdef"), BM_TOKEN_LEN);
	assert_string_equal(bm_session_get(s, t1, 500), "a");
	/* Use restarts the idle clock: 500 + 900 is still within 1000 of the last use. */
	assert_string_equal(bm_session_get(s, t1, 1400), "a");
	assert_null(bm_session_get(s, t1, 2401)); /* idle too long */
	assert_null(bm_session_get(s, "short", 0));
	assert_null(bm_session_get(s, NULL, 0));

	/* The longest a session lives, however busy. */
	assert_int_equal(bm_session_new(s, "b", 10000, t2), 0);
	for (uint64_t t = 10000; t <= 19900; t += 900) {
		assert_string_equal(bm_session_get(s, t2, t), "b");
	}
	assert_null(bm_session_get(s, t2, 20001));

	/* Full: the least recently used one goes. */
	assert_int_equal(bm_session_new(s, "c", 30000, t1), 0);
	assert_int_equal(bm_session_new(s, "d", 30100, t2), 0);
	assert_string_equal(bm_session_get(s, t1, 30200), "c");
	assert_int_equal(bm_session_new(s, "e", 30300, t3), 0);
	assert_null(bm_session_get(s, t2, 30400));
	assert_string_equal(bm_session_get(s, t1, 30400), "c");
	assert_true(bm_session_end(s, t1));
	assert_false(bm_session_end(s, t1));
	assert_null(bm_session_get(s, t1, 30500));
	bm_sessions_free(s);
}

static void test_ratelimit(void **state)
{
	struct bm_ratelimit *rl;
	uint64_t retry = 0;

	(void)state;
	assert_int_equal(bm_ratelimit_create(3, 60000, &rl), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(bm_ratelimit_allow(rl, "10.0.0.1", 1000, &retry));
		bm_ratelimit_fail(rl, "10.0.0.1", 1000 + (uint64_t)i);
	}
	assert_false(bm_ratelimit_allow(rl, "10.0.0.1", 2000, &retry));
	assert_int_equal(retry, 59000);
	assert_true(bm_ratelimit_allow(rl, "10.0.0.2", 2000, &retry));	/* per address */
	assert_true(bm_ratelimit_allow(rl, "10.0.0.1", 61001, &retry)); /* the window passed */
	bm_ratelimit_fail(rl, "10.0.0.3", 0);
	bm_ratelimit_clear(rl, "10.0.0.3");
	assert_true(bm_ratelimit_allow(rl, "10.0.0.3", 1, &retry));
	bm_ratelimit_free(rl);
}

static void test_prometheus(void **state)
{
	static const char text[] = "# HELP a x\n"
				   "# TYPE a counter\n"
				   "a_total{device=\"p0\",note=\"q\\\"x\\\\y\"} 1000\n"
				   "b 2.5 1700000000000\n"
				   "c{unterminated=\"x} 1\n"
				   "d{} NaN\n"
				   "\n"
				   "e 7";
	struct json_object *arr = bm_parse_prometheus(text, sizeof(text) - 1, "");
	struct json_object *s, *labels;

	(void)state;
	assert_int_equal(json_object_array_length(arr), 4);
	s = json_object_array_get_idx(arr, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(s, "name")), "a_total");
	labels = json_object_object_get(s, "labels");
	assert_string_equal(json_object_get_string(json_object_object_get(labels, "device")), "p0");
	assert_string_equal(json_object_get_string(json_object_object_get(labels, "note")),
			    "q\"x\\y");
	assert_true(json_object_get_double(json_object_object_get(s, "value")) == 1000);
	s = json_object_array_get_idx(arr, 1);
	assert_true(json_object_get_double(json_object_object_get(s, "value")) == 2.5);
	s = json_object_array_get_idx(arr, 2);
	assert_string_equal(json_object_get_string(json_object_object_get(s, "name")), "d");
	assert_null(json_object_object_get(s, "value")); /* NaN is no number in JSON */
	s = json_object_array_get_idx(arr, 3);
	assert_string_equal(json_object_get_string(json_object_object_get(s, "name")), "e");
	json_object_put(arr);
	arr = bm_parse_prometheus(text, sizeof(text) - 1, "b");
	assert_int_equal(json_object_array_length(arr), 1);
	json_object_put(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_creds),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_prometheus),
	};

	return cmocka_run_group_tests_name("blueman", tests, NULL, NULL);
}
