/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/config.h"

const char dts_config_default_text[] =
	"# dts_config.ini: dpu-telemetry's configuration (docs/telemetry.md).\n"
	"# Delete this file and restart the service to get the defaults back.\n"
	"\n"
	"# Collection interval, ms.\n"
	"update=1000\n"
	"\n"
	"# Providers: all that are on by default run unless disabled, e.g.\n"
	"#   disable-provider=sysfs.hwmon\n"
	"# enable-explicitly=true runs only what enable-provider names.\n"
	"enable-explicitly=false\n"
	"#enable-provider=sysfs.bf_ptm\n"
	"# Off by default: ifconfig ethtool tc bfperf ppcc_eth hcaperf nvidia-smi dcgm\n"
	"# fluent_aggr prometheus_aggr; grc.<provider> runs one in dpu-dpe (dpe-socket=).\n"
	"#enable-provider=ethtool\n"
	"#dpe-socket=/run/dpu-dpe/dpe.sock\n"
	"\n"
	"# The Prometheus endpoint (remove the line to turn it off).\n"
	"prometheus=http://0.0.0.0:9100\n"
	"#prometheus-indexes=device,hca,port\n"
	"#prometheus-ignore-names=\n"
	"#prometheus-ignore-tags=\n"
	"\n"
	"# 3 error, 6 info, 7 debug.\n"
	"verbose=6\n";

/* Keys of the real service's file that are accepted without effect (yet). */
static const char *const accepted_keys[] = {
	"port",
	"sync-time-limit",
	"counter-buffer-size",
	"event-buffer-size",
	"runtime-configuration-folder",
	"idle-time-limit",
	"open-telemetry-receiver",
	"open-telemetry-ca-file",
};

void dts_config_defaults(struct dts_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->update_ms = DTS_UPDATE_DEFAULT_MS;
	cfg->verbose = 6;
	dpu_strscpy(cfg->fluent_host, "0.0.0.0", sizeof(cfg->fluent_host));
	cfg->fluent_port = 42442;
	cfg->data_max_bytes = 1024 * 1024;
	cfg->data_max_age_ms = 3600 * 1000;
	dpu_strscpy(cfg->dpe_socket, "/run/dpu-dpe/dpe.sock", sizeof(cfg->dpe_socket));
}

bool dts_names_has(const struct dts_names *names, const char *name)
{
	for (size_t i = 0; i < names->n; i++) {
		if (strcmp(names->v[i], name) == 0) {
			return true;
		}
	}
	return false;
}

static int add_name(struct dts_names *names, const char *key, const char *name,
		    struct dpu_cfg_err *err)
{
	if (name[0] == '\0') {
		return dpu_cfg_err_set(err, NULL, 0, key, "empty name");
	}
	if (dts_names_has(names, name)) {
		return 0;
	}
	if (names->n == DTS_CFG_MAX_ITEMS) {
		return dpu_cfg_err_set(err, NULL, 0, key, "more than %d names", DTS_CFG_MAX_ITEMS);
	}
	if (dpu_strscpy(names->v[names->n], name, DTS_CFG_ITEM) < 0) {
		return dpu_cfg_err_set(err, NULL, 0, key, "'%s': longer than %d characters", name,
				       DTS_CFG_ITEM - 1);
	}
	names->n++;
	return 0;
}

/* "a, b,c" -> names; an empty value is an empty list. */
static int add_list(struct dts_names *names, const char *key, const char *value,
		    struct dpu_cfg_err *err)
{
	char *copy = strdup(value), *save = NULL;
	int rc = 0;

	if (copy == NULL) {
		return -ENOMEM;
	}
	for (char *tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;

		while (*tok == ' ' || *tok == '\t') {
			tok++;
		}
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t')) {
			*--end = '\0';
		}
		if (*tok != '\0') {
			rc = add_name(names, key, tok, err);
		}
	}
	free(copy);
	return rc;
}

/* provider[.component], each part [a-z0-9_] (a "grc." prefix is a provider name too). */
static int check_provider(const char *key, const char *value, struct dpu_cfg_err *err)
{
	size_t len = strlen(value);

	if (len == 0) {
		return dpu_cfg_err_set(err, NULL, 0, key, "a provider name is needed");
	}
	for (size_t i = 0; i < len; i++) {
		char c = value[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-')) {
			return dpu_cfg_err_set(err, NULL, 0, key,
					       "'%s': provider names are [a-z0-9_-], "
					       "optionally .component",
					       value);
		}
	}
	return 0;
}

/* "[name=]http://host:port/path", comma-separated, for prometheus_aggr. */
static int add_endpoints(struct dts_config *cfg, const char *key, const char *value,
			 struct dpu_cfg_err *err)
{
	char list[1024], *save = NULL;

	if (dpu_strscpy(list, value, sizeof(list)) < 0) {
		return dpu_cfg_err_set(err, NULL, 0, key, "longer than %zu bytes",
				       sizeof(list) - 1);
	}
	for (char *e = strtok_r(list, ",", &save); e != NULL; e = strtok_r(NULL, ",", &save)) {
		char *url = strstr(e, "://"), *eq = strchr(e, '='), host[64];
		const char *why;
		uint16_t port;
		size_t i = cfg->n_aggr;

		while (*e == ' ') {
			e++;
		}
		if (eq != NULL && (url == NULL || eq < url)) {
			*eq = '\0';
			url = eq + 1;
		} else {
			url = e;
		}
		if (i == DTS_AGGR_MAX_ENDPOINTS) {
			return dpu_cfg_err_set(err, NULL, 0, key, "more than %d endpoints",
					       DTS_AGGR_MAX_ENDPOINTS);
		}
		if (strncmp(url, "http://", 7) != 0 ||
		    dpu_cfg_parse_hostport(url, host, sizeof(host), &port, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key,
					       "'%s': expected [name=]http://host:port/path", url);
		}
		if (dpu_strscpy(cfg->aggr[i].url, url, sizeof(cfg->aggr[i].url)) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': URL too long", url);
		}
		if (url != e) {
			if (e[0] == '\0' ||
			    dpu_strscpy(cfg->aggr[i].name, e, sizeof(cfg->aggr[i].name)) < 0) {
				return dpu_cfg_err_set(err, NULL, 0, key,
						       "'%s': a name of 1..63 bytes", e);
			}
		} else {
			char name[sizeof(host) + 8];

			snprintf(name, sizeof(name), "%s:%u", host, port);
			dpu_strscpy(cfg->aggr[i].name, name, sizeof(cfg->aggr[i].name));
		}
		cfg->n_aggr++;
	}
	return 0;
}

static int cfg_key(void *arg, const char *section, const char *key, const char *value, int line,
		   struct dpu_cfg_err *err)
{
	struct dts_config *cfg = arg;
	const char *why;
	uint64_t v;
	int rc;

	(void)line;
	if (section[0] != '\0') {
		return dpu_cfg_err_set(err, NULL, 0, key, "unknown section [%s]", section);
	}
	if (strcmp(key, "enable-provider") == 0 || strcmp(key, "disable-provider") == 0) {
		rc = check_provider(key, value, err);
		if (rc < 0) {
			return rc;
		}
		return add_name(key[0] == 'e' ? &cfg->enabled : &cfg->disabled, key, value, err);
	}
	if (strcmp(key, "enable-explicitly") == 0) {
		if (dpu_cfg_parse_bool(value, &cfg->enable_explicitly, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s", value, why);
		}
		return 0;
	}
	if (strcmp(key, "update") == 0) {
		if (dpu_cfg_parse_u64(value, 10, 3600000, &cfg->update_ms, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s (10..3600000 ms)",
					       value, why);
		}
		return 0;
	}
	if (strcmp(key, "prometheus") == 0) {
		char url[300];
		uint16_t port = DTS_PROMETHEUS_DEFAULT_PORT;

		if (value[0] == '\0') { /* "prometheus=" turns it off */
			cfg->prometheus = false;
			return 0;
		}
		/* A URL without a port gets the default one. */
		if (strncmp(value, "http://", 7) != 0) {
			return dpu_cfg_err_set(err, NULL, 0, key,
					       "'%s': expected http://<address>[:<port>]", value);
		}
		if (strchr(value + 7, ':') == NULL ||
		    (value[7] == '[' && strstr(value, "]:") == NULL)) {
			snprintf(url, sizeof(url), "%s:%u", value, DTS_PROMETHEUS_DEFAULT_PORT);
		} else {
			snprintf(url, sizeof(url), "%s", value);
		}
		if (dpu_cfg_parse_hostport(url, cfg->prom_host, sizeof(cfg->prom_host), &port,
					   &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s", value, why);
		}
		cfg->prometheus = true;
		cfg->prom_port = port;
		return 0;
	}
	if (strcmp(key, "prometheus-indexes") == 0) {
		return add_list(&cfg->prom_indexes, key, value, err);
	}
	if (strcmp(key, "prometheus-fset-indexes") == 0) {
		return add_list(&cfg->prom_fset_indexes, key, value, err);
	}
	if (strcmp(key, "prometheus-ignore-names") == 0) {
		return add_list(&cfg->prom_ignore_names, key, value, err);
	}
	if (strcmp(key, "prometheus-ignore-tags") == 0) {
		return add_list(&cfg->prom_ignore_tags, key, value, err);
	}
	if (strcmp(key, "data-write") == 0) {
		if (dpu_cfg_parse_bool(value, &cfg->data_write, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s", value, why);
		}
		return 0;
	}
	if (strcmp(key, "data-max-file-size") == 0) {
		if (dpu_cfg_parse_u64(value, 4096, 1ull << 40, &cfg->data_max_bytes, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s (bytes)", value, why);
		}
		return 0;
	}
	if (strcmp(key, "data-max-file-age") == 0) {
		if (dpu_cfg_parse_u64(value, 1, 1ull << 40, &cfg->data_max_age_ms, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s (ms)", value, why);
		}
		return 0;
	}
	if (strcmp(key, "prometheus-aggr-endpoints") == 0) {
		return add_endpoints(cfg, key, value, err);
	}
	if (strcmp(key, "dpe-socket") == 0) {
		if (value[0] != '/' ||
		    dpu_strscpy(cfg->dpe_socket, value, sizeof(cfg->dpe_socket)) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key,
					       "'%s': an absolute path of at most %zu bytes", value,
					       sizeof(cfg->dpe_socket) - 1);
		}
		return 0;
	}
	if (strcmp(key, "fluent-aggr-listen") == 0) {
		if (dpu_cfg_parse_hostport(value, cfg->fluent_host, sizeof(cfg->fluent_host),
					   &cfg->fluent_port, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s", value, why);
		}
		return 0;
	}
	if (strcmp(key, "verbose") == 0) {
		if (dpu_cfg_parse_u64(value, 0, 7, &v, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s (0..7)", value, why);
		}
		cfg->verbose = (int)v;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(accepted_keys); i++) {
		if (strcmp(key, accepted_keys[i]) == 0) {
			return 0;
		}
	}
	return dpu_cfg_err_set(err, NULL, 0, key, "unknown key");
}

int dts_config_load(const char *path, struct dts_config *cfg, struct dpu_cfg_err *err)
{
	struct dts_config *scratch = malloc(sizeof(*scratch));
	int rc;

	if (scratch == NULL) {
		return -ENOMEM;
	}
	dts_config_defaults(scratch);
	rc = dpu_ini_load(path, cfg_key, scratch, err);
	if (rc == 0) {
		*cfg = *scratch;
	}
	free(scratch);
	return rc;
}

int dts_config_load_string(const char *text, const char *name, struct dts_config *cfg,
			   struct dpu_cfg_err *err)
{
	struct dts_config *scratch = malloc(sizeof(*scratch));
	int rc;

	if (scratch == NULL) {
		return -ENOMEM;
	}
	dts_config_defaults(scratch);
	rc = dpu_ini_load_string(text, name, cfg_key, scratch, err);
	if (rc == 0) {
		*cfg = *scratch;
	}
	free(scratch);
	return rc;
}

bool dts_config_provider_enabled(const struct dts_config *cfg, const char *provider)
{
	size_t len = strlen(provider);

	if (dts_names_has(&cfg->disabled, provider)) {
		return false;
	}
	for (size_t i = 0; i < cfg->enabled.n; i++) {
		const char *e = cfg->enabled.v[i];

		if (strncmp(e, provider, len) == 0 && (e[len] == '\0' || e[len] == '.')) {
			return true;
		}
	}
	return false;
}

bool dts_config_wants(const struct dts_config *cfg, const char *provider, const char *component,
		      bool on_by_default)
{
	char full[2 * DTS_CFG_ITEM];

	snprintf(full, sizeof(full), "%s.%s", provider, component);
	if (dts_names_has(&cfg->disabled, provider) || dts_names_has(&cfg->disabled, full)) {
		return false;
	}
	if (dts_names_has(&cfg->enabled, full)) {
		return true;
	}
	if (cfg->enable_explicitly) {
		/* The provider named alone brings its default components. */
		return dts_names_has(&cfg->enabled, provider) && on_by_default;
	}
	return on_by_default;
}
