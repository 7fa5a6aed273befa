/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Telemetry Exporter API (libdpu-telemetry-exporter): how a program
 * reports records to dpu-telemetry, in the shape of DOCA's
 * doca_telemetry_exporter API under our own prefix.
 *
 *   schema  = dpu_te_schema_init("flow_inspector")
 *   type    = dpu_te_type_create(); fields with dpu_te_field_create/_set_*,
 *             dpu_te_type_add_field(type, field)     (the type takes the field)
 *   dpu_te_schema_add_type(schema, "http", type, &idx) (the schema takes the type)
 *   dpu_te_schema_set_ipc_enabled(schema); dpu_te_schema_start(schema)
 *   source  = dpu_te_source_create(schema); _set_id, _set_tag; _start
 *   dpu_te_source_report(source, idx, records, n)   packed records, fields in order
 *   dpu_te_source_flush(source)
 *   dpu_te_source_destroy(source); dpu_te_schema_destroy(schema)
 *
 * Records are batched per type in buffers of buf_size bytes (default 60000)
 * and sent when one fills, on flush and at destroy; order is kept within a
 * type, not across types. Each batch is kept until
 * dpu-telemetry acknowledges it (at most 8 buffers' worth, and at least
 * 256 KiB). When that is full and dpu-telemetry is connected, report waits
 * for acknowledgements (up to the socket timeout); while dpu-telemetry is
 * away the source reconnects by itself (every reconnect_time ms) and what
 * does not fit is dropped and counted (dpu_te_source_stats()).
 *
 * With file writing (dpu_te_schema_set_file_write_enabled()) every batch is
 * also written, as it closes, to binary data files (datafile.h: the format
 * dpu-telemetry writes and dpu-telemetry-read prints) named
 * "<source id>.exporter-<time>-<n>.dts" in the file write path (default
 * <run dir>/telemetry/data), a new file when one would pass the max size
 * (default 1 MB) or is older than the max age (default 1 h). With file
 * writing and no IPC, batches go to the files only and count as
 * acknowledged once written (a write that fails counts in file_errors).
 *
 * Defaults, as DOCA's: buffer 60000 B, IPC off, sockets dir
 * <run dir>/telemetry/ipc_sockets, reconnect time 100 ms, 3 tries per
 * attempt, socket timeout 3000 ms. Functions return 0 or a negative errno;
 * a source is used from one thread at a time.
 */
#ifndef DPU_TELEMETRY_EXPORTER_H
#define DPU_TELEMETRY_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dpu_te_schema;
struct dpu_te_type;
struct dpu_te_field;
struct dpu_te_source;

#define DPU_TE_BUF_SIZE_DEFAULT 60000
#define DPU_TE_FILE_MAX_SIZE_DEFAULT (1024 * 1024)
#define DPU_TE_FILE_MAX_AGE_US_DEFAULT (3600ull * 1000000)
#define DPU_TE_RECONNECT_MS_DEFAULT 100
#define DPU_TE_RECONNECT_TRIES_DEFAULT 3
#define DPU_TE_SOCKET_TIMEOUT_MS_DEFAULT 3000

enum dpu_te_ipc_status {
	DPU_TE_IPC_FAILED = -1,
	DPU_TE_IPC_CONNECTED = 0,
	DPU_TE_IPC_DISABLED = 1,
};

int dpu_te_schema_init(const char *name, struct dpu_te_schema **schemap);
void dpu_te_schema_set_buf_size(struct dpu_te_schema *schema, uint64_t size);
uint64_t dpu_te_schema_get_buf_size(const struct dpu_te_schema *schema);
void dpu_te_schema_set_ipc_enabled(struct dpu_te_schema *schema);
int dpu_te_schema_set_ipc_sockets_dir(struct dpu_te_schema *schema, const char *dir);
const char *dpu_te_schema_get_ipc_sockets_dir(const struct dpu_te_schema *schema);
void dpu_te_schema_set_ipc_reconnect_time(struct dpu_te_schema *schema, uint32_t ms);
void dpu_te_schema_set_ipc_reconnect_tries(struct dpu_te_schema *schema, uint8_t tries);
void dpu_te_schema_set_ipc_socket_timeout(struct dpu_te_schema *schema, uint32_t ms);
/*
 * Records through a shared-memory ring (on by default; ours, DOCA has no
 * such switch): batches are copied into a memfd both sides map instead of
 * going over the socket; without the ring (off, or it could not be set up)
 * they go over the socket.
 */
void dpu_te_schema_set_ipc_ring(struct dpu_te_schema *schema, bool enabled);
int dpu_te_schema_set_file_write_enabled(struct dpu_te_schema *schema);
int dpu_te_schema_set_file_write_path(struct dpu_te_schema *schema, const char *dir);
void dpu_te_schema_set_file_write_max_size(struct dpu_te_schema *schema, size_t size);
void dpu_te_schema_set_file_write_max_age(struct dpu_te_schema *schema, uint64_t max_age_us);
/* Add 'type' (taken over, also on failure) as 'name'; '*index' is its index. */
int dpu_te_schema_add_type(struct dpu_te_schema *schema, const char *name, struct dpu_te_type *type,
			   uint8_t *index);
int dpu_te_schema_start(struct dpu_te_schema *schema);
/* Sources must be destroyed first. Accepts NULL. */
void dpu_te_schema_destroy(struct dpu_te_schema *schema);

int dpu_te_type_create(struct dpu_te_type **typep);
/* Add 'field' (taken over, also on failure). */
int dpu_te_type_add_field(struct dpu_te_type *type, struct dpu_te_field *field);
void dpu_te_type_destroy(struct dpu_te_type *type);

int dpu_te_field_create(struct dpu_te_field **fieldp);
int dpu_te_field_set_name(struct dpu_te_field *field, const char *name);
int dpu_te_field_set_description(struct dpu_te_field *field, const char *desc);
/* DOCA's type names: "uint64_t", "unsigned int", "char", "double", ... */
int dpu_te_field_set_type_name(struct dpu_te_field *field, const char *type_name);
int dpu_te_field_set_array_len(struct dpu_te_field *field, uint16_t len);
void dpu_te_field_destroy(struct dpu_te_field *field);
/* Create, name, type and add a field in one call (array_len 1 for a scalar). */
int dpu_te_type_add_new_field(struct dpu_te_type *type, const char *name, const char *type_name,
			      uint16_t array_len);

/*
 * A service's whole reporting set-up in one call: schema 'schema_name' with
 * the one type 'type' (taken, also on failure) named 'type_name', IPC to
 * 'sockets_dir' (NULL: the default), a started source 'id' tagged 'id'.
 * On failure nothing is left: '*schemap' and '*sourcep' are NULL.
 */
int dpu_te_open_one_type(const char *schema_name, const char *type_name, struct dpu_te_type *type,
			 const char *sockets_dir, const char *id, struct dpu_te_schema **schemap,
			 struct dpu_te_source **sourcep, uint8_t *type_index);

int dpu_te_source_create(struct dpu_te_schema *schema, struct dpu_te_source **sourcep);
int dpu_te_source_set_id(struct dpu_te_source *source, const char *id);
int dpu_te_source_set_tag(struct dpu_te_source *source, const char *tag);
int dpu_te_source_start(struct dpu_te_source *source);
/*
 * Report 'count' packed records of type 'index'. Waits only for a connected
 * dpu-telemetry that is behind; -ENOBUFS when records had to be dropped
 * (counted).
 */
int dpu_te_source_report(struct dpu_te_source *source, uint8_t index, const void *records,
			 int count);
/* Send what is buffered and wait (up to the socket timeout) for its acknowledgement. */
int dpu_te_source_flush(struct dpu_te_source *source);
/* Flushes, then frees; what is still unacknowledged counts as dropped. Accepts NULL. */
void dpu_te_source_destroy(struct dpu_te_source *source);

struct dpu_te_stats {
	uint64_t reported, acked, dropped, pending, reconnects;
	uint64_t file_errors;	 /* batches not written to the data files */
	uint64_t ring_batches;	 /* batches sent through the shared-memory ring */
	uint64_t socket_batches; /* batches sent over the socket */
	uint64_t kicks;		 /* wake-ups sent with the ring */
};
void dpu_te_source_stats(const struct dpu_te_source *source, struct dpu_te_stats *stats);

int dpu_te_check_ipc_status(struct dpu_te_source *source, enum dpu_te_ipc_status *status);
/* Now, microseconds since the epoch. */
int dpu_te_get_timestamp(uint64_t *ts);

#endif /* DPU_TELEMETRY_EXPORTER_H */
