/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nf-client: sends flow records through the exporter's NetFlow API, for
 * tests. Record i: 10.0.<i/250>.<i%250+1> -> 192.168.1.1, sport 10000 + i,
 * dport 80 (TCP) for even i and 53 (UDP) for odd, packets i + 1, bytes
 * 100 * (i + 1).
 *
 *   nf-client --port P [--collector ADDR] [--count N] [--version 9|10]
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/netflow.h"

struct __attribute__((packed)) flow {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint32_t pkts, bytes;
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"collector", required_argument, NULL, 'c'},
		{"port", required_argument, NULL, 'p'},
		{"count", required_argument, NULL, 'n'},
		{"version", required_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	static const struct {
		uint16_t type, len;
	} fields[] = {
		{DPU_TE_NETFLOW_IPV4_SRC_ADDR, 4}, {DPU_TE_NETFLOW_IPV4_DST_ADDR, 4},
		{DPU_TE_NETFLOW_L4_SRC_PORT, 2},   {DPU_TE_NETFLOW_L4_DST_PORT, 2},
		{DPU_TE_NETFLOW_PROTOCOL, 1},	   {DPU_TE_NETFLOW_IN_PKTS, 4},
		{DPU_TE_NETFLOW_IN_BYTES, 4},
	};
	const char *collector = "127.0.0.1";
	unsigned long port = 0, count = 100, version = 9;
	struct dpu_te_netflow_template *tpl;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			collector = optarg;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'v':
			version = strtoul(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (port == 0 || port > 65535) {
		fprintf(stderr, "usage: nf-client --port P [options]\n");
		return 2;
	}
	rc = dpu_te_netflow_init(7);
	if (rc == 0) {
		rc = dpu_te_netflow_set_version((unsigned int)version);
	}
	if (rc == 0) {
		rc = dpu_te_netflow_set_collector_addr(collector);
	}
	if (rc == 0) {
		rc = dpu_te_netflow_set_collector_port((uint16_t)port);
	}
	if (rc == 0) {
		rc = dpu_te_netflow_template_create(&tpl);
	}
	for (size_t i = 0; rc == 0 && i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct dpu_te_netflow_field *f;

		rc = dpu_te_netflow_field_create(&f);
		if (rc == 0 && ((rc = dpu_te_netflow_field_set_type(f, fields[i].type)) < 0 ||
				(rc = dpu_te_netflow_field_set_len(f, fields[i].len)) < 0)) {
			dpu_te_netflow_field_destroy(f);
			break;
		}
		if (rc == 0) {
			rc = dpu_te_netflow_template_add_field(tpl, f);
		}
	}
	if (rc == 0) {
		rc = dpu_te_netflow_start();
	}
	for (unsigned long i = 0; rc == 0 && i < count; i++) {
		struct flow fl = {
			.src = htonl(0x0a000000u | (uint32_t)(i / 250) << 8 |
				     (uint32_t)(i % 250 + 1)),
			.dst = htonl(0xc0a80101u),
			.sport = htons((uint16_t)(10000 + i)),
			.dport = htons(i % 2 ? 53 : 80),
			.proto = i % 2 ? 17 : 6,
			.pkts = htonl((uint32_t)i + 1),
			.bytes = htonl((uint32_t)(100 * (i + 1))),
		};
		const void *rec = &fl;
		size_t sent;

		rc = dpu_te_netflow_send(tpl, &rec, 1, &sent);
	}
	if (rc == 0) {
		rc = dpu_te_netflow_flush();
	}
	if (rc < 0) {
		fprintf(stderr, "nf-client: %s\n", strerror(-rc));
		return 1;
	}
	dpu_te_netflow_destroy();
	dpu_te_netflow_template_destroy(tpl);
	printf("sent %lu records\n", count);
	return 0;
}
