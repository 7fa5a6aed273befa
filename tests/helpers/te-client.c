/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * te-client: reports records through the Telemetry Exporter API, for tests.
 * Schema "demo", type "port_stats": char name[16], uint64_t packets,
 * uint64_t bytes, double load. Record i goes to name names[i % n] with
 * packets = i + 1. At the end it flushes and prints its counters as JSON.
 *
 *   te-client --sockets-dir DIR [--id ID] [--count N] [--rate R] [--names a,b,c]
 *             [--buf-size B] [--file-dir DIR [--file-max-size B] [--no-ipc]]
 *             [--no-ring]
 *
 * The JSON also says how long reporting and the final flush took
 * ("seconds") and the rate ("records_per_s"), for the benchmark.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "common/util.h"
#include "telemetry/exporter.h"

struct rec {
	char name[16];
	uint64_t packets;
	uint64_t bytes;
	double load;
} __attribute__((packed));

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"sockets-dir", required_argument, NULL, 's'},
		{"id", required_argument, NULL, 'i'},
		{"count", required_argument, NULL, 'c'},
		{"rate", required_argument, NULL, 'r'},
		{"names", required_argument, NULL, 'n'},
		{"buf-size", required_argument, NULL, 'b'},
		{"file-dir", required_argument, NULL, 'f'},
		{"file-max-size", required_argument, NULL, 'm'},
		{"no-ipc", no_argument, NULL, 'x'},
		{"no-ring", no_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL, *id = "client0", *file_dir = NULL;
	uint64_t file_max = 0;
	bool ipc = true, ring = true;
	char names[8][16], list[128] = "a,b,c";
	uint64_t count = 1000, rate = 0, buf = 2048, start;
	double secs;
	struct dpu_te_schema *schema;
	struct dpu_te_source *src;
	struct dpu_te_type *type;
	struct dpu_te_stats st;
	enum dpu_te_ipc_status status;
	size_t n_names = 0;
	uint8_t idx;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			dir = optarg;
			break;
		case 'i':
			id = optarg;
			break;
		case 'c':
			count = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			rate = strtoull(optarg, NULL, 10);
			break;
		case 'n':
			dpu_strscpy(list, optarg, sizeof(list));
			break;
		case 'b':
			buf = strtoull(optarg, NULL, 10);
			break;
		case 'f':
			file_dir = optarg;
			break;
		case 'm':
			file_max = strtoull(optarg, NULL, 10);
			break;
		case 'x':
			ipc = false;
			break;
		case 'R':
			ring = false;
			break;
		default:
			return 2;
		}
	}
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t != NULL && n_names < 8;
	     t = strtok_r(NULL, ",", &save)) {
		dpu_strscpy(names[n_names++], t, sizeof(names[0]));
	}
	if (dir == NULL || n_names == 0) {
		fprintf(stderr, "usage: te-client --sockets-dir DIR [options]\n");
		return 2;
	}
	rc = dpu_te_schema_init("demo", &schema);
	if (rc == 0) {
		rc = dpu_te_type_create(&type);
	}
	if (rc == 0 && ((rc = dpu_te_type_add_new_field(type, "name", "char", 16)) < 0 ||
			(rc = dpu_te_type_add_new_field(type, "packets", "uint64_t", 1)) < 0 ||
			(rc = dpu_te_type_add_new_field(type, "bytes", "uint64_t", 1)) < 0 ||
			(rc = dpu_te_type_add_new_field(type, "load", "double", 1)) < 0)) {
		dpu_te_type_destroy(type);
	}
	if (rc == 0) {
		rc = dpu_te_schema_add_type(schema, "port_stats", type, &idx);
	}
	if (rc == 0 && ipc) {
		dpu_te_schema_set_ipc_enabled(schema);
		rc = dpu_te_schema_set_ipc_sockets_dir(schema, dir);
	}
	if (rc == 0 && file_dir != NULL &&
	    (rc = dpu_te_schema_set_file_write_enabled(schema)) == 0) {
		rc = dpu_te_schema_set_file_write_path(schema, file_dir);
		if (file_max != 0) {
			dpu_te_schema_set_file_write_max_size(schema, file_max);
		}
	}
	if (rc == 0) {
		dpu_te_schema_set_buf_size(schema, buf); /* default small: many messages */
		dpu_te_schema_set_ipc_ring(schema, ring);
		rc = dpu_te_schema_start(schema);
	}
	if (rc == 0) {
		rc = dpu_te_source_create(schema, &src);
	}
	if (rc == 0 && (rc = dpu_te_source_set_id(src, id)) == 0 &&
	    (rc = dpu_te_source_set_tag(src, "demo_tag")) == 0) {
		rc = dpu_te_source_start(src);
	}
	if (rc < 0) {
		fprintf(stderr, "te-client: set-up: %s\n", strerror(-rc));
		return 1;
	}
	start = dpu_time_mono_ns();
	for (uint64_t i = 0; i < count; i++) {
		struct rec r;

		memset(&r, 0, sizeof(r));
		memcpy(r.name, names[i % n_names], sizeof(r.name));
		r.packets = i + 1;
		r.bytes = (i + 1) * 100;
		r.load = (double)(i % 100) / 100.0;
		dpu_te_source_report(src, idx, &r, 1);
		if (rate > 0) {
			uint64_t due = start + (i + 1) * DPU_NSEC_PER_SEC / rate;
			uint64_t now = dpu_time_mono_ns();

			if (due > now) {
				dpu_sleep_ns(due - now);
			}
			if (i % 64 == 0) {
				dpu_te_check_ipc_status(src,
							&status); /* lets it reconnect, read acks */
			}
		}
	}
	rc = dpu_te_source_flush(src);
	secs = (double)(dpu_time_mono_ns() - start) / 1e9;
	dpu_te_source_stats(src, &st);
	dpu_te_check_ipc_status(src, &status);
	printf("{\"reported\": %llu, \"acked\": %llu, \"dropped\": %llu, \"pending\": %llu, "
	       "\"reconnects\": %llu, \"connected\": %s, \"flush\": %d, \"seconds\": %.6f, "
	       "\"records_per_s\": %.0f, \"ring_batches\": %llu, \"socket_batches\": %llu, "
	       "\"kicks\": %llu}\n",
	       (unsigned long long)st.reported, (unsigned long long)st.acked,
	       (unsigned long long)st.dropped, (unsigned long long)st.pending,
	       (unsigned long long)st.reconnects, status == DPU_TE_IPC_CONNECTED ? "true" : "false",
	       rc, secs, secs > 0 ? (double)st.acked / secs : 0.0,
	       (unsigned long long)st.ring_batches, (unsigned long long)st.socket_batches,
	       (unsigned long long)st.kicks);
	fflush(stdout);
	dpu_te_source_destroy(src);
	dpu_te_schema_destroy(schema);
	return 0;
}
