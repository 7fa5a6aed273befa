/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command-line options every daemon shares, for getopt_long():
 *
 *   -l, --log-level LEVEL      10=DISABLE 20=CRITICAL 30=ERROR 40=WARNING
 *                              50=INFO 60=DEBUG 70=TRACE (or the name)
 *       --sdk-log-level LEVEL  the same scale, for DPDK's own log
 *       --syslog               log to syslog instead of stderr
 *
 * Use:
 *   static const struct option longopts[] = {
 *           DPU_COMMON_LONGOPTS,
 *           {"config", required_argument, NULL, 'c'},
 *           {NULL, 0, NULL, 0},
 *   };
 *   while ((c = getopt_long(argc, argv, DPU_COMMON_SHORTOPTS "c:h", longopts, NULL)) != -1) {
 *           int rc = dpu_common_opt(c, optarg);
 *           if (rc > 0) continue;        handled
 *           if (rc < 0) exit(2);         already reported on stderr
 *           switch (c) { ... }           the daemon's own options
 *   }
 */
#ifndef DPU_COMMON_OPTS_H
#define DPU_COMMON_OPTS_H

#include <getopt.h>
#include <stdio.h>

enum {
	DPU_OPT_SDK_LOG_LEVEL = 0x1000,
	DPU_OPT_SYSLOG,
};

#define DPU_COMMON_SHORTOPTS "l:"

/* clang-format off */
#define DPU_COMMON_LONGOPTS \
	{"log-level", required_argument, NULL, 'l'}, \
	{"sdk-log-level", required_argument, NULL, DPU_OPT_SDK_LOG_LEVEL}, \
	{"syslog", no_argument, NULL, DPU_OPT_SYSLOG}
/* clang-format on */

/*
 * Handle option 'c' with argument 'arg' if it is a common one.
 * Returns 1 when handled, 0 when 'c' is not a common option, -EINVAL when
 * its argument is bad (a message naming the option is printed on stderr).
 */
int dpu_common_opt(int c, const char *arg);

/* Print the common options' help lines (for a daemon's --help). */
void dpu_common_usage(FILE *out);

/*
 * After option parsing: open the log with 'ident' on the target the options
 * chose (stderr unless --syslog).
 */
int dpu_common_log_open(const char *ident);

#endif /* DPU_COMMON_OPTS_H */
