/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sampled: the smallest complete dpu-services daemon. It exists to test the
 * common library end to end (tests/integration/daemon-lifecycle.sh) and to
 * be copied when a new service starts: options, INI config with errors that
 * name the line, run directory and pid file, a periodic timer, SIGHUP
 * reload that keeps the running config when the new file is bad, and a
 * clean exit on SIGTERM.
 *
 *   sampled --config FILE [--run-dir DIR] [-l LEVEL]
 *
 * Config keys: interval-ms (1..60000, default 1000), message (text).
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DPU_LOG_MODULE "sampled"
#include "common/cfg.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/loop.h"
#include "common/opts.h"
#include "common/timeutil.h"

struct sampled_cfg {
	uint64_t interval_ms;
	char message[128];
};

struct sampled {
	const char *config_path;
	struct sampled_cfg cfg;
	struct dpu_loop_src *timer;
	uint64_t ticks;
};

static int cfg_key(void *arg, const char *section, const char *key, const char *value, int line,
		   struct dpu_cfg_err *err)
{
	struct sampled_cfg *cfg = arg;
	const char *why;

	(void)line;
	if (section[0] != '\0') {
		return dpu_cfg_err_set(err, NULL, 0, key, "unknown section [%s]", section);
	}
	if (strcmp(key, "interval-ms") == 0) {
		if (dpu_cfg_parse_u64(value, 1, 60000, &cfg->interval_ms, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s (1..60000)", value,
					       why);
		}
		return 0;
	}
	if (strcmp(key, "message") == 0) {
		if (dpu_strscpy(cfg->message, value, sizeof(cfg->message)) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "longer than %zu characters",
					       sizeof(cfg->message) - 1);
		}
		return 0;
	}
	return dpu_cfg_err_set(err, NULL, 0, key, "unknown key");
}

/* Parse into a fresh struct; '*out' changes only when the whole file is good. */
static int cfg_load(const char *path, struct sampled_cfg *out)
{
	struct sampled_cfg cfg = {.interval_ms = 1000, .message = "hello"};
	struct dpu_cfg_err err;
	char buf[600];
	int rc;

	rc = dpu_ini_load(path, cfg_key, &cfg, &err);
	if (rc < 0) {
		log_err("%s", dpu_cfg_err_str(&err, buf, sizeof(buf)));
		return rc;
	}
	*out = cfg;
	return 0;
}

static void on_tick(struct dpu_loop_src *src, uint64_t n, void *arg)
{
	struct sampled *s = arg;

	(void)src;
	s->ticks += n;
	log_info("tick %llu: %s", (unsigned long long)s->ticks, s->cfg.message);
}

static void on_reload(struct dpu_loop *loop, void *arg)
{
	struct sampled *s = arg;
	struct sampled_cfg cfg;

	(void)loop;
	if (cfg_load(s->config_path, &cfg) < 0) {
		log_err("reload failed; keeping the running configuration");
		return;
	}
	s->cfg = cfg;
	dpu_loop_timer_set(s->timer, s->cfg.interval_ms * DPU_NSEC_PER_MSEC,
			   s->cfg.interval_ms * DPU_NSEC_PER_MSEC);
	log_info("configuration reloaded: interval-ms=%llu message=%s",
		 (unsigned long long)s->cfg.interval_ms, s->cfg.message);
}

static void usage(FILE *out)
{
	fputs("usage: sampled --config FILE [--run-dir DIR] [options]\n"
	      "  -c, --config FILE          INI file (interval-ms, message)\n"
	      "      --run-dir DIR          run directory for the pid file\n"
	      "  -h, --help                 this text\n",
	      out);
	dpu_common_usage(out);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		DPU_COMMON_LONGOPTS,
		{"config", required_argument, NULL, 'c'},
		{"run-dir", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sampled s = {0};
	struct dpu_daemon_signals sigs = {.on_reload = on_reload, .arg = &s};
	struct dpu_loop *loop = NULL;
	struct dpu_pidfile *pid = NULL;
	char rundir[512] = "";
	char pidpath[600];
	pid_t owner = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, DPU_COMMON_SHORTOPTS "c:h", longopts, NULL)) != -1) {
		rc = dpu_common_opt(c, optarg);
		if (rc > 0) {
			continue;
		}
		if (rc < 0) {
			return 2;
		}
		switch (c) {
		case 'c':
			s.config_path = optarg;
			break;
		case 'r':
			dpu_strscpy(rundir, optarg, sizeof(rundir));
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (s.config_path == NULL) {
		fprintf(stderr, "sampled: --config is required\n");
		return 2;
	}
	dpu_common_log_open("sampled");
	if (cfg_load(s.config_path, &s.cfg) < 0) {
		return 2;
	}
	if (rundir[0] == '\0' && dpu_rundir_default(rundir, sizeof(rundir)) < 0) {
		log_err("run directory name too long");
		return 1;
	}
	rc = dpu_mkdir_p(rundir, 0755);
	if (rc < 0) {
		log_err("%s: cannot create run directory: %s", rundir, strerror(-rc));
		return 1;
	}
	snprintf(pidpath, sizeof(pidpath), "%s/sampled.pid", rundir);
	rc = dpu_pidfile_open(pidpath, &pid, &owner);
	if (rc == -EBUSY) {
		log_err("%s: already running (pid %ld)", pidpath, (long)owner);
		return 1;
	}
	if (rc < 0) {
		log_err("%s: %s", pidpath, strerror(-rc));
		return 1;
	}
	rc = dpu_loop_create(&loop);
	if (rc == 0) {
		rc = dpu_daemon_signals(loop, &sigs);
	}
	if (rc == 0) {
		rc = dpu_loop_add_timer(loop, s.cfg.interval_ms * DPU_NSEC_PER_MSEC,
					s.cfg.interval_ms * DPU_NSEC_PER_MSEC, on_tick, &s,
					&s.timer);
	}
	if (rc < 0) {
		log_err("event loop: %s", strerror(-rc));
		dpu_loop_destroy(loop);
		dpu_pidfile_close(pid);
		return 1;
	}
	log_info("started: config %s, pid file %s", s.config_path, pidpath);
	rc = dpu_loop_run(loop);
	log_info("stopped after %llu ticks", (unsigned long long)s.ticks);
	dpu_loop_destroy(loop);
	dpu_pidfile_close(pid);
	dpu_log_close();
	return rc < 0 ? 1 : 0;
}
