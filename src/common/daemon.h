/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every daemon does around its work: a run directory, a pid file that
 * also refuses a second instance, and the standard signals on the event loop
 * (SIGTERM/SIGINT: clean exit; SIGHUP: reload; SIGPIPE: ignored, so a peer
 * that goes away is an EPIPE, not a death).
 */
#ifndef DPU_COMMON_DAEMON_H
#define DPU_COMMON_DAEMON_H

#include <stddef.h>
#include <sys/types.h>

#include "common/util.h"

struct dpu_loop;

/*
 * The default run directory: $DPU_RUN_DIR if set, else /run/dpu-services for
 * root, else $XDG_RUNTIME_DIR/dpu-services, else /tmp/dpu-services-<uid>.
 * Returns 0 or -ENAMETOOLONG.
 */
int dpu_rundir_default(char *buf, size_t size);

/* mkdir -p 'path' with 'mode' for what it creates; 0 if it exists as a directory. */
int dpu_mkdir_p(const char *path, mode_t mode);

/*
 * A pid file held with an exclusive lock for the life of the process, so a
 * stale file left by a crash is simply taken over and a live owner is
 * detected without trusting the pid written in it.
 */
struct dpu_pidfile;

/*
 * Create (or take over) 'path' and write our pid. Returns 0, or -EBUSY when
 * another live process holds it (its pid in '*owner' if not NULL), or
 * another -errno.
 */
int dpu_pidfile_open(const char *path, struct dpu_pidfile **pfp, pid_t *owner) DPU_MUST_CHECK;
/* Unlink and release; accepts NULL. */
void dpu_pidfile_close(struct dpu_pidfile *pf);
/* The pid of the live holder of 'path', or -ENOENT (no file / not held). */
pid_t dpu_pidfile_owner(const char *path);

/* Callbacks for the standard signals; either may be NULL. */
struct dpu_daemon_signals {
	/* SIGTERM or SIGINT. NULL: stop the loop with code 0. */
	void (*on_terminate)(struct dpu_loop *loop, int signo, void *arg);
	/* SIGHUP. NULL: ignore SIGHUP. */
	void (*on_reload)(struct dpu_loop *loop, void *arg);
	void *arg;
};

/*
 * Route SIGTERM, SIGINT and SIGHUP through 'loop' and ignore SIGPIPE. Call
 * before starting threads. 'sigs' is copied.
 */
int dpu_daemon_signals(struct dpu_loop *loop, const struct dpu_daemon_signals *sigs);

#endif /* DPU_COMMON_DAEMON_H */
