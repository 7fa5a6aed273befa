/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <pcap/pcap.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_thash.h>

#define DPU_LOG_MODULE "simd-dp"
#include "common/log.h"
#include "common/timeutil.h"
#include "sim/eswitch/esw.h"
#include "sim/pcc.h"
#include "sim/simd/dataplane.h"
#include "sim/simd/portmeta.h"

#define DP_BURST 32
#define DP_PREFETCH 8 /* frames ahead */
#define DP_POOL_SIZE 8191
#define DP_POOL_CACHE 256
#define DP_RING_SIZE 1024
/* Wait for the next frame of a paced replay only when it is due this much later. */
#define DP_SLEEP_MIN_NS (50 * DPU_NSEC_PER_USEC)
/* Longest idle wait while service ports need polling. */
#define DP_POLL_IDLE_NS (200 * DPU_NSEC_PER_USEC)
#define DP_MAX_QUEUES 16
/* A NIC's RSS redirection table: entry i holds queue i % queues. */
#define DP_RETA_SIZE 128

/* The 40-byte Toeplitz key most NICs and drivers use by default. */
static const uint8_t rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct port_ctr {
	atomic_uint_fast64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
	atomic_uint_fast64_t tx_packets, tx_bytes, tx_dropped;
};

/*
 * RoCEv2 congestion control on an uplink (sim/pcc.h): the settings come from
 * the control thread, the events are counted here (single writer).
 */
#define CC_QPS 1024 /* QPs remembered per table; a collision forgets the older one */
#define ROCE_PORT 4791
#define BTH_OPCODE_CNP 0x81

struct cc_qp {
	uint32_t qp;
	bool used;
	uint64_t t; /* ns: the last CNP due (NP), the last rate reduction (RP) */
};

enum {
	CC_CNP_HANDLED,
	CC_CNP_IGNORED,
	CC_RATE_REDUCTIONS,
	CC_CE_HANDLED,
	CC_CE_IGNORED,
	CC_CNP_SENT,
	CC_EVENTS
};

struct cc_port {
	bool uplink;
	atomic_bool enabled;
	atomic_uint_fast64_t np_gap_ns, rp_gap_ns;
	atomic_uint_fast64_t ev[CC_EVENTS];
	struct cc_qp *np, *rp; /* [CC_QPS] each */
};

/* A port with frames of its own: a service's memif, a tap or a veth (dp thread). */
struct svc_port {
	bool attached;
	enum simd_backing kind;
	uint16_t ethdev;
	uint16_t queues;     /* queue pairs (a service's memif; 1 otherwise) */
	char arg[108];	     /* socket path or interface name */
	struct esw *ingress; /* the port's own rules; NULL: deliver all */
};

/* Frames for one output port, collected over a burst. */
struct out_q {
	unsigned int n;
	struct rte_mbuf *m[DP_BURST * 2];
	struct esw_key key[DP_BURST * 2];
	struct esw_result res[DP_BURST * 2];
};

struct simd_dp {
	const struct sim_device *dev;
	struct esw *esw;
	struct esw_pipe *pipe;
	struct rte_mempool *pool;
	struct port_ctr ctr[SIM_MAX_PORTS];
	struct cc_port cc[SIM_MAX_PORTS];
	struct svc_port svc[SIM_MAX_PORTS];
	unsigned int n_svc;
	struct out_q *outq; /* [SIM_MAX_PORTS] */

	pthread_t thread;
	pthread_mutex_t lock; /* guards what follows */
	pthread_cond_t cond;  /* wakes the data-plane thread */
	pthread_cond_t done;  /* a call has returned */
	bool quit;

	/* One call at a time from the control thread. */
	atomic_bool call_pending;
	simd_dp_fn *call_fn;
	void *call_arg;
	int call_rc;
	uint64_t call_seq, call_done;

	/* The replay job; 'have_job' is set by simd_dp_replay(), cleared by the dp thread. */
	atomic_bool stop_job;
	bool have_job;
	struct simd_replay_req job;
	uint16_t job_port;
	pcap_t *pc;
	struct simd_replay_status st;

	/* Replay progress: data-plane thread only. */
	struct {
		bool started, held;
		uint64_t start, first_ts, idx, loop;
		off_t size;
		struct pcap_pkthdr *hdr;
		const u_char *data;
		uint64_t pkts, bytes; /* not yet in 'st' */
	} rp;
};

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
	c->tx_dropped = atomic_load_explicit(&p->tx_dropped, memory_order_relaxed);
}

/* ---- calls onto the data-plane thread ---- */

static void serve_call(struct simd_dp *dp)
{
	if (!atomic_load_explicit(&dp->call_pending, memory_order_acquire)) {
		return;
	}
	pthread_mutex_lock(&dp->lock);
	dp->call_rc = dp->call_fn(dp, dp->call_arg);
	dp->call_done = dp->call_seq;
	atomic_store(&dp->call_pending, false);
	pthread_cond_broadcast(&dp->done);
	pthread_mutex_unlock(&dp->lock);
}

int simd_dp_call(struct simd_dp *dp, simd_dp_fn *fn, void *arg)
{
	uint64_t seq;
	int rc;

	pthread_mutex_lock(&dp->lock);
	while (atomic_load(&dp->call_pending)) { /* another caller's turn */
		pthread_cond_wait(&dp->done, &dp->lock);
	}
	dp->call_fn = fn;
	dp->call_arg = arg;
	seq = ++dp->call_seq;
	atomic_store_explicit(&dp->call_pending, true, memory_order_release);
	pthread_cond_signal(&dp->cond);
	while (dp->call_done != seq) {
		pthread_cond_wait(&dp->done, &dp->lock);
	}
	rc = dp->call_rc;
	pthread_mutex_unlock(&dp->lock);
	return rc;
}

struct esw *simd_dp_switch(struct simd_dp *dp)
{
	return dp->esw;
}

struct esw_pipe *simd_dp_default_pipe(struct simd_dp *dp)
{
	return dp->pipe;
}

struct esw *simd_dp_ingress(struct simd_dp *dp, size_t port)
{
	return port < SIM_MAX_PORTS ? dp->svc[port].ingress : NULL;
}

void simd_dp_set_ingress(struct simd_dp *dp, size_t port, struct esw *esw)
{
	if (port >= SIM_MAX_PORTS) {
		return;
	}
	esw_destroy(dp->svc[port].ingress);
	dp->svc[port].ingress = esw;
}

/* ---- service ports ---- */

struct attach_req {
	size_t port;
	enum simd_backing kind;
	const char *arg;
	uint16_t queues;
};

/* Stop and remove the port's backing (its ingress rules stay). */
static void detach_one(struct simd_dp *dp, size_t port)
{
	struct svc_port *sp = &dp->svc[port];
	char name[RTE_ETH_NAME_MAX_LEN];

	if (!sp->attached) {
		return;
	}
	rte_eth_dev_stop(sp->ethdev);
	if (rte_eth_dev_get_name_by_port(sp->ethdev, name) == 0) {
		rte_eth_dev_close(sp->ethdev);
		rte_eal_hotplug_remove("vdev", name);
	}
	sp->attached = false;
	dp->n_svc--;
}

static const char *const backing_drivers[] = {"net_memif", "net_tap", "net_af_packet"};

static int attach_on_dp(struct simd_dp *dp, void *arg)
{
	const struct attach_req *r = arg;
	struct svc_port *sp = &dp->svc[r->port];
	const char *port = dp->dev->ports[r->port].name;
	struct rte_eth_conf conf;
	char name[64], args[256];
	uint16_t pid;
	int rc;

	if (sp->attached) {
		if (sp->kind != r->kind || strcmp(sp->arg, r->arg) != 0) {
			return -EEXIST;
		}
		if (sp->queues == r->queues) {
			return 0;
		}
		/* A service back with another queue count: its memif is made anew. */
		log_info("%s: %u queues instead of %u", port, r->queues, sp->queues);
		detach_one(dp, r->port);
	}
	if (dpu_strscpy(sp->arg, r->arg, sizeof(sp->arg)) < 0) {
		return -ENAMETOOLONG;
	}
	snprintf(name, sizeof(name), "%s_simd%zu", backing_drivers[r->kind], r->port);
	switch (r->kind) {
	case SIMD_BACKING_SERVICE:
		snprintf(args, sizeof(args),
			 "role=server,id=0,socket=%s,socket-abstract=no,rsize=10", r->arg);
		break;
	case SIMD_BACKING_TAP:
		snprintf(args, sizeof(args), "iface=%s", r->arg);
		break;
	default:
		snprintf(args, sizeof(args), "iface=%s,qpairs=1,framecnt=4096", r->arg);
		break;
	}
	rc = rte_eal_hotplug_add("vdev", name, args);
	if (rc < 0) {
		log_err("%s: %s %s: %s", port, backing_drivers[r->kind], r->arg, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_get_port_by_name(name, &pid);
	if (rc == 0) {
		memset(&conf, 0, sizeof(conf));
		rc = rte_eth_dev_configure(pid, r->queues, r->queues, &conf);
	}
	for (uint16_t q = 0; rc == 0 && q < r->queues; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, DP_RING_SIZE, SOCKET_ID_ANY, NULL, dp->pool);
		if (rc == 0) {
			rc = rte_eth_tx_queue_setup(pid, q, DP_RING_SIZE, SOCKET_ID_ANY, NULL);
		}
	}
	if (rc == 0) {
		rc = rte_eth_dev_start(pid);
	}
	if (rc == 0 && r->kind != SIMD_BACKING_SERVICE) {
		rc = rte_eth_promiscuous_enable(pid);
		rc = rc == -ENOTSUP ? 0 : rc;
	}
	if (rc < 0) {
		log_err("%s: %s port: %s", port, backing_drivers[r->kind], rte_strerror(-rc));
		rte_eth_dev_stop(pid);
		rte_eal_hotplug_remove("vdev", name);
		return rc;
	}
	sp->ethdev = pid;
	sp->queues = r->queues;
	sp->kind = r->kind;
	sp->attached = true;
	dp->n_svc++;
	log_info("%s: on %s %s, %u queue%s", port, backing_drivers[r->kind], r->arg, r->queues,
		 r->queues == 1 ? "" : "s");
	return 0;
}

int simd_dp_attach(struct simd_dp *dp, size_t port, enum simd_backing kind, const char *arg,
		   uint16_t queues)
{
	struct attach_req r = {.port = port, .kind = kind, .arg = arg, .queues = queues};

	if (port >= dp->dev->n_ports || (unsigned int)kind > SIMD_BACKING_AF_PACKET) {
		return -ENODEV;
	}
	if (queues == 0 || queues > DP_MAX_QUEUES ||
	    (kind != SIMD_BACKING_SERVICE && queues != 1)) {
		return -EINVAL;
	}
	return simd_dp_call(dp, attach_on_dp, &r);
}

struct attached_req {
	size_t port;
	bool attached, up;
	enum simd_backing kind;
};

static int attached_on_dp(struct simd_dp *dp, void *arg)
{
	struct attached_req *r = arg;
	struct rte_eth_link link;

	r->attached = dp->svc[r->port].attached;
	r->kind = dp->svc[r->port].kind;
	r->up = r->attached && rte_eth_link_get_nowait(dp->svc[r->port].ethdev, &link) == 0 &&
		link.link_status == RTE_ETH_LINK_UP;
	return 0;
}

bool simd_dp_attached(struct simd_dp *dp, size_t port, enum simd_backing *kind, bool *link_up)
{
	struct attached_req r = {.port = port};

	if (port >= dp->dev->n_ports) {
		return false;
	}
	simd_dp_call(dp, attached_on_dp, &r);
	if (link_up != NULL) {
		*link_up = r.up;
	}
	if (kind != NULL) {
		*kind = r.kind;
	}
	return r.attached;
}

static void detach_all(struct simd_dp *dp)
{
	for (size_t i = 0; i < SIM_MAX_PORTS; i++) {
		esw_destroy(dp->svc[i].ingress);
		dp->svc[i].ingress = NULL;
		detach_one(dp, i);
	}
}

/* ---- forwarding ---- */

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

/*
 * The packet edits the switch decided (header rewrites, VXLAN decap/encap)
 * on 'm', and 'key' parsed anew from the result; false when the frame is to
 * be dropped (a TTL ran out, no room in front for an encap).
 */
static bool apply_edits(struct rte_mbuf *m, const struct esw_result *r, struct esw_key *key)
{
	int32_t start;
	uint32_t len;

	if (esw_rewrite(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m),
			rte_pktmbuf_headroom(m), r, &start, &len) < 0) {
		return false;
	}
	if (start < 0 && rte_pktmbuf_prepend(m, (uint16_t)-start) == NULL) {
		return false;
	}
	if (start > 0 && rte_pktmbuf_adj(m, (uint16_t)start) == NULL) {
		return false;
	}
	return esw_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
			 key->in_port, key) == 0;
}

/* Queue 'm' for port 'port'; frames for ports without a service leave the device here. */
static void out(struct simd_dp *dp, uint16_t port, struct rte_mbuf *m, const struct esw_key *key,
		const struct esw_result *res)
{
	struct out_q *q = &dp->outq[port];

	ctr_add(&dp->ctr[port].tx_packets, 1);
	ctr_add(&dp->ctr[port].tx_bytes, rte_pktmbuf_pkt_len(m));
	if (!dp->svc[port].attached || q->n == ARRAY_SIZE(q->m)) {
		rte_pktmbuf_free(m);
		return;
	}
	q->m[q->n] = m;
	q->key[q->n] = *key;
	q->res[q->n] = *res;
	q->n++;
}

/*
 * A NIC's RSS hash of the frame: Toeplitz over the addresses and, with a
 * TCP or UDP header, the ports (the words as rte_ipv4_tuple/rte_ipv6_tuple
 * lay them out); 0 without IP.
 */
static uint32_t rss_hash(const struct esw_key *k)
{
	uint32_t t[9];
	unsigned int n = 0, words = k->ip_ver == 4 ? 1 : 4;

	if (!(k->flags & ESW_KEY_L3) || (k->ip_ver != 4 && k->ip_ver != 6)) {
		return 0;
	}
	for (unsigned int i = 0; i < words; i++) {
		t[n++] = rte_be_to_cpu_32(*(const rte_be32_t *)(const void *)&k->src_ip[4 * i]);
	}
	for (unsigned int i = 0; i < words; i++) {
		t[n++] = rte_be_to_cpu_32(*(const rte_be32_t *)(const void *)&k->dst_ip[4 * i]);
	}
	if ((k->flags & ESW_KEY_L4) && (k->ip_proto == 6 || k->ip_proto == 17)) {
		t[n++] = (uint32_t)k->sport << 16 | k->dport;
	}
	return rte_softrss(t, n, rss_key);
}

/* Through the port's own rules, the header in front, out over memif. */
static void send_queue(struct simd_dp *dp, uint16_t port)
{
	struct out_q *q = &dp->outq[port];
	struct svc_port *sp = &dp->svc[port];
	struct esw_result ing[ESW_BURST_MAX];
	struct rte_mbuf *send[DP_BURST * 2];
	uint16_t queue[DP_BURST * 2];
	uint32_t lens[ESW_BURST_MAX];
	unsigned int n = 0;

	for (unsigned int base = 0; base < q->n; base += ESW_BURST_MAX) {
		unsigned int cnt = DPU_MIN(q->n - base, (unsigned int)ESW_BURST_MAX);
		bool filter = sp->ingress != NULL;

		for (unsigned int i = 0; i < cnt; i++) {
			lens[i] = rte_pktmbuf_pkt_len(q->m[base + i]);
		}
		if (filter && esw_classify_burst(sp->ingress, &q->key[base], lens, cnt, ing) < 0) {
			filter = false; /* no root pipe yet: deliver everything */
		}
		for (unsigned int i = 0; i < cnt; i++) {
			struct rte_mbuf *m = q->m[base + i];
			const struct esw_result *r = &q->res[base + i];
			struct simd_port_meta meta;
			char *hdr;
			bool marked = r->marked, queued = r->queued;
			uint32_t mark = r->mark;
			uint16_t qsel = r->queue;

			if (filter) {
				if (ing[i].fate == ESW_FATE_DROP ||
				    (ing[i].n_edits > 0 &&
				     !apply_edits(m, &ing[i], &q->key[base + i]))) {
					ctr_add(&dp->ctr[port].tx_dropped, 1);
					rte_pktmbuf_free(m);
					continue;
				}
				if (ing[i].marked) {
					marked = true;
					mark = ing[i].mark;
				}
				if (ing[i].queued) {
					queued = true;
					qsel = ing[i].queue;
				}
			}
			if (sp->kind != SIMD_BACKING_SERVICE) {
				queue[n] = 0;
				send[n++] = m; /* a wire: the frame as it is */
				continue;
			}
			hdr = rte_pktmbuf_prepend(m, sizeof(meta));
			if (hdr == NULL) {
				ctr_add(&dp->ctr[port].tx_dropped, 1);
				rte_pktmbuf_free(m);
				continue;
			}
			memset(&meta, 0, sizeof(meta));
			meta.magic = SIMD_META_MAGIC;
			meta.src_port = q->key[base + i].in_port;
			if (marked) {
				meta.flags = SIMD_META_MARKED;
				meta.mark = mark;
			}
			queue[n] = 0;
			if (sp->queues > 1) {
				meta.rss = rss_hash(&q->key[base + i]);
				meta.flags |= SIMD_META_RSS;
				queue[n] =
					queued ? (uint16_t)(qsel % sp->queues)
					       : (uint16_t)((meta.rss % DP_RETA_SIZE) % sp->queues);
			}
			memcpy(hdr, &meta, sizeof(meta));
			send[n++] = m;
		}
	}
	q->n = 0;
	for (uint16_t qi = 0; n > 0 && qi < sp->queues; qi++) {
		struct rte_mbuf *batch[DP_BURST * 2];
		uint16_t k = 0, sent;

		for (unsigned int i = 0; i < n; i++) {
			if (queue[i] == qi) {
				batch[k++] = send[i];
			}
		}
		if (k == 0) {
			continue;
		}
		sent = rte_eth_tx_burst(sp->ethdev, qi, batch, k);
		if (sent < k) {
			ctr_add(&dp->ctr[port].tx_dropped, (uint64_t)(k - sent));
			rte_pktmbuf_free_bulk(&batch[sent], k - sent);
		}
	}
}

/* Classify 'n' parsed frames that entered on 'in_port' and send them on. */
static void forward(struct simd_dp *dp, uint16_t in_port, struct rte_mbuf **m, struct esw_key *keys,
		    unsigned int n)
{
	struct esw_result res[DP_BURST];
	uint32_t lens[DP_BURST] = {0};
	uint64_t dirty = 0; /* ports with queued frames (bit per port) */

	if (n == 0) {
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		lens[i] = rte_pktmbuf_pkt_len(m[i]);
	}
	esw_classify_burst(dp->esw, keys, lens, n, res);
	for (unsigned int i = 0; i < n; i++) {
		const struct esw_result *r = &res[i];

		if (r->mirrored && r->mirror_port < dp->dev->n_ports) {
			struct rte_mbuf *c = rte_pktmbuf_copy(m[i], dp->pool, 0, UINT32_MAX);

			if (c != NULL) {
				out(dp, r->mirror_port, c, &keys[i], r);
				dirty |= 1ull << r->mirror_port;
			} else {
				ctr_add(&dp->ctr[r->mirror_port].tx_dropped, 1);
			}
		}
		if (r->fate == ESW_FATE_PORT && r->port < dp->dev->n_ports &&
		    (r->n_edits == 0 || apply_edits(m[i], r, &keys[i]))) {
			out(dp, r->port, m[i], &keys[i], r);
			dirty |= 1ull << r->port;
		} else {
			ctr_add(&dp->ctr[in_port].rx_dropped, 1);
			rte_pktmbuf_free(m[i]);
		}
	}
	while (dirty != 0) {
		uint16_t port = (uint16_t)__builtin_ctzll(dirty);

		dirty &= dirty - 1;
		send_queue(dp, port);
	}
}

/* ---- RoCEv2 congestion control on the uplinks ---- */

void simd_dp_cc_config(struct simd_dp *dp, size_t port, bool enabled, uint64_t np_gap_ns,
		       uint64_t rp_gap_ns)
{
	struct cc_port *c = &dp->cc[port];

	atomic_store_explicit(&c->np_gap_ns, np_gap_ns, memory_order_relaxed);
	atomic_store_explicit(&c->rp_gap_ns, rp_gap_ns, memory_order_relaxed);
	atomic_store_explicit(&c->enabled, enabled, memory_order_relaxed);
}

void simd_dp_cc_events(struct simd_dp *dp, size_t port, struct sim_pcc_events *ev)
{
	const struct cc_port *c = &dp->cc[port];
	uint64_t v[CC_EVENTS];

	for (size_t i = 0; i < CC_EVENTS; i++) {
		v[i] = atomic_load_explicit(&c->ev[i], memory_order_relaxed);
	}
	ev->cnp_handled = v[CC_CNP_HANDLED];
	ev->cnp_ignored = v[CC_CNP_IGNORED];
	ev->rate_reductions = v[CC_RATE_REDUCTIONS];
	ev->ce_handled = v[CC_CE_HANDLED];
	ev->ce_ignored = v[CC_CE_IGNORED];
	ev->cnp_sent = v[CC_CNP_SENT];
}

/* Whether QP 'qp' is due again ('gap' ns after its last time); if so, now is its last time. */
static bool qp_due(struct cc_qp *tab, uint32_t qp, uint64_t now, uint64_t gap)
{
	struct cc_qp *e = &tab[(qp * 2654435761u) >> 22 & (CC_QPS - 1)];

	if (e->used && e->qp == qp && now - e->t < gap) {
		return false;
	}
	e->qp = qp;
	e->used = true;
	e->t = now;
	return true;
}

/* A RoCEv2 frame from the wire on uplink 'port': the NP and RP of sim/pcc.h. */
static void cc_frame(struct simd_dp *dp, uint16_t port, const struct rte_mbuf *m)
{
	struct cc_port *c = &dp->cc[port];
	const uint8_t *pkt = rte_pktmbuf_mtod(m, const uint8_t *), *bth;
	uint32_t len = rte_pktmbuf_data_len(m), qp;
	struct esw_offsets off;
	struct esw_key k;
	uint8_t ecn;
	bool on;

	if (esw_parse_offsets(pkt, len, port, &k, &off) < 0 || off.l3 == 0 || off.l4 == 0 ||
	    (size_t)off.l4 + 8 + 12 > len) {
		return; /* no whole BTH */
	}
	ecn = k.ip_ver == 4 ? pkt[off.l3 + 1] & 3 : (pkt[off.l3 + 1] >> 4) & 3;
	bth = pkt + off.l4 + 8;
	qp = (uint32_t)bth[5] << 16 | (uint32_t)bth[6] << 8 | bth[7];
	on = atomic_load_explicit(&c->enabled, memory_order_relaxed);
	if (bth[0] == BTH_OPCODE_CNP) {
		if (!on) {
			ctr_add(&c->ev[CC_CNP_IGNORED], 1);
			return;
		}
		ctr_add(&c->ev[CC_CNP_HANDLED], 1);
		if (qp_due(c->rp, qp, dpu_time_mono_ns(),
			   atomic_load_explicit(&c->rp_gap_ns, memory_order_relaxed))) {
			ctr_add(&c->ev[CC_RATE_REDUCTIONS], 1);
		}
		return;
	}
	if (ecn != 3) {
		return;
	}
	if (!on) {
		ctr_add(&c->ev[CC_CE_IGNORED], 1);
		return;
	}
	ctr_add(&c->ev[CC_CE_HANDLED], 1);
	if (qp_due(c->np, qp, dpu_time_mono_ns(),
		   atomic_load_explicit(&c->np_gap_ns, memory_order_relaxed))) {
		ctr_add(&c->ev[CC_CNP_SENT], 1);
	}
}

/* Count a frame in on 'port' and parse it; false when it was dropped. */
static bool ingress(struct simd_dp *dp, uint16_t port, struct rte_mbuf **mp, struct esw_key *key)
{
	struct rte_mbuf *m;

	/* A kernel interface hands the outer VLAN tag over beside the frame: put it back. */
	if (((*mp)->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) && rte_vlan_insert(mp) < 0) {
		m = *mp;
		ctr_add(&dp->ctr[port].rx_packets, 1);
		ctr_add(&dp->ctr[port].rx_errors, 1);
		rte_pktmbuf_free(m);
		return false;
	}
	m = *mp;
	ctr_add(&dp->ctr[port].rx_packets, 1);
	ctr_add(&dp->ctr[port].rx_bytes, rte_pktmbuf_pkt_len(m));
	if (!rte_pktmbuf_is_contiguous(m) && rte_pktmbuf_linearize(m) < 0) {
		ctr_add(&dp->ctr[port].rx_errors, 1);
		rte_pktmbuf_free(m);
		return false;
	}
	if (esw_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), port, key) <
	    0) {
		ctr_add(&dp->ctr[port].rx_errors, 1);
		rte_pktmbuf_free(m);
		return false;
	}
	if (key->dport == ROCE_PORT && key->ip_proto == IPPROTO_UDP && (key->flags & ESW_KEY_L4) &&
	    dp->cc[port].uplink) {
		cc_frame(dp, port, m);
	}
	return true;
}

/* Frames services and backed ports received: into the switch on their port. */
static unsigned int poll_services(struct simd_dp *dp)
{
	unsigned int work = 0;

	if (dp->n_svc == 0) {
		return 0;
	}
	for (uint16_t p = 0; p < dp->dev->n_ports; p++) {
		struct rte_mbuf *m[DP_BURST];
		struct esw_key keys[DP_BURST];
		uint16_t got;
		unsigned int n = 0;

		if (!dp->svc[p].attached) {
			continue;
		}
		for (uint16_t qi = 0; qi < dp->svc[p].queues; qi++) {
			got = rte_eth_rx_burst(dp->svc[p].ethdev, qi, m, DP_BURST);
			n = 0;
			/* The frames' first lines into cache DP_PREFETCH ahead of the parse. */
			for (uint16_t i = 0; i < got && i < DP_PREFETCH; i++) {
				rte_prefetch0(rte_pktmbuf_mtod(m[i], void *));
			}
			for (uint16_t i = 0; i < got; i++) {
				if (i + DP_PREFETCH < got) {
					rte_prefetch0(rte_pktmbuf_mtod(m[i + DP_PREFETCH], void *));
				}
				if (ingress(dp, p, &m[i], &keys[n])) {
					m[n++] = m[i];
				}
			}
			forward(dp, p, m, keys, n);
			work += got;
		}
	}
	return work;
}

/* ---- replay ---- */

/* Add what was replayed since the last call to the status. */
static void progress(struct simd_dp *dp)
{
	off_t pos = dp->rp.size > 0 && dp->pc != NULL ? ftello(pcap_file(dp->pc)) : 0;

	pthread_mutex_lock(&dp->lock);
	dp->st.packets += dp->rp.pkts;
	dp->st.bytes += dp->rp.bytes;
	if (dp->rp.size > 0) {
		dp->st.progress = (double)pos / (double)dp->rp.size;
	}
	pthread_mutex_unlock(&dp->lock);
	dp->rp.pkts = 0;
	dp->rp.bytes = 0;
}

/* The job is over: release it (the status says how it ended). */
static void end_job(struct simd_dp *dp, enum simd_replay_state state, const char *error)
{
	progress(dp);
	pthread_mutex_lock(&dp->lock);
	dp->st.state = state;
	if (error != NULL) {
		dpu_strscpy(dp->st.error, error, sizeof(dp->st.error));
	}
	if (dp->pc != NULL) {
		pcap_close(dp->pc);
		dp->pc = NULL;
	}
	dp->have_job = false;
	atomic_store(&dp->stop_job, false);
	pthread_mutex_unlock(&dp->lock);
	memset(&dp->rp, 0, sizeof(dp->rp));
}

/* End of one pass: start the next or finish. False when the job ended. */
static bool next_pass(struct simd_dp *dp)
{
	char err[PCAP_ERRBUF_SIZE];

	pthread_mutex_lock(&dp->lock);
	dp->st.loops_done++;
	pthread_mutex_unlock(&dp->lock);
	dp->rp.loop++;
	if (dp->job.loops != 0 && dp->rp.loop >= dp->job.loops) {
		log_info("replay of %s into %s done: %llu frames", dp->job.file, dp->job.port,
			 (unsigned long long)(dp->st.packets + dp->rp.pkts));
		end_job(dp, SIMD_REPLAY_DONE, NULL);
		return false;
	}
	pcap_close(dp->pc);
	dp->pc = pcap_open_offline(dp->job.file, err);
	if (dp->pc == NULL) {
		end_job(dp, SIMD_REPLAY_FAILED, err);
		return false;
	}
	dp->rp.start = dpu_time_mono_ns();
	dp->rp.idx = 0;
	return true;
}

/*
 * Up to one burst of the capture. Returns the frames replayed; sets '*wait'
 * to how long until the next one is due when pacing holds it back.
 */
static unsigned int replay_step(struct simd_dp *dp, uint64_t *wait)
{
	const struct simd_replay_req *job = &dp->job;
	struct rte_mbuf *m[DP_BURST];
	struct esw_key keys[DP_BURST];
	unsigned int n = 0, done = 0;
	bool ended = false;

	if (atomic_load(&dp->stop_job)) {
		end_job(dp, SIMD_REPLAY_DONE, "stopped");
		return 0;
	}
	if (!dp->rp.started) {
		struct stat sb;

		dp->rp.started = true;
		dp->rp.start = dpu_time_mono_ns();
		dp->rp.size = stat(job->file, &sb) == 0 ? sb.st_size : 0;
	}
	while (done < DP_BURST) {
		uint64_t ts, due = 0;
		struct rte_mbuf *mb;
		uint16_t len;

		if (!dp->rp.held) {
			int rc = pcap_next_ex(dp->pc, &dp->rp.hdr, &dp->rp.data);

			if (rc == PCAP_ERROR_BREAK) {
				forward(dp, dp->job_port, m, keys, n);
				n = 0;
				progress(dp);
				if (!next_pass(dp)) {
					ended = true;
					break;
				}
				continue;
			}
			if (rc != 1) {
				char msg[sizeof(dp->st.error)];

				snprintf(msg, sizeof(msg), "%.128s: %.100s (after %llu frames)",
					 job->file, pcap_geterr(dp->pc),
					 (unsigned long long)dp->rp.idx);
				log_err("replay: %s", msg);
				forward(dp, dp->job_port, m, keys, n);
				end_job(dp, SIMD_REPLAY_FAILED, msg);
				return done;
			}
			dp->rp.held = true;
		}
		ts = (uint64_t)dp->rp.hdr->ts.tv_sec * DPU_NSEC_PER_SEC +
		     (uint64_t)dp->rp.hdr->ts.tv_usec * DPU_NSEC_PER_USEC;
		if (dp->rp.idx == 0) {
			dp->rp.first_ts = ts;
		}
		if (job->pps > 0) {
			due = dp->rp.start + dp->rp.idx * DPU_NSEC_PER_SEC / job->pps;
		} else if (job->speed > 0 && ts >= dp->rp.first_ts) {
			due = dp->rp.start +
			      (uint64_t)((double)(ts - dp->rp.first_ts) / job->speed);
		}
		if (due > 0) {
			uint64_t now = dpu_time_mono_ns();

			if (due > now + DP_SLEEP_MIN_NS) {
				*wait = due - now;
				break;
			}
		}
		dp->rp.held = false;
		dp->rp.idx++;
		dp->rp.pkts++;
		dp->rp.bytes += dp->rp.hdr->len;
		done++;
		mb = rte_pktmbuf_alloc(dp->pool);
		if (mb == NULL) {
			ctr_add(&dp->ctr[dp->job_port].rx_packets, 1);
			ctr_add(&dp->ctr[dp->job_port].rx_bytes, dp->rp.hdr->caplen);
			ctr_add(&dp->ctr[dp->job_port].rx_dropped, 1);
			continue;
		}
		/* A frame longer than one buffer (jumbo) keeps what fits. */
		len = (uint16_t)DPU_MIN(dp->rp.hdr->caplen, rte_pktmbuf_tailroom(mb));
		memcpy(rte_pktmbuf_append(mb, len), dp->rp.data, len);
		if (ingress(dp, dp->job_port, &mb, &keys[n])) {
			m[n++] = mb;
		}
	}
	if (!ended) {
		forward(dp, dp->job_port, m, keys, n);
		progress(dp);
	}
	return done;
}

/* ---- the thread ---- */

static void idle_wait(struct simd_dp *dp, uint64_t ns)
{
	struct timespec until;

	pthread_mutex_lock(&dp->lock);
	if (!dp->quit && !atomic_load(&dp->call_pending) &&
	    !(dp->have_job && atomic_load(&dp->stop_job))) {
		if (ns == UINT64_MAX) {
			if (!dp->have_job) {
				pthread_cond_wait(&dp->cond, &dp->lock);
			}
		} else {
			clock_gettime(CLOCK_REALTIME, &until);
			ns += (uint64_t)until.tv_nsec;
			until.tv_sec += (time_t)(ns / DPU_NSEC_PER_SEC);
			until.tv_nsec = (long)(ns % DPU_NSEC_PER_SEC);
			pthread_cond_timedwait(&dp->cond, &dp->lock, &until);
		}
	}
	pthread_mutex_unlock(&dp->lock);
}

static void *dp_main(void *arg)
{
	struct simd_dp *dp = arg;

	if (esw_reader_online(dp->esw, 0) < 0) {
		log_err("data plane: cannot take part in the switch's grace periods");
		return NULL;
	}
	for (;;) {
		uint64_t wait = UINT64_MAX;
		unsigned int work = 0;
		bool job;

		serve_call(dp);
		pthread_mutex_lock(&dp->lock);
		if (dp->quit) {
			pthread_mutex_unlock(&dp->lock);
			break;
		}
		job = dp->have_job;
		pthread_mutex_unlock(&dp->lock);
		if (job) {
			work += replay_step(dp, &wait);
		}
		work += poll_services(dp);
		if (work == 0) {
			if (dp->n_svc > 0) {
				wait = DPU_MIN(wait, DP_POLL_IDLE_NS);
			}
			/* the switch's updates wait for no idle thread */
			esw_reader_offline(dp->esw, 0);
			idle_wait(dp, wait);
			esw_reader_online(dp->esw, 0);
		} else {
			esw_quiescent(dp->esw, 0); /* done with this round's results */
		}
	}
	esw_reader_offline(dp->esw, 0);
	return NULL;
}

static void free_cc(struct simd_dp *dp)
{
	for (size_t i = 0; i < SIM_MAX_PORTS; i++) {
		free(dp->cc[i].np);
		free(dp->cc[i].rp);
	}
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
	pthread_cond_init(&dp->done, NULL);
	dp->outq = calloc(SIM_MAX_PORTS, sizeof(*dp->outq));
	for (size_t i = 0; i < dev->n_ports && dp->outq != NULL; i++) {
		struct cc_port *c = &dp->cc[i];

		if (dev->ports[i].kind != SIM_PORT_UPLINK) {
			continue;
		}
		c->uplink = true;
		c->np = calloc(CC_QPS, sizeof(*c->np));
		c->rp = calloc(CC_QPS, sizeof(*c->rp));
		if (c->np == NULL || c->rp == NULL) {
			free(dp->outq);
			dp->outq = NULL; /* -ENOMEM below */
		}
	}
	dp->pool = rte_pktmbuf_pool_create("simd", DP_POOL_SIZE, DP_POOL_CACHE, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	rc = dp->outq == NULL || dp->pool == NULL ? -ENOMEM : esw_create_concurrent(&dp->esw, 1);
	if (rc == 0) {
		rc = build_default_pipe(dp);
	}
	if (rc == 0) {
		rc = -pthread_create(&dp->thread, NULL, dp_main, dp);
	}
	if (rc < 0) {
		esw_destroy(dp->esw);
		rte_mempool_free(dp->pool);
		free(dp->outq);
		free_cc(dp);
		pthread_cond_destroy(&dp->done);
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
	detach_all(dp);
	esw_destroy(dp->esw);
	rte_mempool_free(dp->pool);
	free(dp->outq);
	free_cc(dp);
	pthread_cond_destroy(&dp->done);
	pthread_cond_destroy(&dp->cond);
	pthread_mutex_destroy(&dp->lock);
	free(dp);
}

int simd_dp_replay(struct simd_dp *dp, const struct simd_replay_req *req, char *why,
		   size_t why_size)
{
	char err[PCAP_ERRBUF_SIZE];
	struct stat sb;
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
	pthread_mutex_lock(&dp->lock);
	if (dp->have_job) {
		atomic_store(&dp->stop_job, true);
		pthread_cond_signal(&dp->cond);
	}
	pthread_mutex_unlock(&dp->lock);
	return 0;
}

void simd_dp_replay_status(struct simd_dp *dp, struct simd_replay_status *st)
{
	pthread_mutex_lock(&dp->lock);
	*st = dp->st;
	pthread_mutex_unlock(&dp->lock);
}
