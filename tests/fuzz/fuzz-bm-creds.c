/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: BlueMan's credentials file reader (any bytes as the file). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blueman/auth.h"
#include "common/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bm_creds *creds = NULL;
	struct dpu_cfg_err err;
	char *text = malloc(size + 1);

	if (text == NULL) {
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	/* Parsing only: checking runs the hash's own cost (yescrypt can ask for a lot). */
	if (bm_creds_parse(text, "credentials", &creds, &err) == 0) {
		bm_creds_free(creds);
	}
	free(text);
	return 0;
}
