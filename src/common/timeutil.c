/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <limits.h>

#include "common/timeutil.h"

uint64_t dpu_time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return dpu_ts_to_ns(&ts);
}

uint64_t dpu_time_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return dpu_ts_to_ns(&ts);
}

struct timespec dpu_ts_sub(struct timespec a, struct timespec b)
{
	struct timespec r = {.tv_sec = a.tv_sec - b.tv_sec, .tv_nsec = a.tv_nsec - b.tv_nsec};

	while (r.tv_nsec < 0) {
		r.tv_nsec += (long)DPU_NSEC_PER_SEC;
		r.tv_sec--;
	}
	while (r.tv_nsec >= (long)DPU_NSEC_PER_SEC) {
		r.tv_nsec -= (long)DPU_NSEC_PER_SEC;
		r.tv_sec++;
	}
	return r;
}

int64_t dpu_ts_diff_ns(struct timespec a, struct timespec b)
{
	struct timespec d = dpu_ts_sub(a, b);

	return (int64_t)d.tv_sec * (int64_t)DPU_NSEC_PER_SEC + d.tv_nsec;
}

int dpu_deadline_ms_left(struct dpu_deadline d)
{
	uint64_t now = dpu_time_mono_ns();
	uint64_t ms;

	if (now >= d.at_ns) {
		return 0;
	}
	ms = (d.at_ns - now + DPU_NSEC_PER_MSEC - 1) / DPU_NSEC_PER_MSEC;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

void dpu_sleep_ns(uint64_t ns)
{
	struct timespec until = dpu_ns_to_ts(dpu_time_mono_ns() + ns);

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR) {
	}
}
