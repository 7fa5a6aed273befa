/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "flow-inspector/record.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* IPv6 extension headers FI steps over to reach the transport header. */
static bool ipv6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 60 || nh == 51;
}

int fi_parse(const uint8_t *f, uint32_t caplen, uint32_t wirelen, struct fi_pkt *k)
{
	uint32_t off = 14, l4, l4_end;
	uint16_t et;
	bool first_vlan = true;

	memset(k, 0, sizeof(*k));
	k->packet_len = wirelen;
	if (caplen < 14) {
		return -EINVAL;
	}
	memcpy(k->dst_mac, f, 6);
	memcpy(k->src_mac, f + 6, 6);
	et = rd16(f + 12);
	while (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
		if (off + 4 > caplen) {
			return -EINVAL;
		}
		if (first_vlan) {
			k->vlan_id = rd16(f + off) & 0x0fff; /* the outer tag */
			first_vlan = false;
		}
		et = rd16(f + off + 2);
		off += 4;
	}
	if (et == 0x0800) {
		uint32_t ihl, total;
		uint16_t frag;

		if (off + 20 > caplen || (f[off] >> 4) != 4) {
			return -EINVAL;
		}
		ihl = (uint32_t)(f[off] & 0x0f) * 4;
		if (ihl < 20 || off + ihl > caplen) {
			return -EINVAL;
		}
		k->ip_version = 4;
		k->dscp = f[off + 1] >> 2;
		total = rd16(f + off + 2);
		frag = rd16(f + off + 6);
		k->ttl = f[off + 8];
		k->protocol = f[off + 9];
		memcpy(k->src_ip, f + off + 12, 4);
		memcpy(k->dst_ip, f + off + 16, 4);
		if (frag & 0x1fff) {
			return -EINVAL; /* a later fragment: no transport header */
		}
		l4 = off + ihl;
		/* The IP total length bounds the payload (Ethernet pads short frames). */
		l4_end = off + total;
		if (total < ihl) {
			return -EINVAL;
		}
	} else if (et == 0x86dd) {
		uint8_t nh;

		if (off + 40 > caplen || (f[off] >> 4) != 6) {
			return -EINVAL;
		}
		k->ip_version = 6;
		k->dscp = (uint8_t)(rd16(f + off) >> 6 & 0x3f);
		nh = f[off + 6];
		k->ttl = f[off + 7];
		memcpy(k->src_ip, f + off + 8, 16);
		memcpy(k->dst_ip, f + off + 24, 16);
		l4_end = off + 40 + rd16(f + off + 4);
		l4 = off + 40;
		while (ipv6_ext(nh)) {
			uint32_t len;

			if (l4 + 8 > caplen) {
				return -EINVAL;
			}
			len = nh == 51 ? ((uint32_t)f[l4 + 1] + 2) * 4
				       : ((uint32_t)f[l4 + 1] + 1) * 8;
			nh = f[l4];
			l4 += len;
		}
		if (nh == 44) {
			/* Fragment header: only the first fragment has the transport header. */
			if (l4 + 8 > caplen || (rd16(f + l4 + 2) & 0xfff8) != 0) {
				return -EINVAL;
			}
			nh = f[l4];
			l4 += 8;
		}
		k->protocol = nh;
	} else {
		return -EINVAL;
	}
	if (k->protocol == 6) {
		uint32_t doff;

		if (l4 + 20 > caplen) {
			return -EINVAL;
		}
		doff = (uint32_t)(f[l4 + 12] >> 4) * 4;
		k->tcp_flags = f[l4 + 13];
		k->src_port = rd16(f + l4);
		k->dst_port = rd16(f + l4 + 2);
		l4 += doff < 20 ? 20 : doff;
	} else if (k->protocol == 17) {
		if (l4 + 8 > caplen) {
			return -EINVAL;
		}
		k->src_port = rd16(f + l4);
		k->dst_port = rd16(f + l4 + 2);
		l4 += 8;
	} else {
		return -EINVAL;
	}
	if (l4_end > wirelen) {
		l4_end = wirelen;
	}
	k->l4_payload_len = l4_end > l4 ? l4_end - l4 : 0;
	k->payload = f + (l4 < caplen ? l4 : caplen);
	k->payload_cap = l4 < caplen ? (l4_end < caplen ? l4_end : caplen) - l4 : 0;
	if (l4 > l4_end) {
		k->payload_cap = 0;
	}
	return 0;
}

static void put_ip(FILE *out, const struct fi_pkt *k, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(k->ip_version == 6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf));
	fprintf(out, "\"%s\"", buf);
}

static void put_mac(FILE *out, const uint8_t *m)
{
	fprintf(out, "\"%02x:%02x:%02x:%02x:%02x:%02x\"", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void fi_write_json(FILE *out, const struct fi_unit *u, const struct fi_pkt *k,
		   unsigned int payload_bytes)
{
	fputc('{', out);
	for (size_t i = 0; i < u->n_fields; i++) {
		enum fi_field f = u->fields[i];

		fprintf(out, "%s\"%s\": ", i ? ", " : "", fi_field_name(f));
		switch (f) {
		case FI_TIMESTAMP:
			fprintf(out, "%llu", (unsigned long long)k->timestamp_us);
			break;
		case FI_EXPORT_UNIT:
			fprintf(out, "%u", k->unit);
			break;
		case FI_PORT:
			fprintf(out, "%u", k->port);
			break;
		case FI_SRC_MAC:
			put_mac(out, k->src_mac);
			break;
		case FI_DST_MAC:
			put_mac(out, k->dst_mac);
			break;
		case FI_VLAN_ID:
			fprintf(out, "%u", k->vlan_id);
			break;
		case FI_IP_VERSION:
			fprintf(out, "%u", k->ip_version);
			break;
		case FI_SRC_IP:
			put_ip(out, k, k->src_ip);
			break;
		case FI_DST_IP:
			put_ip(out, k, k->dst_ip);
			break;
		case FI_PROTOCOL:
			fprintf(out, "%u", k->protocol);
			break;
		case FI_SRC_PORT:
			fprintf(out, "%u", k->src_port);
			break;
		case FI_DST_PORT:
			fprintf(out, "%u", k->dst_port);
			break;
		case FI_TCP_FLAGS:
			fprintf(out, "%u", k->tcp_flags);
			break;
		case FI_TTL:
			fprintf(out, "%u", k->ttl);
			break;
		case FI_DSCP:
			fprintf(out, "%u", k->dscp);
			break;
		case FI_PACKET_LEN:
			fprintf(out, "%u", k->packet_len);
			break;
		case FI_L4_PAYLOAD_LEN:
			fprintf(out, "%u", k->l4_payload_len);
			break;
		case FI_PAYLOAD:
			fputc('"', out);
			for (uint32_t b = 0; b < k->payload_cap && b < payload_bytes; b++) {
				fprintf(out, "%02x", k->payload[b]);
			}
			fputc('"', out);
			break;
		default:
			fputs("null", out);
		}
	}
	fputs("}\n", out);
}

/* A field's exporter type and size in the record (payload: 'payload_bytes', at least 1). */
static const char *field_type(enum fi_field f, unsigned int payload_bytes, uint16_t *len,
			      size_t *size)
{
	static const struct {
		const char *type;
		uint16_t len;
		size_t size;
	} t[FI_N_FIELDS] = {
		[FI_TIMESTAMP] = {"uint64_t", 1, 8},
		[FI_EXPORT_UNIT] = {"uint16_t", 1, 2},
		[FI_PORT] = {"uint16_t", 1, 2},
		[FI_SRC_MAC] = {"uint8_t", 6, 6},
		[FI_DST_MAC] = {"uint8_t", 6, 6},
		[FI_VLAN_ID] = {"uint16_t", 1, 2},
		[FI_IP_VERSION] = {"uint8_t", 1, 1},
		[FI_SRC_IP] = {"uint8_t", 16, 16},
		[FI_DST_IP] = {"uint8_t", 16, 16},
		[FI_PROTOCOL] = {"uint8_t", 1, 1},
		[FI_SRC_PORT] = {"uint16_t", 1, 2},
		[FI_DST_PORT] = {"uint16_t", 1, 2},
		[FI_TCP_FLAGS] = {"uint8_t", 1, 1},
		[FI_TTL] = {"uint8_t", 1, 1},
		[FI_DSCP] = {"uint8_t", 1, 1},
		[FI_PACKET_LEN] = {"uint32_t", 1, 4},
		[FI_L4_PAYLOAD_LEN] = {"uint32_t", 1, 4},
		[FI_PAYLOAD] = {"uint8_t", 1, 1},
	};

	*len = t[f].len;
	*size = t[f].size;
	if (f == FI_PAYLOAD) {
		*len = (uint16_t)(payload_bytes ? payload_bytes : 1);
		*size = *len;
	}
	return t[f].type;
}

int fi_unit_add_fields(struct dpu_te_type *type, const struct fi_unit *u,
		       unsigned int payload_bytes, fi_add_field_fn *add)
{
	for (size_t i = 0; i < u->n_fields; i++) {
		uint16_t len;
		size_t size;
		const char *t = field_type(u->fields[i], payload_bytes, &len, &size);
		int rc = add(type, fi_field_name(u->fields[i]), t, len);

		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

size_t fi_record_pack(uint8_t *out, const struct fi_unit *u, const struct fi_pkt *k,
		      unsigned int payload_bytes)
{
	size_t off = 0;

	for (size_t i = 0; i < u->n_fields; i++) {
		uint16_t len, v16;
		uint32_t v32;
		size_t size;

		field_type(u->fields[i], payload_bytes, &len, &size);
		switch (u->fields[i]) {
		case FI_TIMESTAMP:
			memcpy(out + off, &k->timestamp_us, 8);
			break;
		case FI_EXPORT_UNIT:
			memcpy(out + off, &k->unit, 2);
			break;
		case FI_PORT:
			memcpy(out + off, &k->port, 2);
			break;
		case FI_SRC_MAC:
			memcpy(out + off, k->src_mac, 6);
			break;
		case FI_DST_MAC:
			memcpy(out + off, k->dst_mac, 6);
			break;
		case FI_VLAN_ID:
			memcpy(out + off, &k->vlan_id, 2);
			break;
		case FI_IP_VERSION:
			out[off] = k->ip_version;
			break;
		case FI_SRC_IP:
			memcpy(out + off, k->src_ip, 16);
			break;
		case FI_DST_IP:
			memcpy(out + off, k->dst_ip, 16);
			break;
		case FI_PROTOCOL:
			out[off] = k->protocol;
			break;
		case FI_SRC_PORT:
			v16 = k->src_port;
			memcpy(out + off, &v16, 2);
			break;
		case FI_DST_PORT:
			v16 = k->dst_port;
			memcpy(out + off, &v16, 2);
			break;
		case FI_TCP_FLAGS:
			out[off] = k->tcp_flags;
			break;
		case FI_TTL:
			out[off] = k->ttl;
			break;
		case FI_DSCP:
			out[off] = k->dscp;
			break;
		case FI_PACKET_LEN:
			v32 = k->packet_len;
			memcpy(out + off, &v32, 4);
			break;
		case FI_L4_PAYLOAD_LEN:
			v32 = k->l4_payload_len;
			memcpy(out + off, &v32, 4);
			break;
		case FI_PAYLOAD:
			/* A short payload is padded with zeros. */
			v32 = k->payload_cap < size ? k->payload_cap : (uint32_t)size;
			memcpy(out + off, k->payload, v32);
			memset(out + off + v32, 0, size - v32);
			break;
		default:
			break;
		}
		off += size;
	}
	return off;
}
