/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet I/O's attach and detach (hal/hal-io.c) on DPDK's null PMD, for a
 * backend whose port_attach names the ethdev by device (the sim backend's
 * way) and one that names it by devargs (the bluefield backend's, for a
 * representor): the port is found either way and started; closing it
 * removes the device it was the last port of; devargs that find no port
 * are refused by name and leave the device alone (an adapter's other
 * ports may be using it).
 */
#include <config.h>

#include "unit/testutil.h"

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "common/dpdk.h"
#include "common/log.h"
#include "dpu/hal-io.h"
#include "hal/hal-provider.h"

static struct rte_mempool *pool;

/* port "byname": device net_null_hio0; "bymatch": net_null_hio1 found by
 * devargs; "nomatch": net_null_hio2 with devargs no port answers. */
static int null_attach(struct dpu_dev *dev, const char *port, struct dpu_hal_attach *at)
{
	static const char *const ports[] = {"byname", "bymatch", "nomatch"};

	(void)dev;
	for (int i = 0; i < 3; i++) {
		if (strcmp(port, ports[i]) == 0) {
			snprintf(at->bus, sizeof(at->bus), "vdev");
			snprintf(at->name, sizeof(at->name), "net_null_hio%d", i);
			snprintf(at->args, sizeof(at->args), "size=64");
			at->match[0] = '\0';
			if (i == 1) {
				snprintf(at->match, sizeof(at->match), "net_null_hio1");
			} else if (i == 2) {
				snprintf(at->match, sizeof(at->match),
					 "net_null_hio2,representor=pf0vf9");
			}
			return 0;
		}
	}
	return -ENODEV;
}

static const struct dpu_hal_class null_class = {
	.scheme = "test-null",
	.api_version = DPU_HAL_API_VERSION,
	.port_attach = null_attach,
};

static int setup(void **state)
{
	static const char *const args[] = {"--no-pci", "-l", "0", NULL};

	(void)state;
	dpu_log_set_sdk_level(DPU_LOG_CRITICAL);
	dpu_log_set_level(DPU_LOG_CRITICAL);
	if (dpu_dpdk_init("test-hal-io", args, 128) < 0) {
		return -1;
	}
	pool = rte_pktmbuf_pool_create("hio_pool", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
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

static bool exists(const char *name)
{
	uint16_t id;

	return rte_eth_dev_get_port_by_name(name, &id) == 0;
}

static void test_attach_by_name_and_by_devargs(void **state)
{
	struct dpu_dev dev = {.class = &null_class};
	struct dpu_portio_conf conf = {.pool = pool, .link_timeout_ms = 1000};
	struct dpu_portio *a, *b;
	uint16_t id;

	(void)state;
	assert_int_equal(dpu_portio_open(&dev, "byname", &conf, &a), 0);
	assert_int_equal(dpu_portio_open(&dev, "bymatch", &conf, &b), 0);
	/* Each handle is the ethdev its devargs name, started, link up. */
	assert_int_equal(rte_eth_dev_get_port_by_name("net_null_hio0", &id), 0);
	assert_int_equal(dpu_portio_ethdev(a), id);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_null_hio1", &id), 0);
	assert_int_equal(dpu_portio_ethdev(b), id);
	assert_true(dpu_portio_link_up(a));
	assert_true(dpu_portio_link_up(b));
	/* Closing a port removes the device it was the last port of, not others. */
	dpu_portio_close(b);
	assert_false(exists("net_null_hio1"));
	assert_true(exists("net_null_hio0"));
	dpu_portio_close(a);
	assert_false(exists("net_null_hio0"));
}

static void test_devargs_that_find_nothing(void **state)
{
	struct dpu_dev dev = {.class = &null_class};
	struct dpu_portio_conf conf = {.pool = pool, .link_timeout_ms = 1000};
	struct dpu_portio *io = NULL;

	(void)state;
	assert_int_not_equal(dpu_portio_open(&dev, "nomatch", &conf, &io), 0);
	assert_null(io);
	assert_non_null(strstr(dpu_dev_last_error(&dev), "nomatch: cannot start net_null_hio2"));
	/* The device stays: a representor's adapter carries other ports. */
	assert_true(exists("net_null_hio2"));
	assert_int_equal(rte_eal_hotplug_remove("vdev", "net_null_hio2"), 0);
	assert_int_equal(dpu_portio_open(&dev, "nosuch", &conf, &io), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_by_name_and_by_devargs),
		cmocka_unit_test(test_devargs_that_find_nothing),
	};

	return cmocka_run_group_tests_name("hal-io", tests, setup, teardown);
}
