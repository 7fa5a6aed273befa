/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow Inspector's live mode (see live.c). */
#ifndef DPU_FI_LIVE_H
#define DPU_FI_LIVE_H

#include "flow-inspector/policy.h"

struct fi_live_opts {
	const char *uri;	 /* HAL device */
	const char *port;	 /* the service's port */
	const char *mirror_from; /* have the switch mirror this port to ours; NULL: no */
	const char *sockets_dir; /* dpu-telemetry's ipc_sockets; NULL: the default */
	const char *source_id;
};

/* Runs until SIGTERM/SIGINT; returns 0 or -errno. DPDK's EAL must be up. */
int fi_run_live(const struct fi_live_opts *o, const char *policy_path,
		const struct fi_policy *policy);

#endif /* DPU_FI_LIVE_H */
