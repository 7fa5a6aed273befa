/* SPDX-License-Identifier: BSD-3-Clause */
/* Pipes, entries and the data path of the emulated eSwitch. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_meter.h>
#include <rte_udp.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_rib.h>
#include <rte_rib6.h>
#include <rte_prefetch.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#ifdef __SSSE3__
#include <tmmintrin.h>
#endif

#include "common/util.h"
#include "sim/eswitch/esw.h"

/*
 * ThreadSanitizer cannot see the ordering DPDK's lock-free tables give (the
 * library is not instrumented): what the writer makes ready before it puts
 * an entry in a table, the reader reads after finding it there. These say
 * so, per pipe, in TSan builds only.
 */
#if defined(__SANITIZE_THREAD__)
#define ESW_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ESW_TSAN 1
#endif
#endif
#ifdef ESW_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define TSAN_PUBLISH(p) __tsan_release(p)
#define TSAN_SUBSCRIBE(p) __tsan_acquire(p)
#else
#define TSAN_PUBLISH(p) ((void)(p))
#define TSAN_SUBSCRIBE(p) ((void)(p))
#endif

/* Loads and stores of what the writer and the reader share. */
#define LOAD_ACQ(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE_REL(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define STORE_RLX(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#define ESW_MAX_PIPES 256
#define ESW_MAX_HOPS 16

enum pipe_kind { PIPE_EXACT, PIPE_ACL, PIPE_LPM };

#define ESW_CK_MAX sizeof(struct esw_key)

/*
 * An entry's actions: one set, or an ECMP group of n_ecmp (> 1) in ecmp[]
 * (act's edit is then NULL). Edits are the set's own copies.
 */
struct esw_actset {
	struct esw_actions act;
	uint32_t n_ecmp;
	struct esw_actions *ecmp; /* [n_ecmp] */
};

/*
 * An entry's actions, for the hits whose lookup word does not carry them,
 * in a dense array prefetched per burst. New actions are a new set, put in
 * place whole (a reader sees the old set or the new one); the old set is
 * freed when no reader can hold it any more.
 */
struct esw_hot {
	struct esw_actset *as; /* NULL: no entry */
};

/*
 * An entry's counters in two parts, apart from everything else. Hits are
 * added to a 32-bit word, packets in its low 8 bits and bytes in the 24
 * above: 4 bytes an entry, so a million entries' words (4 MiB) stay in
 * cache. A word about to overflow is first added to the entry's 64-bit
 * totals (16 bytes an entry, seldom touched). An entry's count is its
 * totals plus its word.
 */
struct esw_ctr {
	uint64_t pkts, bytes;
};

#define CW_PKT_BITS 8
#define CW_PKTS_MAX ((1u << CW_PKT_BITS) - 1)
#define CW_BYTES_LIM (1u << (32 - CW_PKT_BITS))
#define CW_PKTS(w) ((w)&CW_PKTS_MAX)
#define CW_BYTES(w) ((w) >> CW_PKT_BITS)

/*
 * Hits are logged (entry, length) and added to the entries' counters a log
 * at a time, with the entries prefetched ahead: the data path never waits
 * on a counter's cache miss. Whoever reads counters flushes first.
 */
#define ESW_LOG_MAX 256

struct esw_hit_rec {
	uint32_t id, len;
};

/*
 * What one reader writes in a pipe: its hit log, its counter words and
 * totals (an entry's count is the sum over the readers), its miss counters.
 * Each reader has its own, on lines of its own; one on a switch of one
 * thread.
 */
struct esw_bank {
	uint32_t n_log;
	bool in_dirty;	   /* in the reader's dirty list (hits logged since its last flush) */
	uint32_t fold_seq; /* odd while the reader moves a counter word into the totals */
	uint64_t miss_pkts, miss_bytes;
	uint32_t *ctr_word;  /* [max] */
	struct esw_ctr *ctr; /* [max] */
	struct esw_hit_rec log[ESW_LOG_MAX];
} __attribute__((aligned(64)));

/*
 * The word an exact pipe's hash returns for an entry: its id and, when
 * they fit, its actions, so forwarding needs no second memory access.
 *   bit 63 FAST, 0-23 id, 24-25 fate, 26-33 port or pipe index,
 *   34 marked, 35-62 mark.
 * Without FAST (mirror, a mark of 2^28 or more) the actions are in hot[id].
 */
#define W_FAST (1ULL << 63)
#define W_ID(w) ((uint32_t)((w)&0xffffff))
#define W_FATE(w) ((enum esw_fate)(((w) >> 24) & 3))
#define W_TARGET(w) ((uint16_t)(((w) >> 26) & 0xff))
#define W_MARKED(w) (((w) >> 34) & 1)
#define W_MARK(w) ((uint32_t)(((w) >> 35) & 0xfffffff))
#define W_MARK_MAX (1u << 28)

/*
 * LPM next hops are 31 bits: the route's id (21 bits) and its action set
 * (10 bits, 0 = none: read hot[id]). Routes sharing actions share a set,
 * as routes share next hops in a FIB; the sets stay in cache.
 */
#define NH_ID_BITS 21
#define NH_ID(nh) ((uint32_t)(nh) & ((1u << NH_ID_BITS) - 1))
#define NH_SET(nh) ((uint32_t)(nh) >> NH_ID_BITS)
#define ESW_ASETS 1024 /* set 0 unused */
#define ASET_SLOTS 2048

/*
 * What an action does to a packet's fresh result (at its first pipe), made
 * in advance: the result's head (struct esw_result before its edits) to
 * copy, when that is all the action does (no meter, edit or next pipe).
 */
#define RES_HEAD offsetof(struct esw_result, edits)

struct esw_xact {
	uint8_t head[RES_HEAD] __attribute__((aligned(8)));
	bool simple;
};

struct esw_aset {
	struct esw_actset as;
	uint32_t hash;
	struct esw_xact x;	/* as.act, or */
	struct esw_xact *xecmp; /* [as.n_ecmp] when an ECMP group */
};

/* The control-plane side of an entry. */
struct esw_entry {
	bool used;
	uint32_t dying; /* acl: deleted (seq > 0), still in the context in force */
	uint8_t ck[ESW_CK_MAX] __attribute__((aligned(16))); /* exact: the compact key */
	struct esw_acl_rule rule;			     /* acl */
	uint8_t family, depth;				     /* lpm */
	uint8_t addr[16];
};

struct esw_pipe {
	struct esw *esw;
	enum pipe_kind kind;
	uint16_t index;	       /* in esw->pipes */
	struct esw_bank *bank; /* [esw->n_readers] */
	/* lpm: interned action sets, found by content through aset_slot */
	struct esw_aset *asets; /* [ESW_ASETS] */
	uint16_t *aset_slot;	/* [ASET_SLOTS]: set id, 0 = empty */
	uint32_t n_asets;	/* sets in use, ids 1 .. n_asets; never freed */
	bool lpm_sets;		/* next hops carry a set (max <= 2^NH_ID_BITS) */
	char name[32];
	struct esw_actions miss;
	struct esw_xact xmiss;
	uint32_t max;
	struct esw_entry *entries; /* [max] */
	struct esw_hot *hot;	   /* [max] */
	uint32_t n_used;
	uint32_t *free_ids; /* stack of unused entry ids, lowest on top */
	uint32_t n_free;
	/* exact: the key is compacted to the masked bytes only (smaller to hash
	 * and compare): byte i of the compact key is key[off[i]] & m[i]. */
	struct esw_key mask;
	struct rte_hash *hash;
	uint32_t ck_len; /* compact key length: a multiple of 16 */
	uint32_t n_off;
	uint8_t off[sizeof(struct esw_key)];
	uint8_t m[sizeof(struct esw_key)];
	/*
	 * The same gather as byte shuffles: compact chunk c (16 bytes) is the OR
	 * over key lanes l (16 bytes each) in lanes[c] of pshufb(lane l,
	 * shuf[c][l]), ANDed with cmask[c].
	 */
	uint8_t shuf[ESW_CK_MAX / 16][sizeof(struct esw_key) / 16][16] __attribute__((aligned(16)));
	uint8_t cmask[ESW_CK_MAX / 16][16] __attribute__((aligned(16)));
	uint8_t n_lanes[ESW_CK_MAX / 16];			    /* key lanes per chunk, */
	uint8_t lane[ESW_CK_MAX / 16][sizeof(struct esw_key) / 16]; /* and which */
	/* lpm: rte_fib (DIR-24-8) and rte_fib6 (trie), RIB-backed control */
	struct rte_fib *fib4;
	struct rte_fib6 *fib6;
	unsigned int fib6_made; /* IPv6 FIBs made (fib6_rebuild): unique names */
	unsigned int serial;	/* the esw's n-th pipe: unique DPDK object names */
	/*
	 * acl: the context in force (acl_live; -1: none, all miss) and a spare
	 * that esw_acl_build() fills (acl_built: -2 nothing built, -1 built
	 * empty, else which); deleted rules wait in dying[] (in deletion order,
	 * seq 1, 2, ...) until a context built after their deletion is in force.
	 */
	struct rte_acl_ctx *acl[2];
	int acl_live, acl_built;
	uint32_t *dying; /* [max] */
	uint32_t n_dying, del_seq, built_seq;
	/* concurrent switch */
	bool fib_dirty; /* writer: a route deleted since the last grace period */
};

/* Meters are shared by the readers: a lock where there are several. */
struct esw_meter {
	pthread_spinlock_t lock;
	struct rte_meter_srtcm_profile prof;
	struct rte_meter_srtcm m;
	uint64_t pkts[3], bytes[3]; /* per enum esw_color */
};

/*
 * What the writer took away while a reader may still be using it: an
 * entry's id (with its hash key slot) and actions, or old actions alone.
 * Freed once the reader has been quiescent after 'token'.
 */
struct esw_defer {
	uint64_t token;
	struct esw_pipe *p;
	uint32_t id;  /* NO_ID: none */
	int32_t hpos; /* an exact pipe's key slot to free; -1: none */
	struct esw_actset *as;
};

/* A reader's own: the pipes it has logged hits in since it last flushed. */
struct esw_reader {
	struct esw_pipe *dirty[ESW_MAX_PIPES];
	unsigned int n_dirty;
	bool registered; /* its thread id is in the QSBR variable */
} __attribute__((aligned(64)));

#define NO_ID UINT32_MAX
#define DEFER_MAX 4096 /* more waiting: the writer waits for the reader */

struct esw {
	struct esw_pipe *pipes[ESW_MAX_PIPES]; /* NULL: a destroyed pipe's slot */
	unsigned int n_pipes;		       /* slots in use or freed */
	unsigned int made;		       /* pipes ever made */
	struct esw_pipe *root;
	unsigned int id;			  /* makes DPDK object names unique */
	struct esw_meter *meters[ESW_METERS_MAX]; /* id i+1 is meters[i] */
	uint32_t n_meters;
	/* concurrent switch: reader r is rte_rcu_qsbr thread id r */
	bool concurrent;
	unsigned int n_readers; /* 1 on a switch of one thread */
	struct esw_reader *rd;	/* [n_readers] */
	struct rte_rcu_qsbr *qs;
	struct esw_defer *dq; /* [dq_cap]: waiting from dq_head to dq_len */
	uint32_t dq_head, dq_len, dq_cap;
};

static atomic_uint esw_ids;

/* ------------------------------------------------------------------ ACL layout */

/* What rte_acl reads per packet: network byte order, in 4-byte groups. */
struct acl_input {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src4;
	uint32_t dst4;
	uint16_t sport;
	uint16_t dport;
	uint16_t in_port;
	uint16_t ip_ver;
};

enum { F_PROTO, F_SRC, F_DST, F_SPORT, F_DPORT, F_INPORT, F_IPVER, F_NUM };

static const struct rte_acl_field_def acl_fields[F_NUM] = {
	{.type = RTE_ACL_FIELD_TYPE_BITMASK,
	 .size = 1,
	 .field_index = F_PROTO,
	 .input_index = 0,
	 .offset = offsetof(struct acl_input, proto)},
	{.type = RTE_ACL_FIELD_TYPE_MASK,
	 .size = 4,
	 .field_index = F_SRC,
	 .input_index = 1,
	 .offset = offsetof(struct acl_input, src4)},
	{.type = RTE_ACL_FIELD_TYPE_MASK,
	 .size = 4,
	 .field_index = F_DST,
	 .input_index = 2,
	 .offset = offsetof(struct acl_input, dst4)},
	{.type = RTE_ACL_FIELD_TYPE_RANGE,
	 .size = 2,
	 .field_index = F_SPORT,
	 .input_index = 3,
	 .offset = offsetof(struct acl_input, sport)},
	{.type = RTE_ACL_FIELD_TYPE_RANGE,
	 .size = 2,
	 .field_index = F_DPORT,
	 .input_index = 3,
	 .offset = offsetof(struct acl_input, dport)},
	{.type = RTE_ACL_FIELD_TYPE_RANGE,
	 .size = 2,
	 .field_index = F_INPORT,
	 .input_index = 4,
	 .offset = offsetof(struct acl_input, in_port)},
	{.type = RTE_ACL_FIELD_TYPE_RANGE,
	 .size = 2,
	 .field_index = F_IPVER,
	 .input_index = 4,
	 .offset = offsetof(struct acl_input, ip_ver)},
};

RTE_ACL_RULE_DEF(esw_acl_rule_def, F_NUM);

/* ------------------------------------------------------------------ switch */

static int esw_new(unsigned int readers, struct esw **eswp)
{
	struct esw *esw;

	if (eswp == NULL) {
		return -EINVAL;
	}
	esw = calloc(1, sizeof(*esw));
	if (esw == NULL) {
		return -ENOMEM;
	}
	esw->rd = aligned_alloc(_Alignof(struct esw_reader), readers * sizeof(*esw->rd));
	if (esw->rd == NULL) {
		free(esw);
		return -ENOMEM;
	}
	memset(esw->rd, 0, readers * sizeof(*esw->rd));
	esw->n_readers = readers;
	esw->id = atomic_fetch_add(&esw_ids, 1);
	*eswp = esw;
	return 0;
}

int esw_create(struct esw **eswp)
{
	return esw_new(1, eswp);
}

int esw_create_concurrent(struct esw **eswp, unsigned int readers)
{
	struct esw *esw;
	int rc;

	if (readers == 0 || readers > ESW_READERS_MAX) {
		return -EINVAL;
	}
	rc = esw_new(readers, &esw);
	if (rc < 0) {
		return rc;
	}
	esw->qs = rte_zmalloc("esw_qsbr", rte_rcu_qsbr_get_memsize(readers), RTE_CACHE_LINE_SIZE);
	if (esw->qs == NULL || rte_rcu_qsbr_init(esw->qs, readers) != 0) {
		rte_free(esw->qs);
		free(esw->rd);
		free(esw);
		return -ENOMEM;
	}
	esw->concurrent = true;
	*eswp = esw;
	return 0;
}

/* Free the edits of 'n' actions. */
static void actions_release(struct esw_actions *a, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		free((void *)(uintptr_t)a[i].edit);
		a[i].edit = NULL;
	}
}

/* 'n' actions into 'dst', each with a copy of its edit. */
static int actions_copy(struct esw_actions *dst, const struct esw_actions *src, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		dst[i] = src[i];
		if (src[i].edit != NULL) {
			struct esw_edit *e = malloc(sizeof(*e));

			if (e == NULL) {
				dst[i].edit = NULL;
				actions_release(dst, i);
				return -ENOMEM;
			}
			*e = *src[i].edit;
			dst[i].edit = e;
		}
	}
	return 0;
}

static void actset_release(struct esw_actset *as)
{
	if (as->n_ecmp > 1) {
		actions_release(as->ecmp, as->n_ecmp);
	}
	actions_release(&as->act, 1);
	free(as->ecmp);
	memset(as, 0, sizeof(*as));
}

static void actset_free(struct esw_actset *as)
{
	if (as != NULL) {
		actset_release(as);
		free(as);
	}
}

/* 'as' := 'n' actions (more than one: an ECMP group), copied. */
static int actset_set(struct esw_actset *as, const struct esw_actions *acts, unsigned int n)
{
	struct esw_actset new = {0};

	if (n > 1) {
		new.ecmp = malloc(n * sizeof(*new.ecmp));
		if (new.ecmp == NULL || actions_copy(new.ecmp, acts, n) < 0) {
			free(new.ecmp);
			return -ENOMEM;
		}
		new.n_ecmp = n;
		new.act = acts[0];
		new.act.edit = NULL;
	} else if (actions_copy(&new.act, acts, 1) < 0) {
		return -ENOMEM;
	}
	actset_release(as);
	*as = new;
	return 0;
}

/* A new set of 'n' actions (copied), or NULL without memory. */
static struct esw_actset *actset_new(const struct esw_actions *acts, unsigned int n)
{
	struct esw_actset *as = calloc(1, sizeof(*as));

	if (as != NULL && actset_set(as, acts, n) < 0) {
		free(as);
		as = NULL;
	}
	return as;
}

/* A pipe's counter banks, one per reader. */
static int banks_new(struct esw_pipe *p, unsigned int n)
{
	p->bank = aligned_alloc(_Alignof(struct esw_bank), n * sizeof(*p->bank));
	if (p->bank == NULL) {
		return -ENOMEM;
	}
	memset(p->bank, 0, n * sizeof(*p->bank));
	for (unsigned int r = 0; r < n; r++) {
		p->bank[r].ctr = calloc(p->max, sizeof(*p->bank[r].ctr));
		p->bank[r].ctr_word = calloc(p->max, sizeof(*p->bank[r].ctr_word));
		if (p->bank[r].ctr == NULL || p->bank[r].ctr_word == NULL) {
			return -ENOMEM; /* banks_free() frees what was made */
		}
	}
	return 0;
}

static void banks_free(struct esw_pipe *p)
{
	for (unsigned int r = 0; p->bank != NULL && r < p->esw->n_readers; r++) {
		free(p->bank[r].ctr);
		free(p->bank[r].ctr_word);
	}
	free(p->bank);
}

static void pipe_free(struct esw_pipe *p)
{
	if (p == NULL) {
		return;
	}
	rte_hash_free(p->hash);
	rte_acl_free(p->acl[0]);
	rte_acl_free(p->acl[1]);
	rte_fib_free(p->fib4);
	rte_fib6_free(p->fib6);
	for (uint32_t i = 0; p->hot != NULL && i < p->max; i++) {
		actset_free(p->hot[i].as);
	}
	for (uint32_t i = 0; p->asets != NULL && i < ESW_ASETS; i++) {
		actset_release(&p->asets[i].as);
		free(p->asets[i].xecmp);
	}
	actions_release(&p->miss, 1);
	free(p->asets);
	free(p->aset_slot);
	free(p->entries);
	free(p->hot);
	banks_free(p);
	free(p->free_ids);
	free(p->dying);
	free(p);
}

static void defer_drain(struct esw *esw);

void esw_destroy(struct esw *esw)
{
	if (esw == NULL) {
		return;
	}
	defer_drain(esw);
	for (unsigned int i = 0; i < esw->n_pipes; i++) {
		pipe_free(esw->pipes[i]);
	}
	for (uint32_t i = 0; i < esw->n_meters; i++) {
		pthread_spin_destroy(&esw->meters[i]->lock);
		free(esw->meters[i]);
	}
	free(esw->dq);
	rte_free(esw->qs);
	free(esw->rd);
	free(esw);
}

#define ESW_EDIT_ALL 0x1ffu
#define ESW_EDIT_IP (ESW_EDIT_SRC_IP | ESW_EDIT_DST_IP)

static int check_edit(const struct esw_edit *e)
{
	if ((e->ops & ~ESW_EDIT_ALL) != 0 ||
	    ((e->ops & ESW_EDIT_IP) && e->ip_ver != 4 && e->ip_ver != 6)) {
		return -EINVAL;
	}
	if ((e->ops & ESW_EDIT_ENCAP) &&
	    ((e->encap.ip_ver != 4 && e->encap.ip_ver != 6) || e->encap.vni > 0xffffff)) {
		return -EINVAL;
	}
	return 0;
}

static int check_actions(const struct esw *esw, const struct esw_actions *a)
{
	if (a == NULL) {
		return 0;
	}
	if ((a->edit != NULL && check_edit(a->edit) < 0) || a->meter > esw->n_meters) {
		return -EINVAL;
	}
	switch (a->fate) {
	case ESW_FATE_DROP:
	case ESW_FATE_PORT:
		return 0;
	case ESW_FATE_PIPE:
		return (a->pipe != NULL && a->pipe->esw == esw) ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/* A packet's result before any pipe has acted on it. */
static inline void res_fresh(struct esw_result *r)
{
	r->fate = ESW_FATE_DROP; /* the values behind the flags are set with them */
	r->marked = false;
	r->mirrored = false;
	r->queued = false;
	r->color = ESW_GREEN;
	r->n_edits = 0;
}

/* What 'a' sets in a result, apart from its meter, edit and next pipe. */
static inline void act_head(const struct esw_actions *a, struct esw_result *r)
{
	if (a->set_mark) {
		r->marked = true;
		r->mark = a->mark;
	}
	if (a->mirror) {
		r->mirrored = true;
		r->mirror_port = a->mirror_port;
	}
	if (a->set_queue) {
		r->queued = true;
		r->queue = a->queue;
	}
	r->fate = a->fate;
	r->port = a->port;
}

static void xact_make(const struct esw_actions *a, struct esw_xact *x)
{
	struct esw_result r;

	memset(&r, 0, sizeof(r));
	res_fresh(&r);
	act_head(a, &r);
	memcpy(x->head, &r, RES_HEAD);
	x->simple = a->meter == 0 && a->edit == NULL && a->fate != ESW_FATE_PIPE;
}

/* A made pipe into its slot. */
static void pipe_place(struct esw *esw, struct esw_pipe *p)
{
	STORE_REL(esw->pipes[p->index], p);
	if (p->index == esw->n_pipes) {
		esw->n_pipes++;
	}
	esw->made++;
}

/* Whether 'as' sends packets on to pipe 'p'. */
static bool actset_to(const struct esw_actset *as, const struct esw_pipe *p)
{
	if (as->n_ecmp > 1) {
		for (uint32_t i = 0; i < as->n_ecmp; i++) {
			if (as->ecmp[i].fate == ESW_FATE_PIPE && as->ecmp[i].pipe == p) {
				return true;
			}
		}
		return false;
	}
	return as->act.fate == ESW_FATE_PIPE && as->act.pipe == p;
}

static void settle(struct esw *esw);

int esw_pipe_destroy(struct esw *esw, struct esw_pipe *p)
{
	if (esw == NULL || p == NULL || p->esw != esw || esw->pipes[p->index] != p) {
		return -EINVAL;
	}
	for (unsigned int i = 0; i < esw->n_pipes; i++) {
		const struct esw_pipe *q = esw->pipes[i];

		if (q == NULL || q == p) {
			continue;
		}
		if (q->miss.fate == ESW_FATE_PIPE && q->miss.pipe == p) {
			return -EBUSY;
		}
		for (uint32_t e = 0; e < q->max; e++) {
			/* an ACL rule deleted but not yet swapped out still sends there */
			if ((q->entries[e].used || q->entries[e].dying != 0) &&
			    actset_to(q->hot[e].as, p)) {
				return -EBUSY;
			}
		}
	}
	if (esw->root == p) {
		STORE_REL(esw->root, NULL);
	}
	STORE_REL(esw->pipes[p->index], NULL);
	settle(esw); /* no reader is in the pipe any more */
	pipe_free(p);
	return 0;
}

static int pipe_new(struct esw *esw, const char *name, enum pipe_kind kind, uint32_t max,
		    const struct esw_actions *miss, struct esw_pipe **pipep)
{
	struct esw_pipe *p;

	if (esw == NULL || name == NULL || pipep == NULL || max == 0 ||
	    check_actions(esw, miss) < 0) {
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		return -ENOMEM;
	}
	p->esw = esw;
	p->kind = kind;
	p->max = max;
	p->entries = calloc(max, sizeof(*p->entries));
	p->hot = calloc(max, sizeof(*p->hot));
	p->free_ids = malloc(max * sizeof(*p->free_ids));
	if (p->entries == NULL || p->hot == NULL || p->free_ids == NULL ||
	    banks_new(p, esw->n_readers) < 0) {
		free(p->entries);
		free(p->hot);
		free(p->free_ids);
		banks_free(p);
		free(p);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < max; i++) {
		p->free_ids[i] = max - 1 - i;
	}
	p->n_free = max;
	/* A destroyed pipe's slot first: exact entries' words hold slots. */
	p->index = (uint16_t)esw->n_pipes;
	for (unsigned int i = 0; i < esw->n_pipes; i++) {
		if (esw->pipes[i] == NULL) {
			p->index = (uint16_t)i;
			break;
		}
	}
	if (p->index == ESW_MAX_PIPES) {
		pipe_free(p);
		return -ENOSPC;
	}
	p->serial = esw->made;
	dpu_strscpy(p->name, name, sizeof(p->name));
	if (miss != NULL) {
		if (actions_copy(&p->miss, miss, 1) < 0) {
			pipe_free(p);
			return -ENOMEM;
		}
	} else {
		p->miss.fate = ESW_FATE_DROP;
	}
	xact_make(&p->miss, &p->xmiss);
	*pipep = p;
	return 0;
}

int esw_pipe_create_exact(struct esw *esw, const char *name, const struct esw_key *mask,
			  uint32_t max_entries, const struct esw_actions *miss,
			  struct esw_pipe **pipep)
{
	struct rte_hash_parameters hp = {0};
	char hname[RTE_HASH_NAMESIZE];
	struct esw_pipe *p;
	int rc;

	if (mask == NULL) {
		return -EINVAL;
	}
	rc = pipe_new(esw, name, PIPE_EXACT, max_entries, miss, &p);
	if (rc < 0) {
		return rc;
	}
	p->mask = *mask;
	for (uint32_t i = 0; i < sizeof(*mask); i++) {
		uint8_t mb = ((const uint8_t *)mask)[i];

		if (mb != 0) {
			p->off[p->n_off] = (uint8_t)i;
			p->m[p->n_off] = mb;
			p->n_off++;
		}
	}
	p->ck_len = p->n_off == 0 ? 16 : (p->n_off + 15) / 16 * 16;
	memset(p->shuf, 0x80, sizeof(p->shuf)); /* 0x80: a zero byte */
	for (uint32_t i = 0; i < p->n_off; i++) {
		unsigned int c = i / 16, lane = p->off[i] / 16u;

		p->shuf[c][lane][i % 16] = (uint8_t)(p->off[i] % 16);
		p->cmask[c][i % 16] = p->m[i];
		if (p->n_lanes[c] == 0 || p->lane[c][p->n_lanes[c] - 1] != lane) {
			p->lane[c][p->n_lanes[c]++] = (uint8_t)lane; /* offsets ascend */
		}
	}
	snprintf(hname, sizeof(hname), "esw%u_%u", esw->id, p->serial);
	hp.name = hname;
	/* rte_hash needs room beyond the entry count to place every key. */
	hp.entries = max_entries < 8 ? 8 : max_entries + max_entries / 8;
	hp.key_len = p->ck_len;
	hp.hash_func = rte_hash_crc;
	hp.socket_id = (int)rte_socket_id();
	if (esw->concurrent) {
		/* Deleted keys' slots are freed after a grace period (esw_defer). */
		hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	}
	p->hash = rte_hash_create(&hp);
	if (p->hash == NULL) {
		pipe_free(p);
		return -ENOMEM;
	}
	pipe_place(esw, p);
	*pipep = p;
	return 0;
}

int esw_pipe_create_acl(struct esw *esw, const char *name, uint32_t max_rules,
			const struct esw_actions *miss, struct esw_pipe **pipep)
{
	struct esw_pipe *p;
	int rc;

	if (max_rules > ESW_ACL_MAX_RULES) {
		return -EINVAL;
	}
	rc = pipe_new(esw, name, PIPE_ACL, max_rules, miss, &p);
	if (rc < 0) {
		return rc;
	}
	p->dying = malloc(max_rules * sizeof(*p->dying));
	if (p->dying == NULL) {
		pipe_free(p);
		return -ENOMEM;
	}
	for (int i = 0; i < 2; i++) {
		char aname[RTE_ACL_NAMESIZE];
		struct rte_acl_param ap = {
			.name = aname,
			.socket_id = (int)rte_socket_id(),
			.rule_size = RTE_ACL_RULE_SZ(F_NUM),
			.max_rule_num = max_rules,
		};

		snprintf(aname, sizeof(aname), "esw%u_%u_%d", esw->id, p->serial, i);
		p->acl[i] = rte_acl_create(&ap);
		if (p->acl[i] == NULL) {
			pipe_free(p);
			return -ENOMEM;
		}
	}
	p->acl_live = -1;
	p->acl_built = -2;
	pipe_place(esw, p);
	*pipep = p;
	return 0;
}

struct esw_pipe *esw_root(const struct esw *esw)
{
	return esw != NULL ? esw->root : NULL;
}

int esw_set_root(struct esw *esw, struct esw_pipe *pipe)
{
	if (esw == NULL || pipe == NULL || pipe->esw != esw) {
		return -EINVAL;
	}
	STORE_REL(esw->root, pipe);
	return 0;
}

/*
 * Add the hits logged in bank 'b' to its counters. The bank's reader (the
 * only one that writes them on a concurrent switch) stores them whole, and
 * marks the rare moves of a word into the totals, for entry_counts().
 */
static void flush_log(struct esw_bank *b)
{
	const uint32_t ahead = 8;

	for (uint32_t i = 0; i < b->n_log && i < ahead; i++) {
		rte_prefetch0(&b->ctr_word[b->log[i].id]);
	}
	for (uint32_t i = 0; i < b->n_log; i++) {
		uint32_t id = b->log[i].id, len = b->log[i].len, w;
		struct esw_ctr *c = &b->ctr[id];

		if (i + ahead < b->n_log) {
			rte_prefetch0(&b->ctr_word[b->log[i + ahead].id]);
		}
		w = b->ctr_word[id];
		if (CW_PKTS(w) == CW_PKTS_MAX || len >= CW_BYTES_LIM - CW_BYTES(w)) {
			STORE_RLX(b->fold_seq, b->fold_seq + 1);
			if (len >= CW_BYTES_LIM) {
				STORE_REL(c->pkts, c->pkts + CW_PKTS(w) + 1);
				STORE_REL(c->bytes, c->bytes + CW_BYTES(w) + len);
				w = 0;
			} else {
				STORE_REL(c->pkts, c->pkts + CW_PKTS(w));
				STORE_REL(c->bytes, c->bytes + CW_BYTES(w));
				w = 1 | len << CW_PKT_BITS;
			}
			STORE_REL(b->ctr_word[id], w);
			STORE_REL(b->fold_seq, b->fold_seq + 1);
		} else {
			STORE_RLX(b->ctr_word[id], w + (1 | len << CW_PKT_BITS));
		}
	}
	b->n_log = 0;
}

/* On a switch of one thread: its hits into the counters, before they are read. */
static void flush_own(struct esw_pipe *p)
{
	if (!p->esw->concurrent) {
		flush_log(&p->bank[0]);
	}
}

/*
 * An entry's counters: over the readers' banks, the totals and the word
 * (the logs flushed before), each bank read again if its reader moved the
 * word meanwhile.
 */
static void entry_counts(const struct esw_pipe *p, uint32_t id, uint64_t *pkts, uint64_t *bytes)
{
	*pkts = *bytes = 0;
	for (unsigned int r = 0; r < p->esw->n_readers; r++) {
		const struct esw_bank *b = &p->bank[r];
		uint64_t bp, bb;
		uint32_t seq, w;

		do {
			seq = LOAD_ACQ(b->fold_seq);
			w = LOAD_ACQ(b->ctr_word[id]);
			bp = LOAD_ACQ(b->ctr[id].pkts) + CW_PKTS(w);
			bb = LOAD_ACQ(b->ctr[id].bytes) + CW_BYTES(w);
		} while ((seq & 1) != 0 || __atomic_load_n(&b->fold_seq, __ATOMIC_RELAXED) != seq);
		*pkts += bp;
		*bytes += bb;
	}
}

/* A new entry's counters start at zero (no reader writes them: see entry_release). */
static void entry_counts_zero(struct esw_pipe *p, uint32_t id)
{
	for (unsigned int r = 0; r < p->esw->n_readers; r++) {
		memset(&p->bank[r].ctr[id], 0, sizeof(p->bank[r].ctr[id]));
		p->bank[r].ctr_word[id] = 0;
	}
}

/* A pipe's misses, over the readers' banks. */
static void miss_counts(const struct esw_pipe *p, uint64_t *pkts, uint64_t *bytes)
{
	*pkts = *bytes = 0;
	for (unsigned int r = 0; r < p->esw->n_readers; r++) {
		*pkts += LOAD_ACQ(p->bank[r].miss_pkts);
		*bytes += LOAD_ACQ(p->bank[r].miss_bytes);
	}
}

/* ------------------------------------------------------------------ concurrency */

/* Wait until the reader has been quiescent (its hits flushed) after now. */
static void grace(const struct esw *esw)
{
	if (esw->concurrent) {
		rte_rcu_qsbr_check(esw->qs, rte_rcu_qsbr_start(esw->qs), true);
	}
}

/* A deferred item's time has come. */
static void defer_done(const struct esw_defer *d)
{
	struct esw_pipe *p = d->p;

	if (d->hpos >= 0) {
		rte_hash_free_key_with_position(p->hash, d->hpos);
	}
	if (d->id != NO_ID) {
		if (p->hot[d->id].as == d->as) {
			STORE_REL(p->hot[d->id].as, NULL);
		}
		p->free_ids[p->n_free++] = d->id;
	}
	actset_free(d->as);
}

/* Free what the reader has let go of ('wait': all of it, waiting for the reader). */
static void reclaim(struct esw *esw, bool wait)
{
	while (esw->dq_head < esw->dq_len &&
	       rte_rcu_qsbr_check(esw->qs, esw->dq[esw->dq_head].token, wait) == 1) {
		defer_done(&esw->dq[esw->dq_head++]);
	}
	if (esw->dq_head == esw->dq_len) {
		esw->dq_head = esw->dq_len = 0;
	}
}

/* A grace period, and everything deferred before it freed. */
static void settle(struct esw *esw)
{
	if (esw->concurrent) {
		grace(esw);
		reclaim(esw, false);
	}
}

/* Free everything deferred, now: no reader is left. */
static void defer_drain(struct esw *esw)
{
	for (uint32_t i = esw->dq_head; i < esw->dq_len; i++) {
		defer_done(&esw->dq[i]);
	}
	esw->dq_head = esw->dq_len = 0;
}

/*
 * Id 'id' (NO_ID: none) of pipe 'p', its hash key slot 'hpos' (-1: none)
 * and action set 'as' (may be NULL) are no longer the writer's to use:
 * freed now, or, on a concurrent switch, once the reader has been
 * quiescent. A full queue waits for the reader rather than grow.
 */
static void retire(struct esw_pipe *p, uint32_t id, int32_t hpos, struct esw_actset *as)
{
	struct esw *esw = p->esw;
	struct esw_defer d = {.p = p, .id = id, .hpos = hpos, .as = as};

	if (!esw->concurrent) {
		defer_done(&d);
		return;
	}
	reclaim(esw, false);
	if (esw->dq_len == esw->dq_cap) {
		if (esw->dq_head > 0) {
			esw->dq_len -= esw->dq_head;
			memmove(esw->dq, esw->dq + esw->dq_head, esw->dq_len * sizeof(*esw->dq));
			esw->dq_head = 0;
		} else {
			uint32_t cap = esw->dq_cap == 0 ? 64 : esw->dq_cap * 2;
			struct esw_defer *q = realloc(esw->dq, cap * sizeof(*q));

			if (q == NULL) { /* no room to wait in: wait now */
				grace(esw);
				reclaim(esw, false);
				defer_done(&d);
				return;
			}
			esw->dq = q;
			esw->dq_cap = cap;
		}
	}
	d.token = rte_rcu_qsbr_start(esw->qs);
	esw->dq[esw->dq_len++] = d;
	if (esw->dq_len - esw->dq_head > DEFER_MAX) {
		reclaim(esw, true);
	}
}

/* Entry 'id' takes actions 'as' (owned by it now); the ones it had are retired. */
static void hot_set(struct esw_pipe *p, uint32_t id, struct esw_actset *as)
{
	struct esw_actset *old = p->hot[id].as;

	TSAN_PUBLISH(p);
	STORE_REL(p->hot[id].as, as);
	if (old != NULL) {
		retire(p, NO_ID, -1, old);
	}
}

/* Reader r's logs into its counters. */
static void flush_dirty(struct esw *esw, unsigned int r)
{
	struct esw_reader *rd = &esw->rd[r];

	for (unsigned int i = 0; i < rd->n_dirty; i++) {
		flush_log(&rd->dirty[i]->bank[r]);
		rd->dirty[i]->bank[r].in_dirty = false;
	}
	rd->n_dirty = 0;
}

/* Whether 'reader' is one of a concurrent switch's readers. */
static bool is_reader(const struct esw *esw, unsigned int reader)
{
	return esw != NULL && esw->concurrent && reader < esw->n_readers;
}

int esw_reader_online(struct esw *esw, unsigned int reader)
{
	if (esw == NULL || reader >= esw->n_readers) {
		return -EINVAL;
	}
	if (!esw->concurrent) {
		return 0;
	}
	/*
	 * Registered once, for good: a thread unregistered is skipped through
	 * a bitmap the (uninstrumented) library changes, offline through the
	 * release store ThreadSanitizer sees.
	 */
	if (!esw->rd[reader].registered) {
		if (rte_rcu_qsbr_thread_register(esw->qs, reader) != 0) {
			return -EINVAL;
		}
		esw->rd[reader].registered = true;
	}
	rte_rcu_qsbr_thread_online(esw->qs, reader);
	return 0;
}

void esw_quiescent(struct esw *esw, unsigned int reader)
{
	struct rte_rcu_qsbr *v;

	if (!is_reader(esw, reader)) {
		return;
	}
	/*
	 * Nothing to do while no grace period waits (the token is the one this
	 * thread last reported): the hit logs go on filling, as on a switch of
	 * one thread. Else hits first: a grace period also means the counters
	 * are current.
	 */
	v = esw->qs;
	if (__atomic_load_n(&v->token, __ATOMIC_ACQUIRE) !=
	    __atomic_load_n(&v->qsbr_cnt[reader].cnt, __ATOMIC_RELAXED)) {
		flush_dirty(esw, reader);
		rte_rcu_qsbr_quiescent(v, reader);
	}
}

void esw_reader_offline(struct esw *esw, unsigned int reader)
{
	if (is_reader(esw, reader)) {
		flush_dirty(esw, reader);
		rte_rcu_qsbr_thread_offline(esw->qs, reader);
	}
}

/* ------------------------------------------------------------------ entries */

/*
 * Entry ids are reused, as hardware entry handles are; O(1) either way. On
 * a concurrent switch a freed id comes back after a grace period: when none
 * is left, wait for those.
 */
static int entry_alloc(struct esw_pipe *p, uint32_t *idx)
{
	if (p->n_free == 0 && p->esw->dq_len > p->esw->dq_head) {
		settle(p->esw);
	}
	if (p->n_free == 0) {
		return -ENOSPC;
	}
	*idx = p->free_ids[--p->n_free];
	return 0;
}

/*
 * Entry 'idx' gone: its actions freed, its id free for another (after the
 * reader has let go of them, on a concurrent switch); 'hpos' its exact key's
 * slot to free then, or -1.
 */
static void entry_release(struct esw_pipe *p, uint32_t idx, int32_t hpos)
{
	flush_own(p); /* no logged hit may land on the id's next owner */
	/* (a concurrent switch's readers flush theirs before they are quiescent) */
	p->entries[idx].used = false;
	p->entries[idx].dying = 0;
	retire(p, idx, hpos, p->hot[idx].as);
}

static void entry_free(struct esw_pipe *p, uint32_t idx, int32_t hpos)
{
	entry_release(p, idx, hpos);
	p->n_used--;
}

/* The compact key of 'k' for pipe 'p' into 'ck' (p->ck_len bytes, 16-aligned). */
static inline void compact_key(const struct esw_pipe *p, const struct esw_key *k, uint8_t *ck)
{
#ifdef __SSSE3__
	const __m128i *kv = (const __m128i *)(const void *)k;

	for (uint32_t c = 0; c < p->ck_len / 16; c++) {
		__m128i acc = _mm_setzero_si128();

		for (unsigned int i = 0; i < p->n_lanes[c]; i++) {
			unsigned int l = p->lane[c][i];

			acc = _mm_or_si128(
				acc, _mm_shuffle_epi8(_mm_load_si128(&kv[l]),
						      _mm_load_si128((const __m128i *)(const void *)
									     p->shuf[c][l])));
		}
		acc = _mm_and_si128(acc,
				    _mm_load_si128((const __m128i *)(const void *)p->cmask[c]));
		_mm_store_si128((__m128i *)(void *)(ck + c * 16), acc);
	}
#else
	const uint8_t *kb = (const uint8_t *)k;
	uint32_t i;

	for (i = 0; i < p->n_off; i++) {
		ck[i] = kb[p->off[i]] & p->m[i];
	}
	for (; i < p->ck_len; i++) {
		ck[i] = 0;
	}
#endif
}

/* An exact entry's hash data: the id, and the actions inline when they fit. */
static uint64_t exact_word(uint32_t idx, const struct esw_actions *a)
{
	uint64_t w = idx;

	if (idx > 0xffffff || a->mirror || a->edit != NULL || a->meter != 0 || a->set_queue ||
	    (a->set_mark && a->mark >= W_MARK_MAX) ||
	    (a->fate == ESW_FATE_PORT && a->port > 0xff)) {
		return w;
	}
	w |= W_FAST | (uint64_t)a->fate << 24;
	if (a->fate == ESW_FATE_PORT) {
		w |= (uint64_t)a->port << 26;
	} else if (a->fate == ESW_FATE_PIPE) {
		w |= (uint64_t)a->pipe->index << 26;
	}
	if (a->set_mark) {
		w |= 1ULL << 34 | (uint64_t)a->mark << 35;
	}
	return w;
}

int esw_exact_add(struct esw_pipe *p, const struct esw_key *match, const struct esw_actions *act,
		  uint32_t *entry)
{
	struct esw_entry *e;
	struct esw_actset *as;
	uint8_t ck[ESW_CK_MAX] __attribute__((aligned(16)));
	uint32_t idx;
	int rc;

	if (p == NULL || p->kind != PIPE_EXACT || match == NULL || act == NULL ||
	    check_actions(p->esw, act) < 0) {
		return -EINVAL;
	}
	compact_key(p, match, ck);
	if (rte_hash_lookup(p->hash, ck) >= 0) {
		return -EEXIST;
	}
	rc = entry_alloc(p, &idx);
	if (rc < 0) {
		return rc;
	}
	e = &p->entries[idx];
	memset(e, 0, sizeof(*e));
	memcpy(e->ck, ck, p->ck_len);
	entry_counts_zero(p, idx);
	as = actset_new(act, 1);
	if (as == NULL) {
		p->free_ids[p->n_free++] = idx;
		return -ENOMEM;
	}
	STORE_REL(p->hot[idx].as, as);
	TSAN_PUBLISH(p);
	rc = rte_hash_add_key_data(p->hash, ck, (void *)(uintptr_t)exact_word(idx, act));
	if (rc < 0) { /* never found: nothing to wait for */
		STORE_REL(p->hot[idx].as, NULL);
		actset_free(as);
		p->free_ids[p->n_free++] = idx; /* give the id back */
		return rc == -ENOSPC ? -ENOSPC : -EINVAL;
	}
	e->used = true;
	p->n_used++;
	if (entry != NULL) {
		*entry = idx;
	}
	return 0;
}

int esw_exact_update(struct esw_pipe *p, uint32_t entry, const struct esw_actions *act)
{
	struct esw_actset *as, *old;

	if (p == NULL || p->kind != PIPE_EXACT || act == NULL || check_actions(p->esw, act) < 0) {
		return -EINVAL;
	}
	if (entry >= p->max || !p->entries[entry].used) {
		return -ENOENT;
	}
	as = actset_new(act, 1);
	if (as == NULL) {
		return -ENOMEM;
	}
	/*
	 * The actions first, then the word: a word without them in it sends the
	 * reader to hot[]. An existing key's data is replaced in place (one
	 * atomic store): no slot is taken or freed.
	 */
	old = p->hot[entry].as;
	STORE_REL(p->hot[entry].as, as);
	TSAN_PUBLISH(p);
	if (rte_hash_add_key_data(p->hash, p->entries[entry].ck,
				  (void *)(uintptr_t)exact_word(entry, act)) < 0) {
		hot_set(p, entry, old); /* 'as' retired: a reader may have it */
		return -EINVAL;
	}
	retire(p, NO_ID, -1, old);
	return 0;
}

int esw_entry_update(struct esw_pipe *p, uint32_t entry, const struct esw_actions *acts,
		     unsigned int n_acts)
{
	struct esw_actset *as;
	const struct esw_entry *e;

	if (p == NULL || acts == NULL || n_acts == 0 || n_acts > ESW_ECMP_MAX ||
	    (n_acts > 1 && p->kind != PIPE_LPM)) {
		return -EINVAL;
	}
	if (entry >= p->max || !p->entries[entry].used) {
		return -ENOENT;
	}
	e = &p->entries[entry];
	switch (p->kind) {
	case PIPE_EXACT:
		return esw_exact_update(p, entry, acts);
	case PIPE_LPM:
		/* The same prefix added again: replaced in place. */
		return esw_lpm_add(p, e->family, e->addr, e->depth, acts, n_acts, NULL);
	default:
		/* An ACL hit reads its rule's actions (hot[]): no compile. */
		if (check_actions(p->esw, acts) < 0) {
			return -EINVAL;
		}
		as = actset_new(acts, 1);
		if (as == NULL) {
			return -ENOMEM;
		}
		hot_set(p, entry, as);
		return 0;
	}
}

int esw_exact_del(struct esw_pipe *p, uint32_t entry)
{
	int32_t pos;

	if (p == NULL || p->kind != PIPE_EXACT || entry >= p->max || !p->entries[entry].used) {
		return -ENOENT;
	}
	pos = rte_hash_del_key(p->hash, p->entries[entry].ck);
	if (pos < 0) {
		return -ENOENT;
	}
	/* A lock-free hash keeps the key's slot until we free it. */
	entry_free(p, entry, p->esw->concurrent ? pos : -1);
	return 0;
}

int esw_acl_add(struct esw_pipe *p, const struct esw_acl_rule *rule, const struct esw_actions *act,
		uint32_t *entry)
{
	struct esw_entry *e;
	struct esw_actset *as;
	uint32_t idx;
	int rc;

	if (p == NULL || p->kind != PIPE_ACL || rule == NULL || act == NULL ||
	    check_actions(p->esw, act) < 0 || rule->priority > ESW_ACL_MAX_PRIORITY ||
	    rule->src4_len > 32 || rule->dst4_len > 32 || rule->sport_lo > rule->sport_hi ||
	    rule->dport_lo > rule->dport_hi || rule->in_port_lo > rule->in_port_hi ||
	    (rule->ip_ver != 0 && rule->ip_ver != 4 && rule->ip_ver != 6) ||
	    (rule->ip_ver == 6 && (rule->src4_len || rule->dst4_len))) {
		return -EINVAL;
	}
	rc = entry_alloc(p, &idx);
	if (rc < 0) {
		return rc;
	}
	e = &p->entries[idx];
	entry_counts_zero(p, idx);
	as = actset_new(act, 1);
	if (as == NULL) {
		p->free_ids[p->n_free++] = idx;
		return -ENOMEM;
	}
	/* Found only in a context built from here on: published by its swap. */
	STORE_REL(p->hot[idx].as, as);
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->rule = *rule;
	if (rule->src4_len || rule->dst4_len) {
		e->rule.ip_ver = 4;
	}
	p->n_used++;
	if (entry != NULL) {
		*entry = idx;
	}
	return 0;
}

int esw_acl_del(struct esw_pipe *p, uint32_t entry)
{
	if (p == NULL || p->kind != PIPE_ACL || entry >= p->max || !p->entries[entry].used) {
		return -ENOENT;
	}
	/* The context in force may still match it: its id and actions stay till a swap. */
	p->entries[entry].used = false;
	p->entries[entry].dying = ++p->del_seq;
	p->dying[p->n_dying++] = entry;
	p->n_used--;
	return 0;
}

/* The next hop a FIB returns when no route matches. */
#define FIB_NO_ROUTE 0x7fffffffu /* next hops are 31 bits wide */

int esw_pipe_create_lpm(struct esw *esw, const char *name, uint32_t max_routes,
			const struct esw_actions *miss, struct esw_pipe **pipep)
{
	struct esw_pipe *p;
	int rc;

	if (max_routes > (1u << 24)) {
		return -EINVAL;
	}
	rc = pipe_new(esw, name, PIPE_LPM, max_routes, miss, &p);
	if (rc < 0) {
		return rc;
	}
	p->lpm_sets = max_routes <= (1u << NH_ID_BITS);
	pipe_place(esw, p);
	*pipep = p;
	return 0;
}

/*
 * A FIB's tbl8 groups: a route longer than /24 takes one (IPv4); the IPv6
 * trie holds back one a byte beyond the 24th bit (four for a /56), so IPv6
 * pipes get five a route. (Its RIB gets twice the pipe's routes in nodes:
 * the routes and the branch points between them, as many again at most.)
 */
static uint32_t fib_tbl8s(const struct esw_pipe *p, int family)
{
	uint64_t want = family == 4 ? p->max : (uint64_t)p->max * 5;

	return want < 256 ? 256 : (want < 65536 ? (uint32_t)want : 65536);
}

/* A new IPv6 FIB for pipe 'p' (NULL without memory). */
static struct rte_fib6 *fib6_new(struct esw_pipe *p)
{
	struct rte_fib6_conf c = {
		.type = RTE_FIB6_TRIE,
		.default_nh = FIB_NO_ROUTE,
		.max_routes = (int)(2 * p->max),
		.trie = {.nh_sz = RTE_FIB6_TRIE_4B, .num_tbl8 = fib_tbl8s(p, 6)},
	};
	char fname[32]; /* under RTE_MEMZONE_NAMESIZE */

	snprintf(fname, sizeof(fname), "esw%u_%u_6_%u", p->esw->id, p->serial, p->fib6_made++);
	return rte_fib6_create(fname, (int)rte_socket_id(), &c);
}

/*
 * The FIBs are made with the first route of their family: an IPv4 DIR-24-8
 * table alone is 64 MiB, so a v6-only (or v4-only) pipe never pays for the
 * other one.
 */
static int fib_ready(struct esw_pipe *p, int family)
{
	char fname[32];

	if (family == 6) {
		if (p->fib6 == NULL) {
			STORE_REL(p->fib6, fib6_new(p));
		}
		return p->fib6 != NULL ? 0 : -ENOMEM;
	}
	if (p->fib4 == NULL) {
		struct rte_fib_conf c = {
			.type = RTE_FIB_DIR24_8,
			.default_nh = FIB_NO_ROUTE,
			.max_routes = (int)(2 * p->max),
			.dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = fib_tbl8s(p, 4)},
		};

		snprintf(fname, sizeof(fname), "esw%u_%u_4", p->esw->id, p->serial);
		STORE_REL(p->fib4, rte_fib_create(fname, (int)rte_socket_id(), &c));
	}
	return p->fib4 != NULL ? 0 : -ENOMEM;
}

/*
 * rte_fib6 in DPDK 22.11 holds back tbl8 groups for a long route when it
 * is added and never gives them back when it is deleted (the count looks
 * for other routes under it and finds the deleted one itself): after
 * enough deletes, adds fail with -ENOSPC though the groups are free. The
 * cure: the same routes in a new FIB, whose count starts right. The old
 * one goes after a grace period.
 */
static int fib6_rebuild(struct esw_pipe *p)
{
	struct rte_fib6 *old = p->fib6, *fib = fib6_new(p);
	struct rte_rib6 *rib = rte_fib6_get_rib(old);

	if (fib == NULL) {
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < p->max; i++) {
		const struct esw_entry *e = &p->entries[i];
		struct rte_rib6_node *node;
		uint64_t nh;

		if (!e->used || e->family != 6) {
			continue;
		}
		node = rte_rib6_lookup_exact(rib, e->addr, e->depth);
		if (node == NULL || rte_rib6_get_nh(node, &nh) != 0 ||
		    rte_fib6_add(fib, e->addr, e->depth, nh) < 0) {
			rte_fib6_free(fib);
			return -ENOSPC;
		}
	}
	TSAN_PUBLISH(p);
	STORE_REL(p->fib6, fib);
	settle(p->esw); /* no reader is in the old one any more */
	rte_fib6_free(old);
	return 0;
}

/* Zero the bits of 'addr' beyond 'depth'. */
static void mask_prefix(uint8_t *addr, unsigned int bytes, uint8_t depth)
{
	for (unsigned int i = 0; i < bytes; i++) {
		unsigned int bit = i * 8;

		if (bit >= depth) {
			addr[i] = 0;
		} else if (bit + 8 > depth) {
			addr[i] &= (uint8_t)(0xff << (8 - (depth - bit)));
		}
	}
}

static bool actions_equal(const struct esw_actions *a, const struct esw_actions *b)
{
	return a->fate == b->fate && (a->fate != ESW_FATE_PORT || a->port == b->port) &&
	       (a->fate != ESW_FATE_PIPE || a->pipe == b->pipe) && a->set_mark == b->set_mark &&
	       (!a->set_mark || a->mark == b->mark) && a->mirror == b->mirror &&
	       (!a->mirror || a->mirror_port == b->mirror_port) && a->meter == b->meter &&
	       a->set_queue == b->set_queue && (!a->set_queue || a->queue == b->queue) &&
	       (a->edit == NULL) == (b->edit == NULL) &&
	       (a->edit == NULL || memcmp(a->edit, b->edit, sizeof(*a->edit)) == 0);
}

static uint32_t actions_hash(const struct esw_actions *acts, unsigned int n)
{
	uint32_t h = n;

	for (unsigned int i = 0; i < n; i++) {
		const struct esw_actions *a = &acts[i];

		h = rte_hash_crc_4byte((uint32_t)a->fate << 16 | a->port, h);
		h = rte_hash_crc_8byte((uint64_t)(uintptr_t)a->pipe, h);
		h = rte_hash_crc_4byte(a->set_mark ? a->mark : 0xffffffffu, h);
		h = rte_hash_crc_4byte(a->mirror ? a->mirror_port : 0xffffffffu, h);
		h = rte_hash_crc_4byte(a->meter, h);
		h = rte_hash_crc_4byte(a->set_queue ? a->queue : 0xffffffffu, h);
		if (a->edit != NULL) {
			h = rte_hash_crc(a->edit, sizeof(*a->edit), h);
		}
	}
	return h;
}

/*
 * The action set holding these actions (made on first use), or 0 when the
 * pipe has no room for another (its routes then read their own entry).
 */
static uint32_t aset_get(struct esw_pipe *p, const struct esw_actions *acts, unsigned int n)
{
	uint32_t h = actions_hash(acts, n), slot, id;
	struct esw_aset *as;

	if (!p->lpm_sets) {
		return 0;
	}
	if (p->asets == NULL) {
		p->asets = calloc(ESW_ASETS, sizeof(*p->asets));
		p->aset_slot = calloc(ASET_SLOTS, sizeof(*p->aset_slot));
		if (p->asets == NULL || p->aset_slot == NULL) {
			free(p->asets);
			free(p->aset_slot);
			p->asets = NULL;
			p->aset_slot = NULL;
			return 0;
		}
	}
	for (slot = h % ASET_SLOTS; p->aset_slot[slot] != 0; slot = (slot + 1) % ASET_SLOTS) {
		bool same;

		as = &p->asets[p->aset_slot[slot]];
		same = as->hash == h && (as->as.n_ecmp > 1 ? as->as.n_ecmp : 1) == n;
		for (unsigned int i = 0; same && i < n; i++) {
			same = actions_equal(n > 1 ? &as->as.ecmp[i] : &as->as.act, &acts[i]);
		}
		if (same) {
			return p->aset_slot[slot];
		}
	}
	if (p->n_asets + 1 >= ESW_ASETS) {
		return 0;
	}
	id = p->n_asets + 1;
	as = &p->asets[id];
	if (n > 1) {
		as->xecmp = malloc(n * sizeof(*as->xecmp));
		if (as->xecmp == NULL) {
			return 0;
		}
	}
	if (actset_set(&as->as, acts, n) < 0) {
		free(as->xecmp);
		as->xecmp = NULL;
		return 0;
	}
	xact_make(&as->as.act, &as->x);
	for (unsigned int i = 0; n > 1 && i < n; i++) {
		xact_make(&as->as.ecmp[i], &as->xecmp[i]);
	}
	as->hash = h;
	p->n_asets = id;
	p->aset_slot[slot] = (uint16_t)id;
	return id;
}

/* Route 'a'/'depth' of 'family' (host order for IPv4) to next hop 'nh' in the FIB. */
static int fib_put(struct esw_pipe *p, int family, uint32_t ip4, const uint8_t *a, uint8_t depth,
		   uint32_t nh)
{
	int rc;

	if (p->fib_dirty) {
		/*
		 * rte_fib frees a deleted route's tbl8 group at once: one more
		 * route could take it while the reader still walks it. A grace
		 * period between a delete and the next add keeps them apart.
		 */
		settle(p->esw);
		p->fib_dirty = false;
	}
	TSAN_PUBLISH(p);
	rc = family == 4 ? rte_fib_add(p->fib4, ip4, depth, nh)
			 : rte_fib6_add(p->fib6, a, depth, nh);
	if (rc == -ENOSPC && family == 6 && fib6_rebuild(p) == 0) {
		rc = rte_fib6_add(p->fib6, a, depth, nh); /* full indeed if it fails again */
	}
	return rc < 0 ? (rc == -ENOSPC ? -ENOSPC : -EINVAL) : 0;
}

int esw_lpm_add(struct esw_pipe *p, int family, const uint8_t *addr, uint8_t depth,
		const struct esw_actions *acts, unsigned int n_acts, uint32_t *entry)
{
	uint8_t a[16] = {0};
	struct esw_actset *as, *old;
	uint32_t idx, nh = 0, ip4 = 0;
	uint64_t nh64 = 0;
	bool present;
	int rc;

	if (p == NULL || p->kind != PIPE_LPM || addr == NULL || acts == NULL || n_acts == 0 ||
	    n_acts > ESW_ECMP_MAX || (family != 4 && family != 6) || depth == 0 ||
	    depth > (family == 4 ? 32 : 128)) {
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n_acts; i++) {
		if (check_actions(p->esw, &acts[i]) < 0) {
			return -EINVAL;
		}
	}
	memcpy(a, addr, family == 4 ? 4 : 16);
	mask_prefix(a, family == 4 ? 4 : 16, depth);
	rc = fib_ready(p, family);
	if (rc < 0) {
		return rc;
	}
	as = actset_new(acts, n_acts);
	if (as == NULL) {
		return -ENOMEM;
	}
	if (family == 4) {
		struct rte_rib_node *node;

		memcpy(&ip4, a, 4);
		ip4 = rte_be_to_cpu_32(ip4);
		node = rte_rib_lookup_exact(rte_fib_get_rib(p->fib4), ip4, depth);
		present = node != NULL && rte_rib_get_nh(node, &nh64) == 0;
	} else {
		struct rte_rib6_node *node;

		node = rte_rib6_lookup_exact(rte_fib6_get_rib(p->fib6), a, depth);
		present = node != NULL && rte_rib6_get_nh(node, &nh64) == 0;
	}
	nh = (uint32_t)nh64;
	if (present) {
		/*
		 * Replace: same entry, same counters, new actions (and set); the
		 * actions before the next hop, which may send the reader to them.
		 */
		uint32_t was = nh;

		idx = p->lpm_sets ? NH_ID(nh) : nh;
		nh = p->lpm_sets ? idx | aset_get(p, acts, n_acts) << NH_ID_BITS : idx;
		old = p->hot[idx].as;
		STORE_REL(p->hot[idx].as, as);
		/* The same next hop (a route announced again as it was): the FIB stays. */
		rc = nh == was ? 0 : fib_put(p, family, ip4, a, depth, nh);
		if (rc < 0) {
			hot_set(p, idx, old); /* 'as' retired: a reader may have it */
			return rc;
		}
		retire(p, NO_ID, -1, old);
	} else {
		rc = entry_alloc(p, &idx);
		if (rc < 0) {
			actset_free(as);
			return rc;
		}
		memset(&p->entries[idx], 0, sizeof(p->entries[idx]));
		entry_counts_zero(p, idx);
		STORE_REL(p->hot[idx].as, as);
		nh = p->lpm_sets ? idx | aset_get(p, acts, n_acts) << NH_ID_BITS : idx;
		rc = fib_put(p, family, ip4, a, depth, nh);
		if (rc < 0) { /* never found: nothing to wait for */
			STORE_REL(p->hot[idx].as, NULL);
			actset_free(as);
			p->free_ids[p->n_free++] = idx;
			return rc;
		}
		p->entries[idx].used = true;
		p->entries[idx].family = (uint8_t)family;
		p->entries[idx].depth = depth;
		memcpy(p->entries[idx].addr, a, sizeof(a));
		p->n_used++;
	}
	if (entry != NULL) {
		*entry = idx;
	}
	return 0;
}

int esw_lpm_del(struct esw_pipe *p, uint32_t entry)
{
	struct esw_entry *e;
	int rc;

	if (p == NULL || p->kind != PIPE_LPM || entry >= p->max || !p->entries[entry].used) {
		return -ENOENT;
	}
	e = &p->entries[entry];
	if (e->family == 4) {
		uint32_t ip4;

		memcpy(&ip4, e->addr, 4);
		rc = rte_fib_delete(p->fib4, rte_be_to_cpu_32(ip4), e->depth);
	} else {
		rc = rte_fib6_delete(p->fib6, e->addr, e->depth);
	}
	if (rc < 0) {
		return -ENOENT;
	}
	p->fib_dirty = p->esw->concurrent;
	entry_free(p, entry, -1);
	return 0;
}

static uint32_t prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - len));
}

int esw_acl_build(struct esw_pipe *p)
{
	struct rte_acl_config cfg = {.num_categories = 1, .num_fields = F_NUM};
	struct rte_acl_ctx *ctx;
	int spare, rc;

	if (p == NULL || p->kind != PIPE_ACL) {
		return -EINVAL;
	}
	spare = p->acl_live == 0 ? 1 : 0;
	ctx = p->acl[spare];
	p->acl_built = -2;
	p->built_seq = p->del_seq; /* the deletions this build leaves out */
	rte_acl_reset(ctx);
	if (p->n_used == 0) { /* rte_acl cannot build an empty set: all miss */
		p->acl_built = -1;
		return 0;
	}
	for (uint32_t i = 0; i < p->max; i++) {
		const struct esw_entry *e = &p->entries[i];
		const struct esw_acl_rule *r = &e->rule;
		struct esw_acl_rule_def d = {0};

		if (!e->used) {
			continue;
		}
		/* Lower priority number wins; then the lower entry id. */
		d.data.priority = (int32_t)(RTE_ACL_MAX_PRIORITY - ((r->priority << 18) | i));
		d.data.category_mask = 1;
		d.data.userdata = i + 1; /* 0 means no match */
		d.field[F_PROTO].value.u8 = r->proto & r->proto_mask;
		d.field[F_PROTO].mask_range.u8 = r->proto_mask;
		d.field[F_SRC].value.u32 = r->src4 & prefix_mask(r->src4_len);
		d.field[F_SRC].mask_range.u32 = r->src4_len;
		d.field[F_DST].value.u32 = r->dst4 & prefix_mask(r->dst4_len);
		d.field[F_DST].mask_range.u32 = r->dst4_len;
		d.field[F_SPORT].value.u16 = r->sport_lo;
		d.field[F_SPORT].mask_range.u16 = r->sport_hi;
		d.field[F_DPORT].value.u16 = r->dport_lo;
		d.field[F_DPORT].mask_range.u16 = r->dport_hi;
		d.field[F_INPORT].value.u16 = r->in_port_lo;
		d.field[F_INPORT].mask_range.u16 = r->in_port_hi;
		d.field[F_IPVER].value.u16 = r->ip_ver ? r->ip_ver : 0;
		d.field[F_IPVER].mask_range.u16 = r->ip_ver ? r->ip_ver : 0xffff;
		rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)&d, 1);
		if (rc < 0) {
			return rc;
		}
	}
	memcpy(cfg.defs, acl_fields, sizeof(acl_fields));
	rc = rte_acl_build(ctx, &cfg);
	if (rc < 0) {
		return rc;
	}
	p->acl_built = spare;
	return 0;
}

int esw_acl_swap(struct esw_pipe *p)
{
	uint32_t gone = 0;

	if (p == NULL || p->kind != PIPE_ACL) {
		return -EINVAL;
	}
	if (p->acl_built == -2) {
		return -ENODATA;
	}
	TSAN_PUBLISH(p);
	STORE_REL(p->acl_live, p->acl_built);
	p->acl_built = -2;
	/* The context left is the next build's: no reader may be in it then. */
	settle(p->esw);
	/* The rules deleted before that build are matched no more. */
	while (gone < p->n_dying && p->entries[p->dying[gone]].dying <= p->built_seq) {
		entry_release(p, p->dying[gone], -1);
		gone++;
	}
	p->n_dying -= gone;
	memmove(p->dying, p->dying + gone, p->n_dying * sizeof(*p->dying));
	return 0;
}

int esw_acl_commit(struct esw_pipe *p)
{
	int rc = esw_acl_build(p);

	return rc < 0 ? rc : esw_acl_swap(p);
}

const struct rte_acl_ctx *esw_acl_context(const struct esw_pipe *p)
{
	if (p == NULL || p->kind != PIPE_ACL || p->acl_live < 0) {
		return NULL;
	}
	return p->acl[p->acl_live];
}

struct rte_fib *esw_lpm_fib4(const struct esw_pipe *p)
{
	return p != NULL && p->kind == PIPE_LPM ? p->fib4 : NULL;
}

int esw_entry_stats(struct esw_pipe *p, uint32_t entry, uint64_t *pkts, uint64_t *bytes)
{
	if (p == NULL || entry >= p->max || !p->entries[entry].used) {
		return -ENOENT;
	}
	grace(p->esw); /* the readers flush their hits before they are quiescent */
	flush_own(p);
	entry_counts(p, entry, pkts, bytes);
	return 0;
}

int esw_pipes(const struct esw *esw, struct esw_pipe_info *info, unsigned int max)
{
	static const char *const kinds[] = {"exact", "acl", "lpm"};

	unsigned int n = 0;

	if (esw == NULL || (info == NULL && max > 0)) {
		return -EINVAL;
	}
	grace(esw);
	for (unsigned int i = 0; i < esw->n_pipes; i++) {
		struct esw_pipe *p = esw->pipes[i];
		struct esw_pipe_info *x;

		if (p == NULL || n++ >= max) {
			continue;
		}
		x = &info[n - 1];
		flush_own(p);
		memset(x, 0, sizeof(*x));
		dpu_strscpy(x->name, p->name, sizeof(x->name));
		x->kind = kinds[p->kind];
		x->entries = p->n_used;
		x->max_entries = p->max;
		miss_counts(p, &x->miss_pkts, &x->miss_bytes);
		x->root = p == esw->root;
		for (uint32_t e = 0; e < p->max; e++) {
			uint64_t pkts, bytes;

			if (p->entries[e].used) {
				entry_counts(p, e, &pkts, &bytes);
				x->hit_pkts += pkts;
				x->hit_bytes += bytes;
			}
		}
	}
	return (int)n;
}

uint32_t esw_pipe_capacity(const struct esw_pipe *p)
{
	return p != NULL ? p->max : 0;
}

int esw_miss_stats(const struct esw_pipe *p, uint64_t *pkts, uint64_t *bytes)
{
	if (p == NULL) {
		return -EINVAL;
	}
	miss_counts(p, pkts, bytes);
	return 0;
}

/* ------------------------------------------------------------------ meters */

int esw_meter_create(struct esw *esw, uint64_t cir, uint64_t cbs, uint64_t ebs, uint32_t *id)
{
	struct rte_meter_srtcm_params prm = {.cir = cir, .cbs = cbs, .ebs = ebs};
	struct esw_meter *m;

	if (esw == NULL || id == NULL || cir == 0 || (cbs == 0 && ebs == 0)) {
		return -EINVAL;
	}
	if (esw->n_meters == ESW_METERS_MAX) {
		return -ENOSPC;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		return -ENOMEM;
	}
	if (rte_meter_srtcm_profile_config(&m->prof, &prm) != 0 ||
	    rte_meter_srtcm_config(&m->m, &m->prof) != 0) {
		free(m);
		return -EINVAL;
	}
	pthread_spin_init(&m->lock, PTHREAD_PROCESS_PRIVATE);
	/* Found by the readers through an entry made after this. */
	esw->meters[esw->n_meters] = m;
	*id = ++esw->n_meters;
	return 0;
}

int esw_meter_stats(const struct esw *esw, uint32_t id, uint64_t pkts[3], uint64_t bytes[3])
{
	if (esw == NULL || id == 0 || id > esw->n_meters) {
		return -ENOENT;
	}
	for (int c = 0; c < 3; c++) {
		pkts[c] = LOAD_ACQ(esw->meters[id - 1]->pkts[c]);
		bytes[c] = LOAD_ACQ(esw->meters[id - 1]->bytes[c]);
	}
	return 0;
}

/*
 * The colour meter 'id' gives a frame of 'len' bytes; '*now' is read once
 * per burst. Several readers share the meter under its lock, and read the
 * time in it: rte_meter takes a time before the meter's last as a wait of
 * 2^64 cycles (a full bucket).
 */
static enum esw_color meter_check(struct esw *esw, uint32_t id, uint32_t len, uint64_t *now)
{
	struct esw_meter *m = esw->meters[id - 1];
	bool shared = esw->n_readers > 1;
	enum rte_color c;

	if (shared) {
		pthread_spin_lock(&m->lock);
		*now = rte_get_tsc_cycles();
	} else if (*now == 0) {
		*now = rte_get_tsc_cycles();
	}
	c = rte_meter_srtcm_color_blind_check(&m->m, &m->prof, *now, len);
	STORE_RLX(m->pkts[c], m->pkts[c] + 1);
	STORE_RLX(m->bytes[c], m->bytes[c] + len);
	if (shared) {
		pthread_spin_unlock(&m->lock);
	}
	return (enum esw_color)c;
}

/* ------------------------------------------------------------------ data path */

/* What a lookup returns per packet: a pipe-specific word, or NO_HIT. */
#define NO_HIT UINT64_MAX

/* Look up 'n' packets (kp[idx[i]]) in pipe 'p'; a word per packet into 'hit'. */
static void lookup_exact(struct esw_pipe *p, const struct esw_key *const *kp, const uint16_t *idx,
			 unsigned int n, uint64_t *hit)
{
	uint8_t ck[ESW_BURST_MAX][ESW_CK_MAX] __attribute__((aligned(16)));
	const void *ckp[ESW_BURST_MAX];
	void *data[ESW_BURST_MAX];
	uint64_t hits = 0;

	for (unsigned int i = 0; i < n; i++) {
		compact_key(p, kp[idx[i]], ck[i]);
		ckp[i] = ck[i];
	}
	rte_hash_lookup_bulk_data(p->hash, ckp, n, &hits, data);
	for (unsigned int i = 0; i < n; i++) {
		hit[i] = (hits >> i) & 1 ? (uint64_t)(uintptr_t)data[i] : NO_HIT;
	}
}

static void lookup_acl(struct esw_pipe *p, const struct esw_key *const *kp, const uint16_t *idx,
		       unsigned int n, uint64_t *hit)
{
	struct acl_input in[ESW_BURST_MAX];
	const uint8_t *data[ESW_BURST_MAX];
	uint32_t res[ESW_BURST_MAX];
	int live = LOAD_ACQ(p->acl_live);

	if (live < 0) {
		for (unsigned int i = 0; i < n; i++) {
			hit[i] = NO_HIT;
		}
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct esw_key *k = kp[idx[i]];
		struct acl_input *a = &in[i];

		memset(a, 0, sizeof(*a));
		a->proto = k->ip_proto;
		if (k->ip_ver == 4) {
			memcpy(&a->src4, k->src_ip, 4);
			memcpy(&a->dst4, k->dst_ip, 4);
		}
		a->sport = rte_cpu_to_be_16(k->sport);
		a->dport = rte_cpu_to_be_16(k->dport);
		a->in_port = rte_cpu_to_be_16(k->in_port);
		a->ip_ver = rte_cpu_to_be_16(k->ip_ver);
		data[i] = (const uint8_t *)a;
	}
	rte_acl_classify(p->acl[live], data, res, n, 1);
	for (unsigned int i = 0; i < n; i++) {
		hit[i] = res[i] ? (uint64_t)(res[i] - 1) : NO_HIT;
	}
}

/*
 * On a concurrent switch an answer of 0 may be a torn one: rte_fib zeroes a
 * tbl8 group it frees right after pointing the tbl24 entry away from it,
 * and a reader between the two reads the zero. Asked again, the FIB gives
 * the answer from the tbl24 entry (0 again when 0 is the answer).
 */
static void fib_recheck(struct rte_fib *fib4, struct rte_fib6 *fib6, uint32_t *ip4,
			uint8_t (*ip6)[16], uint64_t *nh, unsigned int n)
{
	for (unsigned int j = 0; j < n; j++) {
		if (nh[j] == 0) {
			if (fib4 != NULL) {
				rte_fib_lookup_bulk(fib4, &ip4[j], &nh[j], 1);
			} else {
				rte_fib6_lookup_bulk(fib6, &ip6[j], &nh[j], 1);
			}
		}
	}
}

static void lookup_lpm(struct esw_pipe *p, const struct esw_key *const *kp, const uint16_t *idx,
		       unsigned int n, uint64_t *hit)
{
	uint32_t ip4[ESW_BURST_MAX];
	uint64_t nh4[ESW_BURST_MAX], nh6[ESW_BURST_MAX];
	uint8_t ip6[ESW_BURST_MAX][16];
	unsigned int at4[ESW_BURST_MAX], at6[ESW_BURST_MAX], n4 = 0, n6 = 0;
	struct rte_fib *fib4 = LOAD_ACQ(p->fib4);
	struct rte_fib6 *fib6 = LOAD_ACQ(p->fib6);
	bool torn = p->esw->concurrent;

	for (unsigned int i = 0; i < n; i++) {
		const struct esw_key *k = kp[idx[i]];

		hit[i] = NO_HIT;
		if (k->ip_ver == 4) {
			uint32_t v;

			memcpy(&v, k->dst_ip, 4);
			ip4[n4] = rte_be_to_cpu_32(v);
			at4[n4++] = i;
		} else if (k->ip_ver == 6) {
			memcpy(ip6[n6], k->dst_ip, 16);
			at6[n6++] = i;
		}
	}
	if (n4 == n && fib4 != NULL) {
		/* All IPv4 (as usual): the answers straight into hit[]. */
		rte_fib_lookup_bulk(fib4, ip4, hit, (int)n);
		if (torn) {
			fib_recheck(fib4, NULL, ip4, NULL, hit, n);
		}
		for (unsigned int j = 0; j < n; j++) {
			hit[j] = hit[j] == FIB_NO_ROUTE ? NO_HIT : hit[j];
		}
		return;
	}
	if (n4 > 0 && fib4 != NULL) {
		rte_fib_lookup_bulk(fib4, ip4, nh4, (int)n4);
		if (torn) {
			fib_recheck(fib4, NULL, ip4, NULL, nh4, n4);
		}
		for (unsigned int j = 0; j < n4; j++) {
			if (nh4[j] != FIB_NO_ROUTE) {
				hit[at4[j]] = nh4[j];
			}
		}
	}
	if (n6 > 0 && fib6 != NULL) {
		rte_fib6_lookup_bulk(fib6, ip6, nh6, (int)n6);
		if (torn) {
			fib_recheck(NULL, fib6, NULL, ip6, nh6, n6);
		}
		for (unsigned int j = 0; j < n6; j++) {
			if (nh6[j] != FIB_NO_ROUTE) {
				hit[at6[j]] = nh6[j];
			}
		}
	}
}

/* Per-flow hash for ECMP and VXLAN source ports: addresses, ports and protocol. */
static uint32_t flow_hash(const struct esw_key *k)
{
	uint32_t h = rte_hash_crc(k->src_ip, 16, 0x9e3779b9);

	h = rte_hash_crc(k->dst_ip, 16, h);
	h = rte_hash_crc_4byte((uint32_t)k->sport << 16 | k->dport, h);
	return rte_hash_crc_1byte(k->ip_proto, h);
}

#define VXLAN_PORT 4789
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

/* The UDP source port of an encap: RFC 7348's entropy, from the inner flow. */
static uint16_t encap_sport(const struct esw_key *k)
{
	return (uint16_t)(49152 + flow_hash(k) % 16384);
}

/* What the frame's key becomes after 'e', for the pipes after this one. */
static void key_edit(struct esw_key *k, const struct esw_edit *e, uint16_t sport)
{
	uint16_t in_port = k->in_port;
	bool l4 = (k->flags & ESW_KEY_L4) && (k->ip_proto == 6 || k->ip_proto == 17);

	if ((e->ops & ESW_EDIT_DECAP) && (k->flags & ESW_KEY_VXLAN)) {
		struct esw_inner in = k->inner;

		memset(k, 0, sizeof(*k));
		k->in_port = in_port;
		k->ethertype = in.ethertype;
		k->ip_ver = in.ip_ver;
		k->ip_proto = in.ip_proto;
		k->sport = in.sport;
		k->dport = in.dport;
		k->flags = in.flags;
		k->tcp_flags = in.tcp_flags;
		memcpy(k->src_mac, in.src_mac, 6);
		memcpy(k->dst_mac, in.dst_mac, 6);
		memcpy(k->src_ip, in.src_ip, 16);
		memcpy(k->dst_ip, in.dst_ip, 16);
		l4 = (k->flags & ESW_KEY_L4) && (k->ip_proto == 6 || k->ip_proto == 17);
	}
	if (e->ops & ESW_EDIT_SRC_MAC) {
		memcpy(k->src_mac, e->src_mac, 6);
	}
	if (e->ops & ESW_EDIT_DST_MAC) {
		memcpy(k->dst_mac, e->dst_mac, 6);
	}
	if ((e->ops & ESW_EDIT_SRC_IP) && k->ip_ver == e->ip_ver) {
		memcpy(k->src_ip, e->src_ip, e->ip_ver == 4 ? 4 : 16);
	}
	if ((e->ops & ESW_EDIT_DST_IP) && k->ip_ver == e->ip_ver) {
		memcpy(k->dst_ip, e->dst_ip, e->ip_ver == 4 ? 4 : 16);
	}
	if ((e->ops & ESW_EDIT_SRC_PORT) && l4) {
		k->sport = e->sport;
	}
	if ((e->ops & ESW_EDIT_DST_PORT) && l4) {
		k->dport = e->dport;
	}
	if (e->ops & ESW_EDIT_ENCAP) {
		struct esw_inner in = {
			.ethertype = k->ethertype,
			.ip_ver = k->ip_ver,
			.ip_proto = k->ip_proto,
			.sport = k->sport,
			.dport = k->dport,
			.flags = (uint8_t)(k->flags & (ESW_KEY_L3 | ESW_KEY_L4 | ESW_KEY_TRUNC |
						       ESW_KEY_FRAG)),
			.tcp_flags = k->tcp_flags,
		};
		const struct esw_vxlan *v = &e->encap;

		memcpy(in.src_mac, k->src_mac, 6);
		memcpy(in.dst_mac, k->dst_mac, 6);
		memcpy(in.src_ip, k->src_ip, 16);
		memcpy(in.dst_ip, k->dst_ip, 16);
		memset(k, 0, sizeof(*k));
		k->in_port = in_port;
		k->inner = in;
		k->ethertype = v->ip_ver == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
		memcpy(k->src_mac, v->src_mac, 6);
		memcpy(k->dst_mac, v->dst_mac, 6);
		k->ip_ver = v->ip_ver;
		k->ip_proto = 17;
		memcpy(k->src_ip, v->src_ip, v->ip_ver == 4 ? 4 : 16);
		memcpy(k->dst_ip, v->dst_ip, v->ip_ver == 4 ? 4 : 16);
		k->sport = sport;
		k->dport = v->udp_dport != 0 ? v->udp_dport : VXLAN_PORT;
		k->vni = v->vni;
		k->flags = ESW_KEY_L3 | ESW_KEY_L4 | ESW_KEY_VXLAN;
	}
}

/* The member of an ECMP group of 'n' the flow of 'k' takes. */
static inline uint32_t ecmp_pick(const struct esw_key *k, uint32_t n)
{
	return (uint32_t)(((uint64_t)flow_hash(k) * n) >> 32);
}

/*
 * Apply actions 'a' to packet 'k' (its result already begun); returns the
 * pipe it goes on to, or NULL when it is done.
 */
static struct esw_pipe *act_apply(struct esw *esw, const struct esw_actions *a, unsigned int k,
				  const struct esw_key **kp, struct esw_key *wk,
				  const uint32_t *lens, struct esw_result *res, uint64_t *now)
{
	struct esw_result *r = &res[k];

	if (a->meter != 0) {
		enum esw_color c = meter_check(esw, a->meter, lens[k], now);

		r->color = (uint8_t)c;
		if (c == ESW_RED) {
			r->fate = ESW_FATE_DROP;
			return NULL;
		}
	}
	act_head(a, r);
	if (a->edit != NULL) {
		uint16_t sport = 0;

		if (r->n_edits == ESW_EDITS_MAX) {
			r->fate = ESW_FATE_DROP; /* more than it can carry */
			return NULL;
		}
		if (a->edit->ops & ESW_EDIT_ENCAP) {
			sport = encap_sport(kp[k]);
		}
		r->edits[r->n_edits].edit = a->edit;
		r->edits[r->n_edits].encap_sport = sport;
		r->n_edits++;
		if (a->fate == ESW_FATE_PIPE) {
			if (kp[k] != &wk[k]) {
				wk[k] = *kp[k];
				kp[k] = &wk[k];
			}
			key_edit(&wk[k], a->edit, sport);
		}
	}
	if (a->fate == ESW_FATE_PIPE) {
		r->fate = ESW_FATE_DROP; /* until a pipe decides */
		return a->pipe;
	}
	return NULL;
}

/* The entry id in a lookup's word. */
static inline uint32_t hit_id(const struct esw_pipe *p, uint64_t w)
{
	if (p->kind == PIPE_EXACT) {
		return W_ID(w);
	}
	if (p->kind == PIPE_LPM && p->lpm_sets) {
		return NH_ID(w);
	}
	return (uint32_t)w;
}

/* Whether the word leaves the entry's actions to hot[]. */
static inline bool hit_slow(const struct esw_pipe *p, uint64_t w)
{
	if (p->kind == PIPE_EXACT) {
		return !(w & W_FAST);
	}
	if (p->kind == PIPE_LPM && p->lpm_sets) {
		return NH_SET(w) == 0;
	}
	return true;
}

/*
 * One pipe's turn for the 'm' packets idx[] that are at it: look them up,
 * apply the entries' (or the miss's) actions, and say in next[] where each
 * goes on (NULL: it is done). 'first': the pipe is the packets' first, their
 * results not begun yet; 'r' the reader. Returns how many go on.
 */
static unsigned int pipe_step(struct esw *esw, unsigned int r, struct esw_pipe *p,
			      const uint16_t *idx, unsigned int m, const struct esw_key **kp,
			      struct esw_key *wk, const uint32_t *lens, struct esw_result *res,
			      struct esw_pipe **next, uint64_t *now, bool first)
{
	struct esw_bank *b = &p->bank[r];
	uint64_t hit[ESW_BURST_MAX];
	const struct esw_actset *sets[ESW_BURST_MAX];
	bool ahead = p->kind != PIPE_LPM || !p->lpm_sets; /* else sets are rare */
	unsigned int going = 0;

	if (p->kind == PIPE_EXACT) {
		lookup_exact(p, kp, idx, m, hit);
	} else if (p->kind == PIPE_ACL) {
		lookup_acl(p, kp, idx, m, hit);
	} else {
		lookup_lpm(p, kp, idx, m, hit);
	}
	TSAN_SUBSCRIBE(p);
	if (ahead) {
		/*
		 * The entries whose actions the word does not carry: their action
		 * sets read ahead, the pointers first, then what they point to
		 * (one dependent miss at a time would stall on every packet).
		 * NULL: the entry went between the lookup and here (a miss).
		 */
		for (unsigned int j = 0; j < m; j++) {
			if (hit[j] != NO_HIT && hit_slow(p, hit[j])) {
				rte_prefetch0(&p->hot[hit_id(p, hit[j])]);
			}
		}
		for (unsigned int j = 0; j < m; j++) {
			sets[j] = NULL;
			if (hit[j] != NO_HIT && hit_slow(p, hit[j])) {
				sets[j] = LOAD_ACQ(p->hot[hit_id(p, hit[j])].as);
				if (sets[j] != NULL) {
					rte_prefetch0(sets[j]);
					rte_prefetch0(&sets[j]->ecmp); /* its last bytes */
				} else {
					hit[j] = NO_HIT;
				}
			}
		}
	}
	if (b->n_log + m > ESW_LOG_MAX) {
		flush_log(b);
	}
	if (esw->concurrent && !b->in_dirty) {
		struct esw_reader *rd = &esw->rd[r];

		rd->dirty[rd->n_dirty++] = p; /* flushed by esw_quiescent() */
		b->in_dirty = true;
	}
	for (unsigned int j = 0; j < m; j++) {
		unsigned int k = idx[j];
		uint64_t w = hit[j];
		const struct esw_actions *a;
		const struct esw_xact *x = NULL;
		struct esw_pipe *nx;

		const struct esw_actset *as = NULL;

		if (w != NO_HIT && hit_slow(p, w)) {
			as = ahead ? sets[j] : LOAD_ACQ(p->hot[hit_id(p, w)].as);
			w = as != NULL ? w : NO_HIT; /* NULL: the entry went meanwhile */
		}
		if (w == NO_HIT) {
			STORE_RLX(b->miss_pkts, b->miss_pkts + 1);
			STORE_RLX(b->miss_bytes, b->miss_bytes + lens[k]);
			a = &p->miss;
			x = &p->xmiss;
		} else {
			uint32_t id = hit_id(p, w);

			b->log[b->n_log++] = (struct esw_hit_rec){id, lens[k]};
			/* The counter word, to be written when the log is flushed. */
			__builtin_prefetch(&b->ctr_word[id], 1, 3);
			if (as != NULL) {
				a = as->n_ecmp > 1 ? &as->ecmp[ecmp_pick(kp[k], as->n_ecmp)]
						   : &as->act;
			} else if (p->kind == PIPE_EXACT) {
				/* The actions, from the word itself. */
				enum esw_fate f = W_FATE(w);

				if (first) {
					res_fresh(&res[k]);
				}
				res[k].fate = f;
				if (W_MARKED(w)) {
					res[k].marked = true;
					res[k].mark = W_MARK(w);
				}
				next[k] = NULL;
				if (f == ESW_FATE_PORT) {
					res[k].port = W_TARGET(w);
				} else if (f == ESW_FATE_PIPE) {
					next[k] = LOAD_ACQ(esw->pipes[W_TARGET(w)]);
					res[k].fate = ESW_FATE_DROP;
					going++;
				}
				continue;
			} else {
				const struct esw_aset *s = &p->asets[NH_SET(w)];
				uint32_t n = s->as.n_ecmp;

				if (n > 1) {
					uint32_t e = ecmp_pick(kp[k], n);

					a = &s->as.ecmp[e];
					x = &s->xecmp[e];
				} else {
					a = &s->as.act;
					x = &s->x;
				}
			}
		}
		if (first) {
			if (x != NULL && x->simple) {
				memcpy(&res[k], x->head, RES_HEAD);
				next[k] = NULL;
				continue;
			}
			res_fresh(&res[k]);
		}
		nx = act_apply(esw, a, k, kp, wk, lens, res, now);
		next[k] = nx;
		going += nx != NULL;
	}
	return going;
}

int esw_classify_burst(struct esw *esw, const struct esw_key *keys, const uint32_t *lens,
		       unsigned int n, struct esw_result *res)
{
	return esw_reader_classify(esw, 0, keys, lens, n, res);
}

int esw_reader_classify(struct esw *esw, unsigned int reader, const struct esw_key *keys,
			const uint32_t *lens, unsigned int n, struct esw_result *res)
{
	struct esw_pipe *at[ESW_BURST_MAX], *next[ESW_BURST_MAX], *group;
	const struct esw_key *kp[ESW_BURST_MAX];
	struct esw_key wk[ESW_BURST_MAX]; /* keys changed by edits, as later pipes see them */
	uint16_t active[ESW_BURST_MAX], idx[ESW_BURST_MAX];
	unsigned int n_active = n;
	uint64_t now = 0;

	group = esw != NULL && reader < esw->n_readers ? LOAD_ACQ(esw->root) : NULL;
	if (group == NULL || n > ESW_BURST_MAX) {
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n; i++) {
		active[i] = (uint16_t)i;
		kp[i] = &keys[i];
	}
	/*
	 * 'active' are the packets still going, 'group' the one pipe they are
	 * all at (usually so), NULL when they are at several (at[] says which).
	 * All start at the root, where their results begin.
	 */
	for (int hop = 0; hop < ESW_MAX_HOPS && n_active > 0; hop++) {
		struct esw_pipe *same = NULL;
		unsigned int n_next = 0, going = 0;
		bool one = true;

		if (group != NULL) {
			going = pipe_step(esw, reader, group, active, n_active, kp, wk, lens, res,
					  next, &now, hop == 0);
		} else {
			for (unsigned int i = 0; i < n_active; i++) {
				struct esw_pipe *p = at[active[i]];
				unsigned int m = 0;

				if (p == NULL) {
					continue; /* done in this hop already */
				}
				for (unsigned int j = i; j < n_active; j++) {
					if (at[active[j]] == p) {
						idx[m++] = active[j];
						at[active[j]] = NULL;
					}
				}
				going += pipe_step(esw, reader, p, idx, m, kp, wk, lens, res, next,
						   &now, false);
			}
		}
		if (going == 0) {
			break;
		}
		/* Who goes on, and whether to one pipe. */
		for (unsigned int i = 0; i < n_active; i++) {
			unsigned int k = active[i];

			if (next[k] == NULL) {
				continue;
			}
			if (same == NULL) {
				same = next[k];
			} else if (next[k] != same) {
				one = false;
			}
			at[k] = next[k];
			active[n_next++] = (uint16_t)k;
		}
		n_active = n_next;
		group = one ? same : NULL;
	}
	return 0;
}

/* ------------------------------------------------------------------ rewrite */

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * RFC 1624 incremental update of the checksum at 'csum' for 'len' (even)
 * bytes changing from 'old' to 'new'. A UDP checksum that comes out 0 is
 * sent as 0xffff (0 means none).
 */
static void csum_update(uint8_t *csum, const uint8_t *old, const uint8_t *new, unsigned int len,
			bool udp)
{
	uint32_t s = (uint16_t)~rd16(csum);
	uint16_t r;

	for (unsigned int i = 0; i < len; i += 2) {
		s += (uint16_t)~rd16(old + i);
		s += rd16(new + i);
	}
	while (s >> 16) {
		s = (s & 0xffff) + (s >> 16);
	}
	r = (uint16_t)~s;
	wr16(csum, udp && r == 0 ? 0xffff : r);
}

/*
 * Replace 'len' bytes at 'field' (an address or a port) with 'val' and fix
 * the checksums that cover them: the IPv4 header's when 'ip_hdr', the L4
 * header's (TCP; UDP unless it has none; ICMPv6 for IPv6 addresses).
 */
static void set_field(uint8_t *f, const struct esw_key *k, const struct esw_offsets *o,
		      uint8_t *field, const uint8_t *val, unsigned int len, bool ip_hdr)
{
	uint8_t old[16];

	memcpy(old, field, len);
	memcpy(field, val, len);
	if (ip_hdr && k->ip_ver == 4) {
		csum_update(f + o->l3 + 10, old, val, len, false);
	}
	if (!(k->flags & ESW_KEY_L4) || o->l4 == 0) {
		return; /* a fragment or a cut header: no L4 checksum to keep */
	}
	if (k->ip_proto == 6) {
		csum_update(f + o->l4 + 16, old, val, len, false);
	} else if (k->ip_proto == 17 && rd16(f + o->l4 + 6) != 0) {
		csum_update(f + o->l4 + 6, old, val, len, true);
	} else if (k->ip_proto == 58 && ip_hdr) {
		csum_update(f + o->l4 + 2, old, val, len, false);
	}
}

/* The header rewrites and TTL decrement of 'e' on the frame at 'f'. */
static int rewrite_headers(uint8_t *f, uint32_t len, const struct esw_edit *e)
{
	struct esw_offsets o;
	struct esw_key k;
	unsigned int alen;
	bool l4;

	if (esw_parse_offsets(f, len, 0, &k, &o) < 0) {
		return -EINVAL;
	}
	if (e->ops & ESW_EDIT_DST_MAC) {
		memcpy(f, e->dst_mac, 6);
	}
	if (e->ops & ESW_EDIT_SRC_MAC) {
		memcpy(f + 6, e->src_mac, 6);
	}
	if (!(k.flags & ESW_KEY_L3)) {
		return 0;
	}
	alen = k.ip_ver == 4 ? 4 : 16;
	if (k.ip_ver == e->ip_ver) {
		uint32_t src = o.l3 + (k.ip_ver == 4 ? 12 : 8);

		if (e->ops & ESW_EDIT_SRC_IP) {
			set_field(f, &k, &o, f + src, e->src_ip, alen, true);
		}
		if (e->ops & ESW_EDIT_DST_IP) {
			set_field(f, &k, &o, f + src + alen, e->dst_ip, alen, true);
		}
	}
	l4 = (k.flags & ESW_KEY_L4) && o.l4 != 0 && (k.ip_proto == 6 || k.ip_proto == 17);
	if ((e->ops & ESW_EDIT_SRC_PORT) && l4) {
		uint8_t v[2];

		wr16(v, e->sport);
		set_field(f, &k, &o, f + o.l4, v, 2, false);
	}
	if ((e->ops & ESW_EDIT_DST_PORT) && l4) {
		uint8_t v[2];

		wr16(v, e->dport);
		set_field(f, &k, &o, f + o.l4 + 2, v, 2, false);
	}
	if (e->ops & ESW_EDIT_DEC_TTL) {
		uint8_t *ttl = f + o.l3 + (k.ip_ver == 4 ? 8 : 7);

		if (*ttl <= 1) {
			return -ETIMEDOUT;
		}
		if (k.ip_ver == 4) {
			uint8_t old[2] = {ttl[0], ttl[1]}, new[2] = {(uint8_t)(ttl[0] - 1), ttl[1]};

			ttl[0]--;
			csum_update(f + o.l3 + 10, old, new, 2, false);
		} else {
			ttl[0]--;
		}
	}
	return 0;
}

/* The VXLAN headers of 'v' in front of the 'len'-byte frame at 'f' ('hdr' bytes). */
static void put_vxlan(uint8_t *f, uint32_t len, uint32_t hdr, const struct esw_vxlan *v,
		      uint16_t sport)
{
	uint8_t *ip = f + 14, *udp = f + hdr - 16, *vx = f + hdr - 8;
	uint32_t udp_len = len - (uint32_t)(udp - f);

	memcpy(f, v->dst_mac, 6);
	memcpy(f + 6, v->src_mac, 6);
	wr16(f + 12, v->ip_ver == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
	wr16(udp, sport);
	wr16(udp + 2, v->udp_dport != 0 ? v->udp_dport : VXLAN_PORT);
	wr16(udp + 4, (uint16_t)udp_len);
	wr16(udp + 6, 0);
	vx[0] = 0x08; /* the VNI is valid */
	vx[1] = vx[2] = vx[3] = 0;
	vx[4] = (uint8_t)(v->vni >> 16);
	vx[5] = (uint8_t)(v->vni >> 8);
	vx[6] = (uint8_t)v->vni;
	vx[7] = 0;
	if (v->ip_ver == 4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(void *)ip;

		memset(h, 0, sizeof(*h));
		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16((uint16_t)(len - 14));
		h->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		h->time_to_live = v->ttl != 0 ? v->ttl : 64;
		h->next_proto_id = 17;
		memcpy(&h->src_addr, v->src_ip, 4);
		memcpy(&h->dst_addr, v->dst_ip, 4);
		h->hdr_checksum = rte_ipv4_cksum(h);
		/* UDP checksum 0 over IPv4, as Linux's VXLAN sends by default. */
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)(void *)ip;

		memset(h, 0, sizeof(*h));
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16((uint16_t)udp_len);
		h->proto = 17;
		h->hop_limits = v->ttl != 0 ? v->ttl : 64;
		memcpy(&h->src_addr, v->src_ip, 16);
		memcpy(&h->dst_addr, v->dst_ip, 16);
		/* IPv6 requires a UDP checksum (RFC 8200 §8.1). */
		((struct rte_udp_hdr *)(void *)udp)->dgram_cksum = rte_ipv6_udptcp_cksum(h, udp);
	}
}

int esw_rewrite(uint8_t *pkt, uint32_t len, uint32_t room, const struct esw_result *res,
		int32_t *start, uint32_t *new_len)
{
	uint8_t *f = pkt;

	if (pkt == NULL || res == NULL || start == NULL || new_len == NULL ||
	    res->n_edits > ESW_EDITS_MAX) {
		return -EINVAL;
	}
	for (unsigned int i = 0; i < res->n_edits; i++) {
		const struct esw_edit *e = res->edits[i].edit;
		int rc;

		if (e->ops & ESW_EDIT_DECAP) {
			struct esw_offsets o;
			struct esw_key k;

			if (esw_parse_offsets(f, len, 0, &k, &o) == 0 && o.inner != 0) {
				f += o.inner;
				len -= o.inner;
				room += o.inner;
			}
		}
		rc = rewrite_headers(f, len, e);
		if (rc < 0) {
			return rc;
		}
		if (e->ops & ESW_EDIT_ENCAP) {
			uint32_t hdr = 14 + (e->encap.ip_ver == 4 ? 20 : 40) + 8 + 8;

			if (room < hdr || len + hdr > UINT16_MAX) {
				return -ENOSPC;
			}
			f -= hdr;
			room -= hdr;
			len += hdr;
			put_vxlan(f, len, hdr, &e->encap, res->edits[i].encap_sport);
		}
	}
	*start = (int32_t)(f - pkt);
	*new_len = len;
	return 0;
}
