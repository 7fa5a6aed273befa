/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fluent forward push: every collection cycle's series, and every record
 * sources send through the exporter API, go to a Fluent
 * forward server (Fluent Bit's or Fluentd's in_forward, or any other) as
 * one Forward-mode message,
 *
 *   [tag, [[time, {"name": DTS name, "family": metric, "value": v,
 *                  "provider": source tag, <label>: <value>...}], ...],
 *    {"chunk": "<id>"}]
 *
 * and the server's {"ack": "<id>"} releases it. Chunks wait, oldest first,
 * in a buffer of at most 'max_buffer' bytes until acknowledged: a server
 * that is away, slow or never reads costs no more than that, and a chunk
 * that does not fit is dropped and counted. After a lost connection the
 * unacknowledged chunks are sent again (a server may see a chunk twice,
 * never lose one the buffer kept); reconnects back off from 100 ms to 30 s.
 *
 * Configured like the BlueField's DTS: <config dir>/fluent_bit_configs/
 * forward.exp (key=value: enable, host, port (24224), tag
 * (doca_telemetry), max-buffer-bytes (8 MiB)), which
 * enable-fluent-forward.sh -i=<host> -p=<port> writes.
 */
#ifndef DPU_TELEMETRY_FORWARD_H
#define DPU_TELEMETRY_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"
#include "telemetry/metrics.h"

#define DTS_FWD_DEFAULT_PORT 24224
#define DTS_FWD_FILE "fluent_bit_configs/forward.exp"

struct dts_fwd_conf {
	bool enable;
	char host[256];
	uint16_t port;
	char tag[64];
	size_t max_buffer;
};

/*
 * Read '<config_dir>/fluent_bit_configs/forward.exp'; a missing file is
 * "not enabled". Errors name the file, line and key.
 */
int dts_fwd_conf_load(const char *config_dir, struct dts_fwd_conf *c, struct dpu_cfg_err *err);

struct dpu_loop;
struct dts_fwd;

int dts_fwd_start(struct dpu_loop *loop, const struct dts_fwd_conf *c, struct dts_fwd **fp);
/* Unacknowledged chunks are dropped (and said so in the log). NULL is fine. */
void dts_fwd_stop(struct dts_fwd *f);
/* Queue this cycle's series (time: the collection's, ns since the epoch). */
void dts_fwd_push(struct dts_fwd *f, const struct dts_snapshot *snap, uint64_t time_ns);
/*
 * For tests and fuzzing: a forwarder on no loop and no connection, fed what
 * a server would send; -EBADMSG when it would have dropped the connection.
 */
int dts_fwd_create_detached(struct dts_fwd **fp);
int dts_fwd_feed(struct dts_fwd *f, const void *data, size_t len);

/*
 * Queue a batch of exporter API records (ipcsrv.h's records sink): tag
 * "<tag>.<schema>.<type>", each record a map of its fields (numbers;
 * char arrays as strings; other arrays as arrays) and "source".
 */
struct dts_ipc_field_view;
void dts_fwd_push_records(struct dts_fwd *f, const char *source_id, const char *schema,
			  const char *type, const struct dts_ipc_field_view *fields,
			  unsigned int n_fields, size_t rec_size, const uint8_t *recs, uint32_t n,
			  uint64_t timestamp_us);

/* Its own counters: dts_forward_{records,acked_records,dropped_records,reconnects}_total, ... */
int dts_fwd_collect(const struct dts_fwd *f, struct dts_snapshot *snap);

#endif /* DPU_TELEMETRY_FORWARD_H */
