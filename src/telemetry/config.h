/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dts_config.ini: the Telemetry Service's configuration, with the keys of
 * the real service (docs/telemetry.md lists them with their defaults).
 *
 *   enable-provider=<provider>[.<component>]   (repeatable)
 *   disable-provider=<provider>[.<component>]  (repeatable)
 *   enable-explicitly=true|false   only enabled providers run
 *   update=<ms>                    collection interval
 *   prometheus=http://<addr>[:<port>]   the endpoint (port 9100 when left out)
 *   prometheus-indexes=<a,b,...>        index fields that become labels
 *   prometheus-fset-indexes=<a,b,...>   (fieldsets: accepted for later)
 *   prometheus-ignore-names=<a,b,...>   counters not exported
 *   prometheus-ignore-tags=<a,b,...>    sources not exported
 *   verbose=3..7
 *   fluent-aggr-listen=<addr>:<port>    fluent_aggr's address (default 0.0.0.0:42442;
 *                                       our key: the real one is not published)
 *   dpe-socket=<path>                   dpu-dpe's socket, for grc.<provider>
 *                                       (default /run/dpu-dpe/dpe.sock; our key)
 * Keys of the real file this daemon does not act on yet (port,
 * sync-time-limit, buffer sizes, ...) are accepted and ignored, so a
 * BlueField's file loads; any other key is an error naming its line.
 */
#ifndef DPU_TELEMETRY_CONFIG_H
#define DPU_TELEMETRY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"

#define DTS_CFG_MAX_ITEMS 64
#define DTS_CFG_ITEM 64
#define DTS_PROMETHEUS_DEFAULT_PORT 9100
#define DTS_UPDATE_DEFAULT_MS 1000
#define DTS_AGGR_MAX_ENDPOINTS 16

/* A comma list or a repeated key, as names. */
struct dts_names {
	size_t n;
	char v[DTS_CFG_MAX_ITEMS][DTS_CFG_ITEM];
};

struct dts_config {
	bool enable_explicitly;
	struct dts_names enabled, disabled; /* "provider" or "provider.component" */
	uint64_t update_ms;
	bool prometheus; /* the endpoint is on */
	char prom_host[64];
	uint16_t prom_port;
	struct dts_names prom_indexes, prom_fset_indexes, prom_ignore_names, prom_ignore_tags;
	int verbose;
	char fluent_host[64];
	uint16_t fluent_port;
	char dpe_socket[108]; /* sun_path */
	/* binary data files of the exporter API's records (<root>/data) */
	bool data_write;
	uint64_t data_max_bytes, data_max_age_ms;
	/* prometheus_aggr's endpoints: "name=http://host:port/path" or just the URL */
	size_t n_aggr;
	struct {
		char name[64];
		char url[256];
	} aggr[DTS_AGGR_MAX_ENDPOINTS];
};

void dts_config_defaults(struct dts_config *cfg);
/*
 * Parse 'path' into 'cfg', starting from the defaults. 'cfg' changes only
 * when the whole file is accepted, so a bad file on reload leaves the
 * running configuration as it was. Errors name the file, line and key.
 */
int dts_config_load(const char *path, struct dts_config *cfg, struct dpu_cfg_err *err);
int dts_config_load_string(const char *text, const char *name, struct dts_config *cfg,
			   struct dpu_cfg_err *err);

/*
 * Whether component 'component' of 'provider' runs: a disable-provider of
 * either wins; with enable-explicitly only enabled ones run; otherwise a
 * component runs when it is on by default or enabled by name.
 */
bool dts_config_wants(const struct dts_config *cfg, const char *provider, const char *component,
		      bool on_by_default);
bool dts_names_has(const struct dts_names *names, const char *name);
/* Whether a provider that is off by default was turned on (enable-provider=P[.C]) and not off. */
bool dts_config_provider_enabled(const struct dts_config *cfg, const char *provider);

/* The text telemetry-init.sh writes into an empty config directory. */
extern const char dts_config_default_text[];

#endif /* DPU_TELEMETRY_CONFIG_H */
