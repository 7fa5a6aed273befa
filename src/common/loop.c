/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small epoll core. Why not libevent: our daemons need exactly fds, timers
 * and signals; timerfd and signalfd make those plain fds, so ~300 lines cover
 * it with no signal-handler code at all (libevent's signal handling installs
 * process-wide handlers that fight DPDK's and each other's), and with the
 * negative-errno contract the rest of the tree uses.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/loop.h"
#include "common/timeutil.h"

enum src_kind { SRC_FD, SRC_TIMER, SRC_SIGNAL };

struct dpu_loop_src {
	struct dpu_loop *loop;
	enum src_kind kind;
	int fd;
	bool dead;
	int signo;
	union {
		dpu_loop_fd_cb *fd;
		dpu_loop_timer_cb *timer;
		dpu_loop_signal_cb *signal;
	} cb;
	void *arg;
	void (*release)(void *arg);
	struct dpu_loop_src *next; /* all sources */
};

struct dpu_loop {
	int epfd;
	int wakefd; /* eventfd: dpu_loop_stop() from other threads */
	atomic_bool stop;
	atomic_int code;
	int dispatching;
	struct dpu_loop_src *srcs;
};

int dpu_loop_create(struct dpu_loop **loopp)
{
	struct dpu_loop *loop = calloc(1, sizeof(*loop));
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	int rc;

	if (loop == NULL) {
		return -ENOMEM;
	}
	loop->wakefd = -1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		rc = -errno;
		goto fail;
	}
	loop->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->wakefd < 0) {
		rc = -errno;
		goto fail;
	}
	/* data.ptr == NULL marks the wake-up fd. */
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ev) < 0) {
		rc = -errno;
		goto fail;
	}
	*loopp = loop;
	return 0;
fail:
	if (loop->wakefd >= 0) {
		close(loop->wakefd);
	}
	if (loop->epfd >= 0) {
		close(loop->epfd);
	}
	free(loop);
	return rc;
}

static void src_free(struct dpu_loop_src *src)
{
	if (src->kind != SRC_FD && src->fd >= 0) {
		close(src->fd); /* our own timerfd / signalfd */
	}
	if (src->release != NULL) {
		src->release(src->arg);
	}
	free(src);
}

/* Free the sources marked dead; only outside dispatch. */
static void loop_reap(struct dpu_loop *loop)
{
	struct dpu_loop_src **pp = &loop->srcs;

	while (*pp != NULL) {
		struct dpu_loop_src *src = *pp;

		if (src->dead) {
			*pp = src->next;
			src_free(src);
		} else {
			pp = &src->next;
		}
	}
}

void dpu_loop_destroy(struct dpu_loop *loop)
{
	if (loop == NULL) {
		return;
	}
	for (struct dpu_loop_src *s = loop->srcs; s != NULL; s = s->next) {
		s->dead = true;
	}
	loop_reap(loop);
	/*
	 * Signals stay blocked: a daemon destroys its loop on the way out, and a
	 * late SIGTERM must not kill it half-way through its clean-up.
	 */
	close(loop->wakefd);
	close(loop->epfd);
	free(loop);
}

static int loop_add(struct dpu_loop *loop, enum src_kind kind, int fd, uint32_t events, void *arg,
		    struct dpu_loop_src **srcp)
{
	struct dpu_loop_src *src = calloc(1, sizeof(*src));
	struct epoll_event ev = {.events = events};

	if (src == NULL) {
		return -ENOMEM;
	}
	src->loop = loop;
	src->kind = kind;
	src->fd = fd;
	src->arg = arg;
	ev.data.ptr = src;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int rc = -errno;

		free(src);
		return rc;
	}
	src->next = loop->srcs;
	loop->srcs = src;
	if (srcp != NULL) {
		*srcp = src;
	}
	return 0;
}

int dpu_loop_add_fd(struct dpu_loop *loop, int fd, uint32_t events, dpu_loop_fd_cb *cb, void *arg,
		    struct dpu_loop_src **srcp)
{
	struct dpu_loop_src *src;
	int rc;

	if (loop == NULL || fd < 0 || cb == NULL) {
		return -EINVAL;
	}
	rc = loop_add(loop, SRC_FD, fd, events, arg, &src);
	if (rc < 0) {
		return rc;
	}
	src->cb.fd = cb;
	if (srcp != NULL) {
		*srcp = src;
	}
	return 0;
}

int dpu_loop_mod_fd(struct dpu_loop_src *src, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = src};

	if (src == NULL || src->kind != SRC_FD || src->dead) {
		return -EINVAL;
	}
	return epoll_ctl(src->loop->epfd, EPOLL_CTL_MOD, src->fd, &ev) < 0 ? -errno : 0;
}

int dpu_loop_timer_set(struct dpu_loop_src *src, uint64_t first_ns, uint64_t interval_ns)
{
	struct itimerspec its = {
		.it_value = dpu_ns_to_ts(first_ns),
		.it_interval = dpu_ns_to_ts(interval_ns),
	};

	if (src == NULL || src->kind != SRC_TIMER || src->dead) {
		return -EINVAL;
	}
	return timerfd_settime(src->fd, 0, &its, NULL) < 0 ? -errno : 0;
}

int dpu_loop_add_timer(struct dpu_loop *loop, uint64_t first_ns, uint64_t interval_ns,
		       dpu_loop_timer_cb *cb, void *arg, struct dpu_loop_src **srcp)
{
	struct dpu_loop_src *src;
	int fd, rc;

	if (loop == NULL || cb == NULL) {
		return -EINVAL;
	}
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0) {
		return -errno;
	}
	rc = loop_add(loop, SRC_TIMER, fd, EPOLLIN, arg, &src);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	src->cb.timer = cb;
	rc = dpu_loop_timer_set(src, first_ns, interval_ns);
	if (rc < 0) {
		dpu_loop_del(src);
		return rc;
	}
	if (srcp != NULL) {
		*srcp = src;
	}
	return 0;
}

int dpu_loop_add_signal(struct dpu_loop *loop, int signo, dpu_loop_signal_cb *cb, void *arg,
			struct dpu_loop_src **srcp)
{
	struct dpu_loop_src *src;
	sigset_t one;
	int fd, rc;

	if (loop == NULL || cb == NULL || signo <= 0 || signo >= NSIG) {
		return -EINVAL;
	}
	for (struct dpu_loop_src *s = loop->srcs; s != NULL; s = s->next) {
		if (!s->dead && s->kind == SRC_SIGNAL && s->signo == signo) {
			return -EEXIST;
		}
	}
	sigemptyset(&one);
	sigaddset(&one, signo);
	rc = pthread_sigmask(SIG_BLOCK, &one, NULL);
	if (rc != 0) {
		return -rc;
	}
	fd = signalfd(-1, &one, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0) {
		return -errno;
	}
	rc = loop_add(loop, SRC_SIGNAL, fd, EPOLLIN, arg, &src);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	src->signo = signo;
	src->cb.signal = cb;
	if (srcp != NULL) {
		*srcp = src;
	}
	return 0;
}

void dpu_loop_del(struct dpu_loop_src *src)
{
	struct dpu_loop *loop;

	if (src == NULL || src->dead) {
		return;
	}
	loop = src->loop;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, src->fd, NULL);
	src->dead = true;
	if (loop->dispatching == 0) {
		loop_reap(loop);
	}
}

void dpu_loop_set_release(struct dpu_loop_src *src, void (*release)(void *arg))
{
	src->release = release;
}

struct dpu_loop *dpu_loop_of(struct dpu_loop_src *src)
{
	return src->loop;
}

static void dispatch(struct dpu_loop_src *src, uint32_t events)
{
	switch (src->kind) {
	case SRC_FD:
		src->cb.fd(src, src->fd, events, src->arg);
		break;
	case SRC_TIMER: {
		uint64_t n = 0;

		if (read(src->fd, &n, sizeof(n)) == (ssize_t)sizeof(n) && n > 0) {
			src->cb.timer(src, n, src->arg);
		}
		break;
	}
	case SRC_SIGNAL: {
		struct signalfd_siginfo si;

		while (read(src->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			src->cb.signal(src, (int)si.ssi_signo, src->arg);
			if (src->dead) {
				break;
			}
		}
		break;
	}
	}
}

int dpu_loop_run_once(struct dpu_loop *loop, int timeout_ms)
{
	struct epoll_event evs[32];
	int n;

	n = epoll_wait(loop->epfd, evs, (int)ARRAY_SIZE(evs), timeout_ms);
	if (n < 0) {
		return errno == EINTR ? 0 : -errno;
	}
	loop->dispatching++;
	for (int i = 0; i < n; i++) {
		struct dpu_loop_src *src = evs[i].data.ptr;

		if (src == NULL) {
			uint64_t v;

			while (read(loop->wakefd, &v, sizeof(v)) > 0) {
			}
			continue;
		}
		if (!src->dead) {
			dispatch(src, evs[i].events);
		}
	}
	loop->dispatching--;
	if (loop->dispatching == 0) {
		loop_reap(loop);
	}
	return n;
}

int dpu_loop_run(struct dpu_loop *loop)
{
	int rc;

	while (!atomic_load(&loop->stop)) {
		rc = dpu_loop_run_once(loop, -1);
		if (rc < 0) {
			return rc;
		}
	}
	atomic_store(&loop->stop, false);
	return atomic_load(&loop->code);
}

void dpu_loop_stop(struct dpu_loop *loop, int code)
{
	uint64_t one = 1;

	atomic_store(&loop->code, code);
	atomic_store(&loop->stop, true);
	if (write(loop->wakefd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, a wake-up is pending. */
	}
}
