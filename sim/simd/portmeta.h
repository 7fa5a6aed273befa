/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The eSwitch metadata dpu-simd sends with every frame to a service port.
 *
 * A service port is a memif interface (dpu-simd the server, the service the
 * client). memif carries bytes only, so each frame dpu-simd sends starts
 * with this 16-byte header; the HAL's packet I/O (dpu/hal-io.h) strips it
 * and puts the mark and the source port where a NIC's PMD puts them (the
 * mbuf's flow director ID and the rte_flow metadata field). Frames a
 * service sends carry no header: they enter the eSwitch on the service's
 * port.
 */
#ifndef DPU_SIM_SIMD_PORTMETA_H
#define DPU_SIM_SIMD_PORTMETA_H

#include <stdint.h>

#define SIMD_META_MAGIC 0x4d555044u /* "DPUM" in memory on little-endian */
#define SIMD_META_MARKED 0x0001u
#define SIMD_META_RSS 0x0002u

/* Host byte order: both ends run on the same machine. */
struct simd_port_meta {
	uint32_t magic;
	uint32_t mark;	   /* valid with SIMD_META_MARKED */
	uint16_t src_port; /* eSwitch port index the frame entered on */
	uint16_t flags;
	uint32_t rss; /* the RSS hash that chose the queue, with SIMD_META_RSS */
};

_Static_assert(sizeof(struct simd_port_meta) == 16, "simd_port_meta is 16 bytes");

#endif /* DPU_SIM_SIMD_PORTMETA_H */
