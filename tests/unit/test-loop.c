/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include "unit/testutil.h"

#include <pthread.h>
#include <signal.h>

#include "common/loop.h"
#include "common/timeutil.h"

struct fd_ctx {
	int reads;
	char last[16];
	struct dpu_loop_src *self;
	bool del_self;
};

static void on_readable(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	struct fd_ctx *c = arg;
	ssize_t n;

	assert_true(events & EPOLLIN);
	n = read(fd, c->last, sizeof(c->last) - 1);
	if (n > 0) {
		c->last[n] = '\0';
	}
	c->reads++;
	if (c->del_self) {
		dpu_loop_del(src);
	}
}

static void test_fd_events(void **state)
{
	struct dpu_loop *loop;
	struct fd_ctx c = {0};
	int p[2];

	(void)state;
	assert_int_equal(dpu_loop_create(&loop), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(dpu_loop_add_fd(loop, p[0], EPOLLIN, on_readable, &c, &c.self), 0);
	/* Nothing to read: a bounded wait returns no event. */
	assert_int_equal(dpu_loop_run_once(loop, 10), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(dpu_loop_run_once(loop, 1000), 1);
	assert_int_equal(c.reads, 1);
	assert_string_equal(c.last, "abc");
	/* Removed from inside its own callback: no further calls, no use-after-free. */
	c.del_self = true;
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(dpu_loop_run_once(loop, 1000), 1);
	assert_int_equal(write(p[1], "y", 1), 1);
	assert_int_equal(dpu_loop_run_once(loop, 10), 0);
	assert_int_equal(c.reads, 2);
	dpu_loop_destroy(loop);
	/* The loop never closes the caller's fd. */
	assert_int_equal(write(p[1], "z", 1), 1);
	close(p[0]);
	close(p[1]);
	assert_int_equal(dpu_loop_add_fd(NULL, 0, EPOLLIN, on_readable, NULL, NULL), -EINVAL);
}

struct timer_ctx {
	int fires;
	uint64_t expirations;
	int stop_after;
};

static void on_timer(struct dpu_loop_src *src, uint64_t exp, void *arg)
{
	struct timer_ctx *t = arg;

	t->fires++;
	t->expirations += exp;
	if (t->fires == t->stop_after) {
		dpu_loop_stop(dpu_loop_of(src), 7);
	}
}

static void test_periodic_timer_and_stop_code(void **state)
{
	struct dpu_loop *loop;
	struct timer_ctx t = {.stop_after = 3};
	uint64_t t0 = dpu_time_mono_ns();

	(void)state;
	assert_int_equal(dpu_loop_create(&loop), 0);
	assert_int_equal(dpu_loop_add_timer(loop, 5 * DPU_NSEC_PER_MSEC, 5 * DPU_NSEC_PER_MSEC,
					    on_timer, &t, NULL),
			 0);
	assert_int_equal(dpu_loop_run(loop), 7);
	assert_int_equal(t.fires, 3);
	assert_true(t.expirations >= 3);
	assert_true(dpu_time_mono_ns() - t0 >= 15 * DPU_NSEC_PER_MSEC);
	dpu_loop_destroy(loop);
}

static void test_timer_rearm_and_disarm(void **state)
{
	struct dpu_loop *loop;
	struct dpu_loop_src *src;
	struct timer_ctx t = {0};

	(void)state;
	assert_int_equal(dpu_loop_create(&loop), 0);
	/* Created disarmed. */
	assert_int_equal(dpu_loop_add_timer(loop, 0, 0, on_timer, &t, &src), 0);
	assert_int_equal(dpu_loop_run_once(loop, 20), 0);
	assert_int_equal(t.fires, 0);
	/* One shot. */
	assert_int_equal(dpu_loop_timer_set(src, DPU_NSEC_PER_MSEC, 0), 0);
	assert_int_equal(dpu_loop_run_once(loop, 1000), 1);
	assert_int_equal(t.fires, 1);
	assert_int_equal(dpu_loop_run_once(loop, 20), 0);
	assert_int_equal(t.fires, 1);
	dpu_loop_del(src);
	assert_int_equal(dpu_loop_timer_set(NULL, 1, 0), -EINVAL);
	dpu_loop_destroy(loop);
}

static void on_sig(struct dpu_loop_src *src, int signo, void *arg)
{
	int *got = arg;

	*got = signo;
	dpu_loop_stop(dpu_loop_of(src), 0);
}

static void test_signal_through_loop(void **state)
{
	struct dpu_loop *loop;
	int got = 0;
	sigset_t cur;

	(void)state;
	assert_int_equal(dpu_loop_create(&loop), 0);
	assert_int_equal(dpu_loop_add_signal(loop, SIGUSR1, on_sig, &got, NULL), 0);
	assert_int_equal(dpu_loop_add_signal(loop, SIGUSR1, on_sig, &got, NULL), -EEXIST);
	assert_int_equal(dpu_loop_add_signal(loop, 0, on_sig, &got, NULL), -EINVAL);
	/* Blocked now, so raise() queues it for the signalfd instead of killing us. */
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(dpu_loop_run(loop), 0);
	assert_int_equal(got, SIGUSR1);
	/* A signal arriving during clean-up stays pending instead of killing us. */
	assert_int_equal(raise(SIGUSR1), 0);
	dpu_loop_destroy(loop);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	assert_int_equal(sigismember(&cur, SIGUSR1), 1);
	sigpending(&cur);
	assert_int_equal(sigismember(&cur, SIGUSR1), 1);
	/* Drain it, then unblock: the test process goes on. */
	sigemptyset(&cur);
	sigaddset(&cur, SIGUSR1);
	assert_int_equal(sigwait(&cur, &got), 0);
	assert_int_equal(got, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &cur, NULL);
}

static void *stopper(void *arg)
{
	dpu_sleep_ns(20 * DPU_NSEC_PER_MSEC);
	dpu_loop_stop(arg, 3);
	return NULL;
}

static void test_stop_from_other_thread(void **state)
{
	struct dpu_loop *loop;
	pthread_t th;

	(void)state;
	assert_int_equal(dpu_loop_create(&loop), 0);
	assert_int_equal(pthread_create(&th, NULL, stopper, loop), 0);
	/* No sources at all: only the wake-up can end this. */
	assert_int_equal(dpu_loop_run(loop), 3);
	pthread_join(th, NULL);
	dpu_loop_destroy(loop);
}

static int released;

static void release_cb(void *arg)
{
	released += *(int *)arg;
}

static void test_release_on_destroy(void **state)
{
	struct dpu_loop *loop;
	struct dpu_loop_src *a, *b;
	int one = 1, ten = 10;

	(void)state;
	released = 0;
	assert_int_equal(dpu_loop_create(&loop), 0);
	assert_int_equal(dpu_loop_add_timer(loop, 0, 0, on_timer, &one, &a), 0);
	assert_int_equal(dpu_loop_add_timer(loop, 0, 0, on_timer, &ten, &b), 0);
	dpu_loop_set_release(a, release_cb);
	dpu_loop_set_release(b, release_cb);
	dpu_loop_del(a);
	assert_int_equal(released, 1);
	dpu_loop_destroy(loop);
	assert_int_equal(released, 11);
	dpu_loop_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_events),
		cmocka_unit_test(test_periodic_timer_and_stop_code),
		cmocka_unit_test(test_timer_rearm_and_disarm),
		cmocka_unit_test(test_signal_through_loop),
		cmocka_unit_test(test_stop_from_other_thread),
		cmocka_unit_test(test_release_on_destroy),
	};

	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
