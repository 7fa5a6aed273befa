/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HAL's bluefield backend on a sysfs tree laid out as the kernel's
 * (written here by the simulator's own tree writer from bf3.yaml), checked
 * against the device description it came from.
 */
#include <config.h>

#include "unit/testutil.h"

#include <math.h>

#include "common/daemon.h"
#include "common/log.h"
#include "dpu/hal-flow.h"
#include "dpu/hal-reg.h"
#include "dpu/hal.h"
#include "hal/hal-provider.h"
#include "sim/device.h"
#include "sim/sysfs.h"

struct fx {
	char *dir, *root, *uri;
	struct sim_device *dev;
};

static int setup(void **state)
{
	static struct fx f;
	struct dpu_cfg_err e;
	char *path;

	dpu_log_set_level(DPU_LOG_CRITICAL);
	f.dir = test_tmpdir();
	assert_true(asprintf(&f.root, "%s/sys", f.dir) > 0);
	assert_true(asprintf(&path, "%s/fixtures/devices/bf3.yaml", getenv("top_srcdir")) > 0);
	assert_int_equal(sim_device_load(path, &f.dev, &e), 0);
	free(path);
	assert_int_equal(sim_sysfs_create(f.root, f.dev), 0);
	assert_true(asprintf(&f.uri, "bluefield:0000:03:00.0,sysfs=%s", f.root) > 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	test_rm_rf(f->dir);
	free(f->dir);
	free(f->root);
	free(f->uri);
	free(f->dev);
	return 0;
}

static void test_open_and_info(void **state)
{
	struct fx *f = *state;
	struct dpu_dev *dev;
	struct dpu_dev_info info;
	char root[512];

	assert_int_equal(dpu_dev_open(f->uri, &dev), 0);
	assert_string_equal(dpu_dev_backend(dev), "bluefield");
	assert_int_equal(dpu_dev_info(dev, &info), 0);
	assert_string_equal(info.name, "bluefield:0000:03:00.0");
	assert_string_equal(info.model, f->dev->inv.model);
	assert_string_equal(info.serial, f->dev->inv.serial);
	assert_string_equal(info.part_number, f->dev->inv.part_number);
	assert_string_equal(info.psid, f->dev->inv.psid);
	assert_string_equal(info.firmware, f->dev->inv.firmware);
	assert_string_equal(info.mode, "dpu");
	assert_int_equal(dpu_dev_counter_root(dev, root, sizeof(root)), 0);
	assert_string_equal(root, f->root);
	/* mlxconfig's parameters are register MNVDA, through fwctl: without
	 * that device, said plainly (test-nv runs them against a model). */
	assert_int_equal(dpu_nv_set(dev, "NUM_OF_VFS", "2"), -ENODEV);
	assert_non_null(strstr(dpu_dev_last_error(dev), "no fwctl device"));
	assert_int_equal(dpu_nv_list(dev, NULL, 0), -ENODEV);
	assert_int_equal(dpu_nv_set(dev, "NO_SUCH", "2"), -ENOENT);
	dpu_dev_close(dev);
}

static void test_ports_match_the_description(void **state)
{
	struct fx *f = *state;
	struct dpu_dev *dev;
	struct dpu_port_info p[16];
	int n;

	assert_int_equal(dpu_dev_open(f->uri, &dev), 0);
	n = dpu_port_list(dev, p, 16);
	assert_int_equal(n, (int)f->dev->n_ports);
	for (int i = 0; i < n; i++) {
		const struct sim_port *want = sim_device_port(f->dev, p[i].name);

		assert_non_null(want);
		assert_int_equal((int)p[i].kind, (int)want->kind);
		assert_memory_equal(p[i].mac, want->mac, 6);
		assert_string_equal(p[i].pci, want->pci);
		assert_string_equal(p[i].ibdev, want->ibdev);
		assert_int_equal(p[i].speed_mbps, want->speed_mbps);
		assert_true(p[i].link_up);
	}
	/* Sorted by name, so the order is stable across reads. */
	for (int i = 1; i < n; i++) {
		assert_true(strcmp(p[i - 1].name, p[i].name) < 0);
	}
	dpu_dev_close(dev);
}

static void test_stats_and_sensors(void **state)
{
	struct fx *f = *state;
	struct dpu_dev *dev;
	struct dpu_port_stats st;
	struct dpu_sensor_info s[8];
	int n;

	assert_int_equal(sim_sysfs_set_netdev(f->root, "p0", "rx_packets", 4242), 0);
	assert_int_equal(sim_sysfs_set_netdev(f->root, "p0", "tx_bytes", 1ULL << 40), 0);
	assert_int_equal(dpu_dev_open(f->uri, &dev), 0);
	assert_int_equal(dpu_port_stats(dev, "p0", &st), 0);
	assert_int_equal(st.rx_packets, 4242);
	assert_int_equal(st.tx_bytes, 1ULL << 40);
	assert_int_equal(dpu_port_stats(dev, "eth9", &st), -ENODEV);
	assert_int_equal(dpu_port_stats(dev, "../p0", &st), -ENODEV);
	n = dpu_sensor_list(dev, s, 8);
	assert_int_equal(n, (int)f->dev->n_sensors);
	for (int i = 0; i < n; i++) {
		assert_string_equal(s[i].name, f->dev->sensors[i].name);
		assert_int_equal((int)s[i].kind, (int)f->dev->sensors[i].kind);
		assert_true(fabs(s[i].value - f->dev->sensors[i].value) < 1e-3);
		assert_true(fabs(s[i].crit - f->dev->sensors[i].crit) < 1e-3);
	}
	dpu_dev_close(dev);
}

/* The PHC is /dev/ptpN of a port's device/ptp; this host has none. */
static void test_phc(void **state)
{
	struct fx *f = *state;
	struct dpu_phc_state st;
	struct dpu_dev *dev;
	char *dir;

	assert_int_equal(dpu_dev_open(f->uri, &dev), 0);
	assert_int_equal(dpu_phc_read(dev, &st), -ENODEV);
	assert_non_null(strstr(dpu_dev_last_error(dev), "no port with a PTP clock"));
	assert_true(asprintf(&dir, "%s/class/net/p0/device/ptp/ptp97", f->root) > 0);
	assert_int_equal(dpu_mkdir_p(dir, 0755), 0);
	assert_int_equal(dpu_phc_step(dev, 1000), -ENODEV);
	assert_string_equal(dpu_dev_last_error(dev), "/dev/ptp97: No such file or directory");
	assert_int_equal(dpu_phc_adjfreq(dev, NAN), -EINVAL);
	assert_int_equal(dpu_phc_settime(dev, -1), -EINVAL);
	free(dir);
	dpu_dev_close(dev);
}

/* Steering and packet I/O on hardware are still to come: refused, not faked. */
/* Steering is rte_flow on the ports open here (test-steer-rte): none is yet. */
static void test_steering_needs_open_ports(void **state)
{
	struct fx *f = *state;
	struct dpu_pipe_attr attr = {.name = "x", .kind = DPU_PIPE_ACL};
	struct dpu_dev *dev;

	assert_int_equal(dpu_dev_open(f->uri, &dev), 0);
	assert_int_equal(dpu_pipe_create(dev, &attr), -EOPNOTSUPP);
	assert_non_null(strstr(dpu_dev_last_error(dev), "(dpu_portio_open): none is"));
	attr.name = "";
	assert_int_equal(dpu_pipe_create(dev, &attr), -EINVAL);
	attr.name = "x";
	attr.kind = (enum dpu_pipe_kind)7;
	assert_int_equal(dpu_pipe_create(dev, &attr), -EINVAL);
	assert_int_equal(dpu_flow_flush(dev, NULL), -EINVAL);
	assert_int_equal(dpu_flow_flush(dev, "p0"), -EOPNOTSUPP);
	dpu_dev_close(dev);
}

/*
 * Packet I/O: each port as the mlx5 PMD probes it on a BlueField (OVS-DPDK's
 * devargs): the adapter's first function, the representor in DPDK's syntax
 * from phys_port_name, DV steering (the synchronous rte_flow API) with
 * metadata across the FDB, steering left to rte_flow on the open ports.
 */
static void test_port_attach_devargs(void **state)
{
	static const struct {
		const char *port, *args, *match;
	} want[] = {
		{"p0", "dv_flow_en=1,dv_xmeta_en=1", ""},
		{"p1", "dv_flow_en=1,dv_xmeta_en=1,representor=pf1",
		 "0000:03:00.0,representor=pf1"},
		{"pf0hpf", "dv_flow_en=1,dv_xmeta_en=1,representor=pf0vf65535",
		 "0000:03:00.0,representor=pf0vf65535"},
		{"pf1hpf", "dv_flow_en=1,dv_xmeta_en=1,representor=pf1vf65535",
		 "0000:03:00.0,representor=pf1vf65535"},
		{"pf0vf0", "dv_flow_en=1,dv_xmeta_en=1,representor=pf0vf0",
		 "0000:03:00.0,representor=pf0vf0"},
		{"en3f0pf0sf0", "dv_flow_en=1,dv_xmeta_en=1,representor=pf0sf0",
		 "0000:03:00.0,representor=pf0sf0"},
	};
	struct fx *f = *state;
	struct dpu_hal_attach at;
	struct dpu_dev *dev;

	assert_int_equal(dpu_dev_open(f->uri, &dev), 0);
	assert_non_null(dev->class->port_attach);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		memset(&at, 0, sizeof(at));
		assert_int_equal(dev->class->port_attach(dev, want[i].port, &at), 0);
		assert_string_equal(at.bus, "pci");
		assert_string_equal(at.name, "0000:03:00.0");
		assert_string_equal(at.args, want[i].args);
		assert_string_equal(at.match, want[i].match);
		assert_false(at.meta_header);
		assert_true(at.rte_steering);
	}
	assert_int_equal(dev->class->port_attach(dev, "eth9", &at), -ENODEV);
	assert_non_null(strstr(dpu_dev_last_error(dev), "eth9: not a port of 0000:03:00.0"));
	dpu_dev_close(dev);
}

/*
 * Registers go through the function's fwctl device: found by the device
 * link under class/fwctl (an auxiliary device of the PCI function), opened
 * as /dev/fwctl/<name>. Without one: -ENODEV and the reason.
 */
/* class/fwctl/<name>/device -> an mlx5_core.fwctl auxiliary device of PCI function 'pci'. */
static void fake_fwctl(const char *root, const char *pci, const char *name)
{
	char *dir, *cls, *link;

	assert_true(asprintf(&dir, "%s/devices/pci0000:00/0000:00:02.0/%s/mlx5_core.fwctl.0", root,
			     pci) > 0);
	assert_int_equal(dpu_mkdir_p(dir, 0755), 0);
	assert_true(asprintf(&cls, "%s/class/fwctl/%s", root, name) > 0);
	assert_int_equal(dpu_mkdir_p(cls, 0755), 0);
	assert_true(asprintf(&link, "%s/device", cls) > 0);
	assert_int_equal(symlink(dir, link), 0);
	free(dir);
	free(cls);
	free(link);
}

static void test_registers_through_fwctl(void **state)
{
	struct fx *f = *state;
	uint8_t reg[DPU_PPCC_LEN] = {0};
	struct dpu_dev *dev;

	assert_int_equal(dpu_dev_open(f->uri, &dev), 0);
	assert_int_equal(dpu_reg_access(dev, DPU_REG_PPCC, false, reg, 6), -EINVAL);
	assert_int_equal(dpu_reg_access(dev, DPU_REG_PPCC, false, reg, sizeof(reg)), -ENODEV);
	assert_non_null(strstr(dpu_dev_last_error(dev), "no fwctl device"));

	/* Another function's fwctl device is not this one's. */
	fake_fwctl(f->root, "0000:04:00.0", "fwctl1");
	assert_int_equal(dpu_reg_access(dev, DPU_REG_PPCC, false, reg, sizeof(reg)), -ENODEV);
	assert_non_null(strstr(dpu_dev_last_error(dev), "no fwctl device"));

	/* This function's: its node is opened (and is not there on this machine). */
	fake_fwctl(f->root, "0000:03:00.0", "fwctl7");
	if (access("/dev/fwctl/fwctl7", F_OK) != 0) {
		assert_int_equal(dpu_reg_access(dev, DPU_REG_PPCC, false, reg, sizeof(reg)),
				 -ENODEV);
		assert_non_null(strstr(dpu_dev_last_error(dev), "/dev/fwctl/fwctl7"));
	}
	dpu_dev_close(dev);
}

static void test_bad_uris(void **state)
{
	struct fx *f = *state;
	struct dpu_dev *dev = NULL;
	char *uri;

	assert_int_equal(dpu_dev_open("bluefield:03:00.0", &dev), -EINVAL);
	assert_int_equal(dpu_dev_open("bluefield:0000:03:00.0,root=/x", &dev), -EINVAL);
	assert_int_equal(dpu_dev_open("nosuch:thing", &dev), -ENODEV);
	assert_int_equal(dpu_dev_open("bluefield:0000:03:00.0,sysfs=/nonexistent", &dev), -ENODEV);
	/* Another adapter than the one in the tree. */
	assert_true(asprintf(&uri, "bluefield:0000:04:00.0,sysfs=%s", f->root) > 0);
	assert_int_equal(dpu_dev_open(uri, &dev), -ENODEV);
	assert_null(dev);
	free(uri);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_and_info),
		cmocka_unit_test(test_ports_match_the_description),
		cmocka_unit_test(test_stats_and_sensors),
		cmocka_unit_test(test_phc),
		cmocka_unit_test(test_steering_needs_open_ports),
		cmocka_unit_test(test_port_attach_devargs),
		cmocka_unit_test(test_registers_through_fwctl),
		cmocka_unit_test(test_bad_uris),
	};

	return cmocka_run_group_tests_name("hal-bluefield", tests, setup, teardown);
}
