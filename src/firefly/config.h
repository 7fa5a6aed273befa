/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Firefly's settings and profiles.
 *
 * Settings use the real service's names (PROFILE, PTP_INTERFACE,
 * PTP_CONFIG_FILE, <PROVIDER>_STATE, ...) wherever they come from: a
 * config file of KEY=value lines, the environment, or command-line options,
 * applied in that order (the later one wins).
 *
 * A profile fixes the ptp4l options of a PTP profile and the default state
 * of each provider; the user's PTP_CONFIG_FILE (ptp4l's own format) goes on
 * top, or, with the custom profile, is the whole configuration.
 */
#ifndef DPU_FIREFLY_CONFIG_H
#define DPU_FIREFLY_CONFIG_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

struct dpu_cfg_err;
struct ff_ptpconf;

enum ff_provider {
	FF_PTP,
	FF_PHC2SYS,
	FF_PPS,
	FF_MONITOR,
	FF_SYNCE,
	FF_N_PROVIDERS,
};

enum ff_state {
	FF_STATE_DEFINED_BY_PROFILE,
	FF_STATE_ENABLE,
	FF_STATE_DISABLE,
};

enum ff_profile {
	FF_PROFILE_DEFAULT,
	FF_PROFILE_MEDIA,
	FF_PROFILE_TELECOM,
	FF_PROFILE_CUSTOM,
};

#define FF_MONITOR_PORT_DEFAULT 25600

struct ff_settings {
	enum ff_profile profile;
	char ptp_interface[IF_NAMESIZE];
	char ptp_config_file[PATH_MAX];
	char synce_interface[IF_NAMESIZE];
	enum ff_state state[FF_N_PROVIDERS];
	char phc2sys_args[256];		  /* PHC2SYS_ARGS: replaces the derived arguments */
	char monitor_addr[64];		  /* MONITOR_ADDRESS, default 0.0.0.0 */
	uint16_t monitor_port;		  /* MONITOR_PORT, default 25600 */
	uint32_t monitor_interval_ms;	  /* MONITOR_INTERVAL_MS, default 500 */
	char device[128];		  /* DPU_DEVICE: HAL URI; "" = no device (software clock) */
	char telemetry_sockets[PATH_MAX]; /* DTS IPC sockets dir; "" = the exporter's default */
	bool telemetry;			  /* FIREFLY_TELEMETRY: report to DTS (default yes) */
};

/* Defaults: profile default, every provider defined by the profile. */
void ff_settings_init(struct ff_settings *s);

/*
 * Set one setting by its name ("PROFILE", "PTP_STATE", ...). Returns 0,
 * -ENOENT for a name that is not a Firefly setting, or -EINVAL with 'err'
 * naming the key and the reason.
 */
int ff_settings_set(struct ff_settings *s, const char *key, const char *value,
		    struct dpu_cfg_err *err);
/* Every known setting present in the environment. */
int ff_settings_from_env(struct ff_settings *s, struct dpu_cfg_err *err);
/* A file of KEY=value lines (INI without sections); errors name the line. */
int ff_settings_load(struct ff_settings *s, const char *path, struct dpu_cfg_err *err);

/*
 * Resolve the provider states for the profile and check the combination:
 * defined_by_profile with the custom profile, custom without
 * PTP_CONFIG_FILE, PTP without an interface. 'on[p]' receives whether
 * provider p runs.
 */
int ff_settings_resolve(const struct ff_settings *s, bool on[FF_N_PROVIDERS],
			struct dpu_cfg_err *err);

/*
 * The ptp4l configuration: the profile's options, then PTP_CONFIG_FILE,
 * then what Firefly itself owns (the management socket 'uds_path', logging
 * to stdout, software time stamping when 'hw_ts' is false and the user did
 * not choose). The interface gets its own section.
 */
int ff_build_ptp4l_conf(const struct ff_settings *s, const char *uds_path, bool hw_ts,
			struct ff_ptpconf **confp, struct dpu_cfg_err *err);

const char *ff_profile_name(enum ff_profile p);
const char *ff_provider_name(enum ff_provider p);
const char *ff_state_name(enum ff_state st);

#endif /* DPU_FIREFLY_CONFIG_H */
