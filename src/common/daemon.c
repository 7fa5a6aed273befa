/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/loop.h"

int dpu_rundir_default(char *buf, size_t size)
{
	const char *env = getenv("DPU_RUN_DIR");
	int n;

	if (env != NULL && env[0] != '\0') {
		n = snprintf(buf, size, "%s", env);
	} else if (geteuid() == 0) {
		n = snprintf(buf, size, "/run/dpu-services");
	} else if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && env[0] != '\0') {
		n = snprintf(buf, size, "%s/dpu-services", env);
	} else {
		n = snprintf(buf, size, "/tmp/dpu-services-%u", (unsigned int)geteuid());
	}
	return (n < 0 || (size_t)n >= size) ? -ENAMETOOLONG : 0;
}

int dpu_mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	struct stat st;
	size_t len;

	len = strlen(path);
	if (len == 0) {
		return -EINVAL;
	}
	if (len >= sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/') {
			continue;
		}
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST) {
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST) {
		return -errno;
	}
	if (stat(tmp, &st) < 0) {
		return -errno;
	}
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

struct dpu_pidfile {
	int fd;
	char *path;
};

static pid_t read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long v;

	if (n <= 0) {
		return -ENOENT;
	}
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	return v > 0 ? (pid_t)v : -ENOENT;
}

int dpu_pidfile_open(const char *path, struct dpu_pidfile **pfp, pid_t *owner)
{
	struct dpu_pidfile *pf;
	char buf[32];
	int fd, n, rc;

	for (;;) {
		struct stat st_fd, st_path;

		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			return -errno;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
			if (owner != NULL) {
				*owner = read_pid(fd);
			}
			close(fd);
			return rc;
		}
		/*
		 * The previous holder may have unlinked the file between our
		 * open() and flock(); then we locked an orphan. Retry.
		 */
		if (fstat(fd, &st_fd) == 0 && stat(path, &st_path) == 0 &&
		    st_fd.st_ino == st_path.st_ino && st_fd.st_dev == st_path.st_dev) {
			break;
		}
		close(fd);
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		rc = -errno;
		close(fd);
		return rc;
	}
	pf = calloc(1, sizeof(*pf));
	if (pf == NULL || (pf->path = strdup(path)) == NULL) {
		free(pf);
		close(fd);
		return -ENOMEM;
	}
	pf->fd = fd;
	*pfp = pf;
	return 0;
}

void dpu_pidfile_close(struct dpu_pidfile *pf)
{
	if (pf == NULL) {
		return;
	}
	unlink(pf->path);
	close(pf->fd); /* releases the lock */
	free(pf->path);
	free(pf);
}

pid_t dpu_pidfile_owner(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	pid_t pid;

	if (fd < 0) {
		return -ENOENT;
	}
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		/* We could lock it: nobody holds it. */
		close(fd);
		return -ENOENT;
	}
	pid = read_pid(fd);
	close(fd);
	return pid;
}

struct daemon_sig_ctx {
	struct dpu_daemon_signals sigs;
};

static void on_signal(struct dpu_loop_src *src, int signo, void *arg)
{
	struct daemon_sig_ctx *ctx = arg;
	struct dpu_loop *loop = dpu_loop_of(src);

	if (signo == SIGHUP) {
		if (ctx->sigs.on_reload == NULL) {
			log_info("SIGHUP: nothing to reload");
			return;
		}
		log_info("SIGHUP: reloading");
		ctx->sigs.on_reload(loop, ctx->sigs.arg);
		return;
	}
	log_info("%s: shutting down", signo == SIGTERM ? "SIGTERM" : "SIGINT");
	if (ctx->sigs.on_terminate != NULL) {
		ctx->sigs.on_terminate(loop, signo, ctx->sigs.arg);
	} else {
		dpu_loop_stop(loop, 0);
	}
}

int dpu_daemon_signals(struct dpu_loop *loop, const struct dpu_daemon_signals *sigs)
{
	static const int signos[] = {SIGTERM, SIGINT, SIGHUP};
	struct dpu_loop_src *src[ARRAY_SIZE(signos)] = {0};
	int rc = 0;

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		return -errno;
	}
	for (size_t i = 0; i < ARRAY_SIZE(signos); i++) {
		/* One copy per source, freed with it: sources may be deleted one by one. */
		struct daemon_sig_ctx *ctx = calloc(1, sizeof(*ctx));

		if (ctx == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		if (sigs != NULL) {
			ctx->sigs = *sigs;
		}
		rc = dpu_loop_add_signal(loop, signos[i], on_signal, ctx, &src[i]);
		if (rc < 0) {
			free(ctx);
			goto fail;
		}
		dpu_loop_set_release(src[i], free);
	}
	return 0;
fail:
	for (size_t i = 0; i < ARRAY_SIZE(signos); i++) {
		dpu_loop_del(src[i]);
	}
	return rc;
}
