/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptp4l configurations: the option table, file loading, writing.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"
#include "firefly/ptpconf.h"

enum kind { K_INT, K_DBL, K_ENUM, K_STR, K_MAC };

struct opt {
	const char *name;
	enum kind kind;
	long long min, max;
	const char *words; /* K_ENUM: '|'-separated; K_INT: an extra allowed word */
};

#define I(n, lo, hi)                                                                               \
	{                                                                                          \
		n, K_INT, lo, hi, NULL                                                             \
	}
#define B(n)                                                                                       \
	{                                                                                          \
		n, K_INT, 0, 1, NULL                                                               \
	}
#define D(n)                                                                                       \
	{                                                                                          \
		n, K_DBL, 0, 0, NULL                                                               \
	}
#define E(n, w)                                                                                    \
	{                                                                                          \
		n, K_ENUM, 0, 0, w                                                                 \
	}
#define S(n)                                                                                       \
	{                                                                                          \
		n, K_STR, 0, 0, NULL                                                               \
	}
#define M(n)                                                                                       \
	{                                                                                          \
		n, K_MAC, 0, 0, NULL                                                               \
	}
#define I8(n) I(n, -128, 127)

/* ptp4l's options (linuxptp 3.1, plus the names linuxptp 4 renamed). */
static const struct opt opts[] = {
	/* port options */
	I("delayAsymmetry", INT_MIN, INT_MAX),
	I8("logAnnounceInterval"),
	I8("logSyncInterval"),
	I8("operLogSyncInterval"),
	I8("logMinDelayReqInterval"),
	I8("logMinPdelayReqInterval"),
	I8("operLogPdelayReqInterval"),
	B("inhibit_delay_req"),
	I("announceReceiptTimeout", 2, 255),
	I("syncReceiptTimeout", 0, 255),
	I("transportSpecific", 0, 255),
	B("ignore_transport_specific"),
	B("path_trace_enabled"),
	B("follow_up_info"),
	{"fault_reset_interval", K_INT, -128, 127, "ASAP"},
	I("fault_badpeernet_interval", INT_MIN, INT_MAX),
	E("delay_mechanism", "E2E|P2P|Auto|NONE"),
	B("hybrid_e2e"),
	B("inhibit_multicast_service"),
	B("net_sync_monitor"),
	B("unicast_listen"),
	I("unicast_master_table", 0, INT_MAX),
	I("unicast_req_duration", 10, INT_MAX),
	M("ptp_dst_mac"),
	M("p2p_dst_mac"),
	E("network_transport", "UDPv4|UDPv6|L2"),
	I("neighborPropDelayThresh", 0, INT_MAX),
	B("masterOnly"),
	B("serverOnly"),
	I("G.8275.portDS.localPriority", 0, 255),
	I("min_neighbor_prop_delay", INT_MIN, -1),
	E("tsproc_mode", "filter|raw|filter_weight|raw_weight"),
	E("delay_filter", "moving_average|moving_median"),
	I("delay_filter_length", 1, INT_MAX),
	I("egressLatency", INT_MIN, INT_MAX),
	I("ingressLatency", INT_MIN, INT_MAX),
	B("boundary_clock_jbod"),
	I("udp_ttl", 1, 255),
	E("asCapable", "true|auto"),
	E("BMCA", "ptp|noop"),
	B("inhibit_announce"),
	B("ignore_source_id"),
	B("msg_interval_request"),
	I8("logQueryInterval"),
	S("peer_address"),
	/* global options */
	B("twoStepFlag"),
	B("slaveOnly"),
	B("clientOnly"),
	I("socket_priority", 0, 15),
	B("gmCapable"),
	I("priority1", 0, 255),
	I("priority2", 0, 255),
	I("clockClass", 0, 255),
	I("clockAccuracy", 0, 255),
	S("clockIdentity"),
	I("offsetScaledLogVariance", 0, 65535),
	I("G.8275.defaultDS.localPriority", 0, 255),
	I("maxStepsRemoved", 2, 255),
	I("domainNumber", 0, 127),
	I("utc_offset", 0, INT_MAX),
	B("free_running"),
	I("freq_est_interval", 0, INT_MAX),
	B("assume_two_step"),
	B("tc_spanning_tree"),
	I("tx_timestamp_timeout", 1, INT_MAX),
	B("check_fup_sync"),
	E("clock_servo", "pi|linreg|ntpshm|nullf"),
	E("clock_type", "OC|BC|P2P_TC|E2E_TC"),
	D("pi_proportional_const"),
	D("pi_integral_const"),
	D("pi_proportional_scale"),
	D("pi_proportional_exponent"),
	D("pi_proportional_norm_max"),
	D("pi_integral_scale"),
	D("pi_integral_exponent"),
	D("pi_integral_norm_max"),
	D("step_threshold"),
	D("first_step_threshold"),
	I("max_frequency", 0, INT_MAX),
	I("sanity_freq_limit", 0, INT_MAX),
	I("initial_delay", 0, INT_MAX),
	I("ntpshm_segment", INT_MIN, INT_MAX),
	I("udp6_scope", 0, 15),
	S("uds_address"),
	I("dscp_event", 0, 63),
	I("dscp_general", 0, 63),
	E("dataset_comparison", "ieee1588|G.8275.x"),
	I("logging_level", 0, 7),
	S("message_tag"),
	B("verbose"),
	B("use_syslog"),
	I8("summary_interval"),
	E("time_stamping", "hardware|software|legacy|onestep|p2p_onestep"),
	S("productDescription"),
	S("revisionData"),
	S("userDescription"),
	S("manufacturerIdentity"),
	B("kernel_leap"),
	I("timeSource", 0, 255),
	E("hwts_filter", "normal|check|full"),
	I("servo_num_offset_values", 0, INT_MAX),
	I("servo_offset_threshold", 0, INT_MAX),
	S("slave_event_monitor"),
	B("write_phase_mode"),
};

/* The lines of a [unicast_master_table] section (addresses repeat). */
static const struct opt table_opts[] = {
	I("table_id", 1, INT_MAX),
	I8("logQueryInterval"),
	S("peer_address"),
	S("UDPv4"),
	S("UDPv6"),
	M("L2"),
};

#define TABLE_SECTION "unicast_master_table"

/* linuxptp 4 name -> linuxptp 3 name. */
static const char *const renamed[][2] = {
	{"clientOnly", "slaveOnly"},
	{"serverOnly", "masterOnly"},
};

struct kv {
	char *key;
	char *value;
};

struct section {
	bool table; /* [unicast_master_table]: repeats, keys repeat, kept as written */
	char *name;
	struct kv *kv;
	size_t n, cap;
};

struct ff_ptpconf {
	struct section *sec;
	size_t n, cap;
	bool v3;
};

static const struct opt *find_in(const struct opt *tab, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(tab[i].name, key) == 0) {
			return &tab[i];
		}
	}
	return NULL;
}

static bool word_in(const char *words, const char *w)
{
	size_t len = strlen(w);

	for (const char *p = words; *p != '\0';) {
		const char *bar = strchr(p, '|');
		size_t n = bar != NULL ? (size_t)(bar - p) : strlen(p);

		if (n == len && strncmp(p, w, n) == 0) {
			return true;
		}
		p += n + (bar != NULL);
	}
	return false;
}

static int check_opt(const struct opt *o, const char *value, const char **why)
{
	const char *dummy;
	char *end;

	why = why != NULL ? why : &dummy;
	if (o == NULL) {
		*why = "not a ptp4l option";
		return -ENOENT;
	}
	if (*value == '\0') {
		*why = "no value";
		return -EINVAL;
	}
	switch (o->kind) {
	case K_INT: {
		long long v;

		if (o->words != NULL && strcmp(value, o->words) == 0) {
			return 0;
		}
		errno = 0;
		v = strtoll(value, &end, 0);
		if (errno != 0 || *end != '\0') {
			*why = "not an integer";
			return -EINVAL;
		}
		if (v < o->min || v > o->max) {
			*why = o->min == 0 && o->max == 1 ? "must be 0 or 1" : "out of range";
			return -ERANGE;
		}
		return 0;
	}
	case K_DBL:
		errno = 0;
		(void)strtod(value, &end);
		if (errno != 0 || *end != '\0') {
			*why = "not a number";
			return -EINVAL;
		}
		return 0;
	case K_ENUM:
		if (!word_in(o->words, value)) {
			*why = "not one of the allowed values";
			return -EINVAL;
		}
		return 0;
	case K_MAC: {
		unsigned int b[6];
		char c;

		if (sscanf(value, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
			   &b[5], &c) != 6) {
			*why = "not a MAC address (xx:xx:xx:xx:xx:xx)";
			return -EINVAL;
		}
		return 0;
	}
	case K_STR:
		return 0;
	}
	return 0;
}

int ff_ptpconf_check(const char *key, const char *value, const char **why)
{
	return check_opt(find_in(opts, ARRAY_SIZE(opts), key), value, why);
}

int ff_ptpconf_create(struct ff_ptpconf **confp)
{
	*confp = calloc(1, sizeof(**confp));
	return *confp != NULL ? 0 : -ENOMEM;
}

void ff_ptpconf_destroy(struct ff_ptpconf *conf)
{
	if (conf == NULL) {
		return;
	}
	for (size_t s = 0; s < conf->n; s++) {
		for (size_t i = 0; i < conf->sec[s].n; i++) {
			free(conf->sec[s].kv[i].key);
			free(conf->sec[s].kv[i].value);
		}
		free(conf->sec[s].kv);
		free(conf->sec[s].name);
	}
	free(conf->sec);
	free(conf);
}

static struct section *find_sec(const struct ff_ptpconf *conf, const char *name)
{
	for (size_t s = 0; s < conf->n; s++) {
		if (!conf->sec[s].table && strcmp(conf->sec[s].name, name) == 0) {
			return &conf->sec[s];
		}
	}
	return NULL;
}

/* The section 'name' (created when new; a unicast master table always is). */
static struct section *get_sec(struct ff_ptpconf *conf, const char *name)
{
	bool table = strcmp(name, TABLE_SECTION) == 0;
	struct section *s = table ? NULL : find_sec(conf, name);

	if (s != NULL) {
		return s;
	}
	if (conf->n == conf->cap) {
		size_t cap = conf->cap != 0 ? conf->cap * 2 : 4;
		struct section *n = realloc(conf->sec, cap * sizeof(*n));

		if (n == NULL) {
			return NULL;
		}
		conf->sec = n;
		conf->cap = cap;
	}
	s = &conf->sec[conf->n];
	memset(s, 0, sizeof(*s));
	s->table = table;
	s->name = strdup(name);
	if (s->name == NULL) {
		return NULL;
	}
	conf->n++;
	return s;
}

static const char *canonical(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(renamed); i++) {
		if (strcmp(key, renamed[i][0]) == 0) {
			return renamed[i][1];
		}
	}
	return key;
}

/* Set (or, in a table, append) a checked 'key' in section 's'. */
static int set_in(struct section *s, const char *key, const char *value, struct dpu_cfg_err *err)
{
	const char *why = NULL;
	char *v;
	int rc = s->table ? check_opt(find_in(table_opts, ARRAY_SIZE(table_opts), key), value, &why)
			  : ff_ptpconf_check(key, value, &why);

	if (rc < 0) {
		dpu_cfg_err_set(err, NULL, 0, key, "%s: '%s'", why, value);
		return rc == -ENOENT ? -EINVAL : rc;
	}
	key = canonical(key);
	if ((v = strdup(value)) == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; !s->table && i < s->n; i++) {
		if (strcmp(s->kv[i].key, key) == 0) {
			free(s->kv[i].value);
			s->kv[i].value = v;
			return 0;
		}
	}
	if (s->n == s->cap) {
		size_t cap = s->cap != 0 ? s->cap * 2 : 16;
		struct kv *n = realloc(s->kv, cap * sizeof(*n));

		if (n == NULL) {
			free(v);
			return -ENOMEM;
		}
		s->kv = n;
		s->cap = cap;
	}
	s->kv[s->n].key = strdup(key);
	if (s->kv[s->n].key == NULL) {
		free(v);
		return -ENOMEM;
	}
	s->kv[s->n++].value = v;
	return 0;
}

int ff_ptpconf_set(struct ff_ptpconf *conf, const char *section, const char *key, const char *value,
		   struct dpu_cfg_err *err)
{
	struct section *s;
	const char *why = NULL;
	int rc;

	if (strcmp(section, TABLE_SECTION) == 0) {
		return dpu_cfg_err_set(err, NULL, 0, key, "unicast master tables come from files");
	}
	/* Checked before the section is made, so a refused key leaves no trace. */
	if ((rc = ff_ptpconf_check(key, value, &why)) < 0) {
		dpu_cfg_err_set(err, NULL, 0, key, "%s: '%s'", why, value);
		return rc == -ENOENT ? -EINVAL : rc;
	}
	if ((s = get_sec(conf, section)) == NULL) {
		return -ENOMEM;
	}
	return set_in(s, key, value, err);
}

int ff_ptpconf_add_section(struct ff_ptpconf *conf, const char *section)
{
	return get_sec(conf, section) != NULL ? 0 : -ENOMEM;
}

const char *ff_ptpconf_get(const struct ff_ptpconf *conf, const char *section, const char *key)
{
	const struct section *s = find_sec(conf, section);

	key = canonical(key);
	for (size_t i = 0; s != NULL && i < s->n; i++) {
		if (strcmp(s->kv[i].key, key) == 0) {
			return s->kv[i].value;
		}
	}
	return NULL;
}

const char *ff_ptpconf_port(const struct ff_ptpconf *conf, size_t i)
{
	for (size_t s = 0; s < conf->n; s++) {
		if (!conf->sec[s].table && strcmp(conf->sec[s].name, "global") != 0 && i-- == 0) {
			return conf->sec[s].name;
		}
	}
	return NULL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s)) {
		s++;
	}
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1])) {
		*--e = '\0';
	}
	return s;
}

/* Parse into 'into' (a scratch copy), line by line. */
static int parse_text(struct ff_ptpconf *into, char *text, const char *name,
		      struct dpu_cfg_err *err)
{
	size_t cur = SIZE_MAX; /* the section being filled; SIZE_MAX: [global] not made yet */
	int line = 0, rc;
	char *save = NULL;

	for (char *l = text; l != NULL; l = save) {
		char *nl = strchr(l, '\n');
		char *key, *value;

		save = nl != NULL ? nl + 1 : NULL;
		if (nl != NULL) {
			*nl = '\0';
		}
		line++;
		if ((key = strchr(l, '#')) != NULL) {
			*key = '\0';
		}
		l = trim(l);
		if (*l == '\0') {
			continue;
		}
		if (*l == '[') {
			char *close = strchr(l, ']');

			if (close == NULL || close[1] != '\0' || close == l + 1) {
				return dpu_cfg_err_set(err, name, line, NULL,
						       "malformed section header '%s'", l);
			}
			*close = '\0';
			l = trim(l + 1);
			if (strlen(l) >= 64) {
				return dpu_cfg_err_set(err, name, line, NULL,
						       "section name too long");
			}
			if (get_sec(into, l) == NULL) {
				return -ENOMEM;
			}
			/* get_sec() returns an existing section or the new last one. */
			cur = (size_t)(find_sec(into, l) != NULL ? find_sec(into, l) - into->sec
								 : (ptrdiff_t)into->n - 1);
			continue;
		}
		if (cur == SIZE_MAX) {
			if (get_sec(into, "global") == NULL) {
				return -ENOMEM;
			}
			cur = (size_t)(find_sec(into, "global") - into->sec);
		}
		key = l;
		value = key + strcspn(key, " \t");
		if (*value != '\0') {
			*value++ = '\0';
		}
		value = trim(value);
		rc = set_in(&into->sec[cur], key, value, err);
		if (rc < 0) {
			if (err != NULL && rc != -ENOMEM) {
				dpu_strscpy(err->file, name, sizeof(err->file));
				err->line = line;
			}
			return rc == -ENOMEM ? rc : -EINVAL;
		}
	}
	return 0;
}

static int merge(struct ff_ptpconf *conf, const struct ff_ptpconf *from)
{
	for (size_t s = 0; s < from->n; s++) {
		struct section *to = get_sec(conf, from->sec[s].name);

		if (to == NULL) {
			return -ENOMEM;
		}
		for (size_t i = 0; i < from->sec[s].n; i++) {
			int rc = set_in(to, from->sec[s].kv[i].key, from->sec[s].kv[i].value, NULL);

			if (rc < 0) {
				return rc;
			}
		}
	}
	return 0;
}

int ff_ptpconf_load_string(struct ff_ptpconf *conf, const char *text, const char *name,
			   struct dpu_cfg_err *err)
{
	struct ff_ptpconf *scratch = NULL;
	char *copy = strdup(text);
	int rc = copy != NULL ? ff_ptpconf_create(&scratch) : -ENOMEM;

	if (rc == 0) {
		rc = parse_text(scratch, copy, name, err);
	}
	if (rc == 0) {
		rc = merge(conf, scratch);
	}
	ff_ptpconf_destroy(scratch);
	free(copy);
	return rc;
}

int ff_ptpconf_load(struct ff_ptpconf *conf, const char *path, struct dpu_cfg_err *err)
{
	char *text = NULL;
	size_t len;
	int rc = dpu_cfg_read_file(path, 1 << 20, &text, &len, err);

	if (rc == 0) {
		if (memchr(text, '\0', len) != NULL) {
			rc = dpu_cfg_err_set(err, path, 0, NULL, "binary data (a NUL byte)");
		} else {
			rc = ff_ptpconf_load_string(conf, text, path, err);
		}
	}
	free(text);
	return rc;
}

void ff_ptpconf_set_v3_names(struct ff_ptpconf *conf, bool v3)
{
	conf->v3 = v3;
}

static const char *written_name(const struct ff_ptpconf *conf, const char *key)
{
	if (conf->v3) {
		return key;
	}
	for (size_t i = 0; i < ARRAY_SIZE(renamed); i++) {
		if (strcmp(key, renamed[i][1]) == 0) {
			return renamed[i][0];
		}
	}
	return key;
}

int ff_ptpconf_write(const struct ff_ptpconf *conf, FILE *out)
{
	const struct section *g = find_sec(conf, "global");

	/* [global] first, as ptp4l expects interfaces after the globals. */
	fputs("[global]\n", out);
	for (size_t i = 0; g != NULL && i < g->n; i++) {
		fprintf(out, "%s %s\n", written_name(conf, g->kv[i].key), g->kv[i].value);
	}
	for (size_t s = 0; s < conf->n; s++) {
		if (&conf->sec[s] == g) {
			continue;
		}
		fprintf(out, "[%s]\n", conf->sec[s].name);
		for (size_t i = 0; i < conf->sec[s].n; i++) {
			fprintf(out, "%s %s\n", written_name(conf, conf->sec[s].kv[i].key),
				conf->sec[s].kv[i].value);
		}
	}
	return ferror(out) ? -EIO : 0;
}
