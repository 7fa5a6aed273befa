/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: Flow Inspector's packet parser and record writers on any
 * bytes as a frame (every field exported, the longest payload).
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "flow-inspector/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fi_unit all;
	static uint8_t rec[FI_RECORD_MAX];
	static FILE *null;
	uint8_t *frame = malloc(size ? size : 1); /* its own allocation: ASan sees overreads */
	struct fi_pkt pkt;

	if (frame == NULL) {
		abort();
	}
	if (all.n_fields == 0) {
		for (int f = 0; f < FI_N_FIELDS; f++) {
			all.fields[all.n_fields++] = (enum fi_field)f;
		}
		null = fopen("/dev/null", "w");
	}
	for (size_t i = 0; i < size; i++) {
		frame[i] = data[i];
	}
	/* The wire length may exceed what was captured. */
	if (fi_parse(frame, (uint32_t)size, (uint32_t)size + (size ? data[0] : 0), &pkt) == 0) {
		fi_record_pack(rec, &all, &pkt, FI_PAYLOAD_MAX);
		fi_write_json(null, &all, &pkt, FI_PAYLOAD_MAX);
	}
	free(frame);
	return 0;
}
