/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HAL's steering on rte_flow (hal/steer-rte.c) through dpu_pipe_*() on
 * a device whose ports are DPDK net_tap ports: the steering is the
 * device's while a port is open, pipes of a port's ingress become rules on
 * that port, entries become rules (an ACL port range one per masked
 * block, LPM routes by prefix length), a miss rule takes what no entry
 * does; each port's ingress is a domain of its own; net_tap, no switch,
 * refuses the switch domain, whose rules probe the ports they name. Frames are written into the tap
 * interface from the kernel's side (AF_PACKET) and must come out of the receive queue the entry
 * chose, or not at all. (Delivery by RSS is not checked: net_tap's RSS is an eBPF program Debian
 * 12's kernel refuses to load.)
 *
 * net_tap makes its rules TC flower filters: a kernel without them (no
 * modules, as on some CI machines) refuses every rule, and the frame part
 * is skipped with that reason; DPU_STEER_NEED_TC=1 (set where the kernel
 * has them: tests/integration/steer-vm.sh runs this in a VM) makes that
 * a failure instead.
 */
#include <config.h>

#include "unit/testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "common/dpdk.h"
#include "common/log.h"
#include "dpu/hal-flow.h"
#include "dpu/hal-io.h"
#include "hal/hal-provider.h"
#include "hal/steer-rte.h"

#define QUEUES 2
#define MAGIC "DPUS"

static struct rte_mempool *pool;
static char ifname[2][IFNAMSIZ];

/* Ports "t0" and "t1": net_tap devices with interfaces dpust<pid>a/b;
 * "n2": a null PMD device. */
static int tap_attach(struct dpu_dev *dev, const char *port, struct dpu_hal_attach *at)
{
	int i = strcmp(port, "t0") == 0 ? 0 : strcmp(port, "t1") == 0 ? 1 : -1;

	(void)dev;
	if (strcmp(port, "n2") == 0) {
		snprintf(at->bus, sizeof(at->bus), "vdev");
		snprintf(at->name, sizeof(at->name), "net_null_st2");
		snprintf(at->args, sizeof(at->args), "size=64");
		at->rte_steering = true;
		return 0;
	}
	if (i < 0) {
		return -ENODEV;
	}
	snprintf(at->bus, sizeof(at->bus), "vdev");
	snprintf(at->name, sizeof(at->name), "net_tap_st%d", i);
	snprintf(at->args, sizeof(at->args), "iface=%s", ifname[i]);
	at->rte_steering = true;
	return 0;
}

static const struct dpu_hal_class tap_class = {
	.scheme = "test-tap",
	.api_version = DPU_HAL_API_VERSION,
	.port_attach = tap_attach,
};

static int setup(void **state)
{
	static const char *const args[] = {"--no-pci", "-l", "0", NULL};

	(void)state;
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		fprintf(stderr, "# skip: net_tap needs root and /dev/net/tun\n");
		return 0; /* each test skips */
	}
	snprintf(ifname[0], IFNAMSIZ, "dpust%da", (int)getpid() % 100000);
	snprintf(ifname[1], IFNAMSIZ, "dpust%db", (int)getpid() % 100000);
	dpu_log_set_sdk_level(DPU_LOG_CRITICAL);
	dpu_log_set_level(DPU_LOG_ERROR);
	if (dpu_dpdk_init("test-steer-rte", args, 128) < 0) {
		return -1;
	}
	pool = rte_pktmbuf_pool_create("steer_pool", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	if (pool != NULL) {
		rte_mempool_free(pool);
		dpu_dpdk_fini();
	}
	return 0;
}

static struct dpu_portio *open_port(struct dpu_dev *dev, const char *port)
{
	struct dpu_portio_conf conf = {
		.pool = pool, .queues = QUEUES, .rx_desc = 256, .tx_desc = 256};
	struct dpu_portio *io = NULL;
	int rc = dpu_portio_open(dev, port, &conf, &io);

	if (rc < 0) {
		fail_msg("open %s: %d %s", port, rc, dpu_dev_last_error(dev));
	}
	return io;
}

/*
 * The steering is the device's from the first port opened here to the last
 * closed; before, and for a port not open, the reason is given.
 */
static void test_steering_follows_ports(void **state)
{
	struct dpu_dev dev = {.class = &tap_class};
	struct dpu_pipe_attr pa = {
		.name = "root", .domain = "t1", .kind = DPU_PIPE_ACL, .root = true};
	struct dpu_portio *a, *b;

	(void)state;
	if (pool == NULL) {
		skip();
	}
	assert_int_equal(dpu_pipe_create(&dev, &pa), -EOPNOTSUPP); /* the class has none */
	a = open_port(&dev, "t0");
	assert_non_null(dev.steer);
	assert_int_equal(dpu_pipe_create(&dev, &pa), -ENODEV);
	assert_non_null(strstr(dpu_dev_last_error(&dev), "t1: steering on its ingress needs"));
	b = open_port(&dev, "t1");
	{
		/* Meters are rte_mtr objects: net_tap has none, and says so. */
		uint64_t pk[3], by[3];
		uint32_t id;

		assert_true(dpu_meter_create(&dev, "t1", 125000, 10000, 10000, &id) < 0);
		assert_non_null(strstr(dpu_dev_last_error(&dev), "t1: DPDK port"));
		assert_non_null(strstr(dpu_dev_last_error(&dev), "meter policy"));
		assert_int_equal(dpu_meter_stats(&dev, "t1", 1, pk, by), -ENOENT);
	}
	dpu_portio_close(a);
	assert_non_null(dev.steer);
	assert_int_equal(dpu_pipe_entry_del(&dev, "t1", "nosuch", 1), -ENOENT);
	assert_non_null(strstr(dpu_dev_last_error(&dev), "t1: no pipe nosuch"));
	dpu_portio_close(b);
	assert_null(dev.steer);
	assert_null(dev.steer_state);
}

static bool ethdev_exists(const char *name)
{
	uint16_t id;

	return rte_eth_dev_get_port_by_name(name, &id) == 0;
}

/*
 * A switch rule names ports by their ethdev: one not open here is probed
 * for it (not started), taken over when the process opens it, and closed
 * (its device removed) with the steering. The rule itself net_tap refuses
 * (it is no switch); the probing comes first.
 */
static void test_switch_rules_probe_ports(void **state)
{
	struct dpu_dev dev = {.class = &tap_class};
	struct dpu_actions out = {.fate = DPU_FATE_PORT, .port = "n2"};
	struct dpu_pipe_attr pa = {.name = "sw",
				   .kind = DPU_PIPE_EXACT,
				   .match_fields = DPU_MATCH_IN_PORT,
				   .root = true,
				   .miss = &out};
	struct dpu_portio *a, *n;

	(void)state;
	if (pool == NULL) {
		skip();
	}
	a = open_port(&dev, "t0");
	assert_false(ethdev_exists("net_null_st2"));
	assert_true(dpu_pipe_create(&dev, &pa) < 0);
	assert_non_null(strstr(dpu_dev_last_error(&dev), "refused the rule"));
	assert_true(ethdev_exists("net_null_st2"));
	assert_true(dpu_rte_steer_probed(&dev, "n2"));
	/* A port the device does not have: named. */
	dpu_strscpy(out.port, "zz", sizeof(out.port));
	assert_int_equal(dpu_pipe_create(&dev, &pa), -ENODEV);
	assert_non_null(strstr(dpu_dev_last_error(&dev), "fate port: no port 'zz'"));
	/* Opened by the process: taken over, and removed when it closes. */
	n = open_port(&dev, "n2");
	assert_false(dpu_rte_steer_probed(&dev, "n2"));
	dpu_portio_close(n);
	assert_false(ethdev_exists("net_null_st2"));
	/* Probed again; the last open port's close takes it away. */
	dpu_strscpy(out.port, "n2", sizeof(out.port));
	assert_true(dpu_pipe_create(&dev, &pa) < 0);
	assert_true(ethdev_exists("net_null_st2"));
	dpu_portio_close(a);
	assert_false(ethdev_exists("net_null_st2"));
	assert_null(dev.steer);
}

/* A frame into the tap interface from the kernel's side; 'tag' at its end. */
struct frame {
	int ip; /* 4 or 6 */
	uint8_t proto;
	const char *dst;
	uint16_t dport;
	uint32_t tag;
	uint8_t dmac_last; /* the destination MAC's last byte (0: 2) */
};

static size_t build(const struct frame *fr, uint8_t *buf)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
	uint8_t *l3 = buf + 14, *l4;
	size_t l4len = (fr->proto == IPPROTO_TCP ? 20 : 8) + 8;
	uint16_t sport = htons(40000), dport = htons(fr->dport);

	memset(buf, 0, 128);
	memcpy(buf, macs, 12);
	if (fr->dmac_last != 0) {
		buf[5] = fr->dmac_last;
	}
	if (fr->ip == 6) {
		buf[12] = 0x86, buf[13] = 0xdd;
		l3[0] = 0x60;
		l3[4] = (uint8_t)(l4len >> 8), l3[5] = (uint8_t)l4len;
		l3[6] = fr->proto;
		l3[7] = 64;
		inet_pton(AF_INET6, "2001:db8:ffff::1", l3 + 8);
		assert_int_equal(inet_pton(AF_INET6, fr->dst, l3 + 24), 1);
		l4 = l3 + 40;
	} else {
		buf[12] = 0x08, buf[13] = 0x00;
		l3[0] = 0x45;
		l3[2] = (uint8_t)((20 + l4len) >> 8), l3[3] = (uint8_t)(20 + l4len);
		l3[8] = 64;
		l3[9] = fr->proto;
		inet_pton(AF_INET, "10.99.0.1", l3 + 12);
		assert_int_equal(inet_pton(AF_INET, fr->dst, l3 + 16), 1);
		l4 = l3 + 20;
	}
	memcpy(l4, &sport, 2);
	memcpy(l4 + 2, &dport, 2);
	if (fr->proto == IPPROTO_TCP) {
		l4[12] = 0x50;
		l4[13] = 0x02; /* SYN */
	} else {
		l4[4] = (uint8_t)(l4len >> 8), l4[5] = (uint8_t)l4len;
	}
	memcpy(l4 + l4len - 8, MAGIC, 4);
	memcpy(l4 + l4len - 4, &fr->tag, 4);
	return (size_t)(l4 + l4len - buf);
}

/* The queue each tagged frame came out of (-1: none) after sending them all. */
static void send_and_sort(struct dpu_portio *io, int sock, const char *ifn,
			  const struct frame *frames, size_t n, int *queue)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(ifn), .sll_halen = 6};
	uint8_t buf[160];

	for (size_t i = 0; i < n; i++) {
		size_t len = build(&frames[i], buf);

		queue[i] = -1;
		assert_int_equal(sendto(sock, buf, len, 0, (struct sockaddr *)&to, sizeof(to)),
				 (ssize_t)len);
	}
	/* Whatever arrives within half a second. */
	for (int round = 0; round < 50; round++) {
		for (uint16_t q = 0; q < QUEUES; q++) {
			struct rte_mbuf *m[32];
			uint16_t got = dpu_portio_rx_queue_burst(io, q, m, 32);

			for (uint16_t k = 0; k < got; k++) {
				const uint8_t *d = rte_pktmbuf_mtod(m[k], const uint8_t *);
				uint32_t len = rte_pktmbuf_data_len(m[k]), tag;

				if (len >= 8 && memcmp(d + len - 8, MAGIC, 4) == 0) {
					memcpy(&tag, d + len - 4, 4);
					for (size_t i = 0; i < n; i++) {
						if (frames[i].tag == tag) {
							assert_int_equal(queue[i], -1);
							queue[i] = q;
						}
					}
				}
				rte_pktmbuf_free(m[k]);
			}
		}
		usleep(10000);
	}
}

static void expect(const struct frame *frames, const int *want, const int *got, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (want[i] != got[i]) {
			fail_msg("IPv%d proto %u to %s port %u: queue %d, expected %d",
				 frames[i].ip, frames[i].proto, frames[i].dst, frames[i].dport,
				 got[i], want[i]);
		}
	}
}

static struct dpu_actions to_queue(uint16_t q)
{
	return (struct dpu_actions){.fate = DPU_FATE_DELIVER, .set_queue = true, .queue = q};
}

static uint32_t add(struct dpu_dev *dev, const char *pipe, uint32_t prio, const struct dpu_match *m,
		    const struct dpu_actions *a)
{
	uint32_t id = 0;
	int rc = dpu_pipe_entry_add(dev, "t0", pipe, prio, m, a, &id);

	if (rc < 0) {
		fail_msg("entry in %s: %d %s", pipe, rc, dpu_dev_last_error(dev));
	}
	return id;
}

static void ip4(struct dpu_match *m, bool dst, const char *addr, uint8_t len)
{
	assert_int_equal(inet_pton(AF_INET, addr, dst ? m->dst_ip : m->src_ip), 1);
	*(dst ? &m->dst_len : &m->src_len) = len;
	m->fields |= dst ? DPU_MATCH_DST_IP : DPU_MATCH_SRC_IP;
}

/*
 * A port's ingress on net_tap, frames from the kernel: an ACL pipe (port
 * ranges, priorities, prefixes, drop, delete), then after a flush an LPM
 * pipe (IPv4 and IPv6, longest prefix first, miss drops).
 */
static void test_tap_frames(void **state)
{
	struct dpu_dev dev = {.class = &tap_class};
	struct dpu_actions q0 = to_queue(0), q1 = to_queue(1), drop = {.fate = DPU_FATE_DROP};
	struct dpu_pipe_attr pa = {
		.name = "acl", .domain = "t0", .kind = DPU_PIPE_ACL, .root = true, .miss = &q0};
	struct dpu_portio *io;
	struct dpu_match m;
	uint64_t pk, by;
	uint32_t e_drop, e_tcp;
	int sock, rc, got[8];

	(void)state;
	if (pool == NULL) {
		skip();
	}
	io = open_port(&dev, "t0");
	rc = dpu_pipe_create(&dev, &pa);
	if (rc < 0) {
		const char *need = getenv("DPU_STEER_NEED_TC");

		if (need != NULL && strcmp(need, "1") == 0) {
			fail_msg("net_tap took no rule: %s", dpu_dev_last_error(&dev));
		}
		fprintf(stderr, "# skip: net_tap takes no rule on this kernel: %s\n",
			dpu_dev_last_error(&dev));
		dpu_portio_close(io);
		skip();
	}
	sock = socket(AF_PACKET, SOCK_RAW, 0);
	assert_true(sock >= 0);

	/* net_tap has no JUMP: the one pipe of the domain is its root. */
	pa.name = "other";
	pa.root = false;
	assert_int_equal(dpu_pipe_create(&dev, &pa), -EOPNOTSUPP);
	assert_non_null(strstr(dpu_dev_last_error(&dev), "has no JUMP: one pipe (acl)"));

	/* UDP 1000..1019 to queue 1 (three masked blocks; net_tap, which
	 * matches whole ports only, takes a rule per port); 1012 dropped
	 * ahead of it; TCP to 10.7.1.0/24 to queue 1; the rest to queue 0. */
	memset(&m, 0, sizeof(m));
	m.fields = DPU_MATCH_IP_PROTO | DPU_MATCH_DST_PORT;
	m.ip_proto = IPPROTO_UDP;
	m.dport_lo = 1000;
	m.dport_hi = 1019;
	add(&dev, "acl", 10, &m, &q1);
	m.dport_lo = m.dport_hi = 1012;
	e_drop = add(&dev, "acl", 5, &m, &drop);
	{
		/* Port by port, a wide range is too many rules: refused. */
		uint32_t id;

		m.dport_lo = 2000;
		m.dport_hi = 2999;
		assert_int_equal(dpu_pipe_entry_add(&dev, "t0", "acl", 3, &m, &q1, &id), -E2BIG);
		assert_non_null(strstr(dpu_dev_last_error(&dev), "matches whole L4 ports only"));
	}
	memset(&m, 0, sizeof(m));
	m.fields = DPU_MATCH_IP_PROTO;
	m.ip_proto = IPPROTO_TCP;
	ip4(&m, true, "10.7.1.0", 24);
	e_tcp = add(&dev, "acl", 20, &m, &q1);
	{
		const struct frame fr[] = {
			{4, IPPROTO_UDP, "10.7.0.2", 999, 1},
			{4, IPPROTO_UDP, "10.7.0.2", 1000, 2},
			{4, IPPROTO_UDP, "10.7.0.2", 1010, 3},
			{4, IPPROTO_UDP, "10.7.0.2", 1012, 4},
			{4, IPPROTO_UDP, "10.7.0.2", 1019, 5},
			{4, IPPROTO_UDP, "10.7.0.2", 1020, 6},
			{4, IPPROTO_TCP, "10.7.1.9", 80, 7},
			{4, IPPROTO_TCP, "10.7.2.9", 80, 8},
		};
		const int want[] = {0, 1, 1, -1, 1, 0, 1, 0};

		send_and_sort(io, sock, ifname[0], fr, 8, got);
		expect(fr, want, got, 8);
	}
	/* No counters on net_tap: said so. */
	assert_int_equal(dpu_pipe_entry_stats(&dev, "t0", "acl", e_drop, &pk, &by), -EOPNOTSUPP);
	assert_non_null(strstr(dpu_dev_last_error(&dev), "has no flow counters"));
	/* Without the drop, 1012 is in the range again. */
	assert_int_equal(dpu_pipe_entry_del(&dev, "t0", "acl", e_drop), 0);
	assert_int_equal(dpu_pipe_entry_del(&dev, "t0", "acl", e_drop), -ENOENT);
	{
		const struct frame fr[] = {{4, IPPROTO_UDP, "10.7.0.2", 1012, 9}};
		const int want[] = {1};

		send_and_sort(io, sock, ifname[0], fr, 1, got);
		expect(fr, want, got, 1);
	}
	/* The TCP rule's actions updated: its rules made anew, queue 0 now. */
	assert_int_equal(dpu_pipe_entry_update(&dev, "t0", "acl", e_tcp, &q0, 1), 0);
	assert_int_equal(dpu_pipe_entry_update(&dev, "t0", "acl", 999, &q0, 1), -ENOENT);
	{
		const struct frame fr[] = {{4, IPPROTO_TCP, "10.7.1.9", 80, 10}};
		const int want[] = {0};

		send_and_sort(io, sock, ifname[0], fr, 1, got);
		expect(fr, want, got, 1);
	}
	/* Refused with the reason: a meter the domain does not have, an
	 * LPM-style match in an ACL. */
	{
		struct dpu_actions metered = q1;
		uint32_t id;

		metered.meter = 1;
		assert_int_equal(dpu_pipe_entry_add(&dev, "t0", "acl", 1, &m, &metered, &id),
				 -ENOENT);
		assert_string_equal(dpu_dev_last_error(&dev), "meter 1: not one of t0's");
		m.fields |= DPU_MATCH_VNI;
		assert_int_equal(dpu_pipe_entry_add(&dev, "t0", "acl", 1, &m, &q1, &id), -EINVAL);
		assert_non_null(strstr(dpu_dev_last_error(&dev), "acl pipes match"));
	}

	/* The root destroyed, its rules with it; the domain takes a root again. */
	assert_int_equal(dpu_pipe_destroy(&dev, "t0", "acl"), 0);
	assert_int_equal(dpu_pipe_destroy(&dev, "t0", "acl"), -ENOENT);
	assert_non_null(strstr(dpu_dev_last_error(&dev), "t0: no pipe acl"));
	pa.name = "acl2";
	pa.root = true;
	rc = dpu_pipe_create(&dev, &pa);
	if (rc < 0) {
		fail_msg("a root after a destroy: %d %s", rc, dpu_dev_last_error(&dev));
	}

	/* A flush empties the domain: an LPM pipe can be its root now. */
	assert_int_equal(dpu_flow_flush(&dev, "t0"), 0);
	pa.name = "routes";
	pa.kind = DPU_PIPE_LPM;
	pa.root = true;
	pa.miss = &drop;
	rc = dpu_pipe_create(&dev, &pa);
	if (rc < 0) {
		fail_msg("lpm pipe: %d %s", rc, dpu_dev_last_error(&dev));
	}
	memset(&m, 0, sizeof(m));
	ip4(&m, true, "10.7.0.0", 16);
	add(&dev, "routes", 0, &m, &q0);
	ip4(&m, true, "10.7.9.0", 24);
	add(&dev, "routes", 0, &m, &q1);
	m.ip_version = 6;
	m.fields |= DPU_MATCH_IP_VERSION;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::", m.dst_ip), 1);
	m.dst_len = 32;
	add(&dev, "routes", 0, &m, &q1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::", m.dst_ip), 1);
	m.dst_len = 48;
	add(&dev, "routes", 0, &m, &q0);
	{
		const struct frame fr[] = {
			{4, IPPROTO_UDP, "10.7.3.3", 53, 11},
			{4, IPPROTO_UDP, "10.7.9.9", 53, 12},
			{4, IPPROTO_UDP, "10.8.0.1", 53, 13},
			{6, IPPROTO_UDP, "2001:db8:5::1", 53, 14},
			{6, IPPROTO_TCP, "2001:db8:1::1", 443, 15},
			{6, IPPROTO_UDP, "2001:db9::1", 53, 16},
		};
		const int want[] = {0, 1, -1, 1, 0, -1};

		send_and_sort(io, sock, ifname[0], fr, 6, got);
		expect(fr, want, got, 6);
	}
	/* A second port's ingress is a domain of its own: an exact pipe on
	 * the destination MAC there, while t0's routes stay as they are. */
	{
		struct dpu_portio *io1 = open_port(&dev, "t1");
		struct dpu_pipe_attr ex = {.name = "macs",
					   .domain = "t1",
					   .kind = DPU_PIPE_EXACT,
					   .match_fields = DPU_MATCH_DST_MAC,
					   .root = true,
					   .miss = &drop};
		const struct frame fr1[] = {
			{4, IPPROTO_UDP, "10.9.0.1", 53, 31, 0x0a},
			{4, IPPROTO_UDP, "10.9.0.1", 53, 32, 0x0b},
			{4, IPPROTO_UDP, "10.9.0.1", 53, 33, 0x0c},
		};
		const struct frame fr0[] = {{4, IPPROTO_UDP, "10.7.9.9", 53, 34}};
		const int want1[] = {1, 0, -1}, want0[] = {1};

		rc = dpu_pipe_create(&dev, &ex);
		if (rc < 0) {
			fail_msg("exact pipe: %d %s", rc, dpu_dev_last_error(&dev));
		}
		memset(&m, 0, sizeof(m));
		m.fields = DPU_MATCH_DST_MAC;
		memcpy(m.dst_mac, ((const uint8_t[]){2, 0, 0, 0, 0, 0x0a}), 6);
		assert_int_equal(dpu_pipe_entry_add(&dev, "t1", "macs", 0, &m, &q1, &e_drop), 0);
		m.dst_mac[5] = 0x0b;
		assert_int_equal(dpu_pipe_entry_add(&dev, "t1", "macs", 0, &m, &q0, &e_drop), 0);
		/* An exact pipe takes its own fields only. */
		m.fields |= DPU_MATCH_ETH_TYPE;
		assert_int_equal(dpu_pipe_entry_add(&dev, "t1", "macs", 0, &m, &q0, &e_drop),
				 -EINVAL);
		send_and_sort(io1, sock, ifname[1], fr1, 3, got);
		expect(fr1, want1, got, 3);
		send_and_sort(io, sock, ifname[0], fr0, 1, got);
		expect(fr0, want0, got, 1);

		/* net_tap is no switch: the switch domain's rules are refused,
		 * with the PMD's reason. */
		ex.name = "sw";
		ex.domain = NULL;
		rc = dpu_pipe_create(&dev, &ex);
		assert_true(rc < 0);
		assert_non_null(strstr(dpu_dev_last_error(&dev), "refused the rule"));
		dpu_portio_close(io1);
	}
	close(sock);
	dpu_portio_close(io);
	assert_null(dev.steer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steering_follows_ports),
		cmocka_unit_test(test_switch_rules_probe_ports),
		cmocka_unit_test(test_tap_frames),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
