/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * For HAL backends only: the base device and the operations a backend
 * implements. hal.c validates arguments before calling an operation, maps a
 * NULL operation to -EOPNOTSUPP, and logs unexpected errors once.
 */
#ifndef DPU_HAL_PROVIDER_H
#define DPU_HAL_PROVIDER_H

#include "dpu/hal.h"

struct dpu_hal_class;

/* Embedded as the first member of each backend's device. */
struct dpu_dev {
	const struct dpu_hal_class *class;
};

struct dpu_hal_class {
	const char *scheme;	  /* URI scheme: "sim" */
	unsigned int api_version; /* DPU_HAL_API_VERSION */

	/*
	 * Mandatory. open() gets the URI's part after "<scheme>:", allocates
	 * the derived device, sets dev->class and returns 0, or -errno and
	 * stores nothing. close() frees all that open() allocated.
	 */
	int (*open)(const char *args, struct dpu_dev **devp);
	void (*close)(struct dpu_dev *dev);
	int (*info)(struct dpu_dev *dev, struct dpu_dev_info *info);

	/* Optional; NULL means -EOPNOTSUPP. Arguments are already checked. */
	int (*counter_root)(struct dpu_dev *dev, char *buf, size_t size);
	int (*port_list)(struct dpu_dev *dev, struct dpu_port_info *ports, size_t max);
	int (*sensor_list)(struct dpu_dev *dev, struct dpu_sensor_info *sensors, size_t max);
	int (*port_stats)(struct dpu_dev *dev, const char *name, struct dpu_port_stats *stats);
	int (*nv_list)(struct dpu_dev *dev, struct dpu_nv_param *params, size_t max);
	int (*nv_set)(struct dpu_dev *dev, const char *name, const char *value);
};

extern const struct dpu_hal_class dpu_hal_sim_class;
extern const struct dpu_hal_class dpu_hal_bluefield_class;

#endif /* DPU_HAL_PROVIDER_H */
