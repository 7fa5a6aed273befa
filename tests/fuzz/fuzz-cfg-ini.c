/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: the INI loader (inih + our line reader) with a handler that
 * rejects some keys, so both the syntax and the handler error paths run. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int handler(void *arg, const char *section, const char *key, const char *value, int line,
		   struct dpu_cfg_err *err)
{
	uint64_t v;
	size_t *n = arg;

	(void)section;
	(*n)++;
	if (line <= 0) {
		abort(); /* line numbers are 1-based, always */
	}
	if (strcmp(key, "update") == 0 && dpu_cfg_parse_u64(value, 1, 60000, &v, NULL) < 0) {
		return dpu_cfg_err_set(err, NULL, 0, key, "bad value");
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dpu_cfg_err err;
	char buf[700];
	size_t n = 0;
	char *text = malloc(size + 1);

	if (text == NULL) {
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	if (dpu_ini_load_string(text, "fuzz.ini", handler, &n, &err) < 0) {
		dpu_cfg_err_str(&err, buf, sizeof(buf));
		if (err.line < 0) {
			abort();
		}
	}
	free(text);
	return 0;
}
