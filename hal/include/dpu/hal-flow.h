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
 * a copy to a port (switch domain), and decide its fate: drop, out of a
 * port, on to another pipe of the same domain, or (ingress domain) deliver
 * to the service. A miss takes the pipe's miss actions.
 *
 * Pipes and entries are named by the domain and pipe name; entries by the
 * id dpu_pipe_entry_add() returns. Every entry counts packets and bytes.
 * On failure the backend's reason is in dpu_dev_last_error().
 *
 * Backends: sim (dpu-simd's eSwitch). bluefield: -EOPNOTSUPP so far; it is
 * to translate pipes into rte_flow templates on the mlx5 PMD.
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
};
#define DPU_MATCH_FIELDS 12

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
};

enum dpu_fate {
	DPU_FATE_DROP,
	DPU_FATE_PORT,	  /* out of 'port' (switch domain) */
	DPU_FATE_PIPE,	  /* on to 'pipe' of the same domain */
	DPU_FATE_DELIVER, /* to the service (a port's ingress domain) */
};

struct dpu_actions {
	enum dpu_fate fate;
	char port[DPU_HAL_STR];
	char pipe[DPU_PIPE_NAME];
	bool set_mark;
	uint32_t mark;		  /* delivered as the mbuf's flow mark (dpu/hal-io.h) */
	char mirror[DPU_HAL_STR]; /* "" = none; switch domain only */
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
int dpu_pipe_entry_del(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t entry);
int dpu_pipe_entry_stats(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t entry,
			 uint64_t *packets, uint64_t *bytes);
/* Remove every pipe of port 'domain''s ingress (rte_flow_flush). */
int dpu_flow_flush(struct dpu_dev *dev, const char *domain);

/*
 * Have the switch copy what enters on port 'from' to port 'to', with a root
 * pipe "mirror-<to>" in front of the pipe 'next' (usually "default"), where
 * the frames go on as before. 0 when that pipe exists already.
 */
int dpu_flow_mirror(struct dpu_dev *dev, const char *from, const char *to, const char *next);

#endif /* DPU_HAL_FLOW_H */
