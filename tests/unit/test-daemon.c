/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include "unit/testutil.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/loop.h"
#include "common/timeutil.h"

static void test_rundir_default(void **state)
{
	char buf[256];

	(void)state;
	setenv("DPU_RUN_DIR", "/somewhere/run", 1);
	assert_int_equal(dpu_rundir_default(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/somewhere/run");
	assert_int_equal(dpu_rundir_default(buf, 5), -ENAMETOOLONG);
	unsetenv("DPU_RUN_DIR");
	assert_int_equal(dpu_rundir_default(buf, sizeof(buf)), 0);
	if (geteuid() == 0) {
		assert_string_equal(buf, "/run/dpu-services");
	} else {
		assert_non_null(strstr(buf, "dpu-services"));
	}
}

static void test_mkdir_p(void **state)
{
	char *dir = test_tmpdir();
	char *deep, *file;
	struct stat st;

	(void)state;
	assert_true(asprintf(&deep, "%s/a/b/c", dir) > 0);
	assert_int_equal(dpu_mkdir_p(deep, 0755), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(dpu_mkdir_p(deep, 0755), 0); /* exists: fine */
	file = test_write_file(dir, "f", "x");
	assert_int_equal(dpu_mkdir_p(file, 0755), -ENOTDIR);
	assert_int_equal(dpu_mkdir_p("", 0755), -EINVAL);
	free(file);
	free(deep);
	test_rm_rf(dir);
	free(dir);
}

static void test_pidfile_exclusive(void **state)
{
	char *dir = test_tmpdir();
	char *path;
	struct dpu_pidfile *pf = NULL;
	pid_t child, owner = 0;
	int status, pipefd[2];
	char ok;

	(void)state;
	assert_true(asprintf(&path, "%s/svc.pid", dir) > 0);
	assert_int_equal(dpu_pidfile_owner(path), -ENOENT);
	assert_int_equal(dpu_pidfile_open(path, &pf, NULL), 0);
	assert_int_equal(dpu_pidfile_owner(path), getpid());

	/* A second process is refused and told who holds it. */
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct dpu_pidfile *other = NULL;
		int rc = dpu_pidfile_open(path, &other, &owner);

		ok = (rc == -EBUSY && owner == getppid() && other == NULL) ? 'y' : 'n';
		if (write(pipefd[1], &ok, 1) != 1) {
			_exit(2);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(read(pipefd[0], &ok, 1), 1);
	assert_int_equal(ok, 'y');
	close(pipefd[0]);
	close(pipefd[1]);

	dpu_pidfile_close(pf);
	assert_int_equal(access(path, F_OK), -1); /* removed on close */
	dpu_pidfile_close(NULL);
	free(path);
	test_rm_rf(dir);
	free(dir);
}

static void test_pidfile_stale_taken_over(void **state)
{
	char *dir = test_tmpdir();
	char *path = test_write_file(dir, "stale.pid", "999999\n");
	struct dpu_pidfile *pf = NULL;
	char buf[32] = {0};
	FILE *fp;

	(void)state;
	/* Left by a crash: nobody holds the lock, so it is not running. */
	assert_int_equal(dpu_pidfile_owner(path), -ENOENT);
	assert_int_equal(dpu_pidfile_open(path, &pf, NULL), 0);
	fp = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_int_equal(atol(buf), getpid());
	dpu_pidfile_close(pf);
	free(path);
	test_rm_rf(dir);
	free(dir);
}

struct sig_ctx {
	int reloads;
	int terms;
};

static void on_reload(struct dpu_loop *loop, void *arg)
{
	struct sig_ctx *c = arg;

	(void)loop;
	c->reloads++;
}

static void on_term(struct dpu_loop *loop, int signo, void *arg)
{
	struct sig_ctx *c = arg;

	/* Runs in the child: no cmocka assertions there, the exit code tells. */
	c->terms += (signo == SIGTERM || signo == SIGINT) ? 1 : 100;
	dpu_loop_stop(loop, 40 + c->reloads);
}

/*
 * The standard signals in a child process (so this test's own mask and
 * dispositions stay untouched): SIGHUP twice -> two reloads, SIGPIPE ignored,
 * SIGTERM -> the loop ends with our code.
 */
static void test_daemon_signals(void **state)
{
	pid_t child;
	int status;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct dpu_loop *loop;
		struct sig_ctx c = {0};
		struct dpu_daemon_signals sigs = {
			.on_terminate = on_term, .on_reload = on_reload, .arg = &c};
		int rc;

		dpu_log_set_level(DPU_LOG_DISABLE);
		if (dpu_loop_create(&loop) < 0 || dpu_daemon_signals(loop, &sigs) < 0) {
			_exit(1);
		}
		raise(SIGPIPE); /* would kill us if not ignored */
		for (int i = 1; i <= 2; i++) {
			/* One at a time: two pending SIGHUPs would coalesce into one. */
			raise(SIGHUP);
			while (c.reloads < i) {
				dpu_loop_run_once(loop, 1000);
			}
		}
		raise(SIGTERM);
		rc = dpu_loop_run(loop);
		dpu_loop_destroy(loop);
		_exit(c.terms == 1 ? rc : 3);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);
}

static void test_daemon_signals_default_stop(void **state)
{
	pid_t child;
	int status;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct dpu_loop *loop;
		int rc;

		dpu_log_set_level(DPU_LOG_DISABLE);
		if (dpu_loop_create(&loop) < 0 || dpu_daemon_signals(loop, NULL) < 0) {
			_exit(1);
		}
		raise(SIGHUP); /* no reload callback: ignored */
		raise(SIGINT); /* no terminate callback: stop with 0 */
		rc = dpu_loop_run(loop);
		dpu_loop_destroy(loop);
		_exit(rc == 0 ? 9 : 1);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rundir_default),
		cmocka_unit_test(test_mkdir_p),
		cmocka_unit_test(test_pidfile_exclusive),
		cmocka_unit_test(test_pidfile_stale_taken_over),
		cmocka_unit_test(test_daemon_signals),
		cmocka_unit_test(test_daemon_signals_default_stop),
	};

	return cmocka_run_group_tests_name("daemon", tests, NULL, NULL);
}
