/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vxlan-router: HBN's data path in the eSwitch, set up through the HAL, for
 * tests with Linux's own VXLAN as the peer. The switch terminates a VXLAN
 * tunnel on the uplink and routes between the tenant network behind it and
 * a host behind the host PF:
 *
 *   pipe "vtep" (root, exact on in_port + vni; miss: "default")
 *     uplink, VNI V   -> decap, on to "vrf"
 *     host PF, no VNI -> on to "vrf"
 *   pipe "vrf" (lpm; miss: drop)
 *     HOST-NET    -> src MAC := router, dst MAC := host, TTL - 1, meter,
 *                    out of the host PF
 *     TENANT-NET  -> src MAC := router, dst MAC := tenant gateway, TTL - 1,
 *                    VXLAN encap (uplink MAC/IP -> peer MAC/IP, VNI V),
 *                    out of the uplink
 *
 *   vxlan-router --device URI --uplink P --host-port P --vni V
 *                --local-ip A --remote-ip A --local-mac M --remote-mac M
 *                --router-mac M --host-net CIDR --host-mac M
 *                --tenant-net CIDR --tenant-mac M [--meter CIR:CBS]
 *   (the tunnel's addresses IPv4 or IPv6; the networks routed IPv4)
 *   vxlan-router --device URI --meter-stats ID
 *
 * The first form prints {"meter": id} (0 without --meter); the second
 * {"green": pkts, "yellow": pkts, "red": pkts} of the switch's meter ID.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "dpu/hal-flow.h"

static int fail(struct dpu_dev *dev, const char *what, int rc)
{
	fprintf(stderr, "vxlan-router: %s: %s%s%s\n", what, strerror(-rc),
		dev != NULL && dpu_dev_last_error(dev)[0] ? ": " : "",
		dev != NULL ? dpu_dev_last_error(dev) : "");
	return 1;
}

static int mac(const char *s, uint8_t *m)
{
	unsigned int b[6];
	char tail;

	if (s == NULL || sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
				&tail) != 6) {
		return -EINVAL;
	}
	for (int i = 0; i < 6; i++) {
		m[i] = (uint8_t)b[i];
	}
	return 0;
}

static int ip4(const char *s, uint8_t *a)
{
	return s != NULL && inet_pton(AF_INET, s, a) == 1 ? 0 : -EINVAL;
}

/* An IPv4 or IPv6 address; its family into '*ver'. */
static int ip_any(const char *s, uint8_t *a, uint8_t *ver)
{
	if (ip4(s, a) == 0) {
		*ver = 4;
		return 0;
	}
	*ver = 6;
	return s != NULL && inet_pton(AF_INET6, s, a) == 1 ? 0 : -EINVAL;
}

/* "a.b.c.d/len" into a dst_ip match. */
static int net(const char *s, struct dpu_match *m)
{
	char buf[32], *slash;
	unsigned long len;

	if (s == NULL || dpu_strscpy(buf, s, sizeof(buf)) < 0 ||
	    (slash = strchr(buf, '/')) == NULL) {
		return -EINVAL;
	}
	*slash++ = '\0';
	len = strtoul(slash, NULL, 10);
	if (ip4(buf, m->dst_ip) < 0 || len < 1 || len > 32) {
		return -EINVAL;
	}
	m->fields = DPU_MATCH_DST_IP;
	m->ip_version = 4;
	m->dst_len = (uint8_t)len;
	return 0;
}

enum {
	O_DEVICE = 1,
	O_UPLINK,
	O_HOST_PORT,
	O_VNI,
	O_LOCAL_IP,
	O_REMOTE_IP,
	O_LOCAL_MAC,
	O_REMOTE_MAC,
	O_ROUTER_MAC,
	O_HOST_NET,
	O_HOST_MAC,
	O_TENANT_NET,
	O_TENANT_MAC,
	O_METER,
	O_METER_STATS,
	O_N,
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"device", required_argument, NULL, O_DEVICE},
		{"uplink", required_argument, NULL, O_UPLINK},
		{"host-port", required_argument, NULL, O_HOST_PORT},
		{"vni", required_argument, NULL, O_VNI},
		{"local-ip", required_argument, NULL, O_LOCAL_IP},
		{"remote-ip", required_argument, NULL, O_REMOTE_IP},
		{"local-mac", required_argument, NULL, O_LOCAL_MAC},
		{"remote-mac", required_argument, NULL, O_REMOTE_MAC},
		{"router-mac", required_argument, NULL, O_ROUTER_MAC},
		{"host-net", required_argument, NULL, O_HOST_NET},
		{"host-mac", required_argument, NULL, O_HOST_MAC},
		{"tenant-net", required_argument, NULL, O_TENANT_NET},
		{"tenant-mac", required_argument, NULL, O_TENANT_MAC},
		{"meter", required_argument, NULL, O_METER},
		{"meter-stats", required_argument, NULL, O_METER_STATS},
		{NULL, 0, NULL, 0},
	};
	const char *opt[O_N] = {NULL};
	struct dpu_pipe_attr vtep = {.name = "vtep",
				     .kind = DPU_PIPE_EXACT,
				     .match_fields = DPU_MATCH_IN_PORT | DPU_MATCH_VNI,
				     .root = true};
	struct dpu_pipe_attr vrf = {.name = "vrf", .kind = DPU_PIPE_LPM};
	struct dpu_actions to_default = {.fate = DPU_FATE_PIPE, .pipe = "default"};
	struct dpu_actions to_vrf = {.fate = DPU_FATE_PIPE, .pipe = "vrf"};
	struct dpu_actions decap = {.fate = DPU_FATE_PIPE, .pipe = "vrf", .decap = true};
	struct dpu_actions to_host = {
		.fate = DPU_FATE_PORT, .set = DPU_SET_SRC_MAC | DPU_SET_DST_MAC, .dec_ttl = true};
	struct dpu_actions to_tenant = {.fate = DPU_FATE_PORT,
					.set = DPU_SET_SRC_MAC | DPU_SET_DST_MAC,
					.dec_ttl = true,
					.encap = true};
	struct dpu_match from_uplink = {.fields = DPU_MATCH_IN_PORT | DPU_MATCH_VNI};
	struct dpu_match from_host = {.fields = DPU_MATCH_IN_PORT | DPU_MATCH_VNI};
	struct dpu_match host_net = {0}, tenant_net = {0};
	struct dpu_dev *dev = NULL;
	uint32_t id, meter = 0;
	unsigned long cir = 0, cbs = 0;
	uint8_t remote_ver = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c <= 0 || c >= O_N) {
			return 2;
		}
		opt[c] = optarg;
	}
	if (opt[O_DEVICE] == NULL) {
		fprintf(stderr, "vxlan-router: --device URI is required\n");
		return 2;
	}
	rc = dpu_dev_open(opt[O_DEVICE], &dev);
	if (rc < 0) {
		return fail(NULL, opt[O_DEVICE], rc);
	}
	if (opt[O_METER_STATS] != NULL) {
		uint64_t pk[3], by[3];

		rc = dpu_meter_stats(dev, NULL, (uint32_t)strtoul(opt[O_METER_STATS], NULL, 10), pk,
				     by);
		if (rc < 0) {
			return fail(dev, "meter stats", rc);
		}
		printf("{\"green\": %llu, \"yellow\": %llu, \"red\": %llu}\n",
		       (unsigned long long)pk[0], (unsigned long long)pk[1],
		       (unsigned long long)pk[2]);
		dpu_dev_close(dev);
		return 0;
	}
	if (opt[O_UPLINK] == NULL || opt[O_HOST_PORT] == NULL || opt[O_VNI] == NULL ||
	    ip_any(opt[O_LOCAL_IP], to_tenant.vxlan.src_ip, &to_tenant.vxlan.ip_version) < 0 ||
	    ip_any(opt[O_REMOTE_IP], to_tenant.vxlan.dst_ip, &remote_ver) < 0 ||
	    remote_ver != to_tenant.vxlan.ip_version ||
	    mac(opt[O_LOCAL_MAC], to_tenant.vxlan.src_mac) < 0 ||
	    mac(opt[O_REMOTE_MAC], to_tenant.vxlan.dst_mac) < 0 ||
	    mac(opt[O_ROUTER_MAC], to_host.set_src_mac) < 0 ||
	    mac(opt[O_ROUTER_MAC], to_tenant.set_src_mac) < 0 ||
	    mac(opt[O_HOST_MAC], to_host.set_dst_mac) < 0 ||
	    mac(opt[O_TENANT_MAC], to_tenant.set_dst_mac) < 0 ||
	    net(opt[O_HOST_NET], &host_net) < 0 || net(opt[O_TENANT_NET], &tenant_net) < 0 ||
	    (opt[O_METER] != NULL && sscanf(opt[O_METER], "%lu:%lu", &cir, &cbs) != 2)) {
		fprintf(stderr, "vxlan-router: missing or bad arguments\n");
		return 2;
	}
	to_tenant.vxlan.vni = (uint32_t)strtoul(opt[O_VNI], NULL, 10);
	dpu_strscpy(from_uplink.in_port, opt[O_UPLINK], sizeof(from_uplink.in_port));
	from_uplink.vni = to_tenant.vxlan.vni;
	dpu_strscpy(from_host.in_port, opt[O_HOST_PORT], sizeof(from_host.in_port));
	dpu_strscpy(to_host.port, opt[O_HOST_PORT], sizeof(to_host.port));
	dpu_strscpy(to_tenant.port, opt[O_UPLINK], sizeof(to_tenant.port));
	if (cir != 0) {
		rc = dpu_meter_create(dev, NULL, cir, cbs, 0, &meter);
		if (rc < 0) {
			return fail(dev, "meter", rc);
		}
		to_host.meter = meter;
	}
	vrf.miss = NULL; /* drop */
	vtep.miss = &to_default;
	if ((rc = dpu_pipe_create(dev, &vrf)) < 0 || (rc = dpu_pipe_create(dev, &vtep)) < 0) {
		return fail(dev, "pipes", rc);
	}
	if ((rc = dpu_pipe_entry_add(dev, NULL, "vtep", 0, &from_uplink, &decap, &id)) < 0 ||
	    (rc = dpu_pipe_entry_add(dev, NULL, "vtep", 0, &from_host, &to_vrf, &id)) < 0 ||
	    (rc = dpu_pipe_entry_add(dev, NULL, "vrf", 0, &host_net, &to_host, &id)) < 0 ||
	    (rc = dpu_pipe_entry_add(dev, NULL, "vrf", 0, &tenant_net, &to_tenant, &id)) < 0) {
		return fail(dev, "entries", rc);
	}
	printf("{\"meter\": %u}\n", meter);
	dpu_dev_close(dev);
	return 0;
}
