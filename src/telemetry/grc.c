/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#define DPU_LOG_MODULE "dts-grc"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/util.h"
#include "telemetry/grc.h"

static const char *const kind_names[] = {"counter", "gauge", "summary", "histogram", "untyped"};

/* ------------------------------------------------------------ dpu-dpe */

/* ppcc_eth, hcaperf on the executer's device: registers and commands need the host's fwctl. */
static int run_device(const char *provider, const struct dts_config *cfg, struct dts_snapshot *snap,
		      struct dts_grc_exec *ex)
{
	static struct dpu_port_info ports[64];
	int n, rc;

	if (ex->dev == NULL) {
		rc = dpu_dev_open(ex->device, &ex->dev);
		if (rc < 0) {
			ex->dev = NULL;
			return rc;
		}
	}
	n = dpu_port_list(ex->dev, ports, ARRAY_SIZE(ports));
	if (n < 0) {
		dpu_dev_close(ex->dev); /* gone: opened again at the next request */
		ex->dev = NULL;
		return n;
	}
	if (strcmp(provider, "hcaperf") == 0) {
		return dts_hcaperf_collect(&ex->hcaperf, ex->dev, ports, (size_t)n, cfg, snap);
	}
	return dts_ppcc_collect(&ex->ppcc, ex->dev, ports, (size_t)n, cfg, snap);
}

int dts_grc_run(const char *provider, struct dts_snapshot *snap, struct dts_grc_exec *ex)
{
	struct dts_config cfg;
	struct dpu_cfg_err err;
	char text[128];

	if (provider == NULL ||
	    (strcmp(provider, "ifconfig") != 0 && strcmp(provider, "ethtool") != 0 &&
	     strcmp(provider, "tc") != 0 && strcmp(provider, "ppcc_eth") != 0 &&
	     strcmp(provider, "hcaperf") != 0)) {
		return -ENOENT;
	}
	snprintf(text, sizeof(text), "enable-provider=%s\n", provider);
	if (dts_config_load_string(text, "dpu-dpe", &cfg, &err) < 0) {
		return -ENOENT;
	}
	if (strcmp(provider, "ifconfig") == 0) {
		return dts_ifconfig_collect("/sys", &cfg, snap, &ex->sysfs);
	}
	if (strcmp(provider, "ethtool") == 0) {
		return dts_ethtool_collect(&cfg, snap, &ex->ethtool);
	}
	if (strcmp(provider, "ppcc_eth") == 0 || strcmp(provider, "hcaperf") == 0) {
		return run_device(provider, &cfg, snap, ex);
	}
	return dts_tc_collect(&cfg, snap, &ex->tc);
}

void dts_grc_exec_free(struct dts_grc_exec *ex)
{
	dpu_dev_close(ex->dev);
	ex->dev = NULL;
	dts_ppcc_free(ex->ppcc);
	ex->ppcc = NULL;
	dts_hcaperf_free(ex->hcaperf);
	ex->hcaperf = NULL;
}

static struct json_object *series_json(const struct dts_series *s)
{
	struct json_object *o = json_object_new_object(), *l = json_object_new_array();

	json_object_object_add(o, "family", json_object_new_string(s->family));
	json_object_object_add(o, "help", json_object_new_string(s->help));
	json_object_object_add(o, "kind", json_object_new_string(kind_names[s->kind]));
	for (unsigned int i = 0; i < s->n_labels; i++) {
		struct json_object *kv = json_object_new_array();

		json_object_array_add(kv, json_object_new_string(s->labels[i].key));
		json_object_array_add(kv, json_object_new_string(s->labels[i].value));
		json_object_array_add(l, kv);
	}
	json_object_object_add(o, "labels", l);
	if (s->kind == DTS_COUNTER && !s->fractional) {
		json_object_object_add(o, "value", json_object_new_uint64(s->u));
	} else {
		json_object_object_add(o, "value", json_object_new_double(s->d));
	}
	if (s->fractional) {
		json_object_object_add(o, "fractional", json_object_new_boolean(true));
	}
	if (s->suffix[0] != '\0') {
		json_object_object_add(o, "suffix", json_object_new_string(s->suffix));
	}
	json_object_object_add(o, "name", json_object_new_string(s->dts_name));
	json_object_object_add(o, "tag", json_object_new_string(s->tag));
	return o;
}

char *dts_grc_reply(const struct dts_snapshot *snap, int rc, size_t *len)
{
	struct json_object *o = json_object_new_object();
	const char *text;
	char *line = NULL;

	if (o == NULL) {
		return NULL;
	}
	json_object_object_add(o, "ok", json_object_new_boolean(rc == 0));
	if (rc == 0) {
		struct json_object *a = json_object_new_array_ext((int)snap->n);

		for (size_t i = 0; i < snap->n; i++) {
			json_object_array_add(a, series_json(&snap->s[i]));
		}
		json_object_object_add(o, "series", a);
	} else {
		json_object_object_add(
			o, "error",
			json_object_new_string(rc == -ENOENT ? "no such provider (dpu-dpe "
							       "runs " DTS_GRC_PROVIDERS ")"
							     : strerror(-rc)));
	}
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (text != NULL) {
		size_t n = strlen(text);

		line = malloc(n + 2);
		if (line != NULL) {
			memcpy(line, text, n);
			line[n] = '\n';
			line[n + 1] = '\0';
			*len = n + 1;
		}
	}
	json_object_put(o);
	return line;
}

/* ------------------------------------------------------------ dpu-telemetry */

static int bad(char *err, size_t size, int rc, const char *fmt, ...) DPU_PRINTF(4, 5);

static int bad(char *err, size_t size, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) {
		return NULL;
	}
	return json_object_get_string(v);
}

/* Series 'i' of the reply into 'snap'. */
static int decode_series(struct json_object *o, size_t i, struct dts_snapshot *snap, char *err,
			 size_t size)
{
	const char *family = str_of(o, "family"), *help = str_of(o, "help");
	const char *kind = str_of(o, "kind"), *name = str_of(o, "name"), *tag = str_of(o, "tag");
	const char *suffix = str_of(o, "suffix");
	struct json_object *labels, *value, *frac;
	struct dts_series *s;
	char gtag[sizeof(s->tag)];
	size_t k, n;

	if (family == NULL || help == NULL || kind == NULL || name == NULL || tag == NULL ||
	    !json_object_object_get_ex(o, "value", &value) ||
	    !json_object_object_get_ex(o, "labels", &labels) ||
	    !json_object_is_type(labels, json_type_array)) {
		return bad(err, size, -EPROTO,
			   "series[%zu]: family, help, kind, labels, value, name and tag needed",
			   i);
	}
	for (k = 0; k < ARRAY_SIZE(kind_names) && strcmp(kind, kind_names[k]) != 0; k++) {
	}
	if (k == ARRAY_SIZE(kind_names)) {
		return bad(err, size, -EPROTO, "series[%zu].kind: \"%.32s\" is not a kind", i,
			   kind);
	}
	if (!json_object_is_type(value, json_type_int) &&
	    !json_object_is_type(value, json_type_double)) {
		return bad(err, size, -EPROTO, "series[%zu].value: not a number", i);
	}
	n = json_object_array_length(labels);
	if (n > DTS_MAX_LABELS) {
		return bad(err, size, -EPROTO, "series[%zu].labels: more than %d", i,
			   DTS_MAX_LABELS);
	}
	snprintf(gtag, sizeof(gtag), "grc.%s", tag);
	s = dts_snapshot_add(snap, family, help, (enum dts_kind)k, name, gtag, 0);
	if (s == NULL) {
		return -ENOMEM;
	}
	for (size_t j = 0; j < n; j++) {
		struct json_object *kv = json_object_array_get_idx(labels, j);
		struct json_object *a, *b;

		if (!json_object_is_type(kv, json_type_array) ||
		    json_object_array_length(kv) != 2 ||
		    !json_object_is_type((a = json_object_array_get_idx(kv, 0)),
					 json_type_string) ||
		    !json_object_is_type((b = json_object_array_get_idx(kv, 1)),
					 json_type_string)) {
			snap->n--; /* the series just added goes again */
			return bad(err, size, -EPROTO, "series[%zu].labels[%zu]: [key, value]", i,
				   j);
		}
		dpu_strscpy(s->labels[j].key, json_object_get_string(a), sizeof(s->labels[j].key));
		dpu_strscpy(s->labels[j].value, json_object_get_string(b),
			    sizeof(s->labels[j].value));
	}
	s->n_labels = (unsigned int)n;
	s->fractional =
		json_object_object_get_ex(o, "fractional", &frac) && json_object_get_boolean(frac);
	if (k == DTS_COUNTER && !s->fractional) {
		s->u = json_object_get_uint64(value);
	} else {
		s->d = json_object_get_double(value);
	}
	if (suffix != NULL) {
		dpu_strscpy(s->suffix, suffix, sizeof(s->suffix));
	}
	return 0;
}

int dts_grc_decode(const char *text, size_t len, struct dts_snapshot *snap, char *err,
		   size_t errsize)
{
	struct json_tokener *tok = json_tokener_new_ex(32);
	struct json_object *o, *v, *series;
	size_t before = snap->n;
	int rc = 0;

	if (tok == NULL) {
		return -ENOMEM;
	}
	o = json_tokener_parse_ex(tok, text, (int)(len > INT32_MAX ? INT32_MAX : len));
	if (o == NULL ||
	    json_tokener_get_parse_end(tok) < len - (len > 0 && text[len - 1] == '\n')) {
		rc = bad(err, errsize, -EPROTO, "not one JSON object (offset %zu: %s)",
			 json_tokener_get_parse_end(tok),
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "ok", &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		rc = bad(err, errsize, -EPROTO, "no \"ok\"");
		goto out;
	}
	if (!json_object_get_boolean(v)) {
		const char *e = str_of(o, "error");

		rc = bad(err, errsize, -EREMOTEIO, "%s", e != NULL ? e : "failed");
		goto out;
	}
	if (!json_object_object_get_ex(o, "series", &series) ||
	    !json_object_is_type(series, json_type_array)) {
		rc = bad(err, errsize, -EPROTO, "no \"series\" list");
		goto out;
	}
	for (size_t i = 0; rc == 0 && i < json_object_array_length(series); i++) {
		struct json_object *s = json_object_array_get_idx(series, i);

		rc = json_object_is_type(s, json_type_object)
			     ? decode_series(s, i, snap, err, errsize)
			     : bad(err, errsize, -EPROTO, "series[%zu]: not an object", i);
	}
	if (rc < 0) {
		snap->n = before; /* all of a reply or nothing */
	}
out:
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

/* One request to dpu-dpe: the reply in '*buf' (malloc'd). */
static int request(const char *path, const char *provider, char **buf, size_t *len, char *err,
		   size_t errsize)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char req[160];
	size_t cap = 65536, n = 0;
	uint64_t deadline = dpu_time_mono_ns() + DTS_GRC_TIMEOUT_MS * DPU_NSEC_PER_MSEC;
	char *b = NULL;
	int fd, rc = 0, rlen;

	if (dpu_strscpy(sa.sun_path, path, sizeof(sa.sun_path)) < 0) {
		return bad(err, errsize, -ENAMETOOLONG, "%s: path too long", path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return bad(err, errsize, -errno, "socket: %s", strerror(errno));
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = bad(err, errsize, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	rlen = snprintf(req, sizeof(req), "{\"cmd\":\"collect\",\"provider\":\"%s\"}\n", provider);
	if (send(fd, req, (size_t)rlen, MSG_NOSIGNAL) != rlen) {
		rc = bad(err, errsize, -EIO, "%s: the request could not be sent", path);
		goto out;
	}
	b = malloc(cap);
	if (b == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		uint64_t now = dpu_time_mono_ns();
		ssize_t got;

		if (now >= deadline ||
		    poll(&p, 1, (int)((deadline - now) / DPU_NSEC_PER_MSEC) + 1) == 0) {
			rc = bad(err, errsize, -ETIMEDOUT, "%s: no reply in %d ms", path,
				 DTS_GRC_TIMEOUT_MS);
			break;
		}
		if (n + 1 >= cap) {
			char *nb = cap < DTS_GRC_MAX_REPLY ? realloc(b, cap * 2) : NULL;

			if (nb == NULL) {
				rc = bad(err, errsize, -EMSGSIZE, "%s: reply over %u bytes", path,
					 DTS_GRC_MAX_REPLY);
				break;
			}
			b = nb;
			cap *= 2;
		}
		got = recv(fd, b + n, cap - n - 1, 0);
		if (got < 0 && (errno == EINTR || errno == EAGAIN)) {
			continue;
		}
		if (got < 0) {
			rc = bad(err, errsize, -errno, "%s: %s", path, strerror(errno));
			break;
		}
		if (got == 0) {
			break; /* dpu-dpe closes after its reply */
		}
		n += (size_t)got;
	}
out:
	close(fd);
	if (rc < 0) {
		free(b);
		return rc;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static bool was_failing(struct dts_grc_stats *st, const char *provider, bool failing)
{
	for (size_t i = 0; i < st->n_failing; i++) {
		if (strcmp(st->failing[i], provider) == 0) {
			if (!failing) { /* it works again */
				memmove(&st->failing[i], &st->failing[i + 1],
					(st->n_failing - i - 1) * sizeof(st->failing[0]));
				st->n_failing--;
			}
			return true;
		}
	}
	if (failing && st->n_failing < DTS_CFG_MAX_ITEMS) {
		dpu_strscpy(st->failing[st->n_failing++], provider, sizeof(st->failing[0]));
	}
	return false;
}

int dts_grc_collect(const struct dts_config *cfg, struct dts_snapshot *snap,
		    struct dts_grc_stats *st)
{
	for (size_t i = 0; i < cfg->enabled.n; i++) {
		const char *name = cfg->enabled.v[i];
		const char *provider = name + 4;
		struct dts_series *up;
		char err[256] = "", *buf = NULL;
		size_t len = 0;
		int rc;

		if (strncmp(name, "grc.", 4) != 0 || dts_names_has(&cfg->disabled, name)) {
			continue;
		}
		if (dpu_time_mono_ns() < st->retry_ns) {
			rc = -EAGAIN; /* dpu-dpe was away a moment ago: not yet again */
			goto report;
		}
		st->requests++;
		rc = request(cfg->dpe_socket, provider, &buf, &len, err, sizeof(err));
		if (rc < 0 && rc != -ENOMEM) { /* no dpu-dpe, or no answer: back off */
			st->failures++;
			st->backoff_ns = st->backoff_ns == 0 ? DPU_NSEC_PER_SEC
							     : DPU_MIN(2 * st->backoff_ns,
								       8 * DPU_NSEC_PER_SEC);
			st->retry_ns = dpu_time_mono_ns() + st->backoff_ns;
			if (!st->dpe_down) {
				log_warn("dpu-dpe: %s; the grc. providers wait for it", err);
				st->dpe_down = true;
			}
			goto report;
		}
		if (rc == 0) {
			st->backoff_ns = 0;
			if (st->dpe_down) {
				log_info("dpu-dpe answers again");
				st->dpe_down = false;
			}
			rc = dts_grc_decode(buf, len, snap, err, sizeof(err));
		}
		free(buf);
		if (rc == -ENOMEM) {
			return rc;
		}
		if (rc < 0) { /* dpu-dpe refused the provider, or its reply was not one */
			st->failures++;
			if (!was_failing(st, provider, true)) {
				log_warn("%s: dpu-dpe: %s", name, err);
			}
		} else if (was_failing(st, provider, false)) {
			log_info("%s: dpu-dpe answers again", name);
		}
	report:
		snprintf(err, sizeof(err), "grc_up:%s", provider);
		up = dts_snapshot_add(snap, "dts_grc_up",
				      "1 when dpu-dpe ran the grc. provider this cycle", DTS_GAUGE,
				      err, "dts", 1, "provider", provider);
		if (up == NULL) {
			return -ENOMEM;
		}
		up->d = rc == 0;
	}
	return 0;
}
