/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-simd: the simulated BlueField. It loads a device description, keeps
 * the sysfs-shaped counter tree and the NV store under its run directory,
 * and answers the HAL's sim backend on a Unix socket there.
 *
 *   dpu-simd --device FILE [--run-dir DIR] [--port-backing PORT=SPEC]... [-l LEVEL]
 *
 * Run directory (default <dpu run dir>/sim/<device name>):
 *   simd.sock       control socket (JSON lines; docs/simulator.md)
 *   simd.pid        pid file
 *   sys/            the counter tree (class/net, class/infiniband, class/hwmon)
 *   nvconfig.json   NV store (next-boot values; kept across restarts)
 *
 *   memif-<port>.sock  a service port's memif socket (after port-attach)
 *
 * A data-plane thread replays captures into ports and exchanges frames with
 * the services attached to ports, through the emulated eSwitch; the
 * per-port counters land in sys/.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#define DPU_LOG_MODULE "simd"
#include "common/daemon.h"
#include "common/log.h"
#include "common/loop.h"
#include "common/opts.h"
#include "sim/device.h"
#include "sim/nvstore.h"
#include "sim/sysfs.h"
#include "common/dpdk.h"
#include "common/timeutil.h"
#include "sim/simd/ctl.h"
#include "sim/simd/flow.h"

/* How often the counter tree is brought up to date. */
#define PUBLISH_INTERVAL_NS (200 * DPU_NSEC_PER_MSEC)

/* A counter file of an RDMA port, written when its value changed. */
struct ib_field {
	const char *name;
	uint64_t now, was;
};

static void publish_ib_files(struct simd *s, const char *ibdev, const char *dir,
			     const struct ib_field *f, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		char rel[192], val[32];

		if (f[j].now == f[j].was) {
			continue;
		}
		snprintf(rel, sizeof(rel), "class/infiniband/%s/ports/1/%s/%s", ibdev, dir,
			 f[j].name);
		snprintf(val, sizeof(val), "%llu\n", (unsigned long long)f[j].now);
		if (sim_sysfs_write(s->sysroot, rel, val) < 0) {
			log_warn_rl("%s: cannot update %s", ibdev, f[j].name);
		}
	}
}

/*
 * An uplink's RDMA device counts the wire: port_{rcv,xmit}_packets, the
 * same as unicast (no multicast here), port_{rcv,xmit}_data in 4-byte words
 * as the InfiniBand counters are, port_rcv_errors, port_xmit_discards.
 */
static void publish_ib(struct simd *s, const struct sim_port *p, const struct simd_port_counters *c,
		       const struct simd_port_counters *old)
{
	const struct ib_field f[] = {
		{"port_rcv_packets", c->rx_packets, old->rx_packets},
		{"unicast_rcv_packets", c->rx_packets, old->rx_packets},
		{"port_xmit_packets", c->tx_packets, old->tx_packets},
		{"unicast_xmit_packets", c->tx_packets, old->tx_packets},
		{"port_rcv_data", c->rx_bytes / 4, old->rx_bytes / 4},
		{"port_xmit_data", c->tx_bytes / 4, old->tx_bytes / 4},
		{"port_rcv_errors", c->rx_errors, old->rx_errors},
		{"port_xmit_discards", c->tx_dropped, old->tx_dropped},
	};

	publish_ib_files(s, p->ibdev, "counters", f, ARRAY_SIZE(f));
}

/*
 * The congestion control counters mlx5 keeps beside the port's hw_counters
 * (rp_cnp_handled, rp_cnp_ignored, np_ecn_marked_roce_packets, np_cnp_sent),
 * from the data plane's RoCEv2 accounting (sim/pcc.h).
 */
static void publish_cc(struct simd *s, size_t port, const struct sim_port *p,
		       struct sim_pcc_events *old)
{
	struct sim_pcc_events ev;

	simd_dp_cc_events(s->dp, port, &ev);
	const struct ib_field f[] = {
		{"rp_cnp_handled", ev.cnp_handled, old->cnp_handled},
		{"rp_cnp_ignored", ev.cnp_ignored, old->cnp_ignored},
		{"np_ecn_marked_roce_packets", ev.ce_handled + ev.ce_ignored,
		 old->ce_handled + old->ce_ignored},
		{"np_cnp_sent", ev.cnp_sent, old->cnp_sent},
	};

	publish_ib_files(s, p->ibdev, "hw_counters", f, ARRAY_SIZE(f));
	*old = ev;
}

/*
 * Move the sensors with the uplinks' load since the last time (their bytes
 * in and out against their line rate) and write those whose reading
 * changed.
 */
static void publish_sensors(struct simd *s, uint64_t bytes)
{
	uint64_t now = dpu_time_mono_ns(), cap = 0;
	double dt = (double)(now - s->load_ns) / 1e9, load = 0;

	for (size_t i = 0; i < s->dev->n_ports; i++) {
		if (s->dev->ports[i].kind == SIM_PORT_UPLINK) {
			cap += 2ull * s->dev->ports[i].speed_mbps * 1000000; /* in and out */
		}
	}
	if (cap > 0 && dt > 0) {
		load = (double)(bytes - s->load_bytes) * 8 / dt / (double)cap;
	}
	for (size_t i = 0; i < s->dev->n_sensors; i++) {
		const struct sim_sensor *x = &s->dev->sensors[i];
		double was = s->sensor_now[i];

		s->sensor_now[i] = sim_sensor_step(x, was, load, dt);
		if (llround(was * 1e3) != llround(s->sensor_now[i] * 1e3) &&
		    sim_sysfs_set_sensor(s->sysroot, i, x, s->sensor_now[i]) < 0) {
			log_warn_rl("%s: cannot update its reading", x->name);
		}
	}
	s->load_bytes = bytes;
	s->load_ns = now;
}

/* Write the counters that changed into class/net/<port>/statistics/ (and the IB tree). */
static void publish_counters(struct dpu_loop_src *src, uint64_t n, void *arg)
{
	struct simd *s = arg;
	uint64_t uplink_bytes = 0;

	(void)src;
	(void)n;
	for (size_t i = 0; i < s->dev->n_ports; i++) {
		struct simd_port_counters c, *old = &s->published[i];
		const struct sim_port *p = &s->dev->ports[i];
		const char *port = p->name;

		simd_dp_counters(s->dp, i, &c);
		const struct {
			const char *name;
			uint64_t now, was;
		} f[] = {
			{"rx_packets", c.rx_packets, old->rx_packets},
			{"rx_bytes", c.rx_bytes, old->rx_bytes},
			{"rx_dropped", c.rx_dropped, old->rx_dropped},
			{"rx_errors", c.rx_errors, old->rx_errors},
			{"tx_packets", c.tx_packets, old->tx_packets},
			{"tx_bytes", c.tx_bytes, old->tx_bytes},
			{"tx_dropped", c.tx_dropped, old->tx_dropped},
		};

		for (size_t j = 0; j < ARRAY_SIZE(f); j++) {
			if (f[j].now != f[j].was &&
			    sim_sysfs_set_netdev(s->sysroot, port, f[j].name, f[j].now) < 0) {
				log_warn_rl("%s: cannot update %s", port, f[j].name);
			}
		}
		if (p->kind == SIM_PORT_UPLINK && p->ibdev[0] != '\0') {
			publish_ib(s, p, &c, old);
			publish_cc(s, i, p, &s->cc_published[i]);
		}
		if (p->kind == SIM_PORT_UPLINK) {
			uplink_bytes += c.rx_bytes + c.tx_bytes;
		}
		*old = c;
	}
	publish_sensors(s, uplink_bytes);
}

#define MAX_BACKINGS 16

/* --port-backing PORT=tap[:IFNAME] | PORT=af_packet:IFACE */
static int apply_backing(struct simd *s, const char *spec)
{
	char port[SIM_NAME_MAX], arg[32];
	const char *eq = strchr(spec, '='), *what, *colon;
	enum simd_backing kind;
	size_t plen;
	int idx = -1, rc;

	if (eq == NULL || (plen = (size_t)(eq - spec)) == 0 || plen >= sizeof(port)) {
		log_err("--port-backing %s: expected PORT=tap[:IFNAME] or PORT=af_packet:IFACE",
			spec);
		return -EINVAL;
	}
	memcpy(port, spec, plen);
	port[plen] = '\0';
	for (size_t i = 0; i < s->dev->n_ports; i++) {
		if (strcmp(s->dev->ports[i].name, port) == 0) {
			idx = (int)i;
		}
	}
	if (idx < 0) {
		log_err("--port-backing %s: %s is not a port of %s", spec, port, s->dev->name);
		return -ENODEV;
	}
	what = eq + 1;
	colon = strchr(what, ':');
	if (strncmp(what, "tap", 3) == 0 && (what[3] == '\0' || what[3] == ':')) {
		kind = SIMD_BACKING_TAP;
		/* Interface names have 15 characters at most. */
		snprintf(arg, sizeof(arg), "%.15s", colon != NULL ? colon + 1 : port);
	} else if (strncmp(what, "af_packet:", 10) == 0 && what[10] != '\0') {
		kind = SIMD_BACKING_AF_PACKET;
		snprintf(arg, sizeof(arg), "%.15s", what + 10);
	} else {
		log_err("--port-backing %s: expected tap[:IFNAME] or af_packet:IFACE after '='",
			spec);
		return -EINVAL;
	}
	if (arg[0] == '\0') {
		log_err("--port-backing %s: empty interface name", spec);
		return -EINVAL;
	}
	rc = simd_dp_attach(s->dp, (size_t)idx, kind, arg, 1);
	if (rc < 0) {
		log_err("--port-backing %s: %s", spec,
			rc == -EEXIST ? "the port has a backing already" : strerror(-rc));
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		DPU_COMMON_LONGOPTS,
		{"device", required_argument, NULL, 'd'},
		{"run-dir", required_argument, NULL, 'r'},
		{"port-backing", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct simd s = {.listen_fd = -1};
	struct dpu_pidfile *pid = NULL;
	struct dpu_cfg_err err;
	const char *device = NULL, *backings[MAX_BACKINGS];
	size_t n_backings = 0;
	char buf[700], path[PATH_MAX];
	static const char *const eal_args[] = {"--no-pci", "-l", "0", "--no-telemetry", NULL};
	bool eal_up = false;
	pid_t owner = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, DPU_COMMON_SHORTOPTS "d:r:b:h", longopts, NULL)) !=
	       -1) {
		rc = dpu_common_opt(c, optarg);
		if (rc > 0) {
			continue;
		}
		if (rc < 0) {
			return 2;
		}
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 'r':
			dpu_strscpy(s.rundir, optarg, sizeof(s.rundir));
			break;
		case 'b':
			if (n_backings == MAX_BACKINGS) {
				fprintf(stderr, "dpu-simd: at most %d --port-backing\n",
					MAX_BACKINGS);
				return 2;
			}
			backings[n_backings++] = optarg;
			break;
		case 'h':
			printf("usage: dpu-simd --device FILE [--run-dir DIR] [options]\n"
			       "  -d, --device FILE          device description (YAML)\n"
			       "  -r, --run-dir DIR          state directory (default "
			       "<run dir>/sim/<device name>)\n"
			       "  -b, --port-backing PORT=tap[:IFNAME] | PORT=af_packet:IFACE\n"
			       "                             carry a port's frames on a tap "
			       "interface or an existing one (repeatable)\n"
			       "  -h, --help                 this text\n");
			dpu_common_usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (device == NULL) {
		fprintf(stderr,
			"dpu-simd: --device FILE is required (e.g. fixtures/devices/bf3.yaml)\n");
		return 2;
	}
	dpu_common_log_open("dpu-simd");
	rc = sim_device_load(device, &s.dev, &err);
	if (rc < 0) {
		log_err("%s", dpu_cfg_err_str(&err, buf, sizeof(buf)));
		return 2;
	}
	if (s.rundir[0] == '\0') {
		char base[PATH_MAX - 128];

		if (dpu_rundir_default(base, sizeof(base)) < 0) {
			log_err("run directory name too long");
			free(s.dev);
			return 1;
		}
		if (snprintf(s.rundir, sizeof(s.rundir), "%s/sim/%s", base, s.dev->name) >=
		    (int)sizeof(s.rundir)) {
			log_err("run directory name too long");
			free(s.dev);
			return 1;
		}
	}
	rc = dpu_mkdir_p(s.rundir, 0755);
	if (rc < 0) {
		log_err("%s: %s", s.rundir, strerror(-rc));
		free(s.dev);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/simd.pid", s.rundir);
	rc = dpu_pidfile_open(path, &pid, &owner);
	if (rc < 0) {
		if (rc == -EBUSY) {
			log_err("%s: already running (pid %ld)", s.rundir, (long)owner);
		} else {
			log_err("%s: %s", path, strerror(-rc));
		}
		free(s.dev);
		return 1;
	}
	/* Signals first: EAL and data-plane threads inherit the blocked mask. */
	rc = dpu_loop_create(&s.loop);
	if (rc == 0) {
		rc = dpu_daemon_signals(s.loop, NULL);
	}
	if (rc < 0) {
		log_err("event loop: %s", strerror(-rc));
		goto out;
	}
	rc = dpu_dpdk_init("dpu-simd", eal_args, 256);
	if (rc < 0) {
		goto out;
	}
	eal_up = true;
	snprintf(s.sysroot, sizeof(s.sysroot), "%s/sys", s.rundir);
	sim_sysfs_remove(s.sysroot);
	rc = sim_sysfs_create(s.sysroot, s.dev);
	if (rc < 0) {
		log_err("%s: cannot write the counter tree: %s", s.sysroot, strerror(-rc));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/nvconfig.json", s.rundir);
	rc = sim_nvstore_open(path, s.dev, &s.nv, &err);
	if (rc < 0) {
		log_err("NV store: %s", dpu_cfg_err_str(&err, buf, sizeof(buf)));
		goto out;
	}
	rc = simd_dp_create(s.dev, &s.dp);
	if (rc < 0) {
		log_err("data plane: %s", strerror(-rc));
		goto out;
	}
	simd_pcc_start(&s);
	/* The PHC starts on the system's time, free-running from there. */
	sim_phc_init(&s.phc, (int64_t)dpu_time_mono_ns(), (int64_t)dpu_time_real_ns(), 0);
	rc = simd_flows_create(&s, &s.flows);
	if (rc < 0) {
		log_err("steering: %s", strerror(-rc));
		goto out;
	}
	for (size_t i = 0; i < n_backings; i++) {
		rc = apply_backing(&s, backings[i]);
		if (rc < 0) {
			goto out;
		}
	}
	for (size_t i = 0; i < s.dev->n_sensors; i++) {
		s.sensor_now[i] = s.dev->sensors[i].value;
	}
	s.load_ns = dpu_time_mono_ns();
	rc = dpu_loop_add_timer(s.loop, PUBLISH_INTERVAL_NS, PUBLISH_INTERVAL_NS, publish_counters,
				&s, NULL);
	if (rc == 0) {
		rc = simd_ctl_start(&s);
	}
	if (rc < 0) {
		log_err("control socket in %s: %s", s.rundir, strerror(-rc));
		goto out;
	}
	log_info("%s (%s, serial %s) up: %zu ports, %zu sensors, %zu NV parameters; run dir %s",
		 s.dev->name, s.dev->inv.model, s.dev->inv.serial, s.dev->n_ports, s.dev->n_sensors,
		 s.dev->n_nv, s.rundir);
	rc = dpu_loop_run(s.loop);
	log_info("%s down", s.dev->name);
out:
	simd_ctl_stop(&s);
	simd_pcc_stop(&s);
	simd_dp_destroy(s.dp);
	simd_flows_destroy(s.flows);
	dpu_loop_destroy(s.loop);
	if (s.sysroot[0] != '\0') {
		sim_sysfs_remove(s.sysroot);
	}
	if (eal_up) {
		dpu_dpdk_fini();
	}
	free(s.nv);
	free(s.dev);
	dpu_pidfile_close(pid);
	return rc < 0 ? 1 : 0;
}
