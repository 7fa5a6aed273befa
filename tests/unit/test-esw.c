/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated eSwitch: the parser on crafted frames, pipes on known cases,
 * and the classifier against a brute-force reference on random rule sets and
 * random packets (seeded; the seed is printed so a failure can be replayed
 * with ESW_TEST_SEED=<n>).
 */
#include <config.h>

#include "unit/testutil.h"

#include <arpa/inet.h>

#include "common/dpdk.h"
#include "common/log.h"
#include "sim/eswitch/esw.h"

/* ------------------------------------------------------------ frames */

struct frame {
	uint8_t b[256];
	uint32_t len;
};

static void put(struct frame *f, const void *p, uint32_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put16(struct frame *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(f, b, 2);
}

static void eth(struct frame *f, uint16_t type)
{
	static const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x02}, src[6] = {0x02, 0, 0, 0, 0, 0x01};

	f->len = 0;
	put(f, dst, 6);
	put(f, src, 6);
	put16(f, type);
}

/* IPv4 header with 'opt_words' 4-byte option words. */
static void ipv4(struct frame *f, uint8_t proto, const char *src, const char *dst, int opt_words,
		 uint16_t frag)
{
	uint8_t h[60] = {0};

	h[0] = (uint8_t)(0x40 | (5 + opt_words));
	h[6] = (uint8_t)(frag >> 8);
	h[7] = (uint8_t)frag;
	h[8] = 64;
	h[9] = proto;
	inet_pton(AF_INET, src, h + 12);
	inet_pton(AF_INET, dst, h + 16);
	for (int i = 0; i < opt_words * 4; i++) {
		h[20 + i] = 1; /* NOP options */
	}
	put(f, h, (uint32_t)(20 + opt_words * 4));
}

static void ipv6(struct frame *f, uint8_t next, const char *src, const char *dst)
{
	uint8_t h[40] = {0};

	h[0] = 0x60;
	h[6] = next;
	h[7] = 64;
	inet_pton(AF_INET6, src, h + 8);
	inet_pton(AF_INET6, dst, h + 24);
	put(f, h, 40);
}

static void tcp(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags)
{
	uint8_t h[20] = {0};

	h[0] = (uint8_t)(sport >> 8);
	h[1] = (uint8_t)sport;
	h[2] = (uint8_t)(dport >> 8);
	h[3] = (uint8_t)dport;
	h[12] = 0x50;
	h[13] = flags;
	put(f, h, 20);
}

static void udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8);
	put16(f, 0);
}

static void test_parse_ipv4_tcp(void **state)
{
	struct frame f;
	struct esw_key k;

	(void)state;
	eth(&f, 0x0800);
	ipv4(&f, 6, "10.0.0.1", "10.0.0.2", 0, 0);
	tcp(&f, 40000, 80, 0x12);
	assert_int_equal(esw_parse(f.b, f.len, 3, &k), 0);
	assert_int_equal(k.in_port, 3);
	assert_int_equal(k.ethertype, 0x0800);
	assert_int_equal(k.ip_ver, 4);
	assert_int_equal(k.ip_proto, 6);
	assert_int_equal(k.sport, 40000);
	assert_int_equal(k.dport, 80);
	assert_int_equal(k.tcp_flags, 0x12);
	assert_int_equal(k.flags, ESW_KEY_L3 | ESW_KEY_L4);
	assert_int_equal(k.src_ip[3], 1);
	assert_int_equal(k.dst_ip[3], 2);
	assert_int_equal(k.src_mac[5], 1);
	assert_int_equal(k.dst_mac[5], 2);
}

static void test_parse_ipv4_options_and_fragments(void **state)
{
	struct frame f;
	struct esw_key k;

	(void)state;
	eth(&f, 0x0800);
	ipv4(&f, 17, "1.2.3.4", "5.6.7.8", 3, 0);
	udp(&f, 53, 5353);
	assert_int_equal(esw_parse(f.b, f.len, 0, &k), 0);
	assert_int_equal(k.sport, 53);
	assert_int_equal(k.dport, 5353);
	/* A non-first fragment has no ports, even if the bytes look like some. */
	eth(&f, 0x0800);
	ipv4(&f, 17, "1.2.3.4", "5.6.7.8", 0, 0x00b9);
	udp(&f, 53, 5353);
	assert_int_equal(esw_parse(f.b, f.len, 0, &k), 0);
	assert_int_equal(k.flags, ESW_KEY_L3 | ESW_KEY_FRAG);
	assert_int_equal(k.sport, 0);
	/* The first fragment (MF set, offset 0) has them. */
	eth(&f, 0x0800);
	ipv4(&f, 17, "1.2.3.4", "5.6.7.8", 0, 0x2000);
	udp(&f, 53, 5353);
	assert_int_equal(esw_parse(f.b, f.len, 0, &k), 0);
	assert_int_equal(k.dport, 5353);
}

static void test_parse_vlan_qinq(void **state)
{
	struct frame f;
	struct esw_key k;

	(void)state;
	eth(&f, 0x88a8);
	put16(&f, 0x2064); /* PCP 1, VID 100 */
	put16(&f, 0x8100);
	put16(&f, 0x00c8); /* VID 200 */
	put16(&f, 0x0800);
	ipv4(&f, 17, "10.1.1.1", "10.1.1.2", 0, 0);
	udp(&f, 1000, 2000);
	assert_int_equal(esw_parse(f.b, f.len, 0, &k), 0);
	assert_int_equal(k.vlan_id, 100);
	assert_int_equal(k.ethertype, 0x0800);
	assert_int_equal(k.dport, 2000);
}

static void test_parse_ipv6_ext_headers(void **state)
{
	static const uint8_t hbh[8] = {17, 0, 1, 4, 0, 0, 0, 0}; /* next: UDP, 8 bytes */
	struct frame f;
	struct esw_key k;

	(void)state;
	eth(&f, 0x86dd);
	ipv6(&f, 0, "2001:db8::1", "2001:db8::2");
	put(&f, hbh, sizeof(hbh));
	udp(&f, 546, 547);
	assert_int_equal(esw_parse(f.b, f.len, 1, &k), 0);
	assert_int_equal(k.ip_ver, 6);
	assert_int_equal(k.ip_proto, 17);
	assert_int_equal(k.sport, 546);
	assert_int_equal(k.dport, 547);
	assert_int_equal(k.src_ip[0], 0x20);
	assert_int_equal(k.src_ip[15], 1);
}

static void test_parse_vxlan_and_icmp(void **state)
{
	static const uint8_t vx[8] = {0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0};
	struct frame f;
	struct esw_key k;

	(void)state;
	eth(&f, 0x0800);
	ipv4(&f, 17, "192.0.2.1", "192.0.2.2", 0, 0);
	udp(&f, 49152, 4789);
	put(&f, vx, sizeof(vx));
	assert_int_equal(esw_parse(f.b, f.len, 0, &k), 0);
	assert_int_equal(k.vni, 0x123456);
	eth(&f, 0x0800);
	ipv4(&f, 1, "192.0.2.1", "192.0.2.2", 0, 0);
	put16(&f, 0x0800); /* echo request, code 0 */
	put16(&f, 0);
	assert_int_equal(esw_parse(f.b, f.len, 0, &k), 0);
	assert_int_equal(k.sport, 8);
	assert_int_equal(k.dport, 0);
	assert_true(k.flags & ESW_KEY_L4);
}

static void test_parse_truncated(void **state)
{
	struct frame f;
	struct esw_key k;

	(void)state;
	eth(&f, 0x0800);
	ipv4(&f, 6, "10.0.0.1", "10.0.0.2", 0, 0);
	tcp(&f, 1, 2, 0);
	/* Every cut: never an error past the Ethernet header, and never a port. */
	for (uint32_t len = 0; len < f.len; len++) {
		int rc = esw_parse(f.b, len, 0, &k);

		if (len < 14) {
			assert_int_equal(rc, -EINVAL);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_false(k.flags & ESW_KEY_L4);
		assert_int_equal(k.dport, 0);
		if (len > 14) {
			assert_true(k.flags & ESW_KEY_TRUNC);
		}
	}
}

static void test_parse_random_bytes(void **state)
{
	uint8_t buf[128];
	struct esw_key k;

	(void)state;
	srand(7);
	/* Under ASan this proves no read past 'len' on garbage. */
	for (int i = 0; i < 20000; i++) {
		uint32_t len = (uint32_t)(rand() % (int)sizeof(buf));
		uint8_t *copy = malloc(len ? len : 1);

		for (uint32_t j = 0; j < sizeof(buf); j++) {
			buf[j] = (uint8_t)rand();
		}
		if (i % 3 == 0 && len > 14) { /* steer into the IP parsers */
			buf[12] = i % 2 ? 0x08 : 0x86;
			buf[13] = i % 2 ? 0x00 : 0xdd;
			buf[14] = i % 2 ? 0x45 : 0x60;
		}
		memcpy(copy, buf, len);
		(void)esw_parse(copy, len, 0, &k);
		free(copy);
	}
}

/* ------------------------------------------------------------ pipes */

static int setup(void **state)
{
	static const char *const args[] = {"--no-pci", "-l", "0", NULL};

	(void)state;
	dpu_log_set_sdk_level(DPU_LOG_ERROR);
	return dpu_dpdk_init("test-esw", args, 512) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	dpu_dpdk_fini();
	return 0;
}

static struct esw_key five_tuple_mask(void)
{
	struct esw_key m;

	memset(&m, 0, sizeof(m));
	m.ip_proto = 0xff;
	memset(m.src_ip, 0xff, 4);
	memset(m.dst_ip, 0xff, 4);
	m.sport = 0xffff;
	m.dport = 0xffff;
	return m;
}

static struct esw_key v4key(uint8_t proto, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp)
{
	struct esw_key k;

	memset(&k, 0, sizeof(k));
	k.ip_ver = 4;
	k.ethertype = 0x0800;
	k.ip_proto = proto;
	src = htonl(src);
	dst = htonl(dst);
	memcpy(k.src_ip, &src, 4);
	memcpy(k.dst_ip, &dst, 4);
	k.sport = sp;
	k.dport = dp;
	k.flags = ESW_KEY_L3 | ESW_KEY_L4;
	return k;
}

static void test_exact_pipe(void **state)
{
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_key mask = five_tuple_mask();
	struct esw_actions miss = {.fate = ESW_FATE_PORT, .port = 9};
	struct esw_actions act = {.fate = ESW_FATE_PORT, .port = 2, .set_mark = true, .mark = 77};
	struct esw_key keys[3];
	uint32_t lens[3] = {64, 128, 256}, e;
	struct esw_result res[3];
	uint64_t pk, by;

	(void)state;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_classify_burst(esw, keys, lens, 1, res), -EINVAL); /* no root */
	assert_int_equal(esw_pipe_create_exact(esw, "fwd", &mask, 16, &miss, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	keys[0] = v4key(6, 0x0a000001, 0x0a000002, 1000, 80);
	assert_int_equal(esw_exact_add(p, &keys[0], &act, &e), 0);
	/* Fields outside the mask do not matter: same entry. */
	keys[1] = keys[0];
	keys[1].vlan_id = 42;
	keys[1].in_port = 3;
	assert_int_equal(esw_exact_add(p, &keys[1], &act, NULL), -EEXIST);
	keys[2] = v4key(6, 0x0a000001, 0x0a000002, 1000, 81);
	assert_int_equal(esw_classify_burst(esw, keys, lens, 3, res), 0);
	assert_int_equal(res[0].fate, ESW_FATE_PORT);
	assert_int_equal(res[0].port, 2);
	assert_true(res[0].marked);
	assert_int_equal(res[0].mark, 77);
	assert_int_equal(res[1].port, 2);
	assert_int_equal(res[2].port, 9);
	assert_false(res[2].marked);
	assert_int_equal(esw_entry_stats(p, e, &pk, &by), 0);
	assert_int_equal(pk, 2);
	assert_int_equal(by, 64 + 128);
	assert_int_equal(esw_miss_stats(p, &pk, &by), 0);
	assert_int_equal(pk, 1);
	assert_int_equal(by, 256);
	assert_int_equal(esw_exact_del(p, e), 0);
	assert_int_equal(esw_exact_del(p, e), -ENOENT);
	assert_int_equal(esw_classify_burst(esw, keys, lens, 1, res), 0);
	assert_int_equal(res[0].port, 9);
	esw_destroy(esw);
}

/*
 * New actions for an exact entry: the next packets take them (in the
 * hash's word, in the entry's own line for a mirror, back again), the id
 * and the counters stay; a deleted entry or bad actions are refused.
 */
static void test_exact_update(void **state)
{
	struct esw *esw;
	struct esw_pipe *p, *p2;
	struct esw_key mask = five_tuple_mask();
	struct esw_actions miss = {.fate = ESW_FATE_DROP};
	struct esw_actions a1 = {.fate = ESW_FATE_PORT, .port = 2, .set_mark = true, .mark = 5};
	struct esw_actions a2 = {
		.fate = ESW_FATE_PORT, .port = 3, .mirror = true, .mirror_port = 7};
	struct esw_actions a3 = {.fate = ESW_FATE_PIPE, .set_mark = true, .mark = 9};
	struct esw_actions a4 = {.fate = ESW_FATE_PORT, .port = 4};
	struct esw_key k = v4key(17, 0x0a000001, 0x0a000002, 53, 53);
	uint32_t len = 100, e, e2;
	struct esw_result r;
	uint64_t pk, by;

	(void)state;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "fwd", &mask, 16, &miss, &p), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "next", &mask, 16, &miss, &p2), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	assert_int_equal(esw_exact_add(p, &k, &a1, &e), 0);
	assert_int_equal(esw_exact_add(p2, &k, &a4, &e2), 0);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.port, 2);
	assert_int_equal(r.mark, 5);

	assert_int_equal(esw_exact_update(p, e, &a2), 0);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.fate, ESW_FATE_PORT);
	assert_int_equal(r.port, 3);
	assert_false(r.marked);
	assert_true(r.mirrored);
	assert_int_equal(r.mirror_port, 7);

	a3.pipe = p2;
	assert_int_equal(esw_exact_update(p, e, &a3), 0);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.port, 4);
	assert_true(r.marked);
	assert_int_equal(r.mark, 9);
	assert_false(r.mirrored);

	assert_int_equal(esw_entry_stats(p, e, &pk, &by), 0);
	assert_int_equal(pk, 3);
	assert_int_equal(by, 300);
	assert_int_equal(esw_exact_update(p, e, NULL), -EINVAL);
	a4.meter = 12; /* no such meter */
	assert_int_equal(esw_exact_update(p, e, &a4), -EINVAL);
	assert_int_equal(esw_exact_update(p, e + 1, &a1), -ENOENT);
	assert_int_equal(esw_exact_del(p, e), 0);
	assert_int_equal(esw_exact_update(p, e, &a1), -ENOENT);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.fate, ESW_FATE_DROP);
	esw_destroy(esw);
}

/*
 * An entry's counts stay exact past what its counter word holds (255
 * packets, 16 MiB): 1984 hits, 640 of 64 bytes and then lengths up to
 * jumbo frames and beyond 16 MiB, read back now and then (each read
 * flushes the hit log), and in the pipe's totals; a deleted entry's id,
 * reused, starts from zero.
 */
static void test_entry_counts_wide(void **state)
{
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_key mask = five_tuple_mask(), keys[ESW_BURST_MAX];
	struct esw_actions act = {.fate = ESW_FATE_PORT, .port = 1};
	struct esw_result res[ESW_BURST_MAX];
	struct esw_pipe_info info;
	uint32_t lens[ESW_BURST_MAX], e, e2;
	uint64_t want_pk = 0, want_by = 0, pk, by;

	(void)state;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "ctr", &mask, 4, NULL, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	keys[0] = v4key(17, 0x0a000001, 0x0a000002, 5000, 53);
	assert_int_equal(esw_exact_add(p, &keys[0], &act, &e), 0);
	for (int b = 0; b < 2000 / ESW_BURST_MAX; b++) {
		for (int i = 0; i < ESW_BURST_MAX; i++) {
			static const uint32_t sizes[] = {64, 1500, 9000, 65535, (1u << 24) + 5};

			keys[i] = keys[0];
			/* 640 small ones first (the packet count folds), then mixed. */
			lens[i] = b < 10 ? 64 : sizes[(b * ESW_BURST_MAX + i) % 5] + (uint32_t)b;
			want_pk++;
			want_by += lens[i];
		}
		assert_int_equal(esw_classify_burst(esw, keys, lens, ESW_BURST_MAX, res), 0);
		if (b % 7 == 0) {
			assert_int_equal(esw_entry_stats(p, e, &pk, &by), 0);
			assert_int_equal(pk, want_pk);
			assert_int_equal(by, want_by);
		}
	}
	assert_int_equal(esw_entry_stats(p, e, &pk, &by), 0);
	assert_int_equal(pk, want_pk);
	assert_int_equal(by, want_by);
	assert_true(want_by > (1ULL << 32));
	assert_int_equal(esw_pipes(esw, &info, 1), 1);
	assert_int_equal(info.hit_pkts, want_pk);
	assert_int_equal(info.hit_bytes, want_by);
	assert_int_equal(esw_exact_del(p, e), 0);
	assert_int_equal(esw_exact_add(p, &keys[0], &act, &e2), 0);
	assert_int_equal(e2, e);
	assert_int_equal(esw_entry_stats(p, e2, &pk, &by), 0);
	assert_int_equal(pk, 0);
	assert_int_equal(by, 0);
	esw_destroy(esw);
}

static void test_acl_pipe_ranges_and_priority(void **state)
{
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_actions unit1 = {.fate = ESW_FATE_PORT, .port = 1, .set_mark = true, .mark = 1};
	struct esw_actions unit2 = {.fate = ESW_FATE_PORT, .port = 1, .set_mark = true, .mark = 2};
	/* Flow Inspector style: udp 68->67, and tcp 1720 -> 1023-1036 (before a catch-all). */
	struct esw_acl_rule dhcp = {.priority = 1,
				    .proto = 17,
				    .proto_mask = 0xff,
				    .sport_lo = 68,
				    .sport_hi = 68,
				    .dport_lo = 67,
				    .dport_hi = 67,
				    .in_port_hi = 0xffff};
	struct esw_acl_rule h323 = {.priority = 1,
				    .proto = 6,
				    .proto_mask = 0xff,
				    .sport_lo = 1720,
				    .sport_hi = 1720,
				    .dport_lo = 1023,
				    .dport_hi = 1036,
				    .in_port_hi = 0xffff};
	struct esw_acl_rule any_tcp = {.priority = 5,
				       .proto = 6,
				       .proto_mask = 0xff,
				       .sport_hi = 0xffff,
				       .dport_hi = 0xffff,
				       .in_port_hi = 0xffff};
	struct esw_key k[6];
	uint32_t lens[6] = {60, 60, 60, 60, 60, 60}, e;
	struct esw_result r[6];

	(void)state;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_acl(esw, "filter", 64, &drop, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	assert_int_equal(esw_acl_add(p, &any_tcp, &unit2, NULL), 0);
	assert_int_equal(esw_acl_add(p, &dhcp, &unit1, NULL), 0);
	assert_int_equal(esw_acl_add(p, &h323, &unit1, &e), 0);
	/* Nothing before the first commit. */
	k[0] = v4key(17, 1, 2, 68, 67);
	assert_int_equal(esw_classify_burst(esw, k, lens, 1, r), 0);
	assert_int_equal(r[0].fate, ESW_FATE_DROP);
	assert_int_equal(esw_acl_commit(p), 0);
	k[1] = v4key(6, 1, 2, 1720, 1023);
	k[2] = v4key(6, 1, 2, 1720, 1036);
	k[3] = v4key(6, 1, 2, 1720, 1037); /* out of range: the catch-all */
	k[4] = v4key(17, 1, 2, 67, 68);	   /* reversed: no rule */
	k[5] = v4key(6, 1, 2, 1720, 1030);
	k[5].ip_ver = 6; /* IPv6 matches port rules too */
	memset(k[5].src_ip, 0, 16);
	assert_int_equal(esw_classify_burst(esw, k, lens, 6, r), 0);
	assert_int_equal(r[0].mark, 1);
	assert_int_equal(r[1].mark, 1);
	assert_int_equal(r[2].mark, 1);
	assert_int_equal(r[3].mark, 2);
	assert_int_equal(r[4].fate, ESW_FATE_DROP);
	assert_false(r[4].marked);
	assert_int_equal(r[5].mark, 1);
	/* Deleting takes effect at the next commit. */
	assert_int_equal(esw_acl_del(p, e), 0);
	assert_int_equal(esw_acl_commit(p), 0);
	assert_int_equal(esw_classify_burst(esw, &k[1], lens, 1, r), 0);
	assert_int_equal(r[0].mark, 2);
	/* Bad rules are refused. */
	struct esw_acl_rule bad = any_tcp;

	bad.dport_lo = 10;
	bad.dport_hi = 9;
	assert_int_equal(esw_acl_add(p, &bad, &unit1, NULL), -EINVAL);
	bad = any_tcp;
	bad.priority = ESW_ACL_MAX_PRIORITY + 1;
	assert_int_equal(esw_acl_add(p, &bad, &unit1, NULL), -EINVAL);
	esw_destroy(esw);
}

/*
 * A deleted ACL rule keeps matching, with its own actions, until a context
 * built after its deletion is in force (esw_acl_build() then
 * esw_acl_swap()); its id is not reused before, so a rule added meanwhile
 * cannot lend its actions to the old rule's packets.
 */
static void test_acl_delete_until_swap(void **state)
{
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_actions miss = {.fate = ESW_FATE_DROP};
	struct esw_actions to1 = {.fate = ESW_FATE_PORT, .port = 1};
	struct esw_actions to2 = {.fate = ESW_FATE_PORT, .port = 2};
	struct esw_actions to3 = {.fate = ESW_FATE_PORT, .port = 3};
	struct esw_acl_rule dns = {.proto = 17,
				   .proto_mask = 0xff,
				   .sport_hi = 0xffff,
				   .dport_lo = 53,
				   .dport_hi = 53,
				   .in_port_hi = 0xffff};
	struct esw_key k = v4key(17, 0x0a000001, 0x0a000002, 5000, 53);
	struct esw_pipe_info info;
	uint32_t len = 64, a, b, c, d;
	struct esw_result r;
	uint64_t pk, by;

	(void)state;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_acl(esw, "acl", 4, &miss, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	assert_int_equal(esw_acl_swap(p), -ENODATA); /* nothing built */
	assert_int_equal(esw_acl_add(p, &dns, &to1, &a), 0);
	assert_int_equal(esw_acl_commit(p), 0);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.port, 1);

	/* Deleted: gone from the API, still matched by the context in force. */
	assert_int_equal(esw_acl_del(p, a), 0);
	assert_int_equal(esw_entry_stats(p, a, &pk, &by), -ENOENT);
	assert_int_equal(esw_acl_del(p, a), -ENOENT);
	assert_int_equal(esw_pipes(esw, &info, 1), 1);
	assert_int_equal(info.entries, 0);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.fate, ESW_FATE_PORT);
	assert_int_equal(r.port, 1);
	/* A rule added meanwhile gets another id: the old rule's packets keep port 1. */
	assert_int_equal(esw_acl_add(p, &dns, &to2, &b), 0);
	assert_int_not_equal(b, a);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.port, 1);
	assert_int_equal(esw_acl_build(p), 0);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.port, 1); /* built, not in force yet */
	assert_int_equal(esw_acl_swap(p), 0);
	assert_int_equal(esw_acl_swap(p), -ENODATA);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.port, 2);

	/* A deletion after the build waits for the next one. */
	assert_int_equal(esw_acl_add(p, &dns, &to3, &c), 0);
	dns.dport_lo = dns.dport_hi = 54;
	assert_int_equal(esw_acl_add(p, &dns, &to1, &d), 0);
	assert_int_equal(esw_acl_commit(p), 0);
	assert_int_equal(esw_acl_del(p, b), 0);
	assert_int_equal(esw_acl_build(p), 0);
	assert_int_equal(esw_acl_del(p, c), 0);
	assert_int_equal(esw_acl_swap(p), 0);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.port, 3); /* c: deleted after the build, still in force */
	{
		uint32_t e;

		/* c's id is still the context's: a new rule gets another. */
		assert_int_equal(esw_acl_add(p, &dns, &to1, &e), 0);
		assert_int_not_equal(e, c);
		assert_int_equal(esw_acl_del(p, e), 0);
		assert_int_equal(esw_acl_commit(p), 0); /* c and e go */
	}
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.fate, ESW_FATE_DROP); /* port 53: no rule left */
	assert_int_equal(esw_pipes(esw, &info, 1), 1);
	assert_int_equal(info.entries, 1); /* d */
	esw_destroy(esw);
}

static void test_pipe_chain(void **state)
{
	struct esw *esw;
	struct esw_pipe *acl, *fwd;
	struct esw_key mask;
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_actions to_port5 = {.fate = ESW_FATE_PORT, .port = 5};
	struct esw_acl_rule web = {.proto = 6,
				   .proto_mask = 0xff,
				   .sport_hi = 0xffff,
				   .dport_lo = 80,
				   .dport_hi = 80,
				   .in_port_hi = 0xffff};
	struct esw_actions mark_and_go;
	struct esw_key k[2];
	uint32_t lens[2] = {64, 64};
	struct esw_result r[2];

	(void)state;
	memset(&mask, 0, sizeof(mask));
	mask.in_port = 0xffff;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "by-port", &mask, 8, &drop, &fwd), 0);
	mark_and_go = (struct esw_actions){.fate = ESW_FATE_PIPE,
					   .pipe = fwd,
					   .set_mark = true,
					   .mark = 9,
					   .mirror = true,
					   .mirror_port = 3};
	assert_int_equal(esw_pipe_create_acl(esw, "classify", 8, &drop, &acl), 0);
	assert_int_equal(esw_set_root(esw, acl), 0);
	/* An empty rule set commits, and everything goes the miss way. */
	assert_int_equal(esw_acl_commit(acl), 0);
	k[0] = v4key(6, 1, 2, 5000, 80);
	assert_int_equal(esw_classify_burst(esw, k, lens, 1, r), 0);
	assert_int_equal(r[0].fate, ESW_FATE_DROP);
	assert_false(r[0].marked);
	assert_int_equal(esw_acl_add(acl, &web, &mark_and_go, NULL), 0);
	assert_int_equal(esw_acl_commit(acl), 0);
	k[0] = v4key(6, 1, 2, 5000, 80);
	k[0].in_port = 1;
	assert_int_equal(esw_exact_add(fwd, &k[0], &to_port5, NULL), 0);
	k[1] = k[0];
	k[1].in_port = 2; /* passes the ACL, misses in the next pipe */
	assert_int_equal(esw_classify_burst(esw, k, lens, 2, r), 0);
	assert_int_equal(r[0].fate, ESW_FATE_PORT);
	assert_int_equal(r[0].port, 5);
	assert_int_equal(r[0].mark, 9);
	assert_true(r[0].mirrored); /* a copy to port 3 as well */
	assert_int_equal(r[0].mirror_port, 3);
	assert_int_equal(r[1].fate, ESW_FATE_DROP);
	assert_true(r[1].marked);   /* the mark set on the way stays */
	assert_true(r[1].mirrored); /* and so does the mirror */
	/* A loop of pipes ends in a drop, not a hang. */
	struct esw_actions loop = {.fate = ESW_FATE_PIPE, .pipe = acl};
	struct esw_key lk = k[0];

	lk.in_port = 7;
	assert_int_equal(esw_exact_add(fwd, &lk, &loop, NULL), 0);
	assert_int_equal(esw_classify_burst(esw, &lk, lens, 1, r), 0);
	assert_int_equal(r[0].fate, ESW_FATE_DROP);
	esw_destroy(esw);
}

/*
 * Pipes go while the others carry on: refused while something sends
 * packets to them (an entry, a miss, an ACL rule deleted but not swapped
 * out), the root may go, a freed slot is taken by the next pipe and exact
 * entries reach it through their words.
 */
static void test_pipe_destroy(void **state)
{
	struct esw *esw, *other;
	struct esw_pipe *front, *mid, *acl, *fresh, *lpm2, *foreign;
	struct esw_key mask, k = v4key(6, 0x0a000001, 0x0b000001, 1000, 80);
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_actions to4 = {.fate = ESW_FATE_PORT, .port = 4};
	struct esw_actions to7 = {.fate = ESW_FATE_PORT, .port = 7};
	struct esw_actions to_mid, to_fresh;
	struct esw_acl_rule any = {.sport_hi = 0xffff, .dport_hi = 0xffff, .in_port_hi = 0xffff};
	struct esw_pipe_info info[8];
	uint8_t net[4] = {11, 0, 0, 0};
	uint32_t lens[1] = {64}, e_front, e_acl;
	struct esw_result r[1];

	(void)state;
	memset(&mask, 0, sizeof(mask));
	mask.in_port = 0xffff;
	k.in_port = 1;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "front", &mask, 8, &drop, &front), 0);
	assert_int_equal(esw_pipe_create_lpm(esw, "mid", 8, &drop, &mid), 0);
	to_mid = (struct esw_actions){.fate = ESW_FATE_PIPE, .pipe = mid};
	assert_int_equal(esw_pipe_create_acl(esw, "acl", 8, &to_mid, &acl), 0);
	assert_int_equal(esw_set_root(esw, front), 0);
	assert_int_equal(esw_exact_add(front, &k, &to_mid, &e_front), 0);
	assert_int_equal(esw_lpm_add(mid, 4, net, 8, &to4, 1, NULL), 0);
	assert_int_equal(esw_classify_burst(esw, &k, lens, 1, r), 0);
	assert_int_equal(r[0].port, 4);

	/* Refused while an entry or a miss sends packets there. */
	assert_int_equal(esw_pipe_destroy(esw, mid), -EBUSY);
	assert_int_equal(esw_exact_del(front, e_front), 0);
	assert_int_equal(esw_pipe_destroy(esw, mid), -EBUSY); /* acl's miss */
	assert_int_equal(esw_pipe_destroy(esw, acl), 0);
	assert_int_equal(esw_pipes(esw, info, 8), 2);
	assert_int_equal(esw_pipe_destroy(esw, mid), 0);
	assert_int_equal(esw_pipes(esw, info, 8), 1);
	assert_string_equal(info[0].name, "front");

	/* A freed slot for the next pipe; an exact entry's word reaches it. */
	assert_int_equal(esw_pipe_create_exact(esw, "fresh", &mask, 8, &drop, &fresh), 0);
	to_fresh = (struct esw_actions){.fate = ESW_FATE_PIPE, .pipe = fresh};
	assert_int_equal(esw_exact_add(front, &k, &to_fresh, &e_front), 0);
	assert_int_equal(esw_exact_add(fresh, &k, &to7, NULL), 0);
	assert_int_equal(esw_classify_burst(esw, &k, lens, 1, r), 0);
	assert_int_equal(r[0].fate, ESW_FATE_PORT);
	assert_int_equal(r[0].port, 7);
	/* DPDK names free again: another LPM pipe, routes and all. */
	assert_int_equal(esw_pipe_create_lpm(esw, "mid2", 8, &drop, &lpm2), 0);
	assert_int_equal(esw_lpm_add(lpm2, 4, net, 8, &to4, 1, NULL), 0);
	assert_int_equal(esw_pipes(esw, info, 8), 3);

	/* An ACL rule deleted but still in force holds its target. */
	assert_int_equal(esw_pipe_create_acl(esw, "acl2", 8, &drop, &acl), 0);
	assert_int_equal(esw_acl_add(acl, &any,
				     &(struct esw_actions){.fate = ESW_FATE_PIPE, .pipe = lpm2},
				     &e_acl),
			 0);
	assert_int_equal(esw_acl_commit(acl), 0);
	assert_int_equal(esw_acl_del(acl, e_acl), 0);
	assert_int_equal(esw_pipe_destroy(esw, lpm2), -EBUSY);
	assert_int_equal(esw_acl_commit(acl), 0);
	assert_int_equal(esw_pipe_destroy(esw, lpm2), 0);

	/* The root may go: nothing is classified until another is set. */
	assert_int_equal(esw_pipe_destroy(esw, front), 0);
	assert_int_equal(esw_classify_burst(esw, &k, lens, 1, r), -EINVAL);
	assert_int_equal(esw_set_root(esw, fresh), 0);
	assert_int_equal(esw_classify_burst(esw, &k, lens, 1, r), 0);
	assert_int_equal(r[0].port, 7);

	/* Not a pipe of this switch. */
	assert_int_equal(esw_create(&other), 0);
	assert_int_equal(esw_pipe_create_exact(other, "x", &mask, 8, &drop, &foreign), 0);
	assert_int_equal(esw_pipe_destroy(esw, foreign), -EINVAL);
	assert_int_equal(esw_pipe_destroy(esw, NULL), -EINVAL);
	esw_destroy(other);
	esw_destroy(esw);
}

/* Any entry's actions changed in place: in force at once, id and counters kept. */
static void test_entry_update(void **state)
{
	struct esw *esw;
	struct esw_pipe *acl, *lpm, *ex;
	struct esw_key mask, k = v4key(17, 0x0a000001, 0x0b000001, 1000, 53);
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_actions mark1 = {.fate = ESW_FATE_PORT, .port = 1, .set_mark = true, .mark = 1};
	struct esw_actions mark2 = {.fate = ESW_FATE_PORT, .port = 2, .set_mark = true, .mark = 2};
	struct esw_actions two[2] = {mark1, mark2}, to_lpm;
	struct esw_acl_rule dns = {.proto = 17,
				   .proto_mask = 0xff,
				   .sport_hi = 0xffff,
				   .dport_lo = 53,
				   .dport_hi = 53,
				   .in_port_hi = 0xffff};
	uint8_t net[4] = {11, 0, 0, 0};
	uint32_t lens[1] = {100}, e_acl, e_lpm, e_ex;
	uint64_t pk, by;
	struct esw_result r[1];

	(void)state;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_lpm(esw, "lpm", 8, &drop, &lpm), 0);
	to_lpm = (struct esw_actions){.fate = ESW_FATE_PIPE, .pipe = lpm};
	assert_int_equal(esw_pipe_create_acl(esw, "acl", 8, &drop, &acl), 0);
	assert_int_equal(esw_set_root(esw, acl), 0);
	assert_int_equal(esw_acl_add(acl, &dns, &mark1, &e_acl), 0);
	assert_int_equal(esw_acl_commit(acl), 0);
	assert_int_equal(esw_classify_burst(esw, &k, lens, 1, r), 0);
	assert_int_equal(r[0].mark, 1);

	/* ACL: no compile, the rule's new actions at once. */
	assert_int_equal(esw_entry_update(acl, e_acl, &to_lpm, 1), 0);
	assert_int_equal(esw_lpm_add(lpm, 4, net, 8, two, 2, &e_lpm), 0);
	assert_int_equal(esw_classify_burst(esw, &k, lens, 1, r), 0);
	assert_true(r[0].mark == 1 || r[0].mark == 2); /* one of the group */
	assert_int_equal(esw_entry_stats(acl, e_acl, &pk, &by), 0);
	assert_int_equal(pk, 2); /* both hits, before and after */
	assert_int_equal(by, 200);

	/* LPM: the group becomes one next hop; same id, counters kept. */
	assert_int_equal(esw_entry_update(lpm, e_lpm, &mark2, 1), 0);
	assert_int_equal(esw_classify_burst(esw, &k, lens, 1, r), 0);
	assert_int_equal(r[0].mark, 2);
	assert_int_equal(r[0].port, 2);
	assert_int_equal(esw_entry_stats(lpm, e_lpm, &pk, &by), 0);
	assert_int_equal(pk, 2);

	/* Exact: through esw_exact_update(). */
	memset(&mask, 0, sizeof(mask));
	mask.in_port = 0xffff;
	assert_int_equal(esw_pipe_create_exact(esw, "ex", &mask, 8, &drop, &ex), 0);
	assert_int_equal(esw_exact_add(ex, &k, &mark1, &e_ex), 0);
	assert_int_equal(esw_set_root(esw, ex), 0);
	assert_int_equal(esw_classify_burst(esw, &k, lens, 1, r), 0);
	assert_int_equal(esw_entry_update(ex, e_ex, &mark2, 1), 0);
	assert_int_equal(esw_classify_burst(esw, &k, lens, 1, r), 0);
	assert_int_equal(r[0].mark, 2);
	assert_int_equal(esw_entry_stats(ex, e_ex, &pk, &by), 0);
	assert_int_equal(pk, 2);

	/* Refused: a group outside LPM, no actions, an entry that is not there. */
	assert_int_equal(esw_entry_update(ex, e_ex, two, 2), -EINVAL);
	assert_int_equal(esw_entry_update(acl, e_acl, two, 0), -EINVAL);
	assert_int_equal(esw_entry_update(acl, e_acl + 1, &mark1, 1), -ENOENT);
	assert_int_equal(esw_acl_del(acl, e_acl), 0);
	assert_int_equal(esw_entry_update(acl, e_acl, &mark1, 1), -ENOENT);
	esw_destroy(esw);
}

static void test_lpm_pipe(void **state)
{
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_actions miss = {.fate = ESW_FATE_PORT, .port = 99};
	struct esw_actions a[ESW_ECMP_MAX];
	uint8_t net8[4] = {10, 0, 0, 0}, net24[4] = {10, 1, 2, 0}, host[4] = {10, 1, 2, 3};
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
	struct esw_key k[4];
	uint32_t lens[4] = {64, 64, 64, 64}, e8, e24, e32, e6, again;
	struct esw_result r[4];
	uint64_t pk, by;

	(void)state;
	for (int i = 0; i < ESW_ECMP_MAX; i++) {
		a[i] = (struct esw_actions){.fate = ESW_FATE_PORT, .port = (uint16_t)i};
	}
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_lpm(esw, "fib", 64, &miss, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	assert_int_equal(esw_lpm_add(p, 4, net8, 8, &a[1], 1, &e8), 0);
	assert_int_equal(esw_lpm_add(p, 4, net24, 24, &a[2], 1, &e24), 0);
	assert_int_equal(esw_lpm_add(p, 4, host, 32, &a[3], 1, &e32), 0);
	assert_int_equal(esw_lpm_add(p, 6, v6, 32, &a[6], 1, &e6), 0);
	/* Host bits beyond the depth are ignored: the same route, replaced in place. */
	assert_int_equal(esw_lpm_add(p, 4, host, 8, &a[4], 1, &again), 0);
	assert_int_equal(again, e8);
	/* Announced again as it was: the same route, the same next hop. */
	assert_int_equal(esw_lpm_add(p, 4, net24, 24, &a[2], 1, &again), 0);
	assert_int_equal(again, e24);
	k[0] = v4key(6, 1, 0x0a010203, 1, 2); /* /32 */
	k[1] = v4key(6, 1, 0x0a010209, 1, 2); /* /24 */
	k[2] = v4key(6, 1, 0x0a090909, 1, 2); /* /8, replaced: port 4 */
	k[3] = v4key(6, 1, 0x0b000001, 1, 2); /* no route */
	assert_int_equal(esw_classify_burst(esw, k, lens, 4, r), 0);
	assert_int_equal(r[0].port, 3);
	assert_int_equal(r[1].port, 2);
	assert_int_equal(r[2].port, 4);
	assert_int_equal(r[3].port, 99);
	/* IPv6, and a non-IP frame (misses). */
	memset(&k[0], 0, sizeof(k[0]));
	k[0].ip_ver = 6;
	memcpy(k[0].dst_ip, v6, 16);
	k[0].dst_ip[15] = 7;
	memset(&k[1], 0, sizeof(k[1]));
	k[1].ethertype = 0x0806;
	assert_int_equal(esw_classify_burst(esw, k, lens, 2, r), 0);
	assert_int_equal(r[0].port, 6);
	assert_int_equal(r[1].port, 99);
	assert_int_equal(esw_entry_stats(p, e6, &pk, &by), 0);
	assert_int_equal(pk, 1);
	/* Delete the /32: the /24 takes over. */
	assert_int_equal(esw_lpm_del(p, e32), 0);
	assert_int_equal(esw_lpm_del(p, e32), -ENOENT);
	k[0] = v4key(6, 1, 0x0a010203, 1, 2);
	assert_int_equal(esw_classify_burst(esw, k, lens, 1, r), 0);
	assert_int_equal(r[0].port, 2);
	/* Bad routes. */
	assert_int_equal(esw_lpm_add(p, 4, net8, 33, &a[0], 1, NULL), -EINVAL);
	assert_int_equal(esw_lpm_add(p, 4, net8, 0, &a[0], 1, NULL), -EINVAL);
	assert_int_equal(esw_lpm_add(p, 5, net8, 8, &a[0], 1, NULL), -EINVAL);
	assert_int_equal(esw_lpm_add(p, 4, net8, 8, &a[0], ESW_ECMP_MAX + 1, NULL), -EINVAL);
	esw_destroy(esw);
}

static void test_lpm_ecmp(void **state)
{
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_actions miss = {.fate = ESW_FATE_DROP};
	struct esw_actions a[ESW_ECMP_MAX];
	uint8_t net[4] = {10, 0, 0, 0};
	unsigned int seen[ESW_ECMP_MAX] = {0};
	uint32_t lens[ESW_BURST_MAX];

	(void)state;
	for (int i = 0; i < ESW_ECMP_MAX; i++) {
		a[i] = (struct esw_actions){.fate = ESW_FATE_PORT, .port = (uint16_t)i};
	}
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_lpm(esw, "fib", 8, &miss, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	assert_int_equal(esw_lpm_add(p, 4, net, 8, a, ESW_ECMP_MAX, NULL), 0);
	for (int b = 0; b < 200; b++) {
		struct esw_key k[ESW_BURST_MAX];
		struct esw_result r1[ESW_BURST_MAX], r2[ESW_BURST_MAX];

		for (int i = 0; i < ESW_BURST_MAX; i++) {
			k[i] = v4key(6, 0x0b000000 | (uint32_t)(b * 64 + i), 0x0a000001,
				     (uint16_t)(1000 + i), 80);
			lens[i] = 64;
		}
		assert_int_equal(esw_classify_burst(esw, k, lens, ESW_BURST_MAX, r1), 0);
		assert_int_equal(esw_classify_burst(esw, k, lens, ESW_BURST_MAX, r2), 0);
		for (int i = 0; i < ESW_BURST_MAX; i++) {
			assert_int_equal(r1[i].fate, ESW_FATE_PORT);
			/* A flow always takes the same member. */
			assert_int_equal(r1[i].port, r2[i].port);
			seen[r1[i].port]++;
		}
	}
	/* 12,800 flows over 64 members: every member used, none hogging. */
	for (int i = 0; i < ESW_ECMP_MAX; i++) {
		assert_in_range(seen[i], 100, 400);
	}
	/* Replacing the group with one next hop frees the group. */
	assert_int_equal(esw_lpm_add(p, 4, net, 8, &a[5], 1, NULL), 0);
	struct esw_key k = v4key(6, 1, 0x0a000001, 1, 80);
	struct esw_result r;

	assert_int_equal(esw_classify_burst(esw, &k, lens, 1, &r), 0);
	assert_int_equal(r.port, 5);
	esw_destroy(esw);
}

/* More distinct actions than an LPM pipe keeps as shared sets: all still right. */
/*
 * A small pipe filled to the brim and churned: adds, replaces and deletes
 * of 200 IPv4/IPv6 prefixes against a model; a replace keeps the id, a
 * delete lets the prefix come back as a new route, the pipe holds as many
 * routes as it was made for (its RIB's branch points and the IPv6 trie's
 * tbl8 groups count apart).
 */
static void test_lpm_churn_full(void **state)
{
	struct esw_actions a = {.fate = ESW_FATE_PORT, .port = 1, .set_mark = true};
	uint32_t id[200], n = 0;
	uint64_t s = 0x5eed;
	struct esw_pipe_info info;
	struct esw_pipe *p;
	struct esw *esw;

	(void)state;
	memset(id, 0xff, sizeof(id));
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_lpm(esw, "small", 64, NULL, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	for (int op = 0; op < 5000; op++) {
		uint32_t r, k, got;
		uint8_t addr[16] = {0}, depth;
		int family;

		s ^= s >> 12;
		s ^= s << 25;
		s ^= s >> 27;
		r = (uint32_t)((s * 0x2545F4914F6CDD1DULL) >> 32);
		k = r % 200;
		/* prefix k: 10.k.0.0/16+k%9 or 2001:db8:k::/48+k%9, masks that collide */
		family = k % 2 ? 6 : 4;
		depth = (uint8_t)((family == 4 ? 16 : 48) + k % 9);
		addr[0] = family == 4 ? 10 : 0x20;
		addr[family == 4 ? 1 : 5] = (uint8_t)(k / 2);
		a.mark = r;
		if (id[k] != UINT32_MAX && (r >> 8) % 3 == 0) {
			assert_int_equal(esw_lpm_del(p, id[k]), 0);
			id[k] = UINT32_MAX;
			n--;
		} else if (id[k] != UINT32_MAX) {
			assert_int_equal(esw_lpm_add(p, family, addr, depth, &a, 1, &got), 0);
			assert_int_equal(got, id[k]); /* replaced in place */
		} else if (n < 64) {
			assert_int_equal(esw_lpm_add(p, family, addr, depth, &a, 1, &id[k]), 0);
			n++;
		} else {
			assert_int_equal(esw_lpm_add(p, family, addr, depth, &a, 1, &got), -ENOSPC);
		}
	}
	assert_int_equal(esw_pipes(esw, &info, 1), 1);
	assert_int_equal(info.entries, n);
	esw_destroy(esw);
}

/*
 * An IPv6 route added and deleted again and again beside one that stays:
 * rte_fib6 (DPDK 22.11) loses tbl8 groups on each delete, so the pipe
 * makes its FIB anew when an add runs short; the routes answer the same.
 */
static void test_lpm_ipv6_churn(void **state)
{
	struct esw_actions a[2] = {{.fate = ESW_FATE_PORT, .port = 1},
				   {.fate = ESW_FATE_PORT, .port = 2}};
	uint8_t net32[16] = {0x20, 0x01, 0x0d, 0xb8}, net56[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 2};
	uint32_t len = 64, keep, id;
	struct esw_result r;
	struct esw_pipe *p;
	struct esw_key k;
	struct esw *esw;
	uint64_t pkts, bytes;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.ip_ver = 6;
	memcpy(k.dst_ip, net56, 16);
	k.dst_ip[15] = 1;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_lpm(esw, "v6", 8, NULL, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	assert_int_equal(esw_lpm_add(p, 6, net32, 32, &a[0], 1, &keep), 0);
	for (int i = 0; i < 1000; i++) { /* 256 groups, four held back a /56 */
		assert_int_equal(esw_lpm_add(p, 6, net56, 56, &a[1], 1, &id), 0);
		assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
		assert_int_equal(r.port, 2);
		assert_int_equal(esw_lpm_del(p, id), 0);
		assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
		assert_int_equal(r.port, 1);
	}
	assert_int_equal(esw_entry_stats(p, keep, &pkts, &bytes), 0);
	assert_int_equal(pkts, 1000); /* its counters through every new FIB */
	esw_destroy(esw);
}

static void test_lpm_many_action_sets(void **state)
{
	enum { ROUTES = 1500 };
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_actions miss = {.fate = ESW_FATE_DROP};
	uint32_t ids[ROUTES];

	(void)state;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_lpm(esw, "many", ROUTES, &miss, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	for (uint32_t i = 0; i < ROUTES; i++) {
		uint8_t a[4] = {10, (uint8_t)(i >> 8), (uint8_t)i, 0};
		struct esw_actions act = {.fate = ESW_FATE_PORT,
					  .port = (uint16_t)(i % 7),
					  .set_mark = true,
					  .mark = 1000 + i};

		assert_int_equal(esw_lpm_add(p, 4, a, 24, &act, 1, &ids[i]), 0);
	}
	/* Replacing a route's actions keeps its entry (and moves it to another set). */
	struct esw_actions again = {.fate = ESW_FATE_PORT, .port = 6, .set_mark = true, .mark = 5};
	uint8_t a0[4] = {10, 0, 0, 0};
	uint32_t same;

	assert_int_equal(esw_lpm_add(p, 4, a0, 24, &again, 1, &same), 0);
	assert_int_equal(same, ids[0]);
	for (int round = 0; round < 3; round++) {
		for (uint32_t base = 0; base < ROUTES; base += ESW_BURST_MAX) {
			struct esw_key k[ESW_BURST_MAX];
			uint32_t lens[ESW_BURST_MAX];
			struct esw_result r[ESW_BURST_MAX];
			unsigned int n = DPU_MIN(ROUTES - base, (uint32_t)ESW_BURST_MAX);

			for (unsigned int i = 0; i < n; i++) {
				uint32_t rt = base + i;

				memset(&k[i], 0, sizeof(k[i]));
				k[i].ip_ver = 4;
				k[i].dst_ip[0] = 10;
				k[i].dst_ip[1] = (uint8_t)(rt >> 8);
				k[i].dst_ip[2] = (uint8_t)rt;
				k[i].dst_ip[3] = 77;
				lens[i] = 100 + rt;
			}
			assert_int_equal(esw_classify_burst(esw, k, lens, n, r), 0);
			for (unsigned int i = 0; i < n; i++) {
				uint32_t rt = base + i;

				assert_int_equal(r[i].fate, ESW_FATE_PORT);
				assert_int_equal(r[i].port, rt == 0 ? 6 : rt % 7);
				assert_true(r[i].marked);
				assert_int_equal(r[i].mark, rt == 0 ? 5 : 1000 + rt);
			}
		}
	}
	for (uint32_t i = 0; i < ROUTES; i++) {
		uint64_t pk, by;

		assert_int_equal(esw_entry_stats(p, ids[i], &pk, &by), 0);
		assert_int_equal(pk, 3);
		assert_int_equal(by, 3 * (100 + i));
	}
	esw_destroy(esw);
}

static void test_vrf_by_in_port(void **state)
{
	struct esw *esw;
	struct esw_pipe *sel, *red, *blue;
	struct esw_key mask;
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_actions to1 = {.fate = ESW_FATE_PORT, .port = 1};
	struct esw_actions to2 = {.fate = ESW_FATE_PORT, .port = 2};
	uint8_t net[4] = {10, 0, 0, 0};
	struct esw_key k[2];
	uint32_t lens[2] = {64, 64};
	struct esw_result r[2];

	(void)state;
	memset(&mask, 0, sizeof(mask));
	mask.in_port = 0xffff;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_lpm(esw, "vrf-red", 8, &drop, &red), 0);
	assert_int_equal(esw_pipe_create_lpm(esw, "vrf-blue", 8, &drop, &blue), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "vrf-select", &mask, 8, &drop, &sel), 0);
	/* The same prefix, a different next hop in each VRF. */
	assert_int_equal(esw_lpm_add(red, 4, net, 8, &to1, 1, NULL), 0);
	assert_int_equal(esw_lpm_add(blue, 4, net, 8, &to2, 1, NULL), 0);
	k[0] = v4key(6, 1, 0x0a000001, 1, 2);
	k[0].in_port = 10;
	k[1] = k[0];
	k[1].in_port = 20;
	struct esw_actions go_red = {.fate = ESW_FATE_PIPE, .pipe = red};
	struct esw_actions go_blue = {.fate = ESW_FATE_PIPE, .pipe = blue};

	assert_int_equal(esw_exact_add(sel, &k[0], &go_red, NULL), 0);
	assert_int_equal(esw_exact_add(sel, &k[1], &go_blue, NULL), 0);
	assert_int_equal(esw_set_root(esw, sel), 0);
	assert_int_equal(esw_classify_burst(esw, k, lens, 2, r), 0);
	assert_int_equal(r[0].port, 1);
	assert_int_equal(r[1].port, 2);
	esw_destroy(esw);
}

/* ------------------------------------------------------------ property tests */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: fast, seeded, the same on every machine */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint64_t seed(void)
{
	const char *s = getenv("ESW_TEST_SEED");
	uint64_t v = s ? strtoull(s, NULL, 0) : 0x5eed;

	print_message("# seed %llu (ESW_TEST_SEED to replay)\n", (unsigned long long)v);
	return v ? v : 1;
}

/* Small domains, so random packets often hit random rules. */
static struct esw_key random_key(void)
{
	static const uint8_t protos[] = {6, 17, 1, 47};
	struct esw_key k =
		v4key(protos[rnd() % 4], 0x0a000000 | (rnd() % 8), 0x0a000100 | (rnd() % 8),
		      (uint16_t)(rnd() % 16), (uint16_t)(1000 + rnd() % 16));

	k.in_port = (uint16_t)(rnd() % 4);
	k.vlan_id = (uint16_t)(rnd() % 3);
	if (rnd() % 4 == 0) {
		k.ip_ver = 6;
		memset(k.src_ip, 0, 16);
		memset(k.dst_ip, 0, 16);
		k.src_ip[15] = (uint8_t)(rnd() % 8);
	}
	return k;
}

static bool ref_acl_match(const struct esw_acl_rule *r, const struct esw_key *k)
{
	uint32_t s = 0, d = 0;
	uint8_t ver = (r->src4_len || r->dst4_len) ? 4 : r->ip_ver;

	if (k->ip_ver == 4) {
		memcpy(&s, k->src_ip, 4);
		memcpy(&d, k->dst_ip, 4);
		s = ntohl(s);
		d = ntohl(d);
	}
	if ((k->ip_proto & r->proto_mask) != (r->proto & r->proto_mask)) {
		return false;
	}
	if (r->src4_len && (s >> (32 - r->src4_len)) != (r->src4 >> (32 - r->src4_len))) {
		return false;
	}
	if (r->dst4_len && (d >> (32 - r->dst4_len)) != (r->dst4 >> (32 - r->dst4_len))) {
		return false;
	}
	return k->sport >= r->sport_lo && k->sport <= r->sport_hi && k->dport >= r->dport_lo &&
	       k->dport <= r->dport_hi && k->in_port >= r->in_port_lo &&
	       k->in_port <= r->in_port_hi && (ver == 0 || k->ip_ver == ver);
}

static void test_acl_against_reference(void **state)
{
	enum { ROUNDS = 20, RULES = 200, PKTS = 640 };
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	uint64_t checked = 0, hits = 0;

	(void)state;
	rng_state = seed();
	for (int round = 0; round < ROUNDS; round++) {
		struct esw *esw;
		struct esw_pipe *p;
		static struct esw_acl_rule rules[RULES];
		bool live[RULES];

		assert_int_equal(esw_create(&esw), 0);
		assert_int_equal(esw_pipe_create_acl(esw, "acl", RULES, &drop, &p), 0);
		assert_int_equal(esw_set_root(esw, p), 0);
		for (int i = 0; i < RULES; i++) {
			struct esw_acl_rule *r = &rules[i];
			struct esw_actions a = {.fate = ESW_FATE_PORT,
						.port = (uint16_t)i,
						.set_mark = true,
						.mark = (uint32_t)i};
			uint32_t id;

			memset(r, 0, sizeof(*r));
			r->priority = rnd() % 8;
			if (rnd() % 3) {
				r->proto = (uint8_t)(rnd() % 2 ? 6 : 17);
				r->proto_mask = 0xff;
			}
			r->sport_lo = (uint16_t)(rnd() % 16);
			r->sport_hi = (uint16_t)(r->sport_lo + rnd() % 16);
			r->dport_lo = (uint16_t)(1000 + rnd() % 16);
			r->dport_hi = (uint16_t)(r->dport_lo + rnd() % 8);
			r->in_port_lo = (uint16_t)(rnd() % 4);
			r->in_port_hi = (uint16_t)(r->in_port_lo + rnd() % 4);
			if (rnd() % 4 == 0) {
				r->src4 = 0x0a000000 | (rnd() % 8);
				r->src4_len = (uint8_t)(29 + rnd() % 4);
			}
			if (rnd() % 5 == 0) {
				r->ip_ver = rnd() % 2 ? 6 : 0;
				if (r->ip_ver == 6) {
					r->src4_len = 0;
				}
			}
			assert_int_equal(esw_acl_add(p, r, &a, &id), 0);
			assert_int_equal(id, (uint32_t)i);
			live[i] = true;
		}
		/* Delete some, so the reference must skip them too. */
		for (int i = 0; i < RULES / 10; i++) {
			int victim = (int)(rnd() % RULES);

			if (live[victim]) {
				assert_int_equal(esw_acl_del(p, (uint32_t)victim), 0);
				live[victim] = false;
			}
		}
		assert_int_equal(esw_acl_commit(p), 0);
		for (int b = 0; b < PKTS / ESW_BURST_MAX; b++) {
			struct esw_key k[ESW_BURST_MAX];
			uint32_t lens[ESW_BURST_MAX];
			struct esw_result r[ESW_BURST_MAX];

			for (int i = 0; i < ESW_BURST_MAX; i++) {
				k[i] = random_key();
				lens[i] = 60 + rnd() % 1440;
			}
			assert_int_equal(esw_classify_burst(esw, k, lens, ESW_BURST_MAX, r), 0);
			for (int i = 0; i < ESW_BURST_MAX; i++) {
				int want = -1;

				for (int j = 0; j < RULES; j++) {
					if (live[j] && ref_acl_match(&rules[j], &k[i]) &&
					    (want < 0 ||
					     rules[j].priority < rules[want].priority)) {
						want = j;
					}
				}
				if (want < 0) {
					assert_int_equal(r[i].fate, ESW_FATE_DROP);
					assert_false(r[i].marked);
				} else if (!r[i].marked || r[i].mark != (uint32_t)want) {
					print_error(
						"round %d: packet proto %u sport %u dport %u in %u "
						"ver %u: want rule %d, got %s %u\n",
						round, k[i].ip_proto, k[i].sport, k[i].dport,
						k[i].in_port, k[i].ip_ver, want,
						r[i].marked ? "rule" : "none", r[i].mark);
					fail();
				}
				hits += want >= 0;
				checked++;
			}
		}
		esw_destroy(esw);
	}
	print_message("# %llu packets agreed with the reference (%llu hits)\n",
		      (unsigned long long)checked, (unsigned long long)hits);
	assert_true(hits > checked / 10);
}

static void test_exact_against_reference(void **state)
{
	enum { ROUNDS = 20, ENTRIES = 300, PKTS = 640 };
	struct esw_actions miss = {.fate = ESW_FATE_PORT, .port = 0xffff};
	uint64_t checked = 0, hits = 0;

	(void)state;
	rng_state = seed() + 1;
	for (int round = 0; round < ROUNDS; round++) {
		struct esw *esw;
		struct esw_pipe *p;
		struct esw_key mask;
		static struct esw_key ek[ENTRIES];
		static bool live[ENTRIES];
		static uint64_t cnt[ENTRIES], cbytes[ENTRIES];
		int n = 0;

		memset(cnt, 0, sizeof(cnt));
		memset(cbytes, 0, sizeof(cbytes));

		memset(&mask, 0, sizeof(mask));
		switch (round % 3) {
		case 0:
			mask = five_tuple_mask();
			break;
		case 1:
			mask.in_port = 0xffff;
			mask.vlan_id = 0xffff;
			mask.dport = 0xffff;
			break;
		default:
			mask.ip_ver = 0xff;
			memset(mask.src_ip, 0xff, 16);
			mask.ip_proto = 0xff;
		}
		assert_int_equal(esw_create(&esw), 0);
		assert_int_equal(esw_pipe_create_exact(esw, "x", &mask, ENTRIES, &miss, &p), 0);
		assert_int_equal(esw_set_root(esw, p), 0);
		for (int i = 0; i < ENTRIES; i++) {
			struct esw_key k = random_key();
			/* Actions that fit the hash's word and some that do not (big
			 * marks, ports past 255, mirrors). */
			struct esw_actions a = {.fate = ESW_FATE_PORT,
						.port = (uint16_t)n,
						.set_mark = n % 3 != 0,
						.mark = n % 5 == 0 ? (1u << 28) + (uint32_t)n
								   : (uint32_t)n * 7,
						.mirror = n % 7 == 0,
						.mirror_port = (uint16_t)(n + 1)};
			uint32_t id;
			int rc = esw_exact_add(p, &k, &a, &id);

			/* Duplicates under the mask are refused; the reference agrees. */
			bool dup = false;

			for (int j = 0; j < n; j++) {
				struct esw_key x = k;

				for (size_t b = 0; b < sizeof(x); b++) {
					((uint8_t *)&x)[b] &= ((uint8_t *)&mask)[b];
				}
				dup |= live[j] && memcmp(&x, &ek[j], sizeof(x)) == 0;
			}
			if (dup) {
				assert_int_equal(rc, -EEXIST);
				continue;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(id, (uint32_t)n);
			for (size_t b = 0; b < sizeof(k); b++) {
				((uint8_t *)&k)[b] &= ((uint8_t *)&mask)[b];
			}
			ek[n] = k;
			live[n] = true;
			n++;
		}
		for (int i = 0; i < n / 10; i++) {
			int v = (int)(rnd() % (uint32_t)n);

			if (live[v]) {
				assert_int_equal(esw_exact_del(p, (uint32_t)v), 0);
				live[v] = false;
			}
		}
		for (int b = 0; b < PKTS / ESW_BURST_MAX; b++) {
			struct esw_key k[ESW_BURST_MAX];
			uint32_t lens[ESW_BURST_MAX];
			struct esw_result r[ESW_BURST_MAX];

			for (int i = 0; i < ESW_BURST_MAX; i++) {
				k[i] = random_key();
				lens[i] = 60 + rnd() % 1440;
			}
			assert_int_equal(esw_classify_burst(esw, k, lens, ESW_BURST_MAX, r), 0);
			for (int i = 0; i < ESW_BURST_MAX; i++) {
				struct esw_key x = k[i];
				int want = -1;

				for (size_t bb = 0; bb < sizeof(x); bb++) {
					((uint8_t *)&x)[bb] &= ((uint8_t *)&mask)[bb];
				}
				for (int j = 0; j < n; j++) {
					if (live[j] && memcmp(&x, &ek[j], sizeof(x)) == 0) {
						want = j;
					}
				}
				assert_int_equal(r[i].fate, ESW_FATE_PORT);
				assert_int_equal(r[i].port, want < 0 ? 0xffff : want);
				if (want >= 0) {
					assert_int_equal(r[i].marked, want % 3 != 0);
					if (want % 3 != 0) {
						assert_int_equal(
							r[i].mark,
							want % 5 == 0 ? (1u << 28) + (uint32_t)want
								      : (uint32_t)want * 7);
					}
					assert_int_equal(r[i].mirrored, want % 7 == 0);
					if (want % 7 == 0) {
						assert_int_equal(r[i].mirror_port, want + 1);
					}
					cnt[want]++;
					cbytes[want] += lens[i];
				}
				hits += want >= 0;
				checked++;
			}
		}
		/* Every entry counted exactly what hit it (the hit log flushed on reading). */
		for (int j = 0; j < n; j++) {
			uint64_t pk, by;

			if (!live[j]) {
				continue;
			}
			assert_int_equal(esw_entry_stats(p, (uint32_t)j, &pk, &by), 0);
			assert_int_equal(pk, cnt[j]);
			assert_int_equal(by, cbytes[j]);
		}
		esw_destroy(esw);
	}
	print_message("# %llu packets agreed with the reference (%llu hits)\n",
		      (unsigned long long)checked, (unsigned long long)hits);
	assert_true(hits > checked / 10); /* the test exercised hits, not only misses */
}

/* ------------------------------------------------------------ edits, meters, queues */

/* One's complement sum of big-endian 16-bit words, folded: the reference checksum. */
static uint32_t sum16(const uint8_t *p, uint32_t n, uint32_t s)
{
	for (uint32_t i = 0; i + 1 < n; i += 2) {
		s += (uint32_t)p[i] << 8 | p[i + 1];
	}
	if (n & 1) {
		s += (uint32_t)p[n - 1] << 8;
	}
	while (s >> 16) {
		s = (s & 0xffff) + (s >> 16);
	}
	return s;
}

/* The L4 checksum's pseudo-header sum for the IP header at 'ip'. */
static uint32_t pseudo_sum(const uint8_t *ip, uint8_t proto, uint32_t l4_len)
{
	if ((ip[0] >> 4) == 4) {
		return sum16(ip + 12, 8, proto + l4_len);
	}
	return sum16(ip + 8, 32, proto + l4_len);
}

/* Fill in the IPv4 header checksum and the TCP/UDP one ('l4' offset, to the end). */
static void put_csums(uint8_t *f, uint32_t len, uint32_t l3, uint32_t l4, uint8_t proto)
{
	uint32_t at = proto == 6 ? 16 : 6;
	uint16_t c;

	if ((f[l3] >> 4) == 4) {
		f[l3 + 10] = f[l3 + 11] = 0;
		c = (uint16_t)~sum16(f + l3, l4 - l3, 0);
		f[l3 + 10] = (uint8_t)(c >> 8);
		f[l3 + 11] = (uint8_t)c;
	}
	f[l4 + at] = f[l4 + at + 1] = 0;
	c = (uint16_t)~sum16(f + l4, len - l4, pseudo_sum(f + l3, proto, len - l4));
	if (proto == 17 && c == 0) {
		c = 0xffff;
	}
	f[l4 + at] = (uint8_t)(c >> 8);
	f[l4 + at + 1] = (uint8_t)c;
}

static bool ipv4_csum_ok(const uint8_t *ip)
{
	return sum16(ip, (uint32_t)(ip[0] & 0x0f) * 4, 0) == 0xffff;
}

static bool l4_csum_ok(const uint8_t *f, uint32_t len, uint32_t l3, uint32_t l4, uint8_t proto)
{
	return sum16(f + l4, len - l4, pseudo_sum(f + l3, proto, len - l4)) == 0xffff;
}

/* Set the IPv4 total length / IPv6 payload length and the UDP length of a built frame. */
static void fix_lengths(struct frame *f, uint32_t l3, uint32_t l4, bool is_udp)
{
	if ((f->b[l3] >> 4) == 4) {
		f->b[l3 + 2] = (uint8_t)((f->len - l3) >> 8);
		f->b[l3 + 3] = (uint8_t)(f->len - l3);
	} else {
		f->b[l3 + 4] = (uint8_t)((f->len - l3 - 40) >> 8);
		f->b[l3 + 5] = (uint8_t)(f->len - l3 - 40);
	}
	if (is_udp) {
		f->b[l4 + 4] = (uint8_t)((f->len - l4) >> 8);
		f->b[l4 + 5] = (uint8_t)(f->len - l4);
	}
}

/* An inner frame: 10.1.0.1:1234 -> 10.1.0.2:80 over TCP, with a payload and checksums. */
static void inner_tcp(struct frame *f)
{
	static const uint8_t payload[] = "GET / HTTP/1.1\r\n";

	eth(f, 0x0800);
	ipv4(f, 6, "10.1.0.1", "10.1.0.2", 0, 0);
	tcp(f, 1234, 80, 0x18);
	put(f, payload, sizeof(payload) - 1);
	fix_lengths(f, 14, 34, false);
	put_csums(f->b, f->len, 14, 34, 6);
}

/* 'in' wrapped by Linux-style VXLAN: 192.0.2.1 -> 192.0.2.2, VNI 'vni'. */
static void vxlan_of(struct frame *out, const struct frame *in, uint32_t vni)
{
	uint8_t vx[8] = {0x08, 0, 0, 0, (uint8_t)(vni >> 16), (uint8_t)(vni >> 8), (uint8_t)vni, 0};

	eth(out, 0x0800);
	ipv4(out, 17, "192.0.2.1", "192.0.2.2", 0, 0);
	udp(out, 50000, 4789);
	put(out, vx, sizeof(vx));
	put(out, in->b, in->len);
	fix_lengths(out, 14, 34, true);
	put_csums(out->b, out->len, 14, 34, 17);
}

static void test_parse_vxlan_inner(void **state)
{
	struct frame in, f;
	struct esw_offsets off;
	struct esw_key k;

	(void)state;
	inner_tcp(&in);
	in.b[5] = 0x22; /* inner dst MAC 02:00:00:00:00:22 */
	vxlan_of(&f, &in, 100);
	assert_int_equal(esw_parse_offsets(f.b, f.len, 1, &k, &off), 0);
	assert_int_equal(off.l3, 14);
	assert_int_equal(off.l4, 34);
	assert_int_equal(off.inner, 50);
	assert_true(k.flags & ESW_KEY_VXLAN);
	assert_int_equal(k.vni, 100);
	assert_int_equal(k.dport, 4789);
	assert_int_equal(k.inner.ethertype, 0x0800);
	assert_int_equal(k.inner.ip_ver, 4);
	assert_int_equal(k.inner.ip_proto, 6);
	assert_int_equal(k.inner.sport, 1234);
	assert_int_equal(k.inner.dport, 80);
	assert_int_equal(k.inner.tcp_flags, 0x18);
	assert_int_equal(k.inner.flags, ESW_KEY_L3 | ESW_KEY_L4);
	assert_int_equal(k.inner.dst_mac[5], 0x22);
	assert_int_equal(k.inner.src_ip[3], 1);
	assert_int_equal(k.inner.dst_ip[3], 2);
	/* A VXLAN header with the VNI flag clear is plain UDP. */
	f.b[42] = 0;
	assert_int_equal(esw_parse(f.b, f.len, 1, &k), 0);
	assert_false(k.flags & ESW_KEY_VXLAN);
	assert_int_equal(k.inner.ip_ver, 0);
	/* An inner frame cut short is marked so, and nothing beyond is read. */
	f.b[42] = 0x08;
	assert_int_equal(esw_parse(f.b, 50 + 10, 1, &k), 0);
	assert_false(k.flags & ESW_KEY_VXLAN);
	assert_true(k.flags & ESW_KEY_TRUNC);
}

static void test_exact_inner_match(void **state)
{
	struct frame in, f;
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_key mask, k[2], e;
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_actions to1 = {.fate = ESW_FATE_PORT, .port = 1, .set_mark = true, .mark = 7};
	uint32_t lens[2] = {100, 100};
	struct esw_result r[2];

	(void)state;
	memset(&mask, 0, sizeof(mask));
	mask.vni = 0xffffff;
	memset(mask.inner.dst_ip, 0xff, 16);
	mask.inner.dport = 0xffff;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "tenant", &mask, 16, &drop, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	inner_tcp(&in);
	vxlan_of(&f, &in, 100);
	assert_int_equal(esw_parse(f.b, f.len, 0, &e), 0);
	assert_int_equal(esw_exact_add(p, &e, &to1, NULL), 0);
	k[0] = e;
	in.b[14 + 19] = 3; /* inner dst 10.1.0.3: another tenant host */
	vxlan_of(&f, &in, 100);
	assert_int_equal(esw_parse(f.b, f.len, 0, &k[1]), 0);
	assert_int_equal(esw_classify_burst(esw, k, lens, 2, r), 0);
	assert_int_equal(r[0].fate, ESW_FATE_PORT);
	assert_int_equal(r[0].mark, 7);
	assert_int_equal(r[1].fate, ESW_FATE_DROP);
	esw_destroy(esw);
}

/* HBN's shape: decap VNI 100, route the inner frame, rewrite MACs, TTL - 1. */
static void test_decap_route_rewrite(void **state)
{
	static const uint8_t gw_mac[6] = {0x0a, 0, 0, 0, 0, 0x01},
			     host_mac[6] = {0x0a, 0, 0, 0, 0, 2};
	struct frame in, f, want;
	struct esw *esw;
	struct esw_pipe *vtep, *rt;
	struct esw_key mask, k;
	struct esw_actions drop = {.fate = ESW_FATE_DROP};
	struct esw_edit decap = {.ops = ESW_EDIT_DECAP};
	struct esw_edit nh = {.ops = ESW_EDIT_SRC_MAC | ESW_EDIT_DST_MAC | ESW_EDIT_DEC_TTL};
	struct esw_actions a_decap = {.fate = ESW_FATE_PIPE, .edit = &decap};
	struct esw_actions a_nh = {.fate = ESW_FATE_PORT, .port = 2, .edit = &nh};
	uint8_t buf[64 + 256];
	uint8_t net[4] = {10, 1, 0, 0};
	uint32_t len, new_len;
	int32_t start;
	struct esw_result r;

	(void)state;
	memcpy(nh.src_mac, gw_mac, 6);
	memcpy(nh.dst_mac, host_mac, 6);
	memset(&mask, 0, sizeof(mask));
	mask.vni = 0xffffff;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_lpm(esw, "vrf-red", 16, &drop, &rt), 0);
	a_decap.pipe = rt;
	assert_int_equal(esw_pipe_create_exact(esw, "vtep", &mask, 16, &drop, &vtep), 0);
	assert_int_equal(esw_set_root(esw, vtep), 0);
	memset(&k, 0, sizeof(k));
	k.vni = 100;
	assert_int_equal(esw_exact_add(vtep, &k, &a_decap, NULL), 0);
	/* The route is for the inner destination; the outer one (192.0.2.2) has none. */
	assert_int_equal(esw_lpm_add(rt, 4, net, 16, &a_nh, 1, NULL), 0);
	inner_tcp(&in);
	vxlan_of(&f, &in, 100);
	assert_int_equal(esw_parse(f.b, f.len, 0, &k), 0);
	len = f.len;
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	assert_int_equal(r.fate, ESW_FATE_PORT);
	assert_int_equal(r.port, 2);
	assert_int_equal(r.n_edits, 2);
	memcpy(buf + 64, f.b, f.len);
	assert_int_equal(esw_rewrite(buf + 64, f.len, 64, &r, &start, &new_len), 0);
	assert_int_equal(start, 50); /* the outer headers are gone */
	assert_int_equal(new_len, in.len);
	want = in;
	memcpy(want.b, host_mac, 6);
	memcpy(want.b + 6, gw_mac, 6);
	want.b[14 + 8] = 63;
	put_csums(want.b, want.len, 14, 34, 6);
	assert_memory_equal(buf + 64 + start, want.b, want.len);
	assert_true(ipv4_csum_ok(buf + 64 + start + 14));
	/* VNI 200 has no entry; a frame with TTL 1 is dropped by the rewrite. */
	in.b[14 + 8] = 1;
	put_csums(in.b, in.len, 14, 34, 6);
	vxlan_of(&f, &in, 100);
	assert_int_equal(esw_parse(f.b, f.len, 0, &k), 0);
	assert_int_equal(esw_classify_burst(esw, &k, &len, 1, &r), 0);
	memcpy(buf + 64, f.b, f.len);
	assert_int_equal(esw_rewrite(buf + 64, f.len, 64, &r, &start, &new_len), -ETIMEDOUT);
	esw_destroy(esw);
}

/* Address and port rewrites (NAT) keep every checksum right, as a full recomputation says. */
static void test_rewrite_checksums(void **state)
{
	struct esw_edit nat = {.ops = ESW_EDIT_SRC_IP | ESW_EDIT_DST_IP | ESW_EDIT_SRC_PORT |
				      ESW_EDIT_DST_PORT,
			       .ip_ver = 4,
			       .sport = 40001,
			       .dport = 8080};
	struct esw_edit nat6 = {
		.ops = ESW_EDIT_SRC_IP | ESW_EDIT_DST_PORT, .ip_ver = 6, .dport = 443};
	struct esw_result r = {.n_edits = 1};
	uint8_t payload[37];
	uint32_t new_len;
	int32_t start;
	struct frame f;
	struct esw_key k;

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++) {
		payload[i] = (uint8_t)(i * 37 + 11); /* odd length: the padding byte counts */
	}
	inet_pton(AF_INET, "198.51.100.7", nat.src_ip);
	inet_pton(AF_INET, "203.0.113.9", nat.dst_ip);
	inet_pton(AF_INET6, "2001:db8::99", nat6.src_ip);
	r.edits[0].edit = &nat;
	for (int proto = 0; proto < 3; proto++) { /* TCP, UDP, UDP without a checksum */
		eth(&f, 0x0800);
		ipv4(&f, proto == 0 ? 6 : 17, "10.0.0.1", "10.0.0.2", 1, 0);
		if (proto == 0) {
			tcp(&f, 1000, 80, 0x10);
		} else {
			udp(&f, 1000, 80);
		}
		put(&f, payload, sizeof(payload));
		fix_lengths(&f, 14, 38, proto != 0);
		put_csums(f.b, f.len, 14, 38, proto == 0 ? 6 : 17);
		if (proto == 2) {
			f.b[38 + 6] = f.b[38 + 7] = 0;
		}
		assert_int_equal(esw_rewrite(f.b, f.len, 0, &r, &start, &new_len), 0);
		assert_int_equal(start, 0);
		assert_int_equal(esw_parse(f.b, f.len, 0, &k), 0);
		assert_int_equal(k.src_ip[0], 198);
		assert_int_equal(k.dst_ip[3], 9);
		assert_int_equal(k.sport, 40001);
		assert_int_equal(k.dport, 8080);
		assert_true(ipv4_csum_ok(f.b + 14));
		if (proto < 2) {
			assert_true(l4_csum_ok(f.b, f.len, 14, 38, proto == 0 ? 6 : 17));
		} else {
			assert_int_equal(f.b[38 + 6] | f.b[38 + 7], 0); /* still none */
		}
	}
	/* IPv6: no header checksum; TCP's covers the addresses. An IPv4 edit leaves it alone. */
	eth(&f, 0x86dd);
	ipv6(&f, 6, "2001:db8::1", "2001:db8::2");
	tcp(&f, 1000, 80, 0x02);
	put(&f, payload, sizeof(payload));
	fix_lengths(&f, 14, 54, false);
	put_csums(f.b, f.len, 14, 54, 6);
	assert_int_equal(esw_rewrite(f.b, f.len, 0, &r, &start, &new_len), 0);
	assert_int_equal(esw_parse(f.b, f.len, 0, &k), 0);
	assert_int_equal(k.src_ip[15], 1);
	assert_int_equal(k.sport, 40001); /* ports are not per family */
	assert_true(l4_csum_ok(f.b, f.len, 14, 54, 6));
	r.edits[0].edit = &nat6;
	assert_int_equal(esw_rewrite(f.b, f.len, 0, &r, &start, &new_len), 0);
	assert_int_equal(esw_parse(f.b, f.len, 0, &k), 0);
	assert_memory_equal(k.src_ip, nat6.src_ip, 16);
	assert_int_equal(k.dport, 443);
	assert_true(l4_csum_ok(f.b, f.len, 14, 54, 6));
}

/* Encap (IPv4 and IPv6 outer) builds valid headers; decap gives the frame back. */
static void test_encap_decap_roundtrip(void **state)
{
	struct esw_edit enc = {.ops = ESW_EDIT_ENCAP,
			       .encap = {.src_mac = {2, 0, 0, 0, 0, 0xaa},
					 .dst_mac = {2, 0, 0, 0, 0, 0xbb},
					 .vni = 0xabcdef}};
	struct esw_edit dec = {.ops = ESW_EDIT_DECAP};
	struct esw_result r = {.n_edits = 1};
	uint8_t buf[128 + 256];
	uint32_t new_len, hdr;
	int32_t start;
	struct frame in;
	struct esw_offsets off;
	struct esw_key k, ik;

	(void)state;
	inner_tcp(&in);
	assert_int_equal(esw_parse(in.b, in.len, 0, &ik), 0);
	for (int ver = 4; ver <= 6; ver += 2) {
		enc.encap.ip_ver = (uint8_t)ver;
		memset(enc.encap.src_ip, 0, 16);
		memset(enc.encap.dst_ip, 0, 16);
		inet_pton(ver == 4 ? AF_INET : AF_INET6, ver == 4 ? "192.0.2.10" : "2001:db8::a",
			  enc.encap.src_ip);
		inet_pton(ver == 4 ? AF_INET : AF_INET6, ver == 4 ? "192.0.2.20" : "2001:db8::b",
			  enc.encap.dst_ip);
		hdr = ver == 4 ? 50 : 70;
		r.edits[0].edit = &enc;
		r.edits[0].encap_sport = 50123;
		memcpy(buf + 128, in.b, in.len);
		/* No room in front: refused, not written out of bounds. */
		assert_int_equal(esw_rewrite(buf + 128, in.len, hdr - 1, &r, &start, &new_len),
				 -ENOSPC);
		assert_int_equal(esw_rewrite(buf + 128, in.len, 128, &r, &start, &new_len), 0);
		assert_int_equal(start, -(int32_t)hdr);
		assert_int_equal(new_len, in.len + hdr);
		uint8_t *o = buf + 128 + start;

		assert_int_equal(esw_parse_offsets(o, new_len, 0, &k, &off), 0);
		assert_int_equal(off.inner, hdr);
		assert_int_equal(k.ip_ver, ver);
		assert_memory_equal(k.dst_mac, enc.encap.dst_mac, 6);
		assert_memory_equal(k.src_ip, enc.encap.src_ip, ver == 4 ? 4 : 16);
		assert_memory_equal(k.dst_ip, enc.encap.dst_ip, ver == 4 ? 4 : 16);
		assert_int_equal(k.sport, 50123);
		assert_int_equal(k.dport, 4789);
		assert_int_equal(k.vni, 0xabcdef);
		assert_memory_equal(&k.inner.src_ip, ik.src_ip, 16);
		assert_int_equal(k.inner.dport, 80);
		/* UDP length and IP length cover what follows them. */
		assert_int_equal(o[hdr - 16 + 4] << 8 | o[hdr - 16 + 5], new_len - (hdr - 16));
		if (ver == 4) {
			assert_int_equal(o[16] << 8 | o[17], new_len - 14);
			assert_true(ipv4_csum_ok(o + 14));
			assert_int_equal(o[22], 64); /* TTL */
		} else {
			assert_int_equal(o[18] << 8 | o[19], new_len - 54);
			assert_true(l4_csum_ok(o, new_len, 14, 54, 17)); /* required over IPv6 */
		}
		r.edits[0].edit = &dec;
		assert_int_equal(
			esw_rewrite(o, new_len, (uint32_t)(128 + start), &r, &start, &new_len), 0);
		assert_int_equal(start, (int32_t)hdr);
		assert_int_equal(new_len, in.len);
		assert_memory_equal(o + start, in.b, in.len);
	}
	/* Decap of a frame without VXLAN leaves it as it is. */
	memcpy(buf, in.b, in.len);
	assert_int_equal(esw_rewrite(buf, in.len, 0, &r, &start, &new_len), 0);
	assert_int_equal(start, 0);
	assert_memory_equal(buf, in.b, in.len);
	/* An encap edit with a bad family is refused when the entry is added. */
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_key mask;
	struct esw_actions a = {.fate = ESW_FATE_PORT, .port = 1, .edit = &enc};

	memset(&mask, 0, sizeof(mask));
	mask.in_port = 0xffff;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "p", &mask, 4, NULL, &p), 0);
	enc.encap.ip_ver = 5;
	memset(&k, 0, sizeof(k));
	assert_int_equal(esw_exact_add(p, &k, &a, NULL), -EINVAL);
	esw_destroy(esw);
}

/* srTCM: a burst of 1000-byte frames against cbs 3000: three green, the rest red and dropped. */
/*
 * The results a root LPM pipe's routes give, into result records full of
 * old values: a route whose actions are all in its set's prepared result
 * (mark, mirror, queue), an ECMP member with a mirror and one without, a
 * route to a next pipe (mark kept, port from there) and a metered one. No
 * field of an earlier result may show through.
 */
static void test_lpm_results_fresh(void **state)
{
	struct esw *esw;
	struct esw_pipe *fib, *next;
	struct esw_key mask;
	struct esw_actions miss = {.fate = ESW_FATE_DROP};
	struct esw_actions all = {.fate = ESW_FATE_PORT,
				  .port = 2,
				  .set_mark = true,
				  .mark = 11,
				  .mirror = true,
				  .mirror_port = 5,
				  .set_queue = true,
				  .queue = 3};
	struct esw_actions ecmp[2] = {
		{.fate = ESW_FATE_PORT, .port = 6},
		{.fate = ESW_FATE_PORT, .port = 7, .mirror = true, .mirror_port = 8}};
	struct esw_actions on = {.fate = ESW_FATE_PIPE, .set_mark = true, .mark = 12};
	struct esw_actions out = {.fate = ESW_FATE_PORT, .port = 9};
	struct esw_actions metered = {.fate = ESW_FATE_PORT, .port = 4};
	uint8_t n1[4] = {10, 1, 0, 0}, n2[4] = {10, 2, 0, 0}, n3[4] = {10, 3, 0, 0},
		n4[4] = {10, 4, 0, 0};
	struct esw_key k[ESW_BURST_MAX];
	uint32_t lens[ESW_BURST_MAX], meter;
	struct esw_result r[ESW_BURST_MAX];
	unsigned int via[2] = {0, 0};

	(void)state;
	memset(&mask, 0, sizeof(mask));
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_meter_create(esw, 1000000, 1 << 20, 0, &meter), 0);
	assert_int_equal(esw_pipe_create_lpm(esw, "fib", 16, &miss, &fib), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "next", &mask, 4, &out, &next), 0);
	assert_int_equal(esw_set_root(esw, fib), 0);
	on.pipe = next;
	metered.meter = meter;
	assert_int_equal(esw_lpm_add(fib, 4, n1, 16, &all, 1, NULL), 0);
	assert_int_equal(esw_lpm_add(fib, 4, n2, 16, ecmp, 2, NULL), 0);
	assert_int_equal(esw_lpm_add(fib, 4, n3, 16, &on, 1, NULL), 0);
	assert_int_equal(esw_lpm_add(fib, 4, n4, 16, &metered, 1, NULL), 0);
	for (int i = 0; i < ESW_BURST_MAX; i++) {
		k[i] = v4key(17, 0x0b000000 | (uint32_t)i, 0x0a000001 | (uint32_t)(i % 5 + 1) << 16,
			     (uint16_t)(2000 + i), 53);
		lens[i] = 100;
	}
	for (int round = 0; round < 2; round++) {
		memset(r, 0xa5, sizeof(r));
		assert_int_equal(esw_classify_burst(esw, k, lens, ESW_BURST_MAX, r), 0);
		for (int i = 0; i < ESW_BURST_MAX; i++) {
			const struct esw_result *x = &r[i];

			assert_int_equal(x->n_edits, 0);
			assert_int_equal(x->color, ESW_GREEN);
			switch (i % 5 + 1) {
			case 1:
				assert_int_equal(x->fate, ESW_FATE_PORT);
				assert_int_equal(x->port, 2);
				assert_true(x->marked && x->mark == 11);
				assert_true(x->mirrored && x->mirror_port == 5);
				assert_true(x->queued && x->queue == 3);
				break;
			case 2:
				assert_int_equal(x->fate, ESW_FATE_PORT);
				assert_false(x->marked);
				assert_false(x->queued);
				assert_true(x->port == 6 || x->port == 7);
				assert_int_equal(x->mirrored, x->port == 7);
				if (x->mirrored) {
					assert_int_equal(x->mirror_port, 8);
				}
				via[x->port - 6]++;
				break;
			case 3:
				assert_int_equal(x->fate, ESW_FATE_PORT);
				assert_int_equal(x->port, 9);
				assert_true(x->marked && x->mark == 12);
				assert_false(x->mirrored);
				assert_false(x->queued);
				break;
			case 4:
				assert_int_equal(x->fate, ESW_FATE_PORT);
				assert_int_equal(x->port, 4);
				assert_false(x->marked);
				assert_false(x->mirrored);
				assert_false(x->queued);
				break;
			default: /* 10.5/16: no route */
				assert_int_equal(x->fate, ESW_FATE_DROP);
				assert_false(x->marked);
				assert_false(x->mirrored);
				assert_false(x->queued);
				break;
			}
		}
	}
	assert_true(via[0] > 0 && via[1] > 0); /* both members carry flows */
	esw_destroy(esw);
}

static void test_meter_and_queue(void **state)
{
	struct esw *esw;
	struct esw_pipe *p;
	struct esw_key mask, k[ESW_BURST_MAX];
	struct esw_actions a = {.fate = ESW_FATE_PORT, .port = 4, .set_queue = true, .queue = 3};
	uint32_t lens[ESW_BURST_MAX], meter;
	struct esw_result r[ESW_BURST_MAX];
	uint64_t pk[3], by[3];
	unsigned int green = 0;

	(void)state;
	memset(&mask, 0, sizeof(mask));
	mask.in_port = 0xffff;
	assert_int_equal(esw_create(&esw), 0);
	assert_int_equal(esw_meter_create(esw, 0, 3000, 0, &meter), -EINVAL);
	assert_int_equal(esw_meter_create(esw, 1000, 3000, 0, &meter), 0);
	assert_int_equal(esw_pipe_create_exact(esw, "policer", &mask, 4, NULL, &p), 0);
	assert_int_equal(esw_set_root(esw, p), 0);
	memset(&k[0], 0, sizeof(k[0]));
	a.meter = meter + 1; /* no such meter */
	assert_int_equal(esw_exact_add(p, &k[0], &a, NULL), -EINVAL);
	a.meter = meter;
	assert_int_equal(esw_exact_add(p, &k[0], &a, NULL), 0);
	for (int i = 0; i < ESW_BURST_MAX; i++) {
		k[i] = k[0];
		lens[i] = 1000;
	}
	assert_int_equal(esw_classify_burst(esw, k, lens, ESW_BURST_MAX, r), 0);
	for (int i = 0; i < ESW_BURST_MAX; i++) {
		if (r[i].color == ESW_GREEN) {
			green++;
			assert_int_equal(r[i].fate, ESW_FATE_PORT);
			assert_true(r[i].queued);
			assert_int_equal(r[i].queue, 3);
		} else {
			assert_int_equal(r[i].color, ESW_RED); /* ebs 0: no yellow */
			assert_int_equal(r[i].fate, ESW_FATE_DROP);
		}
	}
	assert_int_equal(green, 3);
	assert_int_equal(esw_meter_stats(esw, meter, pk, by), 0);
	assert_int_equal(pk[ESW_GREEN], 3);
	assert_int_equal(pk[ESW_YELLOW], 0);
	assert_int_equal(pk[ESW_RED], ESW_BURST_MAX - 3);
	assert_int_equal(by[ESW_RED], (ESW_BURST_MAX - 3) * 1000);
	assert_int_equal(esw_meter_stats(esw, meter + 1, pk, by), -ENOENT);
	esw_destroy(esw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ipv4_tcp),
		cmocka_unit_test(test_parse_ipv4_options_and_fragments),
		cmocka_unit_test(test_parse_vlan_qinq),
		cmocka_unit_test(test_parse_ipv6_ext_headers),
		cmocka_unit_test(test_parse_vxlan_and_icmp),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_random_bytes),
		cmocka_unit_test(test_exact_pipe),
		cmocka_unit_test(test_exact_update),
		cmocka_unit_test(test_acl_pipe_ranges_and_priority),
		cmocka_unit_test(test_acl_delete_until_swap),
		cmocka_unit_test(test_pipe_chain),
		cmocka_unit_test(test_pipe_destroy),
		cmocka_unit_test(test_entry_update),
		cmocka_unit_test(test_lpm_pipe),
		cmocka_unit_test(test_entry_counts_wide),
		cmocka_unit_test(test_lpm_ecmp),
		cmocka_unit_test(test_lpm_many_action_sets),
		cmocka_unit_test(test_lpm_churn_full),
		cmocka_unit_test(test_lpm_ipv6_churn),
		cmocka_unit_test(test_vrf_by_in_port),
		cmocka_unit_test(test_acl_against_reference),
		cmocka_unit_test(test_exact_against_reference),
		cmocka_unit_test(test_parse_vxlan_inner),
		cmocka_unit_test(test_exact_inner_match),
		cmocka_unit_test(test_decap_route_rewrite),
		cmocka_unit_test(test_rewrite_checksums),
		cmocka_unit_test(test_encap_decap_roundtrip),
		cmocka_unit_test(test_lpm_results_fresh),
		cmocka_unit_test(test_meter_and_queue),
	};

	return cmocka_run_group_tests_name("eswitch", tests, setup, teardown);
}
