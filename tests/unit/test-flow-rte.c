/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HAL's steering as rte_flow rules (hal/flow-rte.h): the items and
 * actions of each entry, field by field; port ranges as masked blocks
 * against a brute-force check of every port; refusals by name; and the
 * ingress rules DPDK's net_tap PMD can take, checked by its own
 * rte_flow_validate() on a tap port this test creates.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_ethdev.h>
#include <rte_flow.h>

#include "common/dpdk.h"
#include "hal/flow-rte.h"

static int port_id(void *arg, const char *port, uint16_t *id)
{
	static const char *const names[] = {"p0", "p1", "pf0hpf", "pf0vf0"};

	(void)arg;
	for (uint16_t i = 0; i < 4; i++) {
		if (strcmp(port, names[i]) == 0) {
			*id = (uint16_t)(10 + i);
			return 0;
		}
	}
	return -ENODEV;
}

static int group(void *arg, const char *domain, const char *pipe, uint32_t *g)
{
	(void)arg;
	(void)domain;
	if (strcmp(pipe, "acl") == 0) {
		*g = 7;
		return 0;
	}
	return -ENOENT;
}

static const struct dpu_rte_ctx ctx = {.port_id = port_id, .group = group, .rss_queues = 4};

static void types(const struct dpu_rte_flow *f, const enum rte_flow_item_type *items, size_t ni,
		  const enum rte_flow_action_type *acts, size_t na)
{
	for (size_t i = 0; i < ni; i++) {
		assert_int_equal(f->pattern[i].type, items[i]);
	}
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(f->actions[i].type, acts[i]);
	}
}

static void test_port_blocks(void **state)
{
	uint16_t v[DPU_RTE_BLOCKS], k[DPU_RTE_BLOCKS];
	static uint8_t covered[65536];
	unsigned int seed = 20261126, n;

	(void)state;
	assert_int_equal(dpu_rte_port_blocks(0, 65535, v, k), 1);
	assert_int_equal(k[0], 0);
	assert_int_equal(dpu_rte_port_blocks(80, 0, v, k), 1); /* hi < lo: lo alone */
	assert_int_equal(v[0], 80);
	assert_int_equal(k[0], 0xffff);
	assert_int_equal(dpu_rte_port_blocks(1024, 65535, v, k), 6);
	assert_int_equal(dpu_rte_port_blocks(1, 65534, v, k), 30);
	/* Random ranges: the blocks match exactly lo..hi, each port once. */
	for (int t = 0; t < 300; t++) {
		uint16_t lo = (uint16_t)rand_r(&seed), hi = (uint16_t)rand_r(&seed);

		if (t % 3 == 0) {
			hi = (uint16_t)(lo + rand_r(&seed) % 64);
			hi = hi < lo ? 65535 : hi;
		}
		if (hi < lo) {
			uint16_t x = lo;

			lo = hi;
			hi = x;
		}
		n = dpu_rte_port_blocks(lo, hi, v, k);
		assert_in_range(n, 1, DPU_RTE_BLOCKS);
		memset(covered, 0, sizeof(covered));
		for (unsigned int i = 0; i < n; i++) {
			assert_int_equal(v[i] & (uint16_t)~k[i], 0);
			for (uint32_t p = 0; p < 65536; p++) {
				if ((p & k[i]) == v[i]) {
					covered[p]++;
				}
			}
		}
		for (uint32_t p = 0; p < 65536; p++) {
			assert_int_equal(covered[p], p >= lo && p <= hi ? 1 : 0);
		}
	}
}

static void test_switch_entry(void **state)
{
	struct dpu_match m = {
		.fields = DPU_MATCH_IN_PORT | DPU_MATCH_SRC_MAC | DPU_MATCH_VLAN |
			  DPU_MATCH_ETH_TYPE | DPU_MATCH_SRC_IP | DPU_MATCH_DST_IP |
			  DPU_MATCH_IP_PROTO | DPU_MATCH_SRC_PORT | DPU_MATCH_DST_PORT,
		.in_port = "pf0vf0",
		.src_mac = {0x02, 0, 0, 0, 0, 1},
		.vlan = 100,
		.eth_type = 0x0800,
		.src_ip = {10, 1, 2, 99},
		.src_len = 24,
		.dst_ip = {192, 0, 2, 1},
		.ip_proto = 6,
		.sport_lo = 1024,
		.sport_hi = 2047,
		.dport_lo = 443,
	};
	struct dpu_actions a = {
		.fate = DPU_FATE_PORT,
		.port = "p0",
		.set_mark = true,
		.mark = 0xabcde,
		.mirror = "p1",
		.meter = 3,
		.set = DPU_SET_DST_MAC | DPU_SET_SRC_IP | DPU_SET_DST_PORT,
		.set_dst_mac = {0x02, 0, 0, 0, 0, 0xee},
		.set_src_ip = {198, 51, 100, 7},
		.set_dst_port = 8443,
		.dec_ttl = true,
		.encap = true,
		.vxlan = {.src_mac = {2, 0, 0, 0, 0, 0xa},
			  .dst_mac = {2, 0, 0, 0, 0, 0xb},
			  .ip_version = 4,
			  .src_ip = {172, 16, 0, 1},
			  .dst_ip = {172, 16, 0, 2},
			  .vni = 5000},
	};
	static const enum rte_flow_item_type items[] = {RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT,
							RTE_FLOW_ITEM_TYPE_ETH,
							RTE_FLOW_ITEM_TYPE_VLAN,
							RTE_FLOW_ITEM_TYPE_IPV4,
							RTE_FLOW_ITEM_TYPE_TCP,
							RTE_FLOW_ITEM_TYPE_END};
	static const enum rte_flow_action_type acts[] = {
		RTE_FLOW_ACTION_TYPE_SET_MAC_DST, RTE_FLOW_ACTION_TYPE_SET_IPV4_SRC,
		RTE_FLOW_ACTION_TYPE_SET_TP_DST,  RTE_FLOW_ACTION_TYPE_DEC_TTL,
		RTE_FLOW_ACTION_TYPE_VXLAN_ENCAP, RTE_FLOW_ACTION_TYPE_MARK,
		RTE_FLOW_ACTION_TYPE_METER,	  RTE_FLOW_ACTION_TYPE_COUNT,
		RTE_FLOW_ACTION_TYPE_SAMPLE,	  RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT,
		RTE_FLOW_ACTION_TYPE_END};
	struct dpu_rte_flow *f = malloc(sizeof(*f));
	const struct rte_flow_item_ipv4 *ip, *ipm;
	const struct rte_flow_item_tcp *tcp, *tcpm;
	const struct rte_flow_action_vxlan_encap *encap;
	const struct rte_flow_action_sample *sample;
	const uint8_t *b;
	char err[128];

	(void)state;
	assert_non_null(f);
	assert_int_equal(dpu_rte_flow_build(&ctx, NULL, 2, 5, &m, &a, f, err, sizeof(err)), 0);
	assert_true(f->attr.transfer);
	assert_false(f->attr.ingress);
	assert_int_equal(f->attr.group, 2);
	assert_int_equal(f->attr.priority, 5);
	types(f, items, 6, acts, 11);
	assert_int_equal(((const struct rte_flow_item_ethdev *)f->pattern[0].spec)->port_id, 13);
	/* The VLAN item carries the EtherType. */
	assert_int_equal(f->m.eth_mask.hdr.ether_type, 0);
	assert_int_equal(rte_be_to_cpu_16(f->m.vlan.hdr.vlan_tci), 100);
	assert_int_equal(rte_be_to_cpu_16(f->m.vlan.hdr.eth_proto), 0x0800);
	assert_memory_equal(f->m.eth.hdr.src_addr.addr_bytes, m.src_mac, 6);
	ip = f->pattern[3].spec;
	ipm = f->pattern[3].mask;
	b = (const uint8_t *)&ip->hdr.src_addr;
	assert_memory_equal(b, ((const uint8_t[]){10, 1, 2, 0}), 4); /* the /24's network */
	b = (const uint8_t *)&ipm->hdr.src_addr;
	assert_memory_equal(b, ((const uint8_t[]){255, 255, 255, 0}), 4);
	b = (const uint8_t *)&ipm->hdr.dst_addr;
	assert_memory_equal(b, ((const uint8_t[]){255, 255, 255, 255}), 4);
	assert_int_equal(ip->hdr.next_proto_id, 6);
	tcp = f->pattern[4].spec;
	tcpm = f->pattern[4].mask;
	assert_int_equal(rte_be_to_cpu_16(tcp->hdr.src_port), 1024);
	assert_int_equal(rte_be_to_cpu_16(tcpm->hdr.src_port), 0xfc00); /* 1024-2047 */
	assert_int_equal(rte_be_to_cpu_16(tcp->hdr.dst_port), 443);
	assert_int_equal(rte_be_to_cpu_16(tcpm->hdr.dst_port), 0xffff);
	/* Actions' configurations. */
	assert_int_equal(
		rte_be_to_cpu_16(((const struct rte_flow_action_set_tp *)f->actions[2].conf)->port),
		8443);
	encap = f->actions[4].conf;
	assert_int_equal(encap->definition[0].type, RTE_FLOW_ITEM_TYPE_ETH);
	assert_int_equal(encap->definition[1].type, RTE_FLOW_ITEM_TYPE_IPV4);
	assert_int_equal(encap->definition[2].type, RTE_FLOW_ITEM_TYPE_UDP);
	assert_int_equal(encap->definition[3].type, RTE_FLOW_ITEM_TYPE_VXLAN);
	assert_int_equal(encap->definition[4].type, RTE_FLOW_ITEM_TYPE_END);
	assert_int_equal(rte_be_to_cpu_32(f->a.encap_vxlan.hdr.vx_vni) >> 8, 5000);
	assert_int_equal(rte_be_to_cpu_16(f->a.encap_udp.hdr.dst_port), 4789);
	assert_int_equal(f->a.encap_ip4.hdr.time_to_live, 64);
	assert_int_equal(((const struct rte_flow_action_mark *)f->actions[5].conf)->id, 0xabcde);
	assert_int_equal(((const struct rte_flow_action_meter *)f->actions[6].conf)->mtr_id, 3);
	sample = f->actions[8].conf;
	assert_int_equal(sample->ratio, 1);
	assert_int_equal(sample->actions[0].type, RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT);
	assert_int_equal(((const struct rte_flow_action_ethdev *)sample->actions[0].conf)->port_id,
			 11);
	assert_int_equal(((const struct rte_flow_action_ethdev *)f->actions[9].conf)->port_id, 10);
	free(f);
}

static void test_vxlan_inner_and_ingress(void **state)
{
	struct dpu_match m = {
		.fields = DPU_MATCH_VNI | DPU_MATCH_INNER_DST_MAC | DPU_MATCH_INNER_SRC_IP |
			  DPU_MATCH_INNER_IP_PROTO | DPU_MATCH_INNER_DST_PORT,
		.vni = 0x123456,
		.inner = {.dst_mac = {2, 0, 0, 0, 0, 9},
			  .ip_version = 6,
			  .src_ip = {0x20, 0x01, 0x0d, 0xb8, [15] = 1},
			  .ip_proto = 17,
			  .dport = 53},
	};
	struct dpu_actions a = {.fate = DPU_FATE_PIPE, .pipe = "acl", .decap = true};
	static const enum rte_flow_item_type items[] = {
		RTE_FLOW_ITEM_TYPE_ETH,	  RTE_FLOW_ITEM_TYPE_IPV4, RTE_FLOW_ITEM_TYPE_UDP,
		RTE_FLOW_ITEM_TYPE_VXLAN, RTE_FLOW_ITEM_TYPE_ETH,  RTE_FLOW_ITEM_TYPE_IPV6,
		RTE_FLOW_ITEM_TYPE_UDP,	  RTE_FLOW_ITEM_TYPE_END};
	static const enum rte_flow_action_type acts[] = {
		RTE_FLOW_ACTION_TYPE_VXLAN_DECAP, RTE_FLOW_ACTION_TYPE_COUNT,
		RTE_FLOW_ACTION_TYPE_JUMP, RTE_FLOW_ACTION_TYPE_END};
	struct dpu_rte_flow *f = malloc(sizeof(*f));
	const struct rte_flow_action_rss *rss;
	char err[128];

	(void)state;
	assert_non_null(f);
	assert_int_equal(dpu_rte_flow_build(&ctx, NULL, 1, 0, &m, &a, f, err, sizeof(err)), 0);
	types(f, items, 8, acts, 4);
	assert_null(f->pattern[1].spec); /* any outer IPv4: UDP needs an L3 before it */
	assert_int_equal(rte_be_to_cpu_16(f->m.tunnel_udp.hdr.dst_port), 4789);
	assert_int_equal(rte_be_to_cpu_32(f->m.vxlan.hdr.vx_vni) >> 8, 0x123456);
	assert_memory_equal(f->m.iip6.hdr.src_addr, m.inner.src_ip, 16);
	assert_int_equal(f->m.iip6.hdr.proto, 17);
	assert_int_equal(rte_be_to_cpu_16(f->m.iudp.hdr.dst_port), 53);
	assert_int_equal(f->m.iudp_mask.hdr.src_port, 0);
	assert_int_equal(((const struct rte_flow_action_jump *)f->actions[2].conf)->group, 7);

	/* A port's ingress: delivered by RSS over its queues, or to one queue. */
	memset(&m, 0, sizeof(m));
	m.fields = DPU_MATCH_IP_VERSION | DPU_MATCH_DST_IP;
	m.ip_version = 6;
	m.dst_ip[0] = 0xfd;
	m.dst_len = 8;
	memset(&a, 0, sizeof(a));
	a.fate = DPU_FATE_DELIVER;
	a.set_mark = true;
	a.mark = 7;
	assert_int_equal(dpu_rte_flow_build(&ctx, "pf0vf0", 0, 1, &m, &a, f, err, sizeof(err)), 0);
	assert_true(f->attr.ingress);
	assert_false(f->attr.transfer);
	assert_int_equal(f->pattern[1].type, RTE_FLOW_ITEM_TYPE_IPV6);
	assert_int_equal(f->m.ip6_mask.hdr.dst_addr[0], 0xff);
	assert_int_equal(f->m.ip6_mask.hdr.dst_addr[1], 0);
	assert_int_equal(f->actions[2].type, RTE_FLOW_ACTION_TYPE_RSS);
	rss = f->actions[2].conf;
	assert_int_equal(rss->queue_num, 4);
	assert_int_equal(rss->queue[3], 3);
	a.set_queue = true;
	a.queue = 2;
	assert_int_equal(dpu_rte_flow_build(&ctx, "pf0vf0", 0, 1, &m, &a, f, err, sizeof(err)), 0);
	assert_int_equal(f->actions[2].type, RTE_FLOW_ACTION_TYPE_QUEUE);
	assert_int_equal(((const struct rte_flow_action_queue *)f->actions[2].conf)->index, 2);
	free(f);
}

/* Build and expect a refusal whose reason holds 'why'. */
static void refused(const char *domain, const struct dpu_match *m, const struct dpu_actions *a,
		    int rc, const char *why)
{
	struct dpu_rte_flow *f = malloc(sizeof(*f));
	char err[160];

	assert_non_null(f);
	assert_int_equal(dpu_rte_flow_build(&ctx, domain, 1, 0, m, a, f, err, sizeof(err)), rc);
	if (strstr(err, why) == NULL) {
		fail_msg("reason '%s' lacks '%s'", err, why);
	}
	free(f);
}

static void test_refusals(void **state)
{
	struct dpu_match m = {.fields = DPU_MATCH_DST_PORT, .dport_lo = 80};
	struct dpu_actions a = {.fate = DPU_FATE_DROP};

	(void)state;
	refused(NULL, &m, &a, -EINVAL, "L4 ports need ip_proto");
	m.fields |= DPU_MATCH_IP_PROTO;
	m.ip_proto = 1;
	refused(NULL, &m, &a, -EINVAL, "not 1");
	m.ip_proto = 6;
	m.dport_hi = 90;
	refused(NULL, &m, &a, -EINVAL, "destination ports 80-90 are not one masked block");
	memset(&m, 0, sizeof(m));
	m.fields = DPU_MATCH_IN_PORT;
	strcpy(m.in_port, "p0");
	refused("pf0vf0", &m, &a, -EINVAL, "in_port");
	strcpy(m.in_port, "p7");
	refused(NULL, &m, &a, -ENODEV, "no port 'p7'");
	memset(&m, 0, sizeof(m));
	m.fields = DPU_MATCH_VNI;
	m.vni = 1u << 24;
	refused(NULL, &m, &a, -EINVAL, "24 bits");
	memset(&m, 0, sizeof(m));
	strcpy(a.mirror, "p1");
	refused("pf0vf0", &m, &a, -EINVAL, "mirror");
	memset(&a, 0, sizeof(a));
	a.fate = DPU_FATE_DELIVER;
	refused(NULL, &m, &a, -EINVAL, "fate deliver");
	a.fate = DPU_FATE_PORT;
	strcpy(a.port, "p0");
	refused("pf0vf0", &m, &a, -EINVAL, "fate port");
	a.fate = DPU_FATE_PIPE;
	strcpy(a.pipe, "nope");
	refused(NULL, &m, &a, -ENOENT, "no pipe 'nope'");
	a.fate = DPU_FATE_DROP;
	a.set_queue = true;
	refused("pf0vf0", &m, &a, -EINVAL, "set_queue");
	a.set_queue = false;
	a.encap = true;
	a.vxlan.ip_version = 5;
	refused(NULL, &m, &a, -EINVAL, "encap ip_version 5");
}

/*
 * DPDK's own validation: rules for a port's ingress on a net_tap port.
 * net_tap takes ETH/VLAN/IPV4/IPV6/TCP/UDP and DROP/QUEUE/RSS, group 0,
 * no counters (no_count); what it does not know, it refuses, so a rule
 * outside that set must fail too. Validation parses the rule against the
 * PMD's own item masks; creating it would need TC flower in the kernel.
 */
static void test_tap_validates(void **state)
{
	char vdev[64];
	const char *args[] = {"--no-pci", "-l", "0", "--vdev", vdev, NULL};
	struct dpu_rte_ctx tap = ctx;
	struct dpu_rte_flow *f = malloc(sizeof(*f));
	struct rte_flow_error error;
	uint16_t port;
	char err[128];
	struct dpu_match m;
	struct dpu_actions a;

	(void)state;
	assert_non_null(f);
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		free(f);
		skip(); /* net_tap needs root and /dev/net/tun */
	}
	snprintf(vdev, sizeof(vdev), "net_tap0,iface=dpuft%d", (int)getpid() % 100000);
	assert_int_equal(dpu_dpdk_init("test-flow-rte", args, 64), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_tap0", &port), 0);
	{
		struct rte_eth_conf conf = {0};

		assert_int_equal(rte_eth_dev_configure(port, 4, 4, &conf), 0);
	}
	tap.no_count = true;
	{
		/* A net_tap that refuses even this rule validates nothing: the
		 * check is skipped with DPDK's reason. (Without the kernel's
		 * multiq qdisc, as here, net_tap still validates; only creating
		 * rules needs the kernel's TC flower.) */
		const struct rte_flow_attr attr = {.ingress = 1};
		const struct rte_flow_item any[] = {{.type = RTE_FLOW_ITEM_TYPE_ETH},
						    {.type = RTE_FLOW_ITEM_TYPE_END}};
		const struct rte_flow_action drop[] = {{.type = RTE_FLOW_ACTION_TYPE_DROP},
						       {.type = RTE_FLOW_ACTION_TYPE_END}};

		if (rte_flow_validate(port, &attr, any, drop, &error) != 0) {
			fprintf(stderr,
				"# skip: net_tap validates no rule here, not even "
				"eth -> drop: %s\n",
				error.message ? error.message : "no reason given");
			rte_eth_dev_close(port);
			dpu_dpdk_fini();
			free(f);
			skip();
		}
	}

	/* IPv4 /24 source, TCP destination port: to queue 2. */
	memset(&m, 0, sizeof(m));
	m.fields = DPU_MATCH_SRC_IP | DPU_MATCH_IP_PROTO | DPU_MATCH_DST_PORT;
	memcpy(m.src_ip, ((const uint8_t[]){10, 1, 2, 0}), 4);
	m.src_len = 24;
	m.ip_proto = 6;
	m.dport_lo = 443;
	memset(&a, 0, sizeof(a));
	a.fate = DPU_FATE_DELIVER;
	a.set_queue = true;
	a.queue = 2;
	assert_int_equal(dpu_rte_flow_build(&tap, "pf0vf0", 0, 1, &m, &a, f, err, sizeof(err)), 0);
	if (rte_flow_validate(port, &f->attr, f->pattern, f->actions, &error) != 0) {
		fail_msg("net_tap refused IPv4/TCP -> queue: %s",
			 error.message ? error.message : "?");
	}
	/* IPv6 prefix, UDP source ports 1024-2047 (a masked block): dropped. */
	memset(&m, 0, sizeof(m));
	m.fields =
		DPU_MATCH_IP_VERSION | DPU_MATCH_DST_IP | DPU_MATCH_IP_PROTO | DPU_MATCH_SRC_PORT;
	m.ip_version = 6;
	m.dst_ip[0] = 0xfd;
	m.dst_len = 8;
	m.ip_proto = 17;
	m.sport_lo = 1024;
	m.sport_hi = 2047;
	memset(&a, 0, sizeof(a));
	a.fate = DPU_FATE_DROP;
	assert_int_equal(dpu_rte_flow_build(&tap, "pf0vf0", 0, 2, &m, &a, f, err, sizeof(err)), 0);
	if (rte_flow_validate(port, &f->attr, f->pattern, f->actions, &error) != 0) {
		fail_msg("net_tap refused IPv6/UDP range -> drop: %s",
			 error.message ? error.message : "?");
	}
	/* VLAN and destination MAC: to queue 1. (Not RSS: net_tap sets its
	 * eBPF steering up already when validating, which this kernel refuses.) */
	memset(&m, 0, sizeof(m));
	m.fields = DPU_MATCH_DST_MAC | DPU_MATCH_VLAN | DPU_MATCH_ETH_TYPE;
	memcpy(m.dst_mac, ((const uint8_t[]){2, 0, 0, 0, 0, 1}), 6);
	m.vlan = 10;
	m.eth_type = 0x0800;
	memset(&a, 0, sizeof(a));
	a.fate = DPU_FATE_DELIVER;
	a.set_queue = true;
	a.queue = 1;
	assert_int_equal(dpu_rte_flow_build(&tap, "pf0vf0", 0, 3, &m, &a, f, err, sizeof(err)), 0);
	if (rte_flow_validate(port, &f->attr, f->pattern, f->actions, &error) != 0) {
		fail_msg("net_tap refused VLAN/MAC -> queue: %s",
			 error.message ? error.message : "?");
	}
	/* What net_tap lacks (a mark) it refuses: the check above can fail. */
	a.set_mark = true;
	a.mark = 1;
	assert_int_equal(dpu_rte_flow_build(&tap, "pf0vf0", 0, 3, &m, &a, f, err, sizeof(err)), 0);
	assert_int_not_equal(rte_flow_validate(port, &f->attr, f->pattern, f->actions, &error), 0);
	rte_eth_dev_close(port);
	dpu_dpdk_fini();
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_blocks),
		cmocka_unit_test(test_switch_entry),
		cmocka_unit_test(test_vxlan_inner_and_ingress),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_tap_validates),
	};

	return cmocka_run_group_tests_name("flow-rte", tests, NULL, NULL);
}
