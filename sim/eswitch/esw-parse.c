/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet to struct esw_key. Bounds are checked before every read; a header
 * cut short sets ESW_KEY_TRUNC and leaves the deeper fields zero.
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sim/eswitch/esw.h"

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define VXLAN_PORT 4789

/* Zero a key with plain vector stores: memset's "rep stos" costs more than a parse. */
static inline void key_zero(struct esw_key *k)
{
#ifdef __SSE2__
	__m128i *v = (__m128i *)(void *)k, z = _mm_setzero_si128();

	/* Spelt out: the compiler turns a loop of stores back into "rep stos". */
	_Static_assert(sizeof(*k) == 8 * sizeof(*v), "struct esw_key is 128 bytes");
	_mm_store_si128(&v[0], z);
	_mm_store_si128(&v[1], z);
	_mm_store_si128(&v[2], z);
	_mm_store_si128(&v[3], z);
	_mm_store_si128(&v[4], z);
	_mm_store_si128(&v[5], z);
	_mm_store_si128(&v[6], z);
	_mm_store_si128(&v[7], z);
#else
	memset(k, 0, sizeof(*k));
#endif
}

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t rd24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Where the parse started, and where header offsets go (NULL: nowhere). */
struct pctx {
	const uint8_t *base;
	struct esw_offsets *off;
};

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE int parse_frame(const uint8_t *pkt, uint32_t len, struct esw_key *k,
				     struct pctx *c, bool outer);

/* The inner frame of a VXLAN packet into k->inner (out of line: the common path stays flat). */
static __attribute__((noinline, cold)) void parse_inner(const uint8_t *p, uint32_t left,
							struct esw_key *k, struct pctx *c)
{
	struct esw_key in;
	struct pctx ic = {.base = p, .off = NULL}; /* no offsets */

	if (parse_frame(p, left, &in, &ic, false) < 0) {
		k->flags |= ESW_KEY_TRUNC;
		return;
	}
	if (c->off != NULL) {
		c->off->inner = (uint32_t)(p - c->base);
	}
	k->flags |= ESW_KEY_VXLAN;
	k->inner.ethertype = in.ethertype;
	k->inner.ip_ver = in.ip_ver;
	k->inner.ip_proto = in.ip_proto;
	k->inner.sport = in.sport;
	k->inner.dport = in.dport;
	k->inner.flags = in.flags;
	k->inner.tcp_flags = in.tcp_flags;
	memcpy(k->inner.src_mac, in.src_mac, 6);
	memcpy(k->inner.dst_mac, in.dst_mac, 6);
	memcpy(k->inner.src_ip, in.src_ip, 16);
	memcpy(k->inner.dst_ip, in.dst_ip, 16);
}

/*
 * L4 at 'p' with 'left' bytes. The parse is one flat function per level
 * ('outer' a constant): the outer frame's, and the inner frame's, which
 * enters no VXLAN.
 */
static ALWAYS_INLINE void parse_l4(const uint8_t *p, uint32_t left, struct esw_key *k,
				   struct pctx *c, bool outer)
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
		/* VXLAN: 8-byte header after UDP, flags bit 0x08 = VNI valid; one level. */
		if (k->dport == VXLAN_PORT && left >= 16 && (p[8] & 0x08)) {
			k->vni = rd24(p + 12);
			if (outer) {
				parse_inner(p + 16, left - 16, k, c);
			}
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

static ALWAYS_INLINE void parse_ipv4(const uint8_t *p, uint32_t left, struct esw_key *k,
				     struct pctx *c, bool outer)
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
	if (c->off != NULL) {
		c->off->l4 = (uint32_t)(p + ihl - c->base);
	}
	parse_l4(p + ihl, left - ihl, k, c, outer);
}

static ALWAYS_INLINE void parse_ipv6(const uint8_t *p, uint32_t left, struct esw_key *k,
				     struct pctx *c, bool outer)
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
	if (c->off != NULL) {
		c->off->l4 = (uint32_t)(p + off - c->base);
	}
	parse_l4(p + off, left - off, k, c, outer);
}

/*
 * One frame into 'k' (zeroed first). The inner frame's parse ('outer'
 * false) records no offsets and enters no VXLAN inside the VXLAN.
 */
static ALWAYS_INLINE int parse_frame(const uint8_t *pkt, uint32_t len, struct esw_key *k,
				     struct pctx *c, bool outer)
{
	uint32_t off = ETH_HLEN;
	uint16_t type;

	key_zero(k);
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
	if ((type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6) && c->off != NULL) {
		c->off->l3 = off;
	}
	if (type == ETHERTYPE_IPV4) {
		parse_ipv4(pkt + off, len - off, k, c, outer);
	} else if (type == ETHERTYPE_IPV6) {
		parse_ipv6(pkt + off, len - off, k, c, outer);
	}
	return 0;
}

static inline __attribute__((always_inline)) int parse_top(const uint8_t *pkt, uint32_t len,
							   uint16_t in_port, struct esw_key *k,
							   struct esw_offsets *off)
{
	struct pctx c = {.base = pkt, .off = off};
	int rc;

	if (off != NULL) {
		memset(off, 0, sizeof(*off));
	}
	rc = parse_frame(pkt, len, k, &c, true);
	k->in_port = in_port;
	return rc;
}

int esw_parse_offsets(const uint8_t *pkt, uint32_t len, uint16_t in_port, struct esw_key *k,
		      struct esw_offsets *off)
{
	return parse_top(pkt, len, in_port, k, off);
}

int esw_parse(const uint8_t *pkt, uint32_t len, uint16_t in_port, struct esw_key *k)
{
	return parse_top(pkt, len, in_port, k, NULL);
}
