/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eSwitch benchmark, one core, 64-byte frames:
 *   (a) exact-match pipe, N entries (default 1M) on the 5-tuple, + mark
 *   (b) ACL pipe, M rules (default 10k) with port ranges, + mark
 *   (c) LPM pipe, R IPv4 routes (default 1M), a quarter with ECMP groups of 2-8
 * Each is measured as parse + classify from frames in memory, and compared
 * with the bare DPDK lookup (rte_hash_lookup_bulk_data / rte_acl_classify /
 * rte_fib_lookup_bulk on prepared keys) in alternate rounds of the same run,
 * each the best of its rounds. Also the entry insertion and update rates:
 * updates made between bursts by the forwarding thread, and (exact, LPM) on
 * a concurrent switch, as dpu-simd runs it, by a second thread on a core of
 * its own while the first forwards.
 *
 *   bench-esw [--entries N] [--rules M] [--routes R] [--seconds S]
 *             [--only exact|acl|lpm]
 * Prints one line per figure and a summary table; never fails on speed.
 */
#include <config.h>

#include <arpa/inet.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_fib.h>
#include <rte_rib.h>
#include <rte_prefetch.h>

#include "common/dpdk.h"
#include "common/log.h"
#include "common/util.h"
#include "common/timeutil.h"
#include "sim/eswitch/esw.h"

#define BURST 32
#define FRAME 64
#define PREFETCH_AHEAD 8 /* frames, as dpu-simd's DP_PREFETCH */

static uint64_t rs = 88172645463325252ULL;

static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)rs;
}

/* A 64-byte Ethernet/IPv4/TCP or UDP frame for the 5-tuple. */
static void make_frame(uint8_t *f, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sp,
		       uint16_t dp)
{
	memset(f, 0, FRAME);
	f[0] = 0x02;
	f[6] = 0x02;
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = 0;
	f[17] = 46;
	f[22] = 64;
	f[23] = proto;
	src = htonl(src);
	dst = htonl(dst);
	memcpy(f + 26, &src, 4);
	memcpy(f + 30, &dst, 4);
	f[34] = (uint8_t)(sp >> 8);
	f[35] = (uint8_t)sp;
	f[36] = (uint8_t)(dp >> 8);
	f[37] = (uint8_t)dp;
	if (proto == 6) {
		f[46] = 0x50;
	}
}

struct result {
	const char *name;
	double mpps;
};

static double seconds_per_run = 2.0;

/*
 * The eSwitch and its bare lookup run in alternate rounds, each
 * seconds_per_run / ROUNDS long: each one's figure is the best of its
 * rounds (a neighbour on a shared machine only ever slows a round down),
 * and their ratio the median of the rounds' own (a round of each, the two
 * side by side in time), beside the lowest and highest.
 */
#define ROUNDS 5

/* One burst of work on items pos .. pos + BURST - 1. */
typedef void bench_step(void *ctx, size_t pos);

/*
 * Call 'step' on bursts 0, BURST, 2 * BURST ... (wrapping before 'n') for
 * 'seconds'; returns Mpps and, in '*total', the packets done.
 */
static double measure_for(double seconds, bench_step *step, void *ctx, size_t n, uint64_t *total)
{
	uint64_t pkts = 0, t0 = dpu_time_mono_ns(), end = t0 + (uint64_t)(seconds * 1e9);
	size_t pos = 0;

	for (;;) {
		for (int rep = 0; rep < 64; rep++) {
			step(ctx, pos);
			pos += BURST;
			if (pos + BURST > n) {
				pos = 0;
			}
			pkts += BURST;
		}
		if (dpu_time_mono_ns() >= end) {
			break;
		}
	}
	if (total != NULL) {
		*total = pkts;
	}
	return (double)pkts / ((double)(dpu_time_mono_ns() - t0) / 1e3);
}

static double measure(bench_step *step, void *ctx, size_t n, uint64_t *total)
{
	return measure_for(seconds_per_run, step, ctx, n, total);
}

/* The best Mpps of each side over the rounds, and the rounds' own ratios. */
struct pair {
	double a, b;			  /* best Mpps */
	double ratio, ratio_lo, ratio_hi; /* a / b of a round: median, lowest, highest */
	uint64_t a_total;		  /* packets through 'a' over all rounds */
};

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* Alternate rounds of 'a' (n_a items) and 'b' (n_b items). */
static struct pair measure_pair(bench_step *a, void *a_ctx, size_t n_a, bench_step *b, void *b_ctx,
				size_t n_b)
{
	struct pair r = {0};
	double slice = seconds_per_run / ROUNDS, ratios[ROUNDS];

	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t;
		double ma = measure_for(slice, a, a_ctx, n_a, &t);
		double mb = measure_for(slice, b, b_ctx, n_b, NULL);

		r.a_total += t;
		r.a = ma > r.a ? ma : r.a;
		r.b = mb > r.b ? mb : r.b;
		ratios[i] = ma / mb;
	}
	qsort(ratios, ROUNDS, sizeof(ratios[0]), cmp_double);
	r.ratio = ratios[ROUNDS / 2];
	r.ratio_lo = ratios[0];
	r.ratio_hi = ratios[ROUNDS - 1];
	return r;
}

struct frames_ctx {
	struct esw *esw;
	unsigned int reader; /* of a concurrent switch */
	const uint8_t *frames;
	size_t n_frames;
	uint64_t marked;
};

/* As dpu-simd's data path does, frame 'i' into cache a few frames ahead. */
static inline void prefetch_frame(const struct frames_ctx *c, size_t i)
{
	if (i < c->n_frames) {
		rte_prefetch0(c->frames + i * FRAME);
	}
}

static void frames_step(void *arg, size_t pos)
{
	struct frames_ctx *c = arg;
	struct esw_key keys[BURST];
	uint32_t lens[BURST];
	struct esw_result res[BURST];

	for (int i = 0; i < BURST; i++) {
		prefetch_frame(c, pos + (size_t)i + PREFETCH_AHEAD);
		esw_parse(c->frames + (pos + (size_t)i) * FRAME, FRAME, 0, &keys[i]);
		lens[i] = FRAME;
	}
	esw_reader_classify(c->esw, c->reader, keys, lens, BURST, res);
	for (int i = 0; i < BURST; i++) {
		c->marked += res[i].marked;
	}
	esw_quiescent(c->esw, c->reader); /* a concurrent switch's reader (else nothing) */
}

/* The parse alone, as the data path does it before classifying. */
static void parse_step(void *arg, size_t pos)
{
	struct frames_ctx *c = arg;
	struct esw_key keys[BURST];

	for (int i = 0; i < BURST; i++) {
		prefetch_frame(c, pos + (size_t)i + PREFETCH_AHEAD);
		esw_parse(c->frames + (pos + (size_t)i) * FRAME, FRAME, 0, &keys[i]);
		c->marked += keys[i].dst_ip[3]; /* use the keys, or the parse is optimised away */
	}
}

/*
 * Entry updates done between two bursts in the updates-while-forwarding
 * runs: one, and a handful (dpu-simd applies a batch's up to 32 at a time
 * between bursts): how many updates a second cost how much forwarding.
 */
static const int updates_per_burst[] = {1, 8};

struct upd_ctx {
	struct frames_ctx f;
	struct esw_pipe *pipe;
	const struct esw_key *keys; /* exact: the entries' keys */
	uint32_t *ids;
	uint32_t n;
	const uint32_t *pfx; /* lpm: the routes */
	const uint8_t *depth;
	const struct esw_actions *acts;
	bool readd; /* exact: delete + add rather than update */
	int per_burst;
	uint64_t updates;
};

/* Forwarding with c->per_burst updates a burst by 'step': Mpps, and the updates' rate. */
static double measure_updates(bench_step *step, struct upd_ctx *c, size_t n, double *rate)
{
	uint64_t total;
	double mpps;

	c->updates = 0;
	mpps = measure(step, c, n, &total);
	*rate = (double)c->updates / ((double)total / (mpps * 1e6));
	return mpps;
}

/* measure_updates() at each of updates_per_burst[]: mpps[k] and rate[k]. */
static void measure_update_rates(bench_step *step, struct upd_ctx *c, size_t n, double *mpps,
				 double *rate)
{
	for (size_t k = 0; k < ARRAY_SIZE(updates_per_burst); k++) {
		c->per_burst = updates_per_burst[k];
		mpps[k] = measure_updates(step, c, n, &rate[k]);
	}
}

/*
 * An entry given a new mark: in place (its counters kept), or with 'readd'
 * by delete + add. 'r': the caller's random state.
 */
static void exact_update_one(struct upd_ctx *c, uint32_t (*r)(void))
{
	uint32_t i = r() % c->n;
	struct esw_actions a = {
		.fate = ESW_FATE_PORT, .port = 1, .set_mark = true, .mark = r() % (1u << 24)};
	int rc = c->readd ? esw_exact_del(c->pipe, c->ids[i]) : 0;

	if (rc == 0) {
		rc = c->readd ? esw_exact_add(c->pipe, &c->keys[i], &a, &c->ids[i])
			      : esw_exact_update(c->pipe, c->ids[i], &a);
	}
	if (rc < 0) {
		fprintf(stderr, "bench-esw: update of entry %u failed\n", i);
		exit(1);
	}
	c->updates++;
}

/* A route given other next hops (replaced in place). */
static void lpm_update_one(struct upd_ctx *c, uint32_t (*r)(void))
{
	uint32_t i = r() % c->n, be = htonl(c->pfx[i]);

	if (esw_lpm_add(c->pipe, 4, (const uint8_t *)&be, c->depth[i], &c->acts[r() % 8], 1, NULL) <
	    0) {
		fprintf(stderr, "bench-esw: update of route %u failed\n", i);
		exit(1);
	}
	c->updates++;
}

/* A burst, then c->per_burst entry updates. */
static void exact_upd_step(void *arg, size_t pos)
{
	struct upd_ctx *c = arg;

	frames_step(&c->f, pos);
	for (int u = 0; u < c->per_burst; u++) {
		exact_update_one(c, rnd);
	}
}

/* A burst, then c->per_burst route replaces. */
static void lpm_upd_step(void *arg, size_t pos)
{
	struct upd_ctx *c = arg;

	frames_step(&c->f, pos);
	for (int u = 0; u < c->per_burst; u++) {
		lpm_update_one(c, rnd);
	}
}

/* The writer thread's own random numbers (rnd() is the forwarding thread's). */
static _Thread_local uint64_t wrs = 0x9e3779b97f4a7c15ULL;

static uint32_t wrnd(void)
{
	wrs ^= wrs >> 12;
	wrs ^= wrs << 25;
	wrs ^= wrs >> 27;
	return (uint32_t)((wrs * 0x2545F4914F6CDD1DULL) >> 32);
}

struct writer {
	struct upd_ctx *c;
	void (*one)(struct upd_ctx *c, uint32_t (*r)(void));
	atomic_bool stop;
	int cpu; /* the core it was put on; -1: none other than the forwarding one */
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
		w->one(w->c, wrnd);
	}
	return NULL;
}

/*
 * Forwarding on this thread (the concurrent switch's reader) while another,
 * on another core when there is one, updates as fast as it can ('one'):
 * Mpps, and the updates' rate in '*rate'.
 */
static double measure_writer(struct upd_ctx *c, void (*one)(struct upd_ctx *, uint32_t (*)(void)),
			     size_t n, double *rate, int *cpu)
{
	struct writer w = {.c = c, .one = one, .cpu = -1};
	cpu_set_t here, there;
	pthread_t th;
	uint64_t total, t0;
	double mpps;

	CPU_ZERO(&there);
	if (pthread_getaffinity_np(pthread_self(), sizeof(here), &here) == 0) {
		for (int i = 0; i < CPU_SETSIZE && i < sysconf(_SC_NPROCESSORS_ONLN); i++) {
			if (!CPU_ISSET(i, &here)) {
				CPU_SET(i, &there);
				w.cpu = i;
				break;
			}
		}
	}
	c->updates = 0;
	if (esw_reader_online(c->f.esw, 0) < 0 || pthread_create(&th, NULL, writer_main, &w) != 0) {
		fprintf(stderr, "bench-esw: cannot start the writer thread\n");
		exit(1);
	}
	if (w.cpu >= 0) {
		pthread_setaffinity_np(th, sizeof(there), &there);
	}
	t0 = dpu_time_mono_ns();
	mpps = measure(frames_step, &c->f, n, &total);
	atomic_store(&w.stop, true);
	pthread_join(th, NULL);
	*rate = (double)c->updates / ((double)(dpu_time_mono_ns() - t0) / 1e9);
	esw_reader_offline(c->f.esw, 0);
	*cpu = w.cpu;
	return mpps;
}

struct hash_ctx {
	struct rte_hash *h;
	uint8_t (*keys)[16];
	uint64_t hits;
};

static void hash_step(void *arg, size_t pos)
{
	struct hash_ctx *c = arg;
	const void *kp[BURST];
	void *data[BURST];
	uint64_t hm = 0;

	for (int i = 0; i < BURST; i++) {
		kp[i] = c->keys[pos + (size_t)i];
	}
	rte_hash_lookup_bulk_data(c->h, kp, BURST, &hm, data);
	c->hits += (uint64_t)__builtin_popcountll(hm);
}

struct acl_ctx {
	const struct rte_acl_ctx *acl;
	const uint8_t *inputs;
	size_t stride;
	uint64_t matched;
};

static void acl_step(void *arg, size_t pos)
{
	struct acl_ctx *c = arg;
	const uint8_t *dp[BURST];
	uint32_t res[BURST];

	for (int i = 0; i < BURST; i++) {
		dp[i] = c->inputs + (pos + (size_t)i) * c->stride;
	}
	rte_acl_classify(c->acl, dp, res, BURST, 1);
	for (int i = 0; i < BURST; i++) {
		c->matched += res[i] != 0;
	}
}

struct fib_ctx {
	struct rte_fib *fib;
	uint32_t *dsts;
	uint64_t sink;
};

static void fib_step(void *arg, size_t pos)
{
	struct fib_ctx *c = arg;
	uint64_t nh[BURST];

	rte_fib_lookup_bulk(c->fib, c->dsts + pos, nh, BURST);
	for (int i = 0; i < BURST; i++) {
		c->sink += nh[i]; /* use the answers, or the lookup is optimised away */
	}
}

/*
 * A switch (concurrent or not) whose root is an exact pipe on the 5-tuple
 * holding 'keys' (their ids into 'ids'); the insertion rate into '*rate'.
 */
static struct esw *exact_switch(bool concurrent, const struct esw_key *keys, uint32_t entries,
				uint32_t *ids, struct esw_pipe **pp, double *rate)
{
	struct esw_actions miss = {.fate = ESW_FATE_DROP};
	struct esw_key mask;
	struct esw *esw;
	uint64_t t0;

	memset(&mask, 0, sizeof(mask));
	mask.ip_proto = 0xff;
	memset(mask.src_ip, 0xff, 4);
	memset(mask.dst_ip, 0xff, 4);
	mask.sport = mask.dport = 0xffff;
	if ((concurrent ? esw_create_concurrent(&esw, 2) : esw_create(&esw)) < 0 ||
	    esw_pipe_create_exact(esw, "exact", &mask, entries, &miss, pp) < 0 ||
	    esw_set_root(esw, *pp) < 0) {
		fprintf(stderr, "bench-esw: cannot create an exact pipe of %u entries\n", entries);
		exit(1);
	}
	t0 = dpu_time_mono_ns();
	for (uint32_t i = 0; i < entries; i++) {
		struct esw_actions a = {
			.fate = ESW_FATE_PORT, .port = 1, .set_mark = true, .mark = i};
		int rc = esw_exact_add(*pp, &keys[i], &a, &ids[i]);

		if (rc < 0 && rc != -EEXIST) {
			fprintf(stderr, "bench-esw: add %u: %s\n", i, strerror(-rc));
			exit(1);
		}
	}
	*rate = entries / ((double)(dpu_time_mono_ns() - t0) / 1e9);
	return esw;
}

/* A second reader's forwarding, on a thread of its own. */
struct reader2 {
	struct frames_ctx f;
	size_t n_frames;
	double mpps;
};

static void *reader2_main(void *arg)
{
	struct reader2 *r = arg;

	if (esw_reader_online(r->f.esw, r->f.reader) == 0) {
		r->mpps = measure(frames_step, &r->f, r->n_frames, NULL);
		esw_reader_offline(r->f.esw, r->f.reader);
	}
	return NULL;
}

/*
 * Forwarding on a concurrent switch (made for two readers) alone, beside a
 * writer thread's updates, and on two readers at once (the second on
 * another core, its frames from another point).
 */
static void concurrent_runs(const char *what, struct upd_ctx *c, size_t n_frames,
			    void (*one)(struct upd_ctx *, uint32_t (*)(void)))
{
	struct reader2 r2 = {.f = c->f, .n_frames = n_frames};
	double alone, mpps, rate, one_of_two;
	pthread_t th;
	int cpu;

	if (esw_reader_online(c->f.esw, 0) < 0) {
		exit(1);
	}
	alone = measure(frames_step, &c->f, n_frames, NULL);
	esw_reader_offline(c->f.esw, 0);
	mpps = measure_writer(c, one, n_frames, &rate, &cpu);
	printf("%s, concurrent switch: forwarding alone %.2f Mpps; with a writer thread (%s) "
	       "%.2f Mpps and %.0f updates/s\n",
	       what, alone, cpu >= 0 ? "its own core" : "the same core", mpps, rate);

	r2.f.reader = 1;
	r2.f.frames = c->f.frames + (n_frames / 2) * FRAME;
	r2.n_frames = n_frames - n_frames / 2;
	if (esw_reader_online(c->f.esw, 0) < 0 ||
	    pthread_create(&th, NULL, reader2_main, &r2) != 0) {
		fprintf(stderr, "bench-esw: cannot start a second reader\n");
		exit(1);
	}
	if (cpu >= 0) {
		cpu_set_t there;

		CPU_ZERO(&there);
		CPU_SET(cpu, &there);
		pthread_setaffinity_np(th, sizeof(there), &there);
	}
	one_of_two = measure(frames_step, &c->f, n_frames / 2, NULL);
	pthread_join(th, NULL);
	esw_reader_offline(c->f.esw, 0);
	printf("%s, concurrent switch: two readers (%s) %.2f + %.2f = %.2f Mpps (%.2fx one "
	       "alone)\n",
	       what, cpu >= 0 ? "two cores" : "one core", one_of_two, r2.mpps, one_of_two + r2.mpps,
	       (one_of_two + r2.mpps) / alone);
}

static void bench_exact(uint32_t entries, struct result *out)
{
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_key mask, *keys = calloc(entries, sizeof(*keys));
	size_t n_frames = entries < (1u << 20) ? entries : (1u << 20);
	uint8_t *frames = malloc(n_frames * FRAME);
	double add_rate, ours, bare;

	memset(&mask, 0, sizeof(mask));
	mask.ip_proto = 0xff;
	memset(mask.src_ip, 0xff, 4);
	memset(mask.dst_ip, 0xff, 4);
	mask.sport = mask.dport = 0xffff;
	if (keys == NULL || frames == NULL) {
		exit(1);
	}
	/* Unique 5-tuples: a counter spread over the fields. */
	for (uint32_t i = 0; i < entries; i++) {
		uint8_t f[FRAME];

		make_frame(f, i % 2 ? 6 : 17, 0x0a000000 | (i >> 8), 0x0b000000 | (rnd() & 0xff),
			   (uint16_t)(1024 + (i & 0xff)), (uint16_t)(rnd() % 1024));
		esw_parse(f, FRAME, 0, &keys[i]);
		if (i < n_frames) {
			memcpy(frames + (size_t)i * FRAME, f, FRAME);
		}
	}
	uint32_t *ids = calloc(entries, sizeof(*ids));

	if (ids == NULL) {
		exit(1);
	}
	esw = exact_switch(false, keys, entries, ids, &p, &add_rate);
	/* Shuffle the frames so lookups do not walk the table in insertion order. */
	for (size_t i = n_frames - 1; i > 0; i--) {
		size_t j = rnd() % (i + 1);
		uint8_t tmp[FRAME];

		memcpy(tmp, frames + i * FRAME, FRAME);
		memcpy(frames + i * FRAME, frames + j * FRAME, FRAME);
		memcpy(frames + j * FRAME, tmp, FRAME);
	}
	/*
	 * Bare: rte_hash bulk lookups of ready keys holding just the masked
	 * bytes, as the pipe stores them (13 bytes in a 16-byte key for a
	 * 5-tuple): the best the DPDK lookup alone does on this table.
	 */
	uint8_t moff[sizeof(struct esw_key)];
	size_t n_off = 0;

	for (size_t b = 0; b < sizeof(mask); b++) {
		if (((uint8_t *)&mask)[b]) {
			moff[n_off++] = (uint8_t)b;
		}
	}
	struct rte_hash_parameters hp = {.name = "bare_exact",
					 .entries = entries + entries / 8,
					 .key_len = 16,
					 .hash_func = rte_hash_crc,
					 .socket_id = (int)rte_socket_id()};
	struct rte_hash *h = rte_hash_create(&hp);
	uint8_t(*lk)[16] = calloc(n_frames, 16);

	if (h == NULL || lk == NULL || n_off > 16) {
		fprintf(stderr, "bench-esw: cannot create the bare table\n");
		exit(1);
	}
	for (uint32_t i = 0; i < entries; i++) {
		uint8_t k[16] = {0};

		for (size_t b = 0; b < n_off; b++) {
			k[b] = ((uint8_t *)&keys[i])[moff[b]];
		}
		rte_hash_add_key_data(h, k, (void *)(uintptr_t)i);
	}
	for (size_t i = 0; i < n_frames; i++) {
		struct esw_key k;

		esw_parse(frames + i * FRAME, FRAME, 0, &k);
		for (size_t b = 0; b < n_off; b++) {
			lk[i][b] = ((uint8_t *)&k)[moff[b]];
		}
	}
	struct frames_ctx fc = {.esw = esw, .frames = frames, .n_frames = n_frames};
	struct hash_ctx hc = {.h = h, .keys = lk};
	struct pair pr = measure_pair(frames_step, &fc, n_frames, hash_step, &hc, n_frames);

	if (fc.marked != pr.a_total) {
		fprintf(stderr, "bench-esw: only %llu of %llu packets hit an entry\n",
			(unsigned long long)fc.marked, (unsigned long long)pr.a_total);
		exit(1);
	}
	if (hc.hits == 0) {
		fprintf(stderr, "bench-esw: the bare lookups hit nothing\n");
		exit(1);
	}
	/* Forwarding with entry updates between bursts, as dpu-simd applies them. */
	struct upd_ctx uc = {.f = {.esw = esw, .frames = frames, .n_frames = n_frames},
			     .pipe = p,
			     .keys = keys,
			     .ids = ids,
			     .n = entries};
	double upd_mpps[ARRAY_SIZE(updates_per_burst)], upd_rate[ARRAY_SIZE(updates_per_burst)];

	measure_update_rates(exact_upd_step, &uc, n_frames, upd_mpps, upd_rate);
	double readd_rate;

	uc.per_burst = 1;
	uc.readd = true;
	double readd_mpps = measure_updates(exact_upd_step, &uc, n_frames, &readd_rate);

	ours = pr.a;
	bare = pr.b;
	printf("exact %u entries: parse+classify+mark %.2f Mpps; bare rte_hash bulk lookup %.2f "
	       "Mpps; ratio %.2f (rounds %.2f-%.2f); inserts %.0f/s\n",
	       entries, ours, bare, pr.ratio, pr.ratio_lo, pr.ratio_hi, add_rate);
	for (size_t k = 0; k < ARRAY_SIZE(updates_per_burst); k++) {
		printf("exact %u entries, %d entry updates (new actions) per burst: %.2f Mpps and "
		       "%.0f updates/s\n",
		       entries, updates_per_burst[k], upd_mpps[k], upd_rate[k]);
	}
	printf("exact %u entries, 1 entry rewrite (delete + add) per burst: %.2f Mpps and %.0f "
	       "rewrites/s\n",
	       entries, readd_mpps, readd_rate);
	fflush(stdout);
	rte_hash_free(h); /* room for the second switch */
	esw_destroy(esw);
	/* The same table in a concurrent switch, as dpu-simd runs its switch. */
	double cadd;
	char what[64];

	esw = exact_switch(true, keys, entries, ids, &p, &cadd);
	uc.f.esw = esw;
	uc.pipe = p;
	uc.readd = false;
	snprintf(what, sizeof(what), "exact %u entries", entries);
	concurrent_runs(what, &uc, n_frames, exact_update_one);
	out[0] = (struct result){"exact: eSwitch (parse+classify+mark)", ours};
	out[1] = (struct result){"exact: bare rte_hash lookup", bare};
	out[2] = (struct result){"exact: inserts (k/s)", add_rate / 1e3};
	free(lk);
	free(ids);
	free(keys);
	free(frames);
	esw_destroy(esw);
}

static void bench_acl(uint32_t n_rules, struct result *out)
{
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_actions miss = {.fate = ESW_FATE_DROP};
	size_t n_frames = 1u << 16;
	uint8_t *frames = malloc(n_frames * FRAME);
	uint64_t t0;
	double build_s;

	if (esw_create(&esw) < 0 || esw_pipe_create_acl(esw, "acl", n_rules, &miss, &p) < 0 ||
	    esw_set_root(esw, p) < 0 || frames == NULL) {
		fprintf(stderr, "bench-esw: cannot create an ACL pipe of %u rules\n", n_rules);
		exit(1);
	}
	for (uint32_t i = 0; i < n_rules; i++) {
		struct esw_acl_rule r = {0};
		struct esw_actions a = {
			.fate = ESW_FATE_PORT, .port = 1, .set_mark = true, .mark = i};
		uint16_t lo = (uint16_t)(rnd() % 60000);

		r.priority = rnd() % 16;
		r.proto = i % 2 ? 6 : 17;
		r.proto_mask = 0xff;
		r.sport_lo = 0;
		r.sport_hi = 0xffff;
		r.dport_lo = lo;
		r.dport_hi = (uint16_t)(lo + rnd() % 64);
		r.in_port_hi = 0xffff;
		if (i % 4 == 0) {
			r.dst4 = 0x0b000000 | (rnd() & 0xffff00);
			r.dst4_len = 24;
		}
		esw_acl_add(p, &r, &a, NULL);
	}
	t0 = dpu_time_mono_ns();
	if (esw_acl_commit(p) < 0) {
		fprintf(stderr, "bench-esw: ACL build failed\n");
		exit(1);
	}
	build_s = (double)(dpu_time_mono_ns() - t0) / 1e9;
	for (size_t i = 0; i < n_frames; i++) {
		make_frame(frames + i * FRAME, i % 2 ? 6 : 17, 0x0a000000 | (rnd() & 0xffff),
			   0x0b000000 | (rnd() & 0xffffff), (uint16_t)rnd(),
			   (uint16_t)(rnd() % 60064));
	}

	/*
	 * Bare: the same rules in an rte_acl context, classify on prepared
	 * inputs in the eSwitch's input layout, rebuilt here so the comparison
	 * is like for like.
	 */
	struct in {
		uint8_t proto, pad[3];
		uint32_t src, dst;
		uint16_t sp, dp, port, ver;
	};
	struct in *inputs = calloc(n_frames, sizeof(*inputs));

	if (inputs == NULL) {
		exit(1);
	}
	for (size_t i = 0; i < n_frames; i++) {
		const uint8_t *f = frames + i * FRAME;

		inputs[i].proto = f[23];
		memcpy(&inputs[i].src, f + 26, 4);
		memcpy(&inputs[i].dst, f + 30, 4);
		memcpy(&inputs[i].sp, f + 34, 2);
		memcpy(&inputs[i].dp, f + 36, 2);
		inputs[i].ver = htons(4);
	}
	struct frames_ctx fc = {.esw = esw, .frames = frames, .n_frames = n_frames};
	struct acl_ctx ac = {.acl = esw_acl_context(p),
			     .inputs = (const uint8_t *)inputs,
			     .stride = sizeof(*inputs)};
	struct pair pr = measure_pair(frames_step, &fc, n_frames, acl_step, &ac, n_frames);

	printf("acl %u rules: parse+classify+mark %.2f Mpps (%.0f%% matched); bare "
	       "rte_acl_classify %.2f Mpps; ratio %.2f (rounds %.2f-%.2f); build %.2f s\n",
	       n_rules, pr.a, 100.0 * (double)fc.marked / (double)pr.a_total, pr.b, pr.ratio,
	       pr.ratio_lo, pr.ratio_hi, build_s);
	out[0] = (struct result){"acl: eSwitch (parse+classify+mark)", pr.a};
	out[1] = (struct result){"acl: bare rte_acl_classify", pr.b};
	free(inputs);
	free(frames);
	esw_destroy(esw);
}

/*
 * A switch (concurrent or not) whose root is an LPM pipe holding the routes
 * (every fourth an ECMP group of 2-8 of 'acts'); the insertion rate
 * into '*rate'.
 */
static struct esw *lpm_switch(bool concurrent, const uint32_t *pfx, const uint8_t *depth,
			      uint32_t n_routes, const struct esw_actions *acts,
			      struct esw_pipe **pp, double *rate)
{
	struct esw_actions miss = {.fate = ESW_FATE_DROP};
	struct esw *esw;
	uint64_t t0;

	if ((concurrent ? esw_create_concurrent(&esw, 2) : esw_create(&esw)) < 0 ||
	    esw_pipe_create_lpm(esw, "fib", n_routes, &miss, pp) < 0 ||
	    esw_set_root(esw, *pp) < 0) {
		fprintf(stderr, "bench-esw: cannot create an LPM pipe of %u routes\n", n_routes);
		exit(1);
	}
	t0 = dpu_time_mono_ns();
	for (uint32_t i = 0; i < n_routes; i++) {
		uint32_t be = htonl(pfx[i]);
		unsigned int n = i % 4 == 0 ? 2 + i / 4 % 7 : 1;

		if (esw_lpm_add(*pp, 4, (const uint8_t *)&be, depth[i], &acts[i % (9 - n)], n,
				NULL) < 0) {
			fprintf(stderr, "bench-esw: route %u refused\n", i);
			exit(1);
		}
	}
	*rate = n_routes / ((double)(dpu_time_mono_ns() - t0) / 1e9);
	return esw;
}

/*
 * The bare cost of a route replace: next-hop changes made straight in an
 * LPM pipe's rte_fib (rte_fib_add, whose RIB walks a replace pays too),
 * on random routes whose next hops were read beforehand, for as long as a
 * round. Changes the FIB's answers: the switch is not to forward after.
 */
#define FIB_ADD_SAMPLES (1u << 18)

static double fib_add_rate(struct rte_fib *fib, const uint32_t *pfx, const uint8_t *depth,
			   uint32_t n)
{
	struct rte_rib *rib = rte_fib_get_rib(fib);
	uint32_t *which = malloc(FIB_ADD_SAMPLES * sizeof(*which));
	uint64_t *nh = malloc(FIB_ADD_SAMPLES * sizeof(*nh)), t0, end;
	uint32_t done = 0;

	if (which == NULL || nh == NULL || rib == NULL) {
		exit(1);
	}
	for (uint32_t s = 0; s < FIB_ADD_SAMPLES; s++) {
		struct rte_rib_node *node;

		which[s] = rnd() % n;
		node = rte_rib_lookup_exact(rib, pfx[which[s]], depth[which[s]]);
		if (node == NULL || rte_rib_get_nh(node, &nh[s]) != 0) {
			fprintf(stderr, "bench-esw: route %u not in the FIB's RIB\n", which[s]);
			exit(1);
		}
	}
	t0 = dpu_time_mono_ns();
	end = t0 + (uint64_t)(seconds_per_run / ROUNDS * 1e9);
	while (done < FIB_ADD_SAMPLES && (done % 64 != 0 || dpu_time_mono_ns() < end)) {
		uint32_t i = which[done];

		/* another id in the next hop: the same work as another action set */
		if (rte_fib_add(fib, pfx[i], depth[i], nh[done] ^ 1) != 0) {
			fprintf(stderr, "bench-esw: rte_fib_add of route %u failed\n", i);
			exit(1);
		}
		done++;
	}
	free(which);
	free(nh);
	return done / ((double)(dpu_time_mono_ns() - t0) / 1e9);
}

static void bench_lpm(uint32_t n_routes, struct result *out)
{
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_actions acts[8];
	size_t n_frames = 1u << 20;
	uint8_t *frames = malloc(n_frames * FRAME);
	uint32_t *pfx = malloc(n_routes * sizeof(*pfx));
	uint8_t *depth = malloc(n_routes);
	uint32_t *dsts = malloc(n_frames * sizeof(*dsts));
	double ours, bare, add_rate;

	for (int i = 0; i < 8; i++) {
		acts[i] = (struct esw_actions){.fate = ESW_FATE_PORT,
					       .port = (uint16_t)i,
					       .set_mark = true,
					       .mark = (uint32_t)i + 1};
	}
	if (frames == NULL || pfx == NULL || depth == NULL || dsts == NULL) {
		exit(1);
	}
	/* Internet-like depths: half /24, the rest shorter (longer ones are rare). */
	for (uint32_t i = 0; i < n_routes; i++) {
		static const uint8_t depths[] = {16, 19, 20, 22, 23, 24, 24, 24, 24, 24};

		depth[i] = depths[rnd() % ARRAY_SIZE(depths)];
		pfx[i] = (rnd() | 0x01000000) & (uint32_t)(0xffffffffu << (32 - depth[i]));
	}
	esw = lpm_switch(false, pfx, depth, n_routes, acts, &p, &add_rate);
	for (size_t i = 0; i < n_frames; i++) {
		uint32_t r = rnd() % n_routes;

		dsts[i] = pfx[r] | (rnd() & ~(uint32_t)(0xffffffffu << (32 - depth[r])));
		make_frame(frames + i * FRAME, 6, 0x0a000001 + (uint32_t)i, dsts[i],
			   (uint16_t)rnd(), 443);
	}
	/*
	 * Bare: bulk lookups in the pipe's own rte_fib (DIR-24-8, the same
	 * routes in the same tables; a second FIB of a million routes would
	 * not fit beside it in 1 GiB of hugepages) on the addresses ready.
	 */
	struct fib_ctx bc = {.fib = esw_lpm_fib4(p), .dsts = dsts};

	struct frames_ctx fc = {.esw = esw, .frames = frames, .n_frames = n_frames};
	struct pair pr = measure_pair(frames_step, &fc, n_frames, fib_step, &bc, n_frames);

	ours = pr.a;
	bare = pr.b;
	if (bc.sink == 0) {
		fprintf(stderr, "bench-esw: the bare LPM found nothing\n");
		exit(1);
	}
	struct frames_ctx pc = {.frames = frames, .n_frames = n_frames};
	double parse = measure(parse_step, &pc, n_frames, NULL);
	struct upd_ctx uc = {.f = {.esw = esw, .frames = frames, .n_frames = n_frames},
			     .pipe = p,
			     .pfx = pfx,
			     .depth = depth,
			     .acts = acts,
			     .n = n_routes};
	double upd_mpps[ARRAY_SIZE(updates_per_burst)], upd_rate[ARRAY_SIZE(updates_per_burst)];

	measure_update_rates(lpm_upd_step, &uc, n_frames, upd_mpps, upd_rate);
	double fib_rate = fib_add_rate(esw_lpm_fib4(p), pfx, depth, n_routes);

	esw_destroy(esw);
	/* The same routes in a concurrent switch, as dpu-simd runs its switch. */
	double cadd;
	char what[64];

	uc.f.esw = lpm_switch(true, pfx, depth, n_routes, acts, &uc.pipe, &cadd);
	uc.f.marked = 0;
	snprintf(what, sizeof(what), "lpm %u routes", n_routes);
	printf("lpm %u routes (1/4 ECMP): parse+route+mark %.2f Mpps (%.0f%% routed); bare "
	       "rte_fib_lookup_bulk %.2f Mpps; ratio %.2f (rounds %.2f-%.2f); inserts %.0f/s\n",
	       n_routes, ours, 100.0 * (double)fc.marked / (double)pr.a_total, bare, pr.ratio,
	       pr.ratio_lo, pr.ratio_hi, add_rate);

	/* What parsing alone leaves room for: parse then the bare lookup, nothing else. */
	printf("lpm: the parse alone %.2f Mpps; parse + bare lookup at most %.2f Mpps (ratio "
	       "%.2f), "
	       "the eSwitch %.0f%% of that\n",
	       parse, 1.0 / (1.0 / parse + 1.0 / bare), 1.0 / (1.0 / parse + 1.0 / bare) / bare,
	       100.0 * ours / (1.0 / (1.0 / parse + 1.0 / bare)));
	for (size_t k = 0; k < ARRAY_SIZE(updates_per_burst); k++) {
		printf("lpm %u routes, %d route updates per burst: %.2f Mpps and %.0f updates/s\n",
		       n_routes, updates_per_burst[k], upd_mpps[k], upd_rate[k]);
	}
	printf("lpm %u routes: bare rte_fib_add next-hop changes (not forwarding) %.0f/s\n",
	       n_routes, fib_rate);
	concurrent_runs(what, &uc, n_frames, lpm_update_one);
	esw_destroy(uc.f.esw);
	out[0] = (struct result){"lpm: eSwitch (parse+route+mark)", ours};
	out[1] = (struct result){"lpm: bare rte_fib lookup", bare};
	free(frames);
	free(pfx);
	free(depth);
	free(dsts);
}

int main(int argc, char **argv)
{
	static const char *const eal[] = {"--no-pci", "-l", "0", NULL};
	static const struct option opts[] = {
		{"entries", required_argument, NULL, 'e'}, {"rules", required_argument, NULL, 'r'},
		{"seconds", required_argument, NULL, 's'}, {"routes", required_argument, NULL, 'R'},
		{"only", required_argument, NULL, 'o'},	   {NULL, 0, NULL, 0},
	};
	uint32_t entries = 1u << 20, rules = 10000, routes = 1u << 20;
	const char *only = NULL;
	struct result r[8] = {{NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "e:r:s:R:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			entries = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rules = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 's':
			seconds_per_run = strtod(optarg, NULL);
			break;
		case 'R':
			routes = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'o':
			only = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench-esw [--entries N] [--rules M] [--routes R] "
					"[--seconds S] [--only exact|acl|lpm]\n");
			return 2;
		}
	}
	if (only != NULL && strcmp(only, "exact") != 0 && strcmp(only, "acl") != 0 &&
	    strcmp(only, "lpm") != 0) {
		fprintf(stderr, "bench-esw: --only takes exact, acl or lpm, not '%s'\n", only);
		return 2;
	}
	dpu_log_set_sdk_level(DPU_LOG_ERROR);
	if (dpu_dpdk_init("bench-esw", eal, 2048) < 0) {
		return 1;
	}
	printf("bench-esw: one core, 64-byte frames, bursts of %d, %s hugepages\n", BURST,
	       dpu_dpdk_no_huge() ? "without" : "with");
	if (only == NULL || strcmp(only, "exact") == 0) {
		bench_exact(entries, r);
	}
	if (only == NULL || strcmp(only, "acl") == 0) {
		bench_acl(rules, r + 3);
	}
	if (only == NULL || strcmp(only, "lpm") == 0) {
		bench_lpm(routes, r + 5);
	}
	printf("\nsummary (one core, 64-byte frames)\n");
	for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
		if (r[i].name != NULL) {
			printf("  %-42s %9.2f%s\n", r[i].name, r[i].mpps,
			       strstr(r[i].name, "(k/s)") != NULL ? "" : " Mpps");
		}
	}
	dpu_dpdk_fini();
	return 0;
}
