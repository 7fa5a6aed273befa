/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sysfs-shaped counter tree dpu-simd keeps under its run directory, so
 * a telemetry provider reads <root>/class/net/p0/statistics/rx_packets on the
 * simulator exactly as it reads /sys/class/net/p0/statistics/rx_packets on a
 * BlueField:
 *
 *   class/net/<port>/{address,operstate,carrier,speed,mtu,statistics/...}
 *   class/net/<port>/{phys_port_name,phys_switch_id,device/uevent}
 *   class/infiniband/<ibdev>/{fw_ver,board_id,node_desc}
 *   class/infiniband/<ibdev>/ports/1/{state,counters/...,hw_counters/...}
 *   class/hwmon/hwmon<N>/{name,temp1_input,temp1_max,temp1_crit} (milli-°C)
 *                        {name,power1_input,power1_max,power1_crit} (µW)
 *   class/dmi/id/{product_name,product_serial,product_sku,sys_vendor}
 *
 * Every file is replaced atomically (write + rename), so a reader never sees
 * half a number.
 */
#ifndef DPU_SIM_SYSFS_H
#define DPU_SIM_SYSFS_H

#include <stdint.h>

#include "sim/device.h"

/* The counters under class/net/<port>/statistics/. */
extern const char *const sim_netdev_counters[];
/* The counters under class/infiniband/<ibdev>/ports/1/counters/ and hw_counters/. */
extern const char *const sim_ib_counters[];
extern const char *const sim_ib_hw_counters[];

/* Create the whole tree for 'dev' under 'root' (created if needed), all counters 0. */
int sim_sysfs_create(const char *root, const struct sim_device *dev);
/* Remove the tree (on clean shutdown). */
void sim_sysfs_remove(const char *root);
/* Set sensor 'idx' (class/hwmon/hwmon<idx>/{temp1,power1}_input) to 'value' (°C / W). */
int sim_sysfs_set_sensor(const char *root, size_t idx, const struct sim_sensor *s, double value);
/* Set class/net/<port>/statistics/<counter>. */
int sim_sysfs_set_netdev(const char *root, const char *port, const char *counter, uint64_t value);
/* Write 'text' to root/relpath atomically. */
int sim_sysfs_write(const char *root, const char *relpath, const char *text);

#endif /* DPU_SIM_SYSFS_H */
