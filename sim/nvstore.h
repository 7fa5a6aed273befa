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

#endif /* DPU_SIM_NVSTORE_H */
