/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-simd's control socket: one JSON object per line each way.
 *   -> {"cmd": "info"}                 <- {"ok": true, "info": {...}}
 *   -> {"cmd": "ports"}                <- {"ok": true, "ports": [...]}
 *   -> {"cmd": "sensors"}              <- {"ok": true, "sensors": [...]}
 *   -> {"cmd": "nv-get"}               <- {"ok": true, "nvconfig": [...]}
 *   -> {"cmd": "nv-set", "name": N, "value": V}   <- {"ok": true}
 *   -> {"cmd": "counters"}             <- {"ok": true, "counters": [{port, rx_packets, ...}]}
 *   -> {"cmd": "replay", "file": F, "port": P, "speed": X, "pps": N, "loops": N}
 *                                      <- {"ok": true}
 *   -> {"cmd": "replay-status"}        <- {"ok": true, "replay": {...}}
 *   -> {"cmd": "replay-stop"}          <- {"ok": true}
 *   -> {"cmd": "port-attach", "port": P}
 *                                      <- {"ok": true, "attach": {port, index, socket}}
 *      makes P a service port: a memif server at <run dir>/memif-<P>.sock
 *   -> {"cmd": "clock"}                <- {"ok": true, "clock": {phc_ns, sys_ns, offset_ns,
 *                                          freq_ppb, drift_ppb, max_adj_ppb}}
 *   -> {"cmd": "clock-adjust", "set_ns"?: N, "step_ns"?: N, "freq_ppb"?: X,
 *       "drift_ppb"?: X}               <- {"ok": true}
 *   -> steering requests: pipe-create, entry-add, entries-add, entry-del,
 *      pipe-commit, entries, pipes, flush, meter-create, meters (sim/simd/flow.h)
 * Errors: {"ok": false, "errno": 22, "error": "why"}.
 */
#ifndef DPU_SIM_SIMD_CTL_H
#define DPU_SIM_SIMD_CTL_H

#include <limits.h>

#include "common/util.h"
#include "sim/device.h"
#include "sim/diag.h"
#include "sim/nvstore.h"
#include "sim/pcc.h"
#include "sim/phc.h"
#include "sim/simd/dataplane.h"

struct dpu_loop;
struct dpu_loop_src;
struct json_object;
struct simd_flows;

/* A request line longer than this closes the connection. */
#define SIMD_CTL_MAX_LINE 65536

struct simd {
	char rundir[PATH_MAX - 64];
	char sysroot[PATH_MAX];
	struct sim_device *dev;
	struct sim_nvstore *nv;
	struct simd_dp *dp;
	struct simd_flows *flows;
	struct sim_phc phc;
	struct sim_pcc pcc;		 /* PPCC register of the uplinks */
	struct sim_diag diag;		 /* diagnostic counters */
	struct dpu_loop_src *diag_timer; /* their sampler; NULL until needed */
	size_t uplink[SIM_MAX_PORTS];	 /* port index of the N-th uplink */
	struct sim_pcc_events cc_published[SIM_MAX_PORTS];
	struct simd_port_counters published[SIM_MAX_PORTS];
	/* The sensors as they read now (they move with the uplinks' load). */
	double sensor_now[SIM_MAX_SENSORS];
	uint64_t load_bytes, load_ns; /* the uplinks' bytes in and out, and when */
	struct dpu_loop *loop;
	int listen_fd;
	struct dpu_loop_src *listen_src;
	char sock_path[PATH_MAX];
};

int simd_ctl_start(struct simd *s);
/*
 * Give the PPCC model (s->pcc, built from the device) and its settings to
 * the data plane; start the diagnostic counters (s->diag, freed by
 * simd_pcc_stop()).
 */
void simd_pcc_start(struct simd *s);
void simd_pcc_stop(struct simd *s);
void simd_ctl_stop(struct simd *s);
/* Answer one request (a parsed JSON object); returns the reply (new reference). */
struct json_object *simd_ctl_handle(struct simd *s, struct json_object *req);

/* Replies: {"ok": true[, key: val]} (takes 'val') and {"ok": false, "errno", "error"}. */
struct json_object *simd_reply_ok(const char *key, struct json_object *val);
struct json_object *simd_reply_error(int err, const char *fmt, ...) DPU_PRINTF(2, 3);

#endif /* DPU_SIM_SIMD_CTL_H */
