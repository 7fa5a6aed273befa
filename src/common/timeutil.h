/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Time helpers. Intervals and deadlines use CLOCK_MONOTONIC (never jumps);
 * wall-clock stamps for records use CLOCK_REALTIME. Nanoseconds in uint64_t
 * cover 584 years, so plain arithmetic is safe.
 */
#ifndef DPU_COMMON_TIMEUTIL_H
#define DPU_COMMON_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define DPU_NSEC_PER_USEC 1000ULL
#define DPU_NSEC_PER_MSEC 1000000ULL
#define DPU_NSEC_PER_SEC 1000000000ULL

uint64_t dpu_time_mono_ns(void);
uint64_t dpu_time_real_ns(void);

static inline uint64_t dpu_ts_to_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * DPU_NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

static inline struct timespec dpu_ns_to_ts(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / DPU_NSEC_PER_SEC),
		.tv_nsec = (long)(ns % DPU_NSEC_PER_SEC),
	};
	return ts;
}

/*
 * a - b, normalised (0 <= tv_nsec < 1e9, sign carried by tv_sec), so a
 * negative difference of 0.3 s is {-1, 700000000}.
 */
struct timespec dpu_ts_sub(struct timespec a, struct timespec b);
/* Signed nanoseconds of a - b. */
int64_t dpu_ts_diff_ns(struct timespec a, struct timespec b);

/* A point on the monotonic clock after which something is late. */
struct dpu_deadline {
	uint64_t at_ns;
};

static inline struct dpu_deadline dpu_deadline_in(uint64_t from_now_ns)
{
	struct dpu_deadline d = {.at_ns = dpu_time_mono_ns() + from_now_ns};
	return d;
}

static inline bool dpu_deadline_passed(struct dpu_deadline d)
{
	return dpu_time_mono_ns() >= d.at_ns;
}

/* Milliseconds left, rounded up, 0 when passed; suits poll()/epoll_wait(). */
int dpu_deadline_ms_left(struct dpu_deadline d);

/* Sleep for 'ns' on the monotonic clock, resuming after signals. */
void dpu_sleep_ns(uint64_t ns);

#endif /* DPU_COMMON_TIMEUTIL_H */
