/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * For HAL backends only: the base device and the operations a backend
 * implements. hal.c validates arguments before calling an operation, maps a
 * NULL operation to -EOPNOTSUPP, and logs unexpected errors once.
 */
#ifndef DPU_HAL_PROVIDER_H
#define DPU_HAL_PROVIDER_H

#include "dpu/hal-flow.h"
#include "dpu/hal.h"

struct dpu_hal_class;

/* The DPDK device that is a port for this process (see port_attach). */
struct dpu_hal_attach {
	char bus[16];	   /* for rte_eal_hotplug_add(): "vdev", "pci", "auxiliary" */
	char name[64];	   /* the device; also its ethdev name */
	char args[256];	   /* devargs */
	char match[96];	   /* "": the ethdev is named 'name'; else the devargs
			    * rte_eth_iterator_init() finds it by (a representor
			    * of the device 'name') */
	bool meta_header;  /* frames start with sim/simd/portmeta.h's header */
	bool rte_steering; /* the device's steering is rte_flow on its ports
			    * (hal/steer-rte.h) while they are open here */
	uint16_t queues;   /* in: the receive/transmit queue pairs wanted */
};

/* Embedded as the first member of each backend's device. */
struct dpu_dev {
	const struct dpu_hal_class *class;
	/* Why the last operation failed; hal.c clears it before each one. */
	char last_error[256];
	/* When set, the steering operations are these, not the class's: the
	 * rte_flow steering packet I/O installs (hal/steer-rte.h). */
	const struct dpu_hal_class *steer;
	void *steer_state;
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

	/* Steering (dpu/hal-flow.h); 'domain' is NULL for the switch. */
	int (*pipe_create)(struct dpu_dev *dev, const struct dpu_pipe_attr *attr);
	int (*entry_add)(struct dpu_dev *dev, const char *domain, const char *pipe,
			 uint32_t priority, const struct dpu_match *match,
			 const struct dpu_actions *actions, uint32_t *entry);
	/* Optional: without it, entry_add for each (ECMP groups refused). */
	int (*entries_add)(struct dpu_dev *dev, const char *domain, const char *pipe,
			   const struct dpu_entry_spec *specs, size_t n, uint32_t *entries,
			   int *rcs);
	int (*pipe_destroy)(struct dpu_dev *dev, const char *domain, const char *pipe);
	int (*entry_update)(struct dpu_dev *dev, const char *domain, const char *pipe,
			    uint32_t entry, const struct dpu_actions *actions,
			    unsigned int n_actions);
	int (*entry_del)(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t entry);
	/* Optional: without it, entry_del for each. */
	int (*entries_del)(struct dpu_dev *dev, const char *domain, const char *pipe,
			   const uint32_t *entries, size_t n, int *rcs);
	int (*entry_stats)(struct dpu_dev *dev, const char *domain, const char *pipe,
			   uint32_t entry, uint64_t *packets, uint64_t *bytes);
	int (*flow_flush)(struct dpu_dev *dev, const char *domain);
	int (*meter_create)(struct dpu_dev *dev, const char *domain, uint64_t cir, uint64_t cbs,
			    uint64_t ebs, uint32_t *id);
	int (*meter_stats)(struct dpu_dev *dev, const char *domain, uint32_t id,
			   uint64_t packets[3], uint64_t bytes[3]);

	/* The PHC; 'st' is zeroed before the call. */
	int (*phc_read)(struct dpu_dev *dev, struct dpu_phc_state *st);
	int (*phc_settime)(struct dpu_dev *dev, int64_t phc_ns);
	int (*phc_step)(struct dpu_dev *dev, int64_t delta_ns);
	int (*phc_adjfreq)(struct dpu_dev *dev, double ppb);

	/* Packet I/O (dpu/hal-io.h): how this process reaches port 'port'. */
	int (*port_attach)(struct dpu_dev *dev, const char *port, struct dpu_hal_attach *at);

	/* A device register (dpu/hal-reg.h); 'len' is a checked multiple of 4. */
	int (*reg_access)(struct dpu_dev *dev, uint16_t reg_id, bool write, void *data, size_t len);
	/* A firmware command (dpu/hal-reg.h); lengths checked, 'out' zeroed. */
	int (*cmd)(struct dpu_dev *dev, const void *in, size_t in_len, void *out, size_t out_len);
};

/*
 * The mlx5 command mailbox of ACCESS_REG (mlx5_ifc access_register_in/out):
 * a 16-byte header, then the register data. _in() builds the request into
 * 'in' and returns its length (0 when 'size' is too small); _out() checks
 * the answer's status (-EREMOTEIO with status/syndrome when the firmware
 * refused) and copies the register data out.
 */
#define DPU_MLX5_CMD_ACCESS_REG 0x805
#define DPU_MLX5_REG_HDR 16
size_t dpu_mlx5_access_reg_in(uint8_t *in, size_t size, uint16_t reg_id, bool write,
			      const void *data, size_t len);
int dpu_mlx5_access_reg_out(const uint8_t *out, size_t out_len, void *data, size_t len,
			    uint8_t *status, uint32_t *syndrome);

/* Record why an operation failed (printf-style) for dpu_dev_last_error(). */
void dpu_dev_set_error(struct dpu_dev *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

extern const struct dpu_hal_class dpu_hal_sim_class;
extern const struct dpu_hal_class dpu_hal_bluefield_class;

#endif /* DPU_HAL_PROVIDER_H */
