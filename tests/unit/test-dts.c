/* SPDX-License-Identifier: BSD-3-Clause */
/* The Telemetry Service's configuration and Prometheus rendering. */
#include <config.h>

#include "unit/testutil.h"

#include "common/log.h"
#include "telemetry/config.h"
#include "telemetry/ipc.h"
#include "telemetry/ipcsrv.h"
#include "telemetry/metrics.h"

static int load(const char *text, struct dts_config *cfg, char *msg, size_t size)
{
	struct dpu_cfg_err err;
	int rc = dts_config_load_string(text, "dts_config.ini", cfg, &err);

	if (rc < 0 && msg != NULL) {
		dpu_cfg_err_str(&err, msg, size);
	}
	return rc;
}

static void test_defaults(void **state)
{
	struct dts_config cfg;

	(void)state;
	/* The file telemetry-init.sh writes is itself valid. */
	assert_int_equal(load(dts_config_default_text, &cfg, NULL, 0), 0);
	assert_int_equal(cfg.update_ms, 1000);
	assert_true(cfg.prometheus);
	assert_string_equal(cfg.prom_host, "0.0.0.0");
	assert_int_equal(cfg.prom_port, 9100);
	assert_false(cfg.enable_explicitly);
	/* An empty file: no endpoint, the default interval. */
	assert_int_equal(load("", &cfg, NULL, 0), 0);
	assert_false(cfg.prometheus);
	assert_int_equal(cfg.update_ms, 1000);
}

static void test_keys(void **state)
{
	static const char text[] = "# a BlueField's file\n"
				   "update=250\n"
				   "enable-provider=sysfs.bf_ptm\n"
				   "disable-provider=sysfs.hwmon\n"
				   "disable-provider=ethtool\n"
				   "prometheus=http://127.0.0.1\n"
				   "prometheus-indexes=device, hca ,port\n"
				   "prometheus-ignore-names=rx_errors,mlx5_0:1:port_xmit_wait\n"
				   "prometheus-ignore-tags=FI_metrics\n"
				   "counter-buffer-size=65536\n"
				   "sync-time-limit=10000\n"
				   "verbose=7\n";
	struct dts_config cfg;

	(void)state;
	assert_int_equal(load(text, &cfg, NULL, 0), 0);
	assert_int_equal(cfg.update_ms, 250);
	assert_int_equal(cfg.prom_port, 9100); /* a URL without a port: the default */
	assert_string_equal(cfg.prom_host, "127.0.0.1");
	assert_int_equal(cfg.prom_indexes.n, 3);
	assert_string_equal(cfg.prom_indexes.v[1], "hca"); /* blanks around items go */
	assert_true(dts_names_has(&cfg.prom_ignore_names, "mlx5_0:1:port_xmit_wait"));
	assert_int_equal(cfg.verbose, 7);
	/* Components: on by default unless disabled; bf_ptm only when enabled. */
	assert_true(dts_config_wants(&cfg, "sysfs", "eth", true));
	assert_false(dts_config_wants(&cfg, "sysfs", "hwmon", true));
	assert_true(dts_config_wants(&cfg, "sysfs", "bf_ptm", false));
	assert_false(dts_config_wants(&cfg, "ethtool", "stats", true));
}

static void test_enable_explicitly(void **state)
{
	struct dts_config cfg;

	(void)state;
	assert_int_equal(load("enable-explicitly=true\nenable-provider=sysfs\n"
			      "enable-provider=tc.qdisc\n",
			      &cfg, NULL, 0),
			 0);
	assert_true(dts_config_wants(&cfg, "sysfs", "eth", true));
	assert_false(dts_config_wants(&cfg, "sysfs", "bf_ptm", false));
	assert_true(dts_config_wants(&cfg, "tc", "qdisc", true));
	assert_false(dts_config_wants(&cfg, "ethtool", "stats", true));
}

static void test_errors_name_the_line(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"update=1000\nupdate=10x\n", "dts_config.ini:2: update: '10x'"},
		{"\n\nprometheus=127.0.0.1:9100\n",
		 "dts_config.ini:3: prometheus: '127.0.0.1:9100': expected http://"},
		{"prometheus=http://127.0.0.1:99999\n", "dts_config.ini:1: prometheus:"},
		{"verbose=6\nno-such-key=1\n", "dts_config.ini:2: no-such-key: unknown key"},
		{"enable-provider=Sys FS\n", "dts_config.ini:1: enable-provider: 'Sys FS'"},
		{"[global]\nupdate=5\n", "dts_config.ini:2: update: unknown section [global]"},
		{"update=5\n", "dts_config.ini:1: update: '5'"},
	};
	struct dts_config cfg;
	char msg[700];

	(void)state;
	dts_config_defaults(&cfg);
	cfg.update_ms = 4242;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		msg[0] = '\0';
		assert_int_equal(load(cases[i].text, &cfg, msg, sizeof(msg)), -EINVAL);
		if (strstr(msg, cases[i].want) == NULL) {
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, msg, cases[i].want);
		}
		/* Nothing of a refused file is taken. */
		assert_int_equal(cfg.update_ms, 4242);
	}
}

static char *render(const struct dts_snapshot *snap, const struct dts_config *cfg, bool om)
{
	char *text;
	size_t len;

	assert_int_equal(dts_prom_render(snap, cfg, om, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	return text;
}

static void fill(struct dts_snapshot *snap)
{
	struct dts_series *s;

	dts_snapshot_init(snap);
	/* Out of order on purpose: families must come out grouped. */
	s = dts_snapshot_add(snap, "dts_eth_rx_packets", "packets", DTS_COUNTER, "p1:rx_packets",
			     "sysfs.eth", 1, "device", "p1");
	s->u = 7;
	s = dts_snapshot_add(snap, "dts_hwmon_temp_celsius", "temperature", DTS_GAUGE,
			     "asic:temp1_input", "sysfs.hwmon", 2, "chip", "asic", "sensor",
			     "temp1");
	s->d = 54.5;
	s = dts_snapshot_add(snap, "dts_eth_rx_packets", "packets", DTS_COUNTER, "p0:rx_packets",
			     "sysfs.eth", 1, "device", "p0");
	s->u = 18446744073709551615ULL; /* counters print as exact integers */
	s = dts_snapshot_add(snap, "dts_ib_port_port_xmit_wait", "wait", DTS_COUNTER,
			     "mlx5_0:1:port_xmit_wait", "sysfs.ib_port", 2, "hca", "mlx5_0", "port",
			     "1");
	s->u = 3;
	s = dts_snapshot_add(snap, "dts-odd name", "odd", DTS_GAUGE, "x", "fi.unit", 1, "name",
			     "a\"b\\c\nd");
	s->d = 1;
	/* A counter under its peer's name (dcgm-exporter's), no _total in text. */
	s = dts_snapshot_add(snap, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "mJ", DTS_COUNTER,
			     "gpu0:energy", "dcgm", 1, "gpu", "0");
	s->fractional = true;
	s->bare = true;
	s->d = 2433063;
}

static void test_render(void **state)
{
	struct dts_snapshot snap;
	char *t;

	(void)state;
	fill(&snap);
	t = render(&snap, NULL, false);
	assert_non_null(strstr(t, "# HELP dts_eth_rx_packets_total packets\n"
				  "# TYPE dts_eth_rx_packets_total counter\n"
				  "dts_eth_rx_packets_total{device=\"p0\"} 18446744073709551615\n"
				  "dts_eth_rx_packets_total{device=\"p1\"} 7\n"));
	assert_non_null(strstr(t, "# TYPE dts_hwmon_temp_celsius gauge\n"
				  "dts_hwmon_temp_celsius{chip=\"asic\",sensor=\"temp1\"} 54.5\n"));
	/* Names are made valid; label values escaped. */
	assert_non_null(strstr(t, "dts_odd_name{name=\"a\\\"b\\\\c\\nd\"} 1\n"));
	assert_non_null(strstr(t, "# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter\n"
				  "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"0\"} 2433063\n"));
	assert_null(strstr(t, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION_total"));
	assert_null(strstr(t, "# EOF"));
	free(t);
	/* OpenMetrics: the family without _total, the samples with it, # EOF last. */
	t = render(&snap, NULL, true);
	assert_non_null(strstr(t, "# TYPE dts_eth_rx_packets counter\n"));
	assert_non_null(strstr(t, "dts_eth_rx_packets_total{device=\"p1\"} 7\n"));
	assert_non_null(strstr(t,
			       "# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter\n"
			       "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION_total{gpu=\"0\"} 2433063\n"));
	assert_int_equal(strcmp(t + strlen(t) - 6, "# EOF\n"), 0);
	free(t);
	dts_snapshot_free(&snap);
}

static void test_render_filters(void **state)
{
	struct dts_snapshot snap;
	struct dts_config cfg;
	char *t;

	(void)state;
	fill(&snap);
	/* ignore-names by counter name and by DTS name; ignore-tags by provider. */
	assert_int_equal(load("prometheus-ignore-names=mlx5_0:1:port_xmit_wait,temp1_input\n"
			      "prometheus-ignore-tags=fi\n",
			      &cfg, NULL, 0),
			 0);
	t = render(&snap, &cfg, false);
	assert_null(strstr(t, "port_xmit_wait"));
	assert_null(strstr(t, "hwmon"));
	assert_null(strstr(t, "odd"));
	assert_non_null(strstr(t, "dts_eth_rx_packets_total{device=\"p1\"} 7\n"));
	free(t);
	/* indexes: only the listed labels stay; series that collide keep the first. */
	assert_int_equal(load("prometheus-indexes=hca,chip\n", &cfg, NULL, 0), 0);
	t = render(&snap, &cfg, false);
	assert_non_null(strstr(t, "dts_ib_port_port_xmit_wait_total{hca=\"mlx5_0\"} 3\n"));
	assert_non_null(strstr(t, "dts_hwmon_temp_celsius{chip=\"asic\"} 54.5\n"));
	assert_non_null(strstr(t, "dts_eth_rx_packets_total 7\n"));
	assert_null(strstr(t, "dts_eth_rx_packets_total 18446744073709551615"));
	free(t);
	dts_snapshot_free(&snap);
}

/* ---- the exporter API's messages, as dpu-telemetry takes them in ---- */

static size_t msg(uint8_t *buf, enum dts_ipc_kind kind, const void *a, size_t alen, const void *b,
		  size_t blen)
{
	return dts_ipc_pack(buf, 4096, kind, a, alen, b, blen);
}

static int take(struct dts_ipcsrv *srv, struct dts_ipc_conn *c, const uint8_t *m, size_t len,
		const char **why)
{
	*why = "";
	return dts_ipcsrv_take(srv, c, m, len, why);
}

struct __attribute__((packed)) demo_rec {
	char name[8];
	uint32_t hits;
	int16_t temp[2];
};

static void session(struct dts_ipcsrv *srv, struct dts_ipc_conn *c)
{
	struct dts_ipc_hello h = {.schema = "app", .source_id = "s1", .tag = "t"};
	struct dts_ipc_type t = {.index = 2, .n_fields = 3, .name = "unit"};
	struct dts_ipc_field f[3] = {{.name = "name", .ftype = DTS_F_CHAR, .count = 8},
				     {.name = "hits", .ftype = DTS_F_UINT32, .count = 1},
				     {.name = "temp", .ftype = DTS_F_INT16, .count = 2}};
	uint8_t m[4096], body[64];
	struct demo_rec recs[3] = {{"x", 1, {-5, 7}}, {"y", 2, {0, 0}}, {"x", 3, {9, -9}}};
	struct dts_ipc_records r = {.seq = 1, .type_index = 2, .n = 3};
	const char *why;

	assert_int_equal(take(srv, c, m, msg(m, DTS_IPC_HELLO, &h, sizeof(h), NULL, 0), &why), 0);
	assert_int_equal(take(srv, c, m, msg(m, DTS_IPC_TYPE, &t, sizeof(t), f, sizeof(f)), &why),
			 0);
	memcpy(body, recs, sizeof(recs));
	assert_int_equal(
		take(srv, c, m, msg(m, DTS_IPC_RECORDS, &r, sizeof(r), body, sizeof(recs)), &why),
		0);
}

static void test_ipc_records_to_series(void **state)
{
	struct dts_ipcsrv *srv;
	struct dts_snapshot snap;
	char *text;
	size_t len;

	(void)state;
	assert_int_equal(dts_ipcsrv_create_detached(&srv), 0);
	session(srv, dts_ipcsrv_test_conn(srv));
	dts_snapshot_init(&snap);
	assert_int_equal(dts_ipcsrv_collect(srv, NULL, &snap), 0);
	assert_int_equal(dts_prom_render(&snap, NULL, false, &text, &len), 0);
	/* The last record per name wins; arrays become one series per element. */
	assert_non_null(strstr(text, "app_unit_hits{source=\"s1\",name=\"x\"} 3\n"));
	assert_non_null(strstr(text, "app_unit_hits{source=\"s1\",name=\"y\"} 2\n"));
	assert_non_null(strstr(text, "app_unit_temp_0{source=\"s1\",name=\"x\"} 9\n"));
	assert_non_null(strstr(text, "app_unit_temp_1{source=\"s1\",name=\"x\"} -9\n"));
	assert_non_null(strstr(text, "dts_ipc_records_total{source=\"s1\",schema=\"app\"} 3\n"));
	free(text);
	dts_snapshot_free(&snap);
	dts_ipcsrv_stop(srv);
}

/* A later batch updates only its own sets; a type without labels keeps its last record. */
static void test_ipc_last_values_across_batches(void **state)
{
	struct dts_ipc_type t = {.index = 3, .n_fields = 1, .name = "plain"};
	struct dts_ipc_field f = {.name = "v", .ftype = DTS_F_UINT32, .count = 1};
	struct dts_ipc_records r2 = {.seq = 2, .type_index = 2, .n = 2};
	struct dts_ipc_records r3 = {.seq = 3, .type_index = 3, .n = 3};
	struct demo_rec recs[2] = {{"y", 5, {1, 1}}, {"y", 6, {2, 2}}};
	uint32_t plain[3] = {10, 20, 30};
	struct dts_ipcsrv *srv;
	struct dts_ipc_conn *c;
	struct dts_snapshot snap;
	uint8_t m[4096];
	const char *why;
	char *text;
	size_t len;

	(void)state;
	assert_int_equal(dts_ipcsrv_create_detached(&srv), 0);
	c = dts_ipcsrv_test_conn(srv);
	session(srv, c);
	assert_int_equal(
		take(srv, c, m, msg(m, DTS_IPC_RECORDS, &r2, sizeof(r2), recs, sizeof(recs)), &why),
		0);
	assert_int_equal(take(srv, c, m, msg(m, DTS_IPC_TYPE, &t, sizeof(t), &f, sizeof(f)), &why),
			 0);
	assert_int_equal(take(srv, c, m,
			      msg(m, DTS_IPC_RECORDS, &r3, sizeof(r3), plain, sizeof(plain)), &why),
			 0);
	dts_snapshot_init(&snap);
	assert_int_equal(dts_ipcsrv_collect(srv, NULL, &snap), 0);
	assert_int_equal(dts_prom_render(&snap, NULL, false, &text, &len), 0);
	assert_non_null(strstr(text, "app_unit_hits{source=\"s1\",name=\"x\"} 3\n"));
	assert_non_null(strstr(text, "app_unit_hits{source=\"s1\",name=\"y\"} 6\n"));
	assert_non_null(strstr(text, "app_unit_temp_0{source=\"s1\",name=\"y\"} 2\n"));
	assert_non_null(strstr(text, "app_plain_v{source=\"s1\"} 30\n"));
	assert_non_null(strstr(text, "dts_ipc_records_total{source=\"s1\",schema=\"app\"} 8\n"));
	free(text);
	dts_snapshot_free(&snap);
	dts_ipcsrv_stop(srv);
}

static void test_ipc_refuses_bad_messages(void **state)
{
	struct dts_ipc_hello h = {.schema = "app", .source_id = "s1"};
	struct dts_ipc_type t = {.index = 0, .n_fields = 1, .name = "u"};
	struct dts_ipc_field bad_type = {.name = "f", .ftype = 99, .count = 1};
	struct dts_ipc_field ok = {.name = "f", .ftype = DTS_F_UINT64, .count = 1};
	struct dts_ipc_records r = {.seq = 1, .type_index = 0, .n = 2};
	struct dts_ipcsrv *srv;
	struct dts_ipc_conn *c;
	uint8_t m[4096], body[16] = {0};
	const char *why;
	size_t n;

	(void)state;
	assert_int_equal(dts_ipcsrv_create_detached(&srv), 0);
	c = dts_ipcsrv_test_conn(srv);
	n = msg(m, DTS_IPC_RECORDS, &r, sizeof(r), body, 16);
	assert_int_equal(take(srv, c, m, n, &why), -EBADMSG);
	assert_string_equal(why, "RECORDS before HELLO");
	assert_int_equal(take(srv, c, m, n - 1, &why), -EBADMSG);
	assert_string_equal(why, "length does not match the datagram");
	assert_int_equal(take(srv, c, m, 7, &why), -EBADMSG);
	assert_string_equal(why, "shorter than a header");
	n = msg(m, DTS_IPC_HELLO, &h, sizeof(h), NULL, 0);
	assert_int_equal(take(srv, c, m, n, &why), 0);
	m[0] ^= 1;
	assert_int_equal(take(srv, c, m, n, &why), -EBADMSG);
	assert_string_equal(why, "bad magic");
	n = msg(m, DTS_IPC_TYPE, &t, sizeof(t), &bad_type, sizeof(bad_type));
	assert_int_equal(take(srv, c, m, n, &why), -EBADMSG);
	assert_string_equal(why, "TYPE: a field with a bad name, type or array length");
	n = msg(m, DTS_IPC_TYPE, &t, sizeof(t), &ok, sizeof(ok));
	assert_int_equal(take(srv, c, m, n, &why), 0);
	/* Two uint64 records are 16 bytes; 15 are not a whole number of them. */
	n = msg(m, DTS_IPC_RECORDS, &r, sizeof(r), body, 15);
	assert_int_equal(take(srv, c, m, n, &why), -EBADMSG);
	assert_string_equal(why, "RECORDS: length is not count x record size");
	r.type_index = 5;
	n = msg(m, DTS_IPC_RECORDS, &r, sizeof(r), body, 16);
	assert_int_equal(take(srv, c, m, n, &why), -EBADMSG);
	assert_string_equal(why, "RECORDS of a type never defined");
	dts_ipcsrv_stop(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_enable_explicitly),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_filters),
		cmocka_unit_test(test_ipc_records_to_series),
		cmocka_unit_test(test_ipc_last_values_across_batches),
		cmocka_unit_test(test_ipc_refuses_bad_messages),
	};

	dpu_log_set_level(DPU_LOG_CRITICAL);
	return cmocka_run_group_tests_name("dts", tests, NULL, NULL);
}
