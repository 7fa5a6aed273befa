/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the exporter API messages dpu-telemetry takes in. The input
 * is a sequence of messages, each a 2-byte little-endian length and that
 * many bytes, fed to one client connection in order (a bad one ends the
 * connection, as in the daemon), every batch of records also encoded for
 * Fluent forward push; then the series are collected.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "telemetry/forward.h"
#include "telemetry/ipcsrv.h"

static void to_forward(void *arg, const char *source_id, const char *schema, const char *type,
		       const struct dts_ipc_field_view *fields, unsigned int n_fields,
		       size_t rec_size, const uint8_t *recs, uint32_t n, uint64_t timestamp_us)
{
	dts_fwd_push_records(arg, source_id, schema, type, fields, n_fields, rec_size, recs, n,
			     timestamp_us);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dts_ipcsrv *srv;
	struct dts_fwd *fwd;
	struct dts_ipc_conn *c;
	struct dts_snapshot snap;
	size_t pos = 0;

	dpu_log_set_level(DPU_LOG_DISABLE);
	if (dts_ipcsrv_create_detached(&srv) < 0 || dts_fwd_create_detached(&fwd) < 0) {
		abort();
	}
	dts_ipcsrv_set_records_sink(srv, to_forward, fwd);
	c = dts_ipcsrv_test_conn(srv);
	while (pos + 2 <= size) {
		size_t len = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
		const char *why;
		uint8_t *msg;

		pos += 2;
		if (len > size - pos) {
			len = size - pos;
		}
		msg = malloc(len ? len : 1); /* its own allocation: ASan sees overreads */
		if (msg == NULL) {
			abort();
		}
		memcpy(msg, data + pos, len);
		pos += len;
		if (dts_ipcsrv_take(srv, c, msg, len, &why) < 0) {
			free(msg);
			break;
		}
		free(msg);
	}
	dts_snapshot_init(&snap);
	dts_ipcsrv_collect(srv, NULL, &snap);
	dts_snapshot_free(&snap);
	dts_ipcsrv_stop(srv);
	dts_fwd_stop(fwd);
	return 0;
}
