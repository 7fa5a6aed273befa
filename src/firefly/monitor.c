/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PTP monitor: snapshot, rendering, file and TCP outlets.
 */
#define DPU_LOG_MODULE "firefly"

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/loop.h"
#include "common/timeutil.h"
#include "firefly/monitor.h"

void ff_status_init(struct ff_status *st)
{
	memset(st, 0, sizeof(*st));
	st->servo_state = -1;
}

void ff_status_add_time_status(struct ff_status *st, const struct ff_time_status_np *tsn)
{
	st->tsn = *tsn;
	if (tsn->ingress_time_ns == 0 || tsn->ingress_time_ns == st->last_ingress_ns) {
		return;
	}
	st->last_ingress_ns = tsn->ingress_time_ns;
	st->samples[st->next_sample] = tsn->master_offset_ns;
	st->next_sample = (st->next_sample + 1) % FF_OFFSET_WINDOW;
	if (st->n_samples < FF_OFFSET_WINDOW) {
		st->n_samples++;
	}
}

void ff_status_error(struct ff_status *st, int64_t now_ns)
{
	st->error_count++;
	st->last_err_real_ns = now_ns;
}

bool ff_status_stable(const struct ff_status *st)
{
	return st->ptp4l_up && st->port.port_state == FF_PS_SLAVE && st->servo_state == 2;
}

bool ff_status_offset_stats(const struct ff_status *st, double *avg, double *max_abs, double *rms)
{
	double sum = 0, sq = 0, mx = 0;

	if (st->n_samples == 0) {
		return false;
	}
	for (unsigned int i = 0; i < st->n_samples; i++) {
		double v = (double)st->samples[i];

		sum += v;
		sq += v * v;
		mx = fabs(v) > mx ? fabs(v) : mx;
	}
	*avg = sum / st->n_samples;
	*max_abs = mx;
	*rms = sqrt(sq / st->n_samples);
	return true;
}

/* The text after 'word' (and blanks) in 'line', or NULL. */
static const char *after(const char *line, const char *word)
{
	const char *p = strstr(line, word);

	if (p == NULL) {
		return NULL;
	}
	p += strlen(word);
	while (*p == ' ') {
		p++;
	}
	return p;
}

bool ff_status_ptp4l_line(struct ff_status *st, const char *line)
{
	const char *p = after(line, "master offset");
	long long off;
	int servo;
	double freq;

	if (p != NULL) {
		if (sscanf(p, "%lld s%d freq %lf", &off, &servo, &freq) != 3 || servo < 0 ||
		    servo > 2) {
			return false;
		}
		st->servo_state = servo;
		st->freq_ppb = freq;
		st->have_freq = true;
		return true;
	}
	if (strstr(line, ": rms ") != NULL && (p = after(line, " freq")) != NULL &&
	    sscanf(p, "%lf", &freq) == 1) {
		st->freq_ppb = freq;
		st->have_freq = true;
		return true;
	}
	return false;
}

static const char *fmt_time(int64_t ns, char *buf, size_t size)
{
	time_t secs = (time_t)(ns / 1000000000);
	struct tm tm;
	size_t n;

	if (ns <= 0 || gmtime_r(&secs, &tm) == NULL) {
		snprintf(buf, size, "-");
		return buf;
	}
	n = strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09lld", (long long)(ns % 1000000000));
	return buf;
}

size_t ff_status_render(const struct ff_status *st, char *buf, size_t size)
{
	char gm[20], own[20], t1[48], t2[48], t3[48], servo[16], freq[32], mo[96];
	double avg, mx, rms;
	int n;

	ff_clock_id_str(st->pds.gm_identity, gm, sizeof(gm));
	ff_clock_id_str(st->port.port.clock, own, sizeof(own));
	if (st->servo_state >= 0) {
		snprintf(servo, sizeof(servo), "s%d", st->servo_state);
	} else {
		snprintf(servo, sizeof(servo), "-");
	}
	if (st->have_freq) {
		snprintf(freq, sizeof(freq), "%.0f", st->freq_ppb);
	} else {
		snprintf(freq, sizeof(freq), "-");
	}
	if (ff_status_offset_stats(st, &avg, &mx, &rms)) {
		snprintf(mo, sizeof(mo), "avg: %.0f max: %.0f rms: %.0f", avg, mx, rms);
	} else {
		snprintf(mo, sizeof(mo), "-");
	}
	n = snprintf(
		buf, size,
		"gmIdentity: %s\n"
		"portIdentity: %s-%u\n"
		"port_state: %s\n"
		"domainNumber: %u\n"
		"stepsRemoved: %u\n"
		"offsetFromMaster: %.0f\n"
		"meanPathDelay: %.0f\n"
		"master_offset: %s\n"
		"ingress_time: %lld\n"
		"gmPresent: %s\n"
		"ptp_stable: %s\n"
		"servo_state: %s\n"
		"freq_adj_ppb: %s\n"
		"UtcOffset: %d\n"
		"timeTraceable: %d\n"
		"frequencyTraceable: %d\n"
		"grandmasterPriority1: %u\n"
		"gmClockClass: %u\n"
		"gmClockAccuracy: 0x%02x\n"
		"grandmasterPriority2: %u\n"
		"gmOffsetScaledLogVariance: 0x%04x\n"
		"ptp_time: %s\n"
		"system_time (UTC): %s\n"
		"error_count: %u\n"
		"last_err_time (UTC): %s\n"
		"rounds_missed: %u\n"
		"clients_dropped: %u\n"
		"\n",
		gm, own, st->port.port.port,
		st->ptp4l_up ? ff_port_state_name(st->port.port_state) : "NO_PTP4L",
		st->dds.domain_number, st->cds.steps_removed, st->cds.offset_from_master_ns,
		st->cds.mean_path_delay_ns, mo, (long long)st->tsn.ingress_time_ns,
		st->tsn.gm_present ? "true" : "false", ff_status_stable(st) ? "yes" : "no", servo,
		freq, st->tpds.current_utc_offset, st->tpds.time_traceable, st->tpds.freq_traceable,
		st->pds.gm_priority1, st->pds.gm_clock_class, st->pds.gm_clock_accuracy,
		st->pds.gm_priority2, st->pds.gm_offset_scaled_log_variance,
		fmt_time(st->ptp_time_ns, t1, sizeof(t1)),
		fmt_time(st->sys_time_ns, t2, sizeof(t2)), st->error_count,
		st->error_count != 0 ? fmt_time(st->last_err_real_ns, t3, sizeof(t3)) : "No errors",
		st->rounds_missed, st->clients_dropped);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n < size ? (size_t)n : size - 1;
}

/* ---------------------------------------------------------------- outlets */

#define MAX_CLIENTS 32

struct client {
	int fd;
	struct dpu_loop_src *src;
};

struct ff_monitor {
	struct dpu_loop *loop;
	int lfd;
	uint16_t port;
	struct dpu_loop_src *lsrc;
	struct client clients[MAX_CLIENTS];
	char file[4096];
	char last[4096];
	size_t last_len;
	uint32_t dropped;	  /* clients let go */
	uint64_t file_written_ns; /* CLOCK_MONOTONIC of the last file write */
	uint8_t file_state;	  /* port state and grandmaster in the file */
	uint8_t file_gm[8];
	bool file_up;
};

static void drop(struct client *c)
{
	dpu_loop_del(c->src);
	close(c->fd);
	c->fd = -1;
	c->src = NULL;
}

/* A whole block or nothing: a client that cannot keep up is let go. */
static void send_block(struct ff_monitor *mon, struct client *c, const char *buf, size_t len)
{
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n != (ssize_t)len) {
		log_info("monitor: client dropped (%s)", n < 0 ? strerror(errno) : "too slow");
		drop(c);
		mon->dropped++;
	}
}

static void on_client(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	struct client *c = arg;
	char buf[256];
	ssize_t n;

	(void)src;
	(void)events;
	/* Clients only listen; what they send is read and ignored. */
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
	}
	if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		drop(c);
	}
}

static void on_accept(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	struct ff_monitor *mon = arg;
	int cfd;

	(void)src;
	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct client *c = NULL;

		for (size_t i = 0; i < MAX_CLIENTS; i++) {
			if (mon->clients[i].fd < 0) {
				c = &mon->clients[i];
				break;
			}
		}
		if (c == NULL) {
			log_warn("monitor: more than %d clients, refusing one", MAX_CLIENTS);
			close(cfd);
			continue;
		}
		c->fd = cfd;
		if (dpu_loop_add_fd(mon->loop, cfd, EPOLLIN, on_client, c, &c->src) < 0) {
			close(cfd);
			c->fd = -1;
			continue;
		}
		if (mon->last_len > 0) {
			send_block(mon, c, mon->last, mon->last_len);
		}
	}
}

static int listen_on(struct ff_monitor *mon, const char *addr, uint16_t port)
{
	struct sockaddr_in6 sa6;
	struct sockaddr_in sa;
	struct sockaddr *s;
	socklen_t len;
	int one = 1, fam;

	memset(&sa, 0, sizeof(sa));
	memset(&sa6, 0, sizeof(sa6));
	if (inet_pton(AF_INET, addr, &sa.sin_addr) == 1) {
		sa.sin_family = AF_INET;
		sa.sin_port = htons(port);
		s = (struct sockaddr *)&sa;
		len = sizeof(sa);
		fam = AF_INET;
	} else if (inet_pton(AF_INET6, addr, &sa6.sin6_addr) == 1) {
		sa6.sin6_family = AF_INET6;
		sa6.sin6_port = htons(port);
		s = (struct sockaddr *)&sa6;
		len = sizeof(sa6);
		fam = AF_INET6;
	} else {
		log_err("MONITOR_ADDRESS: '%s' is not an IPv4 or IPv6 address", addr);
		return -EINVAL;
	}
	mon->lfd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (mon->lfd < 0) {
		return -errno;
	}
	setsockopt(mon->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(mon->lfd, s, len) < 0 || listen(mon->lfd, 16) < 0) {
		int rc = -errno;

		log_err("monitor: cannot listen on %s port %u: %s", addr, port, strerror(-rc));
		return rc;
	}
	mon->port = port;
	return dpu_loop_add_fd(mon->loop, mon->lfd, EPOLLIN, on_accept, mon, &mon->lsrc);
}

int ff_monitor_create(struct dpu_loop *loop, const char *addr, uint16_t port, const char *file,
		      struct ff_monitor **monp)
{
	struct ff_monitor *mon = calloc(1, sizeof(*mon));
	int rc = 0;

	if (mon == NULL) {
		return -ENOMEM;
	}
	mon->loop = loop;
	mon->lfd = -1;
	for (size_t i = 0; i < MAX_CLIENTS; i++) {
		mon->clients[i].fd = -1;
	}
	if (file != NULL && dpu_strscpy(mon->file, file, sizeof(mon->file)) < 0) {
		rc = -ENAMETOOLONG;
	}
	if (rc == 0 && port != 0) {
		rc = listen_on(mon, addr, port);
	}
	if (rc < 0) {
		ff_monitor_destroy(mon);
		return rc;
	}
	*monp = mon;
	return 0;
}

void ff_monitor_destroy(struct ff_monitor *mon)
{
	if (mon == NULL) {
		return;
	}
	for (size_t i = 0; i < MAX_CLIENTS; i++) {
		if (mon->clients[i].fd >= 0) {
			drop(&mon->clients[i]);
		}
	}
	dpu_loop_del(mon->lsrc);
	if (mon->lfd >= 0) {
		close(mon->lfd);
	}
	free(mon);
}

uint16_t ff_monitor_port(const struct ff_monitor *mon)
{
	return mon->port;
}

static void write_file(const char *path, const char *buf, size_t len)
{
	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		log_warn_rl("monitor file %s: %s", tmp, strerror(errno));
		return;
	}
	fwrite(buf, 1, len, f);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		log_warn_rl("monitor file %s: %s", path, strerror(errno));
		unlink(tmp);
	}
}

uint32_t ff_monitor_clients_dropped(const struct ff_monitor *mon)
{
	return mon->dropped;
}

void ff_monitor_publish(struct ff_monitor *mon, const struct ff_status *st)
{
	uint64_t now = dpu_time_mono_ns();

	mon->last_len = ff_status_render(st, mon->last, sizeof(mon->last));
	/* The file: each change of state or grandmaster, else at most once a second. */
	if (mon->file[0] != '\0' &&
	    (now - mon->file_written_ns >= FF_MONITOR_FILE_PERIOD_NS || mon->file_written_ns == 0 ||
	     st->port.port_state != mon->file_state || st->ptp4l_up != mon->file_up ||
	     memcmp(st->pds.gm_identity, mon->file_gm, 8) != 0)) {
		write_file(mon->file, mon->last, mon->last_len);
		mon->file_written_ns = now;
		mon->file_state = st->port.port_state;
		mon->file_up = st->ptp4l_up;
		memcpy(mon->file_gm, st->pds.gm_identity, 8);
	}
	for (size_t i = 0; i < MAX_CLIENTS; i++) {
		if (mon->clients[i].fd >= 0) {
			send_block(mon, &mon->clients[i], mon->last, mon->last_len);
		}
	}
}
