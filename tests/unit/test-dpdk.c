/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK comes up through dpu_dpdk_init() with and without hugepages and moves
 * packets through a net_ring port pair (tx on one side arrives on the other);
 * the mempool is full again afterwards (no mbuf leak).
 *
 * Run twice by the test suite: as is (hugepages when the machine has them)
 * and with DPU_NO_HUGE=1 (test-dpdk-nohuge.sh).
 */
#include <config.h>

#include "unit/testutil.h"

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_eth_ring.h>

#include "common/dpdk.h"
#include "common/log.h"

#define NB_MBUF 1023
#define BURST 32

static struct rte_mempool *pool;

static int setup(void **state)
{
	static const char *const args[] = {"--no-pci", "-l", "0", NULL};

	(void)state;
	dpu_log_set_sdk_level(DPU_LOG_ERROR);
	if (dpu_dpdk_init("test-dpdk", args, 128) < 0) {
		return -1;
	}
	pool = rte_pktmbuf_pool_create("test_pool", NB_MBUF, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	dpu_dpdk_fini();
	return 0;
}

static void test_hugepage_choice_reported(void **state)
{
	const char *force = getenv("DPU_NO_HUGE");

	(void)state;
	if (force != NULL && strcmp(force, "1") == 0) {
		assert_true(dpu_dpdk_no_huge());
	} else {
		assert_int_equal(dpu_dpdk_no_huge(), !dpu_dpdk_hugepages_available());
	}
	print_message("# running %s hugepages\n", dpu_dpdk_no_huge() ? "without" : "with");
}

static void test_ring_port_roundtrip(void **state)
{
	struct rte_ring *ring;
	struct rte_eth_conf conf = {0};
	struct rte_mbuf *tx[BURST], *rx[BURST];
	uint16_t sent, got = 0;
	int port;

	(void)state;
	/* One ring as both rx and tx queue: what the port sends, it receives. */
	ring = rte_ring_create("loop", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	assert_non_null(ring);
	port = rte_eth_from_ring(ring);
	assert_true(port >= 0);
	assert_int_equal(rte_eth_dev_configure((uint16_t)port, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup((uint16_t)port, 0, 64, SOCKET_ID_ANY, NULL, pool),
			 0);
	assert_int_equal(rte_eth_tx_queue_setup((uint16_t)port, 0, 64, SOCKET_ID_ANY, NULL), 0);
	assert_int_equal(rte_eth_dev_start((uint16_t)port), 0);

	assert_int_equal(rte_pktmbuf_alloc_bulk(pool, tx, BURST), 0);
	for (int i = 0; i < BURST; i++) {
		char *p = rte_pktmbuf_append(tx[i], 64);

		assert_non_null(p);
		memset(p, i, 64);
	}
	sent = rte_eth_tx_burst((uint16_t)port, 0, tx, BURST);
	assert_int_equal(sent, BURST);
	while (got < BURST) {
		uint16_t n = rte_eth_rx_burst((uint16_t)port, 0, rx + got, BURST - got);

		assert_true(n > 0);
		got += n;
	}
	for (int i = 0; i < BURST; i++) {
		assert_int_equal(rte_pktmbuf_pkt_len(rx[i]), 64);
		assert_int_equal(*rte_pktmbuf_mtod(rx[i], uint8_t *), i);
	}
	rte_pktmbuf_free_bulk(rx, BURST);

	struct rte_eth_stats st;

	assert_int_equal(rte_eth_stats_get((uint16_t)port, &st), 0);
	assert_int_equal(st.opackets, BURST);
	assert_int_equal(st.ipackets, BURST);
	/* Every mbuf is back: nothing leaked. */
	assert_int_equal(rte_mempool_avail_count(pool), NB_MBUF);

	assert_int_equal(rte_eth_dev_stop((uint16_t)port), 0);
	assert_int_equal(rte_eth_dev_close((uint16_t)port), 0);
	rte_ring_free(ring);
}

static void test_log_level_mapping(void **state)
{
	(void)state;
	assert_int_equal(dpu_dpdk_log_level(DPU_LOG_DISABLE), RTE_LOG_EMERG);
	assert_int_equal(dpu_dpdk_log_level(DPU_LOG_ERROR), RTE_LOG_ERR);
	assert_int_equal(dpu_dpdk_log_level(DPU_LOG_INFO), RTE_LOG_INFO);
	assert_int_equal(dpu_dpdk_log_level(DPU_LOG_TRACE), RTE_LOG_DEBUG);
	/* What init applied from --sdk-log-level. */
	assert_int_equal(rte_log_get_global_level(), RTE_LOG_ERR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hugepage_choice_reported),
		cmocka_unit_test(test_ring_port_roundtrip),
		cmocka_unit_test(test_log_level_mapping),
	};

	return cmocka_run_group_tests_name("dpdk", tests, setup, teardown);
}
