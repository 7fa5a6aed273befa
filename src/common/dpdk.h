/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Starting DPDK the same way in every program (libdpucommon-dpdk).
 *
 * dpu_dpdk_init() builds the EAL arguments: the program's own (vdevs, lcores)
 * plus
 *   --in-memory            no files under /var/run/dpdk, so test runs in
 *                          parallel never collide and nothing is left behind
 *   --no-huge -m <MB>      when no 2 MiB hugepage is free, hugetlbfs is not
 *   --no-shconf            mounted, or DPU_NO_HUGE=1 is set (--in-memory
 *                          cannot go with --no-huge; --no-shconf keeps the
 *                          same no-shared-files property)
 *   --log-level            from --sdk-log-level (dpu_log_get_sdk_level())
 * and calls rte_eal_init(). dpu_dpdk_fini() calls rte_eal_cleanup().
 */
#ifndef DPU_COMMON_DPDK_H
#define DPU_COMMON_DPDK_H

#include <stdbool.h>

/* True when hugetlbfs is mounted and at least one hugepage is free. */
bool dpu_dpdk_hugepages_available(void);

/*
 * 'eal_args' is a NULL-terminated list of extra EAL arguments (borrowed).
 * 'no_huge_mb' is the memory to ask for when running without hugepages.
 * Returns 0, or -errno from rte_eal_init() (logged with the reason).
 */
int dpu_dpdk_init(const char *prog, const char *const eal_args[], unsigned int no_huge_mb);
/* Whether dpu_dpdk_init() chose --no-huge. */
bool dpu_dpdk_no_huge(void);
void dpu_dpdk_fini(void);

/* --sdk-log-level (10..70) as an RTE_LOG_* level. */
unsigned int dpu_dpdk_log_level(int dpu_level);

#endif /* DPU_COMMON_DPDK_H */
