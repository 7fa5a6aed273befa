/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hardware abstraction layer every service codes against.
 *
 * A device is opened by URI; the scheme picks the backend:
 *   sim:<name>[,run-dir=<dir>]   the simulated device served by dpu-simd
 *                                (default run dir <dpu run dir>/sim/<name>)
 *   bluefield:<pci>[,sysfs=<root>]  a real BlueField/ConnectX through sysfs
 *                                (inventory, ports, counters, sensors so far)
 *
 * All functions return 0 (or a count) or a negative errno:
 *   -EINVAL bad argument, -ENODEV no such device or port, -ENOENT no such
 *   parameter, -EOPNOTSUPP the backend lacks the operation, -EIO the device
 *   went away, -ENOMEM.
 * Ownership: dpu_dev_open() gives the caller a device it releases with
 * dpu_dev_close() (which accepts NULL). Out-structs are filled by value.
 * A struct dpu_dev is used from one thread at a time.
 *
 * Covered here: inventory, ports and their counters, sensors, the counter
 * tree root and the NV configuration. Steering pipes: dpu/hal-flow.h.
 * Packet I/O on a service's port (DPDK): dpu/hal-io.h. Device registers
 * (ACCESS_REG; PPCC): dpu/hal-reg.h.
 */
#ifndef DPU_HAL_H
#define DPU_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DPU_HAL_API_VERSION 1

#define DPU_HAL_STR 64

struct dpu_dev;

struct dpu_dev_info {
	char name[DPU_HAL_STR];
	char model[DPU_HAL_STR];
	char part_number[DPU_HAL_STR];
	char serial[DPU_HAL_STR];
	char psid[DPU_HAL_STR];
	char mode[16]; /* dpu | nic | separated-host | zero-trust */
	char firmware[DPU_HAL_STR];
	char bsp[DPU_HAL_STR];
	char doca[DPU_HAL_STR];
	char board_id[DPU_HAL_STR];
};

enum dpu_port_kind {
	DPU_PORT_UPLINK,
	DPU_PORT_PF,
	DPU_PORT_VF,
	DPU_PORT_SF,
};

struct dpu_port_info {
	char name[DPU_HAL_STR];
	enum dpu_port_kind kind;
	uint8_t mac[6];
	char pci[16];
	char ibdev[32];
	uint32_t speed_mbps; /* 0 when the port has no speed (representors) */
	bool link_up;
};

enum dpu_sensor_kind {
	DPU_SENSOR_TEMPERATURE, /* °C */
	DPU_SENSOR_POWER,	/* W */
};

struct dpu_sensor_info {
	char name[DPU_HAL_STR];
	enum dpu_sensor_kind kind;
	double value;
	double warn; /* INFINITY when none */
	double crit;
};

struct dpu_port_stats {
	uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
	uint64_t tx_packets, tx_bytes, tx_dropped;
};

struct dpu_nv_param {
	char name[DPU_HAL_STR];
	char current[DPU_HAL_STR]; /* in force since the last boot */
	char next[DPU_HAL_STR];	   /* applied at the next boot */
};

int dpu_dev_open(const char *uri, struct dpu_dev **devp) __attribute__((warn_unused_result));
void dpu_dev_close(struct dpu_dev *dev);
/* The backend's scheme ("sim", "bluefield"). */
const char *dpu_dev_backend(const struct dpu_dev *dev);
/* Why the device's last operation failed, in words ("" if it gave none). */
const char *dpu_dev_last_error(const struct dpu_dev *dev);

int dpu_dev_info(struct dpu_dev *dev, struct dpu_dev_info *info);
/*
 * The directory that holds the device's class/net, class/infiniband and
 * class/hwmon trees ("/sys" on hardware). Copied into 'buf'.
 */
int dpu_dev_counter_root(struct dpu_dev *dev, char *buf, size_t size);

/* Fill up to 'max' ports; returns how many the device has (may be > max). */
int dpu_port_list(struct dpu_dev *dev, struct dpu_port_info *ports, size_t max);
int dpu_sensor_list(struct dpu_dev *dev, struct dpu_sensor_info *sensors, size_t max);
/* Counters of port 'name'; -ENODEV for a port the device does not have. */
int dpu_port_stats(struct dpu_dev *dev, const char *name, struct dpu_port_stats *stats);

/* NV configuration (mlxconfig-style parameters). */
int dpu_nv_list(struct dpu_dev *dev, struct dpu_nv_param *params, size_t max);
/* Set the next-boot value; -ENOENT for a parameter the device does not have. */
int dpu_nv_set(struct dpu_dev *dev, const char *name, const char *value);

/*
 * The PTP hardware clock (on hardware /dev/ptpN of the first uplink; on the
 * simulator an oscillator model with settable drift).
 */
struct dpu_phc_state {
	int64_t phc_ns;	    /* the PHC, ns since the epoch of its timescale */
	int64_t sys_ns;	    /* CLOCK_REALTIME at the same instant */
	double freq_ppb;    /* the frequency correction in force */
	double max_adj_ppb; /* the largest correction the clock takes */
	double drift_ppb;   /* simulator: the oscillator's own error; 0 elsewhere */
};

int dpu_phc_read(struct dpu_dev *dev, struct dpu_phc_state *st);
int dpu_phc_settime(struct dpu_dev *dev, int64_t phc_ns);
/* Step by 'delta_ns' (clock_adjtime ADJ_SETOFFSET). */
int dpu_phc_step(struct dpu_dev *dev, int64_t delta_ns);
/* Set the frequency correction (ADJ_FREQUENCY); -ERANGE beyond max_adj_ppb. */
int dpu_phc_adjfreq(struct dpu_dev *dev, double ppb);

const char *dpu_port_kind_name(enum dpu_port_kind kind);
const char *dpu_sensor_kind_name(enum dpu_sensor_kind kind);

#endif /* DPU_HAL_H */
