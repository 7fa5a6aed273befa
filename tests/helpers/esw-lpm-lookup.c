/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esw-lpm-lookup ROUTES ADDRS: load "PREFIX/LEN NEXTHOP" lines (IPv4 or
 * IPv6) into an eSwitch LPM pipe, then print, for each address in ADDRS
 * (one a line), the next hop the pipe picks, or "miss". Used to compare
 * the eSwitch with the kernel's FIB (tests/integration/lpm-kernel.sh).
 */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dpdk.h"
#include "common/log.h"
#include "sim/eswitch/esw.h"

static int parse_addr(const char *text, uint8_t *out, int *family)
{
	if (inet_pton(AF_INET, text, out) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, out) == 1) {
		*family = 6;
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	static const char *const eal[] = {"--no-pci", "-l", "0", "--no-telemetry", NULL};
	struct esw_actions miss = {.fate = ESW_FATE_DROP};
	struct esw *esw;
	struct esw_pipe *p;
	char line[256];
	FILE *fp;
	int lineno = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: esw-lpm-lookup ROUTES ADDRS\n");
		return 2;
	}
	dpu_log_set_sdk_level(DPU_LOG_ERROR);
	if (dpu_dpdk_init("esw-lpm-lookup", eal, 512) < 0 || esw_create(&esw) < 0 ||
	    esw_pipe_create_lpm(esw, "fib", 1u << 16, &miss, &p) < 0 || esw_set_root(esw, p) < 0) {
		fprintf(stderr, "esw-lpm-lookup: cannot set up the eSwitch\n");
		return 1;
	}
	fp = fopen(argv[1], "r");
	if (fp == NULL) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char prefix[128];
		unsigned int len, nh;
		uint8_t a[16];
		int family;
		char *slash;

		lineno++;
		if (sscanf(line, "%127s %u", prefix, &nh) != 2 ||
		    (slash = strchr(prefix, '/')) == NULL) {
			fprintf(stderr, "%s:%d: expected PREFIX/LEN NEXTHOP\n", argv[1], lineno);
			return 1;
		}
		*slash = '\0';
		len = (unsigned int)atoi(slash + 1);
		struct esw_actions act = {.fate = ESW_FATE_PORT, .port = (uint16_t)nh};

		if (parse_addr(prefix, a, &family) < 0 ||
		    esw_lpm_add(p, family, a, (uint8_t)len, &act, 1, NULL) < 0) {
			fprintf(stderr, "%s:%d: bad route %s/%u\n", argv[1], lineno, prefix, len);
			return 1;
		}
	}
	fclose(fp);
	fp = fopen(argv[2], "r");
	if (fp == NULL) {
		perror(argv[2]);
		return 1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		struct esw_key k;
		struct esw_result r;
		uint32_t len = 64;
		int family;

		line[strcspn(line, "\n")] = '\0';
		memset(&k, 0, sizeof(k));
		if (parse_addr(line, k.dst_ip, &family) < 0) {
			fprintf(stderr, "%s: bad address %s\n", argv[2], line);
			return 1;
		}
		k.ip_ver = (uint8_t)family;
		esw_classify_burst(esw, &k, &len, 1, &r);
		if (r.fate == ESW_FATE_PORT) {
			printf("%s %u\n", line, r.port);
		} else {
			printf("%s miss\n", line);
		}
	}
	fclose(fp);
	esw_destroy(esw);
	dpu_dpdk_fini();
	return 0;
}
