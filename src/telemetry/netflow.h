/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exporter's NetFlow API: flow records sent straight to a NetFlow v9
 * (RFC 3954) or IPFIX (RFC 7011) collector over UDP, in the shape of DOCA's
 * doca_telemetry_exporter_netflow API (process-global, like it).
 *
 *   dpu_te_netflow_init(source_id)
 *   dpu_te_netflow_set_collector_addr("192.0.2.1"); _set_collector_port(2055)
 *   tpl: dpu_te_netflow_template_create(&t); fields: _field_create(&f),
 *        _field_set_type(f, DPU_TE_NETFLOW_L4_DST_PORT), _field_set_len(f, 2),
 *        _template_add_field(t, f)   (the template takes the field)
 *   dpu_te_netflow_start()
 *   dpu_te_netflow_send(t, records, n, &sent)   records: the fields packed in
 *        order, in network byte order, as they go on the wire
 *   dpu_te_netflow_flush(); dpu_te_netflow_destroy()
 *
 * Packets stay under the maximum packet size (default 1400 bytes); a
 * template goes out with the first packet that uses it and again every 20
 * packets (or 30 s), as collectors expect. Defaults: version 9, collector
 * 127.0.0.1:2055 (DPU_TE_NETFLOW_DEFAULT_PORT). Returns 0 or -errno.
 */
#ifndef DPU_TELEMETRY_NETFLOW_H
#define DPU_TELEMETRY_NETFLOW_H

#include <stddef.h>
#include <stdint.h>

#define DPU_TE_NETFLOW_DEFAULT_PORT 2055

/* Field types: the NetFlow v9 / IPFIX information element ids. */
enum {
	DPU_TE_NETFLOW_IN_BYTES = 1,
	DPU_TE_NETFLOW_IN_PKTS = 2,
	DPU_TE_NETFLOW_FLOWS = 3,
	DPU_TE_NETFLOW_PROTOCOL = 4,
	DPU_TE_NETFLOW_SRC_TOS = 5,
	DPU_TE_NETFLOW_TCP_FLAGS = 6,
	DPU_TE_NETFLOW_L4_SRC_PORT = 7,
	DPU_TE_NETFLOW_IPV4_SRC_ADDR = 8,
	DPU_TE_NETFLOW_SRC_MASK = 9,
	DPU_TE_NETFLOW_INPUT_SNMP = 10,
	DPU_TE_NETFLOW_L4_DST_PORT = 11,
	DPU_TE_NETFLOW_IPV4_DST_ADDR = 12,
	DPU_TE_NETFLOW_DST_MASK = 13,
	DPU_TE_NETFLOW_OUTPUT_SNMP = 14,
	DPU_TE_NETFLOW_IPV4_NEXT_HOP = 15,
	DPU_TE_NETFLOW_LAST_SWITCHED = 21,
	DPU_TE_NETFLOW_FIRST_SWITCHED = 22,
	DPU_TE_NETFLOW_IPV6_SRC_ADDR = 27,
	DPU_TE_NETFLOW_IPV6_DST_ADDR = 28,
	DPU_TE_NETFLOW_IPV6_NEXT_HOP = 62,
	DPU_TE_NETFLOW_APPLICATION_DESCRIPTION = 94,
	DPU_TE_NETFLOW_APPLICATION_NAME = 96,
	DPU_TE_NETFLOW_FLOW_ID = 148,
};

struct dpu_te_netflow_template;
struct dpu_te_netflow_field;

int dpu_te_netflow_init(uint16_t source_id);
/* 9 (NetFlow v9, the default) or 10 (IPFIX). */
int dpu_te_netflow_set_version(unsigned int version);
int dpu_te_netflow_set_collector_addr(const char *addr);
int dpu_te_netflow_set_collector_port(uint16_t port);
int dpu_te_netflow_set_max_packet_size(uint16_t size);
int dpu_te_netflow_start(void);
int dpu_te_netflow_send(struct dpu_te_netflow_template *tpl, const void *const *records, size_t n,
			size_t *sent);
int dpu_te_netflow_flush(void);
void dpu_te_netflow_destroy(void);

int dpu_te_netflow_template_create(struct dpu_te_netflow_template **tplp);
int dpu_te_netflow_template_add_field(struct dpu_te_netflow_template *tpl,
				      struct dpu_te_netflow_field *field);
void dpu_te_netflow_template_destroy(struct dpu_te_netflow_template *tpl);
int dpu_te_netflow_field_create(struct dpu_te_netflow_field **fieldp);
int dpu_te_netflow_field_set_type(struct dpu_te_netflow_field *field, uint16_t type);
int dpu_te_netflow_field_set_len(struct dpu_te_netflow_field *field, uint16_t len);
void dpu_te_netflow_field_destroy(struct dpu_te_netflow_field *field);

#endif /* DPU_TELEMETRY_NETFLOW_H */
