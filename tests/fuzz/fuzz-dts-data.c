/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: dpu-telemetry-read's reader of data files, on any bytes as
 * a file; every field of every record it gives is read.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/datafile.h"
#include "telemetry/ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void touch(void *arg, const char *source, const char *schema, const char *type,
		  const struct dts_ipc_field_view *fields, unsigned int n_fields, uint64_t time_us,
		  const uint8_t *rec)
{
	volatile uint8_t *sink = arg;

	(void)time_us;
	*sink ^= (uint8_t)(source[0] ^ schema[0] ^ type[0]);
	for (unsigned int i = 0; i < n_fields; i++) {
		size_t n = dts_ipc_ftype_size(fields[i].ftype) * fields[i].count;

		for (size_t b = 0; b < n; b++) {
			*sink ^= rec[fields[i].offset + b];
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *file = malloc(size ? size : 1); /* its own allocation: ASan sees overreads */
	volatile uint8_t sink = 0;
	const char *why;
	size_t off;

	if (file == NULL) {
		abort();
	}
	memcpy(file, data, size);
	(void)dts_dfile_parse(file, size, touch, (void *)&sink, &off, &why);
	free(file);
	return 0;
}
