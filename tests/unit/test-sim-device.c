/* SPDX-License-Identifier: BSD-3-Clause */
/* The simulated device's model: description loading, NV store, counter tree. */
#include <config.h>

#include "unit/testutil.h"

#include <math.h>

#include "sim/device.h"
#include "sim/nvstore.h"
#include "sim/sysfs.h"

static char *fixture(const char *rel)
{
	char *p;

	assert_true(asprintf(&p, "%s/fixtures/devices/%s", getenv("top_srcdir"), rel) > 0);
	return p;
}

static void test_bf3_description(void **state)
{
	char *path = fixture("bf3.yaml");
	struct sim_device *dev = NULL;
	struct dpu_cfg_err e;
	const struct sim_port *p;

	(void)state;
	assert_int_equal(sim_device_load(path, &dev, &e), 0);
	assert_string_equal(dev->name, "bf3-0");
	assert_string_equal(dev->inv.model, "BlueField-3 B3220");
	assert_string_equal(dev->inv.serial, "MT2412X00001");
	assert_string_equal(dev->inv.mode, "dpu");
	assert_int_equal(dev->n_ports, 6);
	p = sim_device_port(dev, "p1");
	assert_non_null(p);
	assert_int_equal(p->kind, SIM_PORT_UPLINK);
	assert_int_equal(p->mac[5], 0x01);
	assert_int_equal(p->speed_mbps, 200000);
	assert_string_equal(p->ibdev, "mlx5_1");
	p = sim_device_port(dev, "pf0vf0");
	assert_int_equal(p->kind, SIM_PORT_VF);
	assert_int_equal(p->speed_mbps, 0);
	assert_null(sim_device_port(dev, "p7"));
	assert_int_equal(dev->n_sensors, 3);
	assert_int_equal(dev->sensors[2].kind, SIM_SENSOR_POWER);
	assert_true(fabs(dev->sensors[1].value - 41.5) < 1e-9);
	assert_int_equal(dev->n_nv, 11);
	assert_string_equal(dev->nv[8].name, "NUM_OF_VFS");
	assert_string_equal(dev->nv[8].value, "1");
	free(dev);
	free(path);
}

static void test_cx7_description(void **state)
{
	char *path = fixture("cx7.yaml");
	struct sim_device *dev = NULL;
	struct dpu_cfg_err e;

	(void)state;
	assert_int_equal(sim_device_load(path, &dev, &e), 0);
	assert_string_equal(dev->inv.mode, "nic");
	assert_int_equal(dev->n_ports, 2);
	assert_int_equal(dev->ports[0].speed_mbps, 400000);
	assert_string_equal(dev->inv.bsp, ""); /* optional, absent */
	assert_true(isinf(dev->sensors[0].warn) == 0);
	free(dev);
	free(path);
}

/* Every file in fixtures/devices/broken/ fails with exactly the expected message. */
static void test_broken_descriptions(void **state)
{
	char *expected = fixture("broken/EXPECTED");
	FILE *fp = fopen(expected, "r");
	char line[1024];
	int checked = 0;

	(void)state;
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *bar = strchr(line, '|');
		struct sim_device *dev = NULL;
		struct dpu_cfg_err e;
		char got[700], *path, *rel;

		if (line[0] == '#' || bar == NULL) {
			continue;
		}
		*bar = '\0';
		line[strcspn(line, "\n")] = '\0';
		bar[1 + strcspn(bar + 1, "\n")] = '\0';
		assert_true(asprintf(&rel, "broken/%s", line) > 0);
		path = fixture(rel);
		assert_int_equal(sim_device_load(path, &dev, &e), -EINVAL);
		assert_null(dev);
		/* Compare without the directory part of the file name. */
		dpu_strscpy(e.file, line, sizeof(e.file));
		dpu_cfg_err_str(&e, got, sizeof(got));
		if (strcmp(got, bar + 1) != 0) {
			print_error("%s:\n  expected: %s\n  got:      %s\n", line, bar + 1, got);
			fail();
		}
		checked++;
		free(path);
		free(rel);
	}
	fclose(fp);
	free(expected);
	assert_true(checked >= 10);
}

static struct sim_device *small_device(void)
{
	static const char text[] = "name: t\n"
				   "inventory: {model: m, serial: s, mode: nic}\n"
				   "ports:\n"
				   "  - {name: p0, kind: uplink, mac: \"02:00:00:00:00:01\","
				   " pci: \"0000:03:00.0\", ibdev: mlx5_0, speed: 100000}\n"
				   "sensors:\n"
				   "  - {name: asic, kind: temperature, value: 50.5, crit: 100}\n"
				   "nvconfig: {SRIOV_EN: False(0), NUM_OF_VFS: \"0\"}\n";
	struct sim_device *dev = NULL;
	struct dpu_cfg_err e;

	assert_int_equal(sim_device_load_string(text, strlen(text), "t.yaml", &dev, &e), 0);
	return dev;
}

/*
 * Sensors under load: the default rise (30 % of the way to the warning for
 * a temperature, 50 % for a power), a first-order approach to it, the way
 * back when the load stops; load_rise and tau from the description.
 */
static void test_sensor_load(void **state)
{
	static const char text[] =
		"name: t\n"
		"inventory: {model: m, serial: s, mode: nic}\n"
		"ports:\n"
		"  - {name: p0, kind: uplink, mac: \"02:00:00:00:00:01\","
		" pci: \"0000:03:00.0\", speed: 100000}\n"
		"sensors:\n"
		"  - {name: asic, kind: temperature, value: 50, warn: 90}\n"
		"  - {name: board, kind: power, value: 60, warn: 140}\n"
		"  - {name: hot, kind: temperature, value: 40, load_rise: 20, tau: 2}\n";
	struct sim_device *dev = NULL;
	struct dpu_cfg_err e;
	double t;

	(void)state;
	assert_int_equal(sim_device_load_string(text, strlen(text), "t.yaml", &dev, &e), 0);
	assert_true(fabs(dev->sensors[0].load_rise - 12) < 1e-9); /* (90 - 50) x 0.3 */
	assert_true(fabs(dev->sensors[0].tau - 10) < 1e-9);
	assert_true(fabs(dev->sensors[1].load_rise - 40) < 1e-9); /* (140 - 60) x 0.5 */
	assert_true(fabs(dev->sensors[1].tau - 1) < 1e-9);
	assert_true(fabs(dev->sensors[2].load_rise - 20) < 1e-9);
	/* One time constant at line rate: 63 % of the rise; ten: all of it. */
	t = sim_sensor_step(&dev->sensors[2], 40, 1, 2);
	assert_true(fabs(t - (40 + 20 * (1 - exp(-1)))) < 1e-9);
	for (int i = 0; i < 10; i++) {
		t = sim_sensor_step(&dev->sensors[2], t, 1, 2);
	}
	assert_true(fabs(t - 60) < 0.01);
	/* Loads beyond line rate count as line rate; idle, it cools back. */
	assert_true(fabs(sim_sensor_step(&dev->sensors[2], 60, 5, 100) - 60) < 1e-9);
	assert_true(fabs(sim_sensor_step(&dev->sensors[2], 60, 0, 100) - 40) < 1e-9);
	assert_true(fabs(sim_sensor_step(&dev->sensors[2], 55, 0.5, 0) - 55) < 1e-9);
	free(dev);
}

static void test_nvstore_next_boot(void **state)
{
	struct sim_device *dev = small_device();
	char *dir = test_tmpdir(), *path, *bad;
	struct sim_nvstore *st = NULL;
	struct dpu_cfg_err e;
	const struct sim_nv_entry *x;

	(void)state;
	assert_true(asprintf(&path, "%s/nv.json", dir) > 0);
	/* First boot: factory defaults. */
	assert_int_equal(sim_nvstore_open(path, dev, &st, &e), 0);
	x = sim_nvstore_get(st, "NUM_OF_VFS");
	assert_string_equal(x->current, "0");
	assert_int_equal(sim_nvstore_set(st, "NUM_OF_VFS", "16"), 0);
	assert_string_equal(x->current, "0"); /* not before a reboot */
	assert_string_equal(x->next, "16");
	assert_int_equal(sim_nvstore_set(st, "NO_SUCH", "1"), -ENOENT);
	assert_int_equal(sim_nvstore_set(st, "NUM_OF_VFS", ""), -EINVAL);
	free(st);
	/* Reboot: the next-boot value is in force. */
	assert_int_equal(sim_nvstore_open(path, dev, &st, &e), 0);
	assert_string_equal(sim_nvstore_get(st, "NUM_OF_VFS")->current, "16");
	assert_string_equal(sim_nvstore_get(st, "SRIOV_EN")->current, "False(0)");
	assert_null(sim_nvstore_get(st, "NO_SUCH"));
	free(st);
	/* A store naming a parameter the device lacks is an error, not a reset. */
	bad = test_write_file(dir, "bad.json", "{\"next-boot\": {\"LINK_TYPE_P9\": \"ETH(2)\"}}");
	assert_int_equal(sim_nvstore_open(bad, dev, &st, &e), -EINVAL);
	assert_string_equal(e.path, "$.next-boot.LINK_TYPE_P9");
	assert_non_null(strstr(e.msg, "not a parameter of device t"));
	free(bad);
	bad = test_write_file(dir, "bad2.json", "{\"next-boot\": {\"NUM_OF_VFS\": 4}}");
	assert_int_equal(sim_nvstore_open(bad, dev, &st, &e), -EINVAL);
	assert_string_equal(e.msg, "expected string, got int");
	free(bad);
	free(path);
	free(dev);
	test_rm_rf(dir);
	free(dir);
}

static char *slurp(const char *root, const char *rel)
{
	static char buf[256];
	char *path;
	FILE *fp;

	assert_true(asprintf(&path, "%s/%s", root, rel) > 0);
	fp = fopen(path, "r");
	if (fp == NULL) {
		print_error("missing %s\n", path);
		fail();
	}
	buf[0] = '\0';
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	free(path);
	return buf;
}

static void test_sysfs_tree(void **state)
{
	struct sim_device *dev = small_device();
	char *dir = test_tmpdir(), *root;

	(void)state;
	assert_true(asprintf(&root, "%s/sys", dir) > 0);
	assert_int_equal(sim_sysfs_create(root, dev), 0);
	assert_string_equal(slurp(root, "class/net/p0/address"), "02:00:00:00:00:01\n");
	assert_string_equal(slurp(root, "class/net/p0/speed"), "100000\n");
	assert_string_equal(slurp(root, "class/net/p0/operstate"), "up\n");
	assert_string_equal(slurp(root, "class/net/p0/statistics/rx_packets"), "0\n");
	assert_string_equal(slurp(root, "class/infiniband/mlx5_0/ports/1/state"), "4: ACTIVE\n");
	assert_string_equal(slurp(root, "class/infiniband/mlx5_0/ports/1/counters/port_rcv_data"),
			    "0\n");
	assert_string_equal(
		slurp(root, "class/infiniband/mlx5_0/ports/1/hw_counters/out_of_buffer"), "0\n");
	/* hwmon units: millidegrees. */
	assert_string_equal(slurp(root, "class/hwmon/hwmon0/name"), "asic\n");
	assert_string_equal(slurp(root, "class/hwmon/hwmon0/temp1_input"), "50500\n");
	assert_string_equal(slurp(root, "class/hwmon/hwmon0/temp1_crit"), "100000\n");
	assert_int_equal(sim_sysfs_set_netdev(root, "p0", "rx_packets", 12345678901ULL), 0);
	assert_string_equal(slurp(root, "class/net/p0/statistics/rx_packets"), "12345678901\n");
	sim_sysfs_remove(root);
	assert_int_equal(access(root, F_OK), -1);
	free(root);
	free(dev);
	test_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bf3_description),	    cmocka_unit_test(test_cx7_description),
		cmocka_unit_test(test_broken_descriptions), cmocka_unit_test(test_sensor_load),
		cmocka_unit_test(test_nvstore_next_boot),   cmocka_unit_test(test_sysfs_tree),
	};

	return cmocka_run_group_tests_name("sim-device", tests, NULL, NULL);
}
