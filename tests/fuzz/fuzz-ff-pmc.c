/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: Firefly's PTP management message parser (any bytes from ptp4l's socket). */
#include <config.h>

#include <stdint.h>

#include "firefly/pmc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ff_pmc_msg m;
	char why[128];

	(void)ff_pmc_parse(data, size, &m, why, sizeof(why));
	return 0;
}
