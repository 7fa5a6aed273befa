/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: Firefly's reader of ptp4l configuration files (any bytes as an override file). */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"
#include "firefly/ptpconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ff_ptpconf *conf = NULL;
	struct dpu_cfg_err err;
	char *text = malloc(size + 1);
	FILE *out;

	if (text == NULL || ff_ptpconf_create(&conf) < 0) {
		free(text);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	if (ff_ptpconf_load_string(conf, text, "ptp.cfg", &err) == 0 &&
	    (out = fopen("/dev/null", "w")) != NULL) {
		ff_ptpconf_write(conf, out);
		fclose(out);
	}
	ff_ptpconf_destroy(conf);
	free(text);
	return 0;
}
