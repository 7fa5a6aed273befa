/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HAL's steering (dpu/hal-flow.h) carried out with rte_flow on the
 * ports this process holds in DPDK: what a device's steering is when its
 * backend says so in port_attach (dpu_hal_attach.rte_steering: the
 * bluefield backend, whose switch is the NIC's). Packet I/O installs it on
 * the device as the first such port opens and takes it away with the last.
 *
 *   domains  a port's ingress: rules on that port's ethdev (ingress),
 *            which must be open in this process; the switch: transfer
 *            rules on the ports' transfer proxy, naming ports by their
 *            ethdev (REPRESENTED_PORT): a port a rule names that is not
 *            open here is probed for its ethdev (the backend's
 *            port_attach devargs; mlx5 probes a representor more on a
 *            device it has), not started, and closed with the steering.
 *   pipes    one rte_flow group each (1, 2, ... per device); the domain's
 *            root is reached by a rule in group 0 that jumps to it, and a
 *            new root replaces the jump. A PMD without JUMP (net_tap) gets
 *            its one pipe per domain in group 0 itself.
 *   entries  one rule (hal/flow-rte.h), or one per masked block of an ACL
 *            entry's port ranges. Priorities: exact entries 0; ACL the
 *            entry's (at most DPU_RTE_STEER_MAX_PRIORITY); LPM routes
 *            by prefix length, longest first. Below them all, the pipe's
 *            miss: a rule matching every frame with the miss actions.
 *   counters COUNT on every rule, read with rte_flow_query() and summed
 *            over an entry's rules; a PMD that refuses COUNT (net_tap)
 *            gets rules without and entry stats answer -EOPNOTSUPP.
 *   meters   rte_mtr: an srTCM profile (RFC 2697) and a meter of the same
 *            id (1, 2, ... per domain) under one policy per domain (green
 *            and yellow go on, red is dropped); an entry's METER names it.
 *            A PMD without rte_mtr (net_tap) refuses with its reason.
 *
 * The device's last error says why an operation failed, with the PMD's
 * reason for a rule it refused. Calls are serialised by a lock of the
 * device's steering; rte_flow's own thread safety is the PMD's.
 */
#ifndef DPU_HAL_STEER_RTE_H
#define DPU_HAL_STEER_RTE_H

#include <stdbool.h>
#include <stdint.h>

#include "dpu/hal.h"

#define DPU_RTE_STEER_MAX_PRIORITY 1023 /* ACL priorities, as the simulator's */

/*
 * Port 'port' (ethdev 'ethdev', 'queues' receive queues) is open in this
 * process: steering can name it and use its ingress. The first port
 * installs the steering on 'dev'. 0 or -errno.
 */
int dpu_rte_steer_port_add(struct dpu_dev *dev, const char *port, uint16_t ethdev, uint16_t queues);

/*
 * The port is closing: its ingress domain's pipes and rules go (and, when
 * it was the switch's transfer proxy, the switch's). With the last open
 * port the ports probed for switch rules are closed and the steering is
 * taken off 'dev'.
 */
void dpu_rte_steer_port_del(struct dpu_dev *dev, const char *port);

/* Whether 'port' is one the steering probed for a switch rule (not opened). */
bool dpu_rte_steer_probed(struct dpu_dev *dev, const char *port);

/* From hal-io.c: the ethdev a port_attach made, by name or (a representor) by devargs. */
struct dpu_hal_attach;
int dpu_hal_attach_ethdev(const struct dpu_hal_attach *at, uint16_t *port);

#endif /* DPU_HAL_STEER_RTE_H */
