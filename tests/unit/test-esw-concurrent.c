/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated eSwitch updated by one thread while others classify
 * (esw_create_concurrent): exact entries, routes (IPv4 and IPv6, ECMP,
 * edits, prefixes that take and give back tbl8 groups) and ACL rules are
 * added, replaced and deleted at random while one or three reader threads
 * send random packets through the pipes and check every answer against
 * what any version of the tables could have given: the mark names the
 * entry, and an entry is only ever found for a packet it matches. An id
 * reused, or actions freed, before the readers let go of them would show as
 * a wrong mark (or, under ASan, a use after free). Counters (each reader's
 * summed) are checked while the readers run; a meter shared by readers
 * counts every packet once. Seeded (ESW_TEST_SEED=<n> to replay).
 */
#include <config.h>

#include "unit/testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "common/dpdk.h"
#include "common/log.h"
#include "sim/eswitch/esw.h"

/*
 * Marks: bit 31 set makes an exact entry's actions too big for its hash
 * word (the reader then reads them through the entry), bits 24-27 the
 * table, bits 8-23 which entry of it (by what it matches), bits 0-7 a
 * version (an ECMP member's index among them).
 */
enum { T_EXACT = 1, T_ROUTE = 2, T_ACL = 3 };
enum { PORT_EXACT = 1, PORT_ROUTE = 2, PORT_ACL = 3 };

#define MARK(slow, t, ident, ver)                                                                  \
	((slow ? 0x80000000u : 0) | (uint32_t)(t) << 24 | (uint32_t)(ident) << 8 | ((ver)&0xffu))
#define MARK_T(m) (((m) >> 24) & 0xf)
#define MARK_ID(m) (((m) >> 8) & 0xffff)

#define N_EXACT 4096 /* dst 10.0.x.y, ident x.y */
#define N_NETS 256   /* 10.1.N.0/24 and 2001:db8:N::/48, ident N << 8 */
#define N_SUBS 16    /* 10.1.N.(16 s)/28 and 2001:db8:N:s00::/56, ident N << 8 | 0x80 | s */
#define N_RULES 64   /* dport in [100 r, 100 r + 99], ident r */
#define PROBE 0x00ff /* the exact entry whose counters are checked: 10.0.0.255 */
#define OPS 20000

static uint64_t rng_state;

static uint32_t rnd_r(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t rnd(void)
{
	return rnd_r(&rng_state);
}

static int setup(void **state)
{
	static const char *const args[] = {"--no-pci", "-l", "0", NULL};

	(void)state;
	dpu_log_set_sdk_level(DPU_LOG_ERROR);
	return dpu_dpdk_init("test-esw-concurrent", args, 512) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	dpu_dpdk_fini();
	return 0;
}

#define READERS 3 /* at most */

struct world;

/* One reader thread: its number, and the answers it saw by table. */
struct rdr {
	struct world *w;
	unsigned int id;
	unsigned long long by_table[4];
};

struct world {
	struct esw *esw;
	struct esw_pipe *exact, *lpm, *acl;
	atomic_bool stop;
	atomic_ullong probe_sent; /* packets the readers sent to the probe entry */
	atomic_ullong checked;	  /* answers the readers checked */
	atomic_uint bad;	  /* answers no version of the tables gives */
	char first_bad[160];
	uint64_t seed;
	unsigned int n_readers;
	struct rdr rd[READERS];
};

static struct esw_key v4(uint32_t dst, uint16_t dport)
{
	struct esw_key k;

	memset(&k, 0, sizeof(k));
	k.ethertype = 0x0800;
	k.ip_ver = 4;
	k.ip_proto = 17;
	k.flags = ESW_KEY_L3 | ESW_KEY_L4;
	k.src_ip[0] = 192;
	k.src_ip[3] = 1;
	k.dst_ip[0] = (uint8_t)(dst >> 24);
	k.dst_ip[1] = (uint8_t)(dst >> 16);
	k.dst_ip[2] = (uint8_t)(dst >> 8);
	k.dst_ip[3] = (uint8_t)dst;
	k.sport = 1000;
	k.dport = dport;
	return k;
}

static struct esw_key v6(uint8_t net, uint8_t sub, uint16_t dport)
{
	struct esw_key k;

	memset(&k, 0, sizeof(k));
	k.ethertype = 0x86dd;
	k.ip_ver = 6;
	k.ip_proto = 17;
	k.flags = ESW_KEY_L3 | ESW_KEY_L4;
	k.dst_ip[0] = 0x20;
	k.dst_ip[1] = 0x01;
	k.dst_ip[2] = 0x0d;
	k.dst_ip[3] = 0xb8;
	k.dst_ip[5] = net;
	k.dst_ip[6] = sub;
	k.dst_ip[15] = 1;
	k.sport = 1000;
	k.dport = dport;
	return k;
}

/* Why answer 'r' for key 'k' is one no version of the tables gives (NULL: it is fine). */
static const char *wrong(const struct esw_key *k, const struct esw_result *r)
{
	uint32_t t, id;

	if (!r->marked) {
		/* missed everything, or hit a rule deleted since (its drop) */
		return r->fate == ESW_FATE_DROP ? NULL : "unmarked but not dropped";
	}
	t = MARK_T(r->mark);
	id = MARK_ID(r->mark);
	if (r->fate != ESW_FATE_PORT || r->port != t) {
		return "fate or port not the table's";
	}
	switch (t) {
	case T_EXACT:
		if (k->ip_ver != 4 || k->dst_ip[1] != 0 ||
		    id != (uint32_t)(k->dst_ip[2] << 8 | k->dst_ip[3])) {
			return "exact entry of another address";
		}
		return r->n_edits == 0 ? NULL : "exact entry with an edit";
	case T_ROUTE: {
		uint8_t net = k->ip_ver == 4 ? k->dst_ip[2] : k->dst_ip[5];
		uint8_t sub = k->ip_ver == 4 ? k->dst_ip[3] >> 4 : k->dst_ip[6];

		if ((k->ip_ver == 4 && k->dst_ip[1] != 1) ||
		    (id != (uint32_t)net << 8 && id != ((uint32_t)net << 8 | 0x80 | sub))) {
			return "route that does not cover the address";
		}
		if (r->n_edits == 1 && (r->edits[0].edit->dst_mac[4] != (uint8_t)(id >> 8) ||
					r->edits[0].edit->dst_mac[5] != (uint8_t)id)) {
			return "route's edit is another route's";
		}
		return NULL;
	}
	case T_ACL:
		return id == k->dport / 100u ? NULL : "ACL rule of another port range";
	default:
		return "mark of no table";
	}
}

static void *reader(void *arg)
{
	struct rdr *me = arg;
	struct world *w = me->w;
	uint64_t s = (w->seed + me->id) ^ 0x9e3779b97f4a7c15ULL;
	struct esw_key keys[32];
	uint32_t lens[32];
	struct esw_result res[32];

	if (esw_reader_online(w->esw, me->id) < 0) {
		atomic_fetch_add(&w->bad, 1);
		return NULL;
	}
	while (!atomic_load(&w->stop)) {
		unsigned int probes = 0;

		for (int i = 0; i < 32; i++) {
			uint32_t r = rnd_r(&s);
			uint16_t dport = (uint16_t)(rnd_r(&s) % (N_RULES * 100 + 500));

			switch (r % 5) {
			case 0:
				keys[i] = v4(0x0a000000 | PROBE, dport);
				probes++;
				break;
			case 1: /* any exact entry but the probe */
				keys[i] = v4(0x0a000000 | ((r >> 8) % N_EXACT == PROBE
								   ? 0
								   : (r >> 8) % N_EXACT),
					     dport);
				break;
			case 2:
				keys[i] = v4(0x0a010000 | (r >> 8) % (N_NETS * 256), dport);
				break;
			case 3:
				keys[i] =
					v6((uint8_t)(r >> 8), (uint8_t)((r >> 16) % N_SUBS), dport);
				break;
			default:
				keys[i] = v4(0x0a020000 | (r >> 8) % 65536, dport);
				break;
			}
			lens[i] = 64 + i;
		}
		if (esw_reader_classify(w->esw, me->id, keys, lens, 32, res) < 0) {
			atomic_fetch_add(&w->bad, 1);
			break;
		}
		for (int i = 0; i < 32; i++) {
			const char *why = wrong(&keys[i], &res[i]);

			if (why != NULL && atomic_fetch_add(&w->bad, 1) == 0) {
				snprintf(w->first_bad, sizeof(w->first_bad), "mark %#x port %u: %s",
					 res[i].mark, res[i].port, why);
			}
			if (res[i].marked) {
				me->by_table[MARK_T(res[i].mark) & 3]++;
			}
		}
		atomic_fetch_add(&w->probe_sent, probes);
		atomic_fetch_add(&w->checked, 32);
		esw_quiescent(w->esw, me->id); /* done with the results */
	}
	esw_reader_offline(w->esw, me->id);
	return NULL;
}

/* The writer's model of what is installed: entry ids, UINT32_MAX for none. */
struct model {
	uint32_t exact[N_EXACT];
	uint32_t net4[N_NETS], sub4[N_NETS][N_SUBS];
	uint32_t net6[N_NETS], sub6[N_NETS][N_SUBS];
	uint32_t rule[N_RULES];
	uint8_t ver;
};

static void exact_op(struct world *w, struct model *m)
{
	uint32_t x = rnd() % N_EXACT, roll = rnd() % 3;
	bool slow = rnd() % 2;
	struct esw_actions a = {.fate = ESW_FATE_PORT,
				.port = PORT_EXACT,
				.set_mark = true,
				.mark = MARK(slow, T_EXACT, x, m->ver++)};
	struct esw_key k = v4(0x0a000000 | x, 0);

	if (x == PROBE) {
		return;
	}
	if (m->exact[x] == UINT32_MAX) {
		assert_int_equal(esw_exact_add(w->exact, &k, &a, &m->exact[x]), 0);
	} else if (roll == 0) {
		assert_int_equal(esw_exact_del(w->exact, m->exact[x]), 0);
		m->exact[x] = UINT32_MAX;
	} else {
		assert_int_equal(esw_exact_update(w->exact, m->exact[x], &a), 0);
	}
}

static void route_op(struct world *w, struct model *m)
{
	uint32_t net = rnd() % N_NETS, sub = rnd() % N_SUBS, roll = rnd() % 3;
	bool six = rnd() % 2, whole = rnd() % 2;
	uint32_t ident = whole ? net << 8 : (net << 8 | 0x80 | sub);
	uint32_t *id = six ? (whole ? &m->net6[net] : &m->sub6[net][sub])
			   : (whole ? &m->net4[net] : &m->sub4[net][sub]);
	unsigned int n = rnd() % 3 == 0 ? 4 : 1;
	struct esw_actions acts[4];
	struct esw_edit e[4];
	uint8_t addr[16] = {0};
	uint32_t got;

	for (unsigned int i = 0; i < n; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].ops = ESW_EDIT_DST_MAC;
		e[i].dst_mac[4] = (uint8_t)(ident >> 8);
		e[i].dst_mac[5] = (uint8_t)ident;
		/* a version in each mark: sets run out, and routes read their own actions */
		acts[i] = (struct esw_actions){.fate = ESW_FATE_PORT,
					       .port = PORT_ROUTE,
					       .set_mark = true,
					       .mark = MARK(0, T_ROUTE, ident, m->ver++),
					       .edit = rnd() % 2 ? &e[i] : NULL};
	}
	if (six) {
		addr[0] = 0x20;
		addr[1] = 0x01;
		addr[2] = 0x0d;
		addr[3] = 0xb8;
		addr[5] = (uint8_t)net;
		addr[6] = (uint8_t)sub;
	} else {
		addr[0] = 10;
		addr[1] = 1;
		addr[2] = (uint8_t)net;
		addr[3] = (uint8_t)(sub << 4);
	}
	if (*id != UINT32_MAX && roll == 0) {
		assert_int_equal(esw_lpm_del(w->lpm, *id), 0);
		*id = UINT32_MAX;
		return;
	}
	assert_int_equal(esw_lpm_add(w->lpm, six ? 6 : 4, addr,
				     (uint8_t)(six ? (whole ? 48 : 56) : (whole ? 24 : 28)), acts,
				     n, &got),
			 0);
	if (*id != UINT32_MAX) {
		assert_int_equal(got, *id); /* a replace keeps the entry */
	}
	*id = got;
}

static void acl_op(struct world *w, struct model *m)
{
	uint32_t r = rnd() % N_RULES, roll = rnd() % 4;
	bool slow = rnd() % 2;
	struct esw_acl_rule rule = {.priority = r % 8,
				    .sport_hi = 65535,
				    .dport_lo = (uint16_t)(r * 100),
				    .dport_hi = (uint16_t)(r * 100 + 99),
				    .in_port_hi = 65535};
	struct esw_actions a = {.fate = ESW_FATE_PORT,
				.port = PORT_ACL,
				.set_mark = true,
				.mark = MARK(slow, T_ACL, r, m->ver++)};

	if (m->rule[r] == UINT32_MAX) {
		assert_int_equal(esw_acl_add(w->acl, &rule, &a, &m->rule[r]), 0);
	} else if (roll == 0) {
		assert_int_equal(esw_acl_del(w->acl, m->rule[r]), 0);
		m->rule[r] = UINT32_MAX;
	} else {
		assert_int_equal(esw_entry_update(w->acl, m->rule[r], &a, 1), 0);
	}
}

/*
 * The probe's counters, read while the readers run: all they had sent
 * before, no more than since (a reader may count a burst before it says so).
 */
static void probe_check(struct world *w, uint32_t probe)
{
	uint64_t before = atomic_load(&w->probe_sent), pkts, bytes, after;

	assert_int_equal(esw_entry_stats(w->exact, probe, &pkts, &bytes), 0);
	after = atomic_load(&w->probe_sent);
	if (pkts < before || pkts > after + 32 * w->n_readers) {
		fail_msg("probe counted %llu packets; the reader had sent %llu before, %llu after",
			 (unsigned long long)pkts, (unsigned long long)before,
			 (unsigned long long)after);
	}
}

static void updates_while_classifying(unsigned int readers)
{
	struct esw_actions to_lpm = {.fate = ESW_FATE_PIPE}, to_acl = {.fate = ESW_FATE_PIPE};
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_actions probe_act = {.fate = ESW_FATE_PORT,
					.port = PORT_EXACT,
					.set_mark = true,
					.mark = MARK(0, T_EXACT, PROBE, 0)};
	struct world *w = calloc(1, sizeof(*w));
	struct model *m = malloc(sizeof(*m));
	const char *env = getenv("ESW_TEST_SEED");
	struct esw_key mask, pk = v4(0x0a000000 | PROBE, 0);
	struct esw_pipe_info info[3];
	unsigned long long by_table[4] = {0};
	uint64_t pkts, bytes;
	uint32_t probe;
	pthread_t th[READERS];

	assert_non_null(w);
	assert_non_null(m);
	memset(m, 0xff, sizeof(*m));
	m->ver = 0;
	w->seed = env != NULL ? strtoull(env, NULL, 0) : 0x5eed;
	print_message("# seed %llu (ESW_TEST_SEED to replay), %u reader(s)\n",
		      (unsigned long long)w->seed, readers);
	rng_state = w->seed ? w->seed : 1;
	w->n_readers = readers;

	assert_int_equal(esw_create_concurrent(&w->esw, readers), 0);
	assert_int_equal(esw_pipe_create_acl(w->esw, "acl", 256, &drop, &w->acl), 0);
	to_acl.pipe = w->acl;
	assert_int_equal(esw_pipe_create_lpm(w->esw, "routes", 16384, &to_acl, &w->lpm), 0);
	to_lpm.pipe = w->lpm;
	memset(&mask, 0, sizeof(mask));
	memset(mask.dst_ip, 0xff, 4);
	assert_int_equal(esw_pipe_create_exact(w->esw, "flows", &mask, N_EXACT, &to_lpm, &w->exact),
			 0);
	assert_int_equal(esw_set_root(w->esw, w->exact), 0);
	assert_int_equal(esw_exact_add(w->exact, &pk, &probe_act, &probe), 0);
	assert_int_equal(esw_acl_commit(w->acl), 0);

	for (unsigned int r = 0; r < readers; r++) {
		w->rd[r] = (struct rdr){.w = w, .id = r};
		assert_int_equal(pthread_create(&th[r], NULL, reader, &w->rd[r]), 0);
	}
	for (int op = 0; op < OPS; op++) {
		switch (rnd() % 3) {
		case 0:
			exact_op(w, m);
			break;
		case 1:
			route_op(w, m);
			break;
		default:
			acl_op(w, m);
			break;
		}
		if (op % 500 == 250) {
			assert_int_equal(esw_acl_commit(w->acl), 0);
		}
		if (op % 1000 == 0) {
			probe_check(w, probe);
		}
	}
	/* Readers may be slow to start (sanitizers): let them see the last tables. */
	while (atomic_load(&w->checked) < 20000 * readers) {
		usleep(1000);
	}
	atomic_store(&w->stop, true);
	for (unsigned int r = 0; r < readers; r++) {
		assert_int_equal(pthread_join(th[r], NULL), 0);
		for (int t = 0; t < 4; t++) {
			by_table[t] += w->rd[r].by_table[t];
		}
		/* Every reader classified (else fewer readers were tested). */
		assert_true(w->rd[r].by_table[T_EXACT] > 0);
	}
	print_message("# %llu answers checked (exact %llu, route %llu, acl %llu)\n",
		      (unsigned long long)atomic_load(&w->checked), by_table[T_EXACT],
		      by_table[T_ROUTE], by_table[T_ACL]);
	if (atomic_load(&w->bad) != 0) {
		fail_msg("%u wrong answers; the first: %s", atomic_load(&w->bad), w->first_bad);
	}
	/* Every table answered (else the test checked little). */
	assert_true(by_table[T_EXACT] > 0 && by_table[T_ROUTE] > 0 && by_table[T_ACL] > 0);
	/* The readers offline, their last hits flushed: the probe counted every packet. */
	assert_int_equal(esw_entry_stats(w->exact, probe, &pkts, &bytes), 0);
	assert_int_equal(pkts, atomic_load(&w->probe_sent));
	/* The entries the model holds are the ones the pipes hold. */
	assert_int_equal(esw_pipes(w->esw, info, 3), 3);
	{
		uint32_t n_exact = 1, n_routes = 0, n_rules = 0;

		for (int i = 0; i < N_EXACT; i++) {
			n_exact += m->exact[i] != UINT32_MAX;
		}
		for (int i = 0; i < N_NETS; i++) {
			n_routes += (m->net4[i] != UINT32_MAX) + (m->net6[i] != UINT32_MAX);
			for (int j = 0; j < N_SUBS; j++) {
				n_routes += (m->sub4[i][j] != UINT32_MAX) +
					    (m->sub6[i][j] != UINT32_MAX);
			}
		}
		for (int i = 0; i < N_RULES; i++) {
			n_rules += m->rule[i] != UINT32_MAX;
		}
		assert_int_equal(info[0].entries, n_rules);
		assert_int_equal(info[1].entries, n_routes);
		assert_int_equal(info[2].entries, n_exact);
	}
	esw_destroy(w->esw);
	free(m);
	free(w);
}

static void test_updates_while_classifying(void **state)
{
	(void)state;
	updates_while_classifying(1);
}

static void test_updates_while_three_classify(void **state)
{
	(void)state;
	updates_while_classifying(3);
}

/*
 * IPv6 routes churned in a small pipe while a reader classifies: rte_fib6
 * runs short of tbl8 groups after enough deletes and the pipe swaps in a
 * FIB made anew; the reader always finds the /32 or the /56 under it.
 */
struct v6_world {
	struct esw *esw;
	atomic_bool stop;
	atomic_ullong checked;
	atomic_uint bad;
};

static void *v6_reader(void *arg)
{
	struct v6_world *w = arg;
	struct esw_key k[8];
	struct esw_result r[8];
	uint32_t lens[8];

	for (int i = 0; i < 8; i++) {
		k[i] = v6(1, 2, 53);
		lens[i] = 64;
	}
	if (esw_reader_online(w->esw, 0) < 0) {
		atomic_fetch_add(&w->bad, 1);
		return NULL;
	}
	while (!atomic_load(&w->stop)) {
		if (esw_classify_burst(w->esw, k, lens, 8, r) < 0) {
			atomic_fetch_add(&w->bad, 1);
			break;
		}
		for (int i = 0; i < 8; i++) {
			if (!r[i].marked || (r[i].mark != 32 && r[i].mark != 56)) {
				atomic_fetch_add(&w->bad, 1);
			}
		}
		atomic_fetch_add(&w->checked, 8);
		esw_quiescent(w->esw, 0);
	}
	esw_reader_offline(w->esw, 0);
	return NULL;
}

static void test_ipv6_fib_anew_while_classifying(void **state)
{
	struct esw_actions a32 = {.fate = ESW_FATE_PORT, .port = 1, .set_mark = true, .mark = 32};
	struct esw_actions a56 = {.fate = ESW_FATE_PORT, .port = 1, .set_mark = true, .mark = 56};
	struct esw_key k56 = v6(1, 2, 0);
	struct v6_world w = {0};
	struct esw_pipe *p;
	uint32_t id;
	pthread_t th;

	(void)state;
	assert_int_equal(esw_create_concurrent(&w.esw, 1), 0);
	assert_int_equal(esw_pipe_create_lpm(w.esw, "v6", 8, NULL, &p), 0);
	assert_int_equal(esw_set_root(w.esw, p), 0);
	k56.dst_ip[15] = 0;
	assert_int_equal(esw_lpm_add(p, 6, k56.dst_ip, 32, &a32, 1, NULL), 0);
	assert_int_equal(pthread_create(&th, NULL, v6_reader, &w), 0);
	for (int i = 0; i < 1000; i++) { /* 256 groups, four held back a /56 */
		assert_int_equal(esw_lpm_add(p, 6, k56.dst_ip, 56, &a56, 1, &id), 0);
		assert_int_equal(esw_lpm_del(p, id), 0);
	}
	while (atomic_load(&w.checked) < 10000) {
		usleep(1000);
	}
	atomic_store(&w.stop, true);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(atomic_load(&w.bad), 0);
	esw_destroy(w.esw);
}

/*
 * Two readers send frames through one metered entry: the meter (shared,
 * under its lock) colours each frame once, and lets through no more than
 * its buckets and its rate allow, though each reader reads the clock on its
 * own.
 */
struct meter_reader {
	struct esw *esw;
	unsigned int id;
	unsigned long long sent;
	int rc;
};

#define METER_BURSTS 20000

static void *meter_reader(void *arg)
{
	struct meter_reader *mr = arg;
	struct esw_key k[32];
	struct esw_result r[32];
	uint32_t lens[32];

	for (int i = 0; i < 32; i++) {
		k[i] = v4(0x0a000001, 0);
		lens[i] = 100;
	}
	mr->rc = esw_reader_online(mr->esw, mr->id);
	for (int b = 0; b < METER_BURSTS && mr->rc == 0; b++) {
		mr->rc = esw_reader_classify(mr->esw, mr->id, k, lens, 32, r);
		mr->sent += 32;
		esw_quiescent(mr->esw, mr->id);
	}
	esw_reader_offline(mr->esw, mr->id);
	return NULL;
}

static void test_shared_meter(void **state)
{
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_actions a = {.fate = ESW_FATE_PORT, .port = 1};
	struct esw_key mask, k = v4(0x0a000001, 0);
	struct meter_reader mr[2];
	struct timespec t0, t1;
	uint64_t pkts[3], bytes[3], hits, hbytes;
	struct esw_pipe *p;
	struct esw *esw;
	pthread_t th[2];
	uint32_t id;
	double secs, allowed;

	(void)state;
	memset(&mask, 0, sizeof(mask));
	memset(mask.dst_ip, 0xff, 4);
	assert_int_equal(esw_create_concurrent(&esw, 2), 0);
	/* from before the meter starts its clock (its buckets full) */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* 10 kB/s, 20 kB committed and 20 kB excess buckets */
	assert_int_equal(esw_meter_create(esw, 10000, 20000, 20000, &a.meter), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "p", &mask, 4, &drop, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	assert_int_equal(esw_exact_add(p, &k, &a, &id), 0);
	for (unsigned int i = 0; i < 2; i++) {
		mr[i] = (struct meter_reader){.esw = esw, .id = i};
		assert_int_equal(pthread_create(&th[i], NULL, meter_reader, &mr[i]), 0);
	}
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(mr[i].rc, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(esw_meter_stats(esw, a.meter, pkts, bytes), 0);
	/* every frame coloured once, and counted once by the entry */
	assert_int_equal(pkts[ESW_GREEN] + pkts[ESW_YELLOW] + pkts[ESW_RED],
			 mr[0].sent + mr[1].sent);
	assert_int_equal(esw_entry_stats(p, id, &hits, &hbytes), 0);
	assert_int_equal(hits, mr[0].sent + mr[1].sent);
	/*
	 * No more through than the buckets and the rate over the run, give or
	 * take a frame and the meter's TSC against this clock (5 %): a meter
	 * refilled by a reader's stale time lets through twice that and more.
	 */
	allowed = 20000.0 + 20000.0 + 10000.0 * secs * 1.05 + 100.0;
	print_message("# %.2f s: %llu bytes green, %llu yellow of %llu (%.0f allowed)\n", secs,
		      (unsigned long long)bytes[ESW_GREEN], (unsigned long long)bytes[ESW_YELLOW],
		      (unsigned long long)hbytes, allowed);
	assert_true((double)(bytes[ESW_GREEN] + bytes[ESW_YELLOW]) <= allowed);
	assert_true(pkts[ESW_RED] > 0);
	esw_destroy(esw);
}

/* Waits for a reader that is offline, or never came, do not block. */
static void test_no_reader(void **state)
{
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_actions a = {.fate = ESW_FATE_PORT, .port = 1};
	struct esw_key mask, k = v4(0x0a000001, 0);
	struct esw_result r;
	struct esw *esw;
	struct esw_pipe *p;
	uint32_t id, len = 64;
	uint64_t pkts, bytes;

	(void)state;
	memset(&mask, 0, sizeof(mask));
	memset(mask.dst_ip, 0xff, 4);
	assert_int_equal(esw_create_concurrent(&esw, 1), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "p", &mask, 2, &drop, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	/* ids come back only after a grace period: with no reader, at once */
	for (int i = 0; i < 100; i++) {
		assert_int_equal(esw_exact_add(p, &k, &a, &id), 0);
		assert_int_equal(esw_exact_del(p, id), 0);
	}
	assert_int_equal(esw_exact_add(p, &k, &a, &id), 0);
	/* the thread classifies, goes offline: its hits are counted */
	assert_int_equal(esw_reader_online(esw, 0), 0);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.fate, ESW_FATE_PORT);
	esw_reader_offline(esw, 0);
	assert_int_equal(esw_entry_stats(p, id, &pkts, &bytes), 0);
	assert_int_equal(pkts, 1);
	assert_int_equal(bytes, 64);
	assert_int_equal(esw_pipe_destroy(esw, p), 0);
	esw_destroy(esw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_reader),
		cmocka_unit_test(test_updates_while_classifying),
		cmocka_unit_test(test_updates_while_three_classify),
		cmocka_unit_test(test_shared_meter),
		cmocka_unit_test(test_ipv6_fib_anew_while_classifying),
	};

	return cmocka_run_group_tests_name("eswitch-concurrent", tests, setup, teardown);
}
