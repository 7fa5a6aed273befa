/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stdbool.h>

#include "common/log.h"
#include "common/opts.h"

static bool use_syslog;

int dpu_common_opt(int c, const char *arg)
{
	int level;

	switch (c) {
	case 'l':
	case DPU_OPT_SDK_LOG_LEVEL:
		if (dpu_log_level_parse(arg, &level) < 0) {
			fprintf(stderr,
				"%s: invalid level '%s': expected 10=DISABLE 20=CRITICAL 30=ERROR "
				"40=WARNING 50=INFO 60=DEBUG 70=TRACE\n",
				c == 'l' ? "-l/--log-level" : "--sdk-log-level", arg ? arg : "");
			return -EINVAL;
		}
		if (c == 'l') {
			dpu_log_set_level(level);
		} else {
			dpu_log_set_sdk_level(level);
		}
		return 1;
	case DPU_OPT_SYSLOG:
		use_syslog = true;
		return 1;
	default:
		return 0;
	}
}

void dpu_common_usage(FILE *out)
{
	fputs("  -l, --log-level LEVEL      log level: 10=DISABLE 20=CRITICAL 30=ERROR 40=WARNING\n"
	      "                             50=INFO 60=DEBUG 70=TRACE, or the name (default 50)\n"
	      "      --sdk-log-level LEVEL  the same scale, for the SDK (DPDK) log (default 40)\n"
	      "      --syslog               log to syslog instead of stderr\n",
	      out);
}

int dpu_common_log_open(const char *ident)
{
	return dpu_log_open(ident, use_syslog ? DPU_LOG_TO_SYSLOG : DPU_LOG_TO_STDERR);
}
