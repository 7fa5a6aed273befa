/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hal-entries: many steering entries through the HAL at once
 * (dpu_pipe_entries_add), for tests and for figures.
 *
 *   hal-entries URI lpm N     a root LPM pipe "routes" (miss: on to
 *                             "default") with N routes 10.H.L.0/24 (route i:
 *                             H.L = i) in one batch: route 1 an ECMP group
 *                             of 4 (p0 and p1, marks 11..14), route 5 out of
 *                             a port that does not exist, the rest out of p0
 *                             with mark i
 *   hal-entries URI lpm-again N   the same N routes, all good, mark i + 1:
 *                             replaces
 *   hal-entries URI acl N     a root ACL pipe "acl" (miss: "default") with N
 *                             UDP rules, dst_port i + 1 (priority i % 1024), mark
 *                             1000 + i, on to "default"; rule 3 matches a
 *                             VNI, which ACL pipes cannot.
 *   hal-entries URI stats PIPE ID    "packets P bytes B" of one entry
 *   hal-entries URI del PIPE FIRST COUNT   entries FIRST .. FIRST + COUNT - 1
 *                             in one go: "removed R of COUNT", "first error: ..."
 *   hal-entries URI update PIPE ID PORT MARK [PORT MARK ...]
 *                             entry ID's actions: out of PORT with MARK (more
 *                             than one pair: an ECMP group)
 *   hal-entries URI rate N    N routes one call each, then N in one batch,
 *                             each into a pipe of its own: entries/s
 *   hal-entries URI nopipe N PIPE   N routes into a pipe that does not exist
 *                             (several requests, each refused whole):
 *                             "refused RC, every entry RC" (or how many
 *                             were not); then one route into PIPE on the
 *                             same device: "then added ID"
 *
 * lpm and acl print "added A of N", "failed I RC" per refused entry, "first
 * error: ..." and "entry I ID" for routes 1 and N - 1 (acl: rule 52, its
 * dst_port 53).

 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "common/util.h"
#include "dpu/hal-flow.h"

static void die(struct dpu_dev *dev, const char *what, int rc)
{
	fprintf(stderr, "hal-entries: %s: %s (%s)\n", what, strerror(-rc),
		dev != NULL ? dpu_dev_last_error(dev) : "");
	exit(1);
}

/* The batch for 'n' routes (see above); 'pass' 0: the first, 1: the replaces. */
static void routes(uint32_t n, int pass, struct dpu_entry_spec *spec, struct dpu_match *m,
		   struct dpu_actions *a, struct dpu_actions *ecmp)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t net = htonl(10u << 24 | i << 8);

		m[i] = (struct dpu_match){
			.fields = DPU_MATCH_DST_IP, .ip_version = 4, .dst_len = 24};
		memcpy(m[i].dst_ip, &net, 4);
		a[i] = (struct dpu_actions){
			.fate = DPU_FATE_PORT, .set_mark = true, .mark = i + (uint32_t)pass};
		dpu_strscpy(a[i].port, pass == 0 && i == 5 ? "nope" : "p0", sizeof(a[i].port));
		spec[i] = (struct dpu_entry_spec){.match = &m[i], .actions = &a[i], .n_actions = 1};
	}
	if (pass == 0 && n > 1) {
		for (int k = 0; k < 4; k++) {
			ecmp[k] = (struct dpu_actions){
				.fate = DPU_FATE_PORT, .set_mark = true, .mark = 11 + (uint32_t)k};
			dpu_strscpy(ecmp[k].port, k % 2 ? "p1" : "p0", sizeof(ecmp[k].port));
		}
		spec[1].actions = ecmp;
		spec[1].n_actions = 4;
	}
}

static void report(struct dpu_dev *dev, int added, uint32_t n, const uint32_t *ids, const int *rcs,
		   const uint32_t *show, size_t n_show)
{
	printf("added %d of %u\n", added, n);
	for (uint32_t i = 0; i < n; i++) {
		if (rcs[i] < 0) {
			printf("failed %u %d\n", i, rcs[i]);
		}
	}
	if (added < (int)n) {
		printf("first error: %s\n", dpu_dev_last_error(dev));
	}
	for (size_t k = 0; k < n_show; k++) {
		if (show[k] < n && rcs[show[k]] == 0) {
			printf("entry %u %u\n", show[k], ids[show[k]]);
		}
	}
}

int main(int argc, char **argv)
{
	struct dpu_actions on = {.fate = DPU_FATE_PIPE, .pipe = "default"};
	struct dpu_dev *dev = NULL;
	struct dpu_entry_spec *spec;
	struct dpu_actions *a, ecmp[4];
	struct dpu_match *m;
	uint32_t n, *ids;
	int *rcs, rc, status = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: hal-entries URI lpm|acl|rate N | URI stats PIPE ID\n");
		return 2;
	}
	rc = dpu_dev_open(argv[1], &dev);
	if (rc < 0) {
		die(NULL, argv[1], rc);
	}
	if (strcmp(argv[2], "update") == 0 && argc >= 7 && argc % 2 == 1) {
		struct dpu_actions acts[DPU_ECMP_MAX];
		unsigned int k = 0;

		for (int i = 5; i + 1 < argc && k < DPU_ECMP_MAX; i += 2, k++) {
			acts[k] = (struct dpu_actions){
				.fate = DPU_FATE_PORT,
				.set_mark = true,
				.mark = (uint32_t)strtoul(argv[i + 1], NULL, 10)};
			dpu_strscpy(acts[k].port, argv[i], sizeof(acts[k].port));
		}
		rc = dpu_pipe_entry_update(dev, NULL, argv[3], (uint32_t)strtoul(argv[4], NULL, 10),
					   acts, k);
		if (rc < 0) {
			die(dev, "entry update", rc);
		}
		dpu_dev_close(dev);
		return 0;
	}
	if (strcmp(argv[2], "del") == 0 && argc == 6) {
		uint32_t first = (uint32_t)strtoul(argv[4], NULL, 10);
		uint32_t count = (uint32_t)strtoul(argv[5], NULL, 10);
		uint32_t *del = calloc(count ? count : 1, sizeof(*del));
		int *drc = calloc(count ? count : 1, sizeof(*drc));

		if (del == NULL || drc == NULL) {
			die(dev, "no memory", -ENOMEM);
		}
		for (uint32_t i = 0; i < count; i++) {
			del[i] = first + i;
		}
		rc = dpu_pipe_entries_del(dev, NULL, argv[3], del, count, drc);
		if (rc < 0) {
			die(dev, "entries-del", rc);
		}
		printf("removed %d of %u\n", rc, count);
		if (rc < (int)count) {
			printf("first error: %s\n", dpu_dev_last_error(dev));
		}
		free(del);
		free(drc);
		dpu_dev_close(dev);
		return 0;
	}
	if (strcmp(argv[2], "stats") == 0 && argc == 5) {
		uint64_t pkts, bytes;

		rc = dpu_pipe_entry_stats(dev, NULL, argv[3], (uint32_t)strtoul(argv[4], NULL, 10),
					  &pkts, &bytes);
		if (rc < 0) {
			die(dev, "entry stats", rc);
		}
		printf("packets %llu bytes %llu\n", (unsigned long long)pkts,
		       (unsigned long long)bytes);
		dpu_dev_close(dev);
		return 0;
	}
	n = (uint32_t)strtoul(argv[3], NULL, 10);
	spec = calloc(n, sizeof(*spec));
	m = calloc(n, sizeof(*m));
	a = calloc(n, sizeof(*a));
	ids = calloc(n, sizeof(*ids));
	rcs = calloc(n, sizeof(*rcs));
	if (n == 0 || spec == NULL || m == NULL || a == NULL || ids == NULL || rcs == NULL) {
		die(dev, "no memory", -ENOMEM);
	}
	if (strcmp(argv[2], "lpm") == 0) {
		struct dpu_pipe_attr pa = {.name = "routes",
					   .kind = DPU_PIPE_LPM,
					   .max_entries = n,
					   .root = true,
					   .miss = &on};
		uint32_t show[] = {1, n - 1};

		if ((rc = dpu_pipe_create(dev, &pa)) < 0) {
			die(dev, "pipe-create", rc);
		}
		routes(n, 0, spec, m, a, ecmp);
		rc = dpu_pipe_entries_add(dev, NULL, "routes", spec, n, ids, rcs);
		if (rc < 0) {
			die(dev, "entries-add", rc);
		}
		report(dev, rc, n, ids, rcs, show, ARRAY_SIZE(show));
	} else if (strcmp(argv[2], "lpm-again") == 0) {
		uint32_t show[] = {1, n - 1};

		routes(n, 1, spec, m, a, ecmp);
		rc = dpu_pipe_entries_add(dev, NULL, "routes", spec, n, ids, rcs);
		if (rc < 0) {
			die(dev, "entries-add", rc);
		}
		report(dev, rc, n, ids, rcs, show, ARRAY_SIZE(show));
	} else if (strcmp(argv[2], "acl") == 0) {
		struct dpu_pipe_attr pa = {.name = "acl",
					   .kind = DPU_PIPE_ACL,
					   .max_entries = n,
					   .root = true,
					   .miss = &on};
		uint32_t show[] = {52};

		if ((rc = dpu_pipe_create(dev, &pa)) < 0) {
			die(dev, "pipe-create", rc);
		}
		for (uint32_t i = 0; i < n; i++) {
			m[i] = (struct dpu_match){.fields = DPU_MATCH_IP_PROTO | DPU_MATCH_DST_PORT,
						  .ip_proto = 17,
						  .dport_lo = (uint16_t)(i + 1)};
			if (i == 3) {
				m[i].fields |= DPU_MATCH_VNI;
				m[i].vni = 7;
			}
			a[i] = on;
			a[i].set_mark = true;
			a[i].mark = 1000 + i;
			spec[i] = (struct dpu_entry_spec){.priority = i % 1024,
							  .match = &m[i],
							  .actions = &a[i],
							  .n_actions = 1};
		}
		rc = dpu_pipe_entries_add(dev, NULL, "acl", spec, n, ids, rcs);
		if (rc < 0) {
			die(dev, "entries-add", rc);
		}
		report(dev, rc, n, ids, rcs, show, ARRAY_SIZE(show));
	} else if (strcmp(argv[2], "rate") == 0) {
		struct dpu_pipe_attr one = {
			.name = "rate-one", .kind = DPU_PIPE_LPM, .max_entries = n};
		struct dpu_pipe_attr all = {
			.name = "rate-all", .kind = DPU_PIPE_LPM, .max_entries = n};
		uint64_t t0, t1, t2;

		if ((rc = dpu_pipe_create(dev, &one)) < 0 ||
		    (rc = dpu_pipe_create(dev, &all)) < 0) {
			die(dev, "pipe-create", rc);
		}
		routes(n, 1, spec, m, a, ecmp);
		t0 = dpu_time_mono_ns();
		for (uint32_t i = 0; i < n; i++) {
			rc = dpu_pipe_entry_add(dev, NULL, "rate-one", 0, &m[i], &a[i], &ids[i]);
			if (rc < 0) {
				die(dev, "entry-add", rc);
			}
		}
		t1 = dpu_time_mono_ns();
		rc = dpu_pipe_entries_add(dev, NULL, "rate-all", spec, n, ids, rcs);
		t2 = dpu_time_mono_ns();
		if (rc != (int)n) {
			die(dev, "entries-add", rc < 0 ? rc : -EIO);
		}
		printf("one call each: %.0f entries/s\n", n / ((double)(t1 - t0) / 1e9));
		printf("one batch: %.0f entries/s\n", n / ((double)(t2 - t1) / 1e9));
	} else if (strcmp(argv[2], "nopipe") == 0 && argc == 5) {
		uint32_t bad = 0;

		routes(n, 1, spec, m, a, ecmp);
		rc = dpu_pipe_entries_add(dev, NULL, "nope", spec, n, ids, rcs);
		for (uint32_t i = 0; i < n; i++) {
			bad += rcs[i] != rc;
		}
		if (bad == 0) {
			printf("refused %d, every entry %d\n", rc, rc);
		} else {
			printf("refused %d, %u entries otherwise\n", rc, bad);
		}
		/* The device's stream still in step: this call gets its own answer. */
		rc = dpu_pipe_entries_add(dev, NULL, argv[4], spec, 1, ids, rcs);
		if (rc != 1) {
			die(dev, "entries-add after", rc < 0 ? rc : rcs[0]);
		}
		printf("then added %u\n", ids[0]);
	} else {
		fprintf(stderr, "hal-entries: %s: not lpm, acl, rate, nopipe or stats\n", argv[2]);
		status = 2;
	}
	free(spec);
	free(m);
	free(a);
	free(ids);
	free(rcs);
	dpu_dev_close(dev);
	return status;
}
