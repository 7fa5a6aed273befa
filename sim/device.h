/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device description dpu-simd loads (fixtures/devices/ *.yaml files): what a
 * simulated BlueField or ConnectX is — inventory, ports, sensors and the
 * NV configuration parameters with their defaults. Format in
 * docs/simulator.md.
 */
#ifndef DPU_SIM_DEVICE_H
#define DPU_SIM_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"

#define SIM_NAME_MAX 64
#define SIM_MAX_PORTS 64
#define SIM_MAX_SENSORS 32
#define SIM_MAX_NV 128

enum sim_port_kind {
	SIM_PORT_UPLINK, /* physical port p0, p1 */
	SIM_PORT_PF,	 /* host PF representor */
	SIM_PORT_VF,	 /* host VF representor */
	SIM_PORT_SF,	 /* scalable function */
};

enum sim_sensor_kind {
	SIM_SENSOR_TEMPERATURE, /* degrees Celsius */
	SIM_SENSOR_POWER,	/* watts */
};

struct sim_port {
	char name[SIM_NAME_MAX];
	enum sim_port_kind kind;
	uint8_t mac[6];
	char pci[16];	/* "0000:03:00.0" */
	char ibdev[32]; /* "mlx5_0", or "" */
	uint32_t speed_mbps;
};

/*
 * A sensor reads 'value' while the device idles; with traffic it moves
 * towards value + load_rise x load (load: the uplinks' bytes in and out
 * against their line rate, 0..1), a first-order lag of time constant 'tau'
 * seconds, as a die warms and cools.
 */
struct sim_sensor {
	char name[SIM_NAME_MAX];
	enum sim_sensor_kind kind;
	double value, warn, crit;
	double load_rise; /* °C / W above 'value' at line rate */
	double tau;	  /* s */
};

struct sim_nv_param {
	char name[SIM_NAME_MAX];
	char value[SIM_NAME_MAX]; /* the default, mlxconfig style: "ETH(2)" */
};

struct sim_inventory {
	char model[SIM_NAME_MAX];
	char part_number[SIM_NAME_MAX];
	char serial[SIM_NAME_MAX];
	char psid[SIM_NAME_MAX];
	char mode[16]; /* dpu | nic | zero-trust */
	char firmware[SIM_NAME_MAX];
	char bsp[SIM_NAME_MAX];
	char doca[SIM_NAME_MAX];
	char board_id[SIM_NAME_MAX];
};

struct sim_device {
	char name[SIM_NAME_MAX];
	struct sim_inventory inv;
	size_t n_ports;
	struct sim_port ports[SIM_MAX_PORTS];
	size_t n_sensors;
	struct sim_sensor sensors[SIM_MAX_SENSORS];
	size_t n_nv;
	struct sim_nv_param nv[SIM_MAX_NV];
};

/*
 * Load and check a description. On success '*devp' is the caller's, freed
 * with free(). Errors name file, line and key path.
 */
int sim_device_load(const char *path, struct sim_device **devp, struct dpu_cfg_err *err);
int sim_device_load_string(const char *text, size_t len, const char *name, struct sim_device **devp,
			   struct dpu_cfg_err *err);

const char *sim_port_kind_name(enum sim_port_kind kind);
const char *sim_sensor_kind_name(enum sim_sensor_kind kind);
/* Sensor 's' reading 'now', 'dt' seconds later under 'load' (0..1). */
double sim_sensor_step(const struct sim_sensor *s, double now, double load, double dt);
/* The port called 'name', or NULL. */
const struct sim_port *sim_device_port(const struct sim_device *dev, const char *name);

#endif /* DPU_SIM_DEVICE_H */
