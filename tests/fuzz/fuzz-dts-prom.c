/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: prometheus_aggr's reader of the text exposition format, on
 * any bytes as a scraped page; what it took is rendered again.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/promaggr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1); /* its own allocation: ASan sees overreads */
	struct dts_snapshot snap;
	size_t skipped = 0, len;
	char err[128], *out;

	if (text == NULL) {
		abort();
	}
	memcpy(text, data, size);
	dts_snapshot_init(&snap);
	if (dts_prom_parse(text, size, "prometheus_aggr", "fuzz", &snap, &skipped, err,
			   sizeof(err)) == 0 &&
	    dts_prom_render(&snap, NULL, size & 1, &out, &len) == 0) {
		free(out);
	}
	dts_snapshot_free(&snap);
	free(text);
	return 0;
}
