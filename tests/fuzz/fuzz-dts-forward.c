/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: what a Fluent forward server sends back to dpu-telemetry's
 * forward push (acknowledgement maps), with chunks waiting for them.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "common/log.h"
#include "telemetry/forward.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dts_fwd *f;
	struct dts_snapshot snap;
	struct dts_series *s;

	dpu_log_set_level(DPU_LOG_DISABLE);
	if (dts_fwd_create_detached(&f) < 0) {
		abort();
	}
	dts_snapshot_init(&snap);
	s = dts_snapshot_add(&snap, "dts_up", "", DTS_GAUGE, "up", "dts", 1, "host", "h");
	if (s == NULL) {
		abort();
	}
	dts_fwd_push(f, &snap, 0);
	dts_fwd_push(f, &snap, 1);
	(void)dts_fwd_feed(f, data, size);
	dts_snapshot_free(&snap);
	dts_snapshot_init(&snap);
	dts_fwd_collect(f, &snap);
	dts_snapshot_free(&snap);
	dts_fwd_stop(f);
	return 0;
}
