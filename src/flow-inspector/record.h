/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What Flow Inspector reads out of a frame (the outermost L2/L3/L4
 * headers: VLAN/QinQ, IPv4 with options, IPv6 with extension headers, TCP,
 * UDP) and how a unit's record is written out.
 */
#ifndef DPU_FI_RECORD_H
#define DPU_FI_RECORD_H

#include <stdbool.h>
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

#endif /* DPU_FI_RECORD_H */
