/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-simctl: inspect and drive a simulated device, through the HAL.
 *
 *   dpu-simctl [--run-dir DIR | --uri URI] [--json] COMMAND
 *     info                      inventory
 *     ports                     ports with kind, MAC, PCI, speed, link
 *     sensors                   temperatures and power with thresholds
 *     counters                  per-port counters and where the counter tree is
 *     replay FILE --port P ...  replay a pcap into a port (sim only)
 *     nvconfig [get]            NV parameters, current and next boot
 *     nvconfig set NAME VALUE   set a next-boot value
 *     pipes [--domain PORT]     steering pipes of the switch or a port's ingress
 *     entries PIPE [--domain PORT]  a pipe's entries with their counters
 *     pipe create NAME --kind K ...  a pipe (sim only; simctl-flow.c)
 *     pipe destroy NAME [--domain PORT]  a pipe and its entries
 *     entry add|update|del|load PIPE ...  entries: one, or a file of them
 *     meters [--domain PORT]    meters with their packets per colour
 *     clock [drift|freq PPB | step|set NS]  the PHC
 *     pcc [PORT]                the uplinks' congestion control (PPCC register)
 *     pcc PORT enable|disable|clear [SLOT]   an algorithm; clear its counters
 *     pcc PORT counters on|off [SLOT]        its counters
 *     pcc PORT set NAME VALUE [SLOT]         one of its parameters
 *
 * The device is sim:<name> found in DIR (dpu-simd's --run-dir), or the URI.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/log.h"
#include "common/opts.h"
#include "dpu/hal-flow.h"
#include "dpu/hal-reg.h"
#include "dpu/hal-sim.h"
#include "dpu/hal.h"
#include "sim/simd/simctl.h"

#define MAX_ITEMS 256

bool simctl_json;

void simctl_print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	json_object_put(o);
}

static void add(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static int cmd_info(struct dpu_dev *dev)
{
	struct dpu_dev_info i;
	int rc = dpu_dev_info(dev, &i);

	if (rc < 0) {
		return rc;
	}
	if (simctl_json) {
		struct json_object *o = json_object_new_object();

		add(o, "name", i.name);
		add(o, "model", i.model);
		add(o, "part-number", i.part_number);
		add(o, "serial", i.serial);
		add(o, "psid", i.psid);
		add(o, "mode", i.mode);
		add(o, "firmware", i.firmware);
		add(o, "bsp", i.bsp);
		add(o, "doca", i.doca);
		add(o, "board-id", i.board_id);
		simctl_print_json(o);
		return 0;
	}
	printf("name         %s\nmodel        %s\npart number  %s\nserial       %s\n"
	       "PSID         %s\nmode         %s\nfirmware     %s\nBSP          %s\n"
	       "DOCA         %s\nboard id     %s\n",
	       i.name, i.model, i.part_number, i.serial, i.psid, i.mode, i.firmware, i.bsp, i.doca,
	       i.board_id);
	return 0;
}

static int cmd_ports(struct dpu_dev *dev)
{
	struct dpu_port_info p[MAX_ITEMS];
	int n = dpu_port_list(dev, p, MAX_ITEMS);
	struct json_object *a = NULL;

	if (n < 0) {
		return n;
	}
	if (simctl_json) {
		a = json_object_new_array();
	} else {
		printf("%-14s %-7s %-17s %-13s %-8s %9s %s\n", "PORT", "KIND", "MAC", "PCI",
		       "IBDEV", "SPEED", "LINK");
	}
	for (int i = 0; i < n && i < MAX_ITEMS; i++) {
		char mac[18];

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", p[i].mac[0],
			 p[i].mac[1], p[i].mac[2], p[i].mac[3], p[i].mac[4], p[i].mac[5]);
		if (simctl_json) {
			struct json_object *o = json_object_new_object();

			add(o, "name", p[i].name);
			add(o, "kind", dpu_port_kind_name(p[i].kind));
			add(o, "mac", mac);
			add(o, "pci", p[i].pci);
			add(o, "ibdev", p[i].ibdev);
			json_object_object_add(o, "speed", json_object_new_int64(p[i].speed_mbps));
			json_object_object_add(o, "link", json_object_new_boolean(p[i].link_up));
			json_object_array_add(a, o);
		} else {
			char speed[16] = "-";

			if (p[i].speed_mbps) {
				snprintf(speed, sizeof(speed), "%uG", p[i].speed_mbps / 1000);
			}
			printf("%-14s %-7s %-17s %-13s %-8s %9s %s\n", p[i].name,
			       dpu_port_kind_name(p[i].kind), mac, p[i].pci,
			       p[i].ibdev[0] ? p[i].ibdev : "-", speed,
			       p[i].link_up ? "up" : "down");
		}
	}
	if (simctl_json) {
		simctl_print_json(a);
	}
	return 0;
}

static int cmd_sensors(struct dpu_dev *dev)
{
	struct dpu_sensor_info s[MAX_ITEMS];
	int n = dpu_sensor_list(dev, s, MAX_ITEMS);
	struct json_object *a = NULL;

	if (n < 0) {
		return n;
	}
	if (simctl_json) {
		a = json_object_new_array();
	} else {
		printf("%-12s %-12s %9s %9s %9s\n", "SENSOR", "KIND", "VALUE", "WARN", "CRIT");
	}
	for (int i = 0; i < n && i < MAX_ITEMS; i++) {
		const char *unit = s[i].kind == DPU_SENSOR_TEMPERATURE ? "C" : "W";

		if (simctl_json) {
			struct json_object *o = json_object_new_object();

			add(o, "name", s[i].name);
			add(o, "kind", dpu_sensor_kind_name(s[i].kind));
			json_object_object_add(o, "value", json_object_new_double(s[i].value));
			if (isfinite(s[i].warn)) {
				json_object_object_add(o, "warn",
						       json_object_new_double(s[i].warn));
			}
			if (isfinite(s[i].crit)) {
				json_object_object_add(o, "crit",
						       json_object_new_double(s[i].crit));
			}
			json_object_array_add(a, o);
		} else {
			printf("%-12s %-12s %8.1f%s %8.1f%s %8.1f%s\n", s[i].name,
			       dpu_sensor_kind_name(s[i].kind), s[i].value, unit, s[i].warn, unit,
			       s[i].crit, unit);
		}
	}
	if (simctl_json) {
		simctl_print_json(a);
	}
	return 0;
}

static int cmd_counters(struct dpu_dev *dev)
{
	struct dpu_port_info p[MAX_ITEMS];
	struct json_object *o = NULL, *a = NULL;
	char root[PATH_MAX];
	int n, rc = dpu_dev_counter_root(dev, root, sizeof(root));

	if (rc < 0) {
		return rc;
	}
	n = dpu_port_list(dev, p, MAX_ITEMS);
	if (n < 0) {
		return n;
	}
	if (simctl_json) {
		o = json_object_new_object();
		a = json_object_new_array();
		add(o, "root", root);
		json_object_object_add(o, "ports", a);
	} else {
		printf("counter tree: %s\n", root);
		printf("%-14s %12s %14s %10s %8s %12s %14s %10s\n", "PORT", "RX PACKETS",
		       "RX BYTES", "RX DROPPED", "RX ERRS", "TX PACKETS", "TX BYTES", "TX DROPPED");
	}
	for (int i = 0; i < n && i < MAX_ITEMS; i++) {
		struct dpu_port_stats st;

		rc = dpu_port_stats(dev, p[i].name, &st);
		if (rc < 0) {
			json_object_put(o);
			return rc;
		}
		if (simctl_json) {
			struct json_object *x = json_object_new_object();

			add(x, "port", p[i].name);
			json_object_object_add(x, "rx_packets",
					       json_object_new_uint64(st.rx_packets));
			json_object_object_add(x, "rx_bytes", json_object_new_uint64(st.rx_bytes));
			json_object_object_add(x, "rx_dropped",
					       json_object_new_uint64(st.rx_dropped));
			json_object_object_add(x, "rx_errors",
					       json_object_new_uint64(st.rx_errors));
			json_object_object_add(x, "tx_packets",
					       json_object_new_uint64(st.tx_packets));
			json_object_object_add(x, "tx_bytes", json_object_new_uint64(st.tx_bytes));
			json_object_object_add(x, "tx_dropped",
					       json_object_new_uint64(st.tx_dropped));
			json_object_array_add(a, x);
		} else {
			printf("%-14s %12llu %14llu %10llu %8llu %12llu %14llu %10llu\n", p[i].name,
			       (unsigned long long)st.rx_packets, (unsigned long long)st.rx_bytes,
			       (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_errors,
			       (unsigned long long)st.tx_packets, (unsigned long long)st.tx_bytes,
			       (unsigned long long)st.tx_dropped);
		}
	}
	if (simctl_json) {
		simctl_print_json(o);
	}
	return 0;
}

/* "--domain PORT" among a command's arguments, or NULL (the switch). */
static int domain_arg(int argc, char **argv, const char **domain, const char **other)
{
	*domain = NULL;
	*other = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--domain") == 0 && i + 1 < argc) {
			*domain = argv[++i];
		} else if (argv[i][0] != '-' && *other == NULL) {
			*other = argv[i];
		} else {
			fprintf(stderr, "dpu-simctl: unknown option or missing value: %s\n",
				argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int cmd_pipes(struct dpu_dev *dev, int argc, char **argv)
{
	struct dpu_sim_pipe p[64];
	struct json_object *a = NULL;
	const char *domain, *extra;
	int n = domain_arg(argc, argv, &domain, &extra);

	if (n < 0 || extra != NULL) {
		return -EINVAL;
	}
	n = dpu_sim_pipes(dev, domain, p, ARRAY_SIZE(p));

	if (n < 0) {
		return n;
	}
	if (simctl_json) {
		a = json_object_new_array();
	} else {
		printf("%-12s %-6s %-5s %10s %12s %12s %12s\n", "PIPE", "KIND", "ROOT", "ENTRIES",
		       "MAX", "HIT PKTS", "MISS PKTS");
	}
	for (int i = 0; i < n && i < (int)ARRAY_SIZE(p); i++) {
		if (simctl_json) {
			struct json_object *o = json_object_new_object();

			add(o, "name", p[i].name);
			add(o, "kind", p[i].kind);
			json_object_object_add(o, "root", json_object_new_boolean(p[i].root));
			json_object_object_add(o, "entries", json_object_new_uint64(p[i].entries));
			json_object_object_add(o, "max_entries",
					       json_object_new_uint64(p[i].max_entries));
			json_object_object_add(o, "hit_packets",
					       json_object_new_uint64(p[i].hit_packets));
			json_object_object_add(o, "miss_packets",
					       json_object_new_uint64(p[i].miss_packets));
			json_object_array_add(a, o);
		} else {
			printf("%-12s %-6s %-5s %10llu %12llu %12llu %12llu\n", p[i].name,
			       p[i].kind, p[i].root ? "yes" : "", (unsigned long long)p[i].entries,
			       (unsigned long long)p[i].max_entries,
			       (unsigned long long)p[i].hit_packets,
			       (unsigned long long)p[i].miss_packets);
		}
	}
	if (simctl_json) {
		simctl_print_json(a);
	}
	return 0;
}

static int cmd_meters(struct dpu_dev *dev, int argc, char **argv)
{
	static const char *const colors[] = {"green", "yellow", "red"};
	struct json_object *a = NULL;
	const char *domain, *extra;
	int rc = domain_arg(argc, argv, &domain, &extra);

	if (rc < 0 || extra != NULL) {
		return -EINVAL;
	}
	if (simctl_json) {
		a = json_object_new_array();
	} else {
		printf("%-6s %14s %14s %14s %16s\n", "METER", "GREEN PKTS", "YELLOW PKTS",
		       "RED PKTS", "RED BYTES");
	}
	/* Meter ids count up from 1 in each domain. */
	for (uint32_t id = 1;; id++) {
		uint64_t pk[3], by[3];

		rc = dpu_meter_stats(dev, domain, id, pk, by);
		if (rc == -ENOENT) {
			break;
		}
		if (rc < 0) {
			json_object_put(a);
			return rc;
		}
		if (simctl_json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "meter", json_object_new_uint64(id));
			for (int c = 0; c < 3; c++) {
				char name[32];

				snprintf(name, sizeof(name), "%s_packets", colors[c]);
				json_object_object_add(o, name, json_object_new_uint64(pk[c]));
				snprintf(name, sizeof(name), "%s_bytes", colors[c]);
				json_object_object_add(o, name, json_object_new_uint64(by[c]));
			}
			json_object_array_add(a, o);
		} else {
			printf("%-6u %14llu %14llu %14llu %16llu\n", id, (unsigned long long)pk[0],
			       (unsigned long long)pk[1], (unsigned long long)pk[2],
			       (unsigned long long)by[2]);
		}
	}
	if (simctl_json) {
		simctl_print_json(a);
	}
	return 0;
}

/* Entries per request: a page of ECMP groups of encaps (kilobytes each) still fits a reply. */
#define ENTRIES_PAGE 32

/* One entry: a table row, or an object into 'a' (--json). */
static void print_entry(struct json_object *a, const struct dpu_sim_entry *e)
{
	if (a != NULL) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "entry", json_object_new_uint64(e->id));
		json_object_object_add(o, "priority", json_object_new_uint64(e->priority));
		json_object_object_add(o, "match", json_tokener_parse(e->match));
		json_object_object_add(o, "actions", json_tokener_parse(e->actions));
		json_object_object_add(o, "packets", json_object_new_uint64(e->packets));
		json_object_object_add(o, "bytes", json_object_new_uint64(e->bytes));
		json_object_array_add(a, o);
	} else {
		printf("%-6u %-5u %12llu %14llu  %s -> %s\n", e->id, e->priority,
		       (unsigned long long)e->packets, (unsigned long long)e->bytes, e->match,
		       e->actions);
	}
}

static int cmd_entries(struct dpu_dev *dev, int argc, char **argv)
{
	struct dpu_sim_entry e[ENTRIES_PAGE];
	struct json_object *a = NULL;
	const char *domain, *pipe;
	uint32_t from = 0;
	bool first = true;
	int n = domain_arg(argc, argv, &domain, &pipe);

	if (n < 0 || pipe == NULL) {
		fprintf(stderr, "dpu-simctl: entries PIPE [--domain PORT]\n");
		return -EINVAL;
	}
	do {
		n = dpu_sim_entries(dev, domain, pipe, &from, e, ARRAY_SIZE(e));
		if (n < 0) { /* no such pipe (or it went meanwhile), or no daemon */
			fprintf(stderr, "dpu-simctl: entries: %s\n",
				dpu_dev_last_error(dev)[0] ? dpu_dev_last_error(dev)
							   : strerror(-n));
			json_object_put(a);
			return n == -ENOENT || n == -ENODEV ? -EINVAL : n;
		}
		if (first && simctl_json) {
			a = json_object_new_array();
		} else if (first) {
			printf("%-6s %-5s %12s %14s  %s -> %s\n", "ENTRY", "PRIO", "PACKETS",
			       "BYTES", "MATCH", "ACTIONS");
		}
		first = false;
		for (int i = 0; i < n; i++) {
			print_entry(a, &e[i]);
		}
		dpu_sim_entries_free(e, (size_t)n);
	} while (n == (int)ARRAY_SIZE(e));
	if (simctl_json) {
		simctl_print_json(a);
	}
	return 0;
}

/* clock [drift PPB | freq PPB | step NS | set NS] */
static int cmd_clock(struct dpu_dev *dev, int argc, char **argv)
{
	struct dpu_phc_state st;
	char *end;
	int rc;

	if (argc == 2) {
		double v;

		errno = 0;
		v = strtod(argv[1], &end);
		if (errno != 0 || end == argv[1] || *end != '\0') {
			fprintf(stderr, "dpu-simctl: clock %s: not a number: %s\n", argv[0],
				argv[1]);
			return -EINVAL;
		}
		if (strcmp(argv[0], "drift") == 0) {
			rc = dpu_sim_phc_set_drift(dev, v);
		} else if (strcmp(argv[0], "freq") == 0) {
			rc = dpu_phc_adjfreq(dev, v);
		} else if (strcmp(argv[0], "step") == 0) {
			rc = dpu_phc_step(dev, (int64_t)v);
		} else if (strcmp(argv[0], "set") == 0) {
			rc = dpu_phc_settime(dev, (int64_t)v);
		} else {
			fprintf(stderr, "dpu-simctl: clock: drift, freq, step or set\n");
			return -EINVAL;
		}
		if (rc < 0) {
			fprintf(stderr, "dpu-simctl: clock %s: %s\n", argv[0],
				dpu_dev_last_error(dev)[0] ? dpu_dev_last_error(dev)
							   : strerror(-rc));
			return -EINVAL;
		}
		return 0;
	}
	if (argc != 0) {
		fprintf(stderr, "dpu-simctl: clock [drift PPB | freq PPB | step NS | set NS]\n");
		return -EINVAL;
	}
	rc = dpu_phc_read(dev, &st);
	if (rc < 0) {
		return rc;
	}
	if (simctl_json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "phc_ns", json_object_new_int64(st.phc_ns));
		json_object_object_add(o, "sys_ns", json_object_new_int64(st.sys_ns));
		json_object_object_add(o, "offset_ns",
				       json_object_new_int64(st.phc_ns - st.sys_ns));
		json_object_object_add(o, "freq_ppb", json_object_new_double(st.freq_ppb));
		json_object_object_add(o, "drift_ppb", json_object_new_double(st.drift_ppb));
		json_object_object_add(o, "max_adj_ppb", json_object_new_double(st.max_adj_ppb));
		simctl_print_json(o);
	} else {
		printf("phc        %lld.%09lld\n", (long long)(st.phc_ns / 1000000000),
		       (long long)(st.phc_ns % 1000000000));
		printf("system     %lld.%09lld\n", (long long)(st.sys_ns / 1000000000),
		       (long long)(st.sys_ns % 1000000000));
		printf("offset     %lld ns (phc - system)\n", (long long)(st.phc_ns - st.sys_ns));
		printf("frequency  %+.3f ppb (correction; max +-%.0f)\n", st.freq_ppb,
		       st.max_adj_ppb);
		printf("drift      %+.3f ppb (the oscillator's own)\n", st.drift_ppb);
	}
	return 0;
}

static void replay_json(const struct dpu_sim_replay_status *st)
{
	static const char *const states[] = {"idle", "running", "done", "failed"};
	struct json_object *o = json_object_new_object();

	add(o, "state", states[st->state]);
	json_object_object_add(o, "packets", json_object_new_uint64(st->packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(st->bytes));
	json_object_object_add(o, "loops_done", json_object_new_uint64(st->loops_done));
	add(o, "error", st->error);
	simctl_print_json(o);
}

/* replay FILE --port P [--speed X | --pps N | --top-speed] [--loop N] [--no-wait] */
static int cmd_replay(struct dpu_dev *dev, int argc, char **argv)
{
	struct dpu_sim_replay r = {.speed = 1.0, .loops = 1};
	struct dpu_sim_replay_status st;
	bool wait = true, bar = isatty(STDERR_FILENO);
	char file[PATH_MAX], why[300] = "";
	int rc;

	if (argc < 1) {
		fprintf(stderr,
			"dpu-simctl: replay FILE --port PORT [--speed X|--pps N|--top-speed] "
			"[--loop N] [--no-wait]\n");
		return -EINVAL;
	}
	/* dpu-simd opens the file: give it an absolute path. */
	if (realpath(argv[0], file) == NULL) {
		fprintf(stderr, "dpu-simctl: %s: %s\n", argv[0], strerror(errno));
		return -ENOENT;
	}
	r.file = file;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--top-speed") == 0) {
			r.speed = 0;
		} else if (strcmp(o, "--no-wait") == 0) {
			wait = false;
		} else if (v != NULL && strcmp(o, "--port") == 0) {
			r.port = v;
			i++;
		} else if (v != NULL && strcmp(o, "--speed") == 0) {
			r.speed = strtod(v, NULL);
			i++;
		} else if (v != NULL && strcmp(o, "--pps") == 0) {
			r.pps = strtoull(v, NULL, 10);
			i++;
		} else if (v != NULL && strcmp(o, "--loop") == 0) {
			r.loops = strtoull(v, NULL, 10);
			i++;
		} else {
			fprintf(stderr, "dpu-simctl: replay: unknown option or missing value: %s\n",
				o);
			return -EINVAL;
		}
	}
	if (r.port == NULL) {
		fprintf(stderr, "dpu-simctl: replay: --port is required\n");
		return -EINVAL;
	}
	rc = dpu_sim_replay_start(dev, &r, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "dpu-simctl: replay: %s\n", why[0] ? why : strerror(-rc));
		return rc;
	}
	if (!wait) {
		return 0;
	}
	for (;;) {
		rc = dpu_sim_replay_status(dev, &st);
		if (rc < 0) {
			return rc;
		}
		if (bar) {
			int w = (int)(st.progress * 40);

			fprintf(stderr, "\r[%-40.*s] %3d%% %llu packets, pass %llu", w,
				"########################################",
				(int)(st.progress * 100), (unsigned long long)st.packets,
				(unsigned long long)st.loops_done + 1);
		}
		if (st.state != DPU_SIM_REPLAY_RUNNING) {
			break;
		}
		usleep(100 * 1000);
	}
	if (bar) {
		fputc('\n', stderr);
	}
	if (simctl_json) {
		replay_json(&st);
	} else {
		printf("replayed %llu packets (%llu bytes) into %s, %llu pass(es)%s%s\n",
		       (unsigned long long)st.packets, (unsigned long long)st.bytes, r.port,
		       (unsigned long long)st.loops_done, st.error[0] ? ": " : "", st.error);
	}
	return st.state == DPU_SIM_REPLAY_FAILED ? -EIO : 0;
}

static int cmd_nv_get(struct dpu_dev *dev)
{
	struct dpu_nv_param p[MAX_ITEMS];
	int n = dpu_nv_list(dev, p, MAX_ITEMS);
	struct json_object *a = NULL;

	if (n < 0) {
		return n;
	}
	if (simctl_json) {
		a = json_object_new_array();
	} else {
		printf("%-28s %-20s %s\n", "PARAMETER", "CURRENT", "NEXT BOOT");
	}
	for (int i = 0; i < n && i < MAX_ITEMS; i++) {
		if (simctl_json) {
			struct json_object *o = json_object_new_object();

			add(o, "name", p[i].name);
			add(o, "current", p[i].current);
			add(o, "next", p[i].next);
			json_object_array_add(a, o);
		} else {
			printf("%-28s %-20s %s\n", p[i].name, p[i].current, p[i].next);
		}
	}
	if (simctl_json) {
		simctl_print_json(a);
	}
	return 0;
}

/* ---- pcc: the PPCC register's algorithms (dpu/hal-reg.h) ---- */

static struct json_object *pcc_items(const struct dpu_pcc_item *it, size_t n)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; i < n; i++) {
		json_object_object_add(o, it[i].name, json_object_new_uint64(it[i].value));
	}
	return o;
}

static int pcc_show_port(struct dpu_dev *dev, const char *port, struct json_object *out)
{
	static struct dpu_pcc_algo algos[DPU_PPCC_SLOTS];
	int lp = dpu_pcc_local_port(dev, port), n;

	if (lp < 0) {
		return lp;
	}
	n = dpu_pcc_read(dev, (unsigned int)lp, algos, DPU_PPCC_SLOTS);
	if (n < 0) {
		return n;
	}
	for (int i = 0; i < n; i++) {
		const struct dpu_pcc_algo *a = &algos[i];

		if (out != NULL) {
			struct json_object *o = json_object_new_object();

			add(o, "port", port);
			json_object_object_add(o, "slot", json_object_new_int(a->slot));
			add(o, "algo", a->name);
			json_object_object_add(o, "algo_id",
					       json_object_new_int(DPU_PPCC_ALGO_ID(a->info)));
			json_object_object_add(o, "enabled", json_object_new_boolean(a->enabled));
			json_object_object_add(o, "counter_en",
					       json_object_new_boolean(a->counter_en));
			json_object_object_add(o, "params", pcc_items(a->params, a->n_params));
			json_object_object_add(o, "counters",
					       pcc_items(a->counters, a->n_counters));
			json_object_array_add(out, o);
			continue;
		}
		printf("%s slot %u: %s (id %u, v%u.%u) %s, counters %s\n", port, a->slot,
		       a->name[0] ? a->name : "firmware", DPU_PPCC_ALGO_ID(a->info),
		       DPU_PPCC_ALGO_MAJOR(a->info), DPU_PPCC_ALGO_MINOR(a->info),
		       a->enabled ? "enabled" : "disabled", a->counter_en ? "on" : "off");
		for (size_t j = 0; j < a->n_params; j++) {
			printf("  param   %-32s %10u\n", a->params[j].name, a->params[j].value);
		}
		for (size_t j = 0; j < a->n_counters; j++) {
			printf("  counter %-32s %10u\n", a->counters[j].name, a->counters[j].value);
		}
	}
	return 0;
}

static int pcc_write(struct dpu_dev *dev, const char *port, int argc, char **argv)
{
	const char *what = argv[0];
	int lp = dpu_pcc_local_port(dev, port), slot_arg = 1;
	struct dpu_ppcc r = {0};
	char *end;

	if (lp < 0) {
		fprintf(stderr, "dpu-simctl: pcc: %s is not an uplink\n", port);
		return -EINVAL;
	}
	r.local_port = (uint8_t)lp;
	if (strcmp(what, "enable") == 0 || strcmp(what, "disable") == 0) {
		r.cmd_type = what[0] == 'e' ? DPU_PPCC_ALGO_ENABLE : DPU_PPCC_ALGO_DISABLE;
	} else if (strcmp(what, "clear") == 0) {
		r.cmd_type = DPU_PPCC_BULK_CLEAR_COUNTERS;
	} else if (strcmp(what, "counters") == 0 && argc >= 2 &&
		   (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0)) {
		r.cmd_type = DPU_PPCC_ALGO_STATUS;
		r.counter_en = strcmp(argv[1], "on") == 0;
		slot_arg = 2;
	} else if (strcmp(what, "set") == 0 && argc >= 3) {
		slot_arg = 3;
	} else {
		fprintf(stderr,
			"dpu-simctl: pcc %s: expected enable, disable, clear, "
			"counters on|off or set NAME VALUE\n",
			what);
		return -EINVAL;
	}
	if (argc > slot_arg) {
		unsigned long v = strtoul(argv[slot_arg], &end, 10);

		if (*end != '\0' || v >= DPU_PPCC_SLOTS || argc > slot_arg + 1) {
			fprintf(stderr, "dpu-simctl: pcc: bad slot %s (0..15)\n", argv[slot_arg]);
			return -EINVAL;
		}
		r.algo_slot = (uint8_t)v;
	}
	if (strcmp(what, "set") == 0) {
		static struct dpu_pcc_algo algos[DPU_PPCC_SLOTS];
		unsigned long v = strtoul(argv[2], &end, 0);
		int n = dpu_pcc_read(dev, (unsigned int)lp, algos, DPU_PPCC_SLOTS);
		bool found = false;

		if (*end != '\0' || argv[2][0] == '-' || v > UINT32_MAX) {
			fprintf(stderr, "dpu-simctl: pcc set: bad value %s\n", argv[2]);
			return -EINVAL;
		}
		for (int i = 0; i < n && !found; i++) {
			for (size_t j = 0; algos[i].slot == r.algo_slot && j < algos[i].n_params;
			     j++) {
				if (strcmp(algos[i].params[j].name, argv[1]) == 0) {
					r.algo_param_index = (uint16_t)j;
					found = true;
					break;
				}
			}
		}
		if (n < 0) {
			return n;
		}
		if (!found) {
			fprintf(stderr, "dpu-simctl: pcc set: slot %u has no parameter %s\n",
				r.algo_slot, argv[1]);
			return -EINVAL;
		}
		r.cmd_type = DPU_PPCC_SET_PARAM;
		r.value = (uint32_t)v;
	}
	return dpu_ppcc_access(dev, r.cmd_type != DPU_PPCC_BULK_CLEAR_COUNTERS, &r);
}

static int cmd_pcc(struct dpu_dev *dev, int argc, char **argv)
{
	struct dpu_port_info ports[MAX_ITEMS];
	struct json_object *a = NULL;
	int n, rc = 0;

	if (argc >= 2) {
		rc = pcc_write(dev, argv[0], argc - 1, argv + 1);
		if (rc < 0 && rc != -EINVAL) {
			fprintf(stderr, "dpu-simctl: pcc: %s\n",
				dpu_dev_last_error(dev)[0] ? dpu_dev_last_error(dev)
							   : strerror(-rc));
			return -EINVAL;
		}
		return rc;
	}
	n = dpu_port_list(dev, ports, MAX_ITEMS);
	if (n < 0) {
		return n;
	}
	if (simctl_json) {
		a = json_object_new_array();
	}
	for (int i = 0; i < n && rc == 0; i++) {
		if (ports[i].kind == DPU_PORT_UPLINK &&
		    (argc == 0 || strcmp(argv[0], ports[i].name) == 0)) {
			rc = pcc_show_port(dev, ports[i].name, a);
		}
	}
	if (a != NULL) {
		if (rc == 0) {
			simctl_print_json(a);
		} else {
			json_object_put(a);
		}
	}
	return rc;
}

static void usage(FILE *out)
{
	fputs("usage: dpu-simctl [--run-dir DIR | --uri URI] [--json] COMMAND\n"
	      "commands:\n"
	      "  info                      inventory\n"
	      "  ports                     ports: kind, MAC, PCI, speed, link\n"
	      "  sensors                   temperatures and power, with thresholds\n"
	      "  counters                  the counter tree's root directory\n"
	      "  nvconfig [get]            NV parameters: current and next boot\n"
	      "  nvconfig set NAME VALUE   set a parameter for the next boot\n"
	      "  replay FILE --port PORT   replay a pcap into a port through the eSwitch\n"
	      "         [--speed X | --pps N | --top-speed] [--loop N (0 = forever)] [--no-wait]\n"
	      "  replay-stop               stop a replay in progress\n"
	      "  pipes [--domain PORT]     the eSwitch's pipes: entries, hits, misses\n"
	      "                            (the switch's, or those of a port's ingress)\n"
	      "  entries PIPE [--domain PORT]  a pipe's entries: match, actions, counters\n"
	      "  pipe create NAME --kind exact|acl|lpm [--match FIELD,...] [--max N]\n"
	      "         [--root] [--miss ACTIONS] [--domain PORT]   make a pipe\n"
	      "  pipe destroy NAME [--domain PORT]   remove a pipe and its entries\n"
	      "  entry add PIPE MATCH ACTIONS [--priority N] [--domain PORT]\n"
	      "                            add an entry (MATCH, ACTIONS: JSON as in\n"
	      "                            docs/simulator.md); prints its id\n"
	      "  entry update PIPE ID ACTIONS [--domain PORT]   new actions, the same\n"
	      "                            match, id and counters\n"
	      "  entry del PIPE ID... [--domain PORT]   remove entries\n"
	      "  entry load PIPE FILE [--domain PORT]  add the entries of FILE, one\n"
	      "                            {\"priority\"?, \"match\", \"actions\"} a line\n"
	      "  meters [--domain PORT]    meters: packets and bytes per colour\n"
	      "  clock                     the PHC: time, offset to the system, frequency\n"
	      "  clock drift|freq PPB      set the oscillator's drift / the correction\n"
	      "  clock step|set NS         step the PHC by NS / set it to NS\n"
	      "  pcc [PORT]                the uplinks' congestion control algorithms:\n"
	      "                            status, parameters, counters (PPCC register)\n"
	      "  pcc PORT enable|disable|clear [SLOT]  an algorithm (slot 0); clear counters\n"
	      "  pcc PORT counters on|off [SLOT]       count or stop counting\n"
	      "  pcc PORT set NAME VALUE [SLOT]        set a parameter\n"
	      "options:\n"
	      "  -r, --run-dir DIR          dpu-simd's run directory\n"
	      "  -u, --uri URI              device URI (default sim:bf3-0)\n"
	      "  -j, --json                 JSON output for scripts\n",
	      out);
	dpu_common_usage(out);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		DPU_COMMON_LONGOPTS,
		{"run-dir", required_argument, NULL, 'r'},
		{"uri", required_argument, NULL, 'u'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char uri[PATH_MAX + 32] = "sim:bf3-0";
	struct dpu_dev *dev;
	const char *cmd;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+" DPU_COMMON_SHORTOPTS "r:u:jh", longopts, NULL)) !=
	       -1) {
		rc = dpu_common_opt(c, optarg);
		if (rc > 0) {
			continue;
		}
		if (rc < 0) {
			return 2;
		}
		switch (c) {
		case 'r':
			snprintf(uri, sizeof(uri), "sim:dev,run-dir=%s", optarg);
			break;
		case 'u':
			snprintf(uri, sizeof(uri), "%s", optarg);
			break;
		case 'j':
			simctl_json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	dpu_common_log_open("dpu-simctl");
	rc = dpu_dev_open(uri, &dev);
	if (rc < 0) {
		fprintf(stderr, "dpu-simctl: %s: %s%s\n", uri, strerror(-rc),
			rc == -ENODEV ? " (is dpu-simd running there?)" : "");
		return 1;
	}
	if (strcmp(cmd, "info") == 0) {
		rc = cmd_info(dev);
	} else if (strcmp(cmd, "ports") == 0) {
		rc = cmd_ports(dev);
	} else if (strcmp(cmd, "sensors") == 0) {
		rc = cmd_sensors(dev);
	} else if (strcmp(cmd, "counters") == 0) {
		rc = cmd_counters(dev);
	} else if (strcmp(cmd, "replay") == 0) {
		rc = cmd_replay(dev, argc - optind - 1, argv + optind + 1);
		if (rc == -EINVAL || rc == -ENOENT || rc == -EBUSY || rc == -ENODEV) {
			dpu_dev_close(dev);
			return 1;
		}
	} else if (strcmp(cmd, "replay-stop") == 0) {
		rc = dpu_sim_replay_stop(dev);
	} else if (strcmp(cmd, "pipes") == 0 || strcmp(cmd, "entries") == 0 ||
		   strcmp(cmd, "meters") == 0) {
		rc = (cmd[0] == 'p' ? cmd_pipes : (cmd[0] == 'e' ? cmd_entries : cmd_meters))(
			dev, argc - optind - 1, argv + optind + 1);
		if (rc == -EINVAL) {
			dpu_dev_close(dev);
			return 1;
		}
	} else if (strcmp(cmd, "pipe") == 0 || strcmp(cmd, "entry") == 0) {
		rc = (cmd[0] == 'p' ? simctl_pipe : simctl_entry)(dev, argc - optind - 1,
								  argv + optind + 1);
		if (rc == -EINVAL) {
			dpu_dev_close(dev);
			return 1;
		}
	} else if (strcmp(cmd, "pcc") == 0) {
		rc = cmd_pcc(dev, argc - optind - 1, argv + optind + 1);
		if (rc == -EINVAL) {
			dpu_dev_close(dev);
			return 1;
		}
	} else if (strcmp(cmd, "clock") == 0) {
		rc = cmd_clock(dev, argc - optind - 1, argv + optind + 1);
		if (rc == -EINVAL) {
			dpu_dev_close(dev);
			return 1;
		}
	} else if (strcmp(cmd, "nvconfig") == 0 &&
		   (optind + 1 == argc || strcmp(argv[optind + 1], "get") == 0)) {
		rc = cmd_nv_get(dev);
	} else if (strcmp(cmd, "nvconfig") == 0 && optind + 4 == argc &&
		   strcmp(argv[optind + 1], "set") == 0) {
		rc = dpu_nv_set(dev, argv[optind + 2], argv[optind + 3]);
		if (rc == -ENOENT) {
			fprintf(stderr, "dpu-simctl: %s: no such NV parameter\n", argv[optind + 2]);
			dpu_dev_close(dev);
			return 1;
		}
	} else {
		fprintf(stderr, "dpu-simctl: unknown command or arguments: %s\n", cmd);
		dpu_dev_close(dev);
		return 2;
	}
	dpu_dev_close(dev);
	if (rc < 0) {
		fprintf(stderr, "dpu-simctl: %s: %s\n", cmd, strerror(-rc));
		return 1;
	}
	return 0;
}
