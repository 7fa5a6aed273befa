/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What only the simulated device can do: replay a capture into a port.
 * On any other backend these return -EOPNOTSUPP.
 */
#ifndef DPU_HAL_SIM_H
#define DPU_HAL_SIM_H

#include <stdint.h>

#include "dpu/hal.h"

struct dpu_sim_replay {
	const char *file; /* pcap file, path as dpu-simd sees it */
	const char *port; /* port to receive it, e.g. "p0" */
	double speed;	  /* multiple of the capture's timing; 0 = as fast as possible */
	uint64_t pps;	  /* fixed rate instead; 0 = unused */
	uint64_t loops;	  /* passes through the file; 0 = until stopped */
};

enum dpu_sim_replay_state {
	DPU_SIM_REPLAY_IDLE,
	DPU_SIM_REPLAY_RUNNING,
	DPU_SIM_REPLAY_DONE,
	DPU_SIM_REPLAY_FAILED,
};

struct dpu_sim_replay_status {
	enum dpu_sim_replay_state state;
	uint64_t packets, bytes, loops_done, loops;
	double progress; /* 0..1 through the current pass */
	char error[256];
};

/* One of the eSwitch's pipes, as dpu-simd reports it. */
struct dpu_sim_pipe {
	char name[32];
	char kind[8]; /* exact, acl, lpm */
	int root;     /* packets enter here */
	uint64_t entries, max_entries;
	uint64_t hit_packets, hit_bytes, miss_packets, miss_bytes;
};

/*
 * The pipes of a domain (NULL: the switch; else a port's ingress): fills up
 * to 'max', returns how many there are.
 */
int dpu_sim_pipes(struct dpu_dev *dev, const char *domain, struct dpu_sim_pipe *pipes, size_t max);

/*
 * One entry of a pipe; match and actions as dpu-simd's JSON (sim/simd/flow.h),
 * whole however long (an ECMP group of encaps runs to kilobytes): malloc'd,
 * released with dpu_sim_entries_free().
 */
struct dpu_sim_entry {
	uint32_t id, priority;
	char *match;
	char *actions;
	uint64_t packets, bytes;
};

/*
 * A page of a pipe's entries in id order: those from id '*from' on, up to
 * 'max' of them. Returns how many it filled (or -errno, nothing to free)
 * and moves '*from' past the last; fewer than 'max' means there are no
 * more. The caller frees the filled ones.
 */
int dpu_sim_entries(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t *from,
		    struct dpu_sim_entry *entries, size_t max);
void dpu_sim_entries_free(struct dpu_sim_entry *entries, size_t n);

/* -EBUSY while a replay runs; -ENODEV for an unknown port; -EINVAL for a bad file. */
int dpu_sim_replay_start(struct dpu_dev *dev, const struct dpu_sim_replay *req, char *why,
			 size_t why_size);
int dpu_sim_replay_status(struct dpu_dev *dev, struct dpu_sim_replay_status *st);
int dpu_sim_replay_stop(struct dpu_dev *dev);

/*
 * One request to dpu-simd as its control socket's JSON (one object, no
 * newline: sim/simd/ctl.h, steering in sim/simd/flow.h). '*reply' gets the
 * reply's text (malloc'd) when it is "ok"; a refusal is -errno with its
 * reason in dpu_dev_last_error().
 */
int dpu_sim_request(struct dpu_dev *dev, const char *request, char **reply);

/* The simulated PHC's own frequency error (the servo's job to correct). */
int dpu_sim_phc_set_drift(struct dpu_dev *dev, double ppb);

#endif /* DPU_HAL_SIM_H */
