/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The event loop of every control-plane thread: file descriptors, timers and
 * signals on one epoll instance (timers are timerfds, signals a signalfd), so
 * a daemon's main thread is one epoll_wait() and never runs code in a signal
 * handler. Packet threads (DPDK lcores) do not use it: they poll their
 * queues and talk to the control thread through rings or eventfds.
 *
 * Ownership: the loop owns every source added to it. dpu_loop_del() may be
 * called at any time, also from inside any callback (the source is freed
 * after the current dispatch round); dpu_loop_destroy() frees what is left.
 * The loop never closes a file descriptor it was given with dpu_loop_add_fd().
 *
 * Threads: a loop and its sources belong to the thread that runs it, except
 * dpu_loop_stop(), which is safe from any thread.
 */
#ifndef DPU_COMMON_LOOP_H
#define DPU_COMMON_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>

#include "common/util.h"

struct dpu_loop;
struct dpu_loop_src;

/* 'events' are EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP as epoll reports them. */
typedef void dpu_loop_fd_cb(struct dpu_loop_src *src, int fd, uint32_t events, void *arg);
/* 'expirations' counts timer periods elapsed since the last call (>= 1). */
typedef void dpu_loop_timer_cb(struct dpu_loop_src *src, uint64_t expirations, void *arg);
typedef void dpu_loop_signal_cb(struct dpu_loop_src *src, int signo, void *arg);

int dpu_loop_create(struct dpu_loop **loopp) DPU_MUST_CHECK;
/*
 * Frees every source; accepts NULL. Signals added with dpu_loop_add_signal()
 * stay blocked (a late SIGTERM must not kill a daemon half-way through its
 * clean-up); unblock them yourself if the process goes on without the loop.
 */
void dpu_loop_destroy(struct dpu_loop *loop);

/* Watch 'fd' for 'events' (EPOLLIN, EPOLLOUT). */
int dpu_loop_add_fd(struct dpu_loop *loop, int fd, uint32_t events, dpu_loop_fd_cb *cb, void *arg,
		    struct dpu_loop_src **srcp);
int dpu_loop_mod_fd(struct dpu_loop_src *src, uint32_t events);

/*
 * A monotonic timer that fires first after 'first_ns' (0 = disarmed), then
 * every 'interval_ns' (0 = once).
 */
int dpu_loop_add_timer(struct dpu_loop *loop, uint64_t first_ns, uint64_t interval_ns,
		       dpu_loop_timer_cb *cb, void *arg, struct dpu_loop_src **srcp);
int dpu_loop_timer_set(struct dpu_loop_src *src, uint64_t first_ns, uint64_t interval_ns);

/*
 * Deliver 'signo' to 'cb' from the loop. The signal is blocked in the calling
 * thread (start other threads after this call, so they inherit the mask) and
 * stays blocked after dpu_loop_destroy(). One callback per signal number.
 */
int dpu_loop_add_signal(struct dpu_loop *loop, int signo, dpu_loop_signal_cb *cb, void *arg,
			struct dpu_loop_src **srcp);

/* Remove and free a source (deferred when called from a callback). NULL is fine. */
void dpu_loop_del(struct dpu_loop_src *src);

/*
 * Dispatch events until dpu_loop_stop(); returns the code given to it.
 * dpu_loop_run_once() waits at most 'timeout_ms' (-1 = forever) and returns
 * the number of events dispatched or -errno.
 */
int dpu_loop_run(struct dpu_loop *loop);
int dpu_loop_run_once(struct dpu_loop *loop, int timeout_ms);
void dpu_loop_stop(struct dpu_loop *loop, int code);
/*
 * Have the loop call 'release(arg)' when it frees 'src' (on dpu_loop_del()
 * or dpu_loop_destroy()), so a source can own its callback argument.
 */
void dpu_loop_set_release(struct dpu_loop_src *src, void (*release)(void *arg));
/* The loop a source belongs to. */
struct dpu_loop *dpu_loop_of(struct dpu_loop_src *src);

#endif /* DPU_COMMON_LOOP_H */
