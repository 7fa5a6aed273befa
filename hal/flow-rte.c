/* SPDX-License-Identifier: BSD-3-Clause */
/* The HAL's steering as rte_flow rules (flow-rte.h). */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ip.h>

#include "flow-rte.h"

#define VXLAN_PORT 4789

struct build {
	struct dpu_rte_flow *f;
	unsigned int ni, na;
	char *err;
	size_t errlen;
};

static int fail(struct build *b, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct build *b, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static void item(struct build *b, enum rte_flow_item_type type, const void *spec, const void *mask)
{
	struct rte_flow_item *it = &b->f->pattern[b->ni++];

	it->type = type;
	it->spec = spec;
	it->mask = mask;
}

static void action(struct build *b, enum rte_flow_action_type type, const void *conf)
{
	struct rte_flow_action *ac = &b->f->actions[b->na++];

	ac->type = type;
	ac->conf = conf;
}

/* A prefix of 'len' bits as a mask of 'bytes' bytes (0: the whole address). */
static void prefix_mask(uint8_t *mask, size_t bytes, uint8_t len)
{
	unsigned int bits = len == 0 || len > bytes * 8 ? (unsigned int)bytes * 8 : len;

	memset(mask, 0, bytes);
	for (unsigned int i = 0; i < bits; i++) {
		mask[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	}
}

/* A port range as one (value, mask); false when it is not one masked block. */
static bool port_block(uint16_t lo, uint16_t hi, uint16_t *value, uint16_t *mask)
{
	uint32_t size;

	if (hi < lo || hi == lo) {
		*value = lo;
		*mask = 0xffff;
		return true;
	}
	size = (uint32_t)hi - lo + 1;
	if ((size & (size - 1)) != 0 || (lo & (size - 1)) != 0) {
		return false;
	}
	*value = lo;
	*mask = (uint16_t) ~(size - 1);
	return true;
}

unsigned int dpu_rte_port_blocks(uint16_t lo, uint16_t hi, uint16_t value[DPU_RTE_BLOCKS],
				 uint16_t mask[DPU_RTE_BLOCKS])
{
	uint32_t at = lo, end = hi < lo ? lo : hi;
	unsigned int n = 0;

	while (at <= end) {
		uint32_t size = 1;

		/* The biggest aligned block starting at 'at' that stays inside. */
		while ((at & (size * 2 - 1)) == 0 && at + size * 2 - 1 <= end && size < 0x10000) {
			size *= 2;
		}
		value[n] = (uint16_t)at;
		mask[n++] = (uint16_t) ~(size - 1);
		at += size;
	}
	return n;
}

static bool is_ip6(uint8_t version)
{
	return version == 6;
}

static int l4_item(struct build *b, uint8_t proto, bool inner, uint16_t sport, uint16_t smask,
		   uint16_t dport, uint16_t dmask)
{
	struct dpu_rte_flow *f = b->f;

	if (proto == IPPROTO_TCP) {
		struct rte_flow_item_tcp *s = inner ? &f->m.itcp : &f->m.tcp;
		struct rte_flow_item_tcp *k = inner ? &f->m.itcp_mask : &f->m.tcp_mask;

		s->hdr.src_port = rte_cpu_to_be_16(sport & smask);
		k->hdr.src_port = rte_cpu_to_be_16(smask);
		s->hdr.dst_port = rte_cpu_to_be_16(dport & dmask);
		k->hdr.dst_port = rte_cpu_to_be_16(dmask);
		item(b, RTE_FLOW_ITEM_TYPE_TCP, s, k);
		return 0;
	}
	if (proto == IPPROTO_UDP) {
		struct rte_flow_item_udp *s = inner ? &f->m.iudp : &f->m.udp;
		struct rte_flow_item_udp *k = inner ? &f->m.iudp_mask : &f->m.udp_mask;

		s->hdr.src_port = rte_cpu_to_be_16(sport & smask);
		k->hdr.src_port = rte_cpu_to_be_16(smask);
		s->hdr.dst_port = rte_cpu_to_be_16(dport & dmask);
		k->hdr.dst_port = rte_cpu_to_be_16(dmask);
		item(b, RTE_FLOW_ITEM_TYPE_UDP, s, k);
		return 0;
	}
	return fail(b, -EINVAL, "%sL4 ports need ip_proto 6 (tcp) or 17 (udp), not %u",
		    inner ? "inner " : "", proto);
}

/* ETH, VLAN, IP and L4 of the outer frame. */
static int outer_items(struct build *b, const struct dpu_match *m)
{
	struct dpu_rte_flow *f = b->f;
	uint32_t fl = m->fields;
	bool l4 = fl & (DPU_MATCH_SRC_PORT | DPU_MATCH_DST_PORT);
	bool ip = l4 || (fl & (DPU_MATCH_IP_VERSION | DPU_MATCH_IP_PROTO | DPU_MATCH_SRC_IP |
			       DPU_MATCH_DST_IP));
	uint16_t sv = 0, sm = 0, dv = 0, dm = 0;

	/* Ethernet: always there, to anchor the pattern. */
	if (fl & DPU_MATCH_SRC_MAC) {
		memcpy(f->m.eth.hdr.src_addr.addr_bytes, m->src_mac, 6);
		memset(f->m.eth_mask.hdr.src_addr.addr_bytes, 0xff, 6);
	}
	if (fl & DPU_MATCH_DST_MAC) {
		memcpy(f->m.eth.hdr.dst_addr.addr_bytes, m->dst_mac, 6);
		memset(f->m.eth_mask.hdr.dst_addr.addr_bytes, 0xff, 6);
	}
	if (fl & DPU_MATCH_VLAN) {
		/* The VLAN item says the frame is tagged (has_vlan, which not
		 * every PMD knows, is left out); its EtherType follows the tag. */
		f->m.vlan.hdr.vlan_tci = rte_cpu_to_be_16(m->vlan & 0xfff);
		f->m.vlan_mask.hdr.vlan_tci = rte_cpu_to_be_16(0xfff);
		if (fl & DPU_MATCH_ETH_TYPE) {
			f->m.vlan.hdr.eth_proto = rte_cpu_to_be_16(m->eth_type);
			f->m.vlan_mask.hdr.eth_proto = 0xffff;
		}
	} else if (fl & DPU_MATCH_ETH_TYPE) {
		f->m.eth.hdr.ether_type = rte_cpu_to_be_16(m->eth_type);
		f->m.eth_mask.hdr.ether_type = 0xffff;
	}
	item(b, RTE_FLOW_ITEM_TYPE_ETH, &f->m.eth, &f->m.eth_mask);
	if (fl & DPU_MATCH_VLAN) {
		item(b, RTE_FLOW_ITEM_TYPE_VLAN, &f->m.vlan, &f->m.vlan_mask);
	}
	if (!ip) {
		return 0;
	}
	if ((fl & DPU_MATCH_IP_VERSION) && m->ip_version != 4 && m->ip_version != 6) {
		return fail(b, -EINVAL, "ip_version %u: 4 or 6", m->ip_version);
	}
	if (is_ip6(m->ip_version)) {
		struct rte_flow_item_ipv6 *s = &f->m.ip6, *k = &f->m.ip6_mask;

		if (fl & DPU_MATCH_SRC_IP) {
			prefix_mask(k->hdr.src_addr, 16, m->src_len);
			for (int i = 0; i < 16; i++) {
				s->hdr.src_addr[i] = m->src_ip[i] & k->hdr.src_addr[i];
			}
		}
		if (fl & DPU_MATCH_DST_IP) {
			prefix_mask(k->hdr.dst_addr, 16, m->dst_len);
			for (int i = 0; i < 16; i++) {
				s->hdr.dst_addr[i] = m->dst_ip[i] & k->hdr.dst_addr[i];
			}
		}
		if (fl & DPU_MATCH_IP_PROTO) {
			s->hdr.proto = m->ip_proto;
			k->hdr.proto = 0xff;
		}
		item(b, RTE_FLOW_ITEM_TYPE_IPV6, s, k);
	} else {
		struct rte_flow_item_ipv4 *s = &f->m.ip4, *k = &f->m.ip4_mask;
		uint8_t mask[4];

		if (fl & DPU_MATCH_SRC_IP) {
			prefix_mask(mask, 4, m->src_len);
			memcpy(&k->hdr.src_addr, mask, 4);
			for (int i = 0; i < 4; i++) {
				mask[i] &= m->src_ip[i];
			}
			memcpy(&s->hdr.src_addr, mask, 4);
		}
		if (fl & DPU_MATCH_DST_IP) {
			prefix_mask(mask, 4, m->dst_len);
			memcpy(&k->hdr.dst_addr, mask, 4);
			for (int i = 0; i < 4; i++) {
				mask[i] &= m->dst_ip[i];
			}
			memcpy(&s->hdr.dst_addr, mask, 4);
		}
		if (fl & DPU_MATCH_IP_PROTO) {
			s->hdr.next_proto_id = m->ip_proto;
			k->hdr.next_proto_id = 0xff;
		}
		item(b, RTE_FLOW_ITEM_TYPE_IPV4, s, k);
	}
	if (!l4) {
		return 0;
	}
	if (!(fl & DPU_MATCH_IP_PROTO)) {
		return fail(b, -EINVAL, "L4 ports need ip_proto 6 (tcp) or 17 (udp)");
	}
	if ((fl & DPU_MATCH_SRC_PORT) && !port_block(m->sport_lo, m->sport_hi, &sv, &sm)) {
		return fail(b, -EINVAL,
			    "source ports %u-%u are not one masked block (dpu_rte_port_blocks)",
			    m->sport_lo, m->sport_hi);
	}
	if ((fl & DPU_MATCH_DST_PORT) && !port_block(m->dport_lo, m->dport_hi, &dv, &dm)) {
		return fail(
			b, -EINVAL,
			"destination ports %u-%u are not one masked block (dpu_rte_port_blocks)",
			m->dport_lo, m->dport_hi);
	}
	return l4_item(b, m->ip_proto, false, sv, sm, dv, dm);
}

/* UDP 4789 and VXLAN, then the inner frame's headers. */
static int tunnel_items(struct build *b, const struct dpu_match *m)
{
	const uint32_t inner = DPU_MATCH_INNER_ETH_TYPE | DPU_MATCH_INNER_SRC_MAC |
			       DPU_MATCH_INNER_DST_MAC | DPU_MATCH_INNER_IP_PROTO |
			       DPU_MATCH_INNER_SRC_IP | DPU_MATCH_INNER_DST_IP |
			       DPU_MATCH_INNER_SRC_PORT | DPU_MATCH_INNER_DST_PORT;
	struct dpu_rte_flow *f = b->f;
	uint32_t fl = m->fields;
	bool ip6 = is_ip6(m->inner.ip_version);

	if (!(fl & (DPU_MATCH_VNI | inner))) {
		return 0;
	}
	if (fl & (DPU_MATCH_SRC_PORT | DPU_MATCH_DST_PORT)) {
		return fail(b, -EINVAL, "outer L4 ports and a VXLAN match together");
	}
	if ((fl & DPU_MATCH_IP_PROTO) && m->ip_proto != IPPROTO_UDP) {
		return fail(b, -EINVAL, "a VXLAN match with ip_proto %u (VXLAN is UDP)",
			    m->ip_proto);
	}
	if (b->f->pattern[b->ni - 1].type == RTE_FLOW_ITEM_TYPE_ETH ||
	    b->f->pattern[b->ni - 1].type == RTE_FLOW_ITEM_TYPE_VLAN) {
		/* UDP needs an IP header before it: unless the match names the
		 * outer family, IPv4 (a rule per family would cover both). */
		item(b, is_ip6(m->ip_version) ? RTE_FLOW_ITEM_TYPE_IPV6 : RTE_FLOW_ITEM_TYPE_IPV4,
		     NULL, NULL);
	}
	f->m.tunnel_udp.hdr.dst_port = rte_cpu_to_be_16(VXLAN_PORT);
	f->m.tunnel_udp_mask.hdr.dst_port = 0xffff;
	item(b, RTE_FLOW_ITEM_TYPE_UDP, &f->m.tunnel_udp, &f->m.tunnel_udp_mask);
	if (fl & DPU_MATCH_VNI) {
		if (m->vni > 0xffffff) {
			return fail(b, -EINVAL, "vni %u: 24 bits", m->vni);
		}
		f->m.vxlan.hdr.vx_vni = rte_cpu_to_be_32(m->vni << 8);
		f->m.vxlan_mask.hdr.vx_vni = rte_cpu_to_be_32(0xffffff00u);
	}
	item(b, RTE_FLOW_ITEM_TYPE_VXLAN, &f->m.vxlan, &f->m.vxlan_mask);
	if (!(fl & inner)) {
		return 0;
	}
	if (fl & DPU_MATCH_INNER_SRC_MAC) {
		memcpy(f->m.ieth.hdr.src_addr.addr_bytes, m->inner.src_mac, 6);
		memset(f->m.ieth_mask.hdr.src_addr.addr_bytes, 0xff, 6);
	}
	if (fl & DPU_MATCH_INNER_DST_MAC) {
		memcpy(f->m.ieth.hdr.dst_addr.addr_bytes, m->inner.dst_mac, 6);
		memset(f->m.ieth_mask.hdr.dst_addr.addr_bytes, 0xff, 6);
	}
	if (fl & DPU_MATCH_INNER_ETH_TYPE) {
		f->m.ieth.hdr.ether_type = rte_cpu_to_be_16(m->inner.eth_type);
		f->m.ieth_mask.hdr.ether_type = 0xffff;
	}
	item(b, RTE_FLOW_ITEM_TYPE_ETH, &f->m.ieth, &f->m.ieth_mask);
	if (!(fl & (DPU_MATCH_INNER_IP_PROTO | DPU_MATCH_INNER_SRC_IP | DPU_MATCH_INNER_DST_IP |
		    DPU_MATCH_INNER_SRC_PORT | DPU_MATCH_INNER_DST_PORT))) {
		return 0;
	}
	if (ip6) {
		if (fl & DPU_MATCH_INNER_SRC_IP) {
			memcpy(f->m.iip6.hdr.src_addr, m->inner.src_ip, 16);
			memset(f->m.iip6_mask.hdr.src_addr, 0xff, 16);
		}
		if (fl & DPU_MATCH_INNER_DST_IP) {
			memcpy(f->m.iip6.hdr.dst_addr, m->inner.dst_ip, 16);
			memset(f->m.iip6_mask.hdr.dst_addr, 0xff, 16);
		}
		if (fl & DPU_MATCH_INNER_IP_PROTO) {
			f->m.iip6.hdr.proto = m->inner.ip_proto;
			f->m.iip6_mask.hdr.proto = 0xff;
		}
		item(b, RTE_FLOW_ITEM_TYPE_IPV6, &f->m.iip6, &f->m.iip6_mask);
	} else {
		if (fl & DPU_MATCH_INNER_SRC_IP) {
			memcpy(&f->m.iip4.hdr.src_addr, m->inner.src_ip, 4);
			f->m.iip4_mask.hdr.src_addr = 0xffffffff;
		}
		if (fl & DPU_MATCH_INNER_DST_IP) {
			memcpy(&f->m.iip4.hdr.dst_addr, m->inner.dst_ip, 4);
			f->m.iip4_mask.hdr.dst_addr = 0xffffffff;
		}
		if (fl & DPU_MATCH_INNER_IP_PROTO) {
			f->m.iip4.hdr.next_proto_id = m->inner.ip_proto;
			f->m.iip4_mask.hdr.next_proto_id = 0xff;
		}
		item(b, RTE_FLOW_ITEM_TYPE_IPV4, &f->m.iip4, &f->m.iip4_mask);
	}
	if (!(fl & (DPU_MATCH_INNER_SRC_PORT | DPU_MATCH_INNER_DST_PORT))) {
		return 0;
	}
	if (!(fl & DPU_MATCH_INNER_IP_PROTO)) {
		return fail(b, -EINVAL, "inner L4 ports need inner ip_proto 6 (tcp) or 17 (udp)");
	}
	return l4_item(b, m->inner.ip_proto, true, m->inner.sport,
		       (fl & DPU_MATCH_INNER_SRC_PORT) ? 0xffff : 0, m->inner.dport,
		       (fl & DPU_MATCH_INNER_DST_PORT) ? 0xffff : 0);
}

static int port_of(const struct dpu_rte_ctx *ctx, struct build *b, const char *port,
		   const char *what, uint16_t *id)
{
	int rc = ctx->port_id(ctx->arg, port, id);

	return rc < 0 ? fail(b, rc, "%s: no port '%s' on this device", what, port) : 0;
}

static void encap_def(struct build *b, const struct dpu_vxlan_encap *v)
{
	struct dpu_rte_flow *f = b->f;
	struct rte_flow_item *it = f->a.encap_items;

	memcpy(f->a.encap_eth.hdr.src_addr.addr_bytes, v->src_mac, 6);
	memcpy(f->a.encap_eth.hdr.dst_addr.addr_bytes, v->dst_mac, 6);
	if (is_ip6(v->ip_version)) {
		f->a.encap_eth.hdr.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		f->a.encap_ip6.hdr.vtc_flow = rte_cpu_to_be_32(6u << 28);
		f->a.encap_ip6.hdr.proto = IPPROTO_UDP;
		f->a.encap_ip6.hdr.hop_limits = v->ttl ? v->ttl : 64;
		memcpy(f->a.encap_ip6.hdr.src_addr, v->src_ip, 16);
		memcpy(f->a.encap_ip6.hdr.dst_addr, v->dst_ip, 16);
	} else {
		f->a.encap_eth.hdr.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		f->a.encap_ip4.hdr.version_ihl = RTE_IPV4_VHL_DEF;
		f->a.encap_ip4.hdr.next_proto_id = IPPROTO_UDP;
		f->a.encap_ip4.hdr.time_to_live = v->ttl ? v->ttl : 64;
		memcpy(&f->a.encap_ip4.hdr.src_addr, v->src_ip, 4);
		memcpy(&f->a.encap_ip4.hdr.dst_addr, v->dst_ip, 4);
	}
	/* Source port 0: the NIC derives it from the inner frame's hash. */
	f->a.encap_udp.hdr.dst_port = rte_cpu_to_be_16(v->udp_dport ? v->udp_dport : VXLAN_PORT);
	f->a.encap_vxlan.hdr.vx_flags = rte_cpu_to_be_32(0x08000000u);
	f->a.encap_vxlan.hdr.vx_vni = rte_cpu_to_be_32((v->vni & 0xffffff) << 8);
	it[0] = (struct rte_flow_item){.type = RTE_FLOW_ITEM_TYPE_ETH, .spec = &f->a.encap_eth};
	it[1] = is_ip6(v->ip_version) ? (struct rte_flow_item){.type = RTE_FLOW_ITEM_TYPE_IPV6,
							       .spec = &f->a.encap_ip6}
				      : (struct rte_flow_item){.type = RTE_FLOW_ITEM_TYPE_IPV4,
							       .spec = &f->a.encap_ip4};
	it[2] = (struct rte_flow_item){.type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &f->a.encap_udp};
	it[3] = (struct rte_flow_item){.type = RTE_FLOW_ITEM_TYPE_VXLAN, .spec = &f->a.encap_vxlan};
	it[4] = (struct rte_flow_item){.type = RTE_FLOW_ITEM_TYPE_END};
	f->a.encap.definition = it;
	action(b, RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, &f->a.encap);
}

/* The edits, in the HAL's order: decap, rewrites, TTL, encap. */
static int edit_actions(struct build *b, const struct dpu_actions *a)
{
	struct dpu_rte_flow *f = b->f;
	bool ip6 = is_ip6(a->set_ip_version);

	if (a->decap) {
		action(b, RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, NULL);
	}
	if (a->set & DPU_SET_SRC_MAC) {
		memcpy(f->a.src_mac.mac_addr, a->set_src_mac, 6);
		action(b, RTE_FLOW_ACTION_TYPE_SET_MAC_SRC, &f->a.src_mac);
	}
	if (a->set & DPU_SET_DST_MAC) {
		memcpy(f->a.dst_mac.mac_addr, a->set_dst_mac, 6);
		action(b, RTE_FLOW_ACTION_TYPE_SET_MAC_DST, &f->a.dst_mac);
	}
	if ((a->set & (DPU_SET_SRC_IP | DPU_SET_DST_IP)) && a->set_ip_version != 0 &&
	    a->set_ip_version != 4 && !ip6) {
		return fail(b, -EINVAL, "set_ip_version %u: 4 or 6", a->set_ip_version);
	}
	if (a->set & DPU_SET_SRC_IP) {
		if (ip6) {
			memcpy(f->a.src_ip6.ipv6_addr, a->set_src_ip, 16);
			action(b, RTE_FLOW_ACTION_TYPE_SET_IPV6_SRC, &f->a.src_ip6);
		} else {
			memcpy(&f->a.src_ip4.ipv4_addr, a->set_src_ip, 4);
			action(b, RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC, &f->a.src_ip4);
		}
	}
	if (a->set & DPU_SET_DST_IP) {
		if (ip6) {
			memcpy(f->a.dst_ip6.ipv6_addr, a->set_dst_ip, 16);
			action(b, RTE_FLOW_ACTION_TYPE_SET_IPV6_DST, &f->a.dst_ip6);
		} else {
			memcpy(&f->a.dst_ip4.ipv4_addr, a->set_dst_ip, 4);
			action(b, RTE_FLOW_ACTION_TYPE_SET_IPV4_DST, &f->a.dst_ip4);
		}
	}
	if (a->set & DPU_SET_SRC_PORT) {
		f->a.sport.port = rte_cpu_to_be_16(a->set_src_port);
		action(b, RTE_FLOW_ACTION_TYPE_SET_TP_SRC, &f->a.sport);
	}
	if (a->set & DPU_SET_DST_PORT) {
		f->a.dport.port = rte_cpu_to_be_16(a->set_dst_port);
		action(b, RTE_FLOW_ACTION_TYPE_SET_TP_DST, &f->a.dport);
	}
	if (a->dec_ttl) {
		action(b, RTE_FLOW_ACTION_TYPE_DEC_TTL, NULL);
	}
	if (a->encap) {
		if (a->vxlan.ip_version != 4 && a->vxlan.ip_version != 6) {
			return fail(b, -EINVAL, "encap ip_version %u: 4 or 6", a->vxlan.ip_version);
		}
		if (a->vxlan.vni > 0xffffff) {
			return fail(b, -EINVAL, "encap vni %u: 24 bits", a->vxlan.vni);
		}
		encap_def(b, &a->vxlan);
	}
	return 0;
}

static int fate_action(const struct dpu_rte_ctx *ctx, struct build *b, const char *domain,
		       const struct dpu_actions *a)
{
	struct dpu_rte_flow *f = b->f;
	int rc;

	switch (a->fate) {
	case DPU_FATE_DROP:
		action(b, RTE_FLOW_ACTION_TYPE_DROP, NULL);
		return 0;
	case DPU_FATE_PORT:
		if (domain != NULL) {
			return fail(b, -EINVAL,
				    "fate port: the switch domain's, not port %s's ingress",
				    domain);
		}
		rc = port_of(ctx, b, a->port, "fate port", &f->a.out.port_id);
		if (rc == 0) {
			action(b, RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT, &f->a.out);
		}
		return rc;
	case DPU_FATE_PIPE:
		rc = ctx->group(ctx->arg, domain, a->pipe, &f->a.jump.group);
		if (rc < 0) {
			return fail(b, rc, "fate pipe: no pipe '%s' in %s%s", a->pipe,
				    domain ? "the ingress of " : "the switch",
				    domain ? domain : "");
		}
		action(b, RTE_FLOW_ACTION_TYPE_JUMP, &f->a.jump);
		return 0;
	case DPU_FATE_DELIVER:
		if (domain == NULL) {
			return fail(b, -EINVAL,
				    "fate deliver: a port's ingress only, not the switch");
		}
		if (a->set_queue) {
			f->a.queue.index = a->queue;
			action(b, RTE_FLOW_ACTION_TYPE_QUEUE, &f->a.queue);
			return 0;
		}
		if (ctx->rss_queues == 0 || ctx->rss_queues > RTE_MAX_QUEUES_PER_PORT) {
			return fail(b, -EINVAL, "fate deliver: %u receive queues to spread over",
				    ctx->rss_queues);
		}
		for (uint16_t q = 0; q < ctx->rss_queues; q++) {
			f->a.rss_queue[q] = q;
		}
		f->a.rss.types = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;
		f->a.rss.queue_num = ctx->rss_queues;
		f->a.rss.queue = f->a.rss_queue;
		action(b, RTE_FLOW_ACTION_TYPE_RSS, &f->a.rss);
		return 0;
	}
	return fail(b, -EINVAL, "fate %d unknown", (int)a->fate);
}

int dpu_rte_flow_build(const struct dpu_rte_ctx *ctx, const char *domain, uint32_t group,
		       uint32_t priority, const struct dpu_match *m, const struct dpu_actions *a,
		       struct dpu_rte_flow *f, char *err, size_t errlen)
{
	struct build b = {.f = f, .err = err, .errlen = errlen};
	int rc;

	memset(f, 0, sizeof(*f));
	if (errlen > 0) {
		err[0] = '\0';
	}
	f->attr.group = group;
	f->attr.priority = priority;
	if (domain == NULL) {
		f->attr.transfer = 1;
	} else {
		f->attr.ingress = 1;
	}
	if (m->fields & DPU_MATCH_IN_PORT) {
		if (domain != NULL) {
			return fail(&b, -EINVAL,
				    "in_port: the switch domain's match, not an ingress's");
		}
		rc = port_of(ctx, &b, m->in_port, "in_port", &f->m.in_port.port_id);
		if (rc < 0) {
			return rc;
		}
		f->m.in_port_mask.port_id = 0xffff;
		item(&b, RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT, &f->m.in_port, &f->m.in_port_mask);
	}
	rc = outer_items(&b, m);
	rc = rc ? rc : tunnel_items(&b, m);
	if (rc < 0) {
		return rc;
	}
	item(&b, RTE_FLOW_ITEM_TYPE_END, NULL, NULL);

	rc = edit_actions(&b, a);
	if (rc < 0) {
		return rc;
	}
	if (a->set_mark) {
		f->a.mark.id = a->mark;
		action(&b, RTE_FLOW_ACTION_TYPE_MARK, &f->a.mark);
	}
	if (a->meter != 0) {
		f->a.meter.mtr_id = a->meter;
		action(&b, RTE_FLOW_ACTION_TYPE_METER, &f->a.meter);
	}
	if (!ctx->no_count) {
		action(&b, RTE_FLOW_ACTION_TYPE_COUNT, NULL);
	}
	if (a->mirror[0] != '\0') {
		if (domain != NULL) {
			return fail(&b, -EINVAL,
				    "mirror: the switch domain's action, not an ingress's");
		}
		rc = port_of(ctx, &b, a->mirror, "mirror", &f->a.mirror.port_id);
		if (rc < 0) {
			return rc;
		}
		f->a.sample_actions[0] = (struct rte_flow_action){
			.type = RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT, .conf = &f->a.mirror};
		f->a.sample_actions[1] = (struct rte_flow_action){.type = RTE_FLOW_ACTION_TYPE_END};
		f->a.sample.ratio = 1;
		f->a.sample.actions = f->a.sample_actions;
		action(&b, RTE_FLOW_ACTION_TYPE_SAMPLE, &f->a.sample);
	}
	if (a->set_queue && a->fate != DPU_FATE_DELIVER) {
		return fail(&b, -EINVAL, "set_queue: with fate deliver only");
	}
	rc = fate_action(ctx, &b, domain, a);
	if (rc < 0) {
		return rc;
	}
	action(&b, RTE_FLOW_ACTION_TYPE_END, NULL);
	return 0;
}
