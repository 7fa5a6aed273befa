/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Supervised child processes.
 */
#define DPU_LOG_MODULE "firefly"

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/loop.h"
#include "common/timeutil.h"
#include "firefly/child.h"

extern char **environ;

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000
#define HEALTHY_MS 60000

struct ff_child {
	struct dpu_loop *loop;
	char name[32];
	char **argv;
	ff_child_line_cb *cb;
	void *arg;
	pid_t pid;
	int out_fd;
	struct dpu_loop_src *out_src;
	struct dpu_loop_src *timer;
	uint64_t started_ns;
	unsigned int backoff_ms;
	unsigned int restarts;
	bool stopping;
	char line[4096];
	size_t line_len;
};

static void close_output(struct ff_child *c)
{
	dpu_loop_del(c->out_src);
	c->out_src = NULL;
	if (c->out_fd >= 0) {
		close(c->out_fd);
		c->out_fd = -1;
	}
}

static void emit(struct ff_child *c)
{
	c->line[c->line_len] = '\0';
	if (c->cb != NULL) {
		c->cb(c->arg, c->line);
	}
	c->line_len = 0;
}

static void on_output(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	struct ff_child *c = arg;
	char buf[4096];
	ssize_t n;

	(void)src;
	(void)events;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				emit(c);
			} else if (c->line_len + 1 < sizeof(c->line)) {
				c->line[c->line_len++] = buf[i];
			}
		}
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		if (c->line_len > 0) {
			emit(c);
		}
		close_output(c);
	}
}

int ff_child_create(struct dpu_loop *loop, const char *name, char *const argv[],
		    ff_child_line_cb *cb, void *arg, struct ff_child **childp)
{
	struct ff_child *c = calloc(1, sizeof(*c));
	size_t n = 0;

	if (c == NULL) {
		return -ENOMEM;
	}
	while (argv[n] != NULL) {
		n++;
	}
	c->argv = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; c->argv != NULL && i < n; i++) {
		if ((c->argv[i] = strdup(argv[i])) == NULL) {
			ff_child_destroy(c);
			return -ENOMEM;
		}
	}
	if (c->argv == NULL) {
		free(c);
		return -ENOMEM;
	}
	c->loop = loop;
	dpu_strscpy(c->name, name, sizeof(c->name));
	c->cb = cb;
	c->arg = arg;
	c->out_fd = -1;
	c->backoff_ms = BACKOFF_MIN_MS;
	*childp = c;
	return 0;
}

int ff_child_start(struct ff_child *c)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	int pipefd[2], rc;

	if (c->pid > 0) {
		return -EALREADY;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		return -errno;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	posix_spawnattr_init(&attr);
	/* The loop blocks the signals it routes; the child must not inherit that. */
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGHUP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&c->pid, c->argv[0], &fa, &attr, c->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		c->pid = 0;
		log_err("%s: cannot start %s: %s", c->name, c->argv[0], strerror(rc));
		return -rc;
	}
	close_output(c);
	c->out_fd = pipefd[0];
	fcntl(c->out_fd, F_SETFL, fcntl(c->out_fd, F_GETFL) | O_NONBLOCK);
	rc = dpu_loop_add_fd(c->loop, c->out_fd, EPOLLIN, on_output, c, &c->out_src);
	if (rc < 0) {
		log_warn("%s: output not read: %s", c->name, strerror(-rc));
	}
	c->started_ns = dpu_time_mono_ns();
	c->stopping = false;
	log_info("%s: started %s (pid %d)", c->name, c->argv[0], (int)c->pid);
	return 0;
}

static void on_restart(struct dpu_loop_src *src, uint64_t expirations, void *arg)
{
	struct ff_child *c = arg;

	(void)expirations;
	dpu_loop_del(src);
	c->timer = NULL;
	if (!c->stopping && ff_child_start(c) < 0) {
		/* Try again later, as after an exit. */
		c->backoff_ms = DPU_MIN(c->backoff_ms * 2, BACKOFF_MAX_MS);
		dpu_loop_add_timer(c->loop, (uint64_t)c->backoff_ms * 1000000ull, 0, on_restart, c,
				   &c->timer);
	}
}

static void exited(struct ff_child *c, int status)
{
	uint64_t ran_ms = (dpu_time_mono_ns() - c->started_ns) / 1000000ull;

	c->pid = 0;
	/* Read what it printed last before deciding anything. */
	if (c->out_fd >= 0) {
		on_output(c->out_src, c->out_fd, EPOLLIN, c);
	}
	if (c->stopping) {
		return;
	}
	if (WIFEXITED(status)) {
		log_warn("%s: exited with status %d after %llu ms", c->name, WEXITSTATUS(status),
			 (unsigned long long)ran_ms);
	} else if (WIFSIGNALED(status)) {
		log_warn("%s: killed by signal %d after %llu ms", c->name, WTERMSIG(status),
			 (unsigned long long)ran_ms);
	}
	if (ran_ms >= HEALTHY_MS) {
		c->backoff_ms = BACKOFF_MIN_MS;
	}
	c->restarts++;
	log_info("%s: restarting in %u ms", c->name, c->backoff_ms);
	dpu_loop_del(c->timer);
	dpu_loop_add_timer(c->loop, (uint64_t)c->backoff_ms * 1000000ull, 0, on_restart, c,
			   &c->timer);
	c->backoff_ms = DPU_MIN(c->backoff_ms * 2, BACKOFF_MAX_MS);
}

void ff_child_reap_all(struct ff_child *const children[], size_t n)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < n; i++) {
			if (children[i] != NULL && children[i]->pid == pid) {
				exited(children[i], status);
				break;
			}
		}
	}
}

void ff_child_stop(struct ff_child *c, unsigned int grace_ms)
{
	int status;

	c->stopping = true;
	dpu_loop_del(c->timer);
	c->timer = NULL;
	if (c->pid > 0) {
		kill(c->pid, SIGTERM);
		for (unsigned int waited = 0; waited < grace_ms; waited += 10) {
			if (waitpid(c->pid, &status, WNOHANG) == c->pid) {
				c->pid = 0;
				break;
			}
			usleep(10000);
		}
		if (c->pid > 0) {
			log_warn("%s: did not stop in %u ms, killing it", c->name, grace_ms);
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &status, 0);
			c->pid = 0;
		}
		log_info("%s: stopped", c->name);
	}
	if (c->out_fd >= 0) {
		on_output(c->out_src, c->out_fd, EPOLLIN, c);
	}
	close_output(c);
}

void ff_child_destroy(struct ff_child *c)
{
	if (c == NULL) {
		return;
	}
	ff_child_stop(c, 2000);
	for (size_t i = 0; c->argv != NULL && c->argv[i] != NULL; i++) {
		free(c->argv[i]);
	}
	free(c->argv);
	free(c);
}

pid_t ff_child_pid(const struct ff_child *c)
{
	return c->pid;
}

unsigned int ff_child_restarts(const struct ff_child *c)
{
	return c->restarts;
}
