/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-blueman: the DPU's web dashboard. One page (static files from the
 * www folder) and a JSON API behind it, over HTTPS by default, every API
 * call behind a login.
 *
 *   dpu-blueman [--listen ADDR:PORT] [--credentials FILE] [--telemetry URL]
 *               [--device URI] [--insecure-http] [--cert FILE --key FILE]
 *               [--www DIR] [--log-dir DIR] [--session-idle SECS] [-l LEVEL]
 *
 * API (docs/blueman.md): POST /api/v1/login {"user","password"} sets the
 * session cookie; POST /api/v1/logout; GET /api/v1/session, /overview,
 * /health, /telemetry[?prefix=NAME].
 */
#include <config.h>

#define DPU_LOG_MODULE "blueman"

#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <microhttpd.h>

#include "blueman/auth.h"
#include "blueman/data.h"
#include "blueman/tls.h"
#include "common/cfg.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/loop.h"
#include "common/opts.h"
#include "common/timeutil.h"
#include "dpu/hal.h"
#include "telemetry/exporter.h"

#define BODY_MAX 4096
#define COOKIE "bm_session"

struct blueman {
	const char *listen;
	const char *creds_path;
	const char *telemetry;
	const char *uri;
	const char *www;
	const char *log_dir;
	const char *cert_path;
	const char *key_path;
	bool insecure;
	unsigned int idle_s;
	char state_dir[PATH_MAX - 64];
	char creds_buf[PATH_MAX];
	char cert_buf[PATH_MAX], key_buf[PATH_MAX];
	struct bm_creds *creds;
	struct bm_sessions *sessions;
	struct bm_ratelimit *rl;
	struct bm_data *data;
	struct dpu_dev *dev;
	struct MHD_Daemon *mhd;
	struct bm_tls tls;
	pthread_mutex_t lock;	 /* the users, between the HTTP thread and a reload */
	const char *sockets_dir; /* dpu-telemetry's IPC sockets; NULL: the default */
	const char *pam_service; /* PAM instead of the credentials file */
	const char *pam_confdir; /* PAM's configuration folder (tests); NULL: /etc/pam.d */
	struct dpu_te_schema *schema;
	struct dpu_te_source *src;
	uint8_t type_idx;
};

/*
 * Answers of the read-only calls, kept for a moment: the data change at
 * most once a second (dpu-telemetry's update, the sensors), while a page
 * or a monitoring tool may ask far more often.
 */
#define CACHE_SLOTS 8
#define CACHE_NS 500000000ull

struct cached {
	char key[96]; /* "overview", "health", "telemetry?<prefix>" */
	char *json;
	size_t len;
	uint64_t at_ns;
};

static struct cached cache[CACHE_SLOTS];

static struct cached *cache_find(const char *key, uint64_t now)
{
	struct cached *oldest = &cache[0];

	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		if (strcmp(cache[i].key, key) == 0) {
			return &cache[i];
		}
		if (cache[i].at_ns < oldest->at_ns) {
			oldest = &cache[i];
		}
	}
	(void)now;
	free(oldest->json);
	memset(oldest, 0, sizeof(*oldest));
	dpu_strscpy(oldest->key, key, sizeof(oldest->key));
	return oldest;
}

static void cache_free(void)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(cache[i].json);
		memset(&cache[i], 0, sizeof(cache[i]));
	}
}

/* BlueMan's own counters, kept by the HTTP thread, reported to DTS each second. */
struct counters {
	_Atomic uint64_t requests;
	_Atomic uint64_t api_errors; /* 4xx and 5xx answers */
	_Atomic uint64_t logins_ok;
	_Atomic uint64_t logins_failed;
	_Atomic uint64_t logins_refused; /* rate limited */
};

static struct counters ctr;

/* The record reported to dpu-telemetry ("blueman"/"http"). */
struct __attribute__((packed)) http_record {
	uint64_t requests;
	uint64_t api_errors;
	uint64_t logins_ok;
	uint64_t logins_failed;
	uint64_t logins_refused;
};

/* Per-request state: the POST body as it arrives. */
struct req {
	char body[BODY_MAX + 1];
	size_t len;
	bool too_big;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dpu-blueman [options]\n"
		"The DPU's web dashboard: device, health and live telemetry in one page.\n"
		"\n"
		"  --listen ADDR:PORT    where to listen (default 127.0.0.1:8443; 0.0.0.0:443 "
		"with\n"
		"                        a bluefield: device)\n"
		"  --credentials FILE    user:crypt-hash lines (default <run "
		"dir>/blueman/credentials;\n"
		"                        made with a random admin password when missing)\n"
		"  --telemetry URL       dpu-telemetry's endpoint (default "
		"http://127.0.0.1:9100/metrics)\n"
		"  --device URI          the HAL device (default sim:bf3-0)\n"
		"  --insecure-http       plain HTTP instead of HTTPS\n"
		"  --cert FILE --key FILE  the TLS certificate and key (default: a self-signed "
		"pair\n"
		"                        made at first start in <run dir>/blueman/)\n"
		"  --www DIR             the page's files (default %s)\n"
		"  --log-dir DIR         *.log files shown on the Health page\n"
		"  --session-idle SECS   a session ends after this long unused (default 900)\n"
		"  --telemetry-sockets DIR  dpu-telemetry's IPC sockets, for BlueMan's own "
		"counters\n"
		"  -h, --help\n",
		BLUEMAN_WWW_DIR);
	dpu_common_usage(out);
}

static uint64_t now_ms(void)
{
	return dpu_time_mono_ns() / 1000000ull;
}

/* ---------------------------------------------------------------- replies */

static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned int status, const char *type,
				const void *buf, size_t len, const char *cookie)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)(uintptr_t)buf, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (r == NULL) {
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; frame-ancestors 'none'");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	atomic_fetch_add(&ctr.requests, 1);
	if (status >= 400) {
		atomic_fetch_add(&ctr.api_errors, 1);
	}
	if (cookie != NULL) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned int status,
				 struct json_object *o, const char *cookie)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	enum MHD_Result ret = send_buf(c, status, "application/json", s, strlen(s), cookie);

	json_object_put(o);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned int status, const char *msg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	return send_json(c, status, o, NULL);
}

/* ---------------------------------------------------------------- static files */

static const char *mime_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL) {
		return "application/octet-stream";
	}
	if (strcmp(dot, ".html") == 0) {
		return "text/html; charset=utf-8";
	}
	if (strcmp(dot, ".js") == 0) {
		return "text/javascript; charset=utf-8";
	}
	if (strcmp(dot, ".css") == 0) {
		return "text/css; charset=utf-8";
	}
	if (strcmp(dot, ".svg") == 0) {
		return "image/svg+xml";
	}
	return "application/octet-stream";
}

/*
 * A file of the www folder. Only plain names: "/app.js". Anything with a
 * second '/', "..", a leading '.' or a byte outside [A-Za-z0-9._-] is
 * refused before the file system is asked.
 */
static enum MHD_Result serve_file(struct blueman *b, struct MHD_Connection *c, const char *url)
{
	const char *name = url + 1;
	char path[PATH_MAX];
	char *text = NULL;
	size_t len;
	struct dpu_cfg_err err;
	enum MHD_Result ret;

	/* The single page answers for its own routes. */
	if (name[0] == '\0' || strcmp(name, "login") == 0 || strcmp(name, "overview") == 0 ||
	    strcmp(name, "health") == 0 || strcmp(name, "telemetry") == 0) {
		name = "index.html";
	}
	if (name[0] == '.' || strstr(name, "..") != NULL ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
		    strlen(name)) {
		return send_error(c, MHD_HTTP_BAD_REQUEST, "bad path");
	}
	snprintf(path, sizeof(path), "%s/%s", b->www, name);
	if (dpu_cfg_read_file(path, 8 << 20, &text, &len, &err) < 0) {
		return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
	}
	ret = send_buf(c, MHD_HTTP_OK, mime_of(name), text, len, NULL);
	free(text);
	return ret;
}

/* ---------------------------------------------------------------- API */

static void client_addr(struct MHD_Connection *c, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	snprintf(buf, size, "?");
	if (sa != NULL && sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
			  (socklen_t)size);
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  buf, (socklen_t)size);
	}
}

static enum MHD_Result api_login(struct blueman *b, struct MHD_Connection *c, struct req *rq)
{
	struct json_tokener *tok;
	struct json_object *body, *u, *p, *o;
	char addr[64], token[BM_TOKEN_LEN + 1], cookie[256], msg[160];
	uint64_t retry = 0;
	const char *user;
	enum json_tokener_error jerr;
	bool ok;

	client_addr(c, addr, sizeof(addr));
	if (!bm_ratelimit_allow(b->rl, addr, now_ms(), &retry)) {
		struct json_object *e = json_object_new_object();

		snprintf(msg, sizeof(msg), "too many failed logins; try again in %llu s",
			 (unsigned long long)(retry / 1000 + 1));
		json_object_object_add(e, "error", json_object_new_string(msg));
		log_warn("login from %s refused: rate limited", addr);
		atomic_fetch_add(&ctr.logins_refused, 1);
		return send_json(c, MHD_HTTP_TOO_MANY_REQUESTS, e, NULL);
	}
	tok = json_tokener_new();
	body = json_tokener_parse_ex(tok, rq->body, (int)rq->len);
	jerr = json_tokener_get_error(tok);
	if (body == NULL || jerr != json_tokener_success) {
		snprintf(msg, sizeof(msg), "body: JSON at offset %zu: %s",
			 json_tokener_get_parse_end(tok),
			 jerr == json_tokener_continue ? "unexpected end"
						       : json_tokener_error_desc(jerr));
		json_tokener_free(tok);
		json_object_put(body);
		return send_error(c, MHD_HTTP_BAD_REQUEST, msg);
	}
	json_tokener_free(tok);
	if (!json_object_is_type(body, json_type_object) ||
	    !json_object_object_get_ex(body, "user", &u) ||
	    !json_object_is_type(u, json_type_string) ||
	    !json_object_object_get_ex(body, "password", &p) ||
	    !json_object_is_type(p, json_type_string)) {
		json_object_put(body);
		return send_error(c, MHD_HTTP_BAD_REQUEST,
				  "body: expected {\"user\": string, \"password\": string}");
	}
	user = json_object_get_string(u);
	if (b->pam_service != NULL) {
		ok = bm_pam_check(b->pam_service, b->pam_confdir, user, json_object_get_string(p));
	} else {
		pthread_mutex_lock(&b->lock);
		ok = bm_creds_check(b->creds, user, json_object_get_string(p));
		pthread_mutex_unlock(&b->lock);
	}
	if (!ok) {
		atomic_fetch_add(&ctr.logins_failed, 1);
		bm_ratelimit_fail(b->rl, addr, now_ms());
		log_warn("login failed for '%.64s' from %s", user, addr);
		json_object_put(body);
		return send_error(c, MHD_HTTP_UNAUTHORIZED, "bad user or password");
	}
	bm_ratelimit_clear(b->rl, addr);
	if (bm_session_new(b->sessions, user, now_ms(), token) < 0) {
		json_object_put(body);
		return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "no session");
	}
	log_info("login: %s from %s", user, addr);
	atomic_fetch_add(&ctr.logins_ok, 1);
	snprintf(cookie, sizeof(cookie), COOKIE "=%s; Path=/; HttpOnly;%s SameSite=Strict", token,
		 b->insecure ? "" : " Secure;");
	explicit_bzero(token, sizeof(token));
	o = json_object_new_object();
	json_object_object_add(o, "user", json_object_new_string(user));
	json_object_put(body);
	return send_json(c, MHD_HTTP_OK, o, cookie);
}

/* A read-only call's JSON, from the cache when fresh. */
static enum MHD_Result send_cached(struct blueman *b, struct MHD_Connection *c, const char *what,
				   const char *prefix)
{
	uint64_t now = dpu_time_mono_ns();
	char key[96];
	struct cached *e;

	snprintf(key, sizeof(key), "%s?%.80s", what, prefix);
	e = cache_find(key, now);
	if (e->json == NULL || now - e->at_ns >= CACHE_NS) {
		struct json_object *o = strcmp(what, "overview") == 0 ? bm_overview(b->data)
					: strcmp(what, "health") == 0
						? bm_health(b->data)
						: bm_telemetry(b->data, prefix);
		const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		char *copy = strdup(s);

		json_object_put(o);
		if (copy == NULL) {
			return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		}
		free(e->json);
		e->json = copy;
		e->len = strlen(copy);
		e->at_ns = now;
	}
	return send_buf(c, MHD_HTTP_OK, "application/json", e->json, e->len, NULL);
}

static enum MHD_Result api(struct blueman *b, struct MHD_Connection *c, const char *url,
			   const char *method, struct req *rq)
{
	const char *what = url + strlen("/api/v1/");
	const char *token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
	bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
	const char *user;
	struct json_object *o;

	if (rq->too_big) {
		return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body larger than 4096 bytes");
	}
	if (strcmp(what, "login") == 0) {
		return post ? api_login(b, c, rq)
			    : send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST only");
	}
	user = bm_session_get(b->sessions, token, now_ms());
	if (user == NULL) {
		return send_error(c, MHD_HTTP_UNAUTHORIZED, "login required");
	}
	if (strcmp(what, "logout") == 0) {
		if (!post) {
			return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST only");
		}
		bm_session_end(b->sessions, token);
		o = json_object_new_object();
		json_object_object_add(o, "logged_out", json_object_new_boolean(1));
		return send_json(c, MHD_HTTP_OK, o,
				 COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
	}
	if (!get) {
		return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
	}
	if (strcmp(what, "session") == 0) {
		o = json_object_new_object();
		json_object_object_add(o, "user", json_object_new_string(user));
		return send_json(c, MHD_HTTP_OK, o, NULL);
	}
	if (strcmp(what, "overview") == 0 || strcmp(what, "health") == 0) {
		return send_cached(b, c, what, "");
	}
	if (strcmp(what, "telemetry") == 0) {
		const char *prefix =
			MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "prefix");

		return send_cached(b, c, what, prefix != NULL ? prefix : "");
	}
	return send_error(c, MHD_HTTP_NOT_FOUND, "no such API");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct blueman *b = cls;
	struct req *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		rq = calloc(1, sizeof(*rq));
		if (rq == NULL) {
			return MHD_NO;
		}
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (rq->len + *upload_size > BODY_MAX) {
			rq->too_big = true;
		} else {
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
			rq->body[rq->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (strncmp(url, "/api/v1/", 8) == 0) {
		return api(b, c, url, method, rq);
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
	}
	return serve_file(b, c, url);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	if (*con_cls != NULL) {
		explicit_bzero(*con_cls, sizeof(struct req));
	}
	free(*con_cls);
	*con_cls = NULL;
}

static void mhd_log(void *arg, const char *fmt, va_list ap)
{
	char buf[512];

	(void)arg;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_info("http: %s", buf);
}

/* ---------------------------------------------------------------- set-up */

/* No credentials yet: make "admin" with a random password, kept 0600 beside them. */
static int first_credentials(const char *path)
{
	static const char set[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
	unsigned char rnd[16];
	char pw[17], pwfile[PATH_MAX + 32], salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *hash;
	FILE *f;
	int fd, rc = 0;

	if (cd == NULL || getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd) ||
	    crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL) {
		free(cd);
		return -EIO;
	}
	for (size_t i = 0; i < 16; i++) {
		pw[i] = set[rnd[i] % (sizeof(set) - 1)];
	}
	pw[16] = '\0';
	hash = crypt_r(pw, salt, cd);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (hash == NULL || hash[0] == '*' || fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = -errno != 0 ? -errno : -EIO;
		if (fd >= 0) {
			close(fd);
		}
	} else {
		fprintf(f,
			"# made at first start; the password is in %s.initial-password\n"
			"admin:%s\n",
			path, hash);
		fclose(f);
		snprintf(pwfile, sizeof(pwfile), "%s.initial-password", path);
		fd = open(pwfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0 && write(fd, pw, 16) == 16 && write(fd, "\n", 1) == 1) {
			log_warn("no credentials: made user 'admin', password in %s", pwfile);
		}
		if (fd >= 0) {
			close(fd);
		}
	}
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

static void export_open(struct blueman *b)
{
	/* In the order of struct http_record. */
	static const char *const fields[] = {"requests", "api_errors", "logins_ok", "logins_failed",
					     "logins_refused"};
	struct dpu_te_type *t = NULL;
	int rc = dpu_te_type_create(&t);

	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(fields); i++) {
		rc = dpu_te_type_add_new_field(t, fields[i], "uint64_t", 1);
	}
	if (rc < 0) {
		dpu_te_type_destroy(t);
	} else {
		rc = dpu_te_open_one_type("blueman", "http", t, b->sockets_dir, "blueman",
					  &b->schema, &b->src, &b->type_idx);
	}
	if (rc < 0) {
		log_warn("telemetry: not reporting to DTS: %s", strerror(-rc));
	}
}

static void on_report(struct dpu_loop_src *src, uint64_t expirations, void *arg)
{
	struct blueman *b = arg;
	struct http_record r = {
		.requests = atomic_load(&ctr.requests),
		.api_errors = atomic_load(&ctr.api_errors),
		.logins_ok = atomic_load(&ctr.logins_ok),
		.logins_failed = atomic_load(&ctr.logins_failed),
		.logins_refused = atomic_load(&ctr.logins_refused),
	};

	(void)src;
	(void)expirations;
	if (b->src != NULL) {
		dpu_te_source_report(b->src, b->type_idx, &r, 1);
		dpu_te_source_flush(b->src);
	}
}

/* SIGHUP: read the credentials again; a bad file keeps the users in force. */
static void on_reload(struct dpu_loop *loop, void *arg)
{
	struct blueman *b = arg;
	struct bm_creds *fresh = NULL;
	struct dpu_cfg_err err;
	char msg[1024];

	(void)loop;
	if (b->pam_service != NULL) {
		log_info("reload: users come from PAM service %s", b->pam_service);
		return;
	}
	dpu_cfg_err_clear(&err);
	if (bm_creds_load(b->creds_path, &fresh, &err) < 0) {
		log_err("reload: %s; the users in force stay",
			dpu_cfg_err_str(&err, msg, sizeof(msg)));
		return;
	}
	/* The HTTP thread reads the users: swap under its lock. */
	pthread_mutex_lock(&b->lock);
	bm_creds_free(b->creds);
	b->creds = fresh;
	pthread_mutex_unlock(&b->lock);
	log_info("reload: %zu user(s) from %s", bm_creds_count(fresh), b->creds_path);
}

static int start_http(struct blueman *b)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *ai = NULL;
	char host[256];
	uint16_t port;
	const char *why = NULL;
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	char portstr[8];
	int rc;

	if (dpu_cfg_parse_hostport(b->listen, host, sizeof(host), &port, &why) < 0) {
		log_err("--listen %s: %s", b->listen, why);
		return -EINVAL;
	}
	snprintf(portstr, sizeof(portstr), "%u", port);
	rc = getaddrinfo(host, portstr, &hints, &ai);
	if (rc != 0) {
		log_err("--listen %s: %s", b->listen, gai_strerror(rc));
		return -EINVAL;
	}
	if (ai->ai_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
	}
	if (!b->insecure) {
		flags |= MHD_USE_TLS;
	}
	b->mhd = MHD_start_daemon(
		flags, port, NULL, NULL, on_request, b, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, b,
		MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_NOTIFY_COMPLETED, on_done, b,
		MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 256u,
		b->insecure ? MHD_OPTION_END : MHD_OPTION_HTTPS_MEM_CERT, b->tls.cert_pem,
		MHD_OPTION_HTTPS_MEM_KEY, b->tls.key_pem, MHD_OPTION_END);
	freeaddrinfo(ai);
	if (b->mhd == NULL) {
		log_err("cannot listen on %s (in use, or no permission)", b->listen);
		return -EADDRINUSE;
	}
	log_info("up: %s://%s/, device %s, telemetry %s", b->insecure ? "http" : "https", b->listen,
		 b->uri, b->telemetry);
	return 0;
}

int main(int argc, char **argv)
{
	enum {
		O_LISTEN = 0x100,
		O_CREDS,
		O_TELEM,
		O_INSECURE,
		O_CERT,
		O_KEY,
		O_WWW,
		O_LOGDIR,
		O_IDLE,
		O_SOCKETS,
		O_PAM,
		O_PAM_CONFDIR
	};
	static const struct option longopts[] = {
		DPU_COMMON_LONGOPTS,
		{"listen", required_argument, NULL, O_LISTEN},
		{"credentials", required_argument, NULL, O_CREDS},
		{"telemetry", required_argument, NULL, O_TELEM},
		{"device", required_argument, NULL, 'd'},
		{"insecure-http", no_argument, NULL, O_INSECURE},
		{"cert", required_argument, NULL, O_CERT},
		{"key", required_argument, NULL, O_KEY},
		{"www", required_argument, NULL, O_WWW},
		{"log-dir", required_argument, NULL, O_LOGDIR},
		{"session-idle", required_argument, NULL, O_IDLE},
		{"telemetry-sockets", required_argument, NULL, O_SOCKETS},
		{"pam", required_argument, NULL, O_PAM},
		{"pam-confdir", required_argument, NULL, O_PAM_CONFDIR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct blueman b = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.telemetry = "http://127.0.0.1:9100/metrics",
		.uri = "sim:bf3-0",
		.www = BLUEMAN_WWW_DIR,
		.log_dir = "",
		.idle_s = 900,
	};
	struct dpu_cfg_err err;
	struct dpu_loop *loop = NULL;
	struct dpu_pidfile *pid = NULL;
	char msg[1024], path[PATH_MAX], why[512];
	uint64_t v;
	const char *w = NULL;
	pid_t owner;
	int c, rc;

	while ((c = getopt_long(argc, argv, DPU_COMMON_SHORTOPTS "d:h", longopts, NULL)) != -1) {
		rc = dpu_common_opt(c, optarg);
		if (rc > 0) {
			continue;
		}
		if (rc < 0) {
			return 2;
		}
		switch (c) {
		case O_LISTEN:
			b.listen = optarg;
			break;
		case O_CREDS:
			b.creds_path = optarg;
			break;
		case O_TELEM:
			b.telemetry = optarg;
			break;
		case 'd':
			b.uri = optarg;
			break;
		case O_INSECURE:
			b.insecure = true;
			break;
		case O_CERT:
			b.cert_path = optarg;
			break;
		case O_KEY:
			b.key_path = optarg;
			break;
		case O_WWW:
			b.www = optarg;
			break;
		case O_LOGDIR:
			b.log_dir = optarg;
			break;
		case O_SOCKETS:
			b.sockets_dir = optarg;
			break;
		case O_PAM:
			b.pam_service = optarg;
			break;
		case O_PAM_CONFDIR:
			b.pam_confdir = optarg;
			break;
		case O_IDLE:
			if (dpu_cfg_parse_u64(optarg, 1, 86400, &v, &w) < 0) {
				fprintf(stderr, "dpu-blueman: --session-idle %s: %s\n", optarg, w);
				return 2;
			}
			b.idle_s = (unsigned int)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || (b.cert_path == NULL) != (b.key_path == NULL)) {
		fprintf(stderr, "dpu-blueman: %s\n",
			optind < argc ? "unexpected argument" : "--cert and --key go together");
		return 2;
	}
	dpu_common_log_open("dpu-blueman");
	if (b.listen == NULL) {
		b.listen = strncmp(b.uri, "bluefield:", 10) == 0 ? "0.0.0.0:443" : "127.0.0.1:8443";
	}
	{
		char base[PATH_MAX - 128];

		if (dpu_rundir_default(base, sizeof(base)) < 0) {
			log_err("run directory name too long");
			return 1;
		}
		snprintf(b.state_dir, sizeof(b.state_dir), "%s/blueman", base);
	}
	if ((rc = dpu_mkdir_p(b.state_dir, 0700)) < 0) {
		log_err("%s: %s", b.state_dir, strerror(-rc));
		return 1;
	}
	if (b.pam_service == NULL && b.creds_path == NULL &&
	    strncmp(b.uri, "bluefield:", 10) == 0) {
		b.pam_service = "dpu-blueman";
	}
	if (b.pam_service != NULL && b.creds_path != NULL) {
		log_err("--pam and --credentials: choose one");
		return 2;
	}
	if (b.pam_service != NULL) {
		log_info("users: PAM service %s", b.pam_service);
	} else if (b.creds_path == NULL) {
		snprintf(b.creds_buf, sizeof(b.creds_buf), "%s/credentials", b.state_dir);
		b.creds_path = b.creds_buf;
		if (access(b.creds_path, F_OK) != 0 && (rc = first_credentials(b.creds_path)) < 0) {
			log_err("%s: %s", b.creds_path, strerror(-rc));
			return 1;
		}
	}
	dpu_cfg_err_clear(&err);
	if (b.pam_service == NULL && bm_creds_load(b.creds_path, &b.creds, &err) < 0) {
		log_err("%s", dpu_cfg_err_str(&err, msg, sizeof(msg)));
		return 1;
	}
	if (!b.insecure) {
		bool make = b.cert_path == NULL;

		if (make) {
			snprintf(b.cert_buf, sizeof(b.cert_buf), "%s/cert.pem", b.state_dir);
			snprintf(b.key_buf, sizeof(b.key_buf), "%s/key.pem", b.state_dir);
			b.cert_path = b.cert_buf;
			b.key_path = b.key_buf;
		}
		if (bm_tls_load(b.cert_path, b.key_path, make, &b.tls, why, sizeof(why)) < 0) {
			log_err("TLS: %s", why);
			bm_creds_free(b.creds);
			return 1;
		}
		if (b.tls.generated) {
			log_info("made a self-signed certificate: %s", b.cert_path);
		}
	}
	snprintf(path, sizeof(path), "%s/dpu-blueman.pid", b.state_dir);
	rc = dpu_pidfile_open(path, &pid, &owner);
	if (rc < 0) {
		log_err(rc == -EBUSY ? "%s: already running" : "%s: cannot take the pid file",
			path);
		goto out;
	}
	rc = dpu_dev_open(b.uri, &b.dev);
	if (rc < 0) {
		log_err("device %s: %s", b.uri, strerror(-rc));
		goto out;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((rc = bm_sessions_create(256, (uint64_t)b.idle_s * 1000, 12ull * 3600 * 1000,
				     &b.sessions)) < 0 ||
	    (rc = bm_ratelimit_create(5, 60000, &b.rl)) < 0 ||
	    (rc = bm_data_create(b.dev, b.telemetry, b.log_dir, &b.data)) < 0 ||
	    (rc = dpu_loop_create(&loop)) < 0 ||
	    (rc = dpu_daemon_signals(
		     loop, &(struct dpu_daemon_signals){.on_reload = on_reload, .arg = &b})) < 0) {
		log_err("start-up: %s", strerror(-rc));
		goto out;
	}
	export_open(&b);
	rc = dpu_loop_add_timer(loop, 1000000000ull, 1000000000ull, on_report, &b, NULL);
	if (rc == 0) {
		rc = start_http(&b);
	}
	if (rc == 0) {
		rc = dpu_loop_run(loop);
		log_info("down");
	}
out:
	if (b.mhd != NULL) {
		MHD_stop_daemon(b.mhd);
	}
	cache_free();
	dpu_te_source_destroy(b.src);
	dpu_te_schema_destroy(b.schema);
	bm_data_free(b.data);
	bm_ratelimit_free(b.rl);
	bm_sessions_free(b.sessions);
	dpu_loop_destroy(loop);
	dpu_dev_close(b.dev);
	bm_creds_free(b.creds);
	bm_tls_free(&b.tls);
	curl_global_cleanup();
	dpu_pidfile_close(pid);
	return rc < 0 ? 1 : 0;
}
