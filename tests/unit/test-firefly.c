/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Firefly: PTP management messages (against bytes ptp4l itself sent, in
 * fixtures/fuzz/ff-pmc/), ptp4l configurations, settings and profiles, the
 * monitor's reading of ptp4l's output and its rendering.
 */
#include <config.h>

#include "unit/testutil.h"

#include <errno.h>
#include <math.h>

#include "common/cfg.h"
#include "firefly/config.h"
#include "firefly/monitor.h"
#include "firefly/pmc.h"
#include "firefly/ptpconf.h"

static size_t load_fixture(const char *name, uint8_t *buf, size_t size)
{
	char *path;
	FILE *f;
	size_t n;

	assert_true(asprintf(&path, "%s/fixtures/fuzz/ff-pmc/%s", getenv("top_srcdir"), name) > 0);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, size, f);
	fclose(f);
	free(path);
	return n;
}

/* ---------------------------------------------------------------- pmc */

static void test_build_get(void **state)
{
	uint8_t buf[128];
	int len;

	(void)state;
	len = ff_pmc_build_get(buf, sizeof(buf), 0x1234, 24, FF_MID_PARENT_DATA_SET);
	/* 34 header + 14 management + 6 TLV head + 32 zeroed data, as pmc sends. */
	assert_int_equal(len, 86);
	assert_int_equal(buf[0], 0x0D);
	assert_int_equal(buf[1], 2);
	assert_int_equal(buf[2] << 8 | buf[3], 86);
	assert_int_equal(buf[4], 24);
	assert_int_equal(buf[30] << 8 | buf[31], 0x1234);
	assert_int_equal(buf[32], 0x04);
	for (int i = 34; i < 44; i++) {
		assert_int_equal(buf[i], 0xff); /* every port */
	}
	assert_int_equal(buf[46], 0); /* GET */
	assert_int_equal(buf[48] << 8 | buf[49], 1);
	assert_int_equal(buf[50] << 8 | buf[51], 34);
	assert_int_equal(buf[52] << 8 | buf[53], 0x2002);
	/* An odd data size is padded (TIME_PROPERTIES is 4, PORT_DATA_SET 26: even). */
	assert_int_equal(ff_pmc_build_get(buf, sizeof(buf), 1, 0, FF_MID_TIME_STATUS_NP), 104);
	assert_int_equal(ff_pmc_build_get(buf, 60, 1, 0, FF_MID_TIME_STATUS_NP), -ENOSPC);
	assert_int_equal(ff_pmc_build_get(buf, sizeof(buf), 1, 0, 0x1234), -EINVAL);
}

/* A request we build parses back as what it is: a GET, not a response. */
static void test_own_get_is_not_a_response(void **state)
{
	uint8_t buf[128];
	struct ff_pmc_msg m;
	char why[128];
	int len;

	(void)state;
	len = ff_pmc_build_get(buf, sizeof(buf), 7, 0, FF_MID_CURRENT_DATA_SET);
	assert_int_equal(ff_pmc_parse(buf, (size_t)len, &m, why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "offset 46: actionField 0 is not RESPONSE"));
}

static void test_parse_ptp4l_responses(void **state)
{
	uint8_t buf[FF_PMC_MAX_LEN], id[8];
	struct ff_pmc_msg m;
	char why[128], s[32];
	size_t n;

	(void)state;
	n = load_fixture("default-ds.bin", buf, sizeof(buf));
	assert_int_equal(ff_pmc_parse(buf, n, &m, why, sizeof(why)), 0);
	assert_int_equal(m.mid, FF_MID_DEFAULT_DATA_SET);
	assert_int_equal(m.action, 2);
	assert_int_equal(m.u.dds.number_ports, 1);
	assert_int_equal(m.u.dds.priority1, 128);
	assert_int_equal(m.u.dds.priority2, 128);
	assert_int_equal(m.u.dds.clock_class, 248);
	assert_int_equal(m.u.dds.clock_accuracy, 0xfe);
	assert_int_equal(m.u.dds.offset_scaled_log_variance, 0xffff);
	assert_true(m.u.dds.two_step);
	assert_false(m.u.dds.slave_only);
	memcpy(id, m.u.dds.clock_identity, 8);
	/* The clock's identity is the one in the header's source port. */
	assert_memory_equal(id, m.source.clock, 8);

	n = load_fixture("port-ds.bin", buf, sizeof(buf));
	assert_int_equal(ff_pmc_parse(buf, n, &m, why, sizeof(why)), 0);
	assert_int_equal(m.mid, FF_MID_PORT_DATA_SET);
	assert_memory_equal(m.u.portds.port.clock, id, 8);
	assert_int_equal(m.u.portds.port.port, 1);
	assert_string_equal(ff_port_state_name(m.u.portds.port_state), "LISTENING");
	assert_int_equal(m.u.portds.log_announce_interval, 1);
	assert_int_equal(m.u.portds.announce_receipt_timeout, 3);
	assert_int_equal(m.u.portds.delay_mechanism, 1); /* E2E */
	assert_int_equal(m.u.portds.version_number, 2);

	n = load_fixture("parent-ds.bin", buf, sizeof(buf));
	assert_int_equal(ff_pmc_parse(buf, n, &m, why, sizeof(why)), 0);
	/* Alone on its link, the clock is its own grandmaster. */
	assert_memory_equal(m.u.pds.gm_identity, id, 8);
	assert_int_equal(m.u.pds.gm_clock_class, 248);
	assert_int_equal(m.u.pds.gm_priority1, 128);

	n = load_fixture("current-ds.bin", buf, sizeof(buf));
	assert_int_equal(ff_pmc_parse(buf, n, &m, why, sizeof(why)), 0);
	assert_int_equal(m.u.cds.steps_removed, 0);
	assert_true(m.u.cds.offset_from_master_ns == 0.0);

	n = load_fixture("time-status-np.bin", buf, sizeof(buf));
	assert_int_equal(ff_pmc_parse(buf, n, &m, why, sizeof(why)), 0);
	assert_int_equal(m.mid, FF_MID_TIME_STATUS_NP);
	assert_false(m.u.tsn.gm_present);
	assert_memory_equal(m.u.tsn.gm_identity, id, 8);

	n = load_fixture("time-properties-ds.bin", buf, sizeof(buf));
	assert_int_equal(ff_pmc_parse(buf, n, &m, why, sizeof(why)), 0);
	assert_int_equal(m.mid, FF_MID_TIME_PROPERTIES_DATA_SET);
	assert_int_equal(m.u.tpds.time_source, 0xA0); /* INTERNAL_OSCILLATOR */

	/* Another managementId (PRIORITY1) is well formed, just not read. */
	n = load_fixture("priority1.bin", buf, sizeof(buf));
	assert_int_equal(ff_pmc_parse(buf, n, &m, why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "managementId 0x2005"));
	assert_string_equal(ff_clock_id_str(id, s, sizeof(s)), s);
	assert_int_equal(strlen(s), 18);
	assert_int_equal(s[6], '.');
	assert_int_equal(s[11], '.');
}

/* Scaled nanoseconds and signed fields, and every malformation named by offset. */
static void test_parse_values_and_errors(void **state)
{
	uint8_t buf[FF_PMC_MAX_LEN], m2[FF_PMC_MAX_LEN];
	struct ff_pmc_msg m;
	char why[128];
	size_t n;
	int64_t off = -1103LL * 65536 - 32768; /* -1103.5 ns */
	int64_t delay = 2093LL * 65536;

	(void)state;
	n = load_fixture("current-ds.bin", buf, sizeof(buf));
	buf[54] = 0;
	buf[55] = 1; /* stepsRemoved */
	for (int i = 0; i < 8; i++) {
		buf[56 + i] = (uint8_t)((uint64_t)off >> (56 - 8 * i));
		buf[64 + i] = (uint8_t)((uint64_t)delay >> (56 - 8 * i));
	}
	assert_int_equal(ff_pmc_parse(buf, n, &m, why, sizeof(why)), 0);
	assert_int_equal(m.u.cds.steps_removed, 1);
	assert_true(m.u.cds.offset_from_master_ns == -1103.5);
	assert_true(m.u.cds.mean_path_delay_ns == 2093.0);

	assert_int_equal(ff_pmc_parse(buf, 20, &m, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "offset 0: 20 bytes"));
	memcpy(m2, buf, n);
	m2[1] = 1;
	assert_int_equal(ff_pmc_parse(m2, n, &m, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "offset 1: PTP version 1"));
	assert_int_equal(ff_pmc_parse(buf, n - 1, &m, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "offset 2: messageLength 72 but 71 bytes"));
	memcpy(m2, buf, n);
	m2[0] = 0x00; /* a Sync */
	assert_int_equal(ff_pmc_parse(m2, n, &m, why, sizeof(why)), -ENOTSUP);
	memcpy(m2, buf, n);
	m2[51] = 200; /* TLV length past the message */
	assert_int_equal(ff_pmc_parse(m2, n, &m, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "offset 50: TLV lengthField 200"));
	memcpy(m2, buf, n);
	m2[51] = 10; /* shorter than CURRENT_DATA_SET's 18 bytes */
	assert_int_equal(ff_pmc_parse(m2, n, &m, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "needs 18 data bytes, TLV has 8"));
	memcpy(m2, buf, n);
	m2[49] = 3; /* an unknown TLV type */
	assert_int_equal(ff_pmc_parse(m2, n, &m, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "offset 48: tlvType 0x0003"));
	/* MANAGEMENT_ERROR_STATUS: NOT_SUPPORTED (6) for CURRENT_DATA_SET. */
	memcpy(m2, buf, n);
	m2[49] = 2;
	m2[51] = 8;
	m2[52] = 0;
	m2[53] = 6;
	m2[54] = 0x20;
	m2[55] = 0x01;
	assert_int_equal(ff_pmc_parse(m2, n, &m, why, sizeof(why)), 0);
	assert_int_equal(m.error_id, 6);
	assert_int_equal(m.mid, FF_MID_CURRENT_DATA_SET);
}

/* ---------------------------------------------------------------- ptpconf */

static void test_ptpconf_check(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(ff_ptpconf_check("domainNumber", "127", &why), 0);
	assert_int_equal(ff_ptpconf_check("domainNumber", "128", &why), -ERANGE);
	assert_int_equal(ff_ptpconf_check("clockAccuracy", "0xFE", &why), 0);
	assert_int_equal(ff_ptpconf_check("logSyncInterval", "-4", &why), 0);
	assert_int_equal(ff_ptpconf_check("logSyncInterval", "x", &why), -EINVAL);
	assert_string_equal(why, "not an integer");
	assert_int_equal(ff_ptpconf_check("free_running", "2", &why), -ERANGE);
	assert_string_equal(why, "must be 0 or 1");
	assert_int_equal(ff_ptpconf_check("fault_reset_interval", "ASAP", &why), 0);
	assert_int_equal(ff_ptpconf_check("time_stamping", "software", &why), 0);
	assert_int_equal(ff_ptpconf_check("time_stamping", "soft", &why), -EINVAL);
	assert_int_equal(ff_ptpconf_check("ptp_dst_mac", "01:80:C2:00:00:0E", &why), 0);
	assert_int_equal(ff_ptpconf_check("ptp_dst_mac", "01:80:C2:00:00", &why), -EINVAL);
	assert_int_equal(ff_ptpconf_check("step_threshold", "0.00002", &why), 0);
	assert_int_equal(ff_ptpconf_check("nonsense", "1", &why), -ENOENT);
	assert_int_equal(ff_ptpconf_check("priority1", "", &why), -EINVAL);
}

static char *write_conf(struct ff_ptpconf *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(ff_ptpconf_write(c, f), 0);
	fclose(f);
	return text;
}

static void test_ptpconf_load_and_write(void **state)
{
	struct ff_ptpconf *c;
	struct dpu_cfg_err err;
	char msg[512], *text;

	(void)state;
	assert_int_equal(ff_ptpconf_create(&c), 0);
	assert_int_equal(ff_ptpconf_set(c, "global", "domainNumber", "0", &err), 0);
	/* Lines before a section are global; a later value replaces in place. */
	assert_int_equal(ff_ptpconf_load_string(c,
						"clientOnly 1 # linuxptp 4's name\n"
						"domainNumber\t24\n"
						"[eth1]\n"
						"  delay_mechanism   P2P  \n"
						"[unicast_master_table]\n"
						"table_id 1\nUDPv4 10.0.0.1\nUDPv4 10.0.0.2\n",
						"u.cfg", &err),
			 0);
	assert_string_equal(ff_ptpconf_get(c, "global", "domainNumber"), "24");
	assert_string_equal(ff_ptpconf_get(c, "global", "slaveOnly"), "1");
	assert_string_equal(ff_ptpconf_get(c, "global", "clientOnly"), "1");
	assert_string_equal(ff_ptpconf_get(c, "eth1", "delay_mechanism"), "P2P");
	assert_string_equal(ff_ptpconf_port(c, 0), "eth1");
	assert_null(ff_ptpconf_port(c, 1)); /* a master table is not a port */
	ff_ptpconf_set_v3_names(c, true);
	text = write_conf(c);
	assert_string_equal(text, "[global]\n"
				  "domainNumber 24\n"
				  "slaveOnly 1\n"
				  "[eth1]\n"
				  "delay_mechanism P2P\n"
				  "[unicast_master_table]\n"
				  "table_id 1\n"
				  "UDPv4 10.0.0.1\n"
				  "UDPv4 10.0.0.2\n");
	free(text);
	ff_ptpconf_set_v3_names(c, false);
	text = write_conf(c);
	assert_non_null(strstr(text, "\nclientOnly 1\n"));
	free(text);

	/* A bad line refuses the whole file, naming it; nothing of it is applied. */
	assert_int_equal(
		ff_ptpconf_load_string(c, "priority1 5\n\n[eth2]\nudp_ttl 0\n", "b.cfg", &err),
		-EINVAL);
	assert_string_equal(dpu_cfg_err_str(&err, msg, sizeof(msg)),
			    "b.cfg:4: udp_ttl: out of range: '0'");
	assert_null(ff_ptpconf_get(c, "global", "priority1"));
	assert_null(ff_ptpconf_port(c, 1));
	assert_int_equal(ff_ptpconf_load_string(c, "[eth0\n", "h.cfg", &err), -EINVAL);
	assert_string_equal(dpu_cfg_err_str(&err, msg, sizeof(msg)),
			    "h.cfg:1: malformed section header '[eth0'");
	assert_int_equal(
		ff_ptpconf_load_string(c, "[unicast_master_table]\nUDPv4\n", "t.cfg", &err),
		-EINVAL);
	assert_string_equal(dpu_cfg_err_str(&err, msg, sizeof(msg)),
			    "t.cfg:2: UDPv4: no value: ''");
	ff_ptpconf_destroy(c);
}

/* ---------------------------------------------------------------- settings */

static void test_settings_and_profiles(void **state)
{
	struct ff_settings s;
	struct ff_ptpconf *c;
	struct dpu_cfg_err err;
	bool on[FF_N_PROVIDERS];
	char msg[512];

	(void)state;
	ff_settings_init(&s);
	assert_int_equal(s.monitor_port, 25600);
	assert_int_equal(ff_settings_resolve(&s, on, &err), 0);
	/* The default profile: PTP, PHC2SYS and PPS on, the monitor and SyncE off. */
	assert_true(on[FF_PTP] && on[FF_PHC2SYS] && on[FF_PPS]);
	assert_false(on[FF_MONITOR] || on[FF_SYNCE]);
	assert_int_equal(ff_settings_set(&s, "MONITOR_STATE", "enable", &err), 0);
	assert_int_equal(ff_settings_set(&s, "PPS_STATE", "disable", &err), 0);
	assert_int_equal(ff_settings_resolve(&s, on, &err), 0);
	assert_true(on[FF_MONITOR]);
	assert_false(on[FF_PPS]);
	assert_int_equal(ff_settings_set(&s, "PTP_STATE", "disable", &err), 0);
	assert_int_equal(ff_settings_resolve(&s, on, &err), -EINVAL);
	assert_string_equal(dpu_cfg_err_str(&err, msg, sizeof(msg)),
			    "MONITOR_STATE: the PTP monitor needs PTP enabled");

	ff_settings_init(&s);
	assert_int_equal(ff_settings_set(&s, "PROFILE", "telecom", &err), 0);
	assert_int_equal(ff_settings_resolve(&s, on, &err), 0);
	assert_true(on[FF_SYNCE]);
	assert_int_equal(ff_settings_set(&s, "MONITOR_PORT", "0", &err), -EINVAL);
	assert_int_equal(ff_settings_set(&s, "NOT_A_KEY", "1", &err), -ENOENT);
	assert_int_equal(ff_settings_set(&s, "PTP_INTERFACE", "a-name-longer-than-ifnamsiz", &err),
			 -EINVAL);

	/* The configuration: profile, then Firefly's own options, then the port. */
	assert_int_equal(ff_settings_set(&s, "PTP_INTERFACE", "p0", &err), 0);
	assert_int_equal(ff_build_ptp4l_conf(&s, "/run/x/ptp4l.sock", true, &c, &err), 0);
	assert_string_equal(ff_ptpconf_get(c, "global", "network_transport"), "L2");
	assert_string_equal(ff_ptpconf_get(c, "global", "time_stamping"), "hardware");
	assert_string_equal(ff_ptpconf_get(c, "global", "uds_address"), "/run/x/ptp4l.sock");
	assert_string_equal(ff_ptpconf_port(c, 0), "p0");
	ff_ptpconf_destroy(c);

	/* custom: every provider explicit and a file. */
	ff_settings_init(&s);
	assert_int_equal(ff_settings_set(&s, "PROFILE", "custom", &err), 0);
	assert_int_equal(ff_settings_resolve(&s, on, &err), -EINVAL);
	assert_string_equal(dpu_cfg_err_str(&err, msg, sizeof(msg)),
			    "PTP_STATE: defined_by_profile is not allowed with the custom profile: "
			    "set enable or disable");
	for (int p = 0; p < FF_N_PROVIDERS; p++) {
		s.state[p] = p == FF_PTP ? FF_STATE_ENABLE : FF_STATE_DISABLE;
	}
	assert_int_equal(ff_settings_resolve(&s, on, &err), -EINVAL);
	assert_string_equal(dpu_cfg_err_str(&err, msg, sizeof(msg)),
			    "PTP_CONFIG_FILE: the custom profile needs a ptp4l configuration file");
}

/* ---------------------------------------------------------------- monitor */

static void test_monitor_lines_and_render(void **state)
{
	struct ff_status st;
	struct ff_time_status_np tsn;
	double avg, mx, rms;
	char buf[4096];

	(void)state;
	ff_status_init(&st);
	assert_false(ff_status_ptp4l_line(&st, "ptp4l[1.2]: port 1: LISTENING to MASTER"));
	assert_int_equal(st.servo_state, -1);
	assert_true(ff_status_ptp4l_line(
		&st,
		"ptp4l[17399.759]: master offset       -652 s2 freq    -451 path delay  2194"));
	assert_int_equal(st.servo_state, 2);
	assert_true(st.freq_ppb == -451);
	assert_true(ff_status_ptp4l_line(
		&st, "ptp4l[17400.1]: rms   12 max   30 freq  +1032 +/-   5 delay  2000 +/-   3"));
	assert_true(st.freq_ppb == 1032);
	assert_int_equal(st.servo_state, 2);
	assert_false(ff_status_ptp4l_line(&st, "ptp4l[1]: master offset garbage"));

	/* Offset statistics take each sample once (by ingress time). */
	memset(&tsn, 0, sizeof(tsn));
	tsn.master_offset_ns = 300;
	tsn.ingress_time_ns = 1000;
	ff_status_add_time_status(&st, &tsn);
	ff_status_add_time_status(&st, &tsn);
	tsn.master_offset_ns = -400;
	tsn.ingress_time_ns = 2000;
	ff_status_add_time_status(&st, &tsn);
	assert_true(ff_status_offset_stats(&st, &avg, &mx, &rms));
	assert_true(avg == -50 && mx == 400);
	assert_true(fabs(rms - 353.553) < 0.01);

	st.ptp4l_up = true;
	st.port.port_state = FF_PS_SLAVE;
	st.port.port.port = 1;
	st.pds.gm_priority1 = 10;
	st.cds.steps_removed = 1;
	st.cds.offset_from_master_ns = -400;
	st.cds.mean_path_delay_ns = 2093.4;
	memcpy(st.pds.gm_identity, "\x8a\x0d\xa6\xff\xfe\xf8\x80\x89", 8);
	assert_true(ff_status_stable(&st));
	ff_status_render(&st, buf, sizeof(buf));
	assert_non_null(strstr(buf, "gmIdentity: 8a0da6.fffe.f88089\n"));
	assert_non_null(strstr(buf, "\nport_state: SLAVE\n"));
	assert_non_null(strstr(buf, "\nstepsRemoved: 1\noffsetFromMaster: -400\n"
				    "meanPathDelay: 2093\n"
				    "master_offset: avg: -50 max: 400 rms: 354\n"));
	assert_non_null(strstr(buf, "\nptp_stable: yes\nservo_state: s2\nfreq_adj_ppb: 1032\n"));
	assert_non_null(strstr(buf, "\ngrandmasterPriority1: 10\n"));
	assert_non_null(strstr(buf, "\nlast_err_time (UTC): No errors\nrounds_missed: 0\n"
				    "clients_dropped: 0\n\n"));
	ff_status_error(&st, 1764093300LL * 1000000000LL);
	st.ptp4l_up = false;
	ff_status_render(&st, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\nport_state: NO_PTP4L\n"));
	assert_non_null(strstr(buf, "\nptp_stable: no\n"));
	assert_non_null(strstr(buf, "\nerror_count: 1\nlast_err_time (UTC): 2025-11-25 17:55:00"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_get),
		cmocka_unit_test(test_own_get_is_not_a_response),
		cmocka_unit_test(test_parse_ptp4l_responses),
		cmocka_unit_test(test_parse_values_and_errors),
		cmocka_unit_test(test_ptpconf_check),
		cmocka_unit_test(test_ptpconf_load_and_write),
		cmocka_unit_test(test_settings_and_profiles),
		cmocka_unit_test(test_monitor_lines_and_render),
	};

	return cmocka_run_group_tests_name("firefly", tests, NULL, NULL);
}
