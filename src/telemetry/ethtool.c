/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "telemetry/ethtool.h"

/* More than any driver has (mlx5 has a few thousand with many queues). */
#define MAX_STATS 16384

static int ethtool_ioctl(int fd, const char *ifname, void *data, struct dts_ethtool_stats *st)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	dpu_strscpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	ifr.ifr_data = data;
	st->ioctls++;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		st->ioctls_failed++;
		return -errno;
	}
	return 0;
}

/* How many statistics the driver has; 0 when none (or it will not say). */
static uint32_t n_stats(int fd, const char *ifname, struct dts_ethtool_stats *st)
{
	/* The header and room for the one count asked for (its data[]). */
	union {
		struct ethtool_sset_info hdr;
		uint8_t raw[sizeof(struct ethtool_sset_info) + sizeof(uint32_t)];
	} info;
	uint32_t len;

	memset(&info, 0, sizeof(info));
	info.hdr.cmd = ETHTOOL_GSSET_INFO;
	info.hdr.sset_mask = 1ull << ETH_SS_STATS;
	if (ethtool_ioctl(fd, ifname, &info, st) < 0 ||
	    !(info.hdr.sset_mask & (1ull << ETH_SS_STATS))) {
		return 0;
	}
	memcpy(&len, info.raw + sizeof(info.hdr), sizeof(len));
	return len <= MAX_STATS ? len : 0;
}

static int collect_one(int fd, const char *ifname, struct dts_snapshot *snap,
		       struct dts_ethtool_stats *st)
{
	uint32_t n = n_stats(fd, ifname, st);
	struct ethtool_gstrings *names = NULL;
	struct ethtool_stats *vals = NULL;
	int rc = 0;

	if (n == 0) {
		return 0;
	}
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	vals = calloc(1, sizeof(*vals) + (size_t)n * sizeof(uint64_t));
	if (names == NULL || vals == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = n;
	vals->cmd = ETHTOOL_GSTATS;
	vals->n_stats = n;
	/* The count may change between the calls (a queue added): take the smaller. */
	if (ethtool_ioctl(fd, ifname, names, st) < 0 || ethtool_ioctl(fd, ifname, vals, st) < 0) {
		goto out;
	}
	n = DPU_MIN(n, DPU_MIN(names->len, vals->n_stats));
	for (uint32_t i = 0; i < n; i++) {
		char stat[ETH_GSTRING_LEN + 1], family[96], dname[128];
		const char *s = (const char *)names->data + (size_t)i * ETH_GSTRING_LEN;
		struct dts_series *ser;
		bool dup = false;

		memcpy(stat, s, ETH_GSTRING_LEN);
		stat[ETH_GSTRING_LEN] = '\0';
		if (stat[0] == '\0') {
			continue;
		}
		for (uint32_t j = 0; j < i && !dup; j++) {
			dup = strncmp(s, (const char *)names->data + (size_t)j * ETH_GSTRING_LEN,
				      ETH_GSTRING_LEN) == 0;
		}
		if (dup) {
			continue;
		}
		snprintf(family, sizeof(family), "dts_ethtool_%s", stat);
		snprintf(dname, sizeof(dname), "%s:%s", ifname, stat);
		ser = dts_snapshot_add(snap, family, "driver statistic (ethtool -S)", DTS_GAUGE,
				       dname, "ethtool", 1, "device", ifname);
		if (ser == NULL) {
			rc = -ENOMEM;
			break;
		}
		ser->d = (double)vals->data[i];
	}
out:
	free(names);
	free(vals);
	return rc;
}

int dts_ethtool_collect(const struct dts_config *cfg, struct dts_snapshot *snap,
			struct dts_ethtool_stats *st)
{
	struct if_nameindex *ifs;
	int fd, rc = 0;

	if (!dts_config_provider_enabled(cfg, "ethtool")) {
		return 0;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return 0;
	}
	ifs = if_nameindex();
	for (struct if_nameindex *i = ifs; rc == 0 && i != NULL && i->if_index != 0; i++) {
		rc = collect_one(fd, i->if_name, snap, st);
	}
	if (ifs != NULL) {
		if_freenameindex(ifs);
	}
	close(fd);
	return rc;
}
