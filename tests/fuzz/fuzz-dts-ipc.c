/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the exporter API messages dpu-telemetry takes in. The input
 * is a sequence of messages, each a 2-byte little-endian length and that
 * many bytes, fed to one client connection in order (a bad one ends the
 * connection, as in the daemon), every batch of records also encoded for
 * Fluent forward push; then the series are collected.
 *
 * An input that starts with 'R' is a record ring instead: 8 bytes of head
 * and the data area (64 KiB, the rest zero); every entry the ring reader
 * takes out goes to the connection as above.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "telemetry/forward.h"
#include "telemetry/ipc.h"
#include "telemetry/ipcsrv.h"

static void to_forward(void *arg, const char *source_id, const char *schema, const char *type,
		       const struct dts_ipc_field_view *fields, unsigned int n_fields,
		       size_t rec_size, const uint8_t *recs, uint32_t n, uint64_t timestamp_us)
{
	dts_fwd_push_records(arg, source_id, schema, type, fields, n_fields, rec_size, recs, n,
			     timestamp_us);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RING_SIZE DTS_IPC_RING_MIN

/* The input as a ring image; its entries into the connection. */
static void from_ring(struct dts_ipcsrv *srv, struct dts_ipc_conn *c, const uint8_t *data,
		      size_t size)
{
	static struct dts_ipc_ring_hdr hdr;
	static uint8_t area[RING_SIZE], buf[sizeof(struct dts_ipc_hdr) + DTS_IPC_MAX_MSG];
	uint64_t head = 0, pos;
	const char *why;
	int n;

	memset(&hdr, 0, sizeof(hdr));
	memset(area, 0, sizeof(area));
	memcpy(&head, data, size < 8 ? size : 8);
	if (size > 8) {
		memcpy(area, data + 8, size - 8 < RING_SIZE ? size - 8 : RING_SIZE);
	}
	hdr.magic = DTS_IPC_RING_MAGIC;
	hdr.size = RING_SIZE;
	hdr.head = head;
	while ((n = dts_ipc_ring_get(&hdr, area, RING_SIZE, buf, sizeof(buf), &pos, &why)) > 0) {
		if (pos <= hdr.tail || pos > head) {
			abort(); /* the reader only moves forward, never past the head */
		}
		dts_ipc_ring_taken(&hdr, pos);
		if (dts_ipcsrv_take(srv, c, buf, (size_t)n, &why) < 0) {
			break;
		}
	}
}

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
	if (size > 0 && data[0] == 'R') {
		from_ring(srv, c, data + 1, size - 1);
		pos = size;
	}
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
