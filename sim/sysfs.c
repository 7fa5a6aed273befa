/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/daemon.h"
#include "sim/sysfs.h"

const char *const sim_netdev_counters[] = {
	"rx_packets",	 "tx_packets",	   "rx_bytes",	     "tx_bytes",	 "rx_dropped",
	"tx_dropped",	 "rx_errors",	   "tx_errors",	     "multicast",	 "collisions",
	"rx_crc_errors", "rx_fifo_errors", "tx_fifo_errors", "rx_missed_errors", NULL,
};

/* The ib_port names of the DOCA Telemetry Service's sysfs provider. */
const char *const sim_ib_counters[] = {
	"VL15_dropped",
	"excessive_buffer_overrun_errors",
	"link_downed",
	"link_error_recovery",
	"local_link_integrity_errors",
	"multicast_rcv_packets",
	"multicast_xmit_packets",
	"port_rcv_constraint_errors",
	"port_rcv_data",
	"port_rcv_errors",
	"port_rcv_packets",
	"port_rcv_remote_physical_errors",
	"port_rcv_switch_relay_errors",
	"port_xmit_constraint_errors",
	"port_xmit_data",
	"port_xmit_discards",
	"port_xmit_packets",
	"port_xmit_wait",
	"symbol_error",
	"unicast_rcv_packets",
	"unicast_xmit_packets",
	NULL,
};

const char *const sim_ib_hw_counters[] = {
	"duplicate_request", "implied_nak_seq_err",
	"lifespan",	     "local_ack_timeout_err",
	"out_of_buffer",     "out_of_sequence",
	"packet_seq_err",    "rnr_nak_retry_err",
	"rx_write_requests", "rx_read_requests",
	"roce_adp_retrans",  "rp_cnp_handled",
	"rp_cnp_ignored",    "np_ecn_marked_roce_packets",
	"np_cnp_sent",	     NULL,
};

int sim_sysfs_write(const char *root, const char *relpath, const char *text)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], dir[PATH_MAX];
	char *slash;
	size_t len = strlen(text);
	int fd, rc;

	if (snprintf(path, sizeof(path), "%s/%s", root, relpath) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	memcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		rc = dpu_mkdir_p(dir, 0755);
		if (rc < 0) {
			return rc;
		}
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		return -errno;
	}
	if (write(fd, text, len) != (ssize_t)len) {
		rc = errno ? -errno : -EIO;
		close(fd);
		unlink(tmp);
		return rc;
	}
	close(fd);
	return rename(tmp, path) < 0 ? -errno : 0;
}

static int writef(const char *root, const char *relpath, const char *fmt, ...) DPU_PRINTF(3, 4);

static int writef(const char *root, const char *relpath, const char *fmt, ...)
{
	char text[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return sim_sysfs_write(root, relpath, text);
}

int sim_sysfs_set_netdev(const char *root, const char *port, const char *counter, uint64_t value)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "class/net/%s/statistics/%s", port, counter);
	return writef(root, rel, "%llu\n", (unsigned long long)value);
}

/* The kernel's phys_port_name of a mlx5 port or representor. */
static void phys_port_name(const struct sim_device *dev, const struct sim_port *p, char *buf,
			   size_t size)
{
	unsigned int nth = 0;

	for (size_t i = 0; i < dev->n_ports && &dev->ports[i] != p; i++) {
		nth += dev->ports[i].kind == p->kind;
	}
	switch (p->kind) {
	case SIM_PORT_UPLINK:
		snprintf(buf, size, "p%u", nth);
		break;
	case SIM_PORT_PF:
		snprintf(buf, size, "pf%u", nth);
		break;
	case SIM_PORT_VF:
		snprintf(buf, size, "pf0vf%u", nth);
		break;
	case SIM_PORT_SF:
		snprintf(buf, size, "pf0sf%u", nth);
		break;
	}
}

static int create_port(const char *root, const struct sim_device *dev, const struct sim_port *p)
{
	char rel[256], ppn[32];
	int rc = 0;

	snprintf(rel, sizeof(rel), "class/net/%s/address", p->name);
	rc |= writef(root, rel, "%02x:%02x:%02x:%02x:%02x:%02x\n", p->mac[0], p->mac[1], p->mac[2],
		     p->mac[3], p->mac[4], p->mac[5]);
	snprintf(rel, sizeof(rel), "class/net/%s/operstate", p->name);
	rc |= writef(root, rel, "up\n");
	snprintf(rel, sizeof(rel), "class/net/%s/carrier", p->name);
	rc |= writef(root, rel, "1\n");
	snprintf(rel, sizeof(rel), "class/net/%s/mtu", p->name);
	rc |= writef(root, rel, "1500\n");
	/* Representors report no speed, as on a BlueField (-1 in sysfs). */
	snprintf(rel, sizeof(rel), "class/net/%s/speed", p->name);
	rc |= writef(root, rel, "%ld\n", p->speed_mbps ? (long)p->speed_mbps : -1L);
	/* What identifies the port as a switch port of this device, as mlx5 shows it. */
	phys_port_name(dev, p, ppn, sizeof(ppn));
	snprintf(rel, sizeof(rel), "class/net/%s/phys_port_name", p->name);
	rc |= writef(root, rel, "%s\n", ppn);
	snprintf(rel, sizeof(rel), "class/net/%s/phys_switch_id", p->name);
	rc |= writef(root, rel, "%02x%02x%02x0003ffff\n", dev->ports[0].mac[0],
		     dev->ports[0].mac[1], dev->ports[0].mac[2]);
	/* 'device' is a link to the PCI function on a real system; here a directory. */
	snprintf(rel, sizeof(rel), "class/net/%s/device/uevent", p->name);
	rc |= writef(root, rel, "DRIVER=mlx5_core\nPCI_SLOT_NAME=%s\n", p->pci);
	if (p->ibdev[0] != '\0') {
		snprintf(rel, sizeof(rel), "class/net/%s/device/infiniband/%s/ibdev", p->name,
			 p->ibdev);
		rc |= writef(root, rel, "%s\n", p->ibdev);
	}
	for (size_t i = 0; sim_netdev_counters[i] != NULL; i++) {
		rc |= sim_sysfs_set_netdev(root, p->name, sim_netdev_counters[i], 0);
	}
	return rc ? -EIO : 0;
}

static int create_ibdev(const char *root, const struct sim_device *dev, const char *ibdev)
{
	char rel[256];
	int rc = 0;

	snprintf(rel, sizeof(rel), "class/infiniband/%s/fw_ver", ibdev);
	rc |= writef(root, rel, "%s\n", dev->inv.firmware);
	snprintf(rel, sizeof(rel), "class/infiniband/%s/board_id", ibdev);
	rc |= writef(root, rel, "%s\n", dev->inv.psid);
	snprintf(rel, sizeof(rel), "class/infiniband/%s/node_desc", ibdev);
	rc |= writef(root, rel, "%s %s\n", dev->name, ibdev);

	snprintf(rel, sizeof(rel), "class/infiniband/%s/ports/1/state", ibdev);
	rc |= writef(root, rel, "4: ACTIVE\n");
	snprintf(rel, sizeof(rel), "class/infiniband/%s/ports/1/link_layer", ibdev);
	rc |= writef(root, rel, "Ethernet\n");
	for (size_t i = 0; sim_ib_counters[i] != NULL; i++) {
		snprintf(rel, sizeof(rel), "class/infiniband/%s/ports/1/counters/%s", ibdev,
			 sim_ib_counters[i]);
		rc |= writef(root, rel, "0\n");
	}
	for (size_t i = 0; sim_ib_hw_counters[i] != NULL; i++) {
		snprintf(rel, sizeof(rel), "class/infiniband/%s/ports/1/hw_counters/%s", ibdev,
			 sim_ib_hw_counters[i]);
		rc |= writef(root, rel, "0\n");
	}
	return rc ? -EIO : 0;
}

/* hwmon units: millidegrees Celsius, microwatts. */
static double sensor_scale(const struct sim_sensor *s)
{
	return s->kind == SIM_SENSOR_TEMPERATURE ? 1e3 : 1e6;
}

int sim_sysfs_set_sensor(const char *root, size_t idx, const struct sim_sensor *s, double value)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "class/hwmon/hwmon%zu/%s_input", idx,
		 s->kind == SIM_SENSOR_TEMPERATURE ? "temp1" : "power1");
	return writef(root, rel, "%lld\n", (long long)llround(value * sensor_scale(s)));
}

static int create_sensor(const char *root, size_t idx, const struct sim_sensor *s)
{
	const char *what = s->kind == SIM_SENSOR_TEMPERATURE ? "temp1" : "power1";
	double scale = sensor_scale(s);
	char rel[256];
	int rc = 0;

	snprintf(rel, sizeof(rel), "class/hwmon/hwmon%zu/name", idx);
	rc |= writef(root, rel, "%s\n", s->name);
	rc |= sim_sysfs_set_sensor(root, idx, s, s->value);
	if (isfinite(s->warn)) {
		snprintf(rel, sizeof(rel), "class/hwmon/hwmon%zu/%s_max", idx, what);
		rc |= writef(root, rel, "%lld\n", (long long)llround(s->warn * scale));
	}
	if (isfinite(s->crit)) {
		snprintf(rel, sizeof(rel), "class/hwmon/hwmon%zu/%s_crit", idx, what);
		rc |= writef(root, rel, "%lld\n", (long long)llround(s->crit * scale));
	}
	return rc ? -EIO : 0;
}

int sim_sysfs_create(const char *root, const struct sim_device *dev)
{
	int rc = dpu_mkdir_p(root, 0755);

	for (size_t i = 0; rc == 0 && i < dev->n_ports; i++) {
		const struct sim_port *p = &dev->ports[i];
		bool seen = false;

		rc = create_port(root, dev, p);
		if (rc < 0 || p->ibdev[0] == '\0') {
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			seen |= strcmp(dev->ports[j].ibdev, p->ibdev) == 0;
		}
		if (!seen) {
			rc = create_ibdev(root, dev, p->ibdev);
		}
	}
	for (size_t i = 0; rc == 0 && i < dev->n_sensors; i++) {
		rc = create_sensor(root, i, &dev->sensors[i]);
	}
	/* SMBIOS, as the Arm side of a BlueField reports itself. */
	if (rc == 0) {
		rc |= writef(root, "class/dmi/id/product_name", "%s\n", dev->inv.model);
		rc |= writef(root, "class/dmi/id/product_serial", "%s\n", dev->inv.serial);
		rc |= writef(root, "class/dmi/id/product_sku", "%s\n", dev->inv.part_number);
		rc |= writef(root, "class/dmi/id/sys_vendor", "Nvidia\n");
		rc = rc ? -EIO : 0;
	}
	return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

void sim_sysfs_remove(const char *root)
{
	if (root[0] == '\0' || strcmp(root, "/") == 0) {
		return;
	}
	/* Depth first, never following links: only the tree we wrote goes. */
	nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
