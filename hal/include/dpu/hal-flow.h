/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering: pipes of match -> actions, modelled on DOCA Flow and rte_flow.
 *
 * A pipe lives in a domain: the switch (domain NULL: the eSwitch every
 * frame crosses, rte_flow's transfer rules) or one port's ingress (domain
 * "<port>": rules on the service's own ethdev, applied to what the switch
 * sends to that port). Kinds:
 *
 *   DPU_PIPE_EXACT  entries match exact values of the pipe's match_fields
 *   DPU_PIPE_ACL    entries match IPv4 prefixes, protocol, port ranges and
 *                   in-port, by priority (0 highest; ties: first added)
 *   DPU_PIPE_LPM    entries are routes: dst_ip prefixes, longest wins
 *
 * A packet enters a domain's root pipe; an entry's actions mark it, mirror
 * a copy to a port (switch domain), meter it, pick the service's receive
 * queue, edit it (rewrite MACs, IPs and L4 ports, decrement the TTL, VXLAN
 * decap and encap) and decide its fate: drop, out of a port, on to another
 * pipe of the same domain, or (ingress domain) deliver to the service. A
 * miss takes the pipe's miss actions. Pipes after an edit match the frame
 * as edited (after a decap: the inner frame); exact pipes can also match a
 * VXLAN frame's inner headers (DPU_MATCH_INNER_*).
 *
 * Pipes and entries are named by the domain and pipe name; entries by the
 * id dpu_pipe_entry_add() returns. Every entry counts packets and bytes.
 * On failure the backend's reason is in dpu_dev_last_error().
 *
 * Backends: sim (dpu-simd's eSwitch). bluefield: rte_flow rules on the
 * ports this process has open with dpu_portio_open() (hal/steer-rte.h);
 * -EOPNOTSUPP while none is.
 */
#ifndef DPU_HAL_FLOW_H
#define DPU_HAL_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "dpu/hal.h"

#define DPU_PIPE_NAME 32

enum dpu_pipe_kind {
	DPU_PIPE_EXACT,
	DPU_PIPE_ACL,
	DPU_PIPE_LPM,
};

/* Match fields: bits of dpu_match.fields and dpu_pipe_attr.match_fields. */
enum {
	DPU_MATCH_IN_PORT = 1u << 0,
	DPU_MATCH_ETH_TYPE = 1u << 1,
	DPU_MATCH_VLAN = 1u << 2,
	DPU_MATCH_SRC_MAC = 1u << 3,
	DPU_MATCH_DST_MAC = 1u << 4,
	DPU_MATCH_IP_VERSION = 1u << 5,
	DPU_MATCH_IP_PROTO = 1u << 6,
	DPU_MATCH_SRC_IP = 1u << 7,
	DPU_MATCH_DST_IP = 1u << 8,
	DPU_MATCH_SRC_PORT = 1u << 9,
	DPU_MATCH_DST_PORT = 1u << 10,
	DPU_MATCH_VNI = 1u << 11,
	/* A VXLAN frame's inner headers (exact pipes) */
	DPU_MATCH_INNER_ETH_TYPE = 1u << 12,
	DPU_MATCH_INNER_SRC_MAC = 1u << 13,
	DPU_MATCH_INNER_DST_MAC = 1u << 14,
	DPU_MATCH_INNER_IP_PROTO = 1u << 15,
	DPU_MATCH_INNER_SRC_IP = 1u << 16,
	DPU_MATCH_INNER_DST_IP = 1u << 17,
	DPU_MATCH_INNER_SRC_PORT = 1u << 18,
	DPU_MATCH_INNER_DST_PORT = 1u << 19,
};
#define DPU_MATCH_FIELDS 20

struct dpu_match {
	uint32_t fields; /* DPU_MATCH_* given below */
	char in_port[DPU_HAL_STR];
	uint16_t eth_type;
	uint16_t vlan;
	uint8_t src_mac[6], dst_mac[6];
	uint8_t ip_version; /* 4 or 6; also says which family src_ip/dst_ip are (0: 4) */
	uint8_t ip_proto;
	uint8_t src_ip[16], dst_ip[16]; /* network order; IPv4 in the first 4 bytes */
	uint8_t src_len, dst_len;	/* prefix lengths; 0 = the whole address */
	uint16_t sport_lo, sport_hi;	/* L4 port ranges; hi < lo means just lo */
	uint16_t dport_lo, dport_hi;
	uint32_t vni;
	struct {
		uint16_t eth_type;
		uint8_t src_mac[6], dst_mac[6];
		uint8_t ip_version; /* family of src_ip/dst_ip (0: 4) */
		uint8_t ip_proto;
		uint8_t src_ip[16], dst_ip[16]; /* whole addresses, network order */
		uint16_t sport, dport;
	} inner;
};

enum dpu_fate {
	DPU_FATE_DROP,
	DPU_FATE_PORT,	  /* out of 'port' (switch domain) */
	DPU_FATE_PIPE,	  /* on to 'pipe' of the same domain */
	DPU_FATE_DELIVER, /* to the service (a port's ingress domain) */
};

/* Header rewrites: bits of dpu_actions.set. */
enum {
	DPU_SET_SRC_MAC = 1u << 0,
	DPU_SET_DST_MAC = 1u << 1,
	DPU_SET_SRC_IP = 1u << 2, /* of a frame of family set_ip_version only */
	DPU_SET_DST_IP = 1u << 3,
	DPU_SET_SRC_PORT = 1u << 4, /* TCP and UDP */
	DPU_SET_DST_PORT = 1u << 5,
};

/* The outer headers a VXLAN encap puts in front (RFC 7348). */
struct dpu_vxlan_encap {
	uint8_t src_mac[6], dst_mac[6];
	uint8_t ip_version;		/* 4 or 6 */
	uint8_t src_ip[16], dst_ip[16]; /* network order */
	uint32_t vni;
	uint8_t ttl;	    /* 0: 64 */
	uint16_t udp_dport; /* 0: 4789 */
};

/*
 * What an entry does. Edits happen in this order: decap, the rewrites in
 * 'set', dec_ttl (a frame whose TTL runs out is dropped), encap; checksums
 * follow.
 */
struct dpu_actions {
	enum dpu_fate fate;
	char port[DPU_HAL_STR];
	char pipe[DPU_PIPE_NAME];
	bool set_mark;
	uint32_t mark;		  /* delivered as the mbuf's flow mark (dpu/hal-io.h) */
	char mirror[DPU_HAL_STR]; /* "" = none; switch domain only */
	uint32_t meter;		  /* 0: none; else a dpu_meter_create() id of the domain */
	bool set_queue;
	uint16_t queue; /* the receive queue at the service's port (RSS otherwise) */
	bool decap;	/* strip a VXLAN frame's outer headers */
	uint32_t set;	/* DPU_SET_* */
	uint8_t set_src_mac[6], set_dst_mac[6];
	uint8_t set_ip_version; /* family of set_src_ip/set_dst_ip (0: 4) */
	uint8_t set_src_ip[16], set_dst_ip[16];
	uint16_t set_src_port, set_dst_port;
	bool dec_ttl;
	bool encap;
	struct dpu_vxlan_encap vxlan; /* with encap */
};

struct dpu_pipe_attr {
	const char *name;
	const char *domain; /* NULL: the switch; else a port's ingress */
	enum dpu_pipe_kind kind;
	uint32_t match_fields;		/* exact: what entries match on */
	uint32_t max_entries;		/* 0: 4096 */
	bool root;			/* packets enter the domain here */
	const struct dpu_actions *miss; /* NULL: drop */
};

int dpu_pipe_create(struct dpu_dev *dev, const struct dpu_pipe_attr *attr);
/*
 * Add an entry; '*entry' gets its id. ACL entries are in force when this
 * returns (the backend recompiles the pipe).
 */
int dpu_pipe_entry_add(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t priority,
		       const struct dpu_match *match, const struct dpu_actions *actions,
		       uint32_t *entry);

/* ECMP: the most next hops one route spreads its packets over. */
#define DPU_ECMP_MAX 64

/* One entry of dpu_pipe_entries_add(). */
struct dpu_entry_spec {
	uint32_t priority;
	const struct dpu_match *match;
	/*
	 * [n_actions]; 0 is taken as 1. An LPM entry (a route) may have up to
	 * DPU_ECMP_MAX: an ECMP group, each flow (addresses, ports, protocol)
	 * taking one member by its hash.
	 */
	const struct dpu_actions *actions;
	unsigned int n_actions;
};

/*
 * Add 'n' entries to one pipe in one go, as rte_flow's asynchronous rule
 * creation pushes a queue of them, or DOCA Flow's entries_process(): far
 * more a second than one call each (the sim backend sends them together;
 * an ACL pipe compiles once for them all). Each entry stands alone: rcs[i]
 * is 0 and entries[i] its id, or a negative errno (the first failure's
 * reason in dpu_dev_last_error()). Returns how many were added, or a
 * negative errno when none could be tried (no such pipe, bad arguments).
 */
int dpu_pipe_entries_add(struct dpu_dev *dev, const char *domain, const char *pipe,
			 const struct dpu_entry_spec *specs, size_t n, uint32_t *entries, int *rcs);
/*
 * Remove 'n' entries of one pipe in one go (a routing table's withdrawals):
 * rcs[i] 0 or a negative errno for entries[i] alone; an ACL pipe compiles
 * once for them all. Returns how many were removed, or a negative errno
 * when none could be tried.
 */
int dpu_pipe_entries_del(struct dpu_dev *dev, const char *domain, const char *pipe,
			 const uint32_t *entries, size_t n, int *rcs);
/*
 * New actions for entry 'entry' ('n_actions' of them: more than one for a
 * route only, an ECMP group), its match and id kept, in force when this
 * returns, as rte_flow_actions_update() (DPDK 23.07 on) does. The sim
 * backend keeps its counters; the bluefield backend makes its rules anew
 * (they count from zero) before the old ones go, so no packet misses; where
 * the PMD refuses a rule's twin (net_tap) the old ones go first.
 */
int dpu_pipe_entry_update(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t entry,
			  const struct dpu_actions *actions, unsigned int n_actions);
int dpu_pipe_entry_del(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t entry);
int dpu_pipe_entry_stats(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t entry,
			 uint64_t *packets, uint64_t *bytes);
/*
 * Remove a pipe with its entries (DOCA Flow's pipe_destroy). -EBUSY while
 * another pipe's entry or miss sends packets to it. The domain's root pipe
 * may go: the switch's packets then take its built-in forwarding (dpu-simd:
 * the pipe "default"), a port's ingress delivers everything, as before any
 * pipe. -EPERM for dpu-simd's own "default".
 */
int dpu_pipe_destroy(struct dpu_dev *dev, const char *domain, const char *pipe);
/* Remove every pipe (and meter) of port 'domain''s ingress (rte_flow_flush). */
int dpu_flow_flush(struct dpu_dev *dev, const char *domain);

/*
 * A meter in 'domain' (NULL: the switch): a single-rate three-colour marker
 * (RFC 2697, rte_meter_srtcm / rte_mtr's srTCM profile) with committed rate
 * 'cir' bytes/s and bursts 'cbs', 'ebs' bytes. Entries name it by '*id' in
 * dpu_actions.meter; red frames are dropped.
 */
int dpu_meter_create(struct dpu_dev *dev, const char *domain, uint64_t cir, uint64_t cbs,
		     uint64_t ebs, uint32_t *id);
/* Packets and bytes a meter coloured green, yellow and red (index 0, 1, 2). */
int dpu_meter_stats(struct dpu_dev *dev, const char *domain, uint32_t id, uint64_t packets[3],
		    uint64_t bytes[3]);

/*
 * Have the switch copy what enters on port 'from' to port 'to', with a root
 * pipe "mirror-<to>" in front of the pipe 'next' (usually "default"), where
 * the frames go on as before. 0 when that pipe exists already.
 */
int dpu_flow_mirror(struct dpu_dev *dev, const char *from, const char *to, const char *next);

#endif /* DPU_HAL_FLOW_H */
