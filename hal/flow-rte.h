/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HAL's steering (dpu/hal-flow.h) as rte_flow rules: what the bluefield
 * backend hands the mlx5 PMD for an entry. One entry becomes one rule (or,
 * for an ACL entry with port ranges, one rule per masked block of the
 * ranges: rte_flow on mlx5 matches ports under a mask, not a range):
 *
 *   attributes  the switch domain: transfer; a port's ingress: ingress.
 *               The pipe's group; the entry's priority.
 *   pattern     REPRESENTED_PORT (the in-port, switch domain), ETH, VLAN,
 *               IPV4 or IPV6, TCP or UDP, then for a VXLAN match UDP (4789)
 *               and VXLAN with the inner frame's ETH, IPV4/IPV6, TCP/UDP;
 *               END. Items carry a spec and a mask only for what is matched.
 *   actions     VXLAN_DECAP, SET_MAC_SRC/DST, SET_IPV4/IPV6_SRC/DST,
 *               SET_TP_SRC/DST, DEC_TTL, VXLAN_ENCAP, MARK, METER, COUNT,
 *               SAMPLE (ratio 1: the mirror, to a REPRESENTED_PORT), then
 *               the fate: DROP, REPRESENTED_PORT (out of a port), JUMP (to
 *               a pipe's group), QUEUE or RSS (delivered to the service);
 *               END. The order is the HAL's order of edits.
 *
 * A match or actions rte_flow cannot say is refused with -EINVAL and a
 * reason naming the field. The caller owns the struct; the rule's arrays
 * point into it, so it must stay where it is until the rule is created.
 */
#ifndef DPU_HAL_FLOW_RTE_H
#define DPU_HAL_FLOW_RTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_flow.h>

#include "dpu/hal-flow.h"

/* What the translation needs from the device it translates for. */
struct dpu_rte_ctx {
	/* The ethdev port id of a switch port (uplink or representor) by its HAL name. */
	int (*port_id)(void *arg, const char *port, uint16_t *id);
	/* The group of a pipe of 'domain' (NULL: the switch). */
	int (*group)(void *arg, const char *domain, const char *pipe, uint32_t *group);
	void *arg;
	uint16_t rss_queues; /* delivery without a queue: RSS over queues 0..n-1 */
	bool no_count;	     /* a PMD without flow counters: leave COUNT out */
};

#define DPU_RTE_ITEMS 16
#define DPU_RTE_ACTIONS 20
#define DPU_RTE_BLOCKS 32 /* masked blocks a 16-bit range can need */

/* One rule, with the storage its specs, masks and configurations live in. */
struct dpu_rte_flow {
	struct rte_flow_attr attr;
	struct rte_flow_item pattern[DPU_RTE_ITEMS];
	struct rte_flow_action actions[DPU_RTE_ACTIONS];
	struct {
		struct rte_flow_item_ethdev in_port, in_port_mask;
		struct rte_flow_item_eth eth, eth_mask, ieth, ieth_mask;
		struct rte_flow_item_vlan vlan, vlan_mask;
		struct rte_flow_item_ipv4 ip4, ip4_mask, iip4, iip4_mask;
		struct rte_flow_item_ipv6 ip6, ip6_mask, iip6, iip6_mask;
		struct rte_flow_item_tcp tcp, tcp_mask, itcp, itcp_mask;
		struct rte_flow_item_udp udp, udp_mask, iudp, iudp_mask, tunnel_udp,
			tunnel_udp_mask;
		struct rte_flow_item_vxlan vxlan, vxlan_mask;
	} m;
	struct {
		struct rte_flow_action_set_mac src_mac, dst_mac;
		struct rte_flow_action_set_ipv4 src_ip4, dst_ip4;
		struct rte_flow_action_set_ipv6 src_ip6, dst_ip6;
		struct rte_flow_action_set_tp sport, dport;
		struct rte_flow_action_mark mark;
		struct rte_flow_action_meter meter;
		struct rte_flow_action_sample sample;
		struct rte_flow_action sample_actions[2];
		struct rte_flow_action_ethdev mirror, out;
		struct rte_flow_action_jump jump;
		struct rte_flow_action_queue queue;
		struct rte_flow_action_rss rss;
		uint16_t rss_queue[RTE_MAX_QUEUES_PER_PORT];
		struct rte_flow_action_vxlan_encap encap;
		struct rte_flow_item encap_items[5];
		struct rte_flow_item_eth encap_eth;
		struct rte_flow_item_ipv4 encap_ip4;
		struct rte_flow_item_ipv6 encap_ip6;
		struct rte_flow_item_udp encap_udp;
		struct rte_flow_item_vxlan encap_vxlan;
	} a;
};

/*
 * The (value, mask) blocks that together match ports lo..hi exactly (hi <
 * lo: lo alone). Returns how many (1..DPU_RTE_BLOCKS).
 */
unsigned int dpu_rte_port_blocks(uint16_t lo, uint16_t hi, uint16_t value[DPU_RTE_BLOCKS],
				 uint16_t mask[DPU_RTE_BLOCKS]);

/*
 * Translate one entry of a pipe of 'domain' (NULL: the switch) in 'group'
 * into 'f'. The match's port ranges must each be one masked block (split
 * them with dpu_rte_port_blocks() first). 0, or -EINVAL / the context's
 * error with the reason in 'err'.
 */
int dpu_rte_flow_build(const struct dpu_rte_ctx *ctx, const char *domain, uint32_t group,
		       uint32_t priority, const struct dpu_match *m, const struct dpu_actions *a,
		       struct dpu_rte_flow *f, char *err, size_t errlen);

#endif /* DPU_HAL_FLOW_RTE_H */
