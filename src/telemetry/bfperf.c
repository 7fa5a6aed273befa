/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DPU_LOG_MODULE "dts-bfperf"
#include "common/log.h"
#include "common/util.h"
#include "telemetry/bfperf.h"

#define MAX_CPUS 1024

struct event {
	uint32_t type;
	uint64_t config;
	const char *name; /* series: dts_bfperf_<name>_total */
	const char *help;
	double scale; /* the count to the unit */
};

static const struct event hw_events[] = {
	{PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "cycles", "CPU cycles", 1},
	{PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, "instructions", "instructions retired", 1},
	{PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES, "cache_references",
	 "last-level cache references", 1},
	{PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, "cache_misses", "last-level cache misses",
	 1},
	{PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, "branch_instructions",
	 "branch instructions retired", 1},
	{PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, "branch_misses", "mispredicted branches",
	 1},
};

static const struct event sw_events[] = {
	{PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, "cpu_clock_seconds", "time the CPU clock ran",
	 1e-9},
	{PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, "context_switches", "context switches",
	 1},
	{PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, "cpu_migrations",
	 "tasks migrated to this CPU", 1},
	{PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, "page_faults", "page faults", 1},
};

/* One event group on one CPU. */
struct group {
	int fd[8]; /* [0] leads; -1: not open */
	const struct event *ev[8];
	unsigned int n;
};

struct cpu {
	int cpu;
	struct group hw, sw;
};

struct dts_bfperf {
	bool opened, warned_hw, warned_sw;
	size_t n_cpus;
	struct cpu *cpus;
};

static int perf_open(const struct event *e, int cpu, int group_fd)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = e->type;
	a.config = e->config;
	a.read_format =
		PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	a.disabled = group_fd < 0; /* the leader starts the group */
	return (int)syscall(SYS_perf_event_open, &a, -1, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);
}

static void group_close(struct group *g)
{
	for (unsigned int i = 0; i < g->n; i++) {
		close(g->fd[i]);
	}
	g->n = 0;
}

/* Open what of 'evs' this CPU has; -errno of the leader when none. */
static int group_open(struct group *g, const struct event *evs, size_t n, int cpu)
{
	g->n = 0;
	for (size_t i = 0; i < n; i++) {
		int fd = perf_open(&evs[i], cpu, g->n > 0 ? g->fd[0] : -1);

		if (fd < 0) {
			if (g->n == 0) {
				return -errno; /* no leader: nothing of this kind */
			}
			continue; /* this one event is missing (a PMU without it) */
		}
		g->fd[g->n] = fd;
		g->ev[g->n] = &evs[i];
		g->n++;
	}
	ioctl(g->fd[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
	return 0;
}

/* The online CPUs, from /sys/devices/system/cpu/online ("0-3,6"). */
static size_t online_cpus(int *cpus, size_t max)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	char buf[4096], *save = NULL;
	size_t n = 0;

	if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
		if (f != NULL) {
			fclose(f);
		}
		cpus[0] = 0;
		return 1;
	}
	fclose(f);
	for (char *t = strtok_r(buf, ",\n", &save); t != NULL; t = strtok_r(NULL, ",\n", &save)) {
		int lo, hi;

		if (sscanf(t, "%d-%d", &lo, &hi) != 2) {
			hi = lo = atoi(t);
		}
		for (int c = lo; c <= hi && n < max; c++) {
			cpus[n++] = c;
		}
	}
	return n;
}

static int open_all(struct dts_bfperf *bf)
{
	int ids[MAX_CPUS], hw_err = 0, sw_err = 0;
	size_t n = online_cpus(ids, MAX_CPUS), hw = 0, sw = 0;

	bf->cpus = calloc(n, sizeof(*bf->cpus));
	if (bf->cpus == NULL) {
		return -ENOMEM;
	}
	bf->n_cpus = n;
	for (size_t i = 0; i < n; i++) {
		struct cpu *c = &bf->cpus[i];
		int rc;

		c->cpu = ids[i];
		rc = group_open(&c->hw, hw_events, ARRAY_SIZE(hw_events), c->cpu);
		hw += rc == 0;
		hw_err = rc < 0 ? rc : hw_err;
		rc = group_open(&c->sw, sw_events, ARRAY_SIZE(sw_events), c->cpu);
		sw += rc == 0;
		sw_err = rc < 0 ? rc : sw_err;
	}
	if (hw == 0 && !bf->warned_hw) {
		log_info("bfperf: no hardware counters (%s): %s", strerror(-hw_err),
			 hw_err == -ENOENT || hw_err == -EOPNOTSUPP
				 ? "this CPU has no PMU the kernel exposes (a VM?); software "
				   "counters only"
				 : "perf_event_open needs CAP_PERFMON or "
				   "kernel.perf_event_paranoid <= 0");
		bf->warned_hw = true;
	}
	if (sw == 0 && !bf->warned_sw) {
		log_warn("bfperf: no software counters either (%s); not collected",
			 strerror(-sw_err));
		bf->warned_sw = true;
	}
	log_info("bfperf: %zu CPUs, hardware counters on %zu, software on %zu", n, hw, sw);
	return 0;
}

static int read_group(const struct cpu *c, const struct group *g, struct dts_snapshot *snap)
{
	/* PERF_FORMAT_GROUP with both times: nr, enabled, running, values[nr]. */
	uint64_t buf[3 + 8];
	char cpu[16], family[96], dname[96], help[128];
	double scale = 1;
	ssize_t n;

	if (g->n == 0) {
		return 0;
	}
	n = read(g->fd[0], buf, sizeof(buf));
	if (n < (ssize_t)(3 * sizeof(uint64_t)) || buf[0] != g->n ||
	    (size_t)n < (3 + g->n) * sizeof(uint64_t)) {
		return 0; /* a CPU gone offline: its counters are left out */
	}
	if (buf[2] != 0 && buf[2] < buf[1]) {
		scale = (double)buf[1] / (double)buf[2]; /* multiplexed */
	}
	snprintf(cpu, sizeof(cpu), "%d", c->cpu);
	for (unsigned int i = 0; i < g->n; i++) {
		const struct event *e = g->ev[i];
		struct dts_series *s;
		double v = (double)buf[3 + i] * scale;

		snprintf(family, sizeof(family), "dts_bfperf_%s", e->name);
		snprintf(dname, sizeof(dname), "cpu%d:%s", c->cpu, e->name);
		snprintf(help, sizeof(help), "bfperf: %s", e->help);
		s = dts_snapshot_add(snap, family, help, DTS_COUNTER, dname, "bfperf", 1, "cpu",
				     cpu);
		if (s == NULL) {
			return -ENOMEM;
		}
		if (e->scale != 1) {
			s->fractional = true;
			s->d = v * e->scale;
		} else {
			s->u = (uint64_t)v;
		}
	}
	return 0;
}

int dts_bfperf_collect(struct dts_bfperf **bfp, const struct dts_config *cfg,
		       struct dts_snapshot *snap)
{
	struct dts_bfperf *bf = *bfp;
	int rc = 0;

	if (!dts_config_provider_enabled(cfg, "bfperf")) {
		return 0;
	}
	if (bf == NULL) {
		bf = calloc(1, sizeof(*bf));
		if (bf == NULL) {
			return -ENOMEM;
		}
		*bfp = bf;
	}
	if (!bf->opened) {
		bf->opened = true;
		rc = open_all(bf);
		if (rc < 0) {
			return rc;
		}
	}
	for (size_t i = 0; i < bf->n_cpus && rc == 0; i++) {
		rc = read_group(&bf->cpus[i], &bf->cpus[i].hw, snap);
		if (rc == 0) {
			rc = read_group(&bf->cpus[i], &bf->cpus[i].sw, snap);
		}
	}
	return rc;
}

void dts_bfperf_free(struct dts_bfperf *bf)
{
	if (bf == NULL) {
		return;
	}
	for (size_t i = 0; i < bf->n_cpus; i++) {
		group_close(&bf->cpus[i].hw);
		group_close(&bf->cpus[i].sw);
	}
	free(bf->cpus);
	free(bf);
}
