/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-telemetry's side of the Telemetry Exporter API: it listens on
 * <ipc_sockets>/dpu-telemetry.sock (ipc.h), takes in the records of every
 * source and keeps, per source, type and set of string fields, the last
 * value of each numeric field. Collection turns them into series:
 *
 *   <schema>_<type>_<field>{source="<id>",<string field>="..."}   gauge
 *
 * (numeric arrays of up to 4: one series per element, <field>_<i>; longer
 * ones, like addresses and payloads, are not series; the first three
 * char-array fields are the labels, or those prometheus-fset-indexes names),
 * plus dts_ipc_clients, dts_ipc_records_total{source,schema},
 * dts_ipc_bad_messages_total, dts_ipc_dropped_series_total, and the
 * transport's dts_ipc_ring_batches_total, dts_ipc_socket_batches_total,
 * dts_ipc_kicks_total, dts_ipc_rings_total.
 *
 * A client's record ring (ipc.h) is read after every event on its socket,
 * at most a ring's worth a turn; one ACK covers the batches taken.
 *
 * A malformed message is logged (source, reason) and closes that client's
 * connection; nothing it sent before is lost. Memory is bounded: 64
 * sources, 1024 label sets per type (more are dropped and counted).
 */
#ifndef DPU_TELEMETRY_IPCSRV_H
#define DPU_TELEMETRY_IPCSRV_H

#include <stddef.h>
#include <stdint.h>

#include "telemetry/config.h"
#include "telemetry/metrics.h"

struct dpu_loop;
struct dts_ipcsrv;

int dts_ipcsrv_start(struct dpu_loop *loop, const char *dir, struct dts_ipcsrv **srvp);
void dts_ipcsrv_stop(struct dts_ipcsrv *srv);
int dts_ipcsrv_collect(struct dts_ipcsrv *srv, const struct dts_config *cfg,
		       struct dts_snapshot *snap);

/*
 * Every RECORDS message taken in also goes to 'fn' (NULL: none), which must
 * not keep the pointers: the source id, schema and type names, the type's
 * fields, 'n' packed records of 'rec_size' bytes and the batch's time stamp.
 */
struct dts_ipc_field_view;
typedef void dts_ipcsrv_records_fn(void *arg, const char *source_id, const char *schema,
				   const char *type, const struct dts_ipc_field_view *fields,
				   unsigned int n_fields, size_t rec_size, const uint8_t *recs,
				   uint32_t n, uint64_t timestamp_us);
void dts_ipcsrv_set_records_sink(struct dts_ipcsrv *srv, dts_ipcsrv_records_fn *fn, void *arg);

/*
 * Every message taken in (HELLO, TYPE, RECORDS) also goes, as it came, to
 * 'fn' with its source's id (the data files keep them so).
 */
typedef void dts_ipcsrv_msg_fn(void *arg, const char *source_id, int kind, const void *msg,
			       size_t len);
void dts_ipcsrv_set_msg_sink(struct dts_ipcsrv *srv, dts_ipcsrv_msg_fn *fn, void *arg);

/*
 * Take in one message from a client (for tests and fuzzing): 'conn' is an
 * opaque client slot made by dts_ipcsrv_test_conn(). Returns 0, or
 * -EBADMSG with 'why' for a message that closes the connection.
 */
struct dts_ipc_conn;
struct dts_ipc_conn *dts_ipcsrv_test_conn(struct dts_ipcsrv *srv);
int dts_ipcsrv_take(struct dts_ipcsrv *srv, struct dts_ipc_conn *c, const void *msg, size_t len,
		    const char **why);
/* A server with no socket, for dts_ipcsrv_take(). */
int dts_ipcsrv_create_detached(struct dts_ipcsrv **srvp);

#endif /* DPU_TELEMETRY_IPCSRV_H */
