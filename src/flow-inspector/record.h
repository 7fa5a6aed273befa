/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What Flow Inspector reads out of a frame (the outermost L2/L3/L4
 * headers: VLAN/QinQ, IPv4 with options, IPv6 with extension headers, TCP,
 * UDP) and how a unit's record is written out.
 */
#ifndef DPU_FI_RECORD_H
#define DPU_FI_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flow-inspector/policy.h"

struct fi_pkt {
	uint64_t timestamp_us;
	uint16_t unit, port;
	uint8_t src_mac[6], dst_mac[6];
	uint16_t vlan_id;
	uint8_t ip_version; /* 4 or 6 */
	uint8_t src_ip[16], dst_ip[16];
	uint8_t protocol, tcp_flags, ttl, dscp;
	uint16_t src_port, dst_port;
	uint32_t packet_len, l4_payload_len;
	const uint8_t *payload; /* in the frame; 'payload_cap' bytes of it captured */
	uint32_t payload_cap;
};

/*
 * Parse 'caplen' captured bytes of a frame 'wirelen' long. 0 when a whole
 * TCP or UDP header was found (a first or only fragment); -EINVAL otherwise
 * (not IP, not TCP/UDP, a later fragment, cut short). Never reads past caplen.
 */
int fi_parse(const uint8_t *frame, uint32_t caplen, uint32_t wirelen, struct fi_pkt *pkt);

/* The unit's fields as one JSON object line (keys = field names). */
void fi_write_json(FILE *out, const struct fi_unit *unit, const struct fi_pkt *pkt,
		   unsigned int payload_bytes);

/* The largest record a unit can have (every field, 1024 payload bytes). */
#define FI_RECORD_MAX 1200

struct dpu_te_type;
typedef int fi_add_field_fn(struct dpu_te_type *type, const char *name, const char *type_name,
			    uint16_t len);

/*
 * The unit's record as exporter API fields, in the unit's order (DOCA type
 * names; addresses and payload as uint8_t arrays), and the packed record.
 */
int fi_unit_add_fields(struct dpu_te_type *type, const struct fi_unit *unit,
		       unsigned int payload_bytes, fi_add_field_fn *add);
size_t fi_record_pack(uint8_t *out, const struct fi_unit *unit, const struct fi_pkt *pkt,
		      unsigned int payload_bytes);

#endif /* DPU_FI_RECORD_H */
