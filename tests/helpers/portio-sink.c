/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * portio-sink: a small service on the HAL, for tests of packet I/O and
 * steering. It installs ingress rules on its port (each --rule delivers
 * matching frames with a mark; the rest is dropped), optionally has the
 * switch mirror a port's traffic to it, receives through dpu/hal-io.h and
 * prints what arrived as JSON: totals, frames per mark, per source port,
 * and each rule's entry counters.
 *
 *   portio-sink --device URI --port PORT [--rule PROTO:PORT[-HI]=MARK]...
 *               [--mirror-from PORT] [--count N] [--timeout-ms T] [--echo]
 *               [--ready FILE]
 *
 * --echo sends every frame back out of PORT (into the switch); --ready
 * FILE is created once the port is up; it stops after N frames or T ms.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <rte_mbuf.h>

#include "common/dpdk.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "dpu/hal-flow.h"
#include "dpu/hal-io.h"

#define MAX_RULES 16
#define BURST 32

struct rule {
	struct dpu_match m;
	uint32_t mark;
	uint32_t entry;
};

static int parse_rule(const char *text, struct rule *r)
{
	char proto[16];
	unsigned int lo, hi, mark;
	char tail;

	memset(r, 0, sizeof(*r));
	if (sscanf(text, "%15[a-z]:%u-%u=%u%c", proto, &lo, &hi, &mark, &tail) == 4) {
		/* a range */
	} else if (sscanf(text, "%15[a-z]:%u=%u%c", proto, &lo, &mark, &tail) == 3) {
		hi = lo;
	} else {
		return -EINVAL;
	}
	if (lo > 65535 || hi > 65535 || hi < lo) {
		return -EINVAL;
	}
	if (strcmp(proto, "tcp") == 0) {
		r->m.ip_proto = 6;
	} else if (strcmp(proto, "udp") == 0) {
		r->m.ip_proto = 17;
	} else {
		return -EINVAL;
	}
	r->m.fields = DPU_MATCH_IP_PROTO | DPU_MATCH_DST_PORT;
	r->m.dport_lo = (uint16_t)lo;
	r->m.dport_hi = (uint16_t)hi;
	r->mark = mark;
	return 0;
}

static int fail(struct dpu_dev *dev, const char *what, int rc)
{
	fprintf(stderr, "portio-sink: %s: %s%s%s\n", what, strerror(-rc),
		dev != NULL && dpu_dev_last_error(dev)[0] ? ": " : "",
		dev != NULL ? dpu_dev_last_error(dev) : "");
	return 1;
}

static int setup_steering(struct dpu_dev *dev, const char *port, const char *mirror_from,
			  struct rule *rules, int n_rules)
{
	struct dpu_pipe_attr attr = {
		.name = "filter", .domain = port, .kind = DPU_PIPE_ACL, .root = true};
	struct dpu_actions deliver = {.fate = DPU_FATE_DELIVER, .set_mark = true};
	int rc;

	rc = dpu_flow_flush(dev, port);
	if (rc < 0) {
		return fail(dev, "flush", rc);
	}
	if (n_rules > 0) {
		rc = dpu_pipe_create(dev, &attr);
		if (rc < 0) {
			return fail(dev, "ingress pipe", rc);
		}
	}
	for (int i = 0; i < n_rules; i++) {
		deliver.mark = rules[i].mark;
		rc = dpu_pipe_entry_add(dev, port, "filter", (uint32_t)i, &rules[i].m, &deliver,
					&rules[i].entry);
		if (rc < 0) {
			return fail(dev, "ingress rule", rc);
		}
	}
	if (mirror_from != NULL) {
		rc = dpu_flow_mirror(dev, mirror_from, port, "default");
		if (rc < 0) {
			return fail(dev, "mirror", rc);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"device", required_argument, NULL, 'd'},
		{"port", required_argument, NULL, 'p'},
		{"rule", required_argument, NULL, 'r'},
		{"mirror-from", required_argument, NULL, 'm'},
		{"count", required_argument, NULL, 'c'},
		{"timeout-ms", required_argument, NULL, 't'},
		{"echo", no_argument, NULL, 'e'},
		{"ready", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	static const char *const eal[] = {"--no-pci", "-l", "0", "--no-telemetry", NULL};
	const char *uri = NULL, *port = NULL, *mirror_from = NULL, *ready = NULL;
	struct rule rules[MAX_RULES];
	struct dpu_port_info ports[64];
	uint64_t marks[MAX_RULES] = {0}, src[64] = {0}, total = 0, bytes = 0, unmarked = 0;
	uint64_t want = UINT64_MAX, timeout_ms = 10000, sent = 0, deadline;
	struct dpu_portio_conf conf = {0};
	struct dpu_portio *io = NULL;
	struct dpu_dev *dev = NULL;
	struct rte_mempool *pool;
	struct json_object *out, *o;
	int n_rules = 0, n_ports, c, rc;
	bool echo = false;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			uri = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'r':
			if (n_rules == MAX_RULES || parse_rule(optarg, &rules[n_rules]) < 0) {
				fprintf(stderr, "portio-sink: bad --rule %s\n", optarg);
				return 2;
			}
			n_rules++;
			break;
		case 'm':
			mirror_from = optarg;
			break;
		case 'c':
			want = strtoull(optarg, NULL, 10);
			break;
		case 't':
			timeout_ms = strtoull(optarg, NULL, 10);
			break;
		case 'e':
			echo = true;
			break;
		case 'R':
			ready = optarg;
			break;
		default:
			return 2;
		}
	}
	if (uri == NULL || port == NULL) {
		fprintf(stderr, "usage: portio-sink --device URI --port PORT [options]\n");
		return 2;
	}
	dpu_log_set_sdk_level(DPU_LOG_ERROR);
	if (dpu_dpdk_init("portio-sink", eal, 256) < 0) {
		return 1;
	}
	pool = rte_pktmbuf_pool_create("sink", 4095, 128, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	rc = dpu_dev_open(uri, &dev);
	if (rc < 0 || pool == NULL) {
		return fail(NULL, uri, rc < 0 ? rc : -ENOMEM);
	}
	n_ports = dpu_port_list(dev, ports, 64);
	if (n_ports < 0) {
		return fail(dev, "ports", n_ports);
	}
	if (setup_steering(dev, port, mirror_from, rules, n_rules) != 0) {
		return 1;
	}
	conf.pool = pool;
	rc = dpu_portio_open(dev, port, &conf, &io);
	if (rc < 0) {
		return fail(dev, "packet I/O", rc);
	}
	if (ready != NULL) {
		FILE *f = fopen(ready, "w");

		if (f != NULL) {
			fclose(f);
		}
	}
	deadline = dpu_time_mono_ns() + timeout_ms * DPU_NSEC_PER_MSEC;
	while (total < want && dpu_time_mono_ns() < deadline) {
		struct rte_mbuf *m[BURST];
		uint16_t n = dpu_portio_rx_burst(io, m, BURST);

		if (n == 0) {
			dpu_sleep_ns(100 * DPU_NSEC_PER_USEC);
			continue;
		}
		for (uint16_t i = 0; i < n; i++) {
			uint32_t mark;
			int sp = dpu_mbuf_src_port(m[i]);
			bool known = false;

			total++;
			bytes += rte_pktmbuf_pkt_len(m[i]);
			if (sp >= 0 && sp < 64) {
				src[sp]++;
			}
			if (dpu_mbuf_mark(m[i], &mark)) {
				for (int r = 0; r < n_rules; r++) {
					if (rules[r].mark == mark) {
						marks[r]++;
						known = true;
						break;
					}
				}
			}
			unmarked += !known;
		}
		if (echo) {
			uint16_t tx = dpu_portio_tx_burst(io, m, n);

			sent += tx;
			rte_pktmbuf_free_bulk(&m[tx], n - tx);
		} else {
			rte_pktmbuf_free_bulk(m, n);
		}
	}
	if (echo) {
		/* Frames still on the memif ring are lost when the port goes. */
		dpu_sleep_ns(500 * DPU_NSEC_PER_MSEC);
	}
	out = json_object_new_object();
	json_object_object_add(out, "packets", json_object_new_uint64(total));
	json_object_object_add(out, "bytes", json_object_new_uint64(bytes));
	json_object_object_add(out, "unmarked", json_object_new_uint64(unmarked));
	json_object_object_add(out, "echoed", json_object_new_uint64(sent));
	o = json_object_new_object();
	for (int r = 0; r < n_rules; r++) {
		char key[16];

		snprintf(key, sizeof(key), "%u", rules[r].mark);
		json_object_object_add(o, key, json_object_new_uint64(marks[r]));
	}
	json_object_object_add(out, "marks", o);
	o = json_object_new_object();
	for (int p = 0; p < n_ports && p < 64; p++) {
		if (src[p] > 0) {
			json_object_object_add(o, ports[p].name, json_object_new_uint64(src[p]));
		}
	}
	json_object_object_add(out, "src", o);
	o = json_object_new_object();
	for (int r = 0; r < n_rules; r++) {
		uint64_t pk = 0, by = 0;
		char key[16];

		snprintf(key, sizeof(key), "%u", rules[r].mark);
		rc = dpu_pipe_entry_stats(dev, port, "filter", rules[r].entry, &pk, &by);
		json_object_object_add(o, key, rc == 0 ? json_object_new_uint64(pk) : NULL);
	}
	json_object_object_add(out, "entries", o);
	printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	fflush(stdout); /* the result is out whatever the tear-down does */
	json_object_put(out);
	dpu_portio_close(io);
	dpu_dev_close(dev);
	rte_mempool_free(pool);
	dpu_dpdk_fini();
	return 0;
}
