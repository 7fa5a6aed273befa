/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DPU_LOG_MODULE "dts-sysfs"
#include "common/log.h"
#include "telemetry/sysfs.h"

/* Read a small file into 'buf' (NUL-ended, trailing newline cut). */
static int read_small(const char *path, char *buf, size_t size, struct dts_sysfs_stats *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		st->files_failed++;
		return -errno;
	}
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0) {
		st->files_failed++;
		return -EIO;
	}
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) {
		buf[--n] = '\0';
	}
	st->files_read++;
	return 0;
}

static int read_u64(const char *path, uint64_t *v, struct dts_sysfs_stats *st)
{
	char buf[64], *end;

	if (read_small(path, buf, sizeof(buf), st) < 0) {
		return -EIO;
	}
	errno = 0;
	*v = strtoull(buf, &end, 0);
	if (errno != 0 || end == buf) {
		st->files_failed++;
		return -EINVAL;
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of 'dir', sorted; the caller frees with free_list(). */
static int list_files(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0;

	*names = NULL;
	*n = 0;
	if (d == NULL) {
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		char **nv;

		if (de->d_name[0] == '.' || de->d_type == DT_DIR) {
			continue;
		}
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (nv == NULL || (nv[cnt] = strdup(de->d_name)) == NULL) {
			v = nv != NULL ? nv : v;
			for (size_t i = 0; i < cnt; i++) {
				free(v[i]);
			}
			free(v);
			closedir(d);
			return -ENOMEM;
		}
		v = nv;
		cnt++;
	}
	closedir(d);
	if (cnt > 1) {
		qsort(v, cnt, sizeof(*v), name_cmp);
	}
	*names = v;
	*n = cnt;
	return 0;
}

static void free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
}

static int collect_eth(const char *root, const struct dpu_port_info *ports, size_t n_ports,
		       struct dts_snapshot *snap, struct dts_sysfs_stats *st)
{
	for (size_t p = 0; p < n_ports; p++) {
		char dir[PATH_MAX], path[PATH_MAX + 64], family[96], dname[128];
		char **files;
		size_t n;

		snprintf(dir, sizeof(dir), "%s/class/net/%s/statistics", root, ports[p].name);
		if (list_files(dir, &files, &n) < 0) {
			st->files_failed++;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			struct dts_series *s;
			uint64_t v;

			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			if (read_u64(path, &v, st) < 0) {
				continue;
			}
			snprintf(family, sizeof(family), "dts_eth_%s", files[i]);
			snprintf(dname, sizeof(dname), "%s:%s", ports[p].name, files[i]);
			s = dts_snapshot_add(snap, family, "netdev statistics counter (sysfs.eth)",
					     DTS_COUNTER, dname, "sysfs.eth", 1, "device",
					     ports[p].name);
			if (s == NULL) {
				free_list(files, n);
				return -ENOMEM;
			}
			s->u = v;
		}
		free_list(files, n);
	}
	return 0;
}

/* The RDMA devices of the ports, each once. */
static size_t distinct_hcas(const struct dpu_port_info *ports, size_t n_ports, const char *hcas[],
			    size_t max)
{
	size_t n = 0;

	for (size_t p = 0; p < n_ports; p++) {
		bool seen = ports[p].ibdev[0] == '\0';

		for (size_t i = 0; i < n && !seen; i++) {
			seen = strcmp(hcas[i], ports[p].ibdev) == 0;
		}
		if (!seen && n < max) {
			hcas[n++] = ports[p].ibdev;
		}
	}
	return n;
}

static int collect_ib_dir(const char *dir, const char *hca, const char *port, bool hw,
			  struct dts_snapshot *snap, struct dts_sysfs_stats *st)
{
	char path[PATH_MAX + 64], family[96], dname[160];
	char **files;
	size_t n;

	if (list_files(dir, &files, &n) < 0) {
		return 0; /* a port without hw_counters, say */
	}
	for (size_t i = 0; i < n; i++) {
		struct dts_series *s;
		uint64_t v;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (read_u64(path, &v, st) < 0) {
			continue;
		}
		snprintf(family, sizeof(family), "dts_ib_%s_%s", hw ? "hw" : "port", files[i]);
		snprintf(dname, sizeof(dname), "%s:%s:%s%s", hca, port, hw ? "hw_" : "", files[i]);
		s = dts_snapshot_add(snap, family,
				     hw ? "RDMA hardware counter (sysfs.hw_port)"
					: "InfiniBand port counter (sysfs.ib_port)",
				     DTS_COUNTER, dname, hw ? "sysfs.hw_port" : "sysfs.ib_port", 2,
				     "hca", hca, "port", port);
		if (s == NULL) {
			free_list(files, n);
			return -ENOMEM;
		}
		s->u = v;
	}
	free_list(files, n);
	return 0;
}

static int collect_ib(const char *root, const struct dpu_port_info *ports, size_t n_ports,
		      bool ib_port, bool hw_port, struct dts_snapshot *snap,
		      struct dts_sysfs_stats *st)
{
	const char *hcas[64];
	size_t n_hca = distinct_hcas(ports, n_ports, hcas, ARRAY_SIZE(hcas));

	for (size_t h = 0; h < n_hca; h++) {
		char dir[PATH_MAX], sub[PATH_MAX + 64], state[64], dname[128], pn[16];
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/class/infiniband/%s/ports", root, hcas[h]);
		d = opendir(dir);
		if (d == NULL) {
			st->files_failed++;
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			struct dts_series *s;
			int rc = 0;

			if (de->d_name[0] == '.' || strlen(de->d_name) > 15) {
				continue;
			}
			dpu_strscpy(pn, de->d_name, sizeof(pn));
			/* "4: ACTIVE"; counters are read for active ports only, as DTS does. */
			snprintf(sub, sizeof(sub), "%s/%s/state", dir, pn);
			if (read_small(sub, state, sizeof(state), st) < 0) {
				continue;
			}
			if (ib_port) {
				snprintf(dname, sizeof(dname), "%.63s:%s:ib_port_state", hcas[h],
					 pn);
				s = dts_snapshot_add(snap, "dts_ib_port_state",
						     "port state (4 = ACTIVE)", DTS_GAUGE, dname,
						     "sysfs.ib_port", 2, "hca", hcas[h], "port",
						     pn);
				if (s == NULL) {
					closedir(d);
					return -ENOMEM;
				}
				s->d = strtod(state, NULL);
			}
			if (strstr(state, "ACTIVE") == NULL) {
				continue;
			}
			if (ib_port) {
				snprintf(sub, sizeof(sub), "%s/%s/counters", dir, pn);
				rc = collect_ib_dir(sub, hcas[h], pn, false, snap, st);
			}
			if (rc == 0 && hw_port) {
				snprintf(sub, sizeof(sub), "%s/%s/hw_counters", dir, pn);
				rc = collect_ib_dir(sub, hcas[h], pn, true, snap, st);
			}
			if (rc < 0) {
				closedir(d);
				return rc;
			}
		}
		closedir(d);
	}
	return 0;
}

static int collect_hwmon(const char *root, struct dts_snapshot *snap, struct dts_sysfs_stats *st)
{
	static const struct {
		const char *prefix, *family, *help;
		double scale;
	} kinds[] = {
		{"temp", "dts_hwmon_temp_celsius", "temperature (sysfs.hwmon)", 1000.0},
		{"power", "dts_hwmon_power_watts", "power (sysfs.hwmon)", 1000000.0},
	};
	static const char *const what[] = {"input", "max", "crit"};
	char dir[PATH_MAX], path[PATH_MAX + 64], chip[64], family[96], dname[160];

	for (unsigned int i = 0; i < 64; i++) {
		snprintf(dir, sizeof(dir), "%s/class/hwmon/hwmon%u", root, i);
		snprintf(path, sizeof(path), "%s/name", dir);
		if (access(path, F_OK) != 0) {
			break; /* the end of the hwmon list */
		}
		if (read_small(path, chip, sizeof(chip), st) < 0) {
			continue;
		}
		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
			for (unsigned int j = 1; j < 16; j++) {
				char sensor[16];

				snprintf(sensor, sizeof(sensor), "%s%u", kinds[k].prefix, j);
				for (size_t w = 0; w < ARRAY_SIZE(what); w++) {
					struct dts_series *s;
					uint64_t v;

					snprintf(path, sizeof(path), "%s/%s_%s", dir, sensor,
						 what[w]);
					if (access(path, R_OK) != 0 || read_u64(path, &v, st) < 0) {
						continue;
					}
					if (w == 0) {
						snprintf(family, sizeof(family), "%s",
							 kinds[k].family);
					} else {
						snprintf(family, sizeof(family), "%.60s_%s",
							 kinds[k].family, what[w]);
					}
					snprintf(dname, sizeof(dname), "%s:%s_%s", chip, sensor,
						 what[w]);
					s = dts_snapshot_add(snap, family, kinds[k].help, DTS_GAUGE,
							     dname, "sysfs.hwmon", 2, "chip", chip,
							     "sensor", sensor);
					if (s == NULL) {
						return -ENOMEM;
					}
					s->d = (double)v / kinds[k].scale;
				}
			}
		}
	}
	return 0;
}

int dts_sysfs_collect(const char *root, const struct dpu_port_info *ports, size_t n_ports,
		      const struct dts_config *cfg, struct dts_snapshot *snap,
		      struct dts_sysfs_stats *st)
{
	bool ib_port = dts_config_wants(cfg, "sysfs", "ib_port", true);
	bool hw_port = dts_config_wants(cfg, "sysfs", "hw_port", true);
	int rc = 0;

	if (dts_config_wants(cfg, "sysfs", "eth", true)) {
		rc = collect_eth(root, ports, n_ports, snap, st);
	}
	if (rc == 0 && (ib_port || hw_port)) {
		rc = collect_ib(root, ports, n_ports, ib_port, hw_port, snap, st);
	}
	if (rc == 0 && dts_config_wants(cfg, "sysfs", "hwmon", true)) {
		rc = collect_hwmon(root, snap, st);
	}
	if (dts_config_wants(cfg, "sysfs", "mr_cache", true) && !st->warned_mr_cache) {
		log_info("sysfs.mr_cache: no MR cache statistics under %s; not collected", root);
		st->warned_mr_cache = true;
	}
	if (dts_config_wants(cfg, "sysfs", "bf_ptm", false) && !st->warned_bf_ptm) {
		log_warn("sysfs.bf_ptm: the BlueField power/thermal module is not in %s; "
			 "not collected",
			 root);
		st->warned_bf_ptm = true;
	}
	return rc;
}

/* ---------------------------------------------------------------- ifconfig */

static int add_gauge(struct dts_snapshot *snap, const char *ifname, const char *what,
		     const char *help, double v)
{
	char family[64], dname[128];
	struct dts_series *s;

	snprintf(family, sizeof(family), "dts_ifconfig_%s", what);
	snprintf(dname, sizeof(dname), "%s:%s", ifname, what);
	s = dts_snapshot_add(snap, family, help, DTS_GAUGE, dname, "ifconfig", 1, "device", ifname);
	if (s == NULL) {
		return -ENOMEM;
	}
	s->d = v;
	return 0;
}

int dts_ifconfig_collect(const char *sysroot, const struct dts_config *cfg,
			 struct dts_snapshot *snap, struct dts_sysfs_stats *st)
{
	static const char *const counters[] = {
		"rx_packets", "rx_bytes",  "rx_errors",	 "rx_dropped", "tx_packets",
		"tx_bytes",   "tx_errors", "tx_dropped", "multicast",  "collisions",
	};
	char dir[PATH_MAX], path[PATH_MAX + 128], buf[64];
	char **ifs;
	size_t n;
	int rc = 0;

	if (!dts_config_provider_enabled(cfg, "ifconfig")) {
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/class/net", sysroot);
	if (list_files(dir, &ifs, &n) < 0) {
		st->files_failed++;
		return 0;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		uint64_t v, flags = 0;

		for (size_t c = 0; rc == 0 && c < ARRAY_SIZE(counters); c++) {
			char family[64], dname[128];
			struct dts_series *s;

			snprintf(path, sizeof(path), "%s/%s/statistics/%s", dir, ifs[i],
				 counters[c]);
			if (read_u64(path, &v, st) < 0) {
				continue;
			}
			snprintf(family, sizeof(family), "dts_ifconfig_%s", counters[c]);
			snprintf(dname, sizeof(dname), "%s:%s", ifs[i], counters[c]);
			s = dts_snapshot_add(snap, family, "interface counter (ifconfig)",
					     DTS_COUNTER, dname, "ifconfig", 1, "device", ifs[i]);
			if (s == NULL) {
				rc = -ENOMEM;
				break;
			}
			s->u = v;
		}
		snprintf(path, sizeof(path), "%s/%s/mtu", dir, ifs[i]);
		if (rc == 0 && read_u64(path, &v, st) == 0) {
			rc = add_gauge(snap, ifs[i], "mtu", "interface MTU, bytes (ifconfig)",
				       (double)v);
		}
		/*
		 * UP is IFF_UP of the flags file; RUNNING, as ifconfig shows it, is
		 * not stored there: the kernel derives it from the operational
		 * state (up, or unknown for links without one, such as lo).
		 */
		snprintf(path, sizeof(path), "%s/%s/flags", dir, ifs[i]);
		if (rc == 0 && read_u64(path, &flags, st) == 0) {
			bool running = false;

			snprintf(path, sizeof(path), "%s/%s/operstate", dir, ifs[i]);
			if ((flags & 0x1) && read_small(path, buf, sizeof(buf), st) == 0) {
				running = strcmp(buf, "up") == 0 || strcmp(buf, "unknown") == 0;
			}
			rc = add_gauge(snap, ifs[i], "up", "1 when the interface is up (ifconfig)",
				       (flags & 0x1) ? 1 : 0);
			if (rc == 0) {
				rc = add_gauge(
					snap, ifs[i], "running",
					"1 when the interface is up and operational (ifconfig)",
					running ? 1 : 0);
			}
		}
		/* The carrier file cannot be read while the interface is down. */
		snprintf(path, sizeof(path), "%s/%s/carrier", dir, ifs[i]);
		if (rc == 0 && (flags & 0x1) && read_small(path, buf, sizeof(buf), st) == 0) {
			rc = add_gauge(snap, ifs[i], "carrier",
				       "1 when the link has a carrier (ifconfig)",
				       strcmp(buf, "1") == 0 ? 1 : 0);
		}
	}
	free_list(ifs, n);
	return rc;
}
