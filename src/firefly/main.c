/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-firefly: PTP time synchronisation on linuxptp. Builds ptp4l's
 * configuration from a profile and the user's overrides, supervises ptp4l
 * (and phc2sys where a hardware clock needs copying to the system clock),
 * and runs the PTP monitor over ptp4l's management socket.
 */
#define DPU_LOG_MODULE "firefly"

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cfg.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/loop.h"
#include "common/opts.h"
#include "common/timeutil.h"
#include "dpu/hal.h"
#include "firefly/child.h"
#include "firefly/config.h"
#include "firefly/monitor.h"
#include "firefly/pmc.h"
#include "firefly/ptpconf.h"
#include "telemetry/exporter.h"

static const uint16_t mids[] = {
	FF_MID_DEFAULT_DATA_SET,	 FF_MID_CURRENT_DATA_SET, FF_MID_PARENT_DATA_SET,
	FF_MID_TIME_PROPERTIES_DATA_SET, FF_MID_PORT_DATA_SET,	  FF_MID_TIME_STATUS_NP,
};
#define N_MIDS (sizeof(mids) / sizeof(mids[0]))
/* Rounds without a complete answer before ptp4l counts as not answering. */
#define MISSED_ROUNDS 3

/*
 * The record Firefly reports to the Telemetry Service ("firefly"/"ptp_monitor").
 * Numbers only: a text field would be a Prometheus label, and a label that
 * changes (a new grandmaster) would leave the old series behind.
 * port_state is 0 while ptp4l does not answer.
 */
struct __attribute__((packed)) ptp_record {
	uint8_t port_state;
	uint8_t gm_present;
	uint8_t ptp_stable;
	int8_t servo_state;
	uint16_t steps_removed;
	uint8_t gm_clock_class;
	uint8_t gm_priority1;
	uint8_t gm_priority2;
	int16_t utc_offset;
	int64_t offset_from_master_ns;
	int64_t mean_path_delay_ns;
	double freq_adj_ppb;
	uint32_t error_count;
	uint32_t ptp4l_restarts;
	uint32_t rounds_missed;
	uint32_t clients_dropped;
};

struct cli_set {
	const char *key;
	const char *value;
};

struct firefly {
	/* Where the settings come from, for a reload. */
	const char *config;
	const struct cli_set *cli;
	size_t n_cli;
	bool hw_ts;
	bool v3;
	char *conf_text; /* the ptp4l configuration in force */
	struct ff_settings set;
	bool on[FF_N_PROVIDERS];
	char run_dir[PATH_MAX - 64];
	char uds_path[PATH_MAX];
	char conf_path[PATH_MAX];
	const char *ptp4l_bin;
	const char *phc2sys_bin;
	struct dpu_loop *loop;
	struct dpu_dev *dev;
	struct ff_child *ptp4l;
	struct ff_child *phc2sys;
	/* monitor */
	struct ff_pmc pmc;
	struct ff_monitor *mon;
	struct dpu_loop_src *poll_timer;
	struct ff_status st;
	uint16_t round_seq;  /* sequenceId of the round's first GET */
	unsigned int got;    /* bit per mids[] answered this round */
	unsigned int missed; /* consecutive rounds without a full answer */
	uint64_t polls;	     /* rounds sent */
	struct dpu_te_schema *schema;
	struct dpu_te_source *src;
	uint8_t type_idx;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dpu-firefly [options]\n"
		"PTP time synchronisation on linuxptp, with profiles and a PTP monitor.\n"
		"\n"
		"Settings (also as environment variables or KEY=value lines in --config):\n"
		"  -p, --profile NAME        PROFILE: default, media, telecom or custom\n"
		"  -i, --interface IF        PTP_INTERFACE\n"
		"  -f, --ptp-config FILE     PTP_CONFIG_FILE: ptp4l options on top of the profile\n"
		"  -s, --set KEY=VALUE       any setting, e.g. MONITOR_STATE=enable\n"
		"  -c, --config FILE         a file of KEY=value settings\n"
		"  -d, --device URI          DPU_DEVICE: the HAL device (sim:NAME, bluefield:PCI)\n"
		"\n"
		"Program options:\n"
		"  -r, --run-dir DIR         where ptp4l.conf, the sockets and the monitor file "
		"go\n"
		"                            (default <run dir>/firefly)\n"
		"      --print-config        print the ptp4l configuration and exit\n"
		"      --ptp4l PATH          the ptp4l program (default: ptp4l in PATH)\n"
		"      --phc2sys PATH        the phc2sys program (default: phc2sys in PATH)\n"
		"  -h, --help\n");
	dpu_common_usage(out);
}

/* ---------------------------------------------------------------- telemetry */

static void export_open(struct firefly *ff)
{
	static const struct {
		const char *name, *type;
	} fields[] = {
		{"port_state", "uint8_t"},	   {"gm_present", "uint8_t"},
		{"ptp_stable", "uint8_t"},	   {"servo_state", "int8_t"},
		{"steps_removed", "uint16_t"},	   {"gm_clock_class", "uint8_t"},
		{"gm_priority1", "uint8_t"},	   {"gm_priority2", "uint8_t"},
		{"utc_offset", "int16_t"},	   {"offset_from_master_ns", "int64_t"},
		{"mean_path_delay_ns", "int64_t"}, {"freq_adj_ppb", "double"},
		{"error_count", "uint32_t"},	   {"ptp4l_restarts", "uint32_t"},
		{"rounds_missed", "uint32_t"},	   {"clients_dropped", "uint32_t"},
	};
	struct dpu_te_type *t = NULL;
	int rc = dpu_te_type_create(&t);

	/* In the order of struct ptp_record. */
	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(fields); i++) {
		rc = dpu_te_type_add_new_field(t, fields[i].name, fields[i].type, 1);
	}
	if (rc < 0) {
		dpu_te_type_destroy(t);
	} else {
		rc = dpu_te_open_one_type(
			"firefly", "ptp_monitor", t,
			ff->set.telemetry_sockets[0] != '\0' ? ff->set.telemetry_sockets : NULL,
			"firefly", &ff->schema, &ff->src, &ff->type_idx);
	}
	if (rc < 0) {
		log_warn("telemetry: not reporting to DTS: %s", strerror(-rc));
	}
}

static void export_status(struct firefly *ff)
{
	const struct ff_status *st = &ff->st;
	struct ptp_record r;

	if (ff->src == NULL) {
		return;
	}
	memset(&r, 0, sizeof(r));
	r.port_state = st->ptp4l_up ? st->port.port_state : 0;
	r.gm_present = st->tsn.gm_present;
	r.ptp_stable = ff_status_stable(st);
	r.servo_state = (int8_t)st->servo_state;
	r.steps_removed = st->cds.steps_removed;
	r.gm_clock_class = st->pds.gm_clock_class;
	r.gm_priority1 = st->pds.gm_priority1;
	r.gm_priority2 = st->pds.gm_priority2;
	r.utc_offset = st->tpds.current_utc_offset;
	r.offset_from_master_ns = (int64_t)st->cds.offset_from_master_ns;
	r.mean_path_delay_ns = (int64_t)st->cds.mean_path_delay_ns;
	r.freq_adj_ppb = st->freq_ppb;
	r.error_count = st->error_count;
	r.ptp4l_restarts = ff->ptp4l != NULL ? ff_child_restarts(ff->ptp4l) : 0;
	r.rounds_missed = st->rounds_missed;
	r.clients_dropped = st->clients_dropped;
	dpu_te_source_report(ff->src, ff->type_idx, &r, 1);
	dpu_te_source_flush(ff->src);
}

/* ---------------------------------------------------------------- monitor */

static void publish(struct firefly *ff)
{
	struct dpu_phc_state phc;

	ff->st.sys_time_ns = (int64_t)dpu_time_real_ns();
	ff->st.clients_dropped = ff_monitor_clients_dropped(ff->mon);
	if (ff->dev != NULL && dpu_phc_read(ff->dev, &phc) == 0) {
		ff->st.ptp_time_ns = phc.phc_ns;
	} else {
		ff->st.ptp_time_ns = ff->st.sys_time_ns;
	}
	ff_monitor_publish(ff->mon, &ff->st);
	export_status(ff);
}

static void on_pmc(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	struct firefly *ff = arg;
	uint8_t buf[FF_PMC_MAX_LEN];
	struct ff_pmc_msg m;
	char why[128];
	ssize_t n;

	(void)src;
	(void)events;
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		uint16_t k;
		int rc = ff_pmc_parse(buf, (size_t)n, &m, why, sizeof(why));

		if (rc < 0) {
			log_warn_rl("monitor: management message from ptp4l: %s", why);
			continue;
		}
		k = (uint16_t)(m.sequence_id - ff->round_seq);
		if (k >= N_MIDS || mids[k] != m.mid) {
			continue; /* a late answer to an earlier round */
		}
		if (m.error_id != 0) {
			log_warn_rl("monitor: ptp4l answered managementId 0x%04x with error %u",
				    m.mid, m.error_id);
			continue;
		}
		switch (m.mid) {
		case FF_MID_DEFAULT_DATA_SET:
			ff->st.dds = m.u.dds;
			break;
		case FF_MID_CURRENT_DATA_SET:
			ff->st.cds = m.u.cds;
			break;
		case FF_MID_PARENT_DATA_SET:
			ff->st.pds = m.u.pds;
			break;
		case FF_MID_TIME_PROPERTIES_DATA_SET:
			ff->st.tpds = m.u.tpds;
			break;
		case FF_MID_PORT_DATA_SET:
			/* A boundary clock answers per port; keep the first port's. */
			if ((ff->got & (1u << k)) == 0) {
				if (ff->st.port.port_state != m.u.portds.port_state &&
				    m.u.portds.port_state == FF_PS_FAULTY) {
					ff_status_error(&ff->st, (int64_t)dpu_time_real_ns());
				}
				ff->st.port = m.u.portds;
			}
			break;
		case FF_MID_TIME_STATUS_NP:
			ff_status_add_time_status(&ff->st, &m.u.tsn);
			break;
		default:
			break;
		}
		ff->got |= 1u << k;
		if (ff->got == (1u << N_MIDS) - 1) {
			ff->st.ptp4l_up = true;
			ff->missed = 0;
			ff->got |= 1u << N_MIDS; /* published; ignore repeats */
			publish(ff);
		}
	}
}

static void on_poll(struct dpu_loop_src *src, uint64_t expirations, void *arg)
{
	struct firefly *ff = arg;
	int rc = 0;

	(void)src;
	(void)expirations;
	if ((ff->got & ((1u << N_MIDS) - 1)) != (1u << N_MIDS) - 1) {
		ff->st.rounds_missed += ff->polls > 0;
		if (++ff->missed == MISSED_ROUNDS && ff->st.ptp4l_up) {
			log_warn("monitor: ptp4l does not answer on %s", ff->uds_path);
			ff->st.ptp4l_up = false;
			ff_status_error(&ff->st, (int64_t)dpu_time_real_ns());
		}
		if (ff->missed >= MISSED_ROUNDS) {
			publish(ff);
		}
	}
	ff->polls++;
	ff->round_seq = (uint16_t)(ff->round_seq + N_MIDS);
	ff->got = 0;
	rc = ff_pmc_send_gets(&ff->pmc, ff->round_seq, ff->st.dds.domain_number, mids, N_MIDS);
	if (rc < 0 && rc != -ENOENT && rc != -ECONNREFUSED) {
		log_warn_rl("monitor: GET to %s: %s", ff->uds_path, strerror(-rc));
	}
}

static int monitor_start(struct firefly *ff, uint8_t domain)
{
	char own[PATH_MAX], file[PATH_MAX];
	int rc;

	ff_status_init(&ff->st);
	ff->st.dds.domain_number = domain;
	snprintf(own, sizeof(own), "%s/monitor.sock", ff->run_dir);
	snprintf(file, sizeof(file), "%s/ptp_monitor.txt", ff->run_dir);
	rc = ff_pmc_open(&ff->pmc, ff->uds_path, own);
	if (rc < 0) {
		log_err("monitor: %s: %s", own, strerror(-rc));
		return rc;
	}
	rc = dpu_loop_add_fd(ff->loop, ff->pmc.fd, EPOLLIN, on_pmc, ff, NULL);
	if (rc == 0) {
		rc = ff_monitor_create(ff->loop, ff->set.monitor_addr, ff->set.monitor_port, file,
				       &ff->mon);
	}
	if (rc == 0) {
		uint64_t ns = (uint64_t)ff->set.monitor_interval_ms * 1000000ull;

		rc = dpu_loop_add_timer(ff->loop, ns, ns, on_poll, ff, &ff->poll_timer);
	}
	if (rc == 0) {
		log_info("monitor: port %u on %s, file %s", ff->set.monitor_port,
			 ff->set.monitor_addr, file);
		if (ff->set.telemetry) {
			export_open(ff);
		}
	}
	return rc;
}

/* ---------------------------------------------------------------- children */

static void on_ptp4l_line(void *arg, const char *line)
{
	struct firefly *ff = arg;

	ff_status_ptp4l_line(&ff->st, line);
	if (strstr(line, "FAULT") != NULL) {
		ff_status_error(&ff->st, (int64_t)dpu_time_real_ns());
		log_warn("ptp4l: %s", line);
	} else if (strstr(line, "master offset") != NULL || strstr(line, ": rms ") != NULL) {
		log_dbg("ptp4l: %s", line);
	} else {
		log_info("ptp4l: %s", line);
	}
}

static void on_phc2sys_line(void *arg, const char *line)
{
	(void)arg;
	log_info("phc2sys: %s", line);
}

static void on_sigchld(struct dpu_loop_src *src, int signo, void *arg)
{
	struct firefly *ff = arg;
	struct ff_child *children[] = {ff->ptp4l, ff->phc2sys};
	pid_t before = ff->ptp4l != NULL ? ff_child_pid(ff->ptp4l) : 0;

	(void)src;
	(void)signo;
	ff_child_reap_all(children, 2);
	if (before > 0 && ff_child_pid(ff->ptp4l) == 0) {
		ff_status_error(&ff->st, (int64_t)dpu_time_real_ns());
	}
}

/* Split PHC2SYS_ARGS on blanks into 'argv' after argv[0] (at most 'max'). */
static size_t split_args(char *text, char *argv[], size_t max)
{
	size_t n = 0;

	for (char *tok = strtok(text, " \t"); tok != NULL && n < max; tok = strtok(NULL, " \t")) {
		argv[n++] = tok;
	}
	return n;
}

static int start_children(struct firefly *ff, bool hw_ts)
{
	char *argv[48];
	char args[sizeof(ff->set.phc2sys_args)];
	size_t n;
	int rc;

	if (ff->on[FF_PTP]) {
		char *a[] = {(char *)ff->ptp4l_bin, "-f", ff->conf_path, NULL};

		rc = ff_child_create(ff->loop, "ptp4l", a, on_ptp4l_line, ff, &ff->ptp4l);
		if (rc == 0) {
			rc = ff_child_start(ff->ptp4l);
		}
		if (rc < 0) {
			return rc;
		}
	} else {
		log_info("PTP: disabled");
	}
	if (ff->on[FF_PHC2SYS] && (hw_ts || ff->set.phc2sys_args[0] != '\0')) {
		n = 0;
		argv[n++] = (char *)ff->phc2sys_bin;
		if (ff->set.phc2sys_args[0] != '\0') {
			memcpy(args, ff->set.phc2sys_args, sizeof(args));
			n += split_args(args, argv + n, ARRAY_SIZE(argv) - 4);
		} else {
			argv[n++] = "-a";
			argv[n++] = "-r";
		}
		argv[n++] = "-z";
		argv[n++] = ff->uds_path;
		argv[n] = NULL;
		rc = ff_child_create(ff->loop, "phc2sys", argv, on_phc2sys_line, ff, &ff->phc2sys);
		if (rc == 0) {
			rc = ff_child_start(ff->phc2sys);
		}
		if (rc < 0) {
			return rc;
		}
	} else if (ff->on[FF_PHC2SYS]) {
		log_info("PHC2SYS: not started: software time stamping, ptp4l disciplines the "
			 "system clock itself");
	}
	if (ff->on[FF_PPS]) {
		log_warn("PPS: not supported on this device (no PPS-capable PHC); going on "
			 "without it");
	}
	if (ff->on[FF_SYNCE]) {
		log_warn("SYNCE: not supported on this device (needs a converged card); going "
			 "on without it");
	}
	return 0;
}

/* ---------------------------------------------------------------- main */

/* linuxptp 3.x knows slaveOnly, 4.x prefers clientOnly. */
static bool ptp4l_is_v3(const char *bin)
{
	char cmd[PATH_MAX + 32], ver[32] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' -v 2>/dev/null", bin);
	p = popen(cmd, "r");
	if (p == NULL) {
		return true;
	}
	if (fgets(ver, sizeof(ver), p) == NULL) {
		ver[0] = '\0';
	}
	pclose(p);
	return atoi(ver) < 4;
}

/* domainNumber in the [global] section of a written configuration (0 if none). */
static uint8_t domain_of(const char *text)
{
	const char *end = text != NULL ? strstr(text, "\n[") : NULL;
	const char *p = text != NULL ? strstr(text, "\ndomainNumber ") : NULL;

	if (p == NULL || (end != NULL && p > end)) {
		return 0;
	}
	return (uint8_t)atoi(p + strlen("\ndomainNumber "));
}

/* Settings from the file, the environment and the command line, resolved. */
static int settings(const struct firefly *ff, struct ff_settings *set, bool on[FF_N_PROVIDERS])
{
	struct dpu_cfg_err err;
	char msg[1024];
	int rc = 0;

	dpu_cfg_err_clear(&err);
	ff_settings_init(set);
	if (ff->config != NULL) {
		rc = ff_settings_load(set, ff->config, &err);
	}
	if (rc == 0) {
		rc = ff_settings_from_env(set, &err);
	}
	for (size_t i = 0; rc == 0 && i < ff->n_cli; i++) {
		const struct cli_set *cli = &ff->cli[i];

		rc = ff_settings_set(set, cli->key, cli->value, &err);
		if (rc == -ENOENT) {
			rc = dpu_cfg_err_set(&err, "command line", 0, cli->key,
					     "not a Firefly setting");
		} else if (rc < 0) {
			dpu_strscpy(err.file, "command line", sizeof(err.file));
		}
	}
	if (rc == 0) {
		rc = ff_settings_resolve(set, on, &err);
	}
	if (rc < 0) {
		log_err("%s", dpu_cfg_err_str(&err, msg, sizeof(msg)));
	}
	return rc;
}

/* ptp4l's configuration for 'set' as text (malloc'd), or NULL after logging why. */
static char *conf_text(const struct firefly *ff, const struct ff_settings *set,
		       struct ff_ptpconf **confp)
{
	struct ff_ptpconf *conf = NULL;
	struct dpu_cfg_err err;
	char msg[1024], *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	dpu_cfg_err_clear(&err);
	rc = ff_build_ptp4l_conf(set, ff->uds_path, ff->hw_ts, &conf, &err);
	if (rc < 0) {
		log_err("%s", dpu_cfg_err_str(&err, msg, sizeof(msg)));
		return NULL;
	}
	ff_ptpconf_set_v3_names(conf, ff->v3);
	f = open_memstream(&text, &len);
	if (f == NULL || ff_ptpconf_write(conf, f) < 0) {
		log_err("ptp4l configuration: out of memory");
	}
	if (f != NULL) {
		fclose(f);
	}
	if (confp != NULL) {
		*confp = conf;
	} else {
		ff_ptpconf_destroy(conf);
	}
	return text;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int rc = 0;

	if (f == NULL) {
		return -errno;
	}
	if (fputs(text, f) == EOF) {
		rc = -EIO;
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -errno;
	}
	return rc;
}

/*
 * SIGHUP: read the settings and the override file again. A bad one is
 * refused and the running configuration stays; a changed ptp4l
 * configuration restarts ptp4l (and phc2sys, which follows it); a new
 * monitor interval takes effect at once; other changes wait for a restart.
 */
static void on_reload(struct dpu_loop *loop, void *arg)
{
	struct firefly *ff = arg;
	struct ff_settings set;
	bool on[FF_N_PROVIDERS];
	char *text;
	int rc;

	(void)loop;
	log_info("reload: reading the settings again");
	if (settings(ff, &set, on) < 0) {
		log_err("reload: refused; the running configuration stays");
		return;
	}
	if (memcmp(on, ff->on, sizeof(on)) != 0 || set.monitor_port != ff->set.monitor_port ||
	    strcmp(set.monitor_addr, ff->set.monitor_addr) != 0 ||
	    strcmp(set.device, ff->set.device) != 0 ||
	    strcmp(set.phc2sys_args, ff->set.phc2sys_args) != 0 ||
	    set.telemetry != ff->set.telemetry) {
		log_warn("reload: provider states, monitor address, device, PHC2SYS_ARGS or "
			 "telemetry changed: restart dpu-firefly to apply those");
	}
	if (set.monitor_interval_ms != ff->set.monitor_interval_ms && ff->poll_timer != NULL) {
		uint64_t ns = (uint64_t)set.monitor_interval_ms * 1000000ull;

		dpu_loop_timer_set(ff->poll_timer, ns, ns);
		ff->set.monitor_interval_ms = set.monitor_interval_ms;
		log_info("reload: monitor interval %u ms", set.monitor_interval_ms);
	}
	if (!ff->on[FF_PTP]) {
		return;
	}
	text = conf_text(ff, &set, NULL);
	if (text == NULL) {
		log_err("reload: refused; the running configuration stays");
		return;
	}
	if (ff->conf_text != NULL && strcmp(text, ff->conf_text) == 0) {
		log_info("reload: the ptp4l configuration is unchanged");
		free(text);
		return;
	}
	rc = write_text(ff->conf_path, text);
	if (rc < 0) {
		log_err("reload: %s: %s; the running configuration stays", ff->conf_path,
			strerror(-rc));
		free(text);
		return;
	}
	free(ff->conf_text);
	ff->conf_text = text;
	ff->st.dds.domain_number = domain_of(text);
	memcpy(ff->set.ptp_config_file, set.ptp_config_file, sizeof(set.ptp_config_file));
	memcpy(ff->set.ptp_interface, set.ptp_interface, sizeof(set.ptp_interface));
	ff->set.profile = set.profile;
	log_info("reload: ptp4l configuration changed; restarting ptp4l");
	if (ff->phc2sys != NULL) {
		ff_child_stop(ff->phc2sys, 2000);
	}
	ff_child_stop(ff->ptp4l, 2000);
	if (ff_child_start(ff->ptp4l) == 0 && ff->phc2sys != NULL) {
		ff_child_start(ff->phc2sys);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		DPU_COMMON_LONGOPTS,
		{"profile", required_argument, NULL, 'p'},
		{"interface", required_argument, NULL, 'i'},
		{"ptp-config", required_argument, NULL, 'f'},
		{"set", required_argument, NULL, 's'},
		{"config", required_argument, NULL, 'c'},
		{"device", required_argument, NULL, 'd'},
		{"run-dir", required_argument, NULL, 'r'},
		{"print-config", no_argument, NULL, 'P'},
		{"ptp4l", required_argument, NULL, '4'},
		{"phc2sys", required_argument, NULL, '2'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct firefly ff = {.ptp4l_bin = "ptp4l", .phc2sys_bin = "phc2sys"};
	struct cli_set cli[64];
	size_t n_cli = 0;
	const char *config = NULL, *run_dir = NULL;
	struct dpu_pidfile *pid = NULL;
	bool print_only = false;
	char path[PATH_MAX];
	pid_t owner = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, DPU_COMMON_SHORTOPTS "p:i:f:s:c:d:r:h", longopts,
				NULL)) != -1) {
		char *eq;

		rc = dpu_common_opt(c, optarg);
		if (rc > 0) {
			continue;
		}
		if (rc < 0) {
			return 2;
		}
		if (n_cli == ARRAY_SIZE(cli) && strchr("pifsd", c) != NULL) {
			fprintf(stderr, "dpu-firefly: too many settings on the command line\n");
			return 2;
		}
		switch (c) {
		case 'p':
			cli[n_cli++] = (struct cli_set){"PROFILE", optarg};
			break;
		case 'i':
			cli[n_cli++] = (struct cli_set){"PTP_INTERFACE", optarg};
			break;
		case 'f':
			cli[n_cli++] = (struct cli_set){"PTP_CONFIG_FILE", optarg};
			break;
		case 'd':
			cli[n_cli++] = (struct cli_set){"DPU_DEVICE", optarg};
			break;
		case 's':
			eq = strchr(optarg, '=');
			if (eq == NULL) {
				fprintf(stderr, "dpu-firefly: --set %s: expected KEY=VALUE\n",
					optarg);
				return 2;
			}
			*eq = '\0';
			cli[n_cli++] = (struct cli_set){optarg, eq + 1};
			break;
		case 'c':
			config = optarg;
			break;
		case 'r':
			run_dir = optarg;
			break;
		case 'P':
			print_only = true;
			break;
		case '4':
			ff.ptp4l_bin = optarg;
			break;
		case '2':
			ff.phc2sys_bin = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dpu-firefly: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	dpu_common_log_open("dpu-firefly");
	ff.config = config;
	ff.cli = cli;
	ff.n_cli = n_cli;
	if (settings(&ff, &ff.set, ff.on) < 0) {
		return 1;
	}
	if (run_dir != NULL) {
		rc = dpu_strscpy(ff.run_dir, run_dir, sizeof(ff.run_dir)) < 0 ? -ENAMETOOLONG : 0;
	} else {
		char base[PATH_MAX - 128];

		rc = dpu_rundir_default(base, sizeof(base));
		snprintf(ff.run_dir, sizeof(ff.run_dir), "%s/firefly", base);
	}
	if (rc < 0) {
		log_err("run directory name too long");
		return 1;
	}
	snprintf(ff.uds_path, sizeof(ff.uds_path), "%s/ptp4l.sock", ff.run_dir);
	snprintf(ff.conf_path, sizeof(ff.conf_path), "%s/ptp4l.conf", ff.run_dir);
	ff.hw_ts = strncmp(ff.set.device, "bluefield:", 10) == 0;
	ff.v3 = ptp4l_is_v3(ff.ptp4l_bin);
	if (ff.on[FF_PTP] && (ff.conf_text = conf_text(&ff, &ff.set, NULL)) == NULL) {
		return 1;
	}
	if (print_only) {
		rc = ff.conf_text != NULL && fputs(ff.conf_text, stdout) == EOF ? -EIO : 0;
		free(ff.conf_text);
		return rc < 0 ? 1 : 0;
	}
	rc = dpu_mkdir_p(ff.run_dir, 0755);
	if (rc < 0) {
		log_err("%s: %s", ff.run_dir, strerror(-rc));
		free(ff.conf_text);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/dpu-firefly.pid", ff.run_dir);
	rc = dpu_pidfile_open(path, &pid, &owner);
	if (rc < 0) {
		if (rc == -EBUSY) {
			log_err("%s: already running (pid %ld)", ff.run_dir, (long)owner);
		} else {
			log_err("%s: %s", path, strerror(-rc));
		}
		free(ff.conf_text);
		return 1;
	}
	if (ff.conf_text != NULL && (rc = write_text(ff.conf_path, ff.conf_text)) < 0) {
		log_err("%s: %s", ff.conf_path, strerror(-rc));
		goto out;
	}
	if (ff.set.device[0] != '\0' && (rc = dpu_dev_open(ff.set.device, &ff.dev)) < 0) {
		log_err("device %s: %s", ff.set.device, strerror(-rc));
		goto out;
	}
	rc = dpu_loop_create(&ff.loop);
	if (rc == 0) {
		rc = dpu_daemon_signals(
			ff.loop, &(struct dpu_daemon_signals){.on_reload = on_reload, .arg = &ff});
	}
	if (rc == 0) {
		rc = dpu_loop_add_signal(ff.loop, SIGCHLD, on_sigchld, &ff, NULL);
	}
	if (rc < 0) {
		log_err("event loop: %s", strerror(-rc));
		goto out;
	}
	ff.pmc.fd = -1;
	if (ff.on[FF_MONITOR]) {
		rc = monitor_start(&ff, domain_of(ff.conf_text));
		if (rc < 0) {
			goto out;
		}
	}
	rc = start_children(&ff, ff.hw_ts);
	if (rc < 0) {
		goto out;
	}
	log_info("up: profile %s, interface %s, %s time stamping, PTP %s, PHC2SYS %s, "
		 "MONITOR %s",
		 ff_profile_name(ff.set.profile),
		 ff.set.ptp_interface[0] != '\0' ? ff.set.ptp_interface : "(from config)",
		 ff.hw_ts ? "hardware" : "software", ff.on[FF_PTP] ? "on" : "off",
		 ff.on[FF_PHC2SYS] ? "on" : "off", ff.on[FF_MONITOR] ? "on" : "off");
	rc = dpu_loop_run(ff.loop);
	log_info("down");
out:
	ff_child_destroy(ff.phc2sys);
	ff_child_destroy(ff.ptp4l);
	ff_monitor_destroy(ff.mon);
	ff_pmc_close(&ff.pmc);
	dpu_te_source_destroy(ff.src);
	dpu_te_schema_destroy(ff.schema);
	dpu_loop_destroy(ff.loop);
	dpu_dev_close(ff.dev);
	free(ff.conf_text);
	dpu_pidfile_close(pid);
	return rc < 0 ? 1 : 0;
}
