/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#define DPU_LOG_MODULE "dpdk"
#include "common/dpdk.h"
#include "common/log.h"

#define MAX_EAL_ARGS 64

static bool chose_no_huge;

bool dpu_dpdk_hugepages_available(void)
{
	const char *force = getenv("DPU_NO_HUGE");
	char line[256];
	bool mounted = false;
	long free_pages = 0;
	FILE *fp;

	if (force != NULL && strcmp(force, "0") != 0 && force[0] != '\0') {
		return false;
	}
	fp = fopen("/proc/mounts", "re");
	if (fp == NULL) {
		return false;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strstr(line, " hugetlbfs ") != NULL) {
			mounted = true;
			break;
		}
	}
	fclose(fp);
	if (!mounted) {
		return false;
	}
	fp = fopen("/proc/meminfo", "re");
	if (fp == NULL) {
		return false;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "HugePages_Free: %ld", &free_pages) == 1) {
			break;
		}
	}
	fclose(fp);
	return free_pages > 0;
}

unsigned int dpu_dpdk_log_level(int dpu_level)
{
	if (dpu_level <= 10) {
		return RTE_LOG_EMERG;
	}
	if (dpu_level <= 20) {
		return RTE_LOG_CRIT;
	}
	if (dpu_level <= 30) {
		return RTE_LOG_ERR;
	}
	if (dpu_level <= 40) {
		return RTE_LOG_WARNING;
	}
	if (dpu_level <= 50) {
		return RTE_LOG_INFO;
	}
	return RTE_LOG_DEBUG;
}

int dpu_dpdk_init(const char *prog, const char *const eal_args[], unsigned int no_huge_mb)
{
	char *argv[MAX_EAL_ARGS + 1];
	char mem[16], level[16];
	int argc = 0, rc;

	chose_no_huge = !dpu_dpdk_hugepages_available();
	argv[argc++] = (char *)prog;
	/* --no-huge implies legacy memory, which --in-memory refuses; --no-shconf instead. */
	argv[argc++] = chose_no_huge ? (char *)"--no-shconf" : (char *)"--in-memory";
	snprintf(level, sizeof(level), "%u", dpu_dpdk_log_level(dpu_log_get_sdk_level()));
	argv[argc++] = (char *)"--log-level";
	argv[argc++] = level;
	if (chose_no_huge) {
		snprintf(mem, sizeof(mem), "%u", no_huge_mb ? no_huge_mb : 256);
		argv[argc++] = (char *)"--no-huge";
		argv[argc++] = (char *)"-m";
		argv[argc++] = mem;
	}
	for (size_t i = 0; eal_args != NULL && eal_args[i] != NULL; i++) {
		if (argc >= MAX_EAL_ARGS) {
			log_err("too many EAL arguments (max %d)", MAX_EAL_ARGS);
			return -E2BIG;
		}
		argv[argc++] = (char *)eal_args[i];
	}
	argv[argc] = NULL;
	log_dbg("EAL init: %s hugepages", chose_no_huge ? "without" : "with");
	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		rc = rte_errno > 0 ? -rte_errno : -EINVAL;
		log_err("DPDK EAL init failed: %s", rte_strerror(-rc));
		return rc;
	}
	return 0;
}

bool dpu_dpdk_no_huge(void)
{
	return chose_no_huge;
}

void dpu_dpdk_fini(void)
{
	rte_eal_cleanup();
}
