/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: a Fluent forward stream as fluent_aggr takes it in (msgpack
 * events in any of the three modes), then the series are collected.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "telemetry/fluent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dts_fluent *fl;
	struct dts_snapshot snap;
	const char *why;

	dpu_log_set_level(DPU_LOG_DISABLE);
	if (dts_fluent_create_detached(&fl) < 0) {
		abort();
	}
	(void)dts_fluent_feed(fl, data, size, &why);
	dts_snapshot_init(&snap);
	dts_fluent_collect(fl, &snap);
	dts_snapshot_free(&snap);
	dts_fluent_stop(fl);
	return 0;
}
