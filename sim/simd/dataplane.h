/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-simd's data plane: one thread that replays a capture into a port,
 * polls the service ports (memif), runs every frame through the emulated
 * eSwitch and counts, per port, what was received, sent on and dropped. The
 * control thread publishes those counters in the sysfs-shaped tree.
 *
 * Steering has two kinds of domain, as rte_flow has: the switch (transfer
 * rules, one struct esw every frame enters) and, per service port, that
 * port's ingress (rules on the service's own ethdev, applied to what the
 * switch sends to the port: deliver with a mark, or drop). The switch
 * starts with a pipe "default" on the in-port: uplink pN <-> the N-th host
 * PF representor, every other representor -> uplink p0.
 *
 * A frame that leaves through a port with no service attached leaves the
 * device (it is counted and freed); one for a service port is sent over its
 * memif with the metadata header of portmeta.h.
 *
 * Threads: the switch is a concurrent eSwitch (esw_create_concurrent): the
 * control thread updates it while the data-plane thread classifies, which
 * reports a quiescent state after each round of bursts and goes offline
 * while it idles. A port's ingress switch is changed only inside
 * simd_dp_call(), which runs a function on the data-plane thread between
 * bursts.
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
	uint64_t tx_packets, tx_bytes, tx_dropped;
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
 * Run fn(dp, arg) on the data-plane thread between bursts and return what it
 * returned. The functions below marked "dp thread" may be used inside.
 */
typedef int simd_dp_fn(struct simd_dp *dp, void *arg);
int simd_dp_call(struct simd_dp *dp, simd_dp_fn *fn, void *arg);

/* dp thread: the switch domain and its default pipe. */
struct esw *simd_dp_switch(struct simd_dp *dp);
struct esw_pipe *simd_dp_default_pipe(struct simd_dp *dp);
/*
 * dp thread: the ingress domain of service port 'port' (NULL if none);
 * simd_dp_set_ingress() installs a new one (or NULL) and destroys the old.
 */
struct esw *simd_dp_ingress(struct simd_dp *dp, size_t port);
void simd_dp_set_ingress(struct simd_dp *dp, size_t port, struct esw *esw);

/* What carries a port's frames besides replays. */
enum simd_backing {
	SIMD_BACKING_SERVICE,	/* a memif server at 'arg' for a service (metadata header) */
	SIMD_BACKING_TAP,	/* a tap interface named 'arg' (net_tap) */
	SIMD_BACKING_AF_PACKET, /* an existing interface 'arg', e.g. a veth (net_af_packet) */
};

/*
 * Give port 'port' its backing with 'queues' queue pairs (more than one for
 * a service only: frames to it are spread over them by an RSS hash). Once;
 * the same again returns 0, a service's memif with another queue count is
 * made anew. -EEXIST when the port has another backing already.
 */
int simd_dp_attach(struct simd_dp *dp, size_t port, enum simd_backing kind, const char *arg,
		   uint16_t queues);
bool simd_dp_attached(struct simd_dp *dp, size_t port, enum simd_backing *kind, bool *link_up);

/*
 * RoCEv2 congestion control on uplink 'port' (sim/pcc.h): its settings (the
 * gaps in ns), and what it counted so far. Any thread.
 */
struct sim_pcc_events;
void simd_dp_cc_config(struct simd_dp *dp, size_t port, bool enabled, uint64_t np_gap_ns,
		       uint64_t rp_gap_ns);
void simd_dp_cc_events(struct simd_dp *dp, size_t port, struct sim_pcc_events *ev);

/* A consistent-enough snapshot (each counter is read atomically). */
void simd_dp_counters(struct simd_dp *dp, size_t port, struct simd_port_counters *c);

#endif /* DPU_SIM_SIMD_DATAPLANE_H */
