/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#define DPU_LOG_MODULE "simd-ctl"
#include "common/log.h"
#include "common/loop.h"
#include "common/timeutil.h"
#include "dpu/hal-reg.h"
#include "sim/eswitch/esw.h"
#include "sim/simd/ctl.h"
#include "sim/simd/flow.h"

/*
 * A control connection: requests in (buf), replies out (out: the bytes at
 * out_off .. out_len not yet taken by the socket). While a reply waits to
 * go, no further request is read: a client that does not read its
 * replies holds one in memory, not an ever longer queue.
 */
struct conn {
	struct simd *s;
	int fd;
	struct dpu_loop_src *src;
	size_t len;
	char *out;
	size_t out_off, out_len;
	char buf[SIMD_CTL_MAX_LINE];
};

struct json_object *simd_reply_error(int err, const char *fmt, ...)
{
	struct json_object *r = json_object_new_object();
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(r, "ok", json_object_new_boolean(0));
	json_object_object_add(r, "errno", json_object_new_int(err));
	json_object_object_add(r, "error", json_object_new_string(msg));
	return r;
}

struct json_object *simd_reply_ok(const char *key, struct json_object *val)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "ok", json_object_new_boolean(1));
	if (key != NULL) {
		json_object_object_add(r, key, val);
	}
	return r;
}

static void add_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

static struct json_object *do_info(struct simd *s)
{
	const struct sim_inventory *iv = &s->dev->inv;
	struct json_object *o = json_object_new_object();

	add_str(o, "name", s->dev->name);
	add_str(o, "model", iv->model);
	add_str(o, "part-number", iv->part_number);
	add_str(o, "serial", iv->serial);
	add_str(o, "psid", iv->psid);
	/* The mode in force follows the NV configuration, as on a BlueField;
	 * zero-trust (host restriction) is the description's. */
	add_str(o, "mode",
		strcmp(iv->mode, "zero-trust") != 0 && sim_nvstore_mode(s->nv) != NULL
			? sim_nvstore_mode(s->nv)
			: iv->mode);
	add_str(o, "firmware", iv->firmware);
	add_str(o, "bsp", iv->bsp);
	add_str(o, "doca", iv->doca);
	add_str(o, "board-id", iv->board_id);
	add_str(o, "sysfs-root", s->sysroot);
	return simd_reply_ok("info", o);
}

static struct json_object *do_ports(struct simd *s)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < s->dev->n_ports; i++) {
		const struct sim_port *p = &s->dev->ports[i];
		struct json_object *o = json_object_new_object();
		char mac[18];
		enum simd_backing kind;
		bool up;

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", p->mac[0], p->mac[1],
			 p->mac[2], p->mac[3], p->mac[4], p->mac[5]);
		add_str(o, "name", p->name);
		add_str(o, "kind", sim_port_kind_name(p->kind));
		add_str(o, "mac", mac);
		add_str(o, "pci", p->pci);
		add_str(o, "ibdev", p->ibdev);
		json_object_object_add(o, "speed", json_object_new_int64(p->speed_mbps));
		json_object_object_add(o, "link", json_object_new_boolean(1));
		if (simd_dp_attached(s->dp, i, &kind, &up)) {
			static const char *const kinds[] = {"memif", "tap", "af_packet"};

			add_str(o, "backing", kinds[kind]);
			json_object_object_add(o, "carrier", json_object_new_boolean(up));
		}
		json_object_array_add(a, o);
	}
	return simd_reply_ok("ports", a);
}

static struct json_object *do_sensors(struct simd *s)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < s->dev->n_sensors; i++) {
		const struct sim_sensor *x = &s->dev->sensors[i];
		struct json_object *o = json_object_new_object();

		add_str(o, "name", x->name);
		add_str(o, "kind", sim_sensor_kind_name(x->kind));
		json_object_object_add(o, "value", json_object_new_double(s->sensor_now[i]));
		if (isfinite(x->warn)) {
			json_object_object_add(o, "warn", json_object_new_double(x->warn));
		}
		if (isfinite(x->crit)) {
			json_object_object_add(o, "crit", json_object_new_double(x->crit));
		}
		json_object_array_add(a, o);
	}
	return simd_reply_ok("sensors", a);
}

static struct json_object *do_nv_get(struct simd *s)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < s->nv->n; i++) {
		struct json_object *o = json_object_new_object();

		add_str(o, "name", s->nv->e[i].name);
		add_str(o, "current", s->nv->e[i].current);
		add_str(o, "next", s->nv->e[i].next);
		json_object_array_add(a, o);
	}
	return simd_reply_ok("nvconfig", a);
}

static const char *get_string(struct json_object *req, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !json_object_is_type(v, json_type_string)) {
		return NULL;
	}
	return json_object_get_string(v);
}

static struct json_object *do_nv_set(struct simd *s, struct json_object *req)
{
	const char *name = get_string(req, "name");
	const char *value = get_string(req, "value");
	int rc;

	if (name == NULL || value == NULL) {
		return simd_reply_error(EINVAL, "nv-set needs string \"name\" and \"value\"");
	}
	rc = sim_nvstore_set(s->nv, name, value);
	if (rc == -ENOENT) {
		return simd_reply_error(ENOENT, "%s: not an NV parameter of %s", name,
					s->dev->name);
	}
	if (rc == -EINVAL) {
		return simd_reply_error(EINVAL, "%s: value must be 1..%d characters", name,
					SIM_NAME_MAX - 1);
	}
	if (rc < 0) {
		return simd_reply_error(-rc, "%s: cannot persist: %s", name, strerror(-rc));
	}
	log_info("nvconfig %s = %s (next boot)", name, value);
	return simd_reply_ok(NULL, NULL);
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static struct json_object *do_counters(struct simd *s)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < s->dev->n_ports; i++) {
		struct simd_port_counters c;
		struct json_object *o = json_object_new_object();

		simd_dp_counters(s->dp, i, &c);
		add_str(o, "port", s->dev->ports[i].name);
		add_u64(o, "rx_packets", c.rx_packets);
		add_u64(o, "rx_bytes", c.rx_bytes);
		add_u64(o, "rx_dropped", c.rx_dropped);
		add_u64(o, "rx_errors", c.rx_errors);
		add_u64(o, "tx_packets", c.tx_packets);
		add_u64(o, "tx_bytes", c.tx_bytes);
		add_u64(o, "tx_dropped", c.tx_dropped);
		json_object_array_add(a, o);
	}
	return simd_reply_ok("counters", a);
}

static struct json_object *do_replay(struct simd *s, struct json_object *req)
{
	struct simd_replay_req r = {.speed = 1.0, .loops = 1};
	const char *file = get_string(req, "file");
	const char *port = get_string(req, "port");
	struct json_object *v;
	char why[300];
	int rc;

	if (file == NULL || port == NULL) {
		return simd_reply_error(EINVAL, "replay needs string \"file\" and \"port\"");
	}
	if (dpu_strscpy(r.file, file, sizeof(r.file)) < 0 ||
	    dpu_strscpy(r.port, port, sizeof(r.port)) < 0) {
		return simd_reply_error(ENAMETOOLONG, "file or port name too long");
	}
	if (json_object_object_get_ex(req, "speed", &v)) {
		r.speed = json_object_get_double(v);
	}
	if (json_object_object_get_ex(req, "pps", &v)) {
		r.pps = (uint64_t)json_object_get_int64(v);
	}
	if (json_object_object_get_ex(req, "loops", &v)) {
		r.loops = (uint64_t)json_object_get_int64(v);
	}
	rc = simd_dp_replay(s->dp, &r, why, sizeof(why));
	if (rc < 0) {
		return simd_reply_error(-rc, "%s", why);
	}
	return simd_reply_ok(NULL, NULL);
}

static struct json_object *do_replay_status(struct simd *s)
{
	static const char *const states[] = {"idle", "running", "done", "failed"};
	struct simd_replay_status st;
	struct json_object *o = json_object_new_object();

	simd_dp_replay_status(s->dp, &st);
	add_str(o, "state", states[st.state]);
	add_str(o, "file", st.file);
	add_str(o, "port", st.port);
	add_u64(o, "packets", st.packets);
	add_u64(o, "bytes", st.bytes);
	add_u64(o, "loops_done", st.loops_done);
	add_u64(o, "loops", st.loops);
	json_object_object_add(o, "progress", json_object_new_double(st.progress));
	add_str(o, "error", st.error);
	return simd_reply_ok("replay", o);
}

/* The PHC's reference: CLOCK_MONOTONIC, sampled with CLOCK_REALTIME around it. */
static void clock_now(int64_t *mono, int64_t *real)
{
	int64_t r0 = (int64_t)dpu_time_real_ns();

	*mono = (int64_t)dpu_time_mono_ns();
	*real = r0 + ((int64_t)dpu_time_real_ns() - r0) / 2;
}

static struct json_object *do_clock(struct simd *s)
{
	struct json_object *o = json_object_new_object();
	int64_t mono, real, phc;

	clock_now(&mono, &real);
	phc = sim_phc_read(&s->phc, mono);
	json_object_object_add(o, "phc_ns", json_object_new_int64(phc));
	json_object_object_add(o, "sys_ns", json_object_new_int64(real));
	json_object_object_add(o, "offset_ns", json_object_new_int64(phc - real));
	json_object_object_add(o, "freq_ppb", json_object_new_double(s->phc.freq_ppb));
	json_object_object_add(o, "drift_ppb", json_object_new_double(s->phc.drift_ppb));
	json_object_object_add(o, "max_adj_ppb", json_object_new_double(SIM_PHC_MAX_ADJ_PPB));
	return simd_reply_ok("clock", o);
}

/* Drift the oscillator may have: up to 10% (a broken one), so servos can be tested hard. */
#define SIMD_MAX_DRIFT_PPB 1e8

static struct json_object *do_clock_adjust(struct simd *s, struct json_object *req)
{
	struct json_object *v;
	int64_t mono, real;
	bool any = false;

	clock_now(&mono, &real);
	(void)real;
	json_object_object_foreach (req, key, val) {
		(void)val;
		if (strcmp(key, "cmd") != 0 && strcmp(key, "set_ns") != 0 &&
		    strcmp(key, "step_ns") != 0 && strcmp(key, "freq_ppb") != 0 &&
		    strcmp(key, "drift_ppb") != 0) {
			return simd_reply_error(EINVAL, "clock-adjust: unknown key \"%.40s\"", key);
		}
	}
	if (json_object_object_get_ex(req, "freq_ppb", &v)) {
		double ppb = json_object_get_double(v);

		if (sim_phc_adjfreq(&s->phc, mono, ppb) < 0) {
			return simd_reply_error(ERANGE, "clock-adjust: freq_ppb %g beyond +-%g",
						ppb, SIM_PHC_MAX_ADJ_PPB);
		}
		any = true;
	}
	if (json_object_object_get_ex(req, "drift_ppb", &v)) {
		double ppb = json_object_get_double(v);

		if (!isfinite(ppb) || fabs(ppb) > SIMD_MAX_DRIFT_PPB) {
			return simd_reply_error(ERANGE, "clock-adjust: drift_ppb %g beyond +-%g",
						ppb, SIMD_MAX_DRIFT_PPB);
		}
		sim_phc_set_drift(&s->phc, mono, ppb);
		log_info("PHC drift %g ppb", ppb);
		any = true;
	}
	if (json_object_object_get_ex(req, "set_ns", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0) {
			return simd_reply_error(EINVAL, "clock-adjust: set_ns: a time >= 0 in ns");
		}
		sim_phc_set(&s->phc, mono, json_object_get_int64(v));
		any = true;
	}
	if (json_object_object_get_ex(req, "step_ns", &v)) {
		if (!json_object_is_type(v, json_type_int)) {
			return simd_reply_error(EINVAL, "clock-adjust: step_ns: an integer (ns)");
		}
		sim_phc_step(&s->phc, mono, json_object_get_int64(v));
		any = true;
	}
	if (!any) {
		return simd_reply_error(EINVAL, "clock-adjust: give set_ns, step_ns, freq_ppb "
						"or drift_ppb");
	}
	return simd_reply_ok(NULL, NULL);
}

static struct json_object *do_port_attach(struct simd *s, struct json_object *req)
{
	const char *port = get_string(req, "port");
	struct json_object *o, *v;
	int64_t queues = 1;
	char sock[108];
	int idx = -1, rc;

	for (size_t i = 0; port != NULL && i < s->dev->n_ports; i++) {
		if (strcmp(s->dev->ports[i].name, port) == 0) {
			idx = (int)i;
		}
	}
	if (idx < 0) {
		return simd_reply_error(ENODEV, "port-attach: %s is not a port of %s",
					port != NULL ? port : "(no \"port\")", s->dev->name);
	}
	if (snprintf(sock, sizeof(sock), "%s/memif-%s.sock", s->rundir, port) >=
	    (int)sizeof(sock)) {
		return simd_reply_error(ENAMETOOLONG,
					"port-attach: %s/memif-%s.sock is too long "
					"for a socket path",
					s->rundir, port);
	}
	if (json_object_object_get_ex(req, "queues", &v)) {
		queues = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
		if (queues < 1 || queues > 16) {
			return simd_reply_error(EINVAL, "port-attach %s: \"queues\" is 1..16",
						port);
		}
	}
	rc = simd_dp_attach(s->dp, (size_t)idx, SIMD_BACKING_SERVICE, sock, (uint16_t)queues);
	if (rc == -EEXIST) {
		return simd_reply_error(EBUSY, "port-attach %s: the port has another backing",
					port);
	}
	if (rc < 0) {
		return simd_reply_error(-rc, "port-attach %s: %s", port, strerror(-rc));
	}
	o = json_object_new_object();
	add_str(o, "port", port);
	json_object_object_add(o, "index", json_object_new_int(idx));
	add_str(o, "socket", sock);
	json_object_object_add(o, "queues", json_object_new_int((int)queues));
	return simd_reply_ok("attach", o);
}

/* ---- device registers: PPCC (sim/pcc.h) ---- */

static void pcc_events(void *arg, size_t uplink, struct sim_pcc_events *ev)
{
	struct simd *s = arg;

	simd_dp_cc_events(s->dp, s->uplink[uplink], ev);
}

static void pcc_apply(struct simd *s, size_t uplink)
{
	const struct sim_pcc_port *p = &s->pcc.port[uplink];

	simd_dp_cc_config(s->dp, s->uplink[uplink], p->enabled,
			  (uint64_t)p->param[SIM_PCC_MIN_TIME_BETWEEN_CNPS] * DPU_NSEC_PER_USEC,
			  (uint64_t)p->param[SIM_PCC_RATE_REDUCE_MONITOR_PERIOD] *
				  DPU_NSEC_PER_USEC);
}

void simd_pcc_start(struct simd *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->dev->n_ports; i++) {
		if (s->dev->ports[i].kind == SIM_PORT_UPLINK) {
			s->uplink[n++] = i;
		}
	}
	sim_pcc_init(&s->pcc, n);
	for (size_t i = 0; i < n; i++) {
		pcc_apply(s, i);
	}
	sim_diag_init(&s->diag, dpu_time_mono_ns());
}

void simd_pcc_stop(struct simd *s)
{
	sim_diag_free(&s->diag);
}

/* ---- firmware commands: the diagnostic counters (sim/diag.h) ---- */

/* What a diagnostic counter counts, from the ports' counters (sim/diag.h). */
static uint64_t diag_value(void *arg, uint16_t id)
{
	struct simd *s = arg;
	uint64_t v = 0;
	size_t uplinks = 0;

	for (size_t i = 0; i < s->dev->n_ports; i++) {
		const struct sim_port *p = &s->dev->ports[i];
		struct simd_port_counters c;

		simd_dp_counters(s->dp, i, &c);
		switch (id) {
		case 0x0406: /* inbound PCIe: what the host functions hand the device */
			v += p->kind != SIM_PORT_UPLINK ? c.rx_bytes : 0;
			break;
		case 0x1001:
			v += c.rx_packets;
			break;
		case 0x2006:
			v += c.tx_packets;
			break;
		case 0x2c02:
		case 0x2c03:
			if (p->kind == SIM_PORT_UPLINK && uplinks++ == (size_t)(id - 0x2c02)) {
				v = c.tx_bytes;
			}
			break;
		default:
			break;
		}
	}
	return id == 0x0406 ? v / 128 : v;
}

static void diag_tick(struct dpu_loop_src *src, uint64_t n, void *arg)
{
	struct simd *s = arg;

	(void)src;
	(void)n;
	sim_diag_tick(&s->diag, diag_value, s, dpu_time_mono_ns());
}

/* The sampler's timer at the period the parameters ask for (no finer than 1 ms). */
static void diag_timer(struct simd *s)
{
	uint64_t period = sim_diag_period_ns(&s->diag);

	if (period != 0 && period < DPU_NSEC_PER_MSEC) {
		period = DPU_NSEC_PER_MSEC;
	}
	if (s->loop == NULL) {
		return;
	}
	if (s->diag_timer == NULL) {
		if (period == 0 ||
		    dpu_loop_add_timer(s->loop, period, period, diag_tick, s, &s->diag_timer) < 0) {
			s->diag_timer = NULL;
		}
		return;
	}
	dpu_loop_timer_set(s->diag_timer, period, period);
}

/* {"cmd": "mlx5-cmd", "in": hex, "out_len": N} -> {"out": hex} */
static struct json_object *do_mlx5_cmd(struct simd *s, struct json_object *req)
{
	static const char hex[] = "0123456789abcdef";
	static uint8_t in[DPU_CMD_MAX], out[DPU_CMD_MAX];
	static char text[2 * DPU_CMD_MAX + 1];
	const char *data = get_string(req, "in");
	struct json_object *v;
	int64_t out_len =
		json_object_object_get_ex(req, "out_len", &v) ? json_object_get_int64(v) : -1;
	size_t len = data != NULL ? strlen(data) : 0;
	char why[160];
	int rc;

	if (data == NULL || len % 2 != 0 || len / 2 < 16 || len / 2 > sizeof(in) || out_len < 16 ||
	    out_len > (int64_t)sizeof(out)) {
		return simd_reply_error(EINVAL,
					"mlx5-cmd: \"in\" must be 16..%zu hex bytes, "
					"\"out_len\" 16..%zu",
					sizeof(in), sizeof(out));
	}
	for (size_t i = 0; i < len / 2; i++) {
		int hi = dpu_hexval(data[2 * i]), lo = dpu_hexval(data[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			return simd_reply_error(EINVAL,
						"mlx5-cmd: \"in\" offset %zu: not a hex byte", i);
		}
		in[i] = (uint8_t)(hi << 4 | lo);
	}
	rc = sim_diag_cmd(&s->diag, in, len / 2, out, (size_t)out_len, diag_value, s,
			  dpu_time_mono_ns(), why, sizeof(why));
	if (rc == -EOPNOTSUPP) {
		return simd_reply_error(EOPNOTSUPP, "mlx5-cmd: opcode 0x%02x%02x: not modelled",
					in[0], in[1]);
	}
	if (rc == -EMSGSIZE) {
		return simd_reply_error(EMSGSIZE, "mlx5-cmd: opcode 0x%02x%02x: mailbox too short",
					in[0], in[1]);
	}
	if (rc < 0) {
		return simd_reply_error(rc == -EINVAL ? EREMOTEIO : -rc, "%s",
					rc == -EINVAL ? why : strerror(-rc));
	}
	diag_timer(s);
	for (int64_t i = 0; i < out_len; i++) {
		text[2 * i] = hex[out[i] >> 4];
		text[2 * i + 1] = hex[out[i] & 15];
	}
	text[2 * out_len] = '\0';
	return simd_reply_ok("out", json_object_new_string(text));
}

/* {"cmd": "reg", "id": N, "write": bool, "data": hex} -> {"reg": hex} */
static struct json_object *do_reg(struct simd *s, struct json_object *req)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t reg[DPU_PPCC_LEN > DPU_NV_HDR + DPU_NV_DATA_MAX ? DPU_PPCC_LEN
								: DPU_NV_HDR + DPU_NV_DATA_MAX];
	char why[160], out[2 * sizeof(reg) + 1];
	struct json_object *v;
	const char *data = get_string(req, "data");
	bool write = json_object_object_get_ex(req, "write", &v) && json_object_get_boolean(v);
	int64_t id = json_object_object_get_ex(req, "id", &v) ? json_object_get_int64(v) : -1;
	size_t len = data ? strlen(data) / 2 : 0;
	int rc;

	if (id != DPU_REG_PPCC && id != DPU_REG_MNVDA) {
		return simd_reply_error(EOPNOTSUPP,
					"register 0x%04llx: not modelled (PPCC 0x%04x and "
					"MNVDA 0x%04x are)",
					(long long)id, DPU_REG_PPCC, DPU_REG_MNVDA);
	}
	if (data == NULL ||
	    (id == DPU_REG_PPCC ? strlen(data) != 2 * DPU_PPCC_LEN
				: strlen(data) % 8 != 0 || len < DPU_NV_HDR || len > sizeof(reg))) {
		return simd_reply_error(
			EINVAL,
			id == DPU_REG_PPCC ? "register 0x%04llx: \"data\" must be 252 hex bytes"
					   : "register 0x%04llx: \"data\" must be 12..268 hex "
					     "bytes, in 32-bit words",
			(long long)id);
	}
	for (size_t i = 0; i < len; i++) {
		int hi = dpu_hexval(data[2 * i]), lo = dpu_hexval(data[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			return simd_reply_error(EINVAL,
						"register 0x%04llx: \"data\" offset %zu: "
						"not a hex byte",
						(long long)id, i);
		}
		reg[i] = (uint8_t)(hi << 4 | lo);
	}
	if (id == DPU_REG_MNVDA) {
		rc = sim_nvstore_mnvda(s->nv, write, reg, len, why, sizeof(why));
		if (rc == 0 && write) {
			log_info("nvconfig written through MNVDA (next boot)");
		}
	} else {
		rc = sim_pcc_access(&s->pcc, write, reg, pcc_events, s, why, sizeof(why));
		if (rc == 0 && write) {
			struct dpu_ppcc r;

			dpu_ppcc_unpack(reg, &r); /* local_port was checked: 1..n uplinks */
			pcc_apply(s, ((size_t)r.lp_msb << 8 | r.local_port) - 1);
		}
	}
	if (rc < 0) {
		/* The firmware answered, refusing: a bad-parameter status. */
		return simd_reply_error(EREMOTEIO, "%s", why);
	}
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[reg[i] >> 4];
		out[2 * i + 1] = hex[reg[i] & 15];
	}
	out[2 * len] = '\0';
	return simd_reply_ok("reg", json_object_new_string(out));
}

struct json_object *simd_ctl_handle(struct simd *s, struct json_object *req)
{
	struct json_object *rep;
	const char *cmd;

	if (!json_object_is_type(req, json_type_object) || (cmd = get_string(req, "cmd")) == NULL) {
		return simd_reply_error(EINVAL, "expected {\"cmd\": \"...\"}");
	}
	if (strcmp(cmd, "info") == 0) {
		return do_info(s);
	}
	if (strcmp(cmd, "ports") == 0) {
		return do_ports(s);
	}
	if (strcmp(cmd, "sensors") == 0) {
		return do_sensors(s);
	}
	if (strcmp(cmd, "nv-get") == 0) {
		return do_nv_get(s);
	}
	if (strcmp(cmd, "nv-set") == 0) {
		return do_nv_set(s, req);
	}
	if (strcmp(cmd, "counters") == 0) {
		return do_counters(s);
	}
	if (strcmp(cmd, "clock") == 0) {
		return do_clock(s);
	}
	if (strcmp(cmd, "clock-adjust") == 0) {
		return do_clock_adjust(s, req);
	}
	if (strcmp(cmd, "port-attach") == 0) {
		return do_port_attach(s, req);
	}
	if (strcmp(cmd, "reg") == 0) {
		return do_reg(s, req);
	}
	if (strcmp(cmd, "mlx5-cmd") == 0) {
		return do_mlx5_cmd(s, req);
	}
	if (simd_flow_handle(s, cmd, req, &rep)) {
		return rep;
	}
	if (strcmp(cmd, "replay") == 0) {
		return do_replay(s, req);
	}
	if (strcmp(cmd, "replay-status") == 0) {
		return do_replay_status(s);
	}
	if (strcmp(cmd, "replay-stop") == 0) {
		simd_dp_replay_stop(s->dp);
		return simd_reply_ok(NULL, NULL);
	}
	return simd_reply_error(EOPNOTSUPP, "unknown command \"%.64s\"", cmd);
}

static void conn_close(struct conn *c)
{
	dpu_loop_del(c->src); /* frees 'c' through the release hook */
}

static void conn_free(void *arg)
{
	struct conn *c = arg;

	close(c->fd);
	free(c->out);
	free(c);
}

/*
 * As much of the reply waiting as the socket takes now: 0 when all of it
 * went, -EAGAIN when some is left (to go when the socket has room), or the
 * error that ends the connection.
 */
static int conn_flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
		}
		c->out_off += (size_t)w;
	}
	free(c->out);
	c->out = NULL;
	c->out_off = c->out_len = 0;
	return 0;
}

/* The request 'line' answered: its reply (and a newline) to go out. */
static int answer_line(struct conn *c, const char *line, size_t len)
{
	struct json_object *req = NULL, *rep;
	struct dpu_cfg_err err;
	const char *text;
	size_t text_len;
	char buf[600];

	if (dpu_json_load_string(line, len, "request", &req, &err) < 0) {
		rep = simd_reply_error(EINVAL, "%s", dpu_cfg_err_str(&err, buf, sizeof(buf)));
	} else {
		rep = simd_ctl_handle(c->s, req);
	}
	json_object_put(req);
	text = json_object_to_json_string_length(rep, JSON_C_TO_STRING_PLAIN, &text_len);
	c->out = malloc(text_len + 1);
	if (c->out == NULL) {
		json_object_put(rep);
		return -ENOMEM;
	}
	memcpy(c->out, text, text_len);
	c->out[text_len] = '\n';
	c->out_off = 0;
	c->out_len = text_len + 1;
	json_object_put(rep);
	return conn_flush(c);
}

/*
 * The whole requests received, answered in order; after one whose reply
 * the socket cannot take at once, the rest wait for it to have gone
 * (-EAGAIN, the connection then waits to write instead of to read).
 */
static int answer_lines(struct conn *c)
{
	char *nl;

	while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
		size_t line = (size_t)(nl - c->buf);
		int rc = answer_line(c, c->buf, line);

		memmove(c->buf, nl + 1, c->len - line - 1);
		c->len -= line + 1;
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

static void on_conn(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	struct conn *c = arg;
	bool writing = c->out != NULL;
	int rc;

	(void)events;
	if (writing) { /* a reply still going: the socket has room, or hung up */
		rc = conn_flush(c);
	} else {
		ssize_t n = recv(fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			return;
		}
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->len += (size_t)n;
		rc = 0;
	}
	if (rc == 0) {
		rc = answer_lines(c);
	}
	if (rc == -EAGAIN) { /* wait for room to write; read nothing meanwhile */
		rc = writing ? 0 : dpu_loop_mod_fd(src, EPOLLOUT);
	} else if (rc == 0 && writing) {
		rc = dpu_loop_mod_fd(src, EPOLLIN);
	}
	if (rc == 0 && c->len == sizeof(c->buf) && memchr(c->buf, '\n', c->len) == NULL) {
		log_warn_rl("control client sent a line over %d bytes; closing it",
			    SIMD_CTL_MAX_LINE);
		rc = -EMSGSIZE;
	}
	if (rc < 0) {
		conn_close(c);
	}
}

static void on_accept(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	struct simd *s = arg;
	struct conn *c;
	int cfd;

	(void)src;
	(void)events;
	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0) {
		log_warn_rl("accept: %s", strerror(errno));
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(cfd);
		return;
	}
	c->s = s;
	c->fd = cfd;
	if (dpu_loop_add_fd(s->loop, cfd, EPOLLIN, on_conn, c, &c->src) < 0) {
		close(cfd);
		free(c);
		return;
	}
	dpu_loop_set_release(c->src, conn_free);
}

int simd_ctl_start(struct simd *s)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int rc;

	s->listen_fd = -1;
	if (snprintf(s->sock_path, sizeof(s->sock_path), "%s/simd.sock", s->rundir) >=
		    (int)sizeof(s->sock_path) ||
	    strlen(s->sock_path) >= sizeof(sa.sun_path)) {
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, s->sock_path, strlen(s->sock_path) + 1);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0) {
		return -errno;
	}
	unlink(s->sock_path); /* a stale socket; the pid file says nobody owns it */
	if (bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->listen_fd, 16) < 0) {
		rc = -errno;
		close(s->listen_fd);
		s->listen_fd = -1;
		return rc;
	}
	return dpu_loop_add_fd(s->loop, s->listen_fd, EPOLLIN, on_accept, s, &s->listen_src);
}

void simd_ctl_stop(struct simd *s)
{
	if (s->listen_src != NULL) {
		dpu_loop_del(s->listen_src);
		s->listen_src = NULL;
	}
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		s->listen_fd = -1;
		unlink(s->sock_path);
	}
}
