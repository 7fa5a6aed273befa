/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow Inspector's live mode: the policy as ingress rules on the service's
 * port (HAL steering), packets through HAL packet I/O with the eSwitch's
 * mark, records to dpu-telemetry through the exporter API, the policy file
 * watched with inotify.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define DPU_LOG_MODULE "fi"
#include "common/log.h"
#include "common/timeutil.h"
#include "dpu/hal-flow.h"
#include "dpu/hal-io.h"
#include "flow-inspector/live.h"
#include "flow-inspector/record.h"
#include "telemetry/exporter.h"

#define POOL_SIZE 8191
#define BURST 32
/*
 * An empty poll naps, 50 us at first and twice as long after each empty
 * poll in a row up to 400 us; a frame brings it back to 50 us. Idle, the
 * service then costs 3-4 % of a core instead of 12-15 %; the ring (1024
 * descriptors) holds what a burst brings in 400 us up to ~2.5 Mpps.
 */
#define NAP_MIN_US 50
#define NAP_MAX_US 400
#define STATS_NAME 16

static volatile sig_atomic_t stop;

static void on_signal(int signo)
{
	(void)signo;
	stop = 1;
}

struct __attribute__((packed)) unit_stats {
	char unit[STATS_NAME];
	uint64_t received, exported, parse_errors;
};

struct live;

/* A worker lcore on one receive queue. */
struct worker {
	struct live *l;
	uint16_t queue;
	struct fi_export x; /* its own connection: the exporter is single-threaded */
	atomic_uint_fast64_t received[FI_MAX_UNITS], exported[FI_MAX_UNITS], errors[FI_MAX_UNITS];
	atomic_uint_fast64_t unmarked;
	atomic_bool done; /* set last: all it did happens before the main lcore sees it */
};

/*
 * The main lcore watches the policy, reports the counters and applies a
 * new policy while the workers are parked; the workers read 'policy' only
 * between parks.
 */
struct live {
	const struct fi_live_opts *o;
	struct fi_policy policy;
	struct dpu_dev *dev;
	struct dpu_portio *io;
	struct fi_export x; /* the main lcore's: the stats */
	unsigned int n_workers;
	struct worker w[DPU_PORTIO_MAX_QUEUES];
	atomic_bool running, pause;
	atomic_uint parked;
};

static int fail(struct dpu_dev *dev, const char *what, int rc)
{
	log_err("%s: %s%s%s", what, strerror(-rc),
		dev != NULL && dpu_dev_last_error(dev)[0] ? ": " : "",
		dev != NULL ? dpu_dev_last_error(dev) : "");
	return rc;
}

/* The policy as the port's ingress rules: one per unit, protocol and port pair. */
static int install_rules(struct live *l)
{
	struct dpu_pipe_attr attr = {.name = "fi",
				     .domain = l->o->port,
				     .kind = DPU_PIPE_ACL,
				     .root = true,
				     .max_entries = 0};
	int rc = dpu_flow_flush(l->dev, l->o->port);

	if (rc < 0) {
		return fail(l->dev, "flush", rc);
	}
	rc = dpu_pipe_create(l->dev, &attr);
	if (rc < 0) {
		return fail(l->dev, "ingress pipe", rc);
	}
	for (size_t u = 0; u < l->policy.n_units; u++) {
		const struct fi_unit *un = &l->policy.units[u];
		struct dpu_actions mark = {
			.fate = DPU_FATE_DELIVER, .set_mark = true, .mark = (uint32_t)u};

		for (int proto = 0; proto < 2; proto++) {
			if (!(un->protos & (proto == 0 ? FI_PROTO_TCP : FI_PROTO_UDP))) {
				continue;
			}
			for (size_t i = 0; i < un->n_pairs; i++) {
				struct dpu_match m = {.fields = DPU_MATCH_IP_PROTO |
								DPU_MATCH_SRC_PORT |
								DPU_MATCH_DST_PORT,
						      .ip_proto = proto == 0 ? 6 : 17,
						      .sport_lo = un->pairs[i].src.lo,
						      .sport_hi = un->pairs[i].src.hi,
						      .dport_lo = un->pairs[i].dst.lo,
						      .dport_hi = un->pairs[i].dst.hi};
				uint32_t id;

				rc = dpu_pipe_entry_add(l->dev, l->o->port, "fi", (uint32_t)u, &m,
							&mark, &id);
				if (rc < 0) {
					return fail(l->dev, "ingress rule", rc);
				}
			}
		}
	}
	return 0;
}

static int mirror_to_port(struct live *l)
{
	int rc = dpu_flow_mirror(l->dev, l->o->mirror_from, l->o->port, "default");

	return rc < 0 ? fail(l->dev, "mirror", rc) : 0;
}

/* A telemetry type per unit (its fields) and one for the per-unit counters. */
int fi_export_open(struct fi_export *x, const struct fi_policy *p, const char *sockets_dir,
		   const char *source_id)
{
	struct dpu_te_type *t;
	char name[16];
	int rc;

	fi_export_close(x);
	rc = dpu_te_schema_init("flow_inspector", &x->schema);
	for (size_t u = 0; rc == 0 && u < p->n_units; u++) {
		rc = dpu_te_type_create(&t);
		if (rc == 0) {
			rc = fi_unit_add_fields(t, &p->units[u], p->payload_bytes,
						dpu_te_type_add_new_field);
			if (rc < 0) {
				dpu_te_type_destroy(t);
			}
		}
		snprintf(name, sizeof(name), "unit%u", (unsigned int)(u % FI_MAX_UNITS));
		if (rc == 0) {
			rc = dpu_te_schema_add_type(x->schema, name, t, &x->type_of[u]);
		}
	}
	if (rc == 0 && (rc = dpu_te_type_create(&t)) == 0) {
		if ((rc = dpu_te_type_add_new_field(t, "unit", "char", STATS_NAME)) < 0 ||
		    (rc = dpu_te_type_add_new_field(t, "received", "uint64_t", 1)) < 0 ||
		    (rc = dpu_te_type_add_new_field(t, "exported", "uint64_t", 1)) < 0 ||
		    (rc = dpu_te_type_add_new_field(t, "parse_errors", "uint64_t", 1)) < 0) {
			dpu_te_type_destroy(t);
		} else {
			rc = dpu_te_schema_add_type(x->schema, "stats", t, &x->stats_type);
		}
	}
	if (rc == 0) {
		dpu_te_schema_set_ipc_enabled(x->schema);
		if (sockets_dir != NULL) {
			rc = dpu_te_schema_set_ipc_sockets_dir(x->schema, sockets_dir);
		}
	}
	if (rc == 0) {
		rc = dpu_te_schema_start(x->schema);
	}
	if (rc == 0) {
		rc = dpu_te_source_create(x->schema, &x->src);
	}
	if (rc == 0 && (rc = dpu_te_source_set_id(x->src, source_id)) == 0 &&
	    (rc = dpu_te_source_set_tag(x->src, "flow_inspector")) == 0) {
		rc = dpu_te_source_start(x->src);
	}
	if (rc < 0) {
		log_err("exporter API: %s", strerror(-rc));
	}
	return rc;
}

void fi_export_close(struct fi_export *x)
{
	dpu_te_source_destroy(x->src);
	dpu_te_schema_destroy(x->schema);
	x->src = NULL;
	x->schema = NULL;
}

int fi_export_record(struct fi_export *x, const struct fi_policy *p, const struct fi_pkt *pkt)
{
	uint8_t rec[FI_RECORD_MAX];

	fi_record_pack(rec, &p->units[pkt->unit], pkt, p->payload_bytes);
	return dpu_te_source_report(x->src, x->type_of[pkt->unit], rec, 1);
}

void fi_export_stats(struct fi_export *x, const struct fi_policy *p, const uint64_t *received,
		     const uint64_t *exported, const uint64_t *errors)
{
	for (size_t u = 0; u < p->n_units; u++) {
		struct unit_stats s;

		memset(&s, 0, sizeof(s));
		snprintf(s.unit, sizeof(s.unit), "unit%u", (unsigned int)(u % FI_MAX_UNITS));
		s.received = received[u];
		s.exported = exported[u];
		s.parse_errors = errors[u];
		dpu_te_source_report(x->src, x->stats_type, &s, 1);
	}
	dpu_te_source_flush(x->src);
}

/* Single writer per counter (its worker): a relaxed add is enough. */
static inline void ctr_add(atomic_uint_fast64_t *c, uint64_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
			      memory_order_relaxed);
}

static uint64_t ctr_sum(struct live *l, size_t u, int which)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < l->n_workers; i++) {
		const struct worker *w = &l->w[i];
		const atomic_uint_fast64_t *c = which == 0   ? &w->received[u]
						: which == 1 ? &w->exported[u]
							     : &w->errors[u];

		sum += atomic_load_explicit(c, memory_order_relaxed);
	}
	return sum;
}

/* The per-unit counters, all workers together, through the main exporter. */
static void report_stats(struct live *l)
{
	uint64_t rx[FI_MAX_UNITS], ex[FI_MAX_UNITS], er[FI_MAX_UNITS];

	for (size_t u = 0; u < l->policy.n_units; u++) {
		rx[u] = ctr_sum(l, u, 0);
		ex[u] = ctr_sum(l, u, 1);
		er[u] = ctr_sum(l, u, 2);
	}
	fi_export_stats(&l->x, &l->policy, rx, ex, er);
}

/* 'now_us': the burst's receive time, read once per burst. */
static void handle(struct worker *w, struct rte_mbuf *m, uint64_t now_us)
{
	const struct fi_policy *p = &w->l->policy;
	struct fi_pkt pkt;
	uint32_t mark;
	int src;

	if (!dpu_mbuf_mark(m, &mark) || mark >= p->n_units) {
		ctr_add(&w->unmarked, 1);
		return;
	}
	ctr_add(&w->received[mark], 1);
	if (!rte_pktmbuf_is_contiguous(m) ||
	    fi_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
		     rte_pktmbuf_pkt_len(m), &pkt) < 0) {
		ctr_add(&w->errors[mark], 1);
		return;
	}
	pkt.unit = (uint16_t)mark;
	src = dpu_mbuf_src_port(m);
	pkt.port = src >= 0 ? (uint16_t)src : 0;
	pkt.timestamp_us = now_us;
	if (w->l->o->jsonl) {
		/* One whole line per record, whichever worker writes it. */
		flockfile(stdout);
		fi_write_json(stdout, &p->units[mark], &pkt, p->payload_bytes);
		funlockfile(stdout);
		ctr_add(&w->exported[mark], 1);
	} else if (fi_export_record(&w->x, p, &pkt) == 0) {
		ctr_add(&w->exported[mark], 1);
	}
}

/*
 * A worker: one receive queue, its own connection to dpu-telemetry. It
 * parks while the main lcore changes the policy under it.
 */
static int worker_main(void *arg)
{
	struct worker *w = arg;
	struct live *l = w->l;
	uint64_t next_flush = dpu_time_mono_ns() + DPU_NSEC_PER_SEC;
	uint64_t nap_us = NAP_MIN_US;

	while (atomic_load_explicit(&l->running, memory_order_acquire)) {
		struct rte_mbuf *m[BURST];
		uint64_t now_us = 0, now;
		uint16_t n;

		if (atomic_load_explicit(&l->pause, memory_order_acquire)) {
			atomic_fetch_add(&l->parked, 1);
			while (atomic_load(&l->pause) && atomic_load(&l->running)) {
				dpu_sleep_ns(DPU_NSEC_PER_MSEC);
			}
			atomic_fetch_sub(&l->parked, 1);
			continue;
		}
		n = dpu_portio_rx_queue_burst(l->io, w->queue, m, BURST);
		if (n > 0) {
			dpu_te_get_timestamp(&now_us);
		}
		for (uint16_t i = 0; i < n; i++) {
			handle(w, m[i], now_us);
		}
		rte_pktmbuf_free_bulk(m, n);
		if (n == 0) {
			dpu_sleep_ns(nap_us * DPU_NSEC_PER_USEC);
			nap_us = nap_us * 2 > NAP_MAX_US ? NAP_MAX_US : nap_us * 2;
		} else {
			nap_us = NAP_MIN_US;
		}
		now = dpu_time_mono_ns();
		if (now >= next_flush) {
			/* Records of a quiet second reach dpu-telemetry too. */
			next_flush = now + DPU_NSEC_PER_SEC;
			dpu_te_source_flush(w->x.src);
		}
	}
	atomic_store_explicit(&w->done, true, memory_order_release);
	return 0;
}

/* Every worker parked (or none running): the policy can change under them. */
static void pause_workers(struct live *l)
{
	atomic_store(&l->pause, true);
	while (atomic_load(&l->parked) < l->n_workers) {
		dpu_sleep_ns(DPU_NSEC_PER_MSEC);
	}
}

static void resume_workers(struct live *l)
{
	atomic_store(&l->pause, false);
}

static void reset_counters(struct live *l)
{
	for (unsigned int i = 0; i < l->n_workers; i++) {
		struct worker *w = &l->w[i];

		for (size_t u = 0; u < FI_MAX_UNITS; u++) {
			atomic_store(&w->received[u], 0);
			atomic_store(&w->exported[u], 0);
			atomic_store(&w->errors[u], 0);
		}
	}
}

/* The main exporter and one per worker, for the current policy. */
static int open_exporters(struct live *l)
{
	int rc = fi_export_open(&l->x, &l->policy, l->o->sockets_dir, l->o->source_id);

	for (unsigned int i = 0; rc == 0 && i < l->n_workers; i++) {
		rc = fi_export_open(&l->w[i].x, &l->policy, l->o->sockets_dir, l->o->source_id);
	}
	return rc;
}

/* The policy changed on disk: apply it whole, or keep the running one. */
static void reload(struct live *l, const char *path)
{
	struct fi_policy p;
	struct dpu_cfg_err err;
	char buf[700];

	if (fi_policy_load(path, &p, &err) < 0) {
		log_err("%s; keeping the running policy", dpu_cfg_err_str(&err, buf, sizeof(buf)));
		return;
	}
	pause_workers(l);
	report_stats(l);
	l->policy = p;
	reset_counters(l);
	if (install_rules(l) < 0 || open_exporters(l) < 0) {
		log_err("policy %s: could not be applied", path);
	} else {
		log_info("policy %s applied: %zu export units", path, l->policy.n_units);
	}
	resume_workers(l);
}

/* inotify on the directory: editors replace files by renaming. */
static int watch(const char *path, char *name, size_t size)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0) {
		return -errno;
	}
	if (slash == NULL) {
		dpu_strscpy(dir, ".", sizeof(dir));
		dpu_strscpy(name, path, size);
	} else {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		dpu_strscpy(name, slash + 1, size);
	}
	if (inotify_add_watch(fd, dir[0] ? dir : "/", IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

static bool changed(int fd, const char *name)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool hit = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;

			if (ev->len > 0 && strcmp(ev->name, name) == 0) {
				hit = true;
			}
			p += sizeof(*ev) + ev->len;
		}
	}
	return hit;
}

int fi_run_live(const struct fi_live_opts *o, const char *policy_path,
		const struct fi_policy *policy)
{
	static struct live l;
	struct dpu_portio_conf conf = {0};
	struct rte_mempool *pool;
	unsigned int queues = o->queues ? o->queues : 1, lcore, i;
	uint64_t next_stats;
	char wname[NAME_MAX + 1];
	int wfd = -1, rc;

	l.o = o;
	l.policy = *policy;
	l.n_workers = queues;
	if (queues > DPU_PORTIO_MAX_QUEUES || rte_lcore_count() < queues + 1) {
		log_err("%u queues need %u lcores (a worker each and the main one); EAL has %u",
			queues, queues + 1, rte_lcore_count());
		return -EINVAL;
	}
	for (i = 0; i < queues; i++) {
		l.w[i].l = &l;
		l.w[i].queue = (uint16_t)i;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	pool = rte_pktmbuf_pool_create("fi", POOL_SIZE * queues, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		log_err("mbuf pool: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rc = dpu_dev_open(o->uri, &l.dev);
	if (rc < 0) {
		fail(NULL, o->uri, rc);
		goto out;
	}
	conf.pool = pool;
	conf.queues = (uint16_t)queues;
	rc = dpu_portio_open(l.dev, o->port, &conf, &l.io);
	if (rc < 0) {
		fail(l.dev, "packet I/O", rc);
		goto out;
	}
	/* The rules once the port is open: on hardware they are rte_flow rules
	 * on it (what comes before them waits in the ring, unmarked). */
	rc = install_rules(&l);
	if (rc == 0 && o->mirror_from != NULL) {
		rc = mirror_to_port(&l);
	}
	if (rc == 0) {
		rc = open_exporters(&l);
	}
	if (rc < 0) {
		dpu_portio_close(l.io);
		goto out;
	}
	wfd = watch(policy_path, wname, sizeof(wname));
	if (wfd < 0) {
		log_warn("%s: cannot watch it (%s); no live reload", policy_path, strerror(-wfd));
	}
	log_info("inspecting %s (%zu export units, %u queue%s); policy %s", o->port,
		 l.policy.n_units, queues, queues == 1 ? "" : "s", policy_path);
	atomic_store(&l.running, true);
	i = 0;
	RTE_LCORE_FOREACH_WORKER (lcore) {
		if (i < queues) {
			if (rte_eal_remote_launch(worker_main, &l.w[i], lcore) != 0) {
				log_err("lcore %u: cannot start its worker", lcore);
				break;
			}
			i++;
		}
	}
	if (i < queues) {
		/* The ones that did start stop again; a worker that never ran is done. */
		for (unsigned int k = i; k < queues; k++) {
			atomic_store(&l.w[k].done, true);
		}
		stop = 1;
		rc = -ECHILD;
	}
	next_stats = dpu_time_mono_ns() + DPU_NSEC_PER_SEC;
	while (!stop) {
		dpu_sleep_ns(10 * DPU_NSEC_PER_MSEC);
		if (dpu_time_mono_ns() >= next_stats) {
			next_stats += DPU_NSEC_PER_SEC;
			report_stats(&l);
			if (wfd >= 0 && changed(wfd, wname)) {
				reload(&l, policy_path);
			}
		}
	}
	atomic_store(&l.running, false);
	rte_eal_mp_wait_lcore();
	/* The EAL's own wait is not one the sanitizers see: this one is. */
	for (i = 0; i < queues; i++) {
		while (!atomic_load_explicit(&l.w[i].done, memory_order_acquire)) {
			dpu_sleep_ns(DPU_NSEC_PER_MSEC);
		}
	}
	for (i = 0; i < queues; i++) {
		fi_export_close(&l.w[i].x); /* flushes what the worker reported */
	}
	fflush(stdout);
	report_stats(&l);
	for (size_t u = 0; u < l.policy.n_units; u++) {
		fprintf(stderr, "  unit %zu: received %llu, exported %llu, parse errors %llu\n", u,
			(unsigned long long)ctr_sum(&l, u, 0),
			(unsigned long long)ctr_sum(&l, u, 1),
			(unsigned long long)ctr_sum(&l, u, 2));
	}
	for (i = 0; queues > 1 && i < queues; i++) {
		uint64_t rx = 0;

		for (size_t u = 0; u < l.policy.n_units; u++) {
			rx += atomic_load(&l.w[i].received[u]);
		}
		fprintf(stderr, "  queue %u: received %llu\n", i, (unsigned long long)rx);
	}
	dpu_portio_close(l.io);
	/* Every buffer back: none leaked on the way. */
	fprintf(stderr, "dpu-flow-inspector: mempool %u of %u buffers free\n",
		rte_mempool_avail_count(pool), POOL_SIZE * queues);
out:
	if (wfd >= 0) {
		close(wfd);
	}
	for (i = 0; i < queues; i++) {
		fi_export_close(&l.w[i].x);
	}
	fi_export_close(&l.x);
	dpu_dev_close(l.dev);
	rte_mempool_free(pool);
	return rc;
}
