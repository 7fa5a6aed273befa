/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bluefield backend: a BlueField or ConnectX read through the kernel's
 * sysfs (mlx5_core netdevs and representors, the RDMA devices, hwmon,
 * SMBIOS). URI: bluefield:<pci>[,sysfs=<root>], e.g.
 * bluefield:0000:03:00.0; sysfs= points it at another tree (default /sys),
 * such as dpu-simd's, which is laid out the same way.
 *
 * The ports of the device are the netdevs whose PCI function shares the
 * URI's domain:bus:device; their kind comes from phys_port_name (pN uplink,
 * pfN host PF representor, pfNvfM VF representor, pfNsfM SF). NV
 * configuration (mlxconfig's parameters) is register MNVDA through fwctl
 * (dpu_nv_reg_list()/_set()), as are all registers. The PHC is the ports'
 * /dev/ptpN. Packet I/O (dpu/hal-io.h) probes a port on the mlx5 PMD as
 * OVS-DPDK on a BlueField does: every port through the adapter's first
 * function, a representor named in the devargs' own syntax
 * (bf_port_attach()). Steering is rte_flow
 * on those ports (hal/steer-rte.h), so it needs them open in this process:
 * the synchronous API, which DPDK 22.11's mlx5 serves with DV steering
 * (dv_flow_en=1; its hardware steering, 2, takes template tables and
 * queued rules only), and extensive metadata (dv_xmeta_en=1) so that a
 * MARK the switch sets reaches the service's mbuf across the FDB.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include <linux/ptp_clock.h>

#define DPU_LOG_MODULE "hal-bluefield"
#include "common/log.h"
#include "dpu/hal-reg.h"
#include "hal-provider.h"

struct hal_bf {
	struct dpu_dev up;
	char pci[16];		 /* the URI's PCI function, dddd:bb:dd.f */
	char root[PATH_MAX / 2]; /* sysfs root */
	int fwctl_fd;		 /* /dev/fwctl/fwctlN of the function, once opened; -1 */
};

static struct hal_bf *bf_cast(struct dpu_dev *dev)
{
	return container_of(dev, struct hal_bf, up);
}

/* First line of root/fmt... into buf, newline stripped; -errno when unreadable. */
static int read_line(const struct hal_bf *h, char *buf, size_t size, const char *fmt, ...)
	DPU_PRINTF(4, 5);

static int read_line(const struct hal_bf *h, char *buf, size_t size, const char *fmt, ...)
{
	char rel[PATH_MAX / 2], path[PATH_MAX];
	va_list ap;
	FILE *fp;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", h->root, rel);
	buf[0] = '\0';
	fp = fopen(path, "re");
	if (fp == NULL) {
		return -errno;
	}
	if (fgets(buf, (int)size, fp) == NULL) {
		buf[0] = '\0';
	}
	fclose(fp);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int read_u64(const struct hal_bf *h, uint64_t *out, const char *port, const char *name)
{
	char buf[32];
	int rc = read_line(h, buf, sizeof(buf), "class/net/%s/statistics/%s", port, name);

	*out = rc == 0 ? strtoull(buf, NULL, 10) : 0;
	return rc;
}

/* The PCI function of netdev 'ifname', from device/uevent. */
static int netdev_pci(const struct hal_bf *h, const char *ifname, char *pci, size_t size)
{
	char path[PATH_MAX], line[128];
	FILE *fp;
	int rc = -ENOENT;

	snprintf(path, sizeof(path), "%s/class/net/%s/device/uevent", h->root, ifname);
	fp = fopen(path, "re");
	if (fp == NULL) {
		return -errno;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "PCI_SLOT_NAME=", 14) == 0) {
			line[strcspn(line, "\n")] = '\0';
			dpu_strscpy(pci, line + 14, size);
			rc = 0;
			break;
		}
	}
	fclose(fp);
	return rc;
}

/* Same domain:bus:device (the functions of one adapter). */
static bool same_adapter(const char *a, const char *b)
{
	return strncmp(a, b, 10) == 0;
}

static int kind_of(const char *ppn, enum dpu_port_kind *kind)
{
	unsigned int a, b;
	char tail;

	if (sscanf(ppn, "p%u%c", &a, &tail) == 1) {
		*kind = DPU_PORT_UPLINK;
	} else if (sscanf(ppn, "pf%uvf%u%c", &a, &b, &tail) == 2) {
		*kind = DPU_PORT_VF;
	} else if (sscanf(ppn, "pf%usf%u%c", &a, &b, &tail) == 2) {
		*kind = DPU_PORT_SF;
	} else if (sscanf(ppn, "pf%u%c", &a, &tail) == 1) {
		*kind = DPU_PORT_PF;
	} else {
		return -EINVAL;
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The device's ports' netdev names, sorted; the caller frees names and array. */
static int list_ports(const struct hal_bf *h, char ***namesp, size_t *np)
{
	char path[PATH_MAX], pci[16], ppn[32];
	enum dpu_port_kind kind;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/class/net", h->root);
	d = opendir(path);
	if (d == NULL) {
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		char **nn;

		if (de->d_name[0] == '.' || netdev_pci(h, de->d_name, pci, sizeof(pci)) < 0 ||
		    !same_adapter(pci, h->pci) ||
		    read_line(h, ppn, sizeof(ppn), "class/net/%s/phys_port_name", de->d_name) < 0 ||
		    kind_of(ppn, &kind) < 0) {
			continue;
		}
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (nn == NULL || (nn[n] = strdup(de->d_name)) == NULL) {
			names = nn ? nn : names;
			for (size_t i = 0; i < n; i++) {
				free(names[i]);
			}
			free(names);
			closedir(d);
			return -ENOMEM;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (n > 1) {
		qsort(names, n, sizeof(*names), name_cmp);
	}
	*namesp = names;
	*np = n;
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
}

static int bf_open(const char *args, struct dpu_dev **devp)
{
	const char *comma = strchr(args, ',');
	size_t plen = comma ? (size_t)(comma - args) : strlen(args);
	unsigned int dom, bus, dv, fn;
	struct hal_bf *h;
	char **names;
	size_t n;
	int rc;

	if (plen != 12 || sscanf(args, "%4x:%2x:%2x.%1x", &dom, &bus, &dv, &fn) != 4) {
		log_err("bluefield:%s: expected a PCI address dddd:bb:dd.f", args);
		return -EINVAL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		return -ENOMEM;
	}
	h->up.class = &dpu_hal_bluefield_class;
	h->fwctl_fd = -1;
	memcpy(h->pci, args, plen);
	h->pci[plen] = '\0';
	dpu_strscpy(h->root, "/sys", sizeof(h->root));
	if (comma != NULL) {
		if (strncmp(comma + 1, "sysfs=", 6) != 0 ||
		    dpu_strscpy(h->root, comma + 7, sizeof(h->root)) < 0) {
			free(h);
			return -EINVAL;
		}
	}
	/* A device with no port of its own on this system is not there. */
	rc = list_ports(h, &names, &n);
	if (rc == 0) {
		free_names(names, n);
		rc = n > 0 ? 0 : -ENODEV;
	}
	if (rc < 0) {
		log_dbg("bluefield:%s: no mlx5 port in %s/class/net", h->pci, h->root);
		free(h);
		return rc == -ENOENT ? -ENODEV : rc;
	}
	*devp = &h->up;
	return 0;
}

/*
 * Port 'port' as the mlx5 PMD probes it: the adapter's first function
 * (dddd:bb:dd.0) and, but for p0 (that function's own uplink), the
 * representor in DPDK's syntax, from the kernel's phys_port_name:
 *   pN      representor=pfN          (the uplink of PF N)
 *   pfN     representor=pfNvf65535   (the host PF: VF "-1" of PF N)
 *   pfNvfM  representor=pfNvfM
 *   pfNsfM  representor=pfNsfM
 */
static int bf_port_attach(struct dpu_dev *dev, const char *port, struct dpu_hal_attach *at)
{
	struct hal_bf *h = bf_cast(dev);
	char ppn[32], pci[16], rep[32] = "";
	enum dpu_port_kind kind;
	unsigned int a, b;
	int n;

	if (netdev_pci(h, port, pci, sizeof(pci)) < 0 || !same_adapter(pci, h->pci) ||
	    read_line(h, ppn, sizeof(ppn), "class/net/%s/phys_port_name", port) < 0 ||
	    kind_of(ppn, &kind) < 0) {
		dpu_dev_set_error(dev, "%s: not a port of %s", port, h->pci);
		return -ENODEV;
	}
	switch (kind) {
	case DPU_PORT_UPLINK:
		sscanf(ppn, "p%u", &a);
		if (a > 0) {
			snprintf(rep, sizeof(rep), "pf%u", a);
		}
		break;
	case DPU_PORT_PF:
		sscanf(ppn, "pf%u", &a);
		snprintf(rep, sizeof(rep), "pf%uvf65535", a);
		break;
	case DPU_PORT_VF:
		sscanf(ppn, "pf%uvf%u", &a, &b);
		snprintf(rep, sizeof(rep), "pf%uvf%u", a, b);
		break;
	case DPU_PORT_SF:
		sscanf(ppn, "pf%usf%u", &a, &b);
		snprintf(rep, sizeof(rep), "pf%usf%u", a, b);
		break;
	}
	dpu_strscpy(at->bus, "pci", sizeof(at->bus));
	n = snprintf(at->name, sizeof(at->name), "%.10s.0", h->pci);
	if (n < 0 || (size_t)n >= sizeof(at->name)) {
		return -ENAMETOOLONG;
	}
	n = snprintf(at->args, sizeof(at->args), "dv_flow_en=1,dv_xmeta_en=1%s%s",
		     rep[0] ? ",representor=" : "", rep);
	if (n < 0 || (size_t)n >= sizeof(at->args)) {
		return -ENAMETOOLONG;
	}
	at->match[0] = '\0';
	if (rep[0] != '\0') {
		n = snprintf(at->match, sizeof(at->match), "%s,representor=%s", at->name, rep);
		if (n < 0 || (size_t)n >= sizeof(at->match)) {
			return -ENAMETOOLONG;
		}
	}
	at->meta_header = false;
	at->rte_steering = true;
	return 0;
}

/* Steering before any port is open here (hal/steer-rte.h takes over then). */
static int bf_no_steering(struct dpu_dev *dev)
{
	dpu_dev_set_error(dev,
			  "%s: steering is rte_flow on the ports this process has open "
			  "(dpu_portio_open): none is",
			  bf_cast(dev)->pci);
	return -EOPNOTSUPP;
}

static int bf_pipe_create(struct dpu_dev *dev, const struct dpu_pipe_attr *attr)
{
	(void)attr;
	return bf_no_steering(dev);
}

static int bf_entry_add(struct dpu_dev *dev, const char *domain, const char *pipe,
			uint32_t priority, const struct dpu_match *match,
			const struct dpu_actions *actions, uint32_t *entry)
{
	(void)domain, (void)pipe, (void)priority, (void)match, (void)actions, (void)entry;
	return bf_no_steering(dev);
}

static void bf_close(struct dpu_dev *dev)
{
	struct hal_bf *h = bf_cast(dev);

	if (h->fwctl_fd >= 0) {
		close(h->fwctl_fd);
	}
	free(h);
}

/* The RDMA device of netdev 'ifname' (device/infiniband/<name>), or "". */
static void netdev_ibdev(const struct hal_bf *h, const char *ifname, char *buf, size_t size)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/class/net/%s/device/infiniband", h->root, ifname);
	d = opendir(path);
	if (d == NULL) {
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.') {
			dpu_strscpy(buf, de->d_name, size);
			break;
		}
	}
	closedir(d);
}

static int bf_info(struct dpu_dev *dev, struct dpu_dev_info *info)
{
	struct hal_bf *h = bf_cast(dev);
	char **names, ib[32] = "";
	size_t n;
	int rc = list_ports(h, &names, &n);

	if (rc < 0) {
		return rc;
	}
	for (size_t i = 0; i < n && ib[0] == '\0'; i++) {
		netdev_ibdev(h, names[i], ib, sizeof(ib));
	}
	free_names(names, n);
	snprintf(info->name, sizeof(info->name), "bluefield:%s", h->pci);
	read_line(h, info->model, sizeof(info->model), "class/dmi/id/product_name");
	read_line(h, info->serial, sizeof(info->serial), "class/dmi/id/product_serial");
	read_line(h, info->part_number, sizeof(info->part_number), "class/dmi/id/product_sku");
	if (ib[0] != '\0') {
		read_line(h, info->firmware, sizeof(info->firmware), "class/infiniband/%s/fw_ver",
			  ib);
		read_line(h, info->psid, sizeof(info->psid), "class/infiniband/%s/board_id", ib);
	}
	/* The mode in force, from the NV configuration (register MNVDA);
	 * where that cannot be read, SMBIOS: the Arm side of a BlueField names
	 * it, a plain NIC's host does not. */
	if (dpu_nv_dpu_mode(dev, info->mode, sizeof(info->mode)) < 0) {
		dev->last_error[0] = '\0';
		dpu_strscpy(info->mode, strstr(info->model, "BlueField") != NULL ? "dpu" : "nic",
			    sizeof(info->mode));
	}
	return 0;
}

static int bf_counter_root(struct dpu_dev *dev, char *buf, size_t size)
{
	return dpu_strscpy(buf, bf_cast(dev)->root, size) < 0 ? -ENAMETOOLONG : 0;
}

static int bf_port_list(struct dpu_dev *dev, struct dpu_port_info *ports, size_t max)
{
	struct hal_bf *h = bf_cast(dev);
	char **names, buf[64];
	size_t n;
	int rc = list_ports(h, &names, &n);

	if (rc < 0) {
		return rc;
	}
	for (size_t i = 0; i < n && i < max; i++) {
		struct dpu_port_info *p = &ports[i];
		unsigned int m[6] = {0};

		memset(p, 0, sizeof(*p));
		dpu_strscpy(p->name, names[i], sizeof(p->name));
		read_line(h, buf, sizeof(buf), "class/net/%s/phys_port_name", names[i]);
		kind_of(buf, &p->kind);
		read_line(h, buf, sizeof(buf), "class/net/%s/address", names[i]);
		sscanf(buf, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
		for (int b = 0; b < 6; b++) {
			p->mac[b] = (uint8_t)m[b];
		}
		netdev_pci(h, names[i], p->pci, sizeof(p->pci));
		netdev_ibdev(h, names[i], p->ibdev, sizeof(p->ibdev));
		if (read_line(h, buf, sizeof(buf), "class/net/%s/speed", names[i]) == 0) {
			long v = strtol(buf, NULL, 10);

			p->speed_mbps = v > 0 ? (uint32_t)v : 0;
		}
		p->link_up =
			read_line(h, buf, sizeof(buf), "class/net/%s/operstate", names[i]) == 0 &&
			strcmp(buf, "up") == 0;
	}
	free_names(names, n);
	return (int)n;
}

static int bf_port_stats(struct dpu_dev *dev, const char *name, struct dpu_port_stats *st)
{
	struct hal_bf *h = bf_cast(dev);
	char pci[16];

	if (strchr(name, '/') != NULL || netdev_pci(h, name, pci, sizeof(pci)) < 0 ||
	    !same_adapter(pci, h->pci)) {
		return -ENODEV;
	}
	read_u64(h, &st->rx_packets, name, "rx_packets");
	read_u64(h, &st->rx_bytes, name, "rx_bytes");
	read_u64(h, &st->rx_dropped, name, "rx_dropped");
	read_u64(h, &st->rx_errors, name, "rx_errors");
	read_u64(h, &st->tx_packets, name, "tx_packets");
	read_u64(h, &st->tx_bytes, name, "tx_bytes");
	read_u64(h, &st->tx_dropped, name, "tx_dropped");
	return 0;
}

static int bf_sensor_list(struct dpu_dev *dev, struct dpu_sensor_info *sensors, size_t max)
{
	struct hal_bf *h = bf_cast(dev);
	size_t n = 0;

	/* hwmon<N>: temp1_* in millidegrees, power1_* in microwatts. */
	for (unsigned int i = 0; i < 256; i++) {
		static const struct {
			const char *prefix;
			enum dpu_sensor_kind kind;
			double scale;
		} kinds[] = {{"temp1", DPU_SENSOR_TEMPERATURE, 1e3},
			     {"power1", DPU_SENSOR_POWER, 1e6}};
		char name[64], buf[32];

		if (read_line(h, name, sizeof(name), "class/hwmon/hwmon%u/name", i) < 0) {
			if (i >= 16) {
				break;
			}
			continue;
		}
		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
			if (read_line(h, buf, sizeof(buf), "class/hwmon/hwmon%u/%s_input", i,
				      kinds[k].prefix) < 0) {
				continue;
			}
			if (n < max) {
				struct dpu_sensor_info *s = &sensors[n];

				memset(s, 0, sizeof(*s));
				dpu_strscpy(s->name, name, sizeof(s->name));
				s->kind = kinds[k].kind;
				s->value = strtod(buf, NULL) / kinds[k].scale;
				s->warn = s->crit = INFINITY;
				if (read_line(h, buf, sizeof(buf), "class/hwmon/hwmon%u/%s_max", i,
					      kinds[k].prefix) == 0) {
					s->warn = strtod(buf, NULL) / kinds[k].scale;
				}
				if (read_line(h, buf, sizeof(buf), "class/hwmon/hwmon%u/%s_crit", i,
					      kinds[k].prefix) == 0) {
					s->crit = strtod(buf, NULL) / kinds[k].scale;
				}
			}
			n++;
		}
	}
	return (int)n;
}

/* ---- the PHC: /dev/ptpN of the first port that has one ---- */

#define BF_CLOCKID(fd) ((clockid_t)((~(unsigned int)(fd) << 3) | 3))

static int bf_phc_open(struct hal_bf *h)
{
	char **names, path[PATH_MAX], dev[64] = "";
	size_t n;
	int rc = list_ports(h, &names, &n), fd;

	if (rc < 0) {
		return rc;
	}
	for (size_t i = 0; i < n && dev[0] == '\0'; i++) {
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "%s/class/net/%s/device/ptp", h->root, names[i]);
		d = opendir(path);
		while (d != NULL && (de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "ptp", 3) == 0 && strlen(de->d_name) < 16) {
				snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
				break;
			}
		}
		if (d != NULL) {
			closedir(d);
		}
	}
	free_names(names, n);
	if (dev[0] == '\0') {
		dpu_dev_set_error(&h->up, "%s: no port with a PTP clock (device/ptp)", h->pci);
		return -ENODEV;
	}
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		dpu_dev_set_error(&h->up, "%s: %s", dev, strerror(-rc));
		return rc == -ENOENT ? -ENODEV : rc;
	}
	return fd;
}

static int bf_phc_read(struct dpu_dev *dev, struct dpu_phc_state *st)
{
	struct ptp_clock_caps caps;
	struct timespec t0, t, t1;
	struct timex tx = {.modes = 0};
	int fd = bf_phc_open(bf_cast(dev)), rc = 0;

	if (fd < 0) {
		return fd;
	}
	/* The system's time halfway between two readings around the PHC's. */
	if (clock_gettime(CLOCK_REALTIME, &t0) < 0 || clock_gettime(BF_CLOCKID(fd), &t) < 0 ||
	    clock_gettime(CLOCK_REALTIME, &t1) < 0 || clock_adjtime(BF_CLOCKID(fd), &tx) < 0) {
		rc = -errno;
	} else {
		int64_t a = (int64_t)t0.tv_sec * 1000000000 + t0.tv_nsec;
		int64_t b = (int64_t)t1.tv_sec * 1000000000 + t1.tv_nsec;

		st->phc_ns = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
		st->sys_ns = a + (b - a) / 2;
		st->freq_ppb = (double)tx.freq * 1000.0 / 65536.0; /* scaled ppm */
		if (ioctl(fd, PTP_CLOCK_GETCAPS, &caps) == 0) {
			st->max_adj_ppb = caps.max_adj;
		}
	}
	close(fd);
	return rc;
}

static int bf_phc_adjust(struct dpu_dev *dev, struct timex *tx)
{
	int fd = bf_phc_open(bf_cast(dev)), rc = 0;

	if (fd < 0) {
		return fd;
	}
	if (clock_adjtime(BF_CLOCKID(fd), tx) < 0) {
		rc = -errno;
	}
	close(fd);
	return rc;
}

static int bf_phc_settime(struct dpu_dev *dev, int64_t phc_ns)
{
	struct timespec ts = {.tv_sec = phc_ns / 1000000000, .tv_nsec = phc_ns % 1000000000};
	int fd = bf_phc_open(bf_cast(dev)), rc = 0;

	if (fd < 0) {
		return fd;
	}
	if (clock_settime(BF_CLOCKID(fd), &ts) < 0) {
		rc = -errno;
	}
	close(fd);
	return rc;
}

static int bf_phc_step(struct dpu_dev *dev, int64_t delta_ns)
{
	struct timex tx = {.modes = ADJ_SETOFFSET | ADJ_NANO};
	int64_t sec = delta_ns / 1000000000, nsec = delta_ns % 1000000000;

	if (nsec < 0) { /* the kernel wants 0 <= tv_usec (ns) < 1e9 */
		sec--;
		nsec += 1000000000;
	}
	tx.time.tv_sec = (time_t)sec;
	tx.time.tv_usec = (suseconds_t)nsec;
	return bf_phc_adjust(dev, &tx);
}

static int bf_phc_adjfreq(struct dpu_dev *dev, double ppb)
{
	struct timex tx = {.modes = ADJ_FREQUENCY};

	tx.freq = (long)llround(ppb * 65536.0 / 1000.0);
	return bf_phc_adjust(dev, &tx);
}

/*
 * Registers through fwctl (include/uapi/fwctl/fwctl.h, Linux 6.15; declared
 * here so that older kernel headers build it): the mlx5_fwctl auxiliary
 * device of the PCI function is <root>/class/fwctl/fwctlN/device, a child of
 * the function's directory; its node /dev/fwctl/fwctlN takes ACCESS_REG
 * mailboxes, reads at the debug-read-only scope, writes at configuration.
 */
struct bf_fwctl_rpc {
	uint32_t size;
	uint32_t scope;
	uint32_t in_len;
	uint32_t out_len;
	uint64_t in;
	uint64_t out;
};
#define BF_FWCTL_TYPE 0x9a
#define BF_FWCTL_RPC _IO(BF_FWCTL_TYPE, 1)
#define BF_FWCTL_SCOPE_CONFIGURATION 0
#define BF_FWCTL_SCOPE_DEBUG_READ_ONLY 1
#define BF_FWCTL_SCOPE_DEBUG_WRITE 2

static int bf_fwctl_open(struct hal_bf *h)
{
	char dir[PATH_MAX / 2 + 16], path[PATH_MAX], real[PATH_MAX], node[64] = "";
	struct dirent *de;
	DIR *d;
	int fd;

	snprintf(dir, sizeof(dir), "%s/class/fwctl", h->root);
	d = opendir(dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		char *slash;

		if (strncmp(de->d_name, "fwctl", 5) != 0 || strlen(de->d_name) > 32) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/device", dir, de->d_name);
		if (realpath(path, real) == NULL || (slash = strrchr(real, '/')) == NULL) {
			continue;
		}
		*slash = '\0'; /* the auxiliary device's parent: the PCI function */
		slash = strrchr(real, '/');
		if (slash != NULL && strcmp(slash + 1, h->pci) == 0) {
			snprintf(node, sizeof(node), "/dev/fwctl/%s", de->d_name);
			break;
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	if (node[0] == '\0') {
		dpu_dev_set_error(&h->up, "%s: no fwctl device in %s (is mlx5_fwctl loaded?)",
				  h->pci, dir);
		return -ENODEV;
	}
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int rc = -errno;

		dpu_dev_set_error(&h->up, "%s: %s", node, strerror(-rc));
		return rc == -ENOENT ? -ENODEV : rc;
	}
	return fd;
}

/* One mailbox through FWCTL_RPC at 'scope'; *out_len becomes the answer's length. */
static int bf_rpc(struct hal_bf *h, uint32_t scope, const void *in, size_t in_len, void *out,
		  size_t *out_len)
{
	struct bf_fwctl_rpc rpc = {.size = sizeof(rpc)};
	int rc;

	if (h->fwctl_fd < 0) {
		rc = bf_fwctl_open(h);
		if (rc < 0) {
			return rc;
		}
		h->fwctl_fd = rc;
	}
	rpc.scope = scope;
	rpc.in_len = (uint32_t)in_len;
	rpc.out_len = (uint32_t)*out_len;
	rpc.in = (uint64_t)(uintptr_t)in;
	rpc.out = (uint64_t)(uintptr_t)out;
	if (ioctl(h->fwctl_fd, BF_FWCTL_RPC, &rpc) < 0) {
		rc = -errno;
		dpu_dev_set_error(&h->up, "%s: command 0x%02x%02x: FWCTL_RPC: %s", h->pci,
				  ((const uint8_t *)in)[0], ((const uint8_t *)in)[1],
				  strerror(-rc));
		return rc == -EBADMSG ? -EPERM : rc;
	}
	*out_len = rpc.out_len;
	return 0;
}

/* Reads of debug data are debug-read-only; setting diagnostic parameters is debug-write. */
static int bf_cmd(struct dpu_dev *dev, const void *in, size_t in_len, void *out, size_t out_len)
{
	const uint8_t *i = in;
	uint16_t opcode = (uint16_t)(i[0] << 8 | i[1]);

	return bf_rpc(bf_cast(dev),
		      opcode == DPU_CMD_SET_DIAGNOSTIC_PARAMS ? BF_FWCTL_SCOPE_DEBUG_WRITE
							      : BF_FWCTL_SCOPE_DEBUG_READ_ONLY,
		      in, in_len, out, &out_len);
}

static int bf_reg_access(struct dpu_dev *dev, uint16_t reg_id, bool write, void *data, size_t len)
{
	struct hal_bf *h = bf_cast(dev);
	uint8_t in[DPU_MLX5_REG_HDR + DPU_REG_MAX], out[DPU_MLX5_REG_HDR + DPU_REG_MAX];
	size_t in_len = dpu_mlx5_access_reg_in(in, sizeof(in), reg_id, write, data, len);
	size_t out_len = in_len;
	uint32_t syndrome;
	uint8_t status;
	int rc;

	memset(out, 0, sizeof(out));
	rc = bf_rpc(h, write ? BF_FWCTL_SCOPE_CONFIGURATION : BF_FWCTL_SCOPE_DEBUG_READ_ONLY, in,
		    in_len, out, &out_len);
	if (rc < 0) {
		return rc;
	}
	rc = dpu_mlx5_access_reg_out(out, out_len, data, len, &status, &syndrome);
	if (rc == -EREMOTEIO) {
		dpu_dev_set_error(dev,
				  "%s: register 0x%04x: firmware status 0x%02x syndrome 0x%08x",
				  h->pci, reg_id, status, syndrome);
	}
	return rc;
}

const struct dpu_hal_class dpu_hal_bluefield_class = {
	.scheme = "bluefield",
	.api_version = DPU_HAL_API_VERSION,
	.open = bf_open,
	.close = bf_close,
	.info = bf_info,
	.counter_root = bf_counter_root,
	.port_list = bf_port_list,
	.port_stats = bf_port_stats,
	.sensor_list = bf_sensor_list,
	.phc_read = bf_phc_read,
	.phc_settime = bf_phc_settime,
	.phc_step = bf_phc_step,
	.phc_adjfreq = bf_phc_adjfreq,
	.reg_access = bf_reg_access,
	.cmd = bf_cmd,
	.port_attach = bf_port_attach,
	.nv_list = dpu_nv_reg_list,
	.nv_set = dpu_nv_reg_set,
	.pipe_create = bf_pipe_create,
	.entry_add = bf_entry_add,
};
