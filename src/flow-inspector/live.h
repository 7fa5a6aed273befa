/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow Inspector's live mode (see live.c). */
#ifndef DPU_FI_LIVE_H
#define DPU_FI_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "flow-inspector/policy.h"
#include "flow-inspector/record.h"

struct fi_live_opts {
	const char *uri;	 /* HAL device */
	const char *port;	 /* the service's port */
	const char *mirror_from; /* have the switch mirror this port to ours; NULL: no */
	const char *sockets_dir; /* dpu-telemetry's ipc_sockets; NULL: the default */
	const char *source_id;
	unsigned int queues; /* receive queues, a worker lcore each; 0: 1 */
	bool jsonl;	     /* records to stdout as JSON lines, not to dpu-telemetry */
};

/*
 * Records to dpu-telemetry through the exporter API: schema flow_inspector,
 * a type unit<i> per export unit (its fields) and a type stats (per-unit
 * received, exported, parse_errors). Start zeroed; open again to change the
 * policy.
 */
struct dpu_te_schema;
struct dpu_te_source;
struct fi_export {
	struct dpu_te_schema *schema;
	struct dpu_te_source *src;
	uint8_t type_of[FI_MAX_UNITS], stats_type;
};

int fi_export_open(struct fi_export *x, const struct fi_policy *p, const char *sockets_dir,
		   const char *source_id);
/* 0, or -ENOBUFS when the record was dropped (dpu-telemetry away, buffers full). */
int fi_export_record(struct fi_export *x, const struct fi_policy *p, const struct fi_pkt *pkt);
void fi_export_stats(struct fi_export *x, const struct fi_policy *p, const uint64_t *received,
		     const uint64_t *exported, const uint64_t *errors);
void fi_export_close(struct fi_export *x);

/* Runs until SIGTERM/SIGINT; returns 0 or -errno. DPDK's EAL must be up. */
int fi_run_live(const struct fi_live_opts *o, const char *policy_path,
		const struct fi_policy *policy);

#endif /* DPU_FI_LIVE_H */
