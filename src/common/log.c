/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/timeutil.h"

static const struct {
	int level;
	const char *name;
} level_names[] = {
	{DPU_LOG_DISABLE, "DISABLE"}, {DPU_LOG_CRITICAL, "CRITICAL"}, {DPU_LOG_ERROR, "ERROR"},
	{DPU_LOG_WARNING, "WARNING"}, {DPU_LOG_INFO, "INFO"},	      {DPU_LOG_DEBUG, "DEBUG"},
	{DPU_LOG_TRACE, "TRACE"},
};

static atomic_int log_level = DPU_LOG_INFO;
static atomic_int sdk_level = DPU_LOG_WARNING;

/* Set at start-up, before threads (see log.h). */
static enum dpu_log_target log_target = DPU_LOG_TO_STDERR;
static char log_ident[64];
static dpu_log_sink_fn *log_sink;
static void *log_sink_arg;

static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

int dpu_log_level_parse(const char *text, int *level)
{
	char *end;
	long v;

	if (text == NULL || *text == '\0') {
		return -EINVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (strcasecmp(text, level_names[i].name) == 0) {
			*level = level_names[i].level;
			return 0;
		}
	}
	/* Accept the usual short spellings too. */
	if (strcasecmp(text, "crit") == 0) {
		*level = DPU_LOG_CRITICAL;
		return 0;
	}
	if (strcasecmp(text, "err") == 0) {
		*level = DPU_LOG_ERROR;
		return 0;
	}
	if (strcasecmp(text, "warn") == 0) {
		*level = DPU_LOG_WARNING;
		return 0;
	}
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < DPU_LOG_DISABLE || v > DPU_LOG_TRACE || v % 10 != 0) {
		return -EINVAL;
	}
	*level = (int)v;
	return 0;
}

const char *dpu_log_level_name(int level)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (level_names[i].level == level) {
			return level_names[i].name;
		}
	}
	return "?";
}

void dpu_log_set_level(int level)
{
	atomic_store(&log_level, level);
}

int dpu_log_get_level(void)
{
	return atomic_load_explicit(&log_level, memory_order_relaxed);
}

void dpu_log_set_sdk_level(int level)
{
	atomic_store(&sdk_level, level);
}

int dpu_log_get_sdk_level(void)
{
	return atomic_load(&sdk_level);
}

int dpu_log_open(const char *ident, enum dpu_log_target target)
{
	if (target != DPU_LOG_TO_STDERR && target != DPU_LOG_TO_SYSLOG) {
		return -EINVAL;
	}
	dpu_log_close();
	dpu_strscpy(log_ident, ident ? ident : "", sizeof(log_ident));
	log_target = target;
	if (target == DPU_LOG_TO_SYSLOG) {
		openlog(log_ident[0] ? log_ident : NULL, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	return 0;
}

void dpu_log_close(void)
{
	if (log_target == DPU_LOG_TO_SYSLOG) {
		closelog();
	}
	log_target = DPU_LOG_TO_STDERR;
	log_ident[0] = '\0';
}

void dpu_log_set_sink(dpu_log_sink_fn *sink, void *arg)
{
	log_sink = sink;
	log_sink_arg = arg;
}

static int syslog_priority(int level)
{
	switch (level) {
	case DPU_LOG_CRITICAL:
		return LOG_CRIT;
	case DPU_LOG_ERROR:
		return LOG_ERR;
	case DPU_LOG_WARNING:
		return LOG_WARNING;
	case DPU_LOG_INFO:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

void dpu_log_vmsg(int level, const char *module, const char *fmt, va_list ap)
{
	char msg[1024];
	char line[1280];
	char stamp[40];
	struct timespec ts;
	struct tm tm;
	int n;

	if (!dpu_log_enabled(level)) {
		return;
	}
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0) {
		return;
	}
	if ((size_t)n >= sizeof(msg)) {
		/* Mark the cut so nobody mistakes a truncated line for a whole one. */
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	}
	if (log_sink != NULL) {
		log_sink(level, module, msg, log_sink_arg);
		return;
	}
	if (log_target == DPU_LOG_TO_SYSLOG) {
		syslog(syslog_priority(level), "%s: %s: %s", dpu_log_level_name(level), module,
		       msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	/* 2026-11-25T12:00:00.123Z dpu-telemetry[42]: ERROR config: dts_config.ini:3: ... */
	if (log_ident[0] != '\0') {
		n = snprintf(line, sizeof(line), "%s.%03ldZ %s[%ld]: %s %s: %s\n", stamp,
			     ts.tv_nsec / 1000000L, log_ident, (long)getpid(),
			     dpu_log_level_name(level), module, msg);
	} else {
		n = snprintf(line, sizeof(line), "%s.%03ldZ %s %s: %s\n", stamp,
			     ts.tv_nsec / 1000000L, dpu_log_level_name(level), module, msg);
	}
	if (n < 0) {
		return;
	}
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* One write per line: lines from several threads never interleave. */
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}

void dpu_log_msg(int level, const char *module, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dpu_log_vmsg(level, module, fmt, ap);
	va_end(ap);
}

bool dpu_log_rl_allow(struct dpu_log_rl *rl, int level, const char *module)
{
	uint64_t now = dpu_time_mono_ns();
	unsigned int suppressed = 0;
	bool allow;

	pthread_mutex_lock(&rl_lock);
	if (now - rl->window_ns >= DPU_NSEC_PER_SEC) {
		suppressed = rl->suppressed;
		rl->window_ns = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	allow = rl->printed < DPU_LOG_RL_BURST;
	if (allow) {
		rl->printed++;
	} else {
		rl->suppressed++;
	}
	pthread_mutex_unlock(&rl_lock);
	if (suppressed > 0) {
		dpu_log_msg(level, module, "%u similar messages suppressed", suppressed);
	}
	return allow;
}
