/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Supervised child processes (ptp4l, phc2sys): started with posix_spawnp()
 * with a clean signal mask, their stdout and stderr read line by line on the
 * event loop, restarted after an unexpected exit with a back-off (1 s,
 * doubling to 30 s, back to 1 s after a minute of healthy running), and
 * stopped with SIGTERM, then SIGKILL after a grace period.
 *
 * The owner routes SIGCHLD: on each one it calls ff_child_reap_all(), which
 * collects every exited child and hands each to the ff_child it belongs to.
 */
#ifndef DPU_FIREFLY_CHILD_H
#define DPU_FIREFLY_CHILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct dpu_loop;
struct ff_child;

/* One line of the child's output (without the newline). */
typedef void ff_child_line_cb(void *arg, const char *line);

/*
 * 'argv' is copied; argv[0] is looked up in PATH. Nothing runs until
 * ff_child_start().
 */
int ff_child_create(struct dpu_loop *loop, const char *name, char *const argv[],
		    ff_child_line_cb *cb, void *arg, struct ff_child **childp);
/* Spawn now; 0 or -errno (a missing program is reported here). */
int ff_child_start(struct ff_child *c);
/* SIGTERM, wait up to 'grace_ms', then SIGKILL; no restart afterwards. */
void ff_child_stop(struct ff_child *c, unsigned int grace_ms);
/* Stops it if running; accepts NULL. */
void ff_child_destroy(struct ff_child *c);

pid_t ff_child_pid(const struct ff_child *c); /* 0 when not running */
unsigned int ff_child_restarts(const struct ff_child *c);

/* Collect every exited child (waitpid WNOHANG) and dispatch to 'children'. */
void ff_child_reap_all(struct ff_child *const children[], size_t n);

#endif /* DPU_FIREFLY_CHILD_H */
