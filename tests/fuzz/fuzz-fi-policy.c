/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: Flow Inspector's policy parser (any bytes as a policy file). */
#include <config.h>

#include <stdint.h>

#include "flow-inspector/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fi_policy p;
	struct dpu_cfg_err err;

	(void)fi_policy_load_string((const char *)data, size, "policy.json", &p, &err);
	return 0;
}
