/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fluent_aggr: a Fluent forward protocol server (v1: Message, Forward and
 * PackedForward modes, "chunk" acknowledgements) on msgpack-c. Fluent Bit,
 * Fluentd or any fluent-logger sends events here; each event's record is
 * kept as the last value of its numeric keys per tag and set of string
 * values (the first three string keys), and exported as
 *
 *   <tag>_<key>{tag="<tag>",<string key>="..."}   gauge
 *
 * plus dts_fluent_records_total{tag}, dts_fluent_connections,
 * dts_fluent_bad_messages_total, dts_fluent_dropped_total.
 *
 * Runs when dts_config.ini has enable-provider=fluent_aggr; it listens on
 * fluent-aggr-listen (default 0.0.0.0:42442). A malformed message (not
 * msgpack, not a forward event, gzip-compressed, larger than 8 MiB) is
 * logged and closes that connection; memory is bounded (256 tags, 1024
 * string-value sets and 64 numeric keys per tag).
 */
#ifndef DPU_TELEMETRY_FLUENT_H
#define DPU_TELEMETRY_FLUENT_H

#include <stddef.h>
#include <stdint.h>

#include "telemetry/metrics.h"

#define DTS_FLUENT_DEFAULT_PORT 42442

struct dpu_loop;
struct dts_fluent;

int dts_fluent_start(struct dpu_loop *loop, const char *host, uint16_t port,
		     struct dts_fluent **flp);
void dts_fluent_stop(struct dts_fluent *fl);
int dts_fluent_collect(struct dts_fluent *fl, struct dts_snapshot *snap);

/* For tests and fuzzing: feed bytes of one connection's stream; -EBADMSG ends it. */
int dts_fluent_create_detached(struct dts_fluent **flp);
int dts_fluent_feed(struct dts_fluent *fl, const void *data, size_t len, const char **why);

#endif /* DPU_TELEMETRY_FLUENT_H */
