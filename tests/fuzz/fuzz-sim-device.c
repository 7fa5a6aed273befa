/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: dpu-simd's device description loader. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "sim/device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_device *dev = NULL;
	struct dpu_cfg_err err;
	char buf[700];

	if (sim_device_load_string((const char *)data, size, "fuzz.yaml", &dev, &err) < 0) {
		dpu_cfg_err_str(&err, buf, sizeof(buf));
		if (dev != NULL) {
			abort(); /* nothing is handed out on failure */
		}
		return 0;
	}
	if (dev->n_ports == 0 || dev->n_ports > SIM_MAX_PORTS) {
		abort(); /* an accepted description has ports, within bounds */
	}
	free(dev);
	return 0;
}
