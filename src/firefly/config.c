/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Firefly settings, profiles and the ptp4l configuration built from them.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"
#include "firefly/config.h"
#include "firefly/ptpconf.h"

static const char *const profile_names[] = {
	[FF_PROFILE_DEFAULT] = "default",
	[FF_PROFILE_MEDIA] = "media",
	[FF_PROFILE_TELECOM] = "telecom",
	[FF_PROFILE_CUSTOM] = "custom",
};

static const char *const provider_names[] = {
	[FF_PTP] = "PTP",	  [FF_PHC2SYS] = "PHC2SYS", [FF_PPS] = "PPS",
	[FF_MONITOR] = "MONITOR", [FF_SYNCE] = "SYNCE",
};

static const char *const state_names[] = {
	[FF_STATE_DEFINED_BY_PROFILE] = "defined_by_profile",
	[FF_STATE_ENABLE] = "enable",
	[FF_STATE_DISABLE] = "disable",
};

/* What each profile turns on (PTP, PHC2SYS, PPS, MONITOR, SYNCE). */
static const bool profile_on[][FF_N_PROVIDERS] = {
	[FF_PROFILE_DEFAULT] = {true, true, true, false, false},
	[FF_PROFILE_MEDIA] = {true, true, true, false, false},
	[FF_PROFILE_TELECOM] = {true, true, true, false, true},
};

struct kvs {
	const char *key, *value;
};

/* IEEE 1588 default profile (delay request-response): E2E over UDPv4. */
static const struct kvs opts_default[] = {
	{"domainNumber", "0"},		 {"logAnnounceInterval", "1"},
	{"logSyncInterval", "0"},	 {"logMinDelayReqInterval", "0"},
	{"announceReceiptTimeout", "3"}, {"delay_mechanism", "E2E"},
	{"network_transport", "UDPv4"},	 {NULL, NULL},
};

/* SMPTE ST 2059-2: domain 127, faster messages, client only. */
static const struct kvs opts_media[] = {
	{"domainNumber", "127"},
	{"logAnnounceInterval", "-2"},
	{"logSyncInterval", "-3"},
	{"logMinDelayReqInterval", "-3"},
	{"announceReceiptTimeout", "3"},
	{"slaveOnly", "1"},
	{"dscp_event", "46"},
	{"delay_mechanism", "E2E"},
	{"network_transport", "UDPv4"},
	{NULL, NULL},
};

/* ITU-T G.8275.1: full timing support, Ethernet multicast, client only. */
static const struct kvs opts_telecom[] = {
	{"domainNumber", "24"},
	{"slaveOnly", "1"},
	{"clockClass", "255"},
	{"dataset_comparison", "G.8275.x"},
	{"G.8275.defaultDS.localPriority", "128"},
	{"maxStepsRemoved", "255"},
	{"logAnnounceInterval", "-3"},
	{"logSyncInterval", "-4"},
	{"logMinDelayReqInterval", "-4"},
	{"announceReceiptTimeout", "3"},
	{"ptp_dst_mac", "01:80:C2:00:00:0E"},
	{"network_transport", "L2"},
	{"delay_mechanism", "E2E"},
	{"hybrid_e2e", "0"},
	{NULL, NULL},
};

static const struct kvs *const profile_opts[] = {
	[FF_PROFILE_DEFAULT] = opts_default,
	[FF_PROFILE_MEDIA] = opts_media,
	[FF_PROFILE_TELECOM] = opts_telecom,
	[FF_PROFILE_CUSTOM] = NULL,
};

const char *ff_profile_name(enum ff_profile p)
{
	return profile_names[p];
}

const char *ff_provider_name(enum ff_provider p)
{
	return provider_names[p];
}

const char *ff_state_name(enum ff_state st)
{
	return state_names[st];
}

void ff_settings_init(struct ff_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->profile = FF_PROFILE_DEFAULT;
	dpu_strscpy(s->monitor_addr, "0.0.0.0", sizeof(s->monitor_addr));
	s->monitor_port = FF_MONITOR_PORT_DEFAULT;
	s->monitor_interval_ms = 500;
	s->telemetry = true;
}

static int copy(char *dst, size_t size, const char *key, const char *value, struct dpu_cfg_err *err)
{
	if (dpu_strscpy(dst, value, size) < 0) {
		return dpu_cfg_err_set(err, NULL, 0, key, "'%s' is too long (at most %zu bytes)",
				       value, size - 1);
	}
	return 0;
}

static int lookup(const char *const names[], size_t n, const char *value)
{
	for (size_t i = 0; i < n; i++) {
		if (names[i] != NULL && strcmp(names[i], value) == 0) {
			return (int)i;
		}
	}
	return -1;
}

int ff_settings_set(struct ff_settings *s, const char *key, const char *value,
		    struct dpu_cfg_err *err)
{
	const char *why = NULL;
	uint64_t u;
	bool b;
	int i;

	if (strcmp(key, "PROFILE") == 0) {
		if ((i = lookup(profile_names, ARRAY_SIZE(profile_names), value)) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key,
					       "unknown profile '%s' (default, media, telecom, "
					       "custom)",
					       value);
		}
		s->profile = (enum ff_profile)i;
		return 0;
	}
	for (size_t p = 0; p < FF_N_PROVIDERS; p++) {
		size_t n = strlen(provider_names[p]);

		if (strncmp(key, provider_names[p], n) == 0 && strcmp(key + n, "_STATE") == 0) {
			if ((i = lookup(state_names, ARRAY_SIZE(state_names), value)) < 0) {
				return dpu_cfg_err_set(err, NULL, 0, key,
						       "'%s' is not enable, disable or "
						       "defined_by_profile",
						       value);
			}
			s->state[p] = (enum ff_state)i;
			return 0;
		}
	}
	if (strcmp(key, "PTP_INTERFACE") == 0) {
		return copy(s->ptp_interface, sizeof(s->ptp_interface), key, value, err);
	}
	if (strcmp(key, "PTP_CONFIG_FILE") == 0) {
		return copy(s->ptp_config_file, sizeof(s->ptp_config_file), key, value, err);
	}
	if (strcmp(key, "SYNCE_INTERFACE") == 0) {
		return copy(s->synce_interface, sizeof(s->synce_interface), key, value, err);
	}
	if (strcmp(key, "PHC2SYS_ARGS") == 0) {
		return copy(s->phc2sys_args, sizeof(s->phc2sys_args), key, value, err);
	}
	if (strcmp(key, "MONITOR_ADDRESS") == 0) {
		return copy(s->monitor_addr, sizeof(s->monitor_addr), key, value, err);
	}
	if (strcmp(key, "DPU_DEVICE") == 0) {
		return copy(s->device, sizeof(s->device), key, value, err);
	}
	if (strcmp(key, "TELEMETRY_IPC_SOCKETS_DIR") == 0) {
		return copy(s->telemetry_sockets, sizeof(s->telemetry_sockets), key, value, err);
	}
	if (strcmp(key, "MONITOR_PORT") == 0) {
		if (dpu_cfg_parse_u64(value, 1, 65535, &u, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s' %s", value, why);
		}
		s->monitor_port = (uint16_t)u;
		return 0;
	}
	if (strcmp(key, "MONITOR_INTERVAL_MS") == 0) {
		if (dpu_cfg_parse_u64(value, 10, 60000, &u, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s' %s", value, why);
		}
		s->monitor_interval_ms = (uint32_t)u;
		return 0;
	}
	if (strcmp(key, "FIREFLY_TELEMETRY") == 0) {
		if (dpu_cfg_parse_bool(value, &b, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s' %s", value, why);
		}
		s->telemetry = b;
		return 0;
	}
	return -ENOENT;
}

static const char *const all_keys[] = {
	"PROFILE",
	"PTP_INTERFACE",
	"PTP_CONFIG_FILE",
	"SYNCE_INTERFACE",
	"PTP_STATE",
	"PHC2SYS_STATE",
	"PPS_STATE",
	"MONITOR_STATE",
	"SYNCE_STATE",
	"PHC2SYS_ARGS",
	"MONITOR_ADDRESS",
	"MONITOR_PORT",
	"MONITOR_INTERVAL_MS",
	"DPU_DEVICE",
	"TELEMETRY_IPC_SOCKETS_DIR",
	"FIREFLY_TELEMETRY",
};

int ff_settings_from_env(struct ff_settings *s, struct dpu_cfg_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_keys); i++) {
		const char *v = getenv(all_keys[i]);
		int rc;

		if (v != NULL && (rc = ff_settings_set(s, all_keys[i], v, err)) < 0) {
			if (err != NULL) {
				dpu_strscpy(err->file, "environment", sizeof(err->file));
			}
			return rc;
		}
	}
	return 0;
}

static int ini_line(void *arg, const char *section, const char *key, const char *value, int line,
		    struct dpu_cfg_err *err)
{
	int rc;

	(void)line;
	if (section[0] != '\0') {
		return dpu_cfg_err_set(err, NULL, 0, NULL,
				       "sections are not used here ([%s]); write KEY=value lines",
				       section);
	}
	rc = ff_settings_set(arg, key, value, err);
	if (rc == -ENOENT) {
		return dpu_cfg_err_set(err, NULL, 0, key, "not a Firefly setting");
	}
	return rc;
}

int ff_settings_load(struct ff_settings *s, const char *path, struct dpu_cfg_err *err)
{
	struct ff_settings scratch = *s;
	int rc = dpu_ini_load(path, ini_line, &scratch, err);

	if (rc == 0) {
		*s = scratch;
	}
	return rc;
}

int ff_settings_resolve(const struct ff_settings *s, bool on[FF_N_PROVIDERS],
			struct dpu_cfg_err *err)
{
	for (size_t p = 0; p < FF_N_PROVIDERS; p++) {
		char key[32];

		snprintf(key, sizeof(key), "%s_STATE", provider_names[p]);
		switch (s->state[p]) {
		case FF_STATE_ENABLE:
			on[p] = true;
			break;
		case FF_STATE_DISABLE:
			on[p] = false;
			break;
		case FF_STATE_DEFINED_BY_PROFILE:
			if (s->profile == FF_PROFILE_CUSTOM) {
				return dpu_cfg_err_set(err, NULL, 0, key,
						       "defined_by_profile is not allowed with "
						       "the custom profile: set enable or disable");
			}
			on[p] = profile_on[s->profile][p];
			break;
		}
	}
	if (on[FF_PTP] && s->profile == FF_PROFILE_CUSTOM && s->ptp_config_file[0] == '\0') {
		return dpu_cfg_err_set(err, NULL, 0, "PTP_CONFIG_FILE",
				       "the custom profile needs a ptp4l configuration file");
	}
	if (on[FF_MONITOR] && !on[FF_PTP]) {
		return dpu_cfg_err_set(err, NULL, 0, "MONITOR_STATE",
				       "the PTP monitor needs PTP enabled");
	}
	return 0;
}

int ff_build_ptp4l_conf(const struct ff_settings *s, const char *uds_path, bool hw_ts,
			struct ff_ptpconf **confp, struct dpu_cfg_err *err)
{
	const struct kvs *o = profile_opts[s->profile];
	struct ff_ptpconf *c = NULL;
	int rc = ff_ptpconf_create(&c);

	for (; rc == 0 && o != NULL && o->key != NULL; o++) {
		rc = ff_ptpconf_set(c, "global", o->key, o->value, err);
	}
	if (rc == 0 && s->ptp_config_file[0] != '\0') {
		rc = ff_ptpconf_load(c, s->ptp_config_file, err);
	}
	if (rc == 0 && ff_ptpconf_get(c, "global", "time_stamping") == NULL) {
		rc = ff_ptpconf_set(c, "global", "time_stamping", hw_ts ? "hardware" : "software",
				    err);
	}
	/*
	 * A "master offset ... sN freq F" line per sample (no summaries), which
	 * carries the servo state the monitor shows; a user's value stands.
	 */
	if (rc == 0 && ff_ptpconf_get(c, "global", "summary_interval") == NULL) {
		rc = ff_ptpconf_set(c, "global", "summary_interval", "-16", err);
	}
	if (rc == 0 && ff_ptpconf_get(c, "global", "logging_level") == NULL) {
		rc = ff_ptpconf_set(c, "global", "logging_level", "6", err);
	}
	/* Firefly owns these: the monitor's socket and ptp4l's log on stdout. */
	if (rc == 0) {
		rc = ff_ptpconf_set(c, "global", "uds_address", uds_path, err);
	}
	if (rc == 0) {
		rc = ff_ptpconf_set(c, "global", "verbose", "1", err);
	}
	if (rc == 0) {
		rc = ff_ptpconf_set(c, "global", "use_syslog", "0", err);
	}
	if (rc == 0 && s->ptp_interface[0] != '\0') {
		rc = ff_ptpconf_add_section(c, s->ptp_interface);
	}
	if (rc == 0 && ff_ptpconf_port(c, 0) == NULL) {
		rc = dpu_cfg_err_set(err, NULL, 0, "PTP_INTERFACE",
				     "no interface: set PTP_INTERFACE or name one in the "
				     "configuration file");
	}
	if (rc < 0) {
		ff_ptpconf_destroy(c);
		c = NULL;
	}
	*confp = c;
	return rc;
}
