/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers for cmocka tests: scratch directories and files. */
#ifndef DPU_TESTS_TESTUTIL_H
#define DPU_TESTS_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* mkdtemp() under $TMPDIR; the caller frees the name and removes the tree. */
static inline char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path;

	if (base == NULL || base[0] == '\0') {
		base = "/tmp";
	}
	assert_true(asprintf(&path, "%s/dpu-test-XXXXXX", base) > 0);
	assert_non_null(mkdtemp(path));
	return path;
}

static inline void test_rm_rf(const char *path)
{
	char *cmd;

	assert_true(asprintf(&cmd, "rm -rf '%s'", path) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* Write 'text' to dir/name; returns the malloc'd path. */
static inline char *test_write_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *fp;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

#endif /* DPU_TESTS_TESTUTIL_H */
