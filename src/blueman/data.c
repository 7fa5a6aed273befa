/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BlueMan's data: HAL inventory and sensors, the host, dpu-telemetry.
 */
#include <config.h>

#define DPU_LOG_MODULE "blueman"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "blueman/data.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "dpu/hal.h"

#define CACHE_NS 500000000ull /* a fetched exposition serves 0.5 s */
#define LOG_LINES 20

struct bm_data {
	struct dpu_dev *dev;
	char url[512];
	char log_dir[512];
	CURL *curl;
	char *text; /* the last exposition */
	size_t len, cap;
	uint64_t fetched_ns;
	bool fetch_ok;
	char fetch_error[CURL_ERROR_SIZE];
	/* CPU: the /proc/stat totals at the previous overview. */
	unsigned long long cpu_busy, cpu_total;
	/* Sources reporting to dpu-telemetry: their record count and when it last moved. */
	struct source_seen {
		char name[64];
		double records;
		uint64_t changed_ns;
	} sources[32];
	size_t n_sources;
};

#define SILENT_NS 10000000000ull /* a source whose records stop for 10 s is "silent" */

int bm_data_create(struct dpu_dev *dev, const char *telemetry_url, const char *log_dir,
		   struct bm_data **dp)
{
	struct bm_data *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		return -ENOMEM;
	}
	d->dev = dev;
	dpu_strscpy(d->url, telemetry_url, sizeof(d->url));
	dpu_strscpy(d->log_dir, log_dir != NULL ? log_dir : "", sizeof(d->log_dir));
	d->curl = curl_easy_init();
	if (d->curl == NULL) {
		free(d);
		return -ENOMEM;
	}
	*dp = d;
	return 0;
}

void bm_data_free(struct bm_data *d)
{
	if (d != NULL) {
		curl_easy_cleanup(d->curl);
		free(d->text);
		free(d);
	}
}

/* ---------------------------------------------------------------- json helpers */

static void put_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void put_num(struct json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, isfinite(v) ? json_object_new_double(v) : NULL);
}

static void put_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/* ---------------------------------------------------------------- overview */

static void os_name(char *buf, size_t size)
{
	FILE *f = fopen("/etc/os-release", "r");
	char line[256];

	snprintf(buf, size, "Linux");
	if (f == NULL) {
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "PRETTY_NAME=", 12) == 0) {
			char *v = line + 12;

			v[strcspn(v, "\n")] = '\0';
			if (*v == '"') {
				v++;
				v[strcspn(v, "\"")] = '\0';
			}
			snprintf(buf, size, "%s", v);
		}
	}
	fclose(f);
}

static long long meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long long v = -1;
	size_t n = strlen(key);

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			v = atoll(line + n + 1);
			break;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return v;
}

/* Busy share of all CPUs since the previous call (since boot the first time). */
static double cpu_busy_pct(struct bm_data *d)
{
	unsigned long long v[8] = {0}, busy, total = 0;
	double pct = -1;
	FILE *f = fopen("/proc/stat", "r");

	if (f == NULL) {
		return -1;
	}
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (int i = 0; i < 8; i++) {
			total += v[i];
		}
		busy = total - v[3] - v[4]; /* all but idle and iowait */
		if (total > d->cpu_total) {
			pct = 100.0 * (double)(busy - d->cpu_busy) / (double)(total - d->cpu_total);
		}
		d->cpu_busy = busy;
		d->cpu_total = total;
	}
	fclose(f);
	return pct;
}

struct json_object *bm_overview(struct bm_data *d)
{
	struct json_object *o = json_object_new_object(), *dev = json_object_new_object();
	struct json_object *host = json_object_new_object(), *ports = json_object_new_array();
	struct dpu_port_info pi[64];
	struct dpu_dev_info info;
	struct statvfs vfs;
	struct utsname u;
	char buf[256];
	double up = 0, load[3] = {0, 0, 0};
	FILE *f;
	int n;

	if (dpu_dev_info(d->dev, &info) == 0) {
		put_str(dev, "name", info.name);
		put_str(dev, "model", info.model);
		put_str(dev, "part_number", info.part_number);
		put_str(dev, "serial", info.serial);
		put_str(dev, "psid", info.psid);
		put_str(dev, "mode", info.mode);
		put_str(dev, "firmware", info.firmware);
		put_str(dev, "bsp", info.bsp);
		put_str(dev, "doca", info.doca);
		put_str(dev, "board_id", info.board_id);
	}
	put_str(dev, "backend", dpu_dev_backend(d->dev));
	json_object_object_add(o, "device", dev);

	gethostname(buf, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	put_str(host, "hostname", buf);
	os_name(buf, sizeof(buf));
	put_str(host, "os", buf);
	if (uname(&u) == 0) {
		put_str(host, "kernel", u.release);
		put_str(host, "arch", u.machine);
	}
	if ((f = fopen("/proc/uptime", "r")) != NULL) {
		if (fscanf(f, "%lf", &up) != 1) {
			up = 0;
		}
		fclose(f);
	}
	put_num(host, "uptime_s", up);
	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) {
			load[0] = load[1] = load[2] = 0;
		}
		fclose(f);
	}
	put_int(host, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
	{
		double pct = cpu_busy_pct(d);

		if (pct >= 0) {
			put_num(host, "cpu_busy_pct", pct);
		}
	}
	put_num(host, "load1", load[0]);
	put_num(host, "load5", load[1]);
	put_num(host, "load15", load[2]);
	put_int(host, "mem_total_kb", meminfo("MemTotal"));
	put_int(host, "mem_available_kb", meminfo("MemAvailable"));
	if (statvfs("/", &vfs) == 0) {
		put_int(host, "disk_total_bytes", (int64_t)(vfs.f_blocks * vfs.f_frsize));
		put_int(host, "disk_free_bytes", (int64_t)(vfs.f_bavail * vfs.f_frsize));
	}
	json_object_object_add(o, "host", host);

	n = dpu_port_list(d->dev, pi, ARRAY_SIZE(pi));
	for (int i = 0; i < n && i < (int)ARRAY_SIZE(pi); i++) {
		struct json_object *p = json_object_new_object();

		put_str(p, "name", pi[i].name);
		put_str(p, "kind", dpu_port_kind_name(pi[i].kind));
		snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", pi[i].mac[0],
			 pi[i].mac[1], pi[i].mac[2], pi[i].mac[3], pi[i].mac[4], pi[i].mac[5]);
		put_str(p, "mac", buf);
		put_str(p, "pci", pi[i].pci);
		put_int(p, "speed_mbps", pi[i].speed_mbps);
		json_object_object_add(p, "link_up", json_object_new_boolean(pi[i].link_up));
		json_object_array_add(ports, p);
	}
	json_object_object_add(o, "ports", ports);
	return o;
}

/* ---------------------------------------------------------------- telemetry */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct bm_data *d = arg;
	size_t n = size * nmemb;

	if (d->len + n + 1 > d->cap) {
		size_t cap = DPU_MAX(d->cap * 2, d->len + n + 1);
		char *t;

		if (cap > (64u << 20) || (t = realloc(d->text, cap)) == NULL) {
			return 0; /* too big or no memory: curl fails the transfer */
		}
		d->text = t;
		d->cap = cap;
	}
	memcpy(d->text + d->len, ptr, n);
	d->len += n;
	d->text[d->len] = '\0';
	return n;
}

/* Fetch the exposition unless the cached one is fresh. */
static bool fetch(struct bm_data *d)
{
	uint64_t now = dpu_time_mono_ns();
	CURLcode rc;
	long status = 0;

	if (d->fetched_ns != 0 && now - d->fetched_ns < CACHE_NS) {
		return d->fetch_ok;
	}
	d->len = 0;
	d->fetch_error[0] = '\0';
	curl_easy_setopt(d->curl, CURLOPT_URL, d->url);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, d);
	curl_easy_setopt(d->curl, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(d->curl, CURLOPT_ERRORBUFFER, d->fetch_error);
	curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(d->curl);
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
	d->fetch_ok = rc == CURLE_OK && status == 200;
	if (rc == CURLE_OK && status != 200) {
		snprintf(d->fetch_error, sizeof(d->fetch_error), "HTTP status %ld", status);
	} else if (rc != CURLE_OK && d->fetch_error[0] == '\0') {
		snprintf(d->fetch_error, sizeof(d->fetch_error), "%s", curl_easy_strerror(rc));
	}
	if (!d->fetch_ok) {
		d->len = 0;
		log_warn_rl("telemetry %s: %s", d->url, d->fetch_error);
	}
	d->fetched_ns = now;
	return d->fetch_ok;
}

/* Labels "a=\"x\",b=\"y\"" (from after '{' to the matching '}') into 'obj'. */
static const char *parse_labels(const char *p, const char *end, struct json_object *obj)
{
	char key[128], val[512];

	while (p < end && *p != '}') {
		size_t k = 0, v = 0;

		while (p < end && (isalnum((unsigned char)*p) || *p == '_') &&
		       k + 1 < sizeof(key)) {
			key[k++] = *p++;
		}
		key[k] = '\0';
		if (p + 1 >= end || *p != '=' || p[1] != '"' || k == 0) {
			return NULL;
		}
		p += 2;
		while (p < end && *p != '"') {
			char c = *p++;

			if (c == '\\' && p < end) {
				c = *p++;
				c = c == 'n' ? '\n' : c;
			}
			if (v + 1 < sizeof(val)) {
				val[v++] = c;
			}
		}
		val[v] = '\0';
		if (p >= end) {
			return NULL;
		}
		p++; /* the closing quote */
		json_object_object_add(obj, key, json_object_new_string(val));
		if (p < end && *p == ',') {
			p++;
		}
	}
	return p < end ? p + 1 : NULL;
}

struct json_object *bm_parse_prometheus(const char *text, size_t len, const char *prefix)
{
	struct json_object *arr = json_object_new_array();
	const char *p = text, *end = text + len;
	size_t plen = prefix != NULL ? strlen(prefix) : 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q = p, *name_end;
		struct json_object *s, *labels;
		char name[256], num[64];
		size_t n;

		eol = eol != NULL ? eol : end;
		if (*p == '#' || p == eol) {
			p = eol + 1;
			continue;
		}
		while (q < eol && (isalnum((unsigned char)*q) || *q == '_' || *q == ':')) {
			q++;
		}
		name_end = q;
		n = (size_t)(name_end - p);
		if (n == 0 || n >= sizeof(name) ||
		    (plen > 0 && (n < plen || strncmp(p, prefix, plen) != 0))) {
			p = eol + 1;
			continue;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		labels = json_object_new_object();
		if (q < eol && *q == '{') {
			q = parse_labels(q + 1, eol, labels);
		}
		if (q == NULL) {
			json_object_put(labels);
			p = eol + 1;
			continue;
		}
		while (q < eol && *q == ' ') {
			q++;
		}
		n = 0;
		while (q + n < eol && q[n] != ' ') {
			n++;
		}
		if (n == 0 || n >= sizeof(num)) {
			json_object_put(labels);
			p = eol + 1;
			continue;
		}
		memcpy(num, q, n);
		num[n] = '\0';
		s = json_object_new_object();
		put_str(s, "name", name);
		json_object_object_add(s, "labels", labels);
		put_num(s, "value", strtod(num, NULL));
		json_object_array_add(arr, s);
		p = eol + 1;
	}
	return arr;
}

struct json_object *bm_telemetry(struct bm_data *d, const char *prefix)
{
	struct json_object *o = json_object_new_object();

	put_str(o, "source", d->url);
	if (fetch(d)) {
		json_object_object_add(o, "series", bm_parse_prometheus(d->text, d->len, prefix));
	} else {
		json_object_object_add(o, "series", json_object_new_array());
		put_str(o, "error", d->fetch_error);
	}
	put_int(o, "time_ms", (int64_t)(dpu_time_real_ns() / 1000000));
	return o;
}

/* ---------------------------------------------------------------- health */

static void tail_logs(const char *dir, struct json_object *arr)
{
	DIR *dp = dir[0] != '\0' ? opendir(dir) : NULL;
	struct dirent *e;

	while (dp != NULL && (e = readdir(dp)) != NULL) {
		char path[1024], *lines[LOG_LINES] = {NULL}, line[512];
		size_t n = strlen(e->d_name), k = 0;
		FILE *f;

		if (n < 5 || strcmp(e->d_name + n - 4, ".log") != 0) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((f = fopen(path, "r")) == NULL) {
			continue;
		}
		/* The last LOG_LINES lines, in a ring. */
		while (fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			free(lines[k % LOG_LINES]);
			lines[k % LOG_LINES] = strdup(line);
			k++;
		}
		fclose(f);
		for (size_t i = k > LOG_LINES ? k - LOG_LINES : 0; i < k; i++) {
			struct json_object *l = json_object_new_object();

			snprintf(path, sizeof(path), "%.*s", (int)(n - 4), e->d_name);
			put_str(l, "source", path);
			put_str(l, "line",
				lines[i % LOG_LINES] != NULL ? lines[i % LOG_LINES] : "");
			json_object_array_add(arr, l);
		}
		for (size_t i = 0; i < LOG_LINES; i++) {
			free(lines[i]);
		}
	}
	if (dp != NULL) {
		closedir(dp);
	}
}

/* How long the source's record count has not moved (0 when it just did). */
static uint64_t source_silent_ns(struct bm_data *d, const char *name, double records)
{
	uint64_t now = dpu_time_mono_ns();
	struct source_seen *s = NULL;

	for (size_t i = 0; i < d->n_sources; i++) {
		if (strcmp(d->sources[i].name, name) == 0) {
			s = &d->sources[i];
			break;
		}
	}
	if (s == NULL) {
		if (d->n_sources == ARRAY_SIZE(d->sources)) {
			return 0;
		}
		s = &d->sources[d->n_sources++];
		dpu_strscpy(s->name, name, sizeof(s->name));
		s->records = records;
		s->changed_ns = now;
		return 0;
	}
	if (records != s->records) {
		s->records = records;
		s->changed_ns = now;
	}
	return now - s->changed_ns;
}

struct json_object *bm_health(struct bm_data *d)
{
	struct json_object *o = json_object_new_object(), *sensors = json_object_new_array();
	struct json_object *alarms = json_object_new_array(), *services = json_object_new_array();
	struct json_object *logs = json_object_new_array(), *svc;
	struct dpu_sensor_info si[64];
	int n = dpu_sensor_list(d->dev, si, ARRAY_SIZE(si));

	for (int i = 0; i < n && i < (int)ARRAY_SIZE(si); i++) {
		struct json_object *s = json_object_new_object();
		const char *state = si[i].value >= si[i].crit	? "critical"
				    : si[i].value >= si[i].warn ? "warning"
								: "ok";

		put_str(s, "name", si[i].name);
		put_str(s, "kind", dpu_sensor_kind_name(si[i].kind));
		put_num(s, "value", si[i].value);
		put_num(s, "warn", si[i].warn);
		put_num(s, "crit", si[i].crit);
		put_str(s, "state", state);
		if (strcmp(state, "ok") != 0) {
			struct json_object *a = json_object_new_object();

			put_str(a, "sensor", si[i].name);
			put_str(a, "severity", state);
			put_num(a, "value", si[i].value);
			put_num(a, "threshold",
				strcmp(state, "critical") == 0 ? si[i].crit : si[i].warn);
			json_object_array_add(alarms, a);
		}
		json_object_array_add(sensors, s);
	}
	/* Services: dpu-telemetry itself, and every source reporting to it. */
	svc = json_object_new_object();
	put_str(svc, "name", "dpu-telemetry");
	put_str(svc, "state", fetch(d) ? "up" : "down");
	if (!d->fetch_ok) {
		put_str(svc, "error", d->fetch_error);
	}
	json_object_array_add(services, svc);
	if (d->fetch_ok) {
		struct json_object *series =
			bm_parse_prometheus(d->text, d->len, "dts_ipc_records_total");

		for (size_t i = 0; i < json_object_array_length(series); i++) {
			struct json_object *labels, *src;

			json_object_object_get_ex(json_object_array_get_idx(series, i), "labels",
						  &labels);
			if (json_object_object_get_ex(labels, "source", &src)) {
				double recs = json_object_get_double(json_object_object_get(
					json_object_array_get_idx(series, i), "value"));
				uint64_t silent =
					source_silent_ns(d, json_object_get_string(src), recs);

				svc = json_object_new_object();
				put_str(svc, "name", json_object_get_string(src));
				put_str(svc, "state", silent >= SILENT_NS ? "silent" : "reporting");
				put_num(svc, "records", recs);
				put_num(svc, "silent_s", (double)(silent / 1000000000ull));
				json_object_array_add(services, svc);
			}
		}
		json_object_put(series);
	}
	tail_logs(d->log_dir, logs);
	json_object_object_add(o, "sensors", sensors);
	json_object_object_add(o, "alarms", alarms);
	json_object_object_add(o, "services", services);
	json_object_object_add(o, "log", logs);
	return o;
}
