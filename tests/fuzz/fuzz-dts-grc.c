/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: dpu-telemetry's reader of dpu-dpe's replies (grc.
 * providers), on any bytes as a reply; what it took is rendered again.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/grc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1); /* its own allocation: ASan sees overreads */
	struct dts_snapshot snap;
	char err[256], *out;
	size_t len;
	int rc;

	if (text == NULL) {
		abort();
	}
	memcpy(text, data, size);
	dts_snapshot_init(&snap);
	rc = dts_grc_decode(text, size, &snap, err, sizeof(err));
	if (rc != 0 && snap.n != 0) {
		abort(); /* a reply is taken whole or not at all */
	}
	if (rc == 0 && dts_prom_render(&snap, NULL, size & 1, &out, &len) == 0) {
		free(out);
	}
	dts_snapshot_free(&snap);
	free(text);
	return 0;
}
