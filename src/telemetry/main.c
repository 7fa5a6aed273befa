/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-telemetry: the Telemetry Service. Collects counters from its
 * providers every 'update' ms and serves them to Prometheus.
 *
 *   dpu-telemetry [--config-dir DIR] [--device URI] [-l LEVEL]
 *
 * DIR holds dts_config.ini (written with the defaults when missing); its
 * parent is the service's root, as /opt/mellanox/doca/services/telemetry
 * on a BlueField: config/, data/, ipc_sockets/. Default DIR:
 * <run dir>/telemetry/config. The device (HAL URI, default sim:bf3-0) gives
 * the counter tree and the ports. SIGHUP rereads the file; a bad one is
 * reported with its line and the running configuration stays.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#define DPU_LOG_MODULE "dts"
#include "common/cfg.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/loop.h"
#include "common/opts.h"
#include "common/timeutil.h"
#include "dpu/hal.h"
#include "telemetry/config.h"
#include "telemetry/datafile.h"
#include "telemetry/ethtool.h"
#include "telemetry/grc.h"
#include "telemetry/bfperf.h"
#include "telemetry/hcaperf.h"
#include "telemetry/ppcc.h"
#include "telemetry/nvml.h"
#include "telemetry/fluent.h"
#include "telemetry/forward.h"
#include "telemetry/ipc.h"
#include "telemetry/ipcsrv.h"
#include "telemetry/metrics.h"
#include "telemetry/promaggr.h"
#include "telemetry/sysfs.h"
#include "telemetry/tc.h"

#define MAX_PORTS 64

struct dts {
	char config_dir[PATH_MAX - 32];
	char config_path[PATH_MAX];
	char root[PATH_MAX];
	const char *uri;
	struct dts_config cfg;
	struct dpu_loop *loop;
	struct dpu_loop_src *timer;
	struct dpu_dev *dev;
	bool dev_warned;
	struct dts_sysfs_stats sysfs;
	struct dts_ethtool_stats ethtool;
	struct dts_tc_stats tc;
	struct dts_grc_stats grc;
	struct dts_nvml *nvml;
	struct dts_bfperf *bfperf;
	struct dts_ppcc *ppcc;
	struct dts_hcaperf *hcaperf;
	uint64_t collections, collect_failures;
	double last_collect_s;
	struct dts_ipcsrv *ipc;
	struct dts_fluent *fluent;
	struct dts_fwd *fwd;
	struct dts_paggr *paggr;
	/* data files, one writer per source (data-write=true) */
	struct {
		char id[DTS_IPC_NAME];
		struct dts_dfile *f;
		bool described; /* its HELLO was seen: the files can say what records are */
	} data[64];
	struct dts_fwd_conf fwd_conf;
	char fluent_host[64];
	uint16_t fluent_port;
	struct MHD_Daemon *mhd;
	char mhd_host[64];
	uint16_t mhd_port;
	pthread_mutex_t lock; /* guards text and len (the HTTP thread reads them) */
	char *text[2];	      /* 0.0.4, OpenMetrics */
	size_t len[2];
	atomic_uint_fast64_t scrapes, http_errors;
};

/* ---- collection ---- */

static void add_self(struct dts *d, struct dts_snapshot *snap, double took, size_t series)
{
	struct dts_series *s;

	if ((s = dts_snapshot_add(snap, "dts_up", "1 while dpu-telemetry runs", DTS_GAUGE, "up",
				  "dts", 0)) != NULL) {
		s->d = 1;
	}
	if ((s = dts_snapshot_add(snap, "dts_device_reachable",
				  "1 when the device's counters could be read", DTS_GAUGE,
				  "device_reachable", "dts", 1, "device", d->uri)) != NULL) {
		s->d = d->dev != NULL;
	}
	if ((s = dts_snapshot_add(snap, "dts_collections", "collection cycles run", DTS_COUNTER,
				  "collections", "dts", 0)) != NULL) {
		s->u = d->collections;
	}
	if ((s = dts_snapshot_add(snap, "dts_collection_failures",
				  "collection cycles that could not read the device", DTS_COUNTER,
				  "collection_failures", "dts", 0)) != NULL) {
		s->u = d->collect_failures;
	}
	if ((s = dts_snapshot_add(snap, "dts_collection_duration_seconds",
				  "time the last collection cycle took", DTS_GAUGE,
				  "collection_duration", "dts", 0)) != NULL) {
		s->d = took;
	}
	if ((s = dts_snapshot_add(snap, "dts_series", "series collected in the last cycle",
				  DTS_GAUGE, "series", "dts", 0)) != NULL) {
		s->d = (double)series;
	}
	if ((s = dts_snapshot_add(snap, "dts_sysfs_files_read", "sysfs files read", DTS_COUNTER,
				  "sysfs_files_read", "dts", 0)) != NULL) {
		s->u = d->sysfs.files_read;
	}
	if ((s = dts_snapshot_add(snap, "dts_sysfs_file_errors", "sysfs files that failed",
				  DTS_COUNTER, "sysfs_file_errors", "dts", 0)) != NULL) {
		s->u = d->sysfs.files_failed;
	}
	if ((s = dts_snapshot_add(snap, "dts_scrapes", "requests for /metrics served", DTS_COUNTER,
				  "scrapes", "dts", 0)) != NULL) {
		s->u = atomic_load(&d->scrapes);
	}
}

/* The device's counter tree and ports; false when the device is not there. */
static bool device_view(struct dts *d, char *root, size_t size, struct dpu_port_info *ports,
			size_t *n_ports)
{
	int n;

	if (d->dev == NULL) {
		int rc = dpu_dev_open(d->uri, &d->dev);

		if (rc < 0) {
			if (!d->dev_warned) {
				log_warn("%s: %s; serving dpu-telemetry's own metrics until it is "
					 "there",
					 d->uri, strerror(-rc));
				d->dev_warned = true;
			}
			return false;
		}
		log_info("collecting from %s", d->uri);
		d->dev_warned = false;
	}
	n = dpu_port_list(d->dev, ports, MAX_PORTS);
	if (n < 0 || dpu_dev_counter_root(d->dev, root, size) < 0) {
		log_warn("%s: lost (%s); reconnecting", d->uri, strerror(n < 0 ? -n : EIO));
		dpu_dev_close(d->dev);
		d->dev = NULL;
		return false;
	}
	*n_ports = (size_t)(n < MAX_PORTS ? n : MAX_PORTS);
	return true;
}

static int data_collect(const struct dts *d, struct dts_snapshot *snap);

static void collect(struct dts *d)
{
	static struct dpu_port_info ports[MAX_PORTS];
	struct dts_snapshot snap;
	char root[PATH_MAX], *text[2] = {NULL, NULL};
	size_t n_ports = 0, len[2] = {0, 0}, series;
	uint64_t t0 = dpu_time_mono_ns();
	int rc = 0;

	dts_snapshot_init(&snap);
	d->collections++;
	if (device_view(d, root, sizeof(root), ports, &n_ports)) {
		/* Each component asks the configuration itself. */
		rc = dts_sysfs_collect(root, ports, n_ports, &d->cfg, &snap, &d->sysfs);
		if (rc == 0) {
			rc = dts_ppcc_collect(&d->ppcc, d->dev, ports, n_ports, &d->cfg, &snap);
		}
		if (rc == 0) {
			rc = dts_hcaperf_collect(&d->hcaperf, d->dev, ports, n_ports, &d->cfg,
						 &snap);
		}
	} else {
		d->collect_failures++;
	}
	if (rc == 0) {
		/* The host's own interfaces (this network namespace's), not the device's. */
		rc = dts_ifconfig_collect("/sys", &d->cfg, &snap, &d->sysfs);
	}
	if (rc == 0) {
		rc = dts_ethtool_collect(&d->cfg, &snap, &d->ethtool);
	}
	if (rc == 0) {
		rc = dts_tc_collect(&d->cfg, &snap, &d->tc);
	}
	if (rc == 0) {
		rc = dts_grc_collect(&d->cfg, &snap, &d->grc);
	}
	if (rc == 0) {
		rc = dts_nvml_collect(&d->nvml, &d->cfg, &snap);
	}
	if (rc == 0) {
		rc = dts_bfperf_collect(&d->bfperf, &d->cfg, &snap);
	}
	if (rc == 0 && d->ipc != NULL) {
		rc = dts_ipcsrv_collect(d->ipc, &d->cfg, &snap);
	}
	if (rc == 0 && d->fluent != NULL) {
		rc = dts_fluent_collect(d->fluent, &snap);
	}
	if (rc == 0) {
		rc = dts_paggr_collect(d->paggr, &snap);
	}
	if (rc == 0) {
		rc = data_collect(d, &snap);
	}
	if (rc == 0) {
		rc = dts_fwd_collect(d->fwd, &snap);
	}
	series = snap.n;
	d->last_collect_s = (double)(dpu_time_mono_ns() - t0) / 1e9;
	add_self(d, &snap, d->last_collect_s, series);
	if (rc == 0) {
		dts_fwd_push(d->fwd, &snap, dpu_time_real_ns());
	}
	if (rc == 0) {
		rc = dts_prom_render(&snap, &d->cfg, false, &text[0], &len[0]);
	}
	if (rc == 0) {
		rc = dts_prom_render(&snap, &d->cfg, true, &text[1], &len[1]);
	}
	dts_snapshot_free(&snap);
	if (rc < 0) {
		log_err_rl("collection: %s", strerror(-rc));
		free(text[0]);
		free(text[1]);
		return;
	}
	pthread_mutex_lock(&d->lock);
	for (int i = 0; i < 2; i++) {
		free(d->text[i]);
		d->text[i] = text[i];
		d->len[i] = len[i];
	}
	pthread_mutex_unlock(&d->lock);
}

static void on_timer(struct dpu_loop_src *src, uint64_t n, void *arg)
{
	(void)src;
	(void)n;
	collect(arg);
}

/* ---- the Prometheus endpoint ---- */

static const char index_page[] =
	"<html><head><title>dpu-telemetry</title></head><body>"
	"<h1>dpu-telemetry</h1><p><a href=\"/metrics\">metrics</a></p></body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (r == NULL) {
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	static const char text_type[] = "text/plain; version=0.0.4; charset=utf-8";
	static const char om_type[] = "application/openmetrics-text; version=1.0.0; charset=utf-8";
	struct dts *d = cls;
	const char *accept;
	enum MHD_Result ret;
	bool om;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		atomic_fetch_add(&d->http_errors, 1);
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n", 9);
	}
	if (strcmp(url, "/") == 0) {
		return reply(c, MHD_HTTP_OK, "text/html", index_page, sizeof(index_page) - 1);
	}
	if (strcmp(url, "/metrics") != 0) {
		atomic_fetch_add(&d->http_errors, 1);
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found; try /metrics\n", 24);
	}
	accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	om = accept != NULL && strstr(accept, "application/openmetrics-text") != NULL;
	atomic_fetch_add(&d->scrapes, 1);
	pthread_mutex_lock(&d->lock);
	ret = reply(c, MHD_HTTP_OK, om ? om_type : text_type, d->text[om] ? d->text[om] : "",
		    d->text[om] ? d->len[om] : 0);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_warn_rl("http: %s", buf);
}

static void http_stop(struct dts *d)
{
	if (d->mhd != NULL) {
		MHD_stop_daemon(d->mhd);
		d->mhd = NULL;
	}
}

static int http_start(struct dts *d)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	char port[8];
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_USE_ERROR_LOG;
	int rc;

	if (!d->cfg.prometheus) {
		log_info("Prometheus endpoint off (no prometheus= in %s)", d->config_path);
		return 0;
	}
	snprintf(port, sizeof(port), "%u", d->cfg.prom_port);
	rc = getaddrinfo(d->cfg.prom_host, port, &hints, &ai);
	if (rc != 0) {
		log_err("prometheus=%s:%s: %s", d->cfg.prom_host, port, gai_strerror(rc));
		return -EINVAL;
	}
	if (ai->ai_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
	}
	d->mhd = MHD_start_daemon(flags, d->cfg.prom_port, NULL, NULL, on_request, d,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, d, MHD_OPTION_SOCK_ADDR,
				  ai->ai_addr, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				  MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
	freeaddrinfo(ai);
	if (d->mhd == NULL) {
		log_err("Prometheus endpoint on %s:%u: cannot listen (in use?)", d->cfg.prom_host,
			d->cfg.prom_port);
		return -EADDRINUSE;
	}
	dpu_strscpy(d->mhd_host, d->cfg.prom_host, sizeof(d->mhd_host));
	d->mhd_port = d->cfg.prom_port;
	log_info("Prometheus endpoint on http://%s:%u/metrics", d->cfg.prom_host, d->cfg.prom_port);
	return 0;
}

/* ---- fluent_aggr ---- */

/* Start, stop or move fluent_aggr to match the configuration. */
static void fluent_apply(struct dts *d)
{
	bool want = dts_config_provider_enabled(&d->cfg, "fluent_aggr");
	int rc;

	if (d->fluent != NULL && (!want || d->cfg.fluent_port != d->fluent_port ||
				  strcmp(d->cfg.fluent_host, d->fluent_host) != 0)) {
		dts_fluent_stop(d->fluent);
		d->fluent = NULL;
	}
	if (want && d->fluent == NULL) {
		rc = dts_fluent_start(d->loop, d->cfg.fluent_host, d->cfg.fluent_port, &d->fluent);
		if (rc < 0) {
			log_err("fluent_aggr on %s:%u: %s", d->cfg.fluent_host, d->cfg.fluent_port,
				strerror(-rc));
			return;
		}
		dpu_strscpy(d->fluent_host, d->cfg.fluent_host, sizeof(d->fluent_host));
		d->fluent_port = d->cfg.fluent_port;
	}
}

/* ---- data files ---- */

static void data_close_all(struct dts *d)
{
	for (size_t i = 0; i < ARRAY_SIZE(d->data); i++) {
		dts_dfile_destroy(d->data[i].f);
		memset(&d->data[i], 0, sizeof(d->data[i]));
	}
}

static void on_message(void *arg, const char *source_id, int kind, const void *msg, size_t len)
{
	struct dts *d = arg;
	size_t i, free_slot = ARRAY_SIZE(d->data);

	if (!d->cfg.data_write) {
		return;
	}
	for (i = 0; i < ARRAY_SIZE(d->data); i++) {
		if (d->data[i].f != NULL && strcmp(d->data[i].id, source_id) == 0) {
			break;
		}
		if (d->data[i].f == NULL && free_slot == ARRAY_SIZE(d->data)) {
			free_slot = i;
		}
	}
	if (i == ARRAY_SIZE(d->data)) {
		char dir[PATH_MAX + 8], prefix[DTS_IPC_NAME];

		if (kind != DTS_IPC_HELLO || free_slot == ARRAY_SIZE(d->data)) {
			return; /* connected before data-write was on: from its next HELLO */
		}
		i = free_slot;
		snprintf(dir, sizeof(dir), "%s/data", d->root);
		dpu_strscpy(prefix, source_id, sizeof(prefix));
		for (char *c = prefix; *c != '\0'; c++) {
			*c = *c == '/' ? '_' : *c;
		}
		if (dts_dfile_create(dir, prefix, d->cfg.data_max_bytes, d->cfg.data_max_age_ms,
				     &d->data[i].f) < 0) {
			log_err_rl("data files in %s: cannot write there", dir);
			return;
		}
		dpu_strscpy(d->data[i].id, source_id, sizeof(d->data[i].id));
	}
	if (kind == DTS_IPC_HELLO) {
		dts_dfile_preamble_reset(d->data[i].f, msg, len);
		d->data[i].described = true;
	} else if (kind == DTS_IPC_TYPE) {
		dts_dfile_preamble_add(d->data[i].f, msg, len);
	} else if (d->data[i].described) {
		dts_dfile_write(d->data[i].f, msg, len);
	}
}

static int data_collect(const struct dts *d, struct dts_snapshot *snap)
{
	uint64_t files = 0, errors = 0;
	struct dts_series *s;

	if (!d->cfg.data_write) {
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(d->data); i++) {
		if (d->data[i].f != NULL) {
			files += dts_dfile_files(d->data[i].f);
			errors += dts_dfile_errors(d->data[i].f);
		}
	}
	s = dts_snapshot_add(snap, "dts_data_files", "data files started", DTS_COUNTER,
			     "data_files", "dts", 0);
	if (s == NULL) {
		return -ENOMEM;
	}
	s->u = files;
	s = dts_snapshot_add(snap, "dts_data_write_errors", "messages not written to data files",
			     DTS_COUNTER, "data_write_errors", "dts", 0);
	if (s == NULL) {
		return -ENOMEM;
	}
	s->u = errors;
	return 0;
}

/* ---- prometheus_aggr ---- */

/* Start, stop or restart the scraper to match the configuration. */
static void paggr_apply(struct dts *d)
{
	bool want = dts_config_provider_enabled(&d->cfg, "prometheus_aggr") && d->cfg.n_aggr > 0;
	int rc;

	if (d->paggr != NULL && (!want || !dts_paggr_same(d->paggr, &d->cfg, d->cfg.update_ms))) {
		dts_paggr_stop(d->paggr);
		d->paggr = NULL;
	}
	if (want && d->paggr == NULL) {
		rc = dts_paggr_start(&d->cfg, d->cfg.update_ms, &d->paggr);
		if (rc < 0) {
			log_err("prometheus_aggr: %s", strerror(-rc));
		} else {
			log_info("prometheus_aggr: scraping %zu endpoint%s", d->cfg.n_aggr,
				 d->cfg.n_aggr == 1 ? "" : "s");
		}
	} else if (dts_config_provider_enabled(&d->cfg, "prometheus_aggr") && d->cfg.n_aggr == 0) {
		log_warn("prometheus_aggr is enabled without prometheus-aggr-endpoints");
	}
}

/* ---- Fluent forward push ---- */

/* The exporter API's records, as they come in, to the forward destination. */
static void on_records(void *arg, const char *source_id, const char *schema, const char *type,
		       const struct dts_ipc_field_view *fields, unsigned int n_fields,
		       size_t rec_size, const uint8_t *recs, uint32_t n, uint64_t timestamp_us)
{
	struct dts *d = arg;

	dts_fwd_push_records(d->fwd, source_id, schema, type, fields, n_fields, rec_size, recs, n,
			     timestamp_us);
}

/* Read fluent_bit_configs/forward.exp; start, stop or move the forwarder to match. */
static int forward_apply(struct dts *d)
{
	struct dts_fwd_conf c;
	struct dpu_cfg_err err;
	char buf[700];
	int rc = dts_fwd_conf_load(d->config_dir, &c, &err);

	if (rc < 0) {
		log_err("%s; forwarding as before", dpu_cfg_err_str(&err, buf, sizeof(buf)));
		return rc;
	}
	if (d->fwd != NULL && (!c.enable || memcmp(&c, &d->fwd_conf, sizeof(c)) != 0)) {
		dts_fwd_stop(d->fwd);
		d->fwd = NULL;
	}
	d->fwd_conf = c;
	if (c.enable && d->fwd == NULL) {
		rc = dts_fwd_start(d->loop, &c, &d->fwd);
		if (rc < 0) {
			log_err("forward to %s:%u: %s", c.host, c.port, strerror(-rc));
		} else {
			log_info("Fluent forward to %s:%u, tag %s", c.host, c.port, c.tag);
		}
	}
	return rc;
}

/* ---- configuration ---- */

static int load_config(struct dts *d, struct dts_config *cfg)
{
	struct dpu_cfg_err err;
	char buf[700];
	int rc = dts_config_load(d->config_path, cfg, &err);

	if (rc < 0) {
		log_err("%s", dpu_cfg_err_str(&err, buf, sizeof(buf)));
	}
	return rc;
}

/* A missing dts_config.ini gets the defaults, as telemetry-init.sh writes them. */
static int ensure_config(struct dts *d)
{
	FILE *f;

	if (access(d->config_path, F_OK) == 0) {
		return 0;
	}
	f = fopen(d->config_path, "wx");
	if (f == NULL) {
		int rc = -errno;

		log_err("%s: cannot write the default configuration: %s", d->config_path,
			strerror(-rc));
		return rc;
	}
	fputs(dts_config_default_text, f);
	if (fclose(f) != 0) {
		return -EIO;
	}
	log_info("%s: default configuration written", d->config_path);
	return 0;
}

static void on_reload(struct dpu_loop *loop, void *arg)
{
	struct dts *d = arg;
	struct dts_config cfg;

	(void)loop;
	if (load_config(d, &cfg) < 0) {
		log_err("reload failed; keeping the running configuration");
		return;
	}
	bool restart = cfg.prometheus != d->cfg.prometheus || cfg.prom_port != d->cfg.prom_port ||
		       strcmp(cfg.prom_host, d->cfg.prom_host) != 0;

	if (!cfg.data_write || cfg.data_max_bytes != d->cfg.data_max_bytes ||
	    cfg.data_max_age_ms != d->cfg.data_max_age_ms) {
		data_close_all(d); /* sources are written again from their next HELLO */
	}
	d->cfg = cfg;
	dpu_loop_timer_set(d->timer, 1, d->cfg.update_ms * DPU_NSEC_PER_MSEC);
	if (restart) {
		http_stop(d);
		http_start(d);
	}
	fluent_apply(d);
	paggr_apply(d);
	forward_apply(d);
	log_info("configuration reloaded: update=%llu ms, %zu enabled, %zu disabled providers",
		 (unsigned long long)d->cfg.update_ms, d->cfg.enabled.n, d->cfg.disabled.n);
}

/* ---- main ---- */

static void usage(FILE *out)
{
	fprintf(out, "usage: dpu-telemetry [--config-dir DIR] [--device URI] [options]\n"
		     "  -c, --config-dir DIR   holds dts_config.ini (default "
		     "<run dir>/telemetry/config)\n"
		     "  -d, --device URI       the device (default sim:bf3-0)\n"
		     "      --init             write the default dts_config.ini if there is "
		     "none, check it, exit\n"
		     "  -h, --help             this text\n");
	dpu_common_usage(out);
}

static int make_layout(struct dts *d)
{
	static const char *const subs[] = {"data", "ipc_sockets"};
	char *slash;
	int rc = dpu_mkdir_p(d->config_dir, 0755);

	if (rc < 0) {
		log_err("%s: %s", d->config_dir, strerror(-rc));
		return rc;
	}
	dpu_strscpy(d->root, d->config_dir, sizeof(d->root));
	slash = strrchr(d->root, '/');
	if (slash != NULL && slash != d->root) {
		*slash = '\0';
	} else {
		dpu_strscpy(d->root, ".", sizeof(d->root));
	}
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++) {
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/%s", d->root, subs[i]);
		rc = dpu_mkdir_p(path, 0755);
		if (rc < 0) {
			log_err("%s: %s", path, strerror(-rc));
			return rc;
		}
	}
	snprintf(d->config_path, sizeof(d->config_path), "%s/dts_config.ini", d->config_dir);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		DPU_COMMON_LONGOPTS,
		{"config-dir", required_argument, NULL, 'c'},
		{"device", required_argument, NULL, 'd'},
		{"init", no_argument, NULL, 'I'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct dts d = {.uri = "sim:bf3-0"};
	struct dpu_daemon_signals sigs = {.on_reload = on_reload, .arg = &d};
	struct dpu_pidfile *pid = NULL;
	char path[PATH_MAX + 32];
	pid_t owner = 0;
	bool init_only = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, DPU_COMMON_SHORTOPTS "c:d:h", longopts, NULL)) != -1) {
		rc = dpu_common_opt(c, optarg);
		if (rc > 0) {
			continue;
		}
		if (rc < 0) {
			return 2;
		}
		switch (c) {
		case 'c':
			if (dpu_strscpy(d.config_dir, optarg, sizeof(d.config_dir)) < 0) {
				fprintf(stderr, "dpu-telemetry: --config-dir too long\n");
				return 2;
			}
			break;
		case 'd':
			d.uri = optarg;
			break;
		case 'I':
			init_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	dpu_common_log_open("dpu-telemetry");
	if (d.config_dir[0] == '\0') {
		char base[PATH_MAX - 64];

		if (dpu_rundir_default(base, sizeof(base)) < 0) {
			log_err("run directory name too long");
			return 1;
		}
		snprintf(d.config_dir, sizeof(d.config_dir), "%s/telemetry/config", base);
	}
	if (make_layout(&d) < 0 || ensure_config(&d) < 0 || load_config(&d, &d.cfg) < 0) {
		return 1;
	}
	if (init_only) {
		return 0;
	}
	snprintf(path, sizeof(path), "%s/dpu-telemetry.pid", d.root);
	rc = dpu_pidfile_open(path, &pid, &owner);
	if (rc < 0) {
		if (rc == -EBUSY) {
			log_err("%s: already running (pid %ld)", d.root, (long)owner);
		} else {
			log_err("%s: %s", path, strerror(-rc));
		}
		return 1;
	}
	pthread_mutex_init(&d.lock, NULL);
	rc = dpu_loop_create(&d.loop);
	if (rc == 0) {
		rc = dpu_daemon_signals(d.loop, &sigs);
	}
	if (rc == 0) {
		rc = dpu_loop_add_timer(d.loop, 1, d.cfg.update_ms * DPU_NSEC_PER_MSEC, on_timer,
					&d, &d.timer);
	}
	if (rc < 0) {
		log_err("event loop: %s", strerror(-rc));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/ipc_sockets", d.root);
	rc = dts_ipcsrv_start(d.loop, path, &d.ipc);
	if (rc < 0) {
		log_err("%s/%s: %s", path, "dpu-telemetry.sock", strerror(-rc));
		goto out;
	}
	dts_ipcsrv_set_records_sink(d.ipc, on_records, &d);
	dts_ipcsrv_set_msg_sink(d.ipc, on_message, &d);
	fluent_apply(&d);
	paggr_apply(&d);
	if (forward_apply(&d) < 0) {
		rc = -EINVAL;
		goto out;
	}
	collect(&d); /* something to serve from the first scrape on */
	rc = http_start(&d);
	if (rc < 0) {
		goto out;
	}
	log_info("up: config %s, device %s, update %llu ms", d.config_path, d.uri,
		 (unsigned long long)d.cfg.update_ms);
	rc = dpu_loop_run(d.loop);
	log_info("down");
out:
	http_stop(&d);
	dts_fluent_stop(d.fluent);
	dts_fwd_stop(d.fwd);
	data_close_all(&d);
	dts_paggr_stop(d.paggr);
	dts_nvml_free(d.nvml);
	dts_bfperf_free(d.bfperf);
	dts_ppcc_free(d.ppcc);
	dts_hcaperf_free(d.hcaperf);
	dts_ipcsrv_stop(d.ipc);
	dpu_loop_destroy(d.loop);
	dpu_dev_close(d.dev);
	free(d.text[0]);
	free(d.text[1]);
	pthread_mutex_destroy(&d.lock);
	dpu_pidfile_close(pid);
	return rc < 0 ? 1 : 0;
}
