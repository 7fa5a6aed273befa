/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet to struct esw_key. Bounds are checked before every read; a header
 * cut short sets ESW_KEY_TRUNC and leaves the deeper fields zero.
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sim/eswitch/esw.h"

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define VXLAN_PORT 4789

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t rd24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* L4 at 'p' with 'left' bytes. */
static void parse_l4(const uint8_t *p, uint32_t left, struct esw_key *k)
{
	switch (k->ip_proto) {
	case 6: /* TCP: the flags are at offset 13 of a >= 20-byte header */
		if (left < 20) {
			k->flags |= ESW_KEY_TRUNC;
			return;
		}
		k->sport = rd16(p);
		k->dport = rd16(p + 2);
		k->tcp_flags = p[13];
		k->flags |= ESW_KEY_L4;
		return;
	case 17: /* UDP */
		if (left < 8) {
			k->flags |= ESW_KEY_TRUNC;
			return;
		}
		k->sport = rd16(p);
		k->dport = rd16(p + 2);
		k->flags |= ESW_KEY_L4;
		/* VXLAN: 8-byte header after UDP, flags bit 0x08 = VNI valid. */
		if (k->dport == VXLAN_PORT && left >= 16 && (p[8] & 0x08)) {
			k->vni = rd24(p + 12);
		}
		return;
	case 1:	 /* ICMP */
	case 58: /* ICMPv6 */
		if (left < 4) {
			k->flags |= ESW_KEY_TRUNC;
			return;
		}
		k->sport = p[0]; /* type */
		k->dport = p[1]; /* code */
		k->flags |= ESW_KEY_L4;
		return;
	default:
		return;
	}
}

static void parse_ipv4(const uint8_t *p, uint32_t left, struct esw_key *k)
{
	uint32_t ihl;

	if (left < 20) {
		k->flags |= ESW_KEY_TRUNC;
		return;
	}
	ihl = (uint32_t)(p[0] & 0x0f) * 4;
	if ((p[0] >> 4) != 4 || ihl < 20) {
		return; /* not a valid IPv4 header: L2 only */
	}
	k->ip_ver = 4;
	k->ip_proto = p[9];
	memcpy(k->src_ip, p + 12, 4);
	memcpy(k->dst_ip, p + 16, 4);
	k->flags |= ESW_KEY_L3;
	/* Fragment offset != 0: no L4 header in this packet. */
	if ((rd16(p + 6) & 0x1fff) != 0) {
		k->flags |= ESW_KEY_FRAG;
		return;
	}
	if (left < ihl) {
		k->flags |= ESW_KEY_TRUNC; /* options cut short */
		return;
	}
	parse_l4(p + ihl, left - ihl, k);
}

static void parse_ipv6(const uint8_t *p, uint32_t left, struct esw_key *k)
{
	uint8_t next;
	uint32_t off = 40;

	if (left < 40) {
		k->flags |= ESW_KEY_TRUNC;
		return;
	}
	if ((p[0] >> 4) != 6) {
		return;
	}
	k->ip_ver = 6;
	memcpy(k->src_ip, p + 8, 16);
	memcpy(k->dst_ip, p + 24, 16);
	k->flags |= ESW_KEY_L3;
	next = p[6];
	/* Walk extension headers: hop-by-hop, routing, destination options, fragment. */
	for (int i = 0; i < 8; i++) {
		if (next == 0 || next == 43 || next == 60) {
			if (left < off + 8) {
				k->ip_proto = next;
				k->flags |= ESW_KEY_TRUNC;
				return;
			}
			uint32_t hlen = ((uint32_t)p[off + 1] + 1) * 8;

			next = p[off];
			off += hlen;
			continue;
		}
		if (next == 44) { /* fragment header: 8 bytes */
			if (left < off + 8) {
				k->ip_proto = next;
				k->flags |= ESW_KEY_TRUNC;
				return;
			}
			uint16_t frag_off = rd16(p + off + 2) & 0xfff8;

			next = p[off];
			off += 8;
			if (frag_off != 0) {
				k->ip_proto = next;
				k->flags |= ESW_KEY_FRAG;
				return;
			}
			continue;
		}
		break;
	}
	k->ip_proto = next;
	if (left < off) {
		k->flags |= ESW_KEY_TRUNC;
		return;
	}
	parse_l4(p + off, left - off, k);
}

int esw_parse(const uint8_t *pkt, uint32_t len, uint16_t in_port, struct esw_key *k)
{
	uint32_t off = ETH_HLEN;
	uint16_t type;

	memset(k, 0, sizeof(*k));
	k->in_port = in_port;
	if (len < ETH_HLEN) {
		return -EINVAL;
	}
	memcpy(k->dst_mac, pkt, 6);
	memcpy(k->src_mac, pkt + 6, 6);
	type = rd16(pkt + 12);
	/* Up to two VLAN tags (QinQ); the outer VID is the one kept. */
	for (int tags = 0; tags < 2 && (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
					type == ETHERTYPE_QINQ_OLD);
	     tags++) {
		if (len < off + 4) {
			k->ethertype = type;
			k->flags |= ESW_KEY_TRUNC;
			return 0;
		}
		if (tags == 0) {
			k->vlan_id = rd16(pkt + off) & 0x0fff;
		}
		type = rd16(pkt + off + 2);
		off += 4;
	}
	k->ethertype = type;
	if (type == ETHERTYPE_IPV4) {
		parse_ipv4(pkt + off, len - off, k);
	} else if (type == ETHERTYPE_IPV6) {
		parse_ipv6(pkt + off, len - off, k);
	}
	return 0;
}
