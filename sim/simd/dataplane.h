/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-simd's data plane: one thread that replays a capture into a port,
 * runs every frame through the emulated eSwitch and counts, per port, what
 * was received, sent on and dropped. The control thread publishes those
 * counters in the sysfs-shaped tree.
 *
 * Until steering is configured through the HAL, the eSwitch holds a default
 * pipe on the in-port: uplink pN <-> the N-th host PF representor, every
 * other representor -> uplink p0.
 */
#ifndef DPU_SIM_SIMD_DATAPLANE_H
#define DPU_SIM_SIMD_DATAPLANE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/device.h"

struct simd_dp;

struct simd_port_counters {
	uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
	uint64_t tx_packets, tx_bytes;
};

struct simd_replay_req {
	char file[PATH_MAX];
	char port[SIM_NAME_MAX];
	double speed;	/* multiple of the capture's own timing; 0 = as fast as possible */
	uint64_t pps;	/* fixed rate instead of the capture's timing; 0 = unused */
	uint64_t loops; /* times through the file; 0 = until stopped */
};

enum simd_replay_state {
	SIMD_REPLAY_IDLE,
	SIMD_REPLAY_RUNNING,
	SIMD_REPLAY_DONE,
	SIMD_REPLAY_FAILED
};

struct simd_replay_status {
	enum simd_replay_state state;
	char file[PATH_MAX];
	char port[SIM_NAME_MAX];
	uint64_t packets, bytes, loops_done, loops;
	double progress; /* 0..1 through the current loop, by file offset */
	char error[256];
};

/* Build the default pipes for 'dev'; start the data-plane thread. */
int simd_dp_create(const struct sim_device *dev, struct simd_dp **dpp);
/* Stop a replay in progress, join the thread, free everything. */
void simd_dp_destroy(struct simd_dp *dp);

/*
 * Start a replay; -EBUSY while one runs, -ENODEV for an unknown port, or the
 * capture's open error (with 'why' filled).
 */
int simd_dp_replay(struct simd_dp *dp, const struct simd_replay_req *req, char *why,
		   size_t why_size);
int simd_dp_replay_stop(struct simd_dp *dp);
void simd_dp_replay_status(struct simd_dp *dp, struct simd_replay_status *st);
/*
 * The eSwitch's pipes with their counters, read by the data-plane thread
 * itself between bursts (or directly while it is idle), so the counters are
 * never read while being written. Fills up to 'max'; returns how many pipes
 * there are, or -ETIMEDOUT.
 */
struct esw_pipe_info;
int simd_dp_pipes(struct simd_dp *dp, struct esw_pipe_info *info, unsigned int max);

/* A consistent-enough snapshot (each counter is read atomically). */
void simd_dp_counters(struct simd_dp *dp, size_t port, struct simd_port_counters *c);

#endif /* DPU_SIM_SIMD_DATAPLANE_H */
