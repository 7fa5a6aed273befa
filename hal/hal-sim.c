/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sim backend: a client of dpu-simd's control socket (JSON lines,
 * sim/simd/ctl.h). URI: sim:<name>[,run-dir=<dir>].
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#define DPU_LOG_MODULE "hal-sim"
#include "common/cfg.h"
#include "common/daemon.h"
#include "common/log.h"
#include "dpu/hal-reg.h"
#include "dpu/hal-sim.h"
#include "hal-provider.h"

#define SIM_TIMEOUT_MS 3000
#define SIM_MAX_REPLY (1024 * 1024)
/* A batch's requests stay under dpu-simd's SIMD_CTL_MAX_LINE (64 KiB). */
#define SIM_MAX_BATCH (60 * 1024)

struct hal_sim {
	struct dpu_dev up;
	int fd;
	/* Bytes received and not yet taken: a reply's tail may bring the next one's head. */
	char *rbuf;
	size_t rlen, rcap;
	char rundir[PATH_MAX - 16];
};

static struct hal_sim *sim_cast(struct dpu_dev *dev)
{
	return container_of(dev, struct hal_sim, up);
}

static int sim_connect(struct hal_sim *h)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = SIM_TIMEOUT_MS / 1000,
			     .tv_usec = (SIM_TIMEOUT_MS % 1000) * 1000};
	int n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/simd.sock", h->rundir);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		return -ENAMETOOLONG;
	}
	h->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h->fd < 0) {
		return -errno;
	}
	setsockopt(h->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(h->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(h->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;

		close(h->fd);
		h->fd = -1;
		/* No daemon there: the device does not exist. */
		return (rc == -ENOENT || rc == -ECONNREFUSED) ? -ENODEV : rc;
	}
	return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * After an I/O failure the stream may hold half a reply: close it, so every
 * later call fails cleanly instead of reading the wrong answer.
 */
static void sim_broken(struct hal_sim *h)
{
	if (h->fd >= 0) {
		close(h->fd);
		h->fd = -1;
	}
	h->rlen = 0;
}

/* Send the request 'text' (one JSON object, no newline). */
static int sim_send_text(struct hal_sim *h, const char *text, size_t text_len)
{
	if (h->fd < 0) {
		return -EIO; /* broken by an earlier failure: a late reply must not be taken */
	}
	if (send_all(h->fd, text, text_len) < 0 || send_all(h->fd, "\n", 1) < 0) {
		sim_broken(h);
		return -EIO;
	}
	return 0;
}

/*
 * The next reply line: its length (the newline excluded) at the start of
 * h->rbuf; the caller drops it with sim_reply_done().
 */
static int sim_reply_line(struct hal_sim *h, size_t *line)
{
	size_t scanned = 0;

	for (;;) {
		char *nl = h->rlen > scanned ? memchr(h->rbuf + scanned, '\n', h->rlen - scanned)
					     : NULL;
		ssize_t n;

		if (nl != NULL) {
			*line = (size_t)(nl - h->rbuf);
			return 0;
		}
		scanned = h->rlen;
		if (h->rlen + 4096 > h->rcap) {
			size_t cap = h->rcap ? h->rcap * 2 : 8192;
			char *nb;

			if (cap > SIM_MAX_REPLY || (nb = realloc(h->rbuf, cap)) == NULL) {
				sim_broken(h);
				return -EIO;
			}
			h->rbuf = nb;
			h->rcap = cap;
		}
		n = recv(h->fd, h->rbuf + h->rlen, h->rcap - h->rlen, 0);
		if (n <= 0) {
			sim_broken(h);
			return -EIO; /* dpu-simd went away, or timed out */
		}
		h->rlen += (size_t)n;
	}
}

static void sim_reply_done(struct hal_sim *h, size_t line)
{
	memmove(h->rbuf, h->rbuf + line + 1, h->rlen - line - 1);
	h->rlen -= line + 1;
}

/*
 * Read the reply to the oldest request sent and not yet answered, and
 * return its 'key' member (new reference; with 'key' NULL and 'out' not,
 * the whole reply). On an error reply, its message goes to 'why' (if not
 * NULL).
 */
static int sim_recv_reply(struct hal_sim *h, const char *key, struct json_object **out, char *why,
			  size_t why_size)
{
	struct json_object *rep = NULL, *ok, *val;
	struct dpu_cfg_err err;
	size_t line;
	int rc;

	if (h->fd < 0) {
		return -EIO;
	}
	rc = sim_reply_line(h, &line);
	if (rc < 0) {
		return rc;
	}
	rc = dpu_json_load_string(h->rbuf, line, "dpu-simd reply", &rep, &err);
	sim_reply_done(h, line);
	if (rc < 0) {
		return -EIO;
	}
	if (!json_object_object_get_ex(rep, "ok", &ok) || !json_object_get_boolean(ok)) {
		struct json_object *e, *m;
		int code = EIO;

		if (json_object_object_get_ex(rep, "errno", &e)) {
			code = json_object_get_int(e);
		}
		if (json_object_object_get_ex(rep, "error", &m)) {
			log_dbg("%s: %s", h->rundir, json_object_get_string(m));
			dpu_strscpy(h->up.last_error, json_object_get_string(m),
				    sizeof(h->up.last_error));
			if (why != NULL) {
				dpu_strscpy(why, json_object_get_string(m), why_size);
			}
		}
		json_object_put(rep);
		return code > 0 ? -code : -EIO;
	}
	if (key != NULL) {
		if (!json_object_object_get_ex(rep, key, &val)) {
			json_object_put(rep);
			return -EIO;
		}
		*out = json_object_get(val);
	} else if (out != NULL) {
		*out = json_object_get(rep);
	}
	json_object_put(rep);
	return 0;
}

/* A request and its reply, as sim_send_text() and sim_recv_reply(). */
static int sim_call_text(struct hal_sim *h, const char *text, size_t text_len, const char *key,
			 struct json_object **out, char *why, size_t why_size)
{
	int rc = sim_send_text(h, text, text_len);

	return rc < 0 ? rc : sim_recv_reply(h, key, out, why, why_size);
}

/* sim_call_text() with the request 'req'. */
static int sim_call_why(struct hal_sim *h, struct json_object *req, const char *key,
			struct json_object **out, char *why, size_t why_size)
{
	size_t len;
	const char *text = json_object_to_json_string_length(req, JSON_C_TO_STRING_PLAIN, &len);

	return sim_call_text(h, text, len, key, out, why, why_size);
}

static int sim_call(struct hal_sim *h, struct json_object *req, const char *key,
		    struct json_object **out)
{
	return sim_call_why(h, req, key, out, NULL, 0);
}

static int sim_call_cmd(struct hal_sim *h, const char *cmd, const char *key,
			struct json_object **out)
{
	struct json_object *req = json_object_new_object();
	int rc;

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	rc = sim_call(h, req, key, out);
	json_object_put(req);
	return rc;
}

static void copy_str(char *dst, size_t size, struct json_object *obj, const char *key)
{
	struct json_object *v;

	dst[0] = '\0';
	if (json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string)) {
		dpu_strscpy(dst, json_object_get_string(v), size);
	}
}

static int sim_open(const char *args, struct dpu_dev **devp)
{
	struct hal_sim *h;
	char name[DPU_HAL_STR];
	const char *comma = strchr(args, ',');
	size_t nlen = comma ? (size_t)(comma - args) : strlen(args);
	int rc;

	if (nlen == 0 || nlen >= sizeof(name)) {
		return -EINVAL;
	}
	memcpy(name, args, nlen);
	name[nlen] = '\0';
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		return -ENOMEM;
	}
	h->up.class = &dpu_hal_sim_class;
	h->fd = -1;
	if (comma != NULL) {
		if (strncmp(comma + 1, "run-dir=", 8) != 0 ||
		    dpu_strscpy(h->rundir, comma + 9, sizeof(h->rundir)) < 0) {
			free(h);
			return -EINVAL;
		}
	} else {
		char base[PATH_MAX - 128];

		if (dpu_rundir_default(base, sizeof(base)) < 0) {
			free(h);
			return -ENAMETOOLONG;
		}
		snprintf(h->rundir, sizeof(h->rundir), "%s/sim/%s", base, name);
	}
	rc = sim_connect(h);
	if (rc < 0) {
		log_dbg("sim:%s: no dpu-simd at %s: %s", name, h->rundir, strerror(-rc));
		free(h);
		return rc;
	}
	*devp = &h->up;
	return 0;
}

static void sim_close(struct dpu_dev *dev)
{
	struct hal_sim *h = sim_cast(dev);

	if (h->fd >= 0) {
		close(h->fd);
	}
	free(h->rbuf);
	free(h);
}

static int sim_info(struct dpu_dev *dev, struct dpu_dev_info *info)
{
	struct json_object *o;
	int rc = sim_call_cmd(sim_cast(dev), "info", "info", &o);

	if (rc < 0) {
		return rc;
	}
	copy_str(info->name, sizeof(info->name), o, "name");
	copy_str(info->model, sizeof(info->model), o, "model");
	copy_str(info->part_number, sizeof(info->part_number), o, "part-number");
	copy_str(info->serial, sizeof(info->serial), o, "serial");
	copy_str(info->psid, sizeof(info->psid), o, "psid");
	copy_str(info->mode, sizeof(info->mode), o, "mode");
	copy_str(info->firmware, sizeof(info->firmware), o, "firmware");
	copy_str(info->bsp, sizeof(info->bsp), o, "bsp");
	copy_str(info->doca, sizeof(info->doca), o, "doca");
	copy_str(info->board_id, sizeof(info->board_id), o, "board-id");
	json_object_put(o);
	return 0;
}

static int sim_counter_root(struct dpu_dev *dev, char *buf, size_t size)
{
	struct json_object *o;
	int rc = sim_call_cmd(sim_cast(dev), "info", "info", &o);

	if (rc < 0) {
		return rc;
	}
	copy_str(buf, size, o, "sysfs-root");
	json_object_put(o);
	return buf[0] ? 0 : -EIO;
}

static int kind_index(const char *text, const char *const names[], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(text, names[i]) == 0) {
			return (int)i;
		}
	}
	return 0;
}

static int sim_port_list(struct dpu_dev *dev, struct dpu_port_info *ports, size_t max)
{
	static const char *const kinds[] = {"uplink", "pf", "vf", "sf"};
	struct json_object *a, *v;
	size_t n;
	int rc = sim_call_cmd(sim_cast(dev), "ports", "ports", &a);

	if (rc < 0) {
		return rc;
	}
	n = json_object_array_length(a);
	for (size_t i = 0; i < n && i < max; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		struct dpu_port_info *p = &ports[i];
		char text[32];
		unsigned int m[6] = {0};

		memset(p, 0, sizeof(*p));
		copy_str(p->name, sizeof(p->name), o, "name");
		copy_str(text, sizeof(text), o, "kind");
		int k = kind_index(text, kinds, ARRAY_SIZE(kinds));

		p->kind = (enum dpu_port_kind)k;
		copy_str(text, sizeof(text), o, "mac");
		sscanf(text, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
		for (int b = 0; b < 6; b++) {
			p->mac[b] = (uint8_t)m[b];
		}
		copy_str(p->pci, sizeof(p->pci), o, "pci");
		copy_str(p->ibdev, sizeof(p->ibdev), o, "ibdev");
		if (json_object_object_get_ex(o, "speed", &v)) {
			p->speed_mbps = (uint32_t)json_object_get_int64(v);
		}
		p->link_up = json_object_object_get_ex(o, "link", &v) && json_object_get_boolean(v);
	}
	json_object_put(a);
	return (int)n;
}

static int sim_sensor_list(struct dpu_dev *dev, struct dpu_sensor_info *sensors, size_t max)
{
	static const char *const kinds[] = {"temperature", "power"};
	struct json_object *a, *v;
	size_t n;
	int rc = sim_call_cmd(sim_cast(dev), "sensors", "sensors", &a);

	if (rc < 0) {
		return rc;
	}
	n = json_object_array_length(a);
	for (size_t i = 0; i < n && i < max; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		struct dpu_sensor_info *s = &sensors[i];
		char text[32];

		memset(s, 0, sizeof(*s));
		copy_str(s->name, sizeof(s->name), o, "name");
		copy_str(text, sizeof(text), o, "kind");
		int k = kind_index(text, kinds, ARRAY_SIZE(kinds));

		s->kind = (enum dpu_sensor_kind)k;
		s->value =
			json_object_object_get_ex(o, "value", &v) ? json_object_get_double(v) : NAN;
		s->warn = json_object_object_get_ex(o, "warn", &v) ? json_object_get_double(v)
								   : INFINITY;
		s->crit = json_object_object_get_ex(o, "crit", &v) ? json_object_get_double(v)
								   : INFINITY;
	}
	json_object_put(a);
	return (int)n;
}

static uint64_t get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

static int sim_port_stats(struct dpu_dev *dev, const char *name, struct dpu_port_stats *st)
{
	struct json_object *a;
	int rc = sim_call_cmd(sim_cast(dev), "counters", "counters", &a);

	if (rc < 0) {
		return rc;
	}
	rc = -ENODEV;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		char port[DPU_HAL_STR];

		copy_str(port, sizeof(port), o, "port");
		if (strcmp(port, name) != 0) {
			continue;
		}
		st->rx_packets = get_u64(o, "rx_packets");
		st->rx_bytes = get_u64(o, "rx_bytes");
		st->rx_dropped = get_u64(o, "rx_dropped");
		st->rx_errors = get_u64(o, "rx_errors");
		st->tx_packets = get_u64(o, "tx_packets");
		st->tx_bytes = get_u64(o, "tx_bytes");
		st->tx_dropped = get_u64(o, "tx_dropped");
		rc = 0;
		break;
	}
	json_object_put(a);
	return rc;
}

int dpu_sim_replay_start(struct dpu_dev *dev, const struct dpu_sim_replay *r, char *why,
			 size_t why_size)
{
	struct json_object *req;
	int rc;

	if (dev == NULL || r == NULL || r->file == NULL || r->port == NULL) {
		return -EINVAL;
	}
	if (dev->class != &dpu_hal_sim_class) {
		return -EOPNOTSUPP;
	}
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("replay"));
	json_object_object_add(req, "file", json_object_new_string(r->file));
	json_object_object_add(req, "port", json_object_new_string(r->port));
	json_object_object_add(req, "speed", json_object_new_double(r->speed));
	json_object_object_add(req, "pps", json_object_new_int64((int64_t)r->pps));
	json_object_object_add(req, "loops", json_object_new_int64((int64_t)r->loops));
	rc = sim_call_why(sim_cast(dev), req, NULL, NULL, why, why_size);
	json_object_put(req);
	return rc;
}

int dpu_sim_replay_status(struct dpu_dev *dev, struct dpu_sim_replay_status *st)
{
	static const char *const states[] = {"idle", "running", "done", "failed"};
	struct json_object *o, *v;
	char state[16];
	int rc;

	if (dev == NULL || st == NULL) {
		return -EINVAL;
	}
	if (dev->class != &dpu_hal_sim_class) {
		return -EOPNOTSUPP;
	}
	rc = sim_call_cmd(sim_cast(dev), "replay-status", "replay", &o);
	if (rc < 0) {
		return rc;
	}
	memset(st, 0, sizeof(*st));
	copy_str(state, sizeof(state), o, "state");
	int k = kind_index(state, states, ARRAY_SIZE(states));

	st->state = (enum dpu_sim_replay_state)k;
	st->packets = get_u64(o, "packets");
	st->bytes = get_u64(o, "bytes");
	st->loops_done = get_u64(o, "loops_done");
	st->loops = get_u64(o, "loops");
	st->progress = json_object_object_get_ex(o, "progress", &v) ? json_object_get_double(v) : 0;
	copy_str(st->error, sizeof(st->error), o, "error");
	json_object_put(o);
	return 0;
}

static struct json_object *flow_req(const char *cmd, const char *domain, const char *pipe);

int dpu_sim_pipes(struct dpu_dev *dev, const char *domain, struct dpu_sim_pipe *pipes, size_t max)
{
	struct json_object *a, *v, *req;
	size_t n;
	int rc;

	if (dev == NULL || (pipes == NULL && max > 0)) {
		return -EINVAL;
	}
	if (dev->class != &dpu_hal_sim_class) {
		return -EOPNOTSUPP;
	}
	req = flow_req("pipes", domain, NULL);
	rc = sim_call(sim_cast(dev), req, "pipes", &a);
	json_object_put(req);
	if (rc < 0) {
		return rc;
	}
	n = json_object_array_length(a);
	for (size_t i = 0; i < n && i < max; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		struct dpu_sim_pipe *p = &pipes[i];

		memset(p, 0, sizeof(*p));
		copy_str(p->name, sizeof(p->name), o, "name");
		copy_str(p->kind, sizeof(p->kind), o, "kind");
		p->root = json_object_object_get_ex(o, "root", &v) && json_object_get_boolean(v);
		p->entries = get_u64(o, "entries");
		p->max_entries = get_u64(o, "max_entries");
		p->hit_packets = get_u64(o, "hit_packets");
		p->hit_bytes = get_u64(o, "hit_bytes");
		p->miss_packets = get_u64(o, "miss_packets");
		p->miss_bytes = get_u64(o, "miss_bytes");
	}
	json_object_put(a);
	return (int)n;
}

int dpu_sim_replay_stop(struct dpu_dev *dev)
{
	if (dev == NULL) {
		return -EINVAL;
	}
	if (dev->class != &dpu_hal_sim_class) {
		return -EOPNOTSUPP;
	}
	return sim_call_cmd(sim_cast(dev), "replay-stop", NULL, NULL);
}

int dpu_sim_request(struct dpu_dev *dev, const char *request, char **reply)
{
	struct json_object *rep = NULL;
	int rc;

	if (dev == NULL || request == NULL || reply == NULL) {
		return -EINVAL;
	}
	if (dev->class != &dpu_hal_sim_class) {
		return -EOPNOTSUPP;
	}
	if (strchr(request, '\n') != NULL) {
		return -EINVAL; /* one line is one request */
	}
	dev->last_error[0] = '\0';
	rc = sim_call_text(sim_cast(dev), request, strlen(request), NULL, &rep, NULL, 0);
	if (rc < 0) {
		return rc;
	}
	*reply = strdup(json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
	json_object_put(rep);
	return *reply != NULL ? 0 : -ENOMEM;
}

static int sim_nv_list(struct dpu_dev *dev, struct dpu_nv_param *params, size_t max)
{
	struct json_object *a;
	size_t n;
	int rc = sim_call_cmd(sim_cast(dev), "nv-get", "nvconfig", &a);

	if (rc < 0) {
		return rc;
	}
	n = json_object_array_length(a);
	for (size_t i = 0; i < n && i < max; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);

		copy_str(params[i].name, sizeof(params[i].name), o, "name");
		copy_str(params[i].current, sizeof(params[i].current), o, "current");
		copy_str(params[i].next, sizeof(params[i].next), o, "next");
	}
	json_object_put(a);
	return (int)n;
}

static int sim_nv_set(struct dpu_dev *dev, const char *name, const char *value)
{
	struct json_object *req = json_object_new_object();
	int rc;

	json_object_object_add(req, "cmd", json_object_new_string("nv-set"));
	json_object_object_add(req, "name", json_object_new_string(name));
	json_object_object_add(req, "value", json_object_new_string(value));
	rc = sim_call(sim_cast(dev), req, NULL, NULL);
	json_object_put(req);
	return rc;
}

/* ---- steering: dpu/hal-flow.h as dpu-simd's requests (sim/simd/flow.h) ---- */

static const char *const match_names[DPU_MATCH_FIELDS] = {
	"in_port",	  "eth_type",	  "vlan",	    "src_mac",	      "dst_mac",
	"ip_version",	  "ip_proto",	  "src_ip",	    "dst_ip",	      "src_port",
	"dst_port",	  "vni",	  "inner_eth_type", "inner_src_mac",  "inner_dst_mac",
	"inner_ip_proto", "inner_src_ip", "inner_dst_ip",   "inner_src_port", "inner_dst_port",
};

static struct json_object *flow_req(const char *cmd, const char *domain, const char *pipe)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if (domain != NULL) {
		json_object_object_add(req, "domain", json_object_new_string(domain));
	}
	if (pipe != NULL) {
		json_object_object_add(req, "pipe", json_object_new_string(pipe));
	}
	return req;
}

static struct json_object *json_mac(const uint8_t *m)
{
	char buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	return json_object_new_string(buf);
}

static struct json_object *json_prefix(const uint8_t *addr, uint8_t ver, uint8_t len)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t n;

	if (inet_ntop(ver == 6 ? AF_INET6 : AF_INET, addr, buf, INET6_ADDRSTRLEN) == NULL) {
		buf[0] = '\0';
	}
	n = strlen(buf);
	if (len != 0) {
		snprintf(buf + n, sizeof(buf) - n, "/%u", len);
	}
	return json_object_new_string(buf);
}

static struct json_object *json_range(uint16_t lo, uint16_t hi)
{
	char buf[16];

	if (hi <= lo) {
		return json_object_new_int(lo);
	}
	snprintf(buf, sizeof(buf), "%u-%u", lo, hi);
	return json_object_new_string(buf);
}

static struct json_object *json_match(const struct dpu_match *m)
{
	struct json_object *o = json_object_new_object();
	uint8_t ver = m->ip_version == 6 ? 6 : 4, iver = m->inner.ip_version == 6 ? 6 : 4;

	for (unsigned int bit = 0; bit < DPU_MATCH_FIELDS; bit++) {
		struct json_object *v = NULL;

		switch (m->fields & (1u << bit)) {
		case DPU_MATCH_IN_PORT:
			v = json_object_new_string(m->in_port);
			break;
		case DPU_MATCH_ETH_TYPE:
			v = json_object_new_int(m->eth_type);
			break;
		case DPU_MATCH_VLAN:
			v = json_object_new_int(m->vlan);
			break;
		case DPU_MATCH_SRC_MAC:
			v = json_mac(m->src_mac);
			break;
		case DPU_MATCH_DST_MAC:
			v = json_mac(m->dst_mac);
			break;
		case DPU_MATCH_IP_VERSION:
			v = json_object_new_int(m->ip_version);
			break;
		case DPU_MATCH_IP_PROTO:
			v = json_object_new_int(m->ip_proto);
			break;
		case DPU_MATCH_SRC_IP:
			v = json_prefix(m->src_ip, ver, m->src_len);
			break;
		case DPU_MATCH_DST_IP:
			v = json_prefix(m->dst_ip, ver, m->dst_len);
			break;
		case DPU_MATCH_SRC_PORT:
			v = json_range(m->sport_lo, m->sport_hi);
			break;
		case DPU_MATCH_DST_PORT:
			v = json_range(m->dport_lo, m->dport_hi);
			break;
		case DPU_MATCH_VNI:
			v = json_object_new_int64(m->vni);
			break;
		case DPU_MATCH_INNER_ETH_TYPE:
			v = json_object_new_int(m->inner.eth_type);
			break;
		case DPU_MATCH_INNER_SRC_MAC:
			v = json_mac(m->inner.src_mac);
			break;
		case DPU_MATCH_INNER_DST_MAC:
			v = json_mac(m->inner.dst_mac);
			break;
		case DPU_MATCH_INNER_IP_PROTO:
			v = json_object_new_int(m->inner.ip_proto);
			break;
		case DPU_MATCH_INNER_SRC_IP:
			v = json_prefix(m->inner.src_ip, iver, 0);
			break;
		case DPU_MATCH_INNER_DST_IP:
			v = json_prefix(m->inner.dst_ip, iver, 0);
			break;
		case DPU_MATCH_INNER_SRC_PORT:
			v = json_object_new_int(m->inner.sport);
			break;
		case DPU_MATCH_INNER_DST_PORT:
			v = json_object_new_int(m->inner.dport);
			break;
		default:
			break;
		}
		if (v != NULL) {
			json_object_object_add(o, match_names[bit], v);
		}
	}
	return o;
}

static struct json_object *json_actions(const struct dpu_actions *a)
{
	static const char *const fates[] = {"drop", "port", "pipe", "deliver"};
	struct json_object *o = json_object_new_object();

	json_object_object_add(
		o, "fate",
		json_object_new_string((size_t)a->fate < 4 ? fates[a->fate] : "invalid"));
	if (a->fate == DPU_FATE_PORT) {
		json_object_object_add(o, "port", json_object_new_string(a->port));
	} else if (a->fate == DPU_FATE_PIPE) {
		json_object_object_add(o, "pipe", json_object_new_string(a->pipe));
	}
	if (a->set_mark) {
		json_object_object_add(o, "mark", json_object_new_int64(a->mark));
	}
	if (a->mirror[0] != '\0') {
		json_object_object_add(o, "mirror", json_object_new_string(a->mirror));
	}
	if (a->meter != 0) {
		json_object_object_add(o, "meter", json_object_new_int64(a->meter));
	}
	if (a->set_queue) {
		json_object_object_add(o, "queue", json_object_new_int(a->queue));
	}
	if (a->decap) {
		json_object_object_add(o, "decap", json_object_new_boolean(true));
	}
	if (a->set != 0) {
		struct json_object *set = json_object_new_object();
		uint8_t ver = a->set_ip_version == 6 ? 6 : 4;

		if (a->set & DPU_SET_SRC_MAC) {
			json_object_object_add(set, "src_mac", json_mac(a->set_src_mac));
		}
		if (a->set & DPU_SET_DST_MAC) {
			json_object_object_add(set, "dst_mac", json_mac(a->set_dst_mac));
		}
		if (a->set & DPU_SET_SRC_IP) {
			json_object_object_add(set, "src_ip", json_prefix(a->set_src_ip, ver, 0));
		}
		if (a->set & DPU_SET_DST_IP) {
			json_object_object_add(set, "dst_ip", json_prefix(a->set_dst_ip, ver, 0));
		}
		if (a->set & DPU_SET_SRC_PORT) {
			json_object_object_add(set, "src_port",
					       json_object_new_int(a->set_src_port));
		}
		if (a->set & DPU_SET_DST_PORT) {
			json_object_object_add(set, "dst_port",
					       json_object_new_int(a->set_dst_port));
		}
		json_object_object_add(o, "set", set);
	}
	if (a->dec_ttl) {
		json_object_object_add(o, "dec_ttl", json_object_new_boolean(true));
	}
	if (a->encap) {
		const struct dpu_vxlan_encap *v = &a->vxlan;
		struct json_object *e = json_object_new_object();
		uint8_t ver = v->ip_version == 6 ? 6 : 4;

		json_object_object_add(e, "src_mac", json_mac(v->src_mac));
		json_object_object_add(e, "dst_mac", json_mac(v->dst_mac));
		json_object_object_add(e, "src_ip", json_prefix(v->src_ip, ver, 0));
		json_object_object_add(e, "dst_ip", json_prefix(v->dst_ip, ver, 0));
		json_object_object_add(e, "vni", json_object_new_int64(v->vni));
		if (v->ttl != 0) {
			json_object_object_add(e, "ttl", json_object_new_int(v->ttl));
		}
		if (v->udp_dport != 0) {
			json_object_object_add(e, "udp_dport", json_object_new_int(v->udp_dport));
		}
		json_object_object_add(o, "encap", e);
	}
	return o;
}

static int sim_pipe_create(struct dpu_dev *dev, const struct dpu_pipe_attr *attr)
{
	static const char *const kinds[] = {"exact", "acl", "lpm"};
	struct json_object *req = flow_req("pipe-create", attr->domain, NULL);
	int rc;

	json_object_object_add(req, "name", json_object_new_string(attr->name));
	json_object_object_add(req, "kind", json_object_new_string(kinds[attr->kind]));
	if (attr->match_fields != 0) {
		struct json_object *f = json_object_new_array();

		for (unsigned int bit = 0; bit < DPU_MATCH_FIELDS; bit++) {
			if (attr->match_fields & (1u << bit)) {
				json_object_array_add(f, json_object_new_string(match_names[bit]));
			}
		}
		json_object_object_add(req, "match", f);
	}
	if (attr->max_entries != 0) {
		json_object_object_add(req, "max_entries",
				       json_object_new_int64(attr->max_entries));
	}
	json_object_object_add(req, "root", json_object_new_boolean(attr->root));
	if (attr->miss != NULL) {
		json_object_object_add(req, "miss", json_actions(attr->miss));
	}
	rc = sim_call(sim_cast(dev), req, NULL, NULL);
	json_object_put(req);
	return rc;
}

static int sim_entry_add(struct dpu_dev *dev, const char *domain, const char *pipe,
			 uint32_t priority, const struct dpu_match *match,
			 const struct dpu_actions *actions, uint32_t *entry)
{
	struct json_object *req = flow_req("entry-add", domain, pipe), *id = NULL;
	int rc;

	json_object_object_add(req, "priority", json_object_new_int64(priority));
	json_object_object_add(req, "match", json_match(match));
	json_object_object_add(req, "actions", json_actions(actions));
	rc = sim_call(sim_cast(dev), req, "entry", &id);
	if (rc == 0) {
		*entry = (uint32_t)json_object_get_int64(id);
	}
	json_object_put(id);
	json_object_put(req);
	return rc;
}

/*
 * One entry's result in a batch's reply: 0 for a number (its id), else the
 * error's negative errno, its message into 'first' if that is still empty.
 */
static int batch_rc(struct json_object *o, char *first, size_t size)
{
	struct json_object *v;
	int err = EIO;

	if (json_object_is_type(o, json_type_int)) {
		return 0;
	}
	if (json_object_object_get_ex(o, "errno", &v) && json_object_get_int(v) > 0) {
		err = json_object_get_int(v);
	}
	if (first[0] == '\0' && json_object_object_get_ex(o, "error", &v)) {
		dpu_strscpy(first, json_object_get_string(v), size);
	}
	return -err;
}

/* An entry's actions: one set, or a list (an ECMP group). */
static struct json_object *json_action_list(const struct dpu_actions *acts, unsigned int n)
{
	struct json_object *a;

	if (n <= 1) {
		return json_actions(acts);
	}
	a = json_object_new_array_ext((int)n);
	for (unsigned int i = 0; i < n; i++) {
		json_object_array_add(a, json_actions(&acts[i]));
	}
	return a;
}

/* A batch entry as entries-add takes it. */
static struct json_object *json_entry(const struct dpu_entry_spec *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "priority", json_object_new_int64(e->priority));
	json_object_object_add(o, "match", json_match(e->match));
	json_object_object_add(o, "actions", json_action_list(e->actions, e->n_actions));
	return o;
}

/*
 * Entries-add requests of up to SIM_MAX_BATCH bytes each, their text put
 * together from each entry's. Each request goes out before the reply to
 * the one before is read, so that this side puts the next together while
 * dpu-simd adds the last. A request refused whole (no such pipe) fails its
 * entries and those not yet sent.
 */
static int sim_entries_add(struct dpu_dev *dev, const char *domain, const char *pipe,
			   const struct dpu_entry_spec *specs, size_t n, uint32_t *entries,
			   int *rcs)
{
	struct hal_sim *h = sim_cast(dev);
	struct json_object *head = flow_req("entries-add", domain, pipe);
	char first[sizeof(dev->last_error)] = "", *text = malloc(SIM_MAX_BATCH);
	size_t head_len, i = 0, fly_start = 0, fly_end = 0;
	const char *head_text;
	bool in_flight = false;
	int added = 0, refused = 0; /* the first request's error, when it was refused whole */

	/* {"cmd": ..., "pipe": ...} less its closing brace, then "entries": [ */
	head_text = json_object_to_json_string_length(head, JSON_C_TO_STRING_PLAIN, &head_len);
	if (text == NULL || head_len + 16 > SIM_MAX_BATCH / 2) {
		free(text);
		json_object_put(head);
		return -ENOMEM;
	}
	memcpy(text, head_text, head_len - 1);
	memcpy(text + head_len - 1, ",\"entries\":[", 12);
	head_len += 11;
	json_object_put(head);
	while (i < n || in_flight) {
		struct json_object *res = NULL;
		size_t start = i, len = head_len;
		bool too_big = false, sent = false;
		int rc;

		for (; i < n; i++) {
			struct json_object *o = json_entry(&specs[i]);
			size_t olen;
			const char *s =
				json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &olen);

			if (len + olen + 3 > SIM_MAX_BATCH) {
				json_object_put(o);
				too_big = i == start; /* alone too big for a request */
				break;
			}
			if (i > start) {
				text[len++] = ',';
			}
			memcpy(text + len, s, olen);
			len += olen;
			json_object_put(o);
		}
		if (too_big) {
			rcs[i++] = -E2BIG;
			if (first[0] == '\0') {
				snprintf(first, sizeof(first),
					 "%s: entry %zu: too big for a request", pipe, start);
			}
		} else if (i > start) {
			memcpy(text + len, "]}", 2);
			rc = sim_send_text(h, text, len + 2);
			if (rc < 0) { /* the stream is gone: the one in flight too */
				for (size_t j = in_flight ? fly_start : start; j < n; j++) {
					rcs[j] = rc;
				}
				refused = fly_start == 0 || start == 0 ? rc : refused;
				break;
			}
			sent = true;
		}
		if (in_flight) {
			rc = sim_recv_reply(h, "results", &res, NULL, 0);
			if (rc < 0) {
				/* Refused whole: nothing more goes; one sent after it still
				 * answers. */
				for (size_t j = fly_start; j < fly_end; j++) {
					rcs[j] = rc;
				}
				for (size_t j = i; j < n; j++) {
					rcs[j] = rc;
				}
				refused = fly_start == 0 ? rc : refused;
				if (first[0] == '\0' && h->fd >= 0) { /* dpu-simd's reason */
					dpu_strscpy(first, dev->last_error, sizeof(first));
				}
				n = i;
			} else {
				for (size_t j = fly_start; j < fly_end; j++) {
					struct json_object *o =
						json_object_array_get_idx(res, j - fly_start);

					rcs[j] = batch_rc(o, first, sizeof(first));
					if (rcs[j] == 0) {
						entries[j] = (uint32_t)json_object_get_int64(
							o); /* its id */
						added++;
					}
				}
				json_object_put(res);
			}
		}
		in_flight = sent;
		fly_start = start;
		fly_end = i;
	}
	free(text);
	if (refused < 0 && added == 0) {
		return refused; /* none could be tried; its reason is dev->last_error */
	}
	dpu_strscpy(dev->last_error, first, sizeof(dev->last_error));
	return added;
}

/* Entries-del requests of up to SIM_DEL_BATCH ids each (well under 64 KiB). */
#define SIM_DEL_BATCH 4096

static int sim_entries_del(struct dpu_dev *dev, const char *domain, const char *pipe,
			   const uint32_t *entries, size_t n, int *rcs)
{
	char first[sizeof(dev->last_error)] = "";
	int removed = 0;

	for (size_t at = 0; at < n; at += SIM_DEL_BATCH) {
		struct json_object *req = flow_req("entries-del", domain, pipe), *res = NULL;
		struct json_object *ids = json_object_new_array();
		size_t m = DPU_MIN(n - at, (size_t)SIM_DEL_BATCH);
		int rc;

		for (size_t i = 0; i < m; i++) {
			json_object_array_add(ids, json_object_new_int64(entries[at + i]));
		}
		json_object_object_add(req, "entries", ids);
		rc = sim_call(sim_cast(dev), req, "results", &res);
		json_object_put(req);
		if (rc < 0) {
			if (at == 0) {
				return rc; /* nothing tried */
			}
			for (size_t j = at; j < n; j++) {
				rcs[j] = rc;
			}
			if (first[0] == '\0') { /* the request's reason stays */
				return removed;
			}
			break;
		}
		for (size_t i = 0; i < m; i++) {
			rcs[at + i] =
				batch_rc(json_object_array_get_idx(res, i), first, sizeof(first));
			removed += rcs[at + i] == 0;
		}
		json_object_put(res);
	}
	dpu_strscpy(dev->last_error, first, sizeof(dev->last_error));
	return removed;
}

static int sim_entry_del(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t entry)
{
	struct json_object *req = flow_req("entry-del", domain, pipe);
	int rc;

	json_object_object_add(req, "entry", json_object_new_int64(entry));
	rc = sim_call(sim_cast(dev), req, NULL, NULL);
	json_object_put(req);
	return rc;
}

static int sim_entry_stats(struct dpu_dev *dev, const char *domain, const char *pipe,
			   uint32_t entry, uint64_t *packets, uint64_t *bytes)
{
	struct json_object *req = flow_req("entries", domain, pipe), *a = NULL;
	int rc;

	json_object_object_add(req, "entry", json_object_new_int64(entry));
	rc = sim_call(sim_cast(dev), req, "entries", &a);
	json_object_put(req);
	if (rc < 0) {
		return rc;
	}
	rc = -ENOENT;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *o = json_object_array_get_idx(a, i);

		if (get_u64(o, "entry") == entry) {
			*packets = get_u64(o, "packets");
			*bytes = get_u64(o, "bytes");
			rc = 0;
			break;
		}
	}
	json_object_put(a);
	return rc;
}

int dpu_sim_entries(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t *from,
		    struct dpu_sim_entry *entries, size_t max)
{
	struct json_object *req, *a = NULL, *v;
	size_t n;
	int rc;

	if (dev == NULL || pipe == NULL || from == NULL || entries == NULL || max == 0 ||
	    max > INT32_MAX) {
		return -EINVAL;
	}
	if (dev->class != &dpu_hal_sim_class) {
		return -EOPNOTSUPP;
	}
	req = flow_req("entries", domain, pipe);
	json_object_object_add(req, "from", json_object_new_int64(*from));
	json_object_object_add(req, "max", json_object_new_int64((int64_t)max));
	rc = sim_call(sim_cast(dev), req, "entries", &a);
	json_object_put(req);
	if (rc < 0) {
		return rc;
	}
	n = DPU_MIN(json_object_array_length(a), max);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		struct dpu_sim_entry *e = &entries[i];

		memset(e, 0, sizeof(*e));
		e->id = (uint32_t)get_u64(o, "entry");
		e->priority = (uint32_t)get_u64(o, "priority");
		e->packets = get_u64(o, "packets");
		e->bytes = get_u64(o, "bytes");
		e->match = strdup(json_object_object_get_ex(o, "match", &v)
					  ? json_object_to_json_string_ext(
						    v, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE)
					  : "null");
		e->actions = strdup(json_object_object_get_ex(o, "actions", &v)
					    ? json_object_to_json_string_ext(
						      v, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE)
					    : "null");
		if (e->match == NULL || e->actions == NULL) {
			dpu_sim_entries_free(entries, i + 1);
			json_object_put(a);
			return -ENOMEM;
		}
		*from = e->id + 1;
	}
	json_object_put(a);
	return (int)n;
}

void dpu_sim_entries_free(struct dpu_sim_entry *entries, size_t n)
{
	for (size_t i = 0; entries != NULL && i < n; i++) {
		free(entries[i].match);
		free(entries[i].actions);
		entries[i].match = entries[i].actions = NULL;
	}
}

static int sim_entry_update(struct dpu_dev *dev, const char *domain, const char *pipe,
			    uint32_t entry, const struct dpu_actions *actions,
			    unsigned int n_actions)
{
	struct json_object *req = flow_req("entry-update", domain, pipe);
	int rc;

	json_object_object_add(req, "entry", json_object_new_int64(entry));
	json_object_object_add(req, "actions", json_action_list(actions, n_actions));
	rc = sim_call(sim_cast(dev), req, NULL, NULL);
	json_object_put(req);
	return rc;
}

static int sim_pipe_destroy(struct dpu_dev *dev, const char *domain, const char *pipe)
{
	struct json_object *req = flow_req("pipe-destroy", domain, pipe);
	int rc = sim_call(sim_cast(dev), req, NULL, NULL);

	json_object_put(req);
	return rc;
}

static int sim_flow_flush(struct dpu_dev *dev, const char *domain)
{
	struct json_object *req = flow_req("flush", domain, NULL);
	int rc = sim_call(sim_cast(dev), req, NULL, NULL);

	json_object_put(req);
	return rc;
}

static int sim_meter_create(struct dpu_dev *dev, const char *domain, uint64_t cir, uint64_t cbs,
			    uint64_t ebs, uint32_t *id)
{
	struct json_object *req = flow_req("meter-create", domain, NULL), *v = NULL;
	int rc;

	json_object_object_add(req, "cir", json_object_new_uint64(cir));
	json_object_object_add(req, "cbs", json_object_new_uint64(cbs));
	json_object_object_add(req, "ebs", json_object_new_uint64(ebs));
	rc = sim_call(sim_cast(dev), req, "meter", &v);
	if (rc == 0) {
		*id = (uint32_t)json_object_get_uint64(v);
	}
	json_object_put(v);
	json_object_put(req);
	return rc;
}

static int sim_meter_stats(struct dpu_dev *dev, const char *domain, uint32_t id,
			   uint64_t packets[3], uint64_t bytes[3])
{
	static const char *const colors[] = {"green", "yellow", "red"};
	struct json_object *req = flow_req("meters", domain, NULL), *a = NULL;
	int rc;

	rc = sim_call(sim_cast(dev), req, "meters", &a);
	json_object_put(req);
	if (rc < 0) {
		return rc;
	}
	rc = -ENOENT;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *o = json_object_array_get_idx(a, i);

		if (get_u64(o, "meter") != id) {
			continue;
		}
		for (int c = 0; c < 3; c++) {
			char name[32];

			snprintf(name, sizeof(name), "%s_packets", colors[c]);
			packets[c] = get_u64(o, name);
			snprintf(name, sizeof(name), "%s_bytes", colors[c]);
			bytes[c] = get_u64(o, name);
		}
		rc = 0;
		break;
	}
	json_object_put(a);
	return rc;
}

static int sim_phc_read(struct dpu_dev *dev, struct dpu_phc_state *st)
{
	struct json_object *o, *v;
	int rc = sim_call_cmd(sim_cast(dev), "clock", "clock", &o);

	if (rc < 0) {
		return rc;
	}
	st->phc_ns = json_object_object_get_ex(o, "phc_ns", &v) ? json_object_get_int64(v) : 0;
	st->sys_ns = json_object_object_get_ex(o, "sys_ns", &v) ? json_object_get_int64(v) : 0;
	st->freq_ppb = json_object_object_get_ex(o, "freq_ppb", &v) ? json_object_get_double(v) : 0;
	st->drift_ppb =
		json_object_object_get_ex(o, "drift_ppb", &v) ? json_object_get_double(v) : 0;
	st->max_adj_ppb =
		json_object_object_get_ex(o, "max_adj_ppb", &v) ? json_object_get_double(v) : 0;
	json_object_put(o);
	return 0;
}

static int clock_adjust(struct dpu_dev *dev, const char *key, struct json_object *val)
{
	struct json_object *req = json_object_new_object();
	int rc;

	json_object_object_add(req, "cmd", json_object_new_string("clock-adjust"));
	json_object_object_add(req, key, val);
	rc = sim_call(sim_cast(dev), req, NULL, NULL);
	json_object_put(req);
	return rc;
}

static int sim_phc_settime(struct dpu_dev *dev, int64_t phc_ns)
{
	return clock_adjust(dev, "set_ns", json_object_new_int64(phc_ns));
}

static int sim_phc_step(struct dpu_dev *dev, int64_t delta_ns)
{
	return clock_adjust(dev, "step_ns", json_object_new_int64(delta_ns));
}

static int sim_phc_adjfreq(struct dpu_dev *dev, double ppb)
{
	return clock_adjust(dev, "freq_ppb", json_object_new_double(ppb));
}

int dpu_sim_phc_set_drift(struct dpu_dev *dev, double ppb)
{
	if (dev == NULL || !isfinite(ppb)) {
		return -EINVAL;
	}
	if (dev->class != &dpu_hal_sim_class) {
		return -EOPNOTSUPP;
	}
	return clock_adjust(dev, "drift_ppb", json_object_new_double(ppb));
}

/* A service port is a memif interface: dpu-simd serves, this process is the client. */
static int sim_port_attach(struct dpu_dev *dev, const char *port, struct dpu_hal_attach *at)
{
	struct json_object *req = flow_req("port-attach", NULL, NULL), *o = NULL;
	char sock[128];
	int rc, n;

	json_object_object_add(req, "port", json_object_new_string(port));
	json_object_object_add(req, "queues", json_object_new_int(at->queues ? at->queues : 1));
	rc = sim_call(sim_cast(dev), req, "attach", &o);
	json_object_put(req);
	if (rc < 0) {
		return rc;
	}
	copy_str(sock, sizeof(sock), o, "socket");
	json_object_put(o);
	dpu_strscpy(at->bus, "vdev", sizeof(at->bus));
	n = snprintf(at->name, sizeof(at->name), "net_memif_%s", port);
	if (n < 0 || (size_t)n >= sizeof(at->name)) {
		return -ENAMETOOLONG;
	}
	n = snprintf(at->args, sizeof(at->args), "role=client,id=0,socket=%s,socket-abstract=no",
		     sock);
	if (n < 0 || (size_t)n >= sizeof(at->args)) {
		return -ENAMETOOLONG;
	}
	at->meta_header = true;
	return 0;
}

static struct json_object *hex_string(const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *text = malloc(2 * len + 1);
	struct json_object *o;

	if (text == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		text[2 * i] = hex[p[i] >> 4];
		text[2 * i + 1] = hex[p[i] & 15];
	}
	text[2 * len] = '\0';
	o = json_object_new_string(text);
	free(text);
	return o;
}

/* The reply's hex string 'o' into 'out' of exactly 'len' bytes; -EIO when it is not that. */
static int hex_bytes(struct json_object *o, uint8_t *out, size_t len)
{
	const char *ans = json_object_get_string(o);

	if (ans == NULL || strlen(ans) != 2 * len) {
		return -EIO;
	}
	for (size_t i = 0; i < len; i++) {
		int hi = dpu_hexval(ans[2 * i]), lo = dpu_hexval(ans[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			return -EIO;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* A register through dpu-simd's model: {"cmd": "reg", "id", "write", "data": hex}. */
static int sim_reg_access(struct dpu_dev *dev, uint16_t reg_id, bool write, void *data, size_t len)
{
	struct json_object *req = json_object_new_object(), *o = NULL;
	int rc;

	json_object_object_add(req, "cmd", json_object_new_string("reg"));
	json_object_object_add(req, "id", json_object_new_int(reg_id));
	json_object_object_add(req, "write", json_object_new_boolean(write));
	json_object_object_add(req, "data", hex_string(data, len));
	rc = sim_call(sim_cast(dev), req, "reg", &o);
	json_object_put(req);
	if (rc == 0) {
		rc = hex_bytes(o, data, len);
	}
	json_object_put(o);
	return rc;
}

/* A firmware command to dpu-simd's models: {"cmd": "mlx5-cmd", "in": hex, "out_len"}. */
static int sim_cmd(struct dpu_dev *dev, const void *in, size_t in_len, void *out, size_t out_len)
{
	struct json_object *req = json_object_new_object(), *o = NULL;
	int rc;

	json_object_object_add(req, "cmd", json_object_new_string("mlx5-cmd"));
	json_object_object_add(req, "in", hex_string(in, in_len));
	json_object_object_add(req, "out_len", json_object_new_int((int)out_len));
	rc = sim_call(sim_cast(dev), req, "out", &o);
	json_object_put(req);
	if (rc == 0) {
		rc = hex_bytes(o, out, out_len);
	}
	json_object_put(o);
	return rc;
}

const struct dpu_hal_class dpu_hal_sim_class = {
	.scheme = "sim",
	.api_version = DPU_HAL_API_VERSION,
	.open = sim_open,
	.close = sim_close,
	.info = sim_info,
	.counter_root = sim_counter_root,
	.port_list = sim_port_list,
	.sensor_list = sim_sensor_list,
	.port_stats = sim_port_stats,
	.nv_list = sim_nv_list,
	.nv_set = sim_nv_set,
	.pipe_create = sim_pipe_create,
	.entry_add = sim_entry_add,
	.entries_add = sim_entries_add,
	.entries_del = sim_entries_del,
	.entry_del = sim_entry_del,
	.entry_stats = sim_entry_stats,
	.pipe_destroy = sim_pipe_destroy,
	.entry_update = sim_entry_update,
	.flow_flush = sim_flow_flush,
	.meter_create = sim_meter_create,
	.meter_stats = sim_meter_stats,
	.port_attach = sim_port_attach,
	.phc_read = sim_phc_read,
	.phc_settime = sim_phc_settime,
	.phc_step = sim_phc_step,
	.phc_adjfreq = sim_phc_adjfreq,
	.reg_access = sim_reg_access,
	.cmd = sim_cmd,
};
