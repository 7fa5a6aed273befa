/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow Inspector's policy: export units, each a filter (L4 protocols and
 * [src, dst] port pairs) and the fields it exports.
 *
 *   {"export-units": [
 *      {"filter": {"protocols": ["tcp", "udp"],
 *                  "ports": [["*", "*"], ["68", "67"], ["1720", "1023-1036"]]},
 *       "export": {"fields": ["timestamp", "src_ip", "dst_port"]}}],
 *    "payload-bytes": 64}
 *
 * Ports: "*" any, "N", "lo-hi" inclusive (strings or numbers). Protocols:
 * tcp, udp (case-insensitive). A packet that matches several units belongs
 * to the first of them in the file. Errors name the JSON path:
 *   policy.json: $.export-units[0].filter.ports[2][1]: '1036-1023': lo > hi
 */
#ifndef DPU_FI_POLICY_H
#define DPU_FI_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"

#define FI_MAX_UNITS 64
#define FI_MAX_PAIRS 64
#define FI_PAYLOAD_DEFAULT 64
#define FI_PAYLOAD_MAX 1024

enum fi_field {
	FI_TIMESTAMP,
	FI_EXPORT_UNIT,
	FI_PORT,
	FI_SRC_MAC,
	FI_DST_MAC,
	FI_VLAN_ID,
	FI_IP_VERSION,
	FI_SRC_IP,
	FI_DST_IP,
	FI_PROTOCOL,
	FI_SRC_PORT,
	FI_DST_PORT,
	FI_TCP_FLAGS,
	FI_TTL,
	FI_DSCP,
	FI_PACKET_LEN,
	FI_L4_PAYLOAD_LEN,
	FI_PAYLOAD,
	FI_N_FIELDS,
};

#define FI_PROTO_TCP 0x1
#define FI_PROTO_UDP 0x2

struct fi_range {
	uint16_t lo, hi;
};

struct fi_unit {
	unsigned int protos; /* FI_PROTO_* */
	size_t n_pairs;
	struct {
		struct fi_range src, dst;
	} pairs[FI_MAX_PAIRS];
	size_t n_fields;
	enum fi_field fields[FI_N_FIELDS];
};

struct fi_policy {
	size_t n_units;
	struct fi_unit units[FI_MAX_UNITS];
	unsigned int payload_bytes;
};

const char *fi_field_name(enum fi_field f);
int fi_policy_load(const char *path, struct fi_policy *p, struct dpu_cfg_err *err);
int fi_policy_load_string(const char *text, size_t len, const char *name, struct fi_policy *p,
			  struct dpu_cfg_err *err);

#endif /* DPU_FI_POLICY_H */
