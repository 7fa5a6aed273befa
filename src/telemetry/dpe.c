/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-dpe: the privileged executer. It runs the providers that dpu-telemetry
 * names "grc.<provider>" where it itself cannot (a container without the
 * host's privileges or network namespace) and answers each request on its
 * Unix socket with the series (protocol: telemetry/grc.h).
 *
 *   dpu-dpe [--socket PATH] [--device URI] [-l LEVEL]
 *
 * --device is the HAL device ppcc_eth and hcaperf read (default sim:bf3-0,
 * as dpu-telemetry's): on a BlueField its registers and commands need the
 * host's fwctl device, which a container does not see.
 *
 * One request at a time, each with a 2 s limit on reading the request; the
 * socket is made 0660 so the service's group can reach it.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#define DPU_LOG_MODULE "dpu-dpe"
#include "common/daemon.h"
#include "common/log.h"
#include "common/loop.h"
#include "common/opts.h"
#include "common/util.h"
#include "telemetry/grc.h"

#define REQ_MAX 4096
#define REQ_TIMEOUT_MS 2000

struct dpe {
	char path[108];
	int fd;
	struct dts_grc_exec ex;
	unsigned long long served, refused;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dpu-dpe [--socket PATH] [options]\n"
		"Runs dpu-telemetry's grc.<provider> collections (" DTS_GRC_PROVIDERS ").\n"
		"  -s, --socket PATH   where to listen (default " DTS_DPE_SOCKET_DEFAULT ")\n"
		"  -d, --device URI    the device ppcc_eth and hcaperf read (default sim:bf3-0)\n"
		"  -h, --help\n");
	dpu_common_usage(out);
}

/* Read one request line from 'fd' into 'buf' (NUL-ended); -errno. */
static int read_request(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t got;

		if (poll(&p, 1, REQ_TIMEOUT_MS) <= 0) {
			return -ETIMEDOUT;
		}
		got = recv(fd, buf + n, size - n - 1, 0);
		if (got < 0 && errno == EINTR) {
			continue;
		}
		if (got <= 0) {
			return got == 0 ? -ECONNRESET : -errno;
		}
		n += (size_t)got;
		buf[n] = '\0';
		if (memchr(buf, '\n', n) != NULL) {
			return 0;
		}
	}
	return -EMSGSIZE;
}

static void send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			log_warn("reply: %s", w < 0 ? strerror(errno) : "short write");
			return;
		}
		buf += w;
		len -= (size_t)w;
	}
}

static void serve(struct dpe *d, int fd)
{
	char req[REQ_MAX];
	struct json_object *o = NULL, *v;
	struct dts_snapshot snap;
	const char *provider = NULL;
	size_t len = 0;
	char *reply;
	int rc;

	dts_snapshot_init(&snap);
	rc = read_request(fd, req, sizeof(req));
	if (rc == 0) {
		o = json_tokener_parse(req);
		if (o != NULL && json_object_object_get_ex(o, "cmd", &v) &&
		    strcmp(json_object_get_string(v), "collect") == 0 &&
		    json_object_object_get_ex(o, "provider", &v) &&
		    json_object_is_type(v, json_type_string)) {
			provider = json_object_get_string(v);
		} else {
			rc = -EINVAL;
		}
	}
	if (rc == 0) {
		rc = dts_grc_run(provider, &snap, &d->ex);
	}
	if (rc == -ETIMEDOUT || rc == -ECONNRESET) {
		d->refused++;
		goto out; /* nobody to answer */
	}
	reply = dts_grc_reply(&snap, rc, &len);
	if (reply != NULL) {
		send_all(fd, reply, len);
		free(reply);
	}
	if (rc == 0) {
		d->served++;
		log_dbg("%s: %zu series", provider, snap.n);
	} else {
		d->refused++;
		log_info("request refused: %s", rc == -ENOENT ? "no such provider" : strerror(-rc));
	}
out:
	json_object_put(o);
	dts_snapshot_free(&snap);
}

static void on_accept(struct dpu_loop_src *src, int lfd, uint32_t events, void *arg)
{
	struct dpe *d = arg;
	int fd;

	(void)src;
	(void)events;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			log_warn("accept: %s", strerror(errno));
		}
		return;
	}
	serve(d, fd);
	close(fd);
}

/* The socket's directory, made if missing. */
static int make_dir(const char *path)
{
	char dir[108], *slash;

	dpu_strscpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (dpu_mkdir_p(dir, 0755) < 0) {
			log_err("%s: cannot create the directory", dir);
			return -1;
		}
	}
	return 0;
}

static int listen_on(struct dpe *d)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	dpu_strscpy(sa.sun_path, d->path, sizeof(sa.sun_path));
	d->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (d->fd < 0) {
		log_err("socket: %s", strerror(errno));
		return -1;
	}
	unlink(d->path); /* a socket left by a previous run; the pid file keeps a live one */
	if (bind(d->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(d->path, 0660) < 0 ||
	    listen(d->fd, 16) < 0) {
		log_err("%s: %s", d->path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		DPU_COMMON_LONGOPTS,
		{"socket", required_argument, NULL, 's'},
		{"device", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct dpe d = {.path = DTS_DPE_SOCKET_DEFAULT, .fd = -1, .ex.device = "sim:bf3-0"};
	struct dpu_daemon_signals sigs = {0};
	struct dpu_pidfile *pid = NULL;
	struct dpu_loop *loop = NULL;
	char pidpath[sizeof(d.path) + 8];
	pid_t owner = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, DPU_COMMON_SHORTOPTS "s:d:h", longopts, NULL)) != -1) {
		rc = dpu_common_opt(c, optarg);
		if (rc > 0) {
			continue;
		}
		if (rc < 0) {
			return 2;
		}
		switch (c) {
		case 's':
			if (optarg[0] != '/' || dpu_strscpy(d.path, optarg, sizeof(d.path)) < 0) {
				fprintf(stderr,
					"dpu-dpe: --socket: an absolute path under %zu bytes\n",
					sizeof(d.path));
				return 2;
			}
			break;
		case 'd':
			if (dpu_strscpy(d.ex.device, optarg, sizeof(d.ex.device)) < 0) {
				fprintf(stderr, "dpu-dpe: --device: a URI under %zu bytes\n",
					sizeof(d.ex.device));
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	dpu_common_log_open("dpu-dpe");
	snprintf(pidpath, sizeof(pidpath), "%s.pid", d.path);
	if (make_dir(d.path) < 0) {
		return 1;
	}
	rc = dpu_pidfile_open(pidpath, &pid, &owner);
	if (rc < 0) {
		log_err("%s: %s", pidpath,
			rc == -EBUSY ? "another dpu-dpe serves this socket" : strerror(-rc));
		return 1;
	}
	if (listen_on(&d) < 0) {
		dpu_pidfile_close(pid);
		return 1;
	}
	if (dpu_loop_create(&loop) < 0 || dpu_daemon_signals(loop, &sigs) < 0 ||
	    dpu_loop_add_fd(loop, d.fd, EPOLLIN, on_accept, &d, NULL) < 0) {
		log_err("event loop: cannot set up");
		rc = 1;
		goto out;
	}
	log_info("listening on %s (providers: %s)", d.path, DTS_GRC_PROVIDERS);
	rc = dpu_loop_run(loop);
	log_info("stopping: %llu requests served, %llu refused", d.served, d.refused);
out:
	dpu_loop_destroy(loop);
	dts_grc_exec_free(&d.ex);
	close(d.fd);
	unlink(d.path);
	dpu_pidfile_close(pid);
	return rc < 0 ? 1 : rc;
}
