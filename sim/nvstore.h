/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated device's non-volatile configuration, mlxconfig style: each
 * parameter has a current value (in force since the last boot) and a
 * next-boot value (what a set changes). Persisted as JSON; opening the store
 * is a boot: next-boot values become current. Parameters are those of the
 * device description, with its values as factory defaults.
 */
#ifndef DPU_SIM_NVSTORE_H
#define DPU_SIM_NVSTORE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/device.h"

struct sim_nv_entry {
	char name[SIM_NAME_MAX];
	char current[SIM_NAME_MAX];
	char next[SIM_NAME_MAX];
};

struct sim_nvstore {
	char path[PATH_MAX];
	size_t n;
	struct sim_nv_entry e[SIM_MAX_NV];
};

/*
 * Open (boot) the store at 'path' for 'dev'. A missing file starts from the
 * defaults; a bad file is an error naming it (never silently reset). Free
 * with free().
 */
int sim_nvstore_open(const char *path, const struct sim_device *dev, struct sim_nvstore **out,
		     struct dpu_cfg_err *err);
/* Set the next-boot value and persist; -ENOENT for an unknown parameter. */
int sim_nvstore_set(struct sim_nvstore *st, const char *name, const char *value);
const struct sim_nv_entry *sim_nvstore_get(const struct sim_nvstore *st, const char *name);

/*
 * Register MNVDA on the store (dpu/hal-reg.h): 'reg' ('len' bytes) asks
 * for a configuration item, the next-boot or current values of the store's
 * parameters that live in it (dpu_nv_defs) encoded into its fields; a
 * write sets the next-boot value of each of them from the item (a field
 * with a valid bit only when that is set), all in one save: when the store
 * cannot be saved, none of them changes and the error is returned. A field
 * of an item the store has no parameter for reads 0 (a description should
 * list every parameter of the items it has, as mlxconfig would show them). An item none of the
 * store's parameters is in, the factory values, a write of anything but
 * the next-boot values, a write setting a field the store has no parameter
 * for, or a store value the field cannot carry: -EINVAL with the reason in
 * 'why' (the firmware's refusal).
 */
int sim_nvstore_mnvda(struct sim_nvstore *st, bool write, uint8_t *reg, size_t len, char *why,
		      size_t whylen);

/*
 * The operating mode the current values give, as dpu_nv_dpu_mode() reads
 * it from a device: "dpu", "nic" or "separated-host"; NULL when the store
 * has no INTERNAL_CPU_MODEL (a plain NIC) or a value it cannot read.
 */
const char *sim_nvstore_mode(const struct sim_nvstore *st);

#endif /* DPU_SIM_NVSTORE_H */
