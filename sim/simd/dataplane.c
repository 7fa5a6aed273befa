/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <pcap/pcap.h>

#define DPU_LOG_MODULE "simd-dp"
#include "common/log.h"
#include "common/timeutil.h"
#include "sim/eswitch/esw.h"
#include "sim/simd/dataplane.h"

#define DP_BURST 32
/* Sleep only when the next frame is due this much later. */
#define DP_SLEEP_MIN_NS (50 * DPU_NSEC_PER_USEC)

struct port_ctr {
	atomic_uint_fast64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
	atomic_uint_fast64_t tx_packets, tx_bytes;
};

struct simd_dp {
	const struct sim_device *dev;
	struct esw *esw;
	struct esw_pipe *pipe;
	struct port_ctr ctr[SIM_MAX_PORTS];

	pthread_t thread;
	pthread_mutex_t lock; /* guards job/status below */
	pthread_cond_t cond;
	bool quit;
	atomic_bool stop_job;
	bool have_job;
	struct simd_replay_req job;
	uint16_t job_port;
	pcap_t *pc;
	struct simd_replay_status st;

	/* Pipe snapshots for the control thread (guarded by 'lock'). */
	atomic_bool snap_req;
	pthread_cond_t snap_done;
	struct esw_pipe_info snap[16];
	int snap_n;
	uint64_t snap_gen;
};

#define DP_SNAP_MAX 16

/* On the data-plane thread, between bursts: answer a pending snapshot request. */
static void serve_snapshot(struct simd_dp *dp)
{
	if (!atomic_load_explicit(&dp->snap_req, memory_order_acquire)) {
		return;
	}
	pthread_mutex_lock(&dp->lock);
	dp->snap_n = esw_pipes(dp->esw, dp->snap, DP_SNAP_MAX);
	dp->snap_gen++;
	atomic_store(&dp->snap_req, false);
	pthread_cond_broadcast(&dp->snap_done);
	pthread_mutex_unlock(&dp->lock);
}

int simd_dp_pipes(struct simd_dp *dp, struct esw_pipe_info *info, unsigned int max)
{
	struct timespec until;
	uint64_t gen;
	int n, rc = 0;

	pthread_mutex_lock(&dp->lock);
	if (!dp->have_job) {
		/* Idle: the data plane cannot start a job while we hold the lock. */
		n = esw_pipes(dp->esw, info, max);
		pthread_mutex_unlock(&dp->lock);
		return n;
	}
	gen = dp->snap_gen;
	atomic_store(&dp->snap_req, true);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	while (dp->snap_gen == gen && dp->have_job && rc == 0) {
		rc = pthread_cond_timedwait(&dp->snap_done, &dp->lock, &until);
	}
	if (dp->snap_gen == gen) {
		/* The job ended meanwhile (the data plane is idle now) or it timed out. */
		n = dp->have_job ? -ETIMEDOUT : esw_pipes(dp->esw, info, max);
	} else {
		n = dp->snap_n;
		memcpy(info, dp->snap,
		       sizeof(*info) * (size_t)DPU_MIN((int)max, DPU_MIN(n, DP_SNAP_MAX)));
	}
	pthread_mutex_unlock(&dp->lock);
	return n;
}

/* Single writer per counter (the data-plane thread): a relaxed add is enough. */
static inline void ctr_add(atomic_uint_fast64_t *c, uint64_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
			      memory_order_relaxed);
}

void simd_dp_counters(struct simd_dp *dp, size_t port, struct simd_port_counters *c)
{
	const struct port_ctr *p = &dp->ctr[port];

	c->rx_packets = atomic_load_explicit(&p->rx_packets, memory_order_relaxed);
	c->rx_bytes = atomic_load_explicit(&p->rx_bytes, memory_order_relaxed);
	c->rx_dropped = atomic_load_explicit(&p->rx_dropped, memory_order_relaxed);
	c->rx_errors = atomic_load_explicit(&p->rx_errors, memory_order_relaxed);
	c->tx_packets = atomic_load_explicit(&p->tx_packets, memory_order_relaxed);
	c->tx_bytes = atomic_load_explicit(&p->tx_bytes, memory_order_relaxed);
}

/* Default steering: uplink i <-> i-th PF representor, other representors -> uplink 0. */
static int build_default_pipe(struct simd_dp *dp)
{
	const struct sim_device *dev = dp->dev;
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_key mask;
	int uplinks[SIM_MAX_PORTS], pfs[SIM_MAX_PORTS];
	int n_up = 0, n_pf = 0, rc;

	memset(&mask, 0, sizeof(mask));
	mask.in_port = 0xffff;
	rc = esw_pipe_create_exact(dp->esw, "default", &mask, SIM_MAX_PORTS, &drop, &dp->pipe);
	if (rc < 0) {
		return rc;
	}
	for (size_t i = 0; i < dev->n_ports; i++) {
		if (dev->ports[i].kind == SIM_PORT_UPLINK) {
			uplinks[n_up++] = (int)i;
		} else if (dev->ports[i].kind == SIM_PORT_PF) {
			pfs[n_pf++] = (int)i;
		}
	}
	for (size_t i = 0; i < dev->n_ports; i++) {
		struct esw_key k;
		struct esw_actions a = {.fate = ESW_FATE_DROP};
		int peer = -1;

		memset(&k, 0, sizeof(k));
		k.in_port = (uint16_t)i;
		if (dev->ports[i].kind == SIM_PORT_UPLINK) {
			for (int u = 0; u < n_up; u++) {
				if (uplinks[u] == (int)i && u < n_pf) {
					peer = pfs[u];
				}
			}
		} else if (dev->ports[i].kind == SIM_PORT_PF) {
			for (int f = 0; f < n_pf; f++) {
				if (pfs[f] == (int)i && f < n_up) {
					peer = uplinks[f];
				}
			}
		} else if (n_up > 0) {
			peer = uplinks[0];
		}
		if (peer >= 0) {
			a.fate = ESW_FATE_PORT;
			a.port = (uint16_t)peer;
		}
		rc = esw_exact_add(dp->pipe, &k, &a, NULL);
		if (rc < 0) {
			return rc;
		}
	}
	return esw_set_root(dp->esw, dp->pipe);
}

static void flush(struct simd_dp *dp, uint16_t in_port, struct esw_key *keys, uint32_t *lens,
		  unsigned int n)
{
	struct esw_result res[DP_BURST];

	if (n == 0) {
		return;
	}
	esw_classify_burst(dp->esw, keys, lens, n, res);
	for (unsigned int i = 0; i < n; i++) {
		if (res[i].fate == ESW_FATE_PORT && res[i].port < dp->dev->n_ports) {
			ctr_add(&dp->ctr[res[i].port].tx_packets, 1);
			ctr_add(&dp->ctr[res[i].port].tx_bytes, lens[i]);
		} else {
			ctr_add(&dp->ctr[in_port].rx_dropped, 1);
		}
	}
}

static void set_status(struct simd_dp *dp, enum simd_replay_state state, const char *error)
{
	pthread_mutex_lock(&dp->lock);
	dp->st.state = state;
	if (error != NULL) {
		dpu_strscpy(dp->st.error, error, sizeof(dp->st.error));
	}
	pthread_mutex_unlock(&dp->lock);
}

/* Add what was replayed since the last call to the status (once per burst). */
static void progress(struct simd_dp *dp, off_t size, uint64_t *pkts, uint64_t *bytes)
{
	off_t pos = size > 0 ? ftello(pcap_file(dp->pc)) : 0;

	pthread_mutex_lock(&dp->lock);
	dp->st.packets += *pkts;
	dp->st.bytes += *bytes;
	if (size > 0) {
		dp->st.progress = (double)pos / (double)size;
	}
	pthread_mutex_unlock(&dp->lock);
	*pkts = 0;
	*bytes = 0;
}

/* One pass through the capture; false when stopped or failed. */
static bool replay_pass(struct simd_dp *dp, off_t size)
{
	const struct simd_replay_req *job = &dp->job;
	struct esw_key keys[DP_BURST];
	uint32_t lens[DP_BURST];
	unsigned int n = 0;
	uint64_t start = dpu_time_mono_ns(), first_ts = 0, idx = 0, done_pkts = 0, done_bytes = 0;
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc;

	while ((rc = pcap_next_ex(dp->pc, &hdr, &data)) == 1) {
		uint64_t ts = (uint64_t)hdr->ts.tv_sec * DPU_NSEC_PER_SEC +
			      (uint64_t)hdr->ts.tv_usec * DPU_NSEC_PER_USEC;
		uint64_t due = 0;

		if (atomic_load(&dp->stop_job)) {
			flush(dp, dp->job_port, keys, lens, n);
			progress(dp, size, &done_pkts, &done_bytes);
			return false;
		}
		if (idx == 0) {
			first_ts = ts;
		}
		if (job->pps > 0) {
			due = start + idx * DPU_NSEC_PER_SEC / job->pps;
		} else if (job->speed > 0 && ts >= first_ts) {
			due = start + (uint64_t)((double)(ts - first_ts) / job->speed);
		}
		idx++;
		if (due > 0) {
			uint64_t now = dpu_time_mono_ns();

			if (due > now + DP_SLEEP_MIN_NS) {
				flush(dp, dp->job_port, keys, lens, n);
				n = 0;
				progress(dp, size, &done_pkts, &done_bytes);
				/* Sleep in slices: stay responsive to stop and snapshots. */
				while (now < due && !atomic_load(&dp->stop_job)) {
					serve_snapshot(dp);
					dpu_sleep_ns(DPU_MIN(due - now, 50 * DPU_NSEC_PER_MSEC));
					now = dpu_time_mono_ns();
				}
			}
		}
		ctr_add(&dp->ctr[dp->job_port].rx_packets, 1);
		ctr_add(&dp->ctr[dp->job_port].rx_bytes, hdr->len);
		if (esw_parse(data, hdr->caplen, dp->job_port, &keys[n]) < 0) {
			ctr_add(&dp->ctr[dp->job_port].rx_errors, 1);
		} else {
			lens[n++] = hdr->len;
		}
		done_pkts++;
		done_bytes += hdr->len;
		if (n == DP_BURST) {
			flush(dp, dp->job_port, keys, lens, n);
			n = 0;
			progress(dp, size, &done_pkts, &done_bytes);
			serve_snapshot(dp);
		}
	}
	flush(dp, dp->job_port, keys, lens, n);
	progress(dp, size, &done_pkts, &done_bytes);
	if (rc == PCAP_ERROR) {
		char msg[sizeof(dp->st.error)];

		snprintf(msg, sizeof(msg), "%.128s: %.100s (after %llu frames)", job->file,
			 pcap_geterr(dp->pc), (unsigned long long)idx);
		log_err("replay: %s", msg);
		set_status(dp, SIMD_REPLAY_FAILED, msg);
		return false;
	}
	return true;
}

static void run_job(struct simd_dp *dp)
{
	char err[PCAP_ERRBUF_SIZE];
	struct stat sb;
	off_t size = stat(dp->job.file, &sb) == 0 ? sb.st_size : 0;

	for (uint64_t loop = 0; dp->job.loops == 0 || loop < dp->job.loops; loop++) {
		if (loop > 0) {
			pcap_close(dp->pc);
			dp->pc = pcap_open_offline(dp->job.file, err);
			if (dp->pc == NULL) {
				set_status(dp, SIMD_REPLAY_FAILED, err);
				return;
			}
		}
		if (!replay_pass(dp, size)) {
			if (atomic_load(&dp->stop_job)) {
				set_status(dp, SIMD_REPLAY_DONE, "stopped");
			}
			return;
		}
		pthread_mutex_lock(&dp->lock);
		dp->st.loops_done++;
		pthread_mutex_unlock(&dp->lock);
	}
	log_info("replay of %s into %s done: %llu frames", dp->job.file, dp->job.port,
		 (unsigned long long)dp->st.packets);
	set_status(dp, SIMD_REPLAY_DONE, NULL);
}

static void *dp_main(void *arg)
{
	struct simd_dp *dp = arg;

	pthread_mutex_lock(&dp->lock);
	for (;;) {
		while (!dp->quit && !dp->have_job) {
			pthread_cond_wait(&dp->cond, &dp->lock);
		}
		if (dp->quit) {
			break;
		}
		pthread_mutex_unlock(&dp->lock);
		run_job(dp);
		pthread_mutex_lock(&dp->lock);
		pcap_close(dp->pc);
		dp->pc = NULL;
		dp->have_job = false;
		pthread_cond_broadcast(&dp->snap_done); /* a waiting snapshot reads directly now */
	}
	pthread_mutex_unlock(&dp->lock);
	return NULL;
}

int simd_dp_create(const struct sim_device *dev, struct simd_dp **dpp)
{
	struct simd_dp *dp = calloc(1, sizeof(*dp));
	int rc;

	if (dp == NULL) {
		return -ENOMEM;
	}
	dp->dev = dev;
	pthread_mutex_init(&dp->lock, NULL);
	pthread_cond_init(&dp->cond, NULL);
	pthread_cond_init(&dp->snap_done, NULL);
	rc = esw_create(&dp->esw);
	if (rc == 0) {
		rc = build_default_pipe(dp);
	}
	if (rc == 0) {
		rc = -pthread_create(&dp->thread, NULL, dp_main, dp);
	}
	if (rc < 0) {
		esw_destroy(dp->esw);
		pthread_cond_destroy(&dp->snap_done);
		pthread_cond_destroy(&dp->cond);
		pthread_mutex_destroy(&dp->lock);
		free(dp);
		return rc;
	}
	*dpp = dp;
	return 0;
}

void simd_dp_destroy(struct simd_dp *dp)
{
	if (dp == NULL) {
		return;
	}
	atomic_store(&dp->stop_job, true);
	pthread_mutex_lock(&dp->lock);
	dp->quit = true;
	pthread_cond_signal(&dp->cond);
	pthread_mutex_unlock(&dp->lock);
	pthread_join(dp->thread, NULL);
	if (dp->pc != NULL) {
		pcap_close(dp->pc);
	}
	esw_destroy(dp->esw);
	pthread_cond_destroy(&dp->snap_done);
	pthread_cond_destroy(&dp->cond);
	pthread_mutex_destroy(&dp->lock);
	free(dp);
}

int simd_dp_replay(struct simd_dp *dp, const struct simd_replay_req *req, char *why,
		   size_t why_size)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc;
	int port = -1;

	for (size_t i = 0; i < dp->dev->n_ports; i++) {
		if (strcmp(dp->dev->ports[i].name, req->port) == 0) {
			port = (int)i;
		}
	}
	if (port < 0) {
		snprintf(why, why_size, "%s: no such port", req->port);
		return -ENODEV;
	}
	if (req->speed < 0) {
		snprintf(why, why_size, "speed must be >= 0");
		return -EINVAL;
	}
	pthread_mutex_lock(&dp->lock);
	if (dp->have_job) {
		pthread_mutex_unlock(&dp->lock);
		snprintf(why, why_size, "a replay of %s is running", dp->job.file);
		return -EBUSY;
	}
	pthread_mutex_unlock(&dp->lock);
	/* A FIFO or a device would block the data plane (or the caller) forever. */
	struct stat sb;

	if (stat(req->file, &sb) < 0) {
		int rc = -errno;

		snprintf(why, why_size, "%.128s: %s", req->file, strerror(-rc));
		return rc;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(why, why_size, "%.128s: not a regular file", req->file);
		return -EINVAL;
	}
	pc = pcap_open_offline(req->file, err);
	if (pc == NULL) {
		snprintf(why, why_size, "%.128s: %.128s", req->file, err);
		return -EINVAL;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		snprintf(why, why_size, "%s: link type %s, expected Ethernet", req->file,
			 pcap_datalink_val_to_name(pcap_datalink(pc)));
		pcap_close(pc);
		return -EINVAL;
	}
	pthread_mutex_lock(&dp->lock);
	dp->job = *req;
	dp->job_port = (uint16_t)port;
	dp->pc = pc;
	memset(&dp->st, 0, sizeof(dp->st));
	dp->st.state = SIMD_REPLAY_RUNNING;
	dpu_strscpy(dp->st.file, req->file, sizeof(dp->st.file));
	dpu_strscpy(dp->st.port, req->port, sizeof(dp->st.port));
	dp->st.loops = req->loops;
	atomic_store(&dp->stop_job, false);
	dp->have_job = true;
	log_info("replay of %s into %s started", req->file, req->port);
	pthread_cond_signal(&dp->cond);
	pthread_mutex_unlock(&dp->lock);
	return 0;
}

int simd_dp_replay_stop(struct simd_dp *dp)
{
	atomic_store(&dp->stop_job, true);
	return 0;
}

void simd_dp_replay_status(struct simd_dp *dp, struct simd_replay_status *st)
{
	pthread_mutex_lock(&dp->lock);
	*st = dp->st;
	pthread_mutex_unlock(&dp->lock);
}
