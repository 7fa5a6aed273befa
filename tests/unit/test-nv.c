/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NV configuration through register MNVDA (dpu/hal-reg.h): the item header
 * byte for byte against the PRM's layout (mlx5's config_item), the fields
 * of the global PCI item against mlx5's nv_global_pci_conf, mlxconfig's
 * value forms, the simulator's model of the register over its NV store
 * (sim/nvstore.h), and the HAL's list and set (what the bluefield backend
 * runs over fwctl) driven against that model.
 */
#include <config.h>

#include "unit/testutil.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "dpu/hal-reg.h"
#include "hal/hal-provider.h"
#include "sim/device.h"
#include "sim/nvstore.h"

static void test_item_layout(void **state)
{
	struct dpu_nv_item it = {0}, back;
	uint8_t b[DPU_NV_HDR + DPU_NV_DATA_MAX];
	static const uint8_t want[] = {
		0x00, 0x44, 0x30, 0x05, /* access_mode 1 (23:22), writer 4 (20:16), version 3
					   (15:12), length 5 */
		0x01, 0x02, 0x00, 0x12, /* class 1 (31:24), index: port 2, parameter 0x12 */
		0x00, 0x00, 0x00, 0x00, /* reserved, crc16 */
		0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0x00, 0x00, 0x00, /* data, padded to words */
	};

	(void)state;
	it.type_class = DPU_NV_CLASS_PORT;
	it.type_index = 2u << 16 | 0x12;
	it.access_mode = DPU_NV_CURRENT;
	it.writer_id = DPU_NV_WRITER_COMMAND_INTERFACE;
	it.version = 3;
	it.length = 5;
	memcpy(it.data, "\xa1\xa2\xa3\xa4\xa5", 5);
	assert_int_equal(dpu_nv_item_pack(&it, b), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
	dpu_nv_item_unpack(b, sizeof(want), &back);
	assert_memory_equal(&back, &it, sizeof(it));
	/* A length beyond what came is cut to it. */
	b[3] = 0xff;
	b[2] |= 0x01; /* length 0x1ff */
	dpu_nv_item_unpack(b, sizeof(want), &back);
	assert_int_equal(back.length, 8);
}

/* nv_global_pci_conf as mlx5's nv_param.c lays it out. */
static void test_global_pci_fields(void **state)
{
	const struct dpu_nv_def *en = dpu_nv_def_find("SRIOV_EN"),
				*vfs = dpu_nv_def_find("num_of_vfs");
	uint8_t data[12] = {0};
	static const uint8_t want[12] = {0x80, 0, 0, 0, 0x80, 0, 0x00, 0x10, 0, 0, 0, 0};

	(void)state;
	assert_non_null(en);
	assert_non_null(vfs);
	assert_int_equal(en->type_class, 0);
	assert_int_equal(en->type_index, 0x80);
	dpu_nv_set_field(en, data, 1);
	dpu_nv_set_field(vfs, data, 16);
	assert_memory_equal(data, want, sizeof(want)); /* sriov_valid, sriov_en, total_vfs */
	assert_int_equal(dpu_nv_field(vfs, data), 16);
	assert_int_equal(dpu_nv_field(en, data), 1);
	assert_null(dpu_nv_def_find("NO_SUCH"));
}

static void test_value_forms(void **state)
{
	const struct dpu_nv_def *lt = dpu_nv_def_find("LINK_TYPE_P1"),
				*en = dpu_nv_def_find("SRIOV_EN"),
				*vfs = dpu_nv_def_find("NUM_OF_VFS");
	char buf[32];
	uint32_t v;

	(void)state;
	dpu_nv_format(lt, 2, buf, sizeof(buf));
	assert_string_equal(buf, "ETH(2)");
	dpu_nv_format(lt, 0, buf, sizeof(buf));
	assert_string_equal(buf, "0"); /* no name */
	dpu_nv_format(en, 1, buf, sizeof(buf));
	assert_string_equal(buf, "True(1)");
	dpu_nv_format(vfs, 127, buf, sizeof(buf));
	assert_string_equal(buf, "127");
	assert_int_equal(dpu_nv_parse(lt, "ETH(2)", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(dpu_nv_parse(lt, "ib", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(dpu_nv_parse(lt, "2", &v), 0);
	assert_int_equal(dpu_nv_parse(lt, "ETH(1)", &v), -EINVAL); /* name and number disagree */
	assert_int_equal(dpu_nv_parse(lt, "4", &v), -EINVAL);	   /* 2 bits */
	assert_int_equal(dpu_nv_parse(lt, "FC", &v), -EINVAL);
	assert_int_equal(dpu_nv_parse(en, "false", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(dpu_nv_parse(en, "True(1)", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(dpu_nv_parse(en, "2", &v), -EINVAL);
	assert_int_equal(dpu_nv_parse(vfs, "65535", &v), 0);
	assert_int_equal(dpu_nv_parse(vfs, "65536", &v), -EINVAL);
	assert_int_equal(dpu_nv_parse(vfs, "8x", &v), -EINVAL);
	assert_int_equal(dpu_nv_parse(vfs, "", &v), -EINVAL);
	assert_int_equal(dpu_nv_parse(vfs, "(3)", &v), -EINVAL);
}

/* ---- the simulator's model, and the HAL over it ---- */

struct fx {
	char *dir, *path;
	struct sim_device *dev;
	struct sim_nvstore *st;
};

static struct fx fx;

static int open_store(void)
{
	struct dpu_cfg_err e;

	free(fx.st);
	fx.st = NULL;
	return sim_nvstore_open(fx.path, fx.dev, &fx.st, &e);
}

static int setup(void **state)
{
	struct dpu_cfg_err e;
	char *desc;

	(void)state;
	assert_true(asprintf(&desc, "%s/fixtures/devices/bf3.yaml", getenv("top_srcdir")) > 0);
	assert_int_equal(sim_device_load(desc, &fx.dev, &e), 0);
	free(desc);
	fx.dir = test_tmpdir();
	assert_true(asprintf(&fx.path, "%s/nv.json", fx.dir) > 0);
	return open_store();
}

static int teardown(void **state)
{
	(void)state;
	free(fx.st);
	free(fx.dev);
	test_rm_rf(fx.dir);
	free(fx.dir);
	free(fx.path);
	return 0;
}

/* A device whose registers are the model's, refusals as a backend reports them. */
static int model_reg(struct dpu_dev *dev, uint16_t reg_id, bool write, void *data, size_t len)
{
	char why[160];

	if (reg_id != DPU_REG_MNVDA) {
		return -EOPNOTSUPP;
	}
	if (sim_nvstore_mnvda(fx.st, write, data, len, why, sizeof(why)) < 0) {
		dpu_dev_set_error(dev, "%s", why);
		return -EREMOTEIO;
	}
	return 0;
}

static const struct dpu_hal_class model_class = {
	.scheme = "test-nv",
	.api_version = DPU_HAL_API_VERSION,
	.reg_access = model_reg,
	.nv_list = dpu_nv_reg_list,
	.nv_set = dpu_nv_reg_set,
};

static void test_model_reads_the_store(void **state)
{
	struct dpu_nv_item it = {.type_class = 0, .type_index = 0x80, .length = 12};
	uint8_t reg[DPU_NV_HDR + DPU_NV_DATA_MAX];
	char why[160];
	size_t len;

	(void)state;
	assert_int_equal(open_store(), 0);
	len = dpu_nv_item_pack(&it, reg);
	assert_int_equal(sim_nvstore_mnvda(fx.st, false, reg, len, why, sizeof(why)), 0);
	dpu_nv_item_unpack(reg, len, &it);
	assert_int_equal(it.length, 12);
	assert_int_equal(dpu_nv_field(dpu_nv_def_find("SRIOV_EN"), it.data), 1);
	assert_int_equal(dpu_nv_field(dpu_nv_def_find("NUM_OF_VFS"), it.data), 1);
	assert_int_equal(dpu_nv_field(dpu_nv_def_find("PER_PF_NUM_SF"), it.data), 1);
	assert_int_equal(dpu_nv_field(dpu_nv_def_find("PF_NUM_OF_VF_VALID"), it.data), 0);

	/* An item without any of the store's parameters; the factory values; a
	 * write of the current values; too short a register: refused, said. */
	it = (struct dpu_nv_item){.type_class = 0, .type_index = 0x0d, .length = 4};
	len = dpu_nv_item_pack(&it, reg);
	assert_int_equal(sim_nvstore_mnvda(fx.st, false, reg, len, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "MNVDA: no configuration item class 0 index 0x00000d here");
	it = (struct dpu_nv_item){.type_index = 0x80, .access_mode = DPU_NV_FACTORY, .length = 12};
	len = dpu_nv_item_pack(&it, reg);
	assert_int_equal(sim_nvstore_mnvda(fx.st, false, reg, len, why, sizeof(why)), -EINVAL);
	it.access_mode = DPU_NV_CURRENT;
	len = dpu_nv_item_pack(&it, reg);
	assert_int_equal(sim_nvstore_mnvda(fx.st, true, reg, len, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "writing the current values"));
	it.access_mode = DPU_NV_NEXT;
	it.length = 4;
	len = dpu_nv_item_pack(&it, reg);
	assert_int_equal(sim_nvstore_mnvda(fx.st, false, reg, len, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "takes 12 bytes"));
}

/*
 * A write changes all of its item's parameters in one save, or none of
 * them: with the store's file made unwritable (a directory in its place),
 * SRIOV_EN and NUM_OF_VFS both keep their values and the reason is said;
 * once it is writable again, the same write takes both.
 */
static void test_model_write_all_or_none(void **state)
{
	struct dpu_nv_item it = {.type_class = 0, .type_index = 0x80, .length = 12};
	const struct dpu_nv_def *en = dpu_nv_def_find("SRIOV_EN");
	const struct dpu_nv_def *vfs = dpu_nv_def_find("NUM_OF_VFS");
	uint8_t reg[DPU_NV_HDR + DPU_NV_DATA_MAX];
	char why[160], *blocker;
	size_t len;

	(void)state;
	assert_int_equal(open_store(), 0);
	assert_int_equal(sim_nvstore_set(fx.st, "SRIOV_EN", "False(0)"), 0);
	assert_int_equal(sim_nvstore_set(fx.st, "NUM_OF_VFS", "2"), 0);
	dpu_nv_set_field(en, it.data, 1);
	dpu_nv_set_field(vfs, it.data, 8);
	dpu_be32_set_field(it.data, 0, (unsigned int)vfs->valid_bit, 1, 1);
	len = dpu_nv_item_pack(&it, reg);

	assert_int_equal(unlink(fx.path), 0);
	assert_int_equal(mkdir(fx.path, 0755), 0);
	blocker = test_write_file(fx.path, "x", "x");
	assert_true(sim_nvstore_mnvda(fx.st, true, reg, len, why, sizeof(why)) < 0);
	assert_non_null(strstr(why, "MNVDA: cannot store the item's values"));
	assert_string_equal(sim_nvstore_get(fx.st, "SRIOV_EN")->next, "False(0)");
	assert_string_equal(sim_nvstore_get(fx.st, "NUM_OF_VFS")->next, "2");

	assert_int_equal(unlink(blocker), 0);
	assert_int_equal(rmdir(fx.path), 0);
	free(blocker);
	len = dpu_nv_item_pack(&it, reg);
	assert_int_equal(sim_nvstore_mnvda(fx.st, true, reg, len, why, sizeof(why)), 0);
	assert_string_equal(sim_nvstore_get(fx.st, "SRIOV_EN")->next, "True(1)");
	assert_string_equal(sim_nvstore_get(fx.st, "NUM_OF_VFS")->next, "8");
	assert_int_equal(open_store(), 0); /* and it was saved */
	assert_string_equal(sim_nvstore_get(fx.st, "NUM_OF_VFS")->current, "8");
}

static const struct dpu_nv_param *find(const struct dpu_nv_param *p, int n, const char *name)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(p[i].name, name) == 0) {
			return &p[i];
		}
	}
	fail_msg("no %s in the list", name);
	return NULL;
}

/*
 * The HAL's list names exactly the store's parameters with the store's
 * values; a set changes the next-boot value only, through the item, and a
 * reboot (reopening the store) makes it current.
 */
static void test_hal_over_the_model(void **state)
{
	struct dpu_dev dev = {.class = &model_class};
	struct dpu_nv_param p[32];
	int n;

	(void)state;
	assert_int_equal(open_store(), 0);
	n = dpu_nv_list(&dev, p, 32);
	assert_int_equal(n, (int)fx.st->n);
	for (size_t i = 0; i < fx.st->n; i++) {
		const struct dpu_nv_param *q = find(p, n, fx.st->e[i].name);

		assert_string_equal(q->current, fx.st->e[i].current);
		assert_string_equal(q->next, fx.st->e[i].next);
	}
	assert_string_equal(find(p, n, "LINK_TYPE_P2")->next, "ETH(2)");
	assert_string_equal(find(p, n, "INTERNAL_CPU_MODEL")->current, "EMBEDDED_CPU(1)");

	assert_int_equal(dpu_nv_set(&dev, "LINK_TYPE_P2", "ib"), 0);
	assert_int_equal(dpu_nv_set(&dev, "NUM_OF_VFS", "16"), 0);
	assert_string_equal(sim_nvstore_get(fx.st, "LINK_TYPE_P2")->next, "IB(1)");
	assert_string_equal(sim_nvstore_get(fx.st, "LINK_TYPE_P2")->current, "ETH(2)");
	assert_string_equal(sim_nvstore_get(fx.st, "LINK_TYPE_P1")->next, "ETH(2)");
	assert_string_equal(sim_nvstore_get(fx.st, "NUM_OF_VFS")->next, "16");
	assert_string_equal(sim_nvstore_get(fx.st, "SRIOV_EN")->next, "True(1)");
	n = dpu_nv_list(&dev, p, 32);
	assert_string_equal(find(p, n, "LINK_TYPE_P2")->next, "IB(1)");
	assert_string_equal(find(p, n, "LINK_TYPE_P2")->current, "ETH(2)");

	/* Refusals name the parameter and what it takes. */
	assert_int_equal(dpu_nv_set(&dev, "LINK_TYPE_P1", "FC"), -EINVAL);
	assert_string_equal(dpu_dev_last_error(&dev), "LINK_TYPE_P1: 'FC' is not IB(1), ETH(2)");
	assert_int_equal(dpu_nv_set(&dev, "SRIOV_EN", "yes"), -EINVAL);
	assert_non_null(strstr(dpu_dev_last_error(&dev), "True(1) or False(0)"));
	assert_int_equal(dpu_nv_set(&dev, "NO_SUCH", "1"), -ENOENT);

	/* Reboot. */
	assert_int_equal(open_store(), 0);
	n = dpu_nv_list(&dev, p, 32);
	assert_string_equal(find(p, n, "LINK_TYPE_P2")->current, "IB(1)");
	assert_string_equal(find(p, n, "NUM_OF_VFS")->current, "16");
	/* 'max' smaller than the list: the count is still all of them. */
	assert_int_equal(dpu_nv_list(&dev, p, 2), n);
}

/* The operating mode in force, from the internal-CPU item's current values. */
static void test_dpu_mode(void **state)
{
	struct dpu_dev dev = {.class = &model_class};
	char mode[16];

	(void)state;
	assert_int_equal(open_store(), 0);
	assert_int_equal(dpu_nv_dpu_mode(&dev, mode, sizeof(mode)), 0);
	assert_string_equal(mode, "dpu");
	/* BlueField-3's NIC mode: the offload engine off, after a reboot. */
	assert_int_equal(dpu_nv_set(&dev, "INTERNAL_CPU_OFFLOAD_ENGINE", "DISABLED"), 0);
	assert_int_equal(dpu_nv_dpu_mode(&dev, mode, sizeof(mode)), 0);
	assert_string_equal(mode, "dpu");
	assert_int_equal(open_store(), 0);
	assert_int_equal(dpu_nv_dpu_mode(&dev, mode, sizeof(mode)), 0);
	assert_string_equal(mode, "nic");
	assert_int_equal(dpu_nv_set(&dev, "INTERNAL_CPU_MODEL", "SEPARATED_HOST"), 0);
	assert_int_equal(open_store(), 0);
	assert_int_equal(dpu_nv_dpu_mode(&dev, mode, sizeof(mode)), 0);
	assert_string_equal(mode, "separated-host");
	assert_int_equal(dpu_nv_set(&dev, "INTERNAL_CPU_MODEL", "EMBEDDED_CPU"), 0);
	assert_int_equal(dpu_nv_set(&dev, "INTERNAL_CPU_OFFLOAD_ENGINE", "ENABLED"), 0);
	assert_int_equal(open_store(), 0);
}

/*
 * A ConnectX-7 has no internal CPU: its item is refused, so the list has
 * just the store's parameters and a set of one of the missing item's says
 * so; a field of an item the device has but without the parameter is
 * refused when written.
 */
static void test_device_without_an_item(void **state)
{
	struct dpu_dev dev = {.class = &model_class};
	struct sim_nvstore *bf3 = fx.st, *cx7 = NULL;
	struct sim_device *desc;
	struct dpu_nv_param p[32];
	struct dpu_cfg_err e;
	char *path, *store;

	(void)state;
	assert_true(asprintf(&path, "%s/fixtures/devices/cx7.yaml", getenv("top_srcdir")) > 0);
	assert_true(asprintf(&store, "%s/cx7-nv.json", fx.dir) > 0);
	assert_int_equal(sim_device_load(path, &desc, &e), 0);
	assert_int_equal(sim_nvstore_open(store, desc, &cx7, &e), 0);
	fx.st = cx7;
	assert_int_equal(dpu_nv_list(&dev, p, 32), (int)cx7->n);
	assert_string_equal(find(p, (int)cx7->n, "SRIOV_EN")->current, "False(0)");
	assert_int_equal(dpu_nv_set(&dev, "INTERNAL_CPU_MODEL", "EMBEDDED_CPU"), -EREMOTEIO);
	assert_string_equal(dpu_dev_last_error(&dev),
			    "MNVDA: no configuration item class 0 index 0x00000c here");
	{
		char mode[16];

		assert_int_equal(dpu_nv_dpu_mode(&dev, mode, sizeof(mode)), -EREMOTEIO);
	}
	assert_int_equal(sim_nvstore_set(cx7, "PER_PF_NUM_SF", "False(0)"), 0);
	{
		/* The item as the firmware has it, with a field this store lacks. */
		struct dpu_nv_item it = {.type_index = 0x80, .length = 12};
		uint8_t reg[DPU_NV_HDR + DPU_NV_DATA_MAX];
		char why[160];
		size_t len;
		struct sim_nv_entry saved = cx7->e[cx7->n - 1];

		assert_string_equal(saved.name, "PER_PF_NUM_SF");
		cx7->n--; /* this store, without PER_PF_NUM_SF */
		dpu_nv_set_field(dpu_nv_def_find("PER_PF_NUM_SF"), it.data, 1);
		len = dpu_nv_item_pack(&it, reg);
		assert_int_equal(sim_nvstore_mnvda(cx7, true, reg, len, why, sizeof(why)), -EINVAL);
		assert_string_equal(why, "MNVDA: PER_PF_NUM_SF is not a parameter of this device");
		cx7->n++;
	}
	fx.st = bf3;
	free(cx7);
	free(desc);
	free(path);
	free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item_layout),
		cmocka_unit_test(test_global_pci_fields),
		cmocka_unit_test(test_value_forms),
		cmocka_unit_test(test_model_reads_the_store),
		cmocka_unit_test(test_model_write_all_or_none),
		cmocka_unit_test(test_hal_over_the_model),
		cmocka_unit_test(test_device_without_an_item),
		cmocka_unit_test(test_dpu_mode),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
