/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-flow-inspector: packets filtered by the export units of a policy,
 * parsed into each unit's record and exported.
 *
 *   dpu-flow-inspector --policy FILE [--device URI] --port PORT [--mirror-from PORT]
 *                      [--queues N] [--output jsonl] [--telemetry-sockets DIR] [--id ID]
 *                      [-l LEVEL]
 *   dpu-flow-inspector --policy FILE --pcap FILE --output jsonl [-l LEVEL]
 *
 * Live mode (live.c): the service on a HAL port, records to dpu-telemetry.
 * Offline mode: the capture goes through the same
 * software eSwitch filtering as the live service (an ACL pipe with one rule
 * per unit, protocol and port pair, the unit's index as the mark; the first
 * matching unit wins), each marked frame is parsed into its unit's fields,
 * and one JSON object per record goes to stdout (--output jsonl) or the
 * records go to dpu-telemetry as in live mode; a summary per unit goes to
 * stderr.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define DPU_LOG_MODULE "fi"
#include "common/dpdk.h"
#include "common/log.h"
#include "common/opts.h"
#include "common/timeutil.h"
#include "dpu/hal-io.h"
#include "flow-inspector/capture.h"
#include "flow-inspector/live.h"
#include "flow-inspector/policy.h"
#include "flow-inspector/record.h"
#include "sim/eswitch/esw.h"

#define BURST 32

struct unit_ctr {
	uint64_t received, exported, parse_errors;
};

/* The policy as an ACL pipe: the same rules the live service installs. */
static int build_filter(const struct fi_policy *p, struct esw **eswp)
{
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_pipe *acl;
	struct esw *esw;
	size_t n_rules = 0;
	int rc;

	for (size_t u = 0; u < p->n_units; u++) {
		n_rules += p->units[u].n_pairs * 2;
	}
	rc = esw_create(&esw);
	if (rc == 0) {
		rc = esw_pipe_create_acl(esw, "fi", (uint32_t)n_rules, &drop, &acl);
	}
	for (size_t u = 0; rc == 0 && u < p->n_units; u++) {
		const struct fi_unit *un = &p->units[u];
		struct esw_actions mark = {
			.fate = ESW_FATE_PORT, .port = 0, .set_mark = true, .mark = (uint32_t)u};

		for (int proto = 0; rc == 0 && proto < 2; proto++) {
			if (!(un->protos & (proto == 0 ? FI_PROTO_TCP : FI_PROTO_UDP))) {
				continue;
			}
			for (size_t i = 0; rc == 0 && i < un->n_pairs; i++) {
				struct esw_acl_rule r = {
					.priority = (uint32_t)u,
					.proto = proto == 0 ? 6 : 17,
					.proto_mask = 0xff,
					.sport_lo = un->pairs[i].src.lo,
					.sport_hi = un->pairs[i].src.hi,
					.dport_lo = un->pairs[i].dst.lo,
					.dport_hi = un->pairs[i].dst.hi,
					.in_port_hi = 0xffff,
				};

				rc = esw_acl_add(acl, &r, &mark, NULL);
			}
		}
	}
	if (rc == 0) {
		rc = esw_acl_commit(acl);
	}
	if (rc == 0) {
		rc = esw_set_root(esw, acl);
	}
	if (rc < 0) {
		esw_destroy(esw);
		return rc;
	}
	*eswp = esw;
	return 0;
}

/* Offline records go to stdout as JSON, or to dpu-telemetry when 'x' is set. */
static struct fi_export *offline_export;

static void flush_burst(struct esw *esw, const struct fi_policy *p, struct esw_key *keys,
			const struct fi_frame *f, const uint32_t *lens, unsigned int n,
			struct unit_ctr *ctr)
{
	struct esw_result res[BURST];

	if (n == 0) {
		return;
	}
	esw_classify_burst(esw, keys, lens, n, res);
	for (unsigned int i = 0; i < n; i++) {
		struct fi_pkt pkt;
		uint32_t u;

		if (!res[i].marked || res[i].mark >= p->n_units) {
			continue;
		}
		u = res[i].mark;
		ctr[u].received++;
		if (fi_parse(f[i].data, f[i].caplen, f[i].wirelen, &pkt) < 0) {
			ctr[u].parse_errors++;
			continue;
		}
		pkt.unit = (uint16_t)u;
		pkt.timestamp_us = f[i].ts_us;
		if (offline_export != NULL) {
			if (fi_export_record(offline_export, p, &pkt) < 0) {
				continue;
			}
		} else {
			fi_write_json(stdout, &p->units[u], &pkt, p->payload_bytes);
		}
		ctr[u].exported++;
	}
}

static int run_offline(const struct fi_policy *p, const char *file, bool force_libpcap)
{
	static struct unit_ctr ctr[FI_MAX_UNITS];
	struct fi_frame frames[BURST], kept[BURST];
	struct esw_key keys[BURST];
	uint32_t lens[BURST];
	uint64_t n_frames = 0, unparsed = 0, t0;
	struct fi_capture *cap;
	struct esw *esw;
	char err[PCAP_ERRBUF_SIZE + 96];
	double secs;
	int rc;

	rc = build_filter(p, &esw);
	if (rc < 0) {
		log_err("filter: %s", strerror(-rc));
		return 1;
	}
	t0 = dpu_time_mono_ns();
	if (fi_capture_open(file, force_libpcap, &cap, err, sizeof(err)) < 0) {
		log_err("%s: %s", file, err);
		esw_destroy(esw);
		return 1;
	}
	while ((rc = fi_capture_burst(cap, frames, BURST)) > 0) {
		unsigned int n = 0;

		n_frames += (uint64_t)rc;
		for (int i = 0; i < rc; i++) {
			if (esw_parse(frames[i].data, frames[i].caplen, 0, &keys[n]) < 0) {
				unparsed++;
				continue;
			}
			kept[n] = frames[i];
			lens[n] = frames[i].wirelen;
			n++;
		}
		flush_burst(esw, p, keys, kept, lens, n, ctr);
	}
	fflush(stdout);
	if (rc < 0) {
		log_err("%s: %s", file, fi_capture_error(cap));
	}
	if (offline_export != NULL) {
		uint64_t rx[FI_MAX_UNITS], ex[FI_MAX_UNITS], er[FI_MAX_UNITS];

		for (size_t u = 0; u < p->n_units; u++) {
			rx[u] = ctr[u].received;
			ex[u] = ctr[u].exported;
			er[u] = ctr[u].parse_errors;
		}
		fi_export_stats(offline_export, p, rx, ex, er); /* flushes the records too */
	}
	secs = (double)(dpu_time_mono_ns() - t0) / 1e9;
	fprintf(stderr,
		"dpu-flow-inspector: %s: %llu frames (%llu not Ethernet) in %.3f s, %.2f Mpps "
		"(%s reader)\n",
		file, (unsigned long long)n_frames, (unsigned long long)unparsed, secs,
		secs > 0 ? (double)n_frames / secs / 1e6 : 0.0, fi_capture_reader(cap));
	for (size_t u = 0; u < p->n_units; u++) {
		fprintf(stderr, "  unit %zu: received %llu, exported %llu, parse errors %llu\n", u,
			(unsigned long long)ctr[u].received, (unsigned long long)ctr[u].exported,
			(unsigned long long)ctr[u].parse_errors);
	}
	fi_capture_close(cap);
	esw_destroy(esw);
	return rc < 0 ? 1 : 0;
}

/*
 * EAL lcores for the live mode: the main one and a worker per queue, every
 * one allowed on each CPU this process may use ("0@(0,1),1@(0,1),...").
 */
static int lcores_arg(unsigned int queues, char *buf, size_t size)
{
	char cpus[256] = "";
	size_t len = 0, off = 0;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0) {
		return -errno;
	}
	for (int c = 0; c < CPU_SETSIZE && len + 8 < sizeof(cpus); c++) {
		if (CPU_ISSET(c, &set)) {
			len += (size_t)snprintf(cpus + len, sizeof(cpus) - len, "%s%d",
						len ? "," : "", c);
		}
	}
	for (unsigned int l = 0; l <= queues; l++) {
		int n = snprintf(buf + off, size - off, "%s%u@(%s)", l ? "," : "", l, cpus);

		if (n < 0 || (size_t)n >= size - off) {
			return -ENAMETOOLONG;
		}
		off += (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		DPU_COMMON_LONGOPTS,
		{"policy", required_argument, NULL, 'p'},
		{"pcap", required_argument, NULL, 'r'},
		{"output", required_argument, NULL, 'o'},
		{"device", required_argument, NULL, 'd'},
		{"port", required_argument, NULL, 'P'},
		{"mirror-from", required_argument, NULL, 'm'},
		{"telemetry-sockets", required_argument, NULL, 'T'},
		{"id", required_argument, NULL, 'i'},
		{"libpcap", no_argument, NULL, 'L'},
		{"queues", required_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *eal[] = {"--no-pci", "-l", "0", "--no-telemetry", NULL};
	static char lcores[4096];
	char *end;
	static struct fi_policy policy;
	const char *policy_path = NULL, *pcap = NULL, *output = NULL;
	bool force_libpcap = false;
	struct fi_live_opts live = {.uri = "sim:bf3-0", .source_id = "flow_inspector"};
	struct dpu_cfg_err err;
	char buf[700];
	int c, rc;

	while ((c = getopt_long(argc, argv, DPU_COMMON_SHORTOPTS "p:r:o:h", longopts, NULL)) !=
	       -1) {
		rc = dpu_common_opt(c, optarg);
		if (rc > 0) {
			continue;
		}
		if (rc < 0) {
			return 2;
		}
		switch (c) {
		case 'p':
			policy_path = optarg;
			break;
		case 'r':
			pcap = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'd':
			live.uri = optarg;
			break;
		case 'P':
			live.port = optarg;
			break;
		case 'm':
			live.mirror_from = optarg;
			break;
		case 'T':
			live.sockets_dir = optarg;
			break;
		case 'i':
			live.source_id = optarg;
			break;
		case 'L':
			force_libpcap = true;
			break;
		case 'q':
			live.queues = (unsigned int)strtoul(optarg, &end, 10);
			if (*end != '\0' || live.queues < 1 ||
			    live.queues > DPU_PORTIO_MAX_QUEUES) {
				log_err("--queues: 1..%d, not '%s'", DPU_PORTIO_MAX_QUEUES, optarg);
				return 2;
			}
			break;
		case 'h':
			printf("usage: dpu-flow-inspector --policy FILE --port PORT [options]   "
			       "(live)\n"
			       "       dpu-flow-inspector --policy FILE --pcap FILE [--output "
			       "jsonl]\n"
			       "  -p, --policy FILE        export units (JSON; "
			       "docs/flow-inspector.md)\n"
			       "      --device URI         HAL device (default sim:bf3-0)\n"
			       "      --port PORT          the port to inspect (live)\n"
			       "      --mirror-from PORT   have the switch mirror PORT to it\n"
			       "      --queues N           receive queues, a worker lcore each "
			       "(default 1)\n"
			       "      --telemetry-sockets DIR  dpu-telemetry's ipc_sockets\n"
			       "      --id ID              telemetry source id\n"
			       "  -r, --pcap FILE          offline: inspect a capture\n"
			       "  -o, --output jsonl       one JSON object per record on stdout\n"
			       "      --libpcap            read the capture through libpcap, never "
			       "mapped\n");
			dpu_common_usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	dpu_common_log_open("dpu-flow-inspector");
	if (policy_path == NULL) {
		log_err("--policy FILE is required");
		return 2;
	}
	rc = fi_policy_load(policy_path, &policy, &err);
	if (rc < 0) {
		log_err("%s", dpu_cfg_err_str(&err, buf, sizeof(buf)));
		return 2;
	}
	if (output != NULL && strcmp(output, "jsonl") != 0) {
		log_err("--output: jsonl is the one format (without it, records go to "
			"dpu-telemetry)");
		return 2;
	}
	if (pcap == NULL && live.port == NULL) {
		log_err("--port PORT (live) or --pcap FILE --output jsonl (offline) is needed");
		return 2;
	}
	dpu_log_set_sdk_level(DPU_LOG_ERROR);
	if (pcap == NULL) {
		/* Live: the main lcore and a worker per queue. */
		if (lcores_arg(live.queues ? live.queues : 1, lcores, sizeof(lcores)) < 0) {
			log_err("cannot list this process's CPUs for the EAL lcores");
			return 1;
		}
		eal[1] = "--lcores";
		eal[2] = lcores;
	}
	if (dpu_dpdk_init("dpu-flow-inspector", eal, 256) < 0) {
		return 1;
	}
	if (pcap != NULL) {
		static struct fi_export x;

		if (output == NULL) {
			if (fi_export_open(&x, &policy, live.sockets_dir, live.source_id) < 0) {
				dpu_dpdk_fini();
				return 1;
			}
			offline_export = &x;
		}
		rc = run_offline(&policy, pcap, force_libpcap);
		fi_export_close(&x);
	} else {
		live.jsonl = output != NULL;
		rc = fi_run_live(&live, policy_path, &policy) < 0 ? 1 : 0;
	}
	dpu_dpdk_fini();
	return rc;
}
