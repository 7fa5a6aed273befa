/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging for every dpu-services program.
 *
 * Levels are those of the DOCA services (the -l/--log-level flag):
 *   10=DISABLE 20=CRITICAL 30=ERROR 40=WARNING 50=INFO 60=DEBUG 70=TRACE
 * A message is printed when its level is <= the configured level; DISABLE
 * prints nothing. The default level is INFO.
 *
 * Output goes to stderr (one write() per line, so lines from several threads
 * never interleave) or to syslog. Each .c file may name its module before
 * including this header:
 *
 *   #define DPU_LOG_MODULE "telemetry"
 *   #include "common/log.h"
 *   ...
 *   log_err("%s:%d: bad value '%s'", file, line, val);
 *
 * The log_*() macros test the level before evaluating their arguments.
 * log_*_rl() variants print at most DPU_LOG_RL_BURST lines per second per
 * call site and report how many they suppressed.
 *
 * The level is read and written atomically; the output target and the sink
 * are meant to be set once at start-up, before threads are started.
 */
#ifndef DPU_COMMON_LOG_H
#define DPU_COMMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/util.h"

enum dpu_log_level {
	DPU_LOG_DISABLE = 10,
	DPU_LOG_CRITICAL = 20,
	DPU_LOG_ERROR = 30,
	DPU_LOG_WARNING = 40,
	DPU_LOG_INFO = 50,
	DPU_LOG_DEBUG = 60,
	DPU_LOG_TRACE = 70,
};

enum dpu_log_target {
	DPU_LOG_TO_STDERR,
	DPU_LOG_TO_SYSLOG,
};

#ifndef DPU_LOG_MODULE
#define DPU_LOG_MODULE "dpu"
#endif

/* Lines per second a rate-limited call site may print. */
#define DPU_LOG_RL_BURST 10

/*
 * Parse a level given as a number (10, 20, ... 70) or a name (disable,
 * critical, error, warning, info, debug, trace; case-insensitive).
 * Returns 0 and stores the level, or -EINVAL.
 */
int dpu_log_level_parse(const char *text, int *level);
/* "INFO" for 50 and so on; "?" for a value that is not a level. */
const char *dpu_log_level_name(int level);

void dpu_log_set_level(int level);
int dpu_log_get_level(void);
/* Level for the SDK underneath (DPDK): --sdk-log-level. Default WARNING. */
void dpu_log_set_sdk_level(int level);
int dpu_log_get_sdk_level(void);

/*
 * Choose where lines go. 'ident' (copied) prefixes each line on stderr and is
 * the syslog identity. Returns 0 or -EINVAL.
 */
int dpu_log_open(const char *ident, enum dpu_log_target target);
void dpu_log_close(void);

/*
 * A sink receives every formatted line (without trailing newline) instead of
 * stderr/syslog; tests use it to assert on what was logged. NULL restores the
 * target chosen with dpu_log_open().
 */
typedef void dpu_log_sink_fn(int level, const char *module, const char *msg, void *arg);
void dpu_log_set_sink(dpu_log_sink_fn *sink, void *arg);

static inline bool dpu_log_enabled(int level)
{
	return level > DPU_LOG_DISABLE && level <= dpu_log_get_level();
}

void dpu_log_msg(int level, const char *module, const char *fmt, ...) DPU_PRINTF(3, 4);
void dpu_log_vmsg(int level, const char *module, const char *fmt, va_list ap) DPU_PRINTF(3, 0);

/* Per-call-site limiter state; zero-initialised. */
struct dpu_log_rl {
	uint64_t window_ns;
	unsigned int printed;
	unsigned int suppressed;
};
/* true when the call site may print now; reports suppressed lines itself. */
bool dpu_log_rl_allow(struct dpu_log_rl *rl, int level, const char *module);

#define DPU_LOG(level, ...)                                                                        \
	do {                                                                                       \
		if (dpu_log_enabled(level)) {                                                      \
			dpu_log_msg((level), DPU_LOG_MODULE, __VA_ARGS__);                         \
		}                                                                                  \
	} while (0)

#define DPU_LOG_RL(level, ...)                                                                     \
	do {                                                                                       \
		static struct dpu_log_rl dpu_log_rl__;                                             \
		if (dpu_log_enabled(level) &&                                                      \
		    dpu_log_rl_allow(&dpu_log_rl__, (level), DPU_LOG_MODULE)) {                    \
			dpu_log_msg((level), DPU_LOG_MODULE, __VA_ARGS__);                         \
		}                                                                                  \
	} while (0)

#define log_crit(...) DPU_LOG(DPU_LOG_CRITICAL, __VA_ARGS__)
#define log_err(...) DPU_LOG(DPU_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) DPU_LOG(DPU_LOG_WARNING, __VA_ARGS__)
#define log_info(...) DPU_LOG(DPU_LOG_INFO, __VA_ARGS__)
#define log_dbg(...) DPU_LOG(DPU_LOG_DEBUG, __VA_ARGS__)
#define log_trace(...) DPU_LOG(DPU_LOG_TRACE, __VA_ARGS__)

#define log_err_rl(...) DPU_LOG_RL(DPU_LOG_ERROR, __VA_ARGS__)
#define log_warn_rl(...) DPU_LOG_RL(DPU_LOG_WARNING, __VA_ARGS__)
#define log_info_rl(...) DPU_LOG_RL(DPU_LOG_INFO, __VA_ARGS__)

#endif /* DPU_COMMON_LOG_H */
