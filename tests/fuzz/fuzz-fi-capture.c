/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: Flow Inspector's mapped capture reader on any bytes as a
 * pcap file held in memory; every frame it hands out is read whole.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow-inspector/capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *file = malloc(size ? size : 1); /* its own allocation: ASan sees overreads */
	struct fi_frame f[8];
	struct fi_capture *cap;
	char err[128];
	volatile uint8_t sink = 0;
	int n;

	if (file == NULL) {
		abort();
	}
	memcpy(file, data, size);
	if (fi_capture_open_mem(file, size, &cap, err, sizeof(err)) == 0) {
		while ((n = fi_capture_burst(cap, f, 8)) > 0) {
			for (int i = 0; i < n; i++) {
				for (uint32_t b = 0; b < f[i].caplen; b++) {
					sink ^= f[i].data[b];
				}
			}
		}
		if (n < 0 && fi_capture_error(cap)[0] == '\0') {
			abort(); /* an error must say what it is */
		}
		fi_capture_close(cap);
	}
	(void)sink;
	free(file);
	return 0;
}
