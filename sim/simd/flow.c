/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define DPU_LOG_MODULE "simd-flow"
#include "common/log.h"
#include "sim/eswitch/esw.h"
#include "sim/simd/ctl.h"
#include "sim/simd/flow.h"

#define FLOW_MAX_PIPES 64
#define FLOW_NAME_MAX 32
#define FLOW_DEFAULT_MAX 4096

enum flow_kind { FLOW_EXACT, FLOW_ACL, FLOW_LPM };

static const char *const kind_names[] = {"exact", "acl", "lpm"};

/* Match fields, as named on the wire. */
enum {
	F_IN_PORT = 1u << 0,
	F_ETH_TYPE = 1u << 1,
	F_VLAN = 1u << 2,
	F_SRC_MAC = 1u << 3,
	F_DST_MAC = 1u << 4,
	F_IP_VER = 1u << 5,
	F_IP_PROTO = 1u << 6,
	F_SRC_IP = 1u << 7,
	F_DST_IP = 1u << 8,
	F_SRC_PORT = 1u << 9,
	F_DST_PORT = 1u << 10,
	F_VNI = 1u << 11,
	F_INNER_ETH_TYPE = 1u << 12,
	F_INNER_SRC_MAC = 1u << 13,
	F_INNER_DST_MAC = 1u << 14,
	F_INNER_IP_PROTO = 1u << 15,
	F_INNER_SRC_IP = 1u << 16,
	F_INNER_DST_IP = 1u << 17,
	F_INNER_SRC_PORT = 1u << 18,
	F_INNER_DST_PORT = 1u << 19,
};

static const char *const field_names[] = {
	"in_port",	  "eth_type",	  "vlan",	    "src_mac",	      "dst_mac",
	"ip_version",	  "ip_proto",	  "src_ip",	    "dst_ip",	      "src_port",
	"dst_port",	  "vni",	  "inner_eth_type", "inner_src_mac",  "inner_dst_mac",
	"inner_ip_proto", "inner_src_ip", "inner_dst_ip",   "inner_src_port", "inner_dst_port",
};

struct flow_pipe {
	char name[FLOW_NAME_MAX];
	enum flow_kind kind;
	struct esw_pipe *p;
	uint32_t fields; /* exact: what entries match on */
	struct esw_key mask;
	struct json_object *entries; /* "id" -> {priority, match, actions} */
};

struct flow_domain {
	struct flow_pipe pipes[FLOW_MAX_PIPES];
	unsigned int n;
	struct json_object *meters; /* [{meter, cir, cbs, ebs}], NULL before the first */
};

struct simd_flows {
	struct flow_domain sw;
	struct flow_domain port[SIM_MAX_PORTS];
};

/* One request, carried to where its domain takes changes (in_domain). */
struct flow_req {
	struct simd *s;
	const char *cmd;
	struct json_object *req;
	struct json_object *reply;
	char err[256];
	int domain; /* -1: the switch */
	/*
	 * An ACL pipe to commit after the request: its rules are compiled on
	 * the control thread, beside the data path, then put in force there
	 * (esw_acl_build / esw_acl_swap). 'added': the entries the request
	 * added, taken back if that fails.
	 */
	struct flow_pipe *build;
	uint32_t *added; /* [n_added]: added_one, or entries-add's array */
	size_t n_added;
	uint32_t added_one;
};

static int fail(struct flow_req *r, int err, const char *fmt, ...) DPU_PRINTF(3, 4);

static int fail(struct flow_req *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -err;
}

static void domain_clear(struct flow_domain *d)
{
	for (unsigned int i = 0; i < d->n; i++) {
		json_object_put(d->pipes[i].entries);
	}
	json_object_put(d->meters);
	memset(d, 0, sizeof(*d));
}

int simd_flows_create(struct simd *s, struct simd_flows **flowsp)
{
	struct simd_flows *f = calloc(1, sizeof(*f));
	struct flow_pipe *def;

	if (f == NULL) {
		return -ENOMEM;
	}
	/* The switch's default pipe, so pipes can fall through to it. */
	def = &f->sw.pipes[f->sw.n++];
	dpu_strscpy(def->name, "default", sizeof(def->name));
	def->kind = FLOW_EXACT;
	def->p = simd_dp_default_pipe(s->dp);
	def->fields = F_IN_PORT;
	def->mask.in_port = 0xffff;
	def->entries = json_object_new_object();
	*flowsp = f;
	return 0;
}

void simd_flows_destroy(struct simd_flows *flows)
{
	if (flows == NULL) {
		return;
	}
	domain_clear(&flows->sw);
	for (size_t i = 0; i < SIM_MAX_PORTS; i++) {
		domain_clear(&flows->port[i]);
	}
	free(flows);
}

static int port_index(const struct simd *s, const char *name)
{
	for (size_t i = 0; i < s->dev->n_ports; i++) {
		if (strcmp(s->dev->ports[i].name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

/*
 * Run 'fn' where the request's domain takes its changes: the switch (a
 * concurrent eSwitch) on this, the control thread, while the data path goes
 * on; a port's ingress on the data-plane thread, between its bursts.
 */
static int in_domain(struct flow_req *r, simd_dp_fn *fn, void *arg)
{
	return r->domain < 0 ? fn(r->s->dp, arg) : simd_dp_call(r->s->dp, fn, arg);
}

static struct flow_domain *domain_of(struct flow_req *r)
{
	return r->domain < 0 ? &r->s->flows->sw : &r->s->flows->port[r->domain];
}

/* The eSwitch of the request's domain; a port's is made on first use. */
static int domain_esw(struct flow_req *r, struct esw **eswp)
{
	struct esw *esw =
		r->domain < 0 ? simd_dp_switch(r->s->dp) : simd_dp_ingress(r->s->dp, r->domain);
	int rc;

	if (esw == NULL) {
		rc = esw_create(&esw);
		if (rc < 0) {
			return fail(r, -rc, "cannot create the domain: %s", strerror(-rc));
		}
		simd_dp_set_ingress(r->s->dp, (size_t)r->domain, esw);
	}
	*eswp = esw;
	return 0;
}

static struct flow_pipe *find_pipe(struct flow_domain *d, const char *name)
{
	for (unsigned int i = 0; i < d->n; i++) {
		if (strcmp(d->pipes[i].name, name) == 0) {
			return &d->pipes[i];
		}
	}
	return NULL;
}

/* ---- values ---- */

static int get_u64(struct flow_req *r, struct json_object *o, const char *where, uint64_t max,
		   uint64_t *v)
{
	int64_t x;

	if (!json_object_is_type(o, json_type_int)) {
		return fail(r, EINVAL, "%s: expected an integer", where);
	}
	x = json_object_get_int64(o);
	if (x < 0 || (uint64_t)x > max) {
		return fail(r, EINVAL, "%s: %lld out of range 0..%llu", where, (long long)x,
			    (unsigned long long)max);
	}
	*v = (uint64_t)x;
	return 0;
}

static int get_port(struct flow_req *r, struct json_object *o, const char *where, uint16_t *port)
{
	const char *name = json_object_get_string(o);
	int i;

	if (!json_object_is_type(o, json_type_string)) {
		return fail(r, EINVAL, "%s: expected a port name", where);
	}
	i = port_index(r->s, name);
	if (i < 0) {
		return fail(r, ENODEV, "%s: %s is not a port of %s", where, name, r->s->dev->name);
	}
	*port = (uint16_t)i;
	return 0;
}

/* "a.b.c.d[/len]" or an IPv6 address[/len]. */
static int get_prefix(struct flow_req *r, struct json_object *o, const char *where, uint8_t *addr,
		      uint8_t *ver, uint8_t *len)
{
	char buf[64], *slash;
	unsigned long l;
	int max;

	if (!json_object_is_type(o, json_type_string) ||
	    dpu_strscpy(buf, json_object_get_string(o), sizeof(buf)) < 0) {
		return fail(r, EINVAL, "%s: expected an address string", where);
	}
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash++ = '\0';
	}
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*ver = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		*ver = 6;
		max = 128;
	} else {
		return fail(r, EINVAL, "%s: \"%s\" is not an IPv4 or IPv6 address", where, buf);
	}
	l = (unsigned long)max;
	if (slash != NULL) {
		char *end;

		errno = 0;
		l = strtoul(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || l > (unsigned long)max) {
			return fail(r, EINVAL, "%s: prefix length must be 0..%d", where, max);
		}
	}
	*len = (uint8_t)l;
	return 0;
}

/* A number or "lo-hi". */
static int get_range(struct flow_req *r, struct json_object *o, const char *where, uint16_t *lo,
		     uint16_t *hi)
{
	if (json_object_is_type(o, json_type_int)) {
		uint64_t v;
		int rc = get_u64(r, o, where, 65535, &v);

		*lo = *hi = (uint16_t)v;
		return rc;
	}
	if (json_object_is_type(o, json_type_string)) {
		unsigned int a, b;
		char tail;

		if (sscanf(json_object_get_string(o), "%u-%u%c", &a, &b, &tail) == 2 && a <= b &&
		    b <= 65535) {
			*lo = (uint16_t)a;
			*hi = (uint16_t)b;
			return 0;
		}
	}
	return fail(r, EINVAL, "%s: expected 0..65535 or \"lo-hi\"", where);
}

static int get_proto(struct flow_req *r, struct json_object *o, const char *where, uint8_t *proto)
{
	static const struct {
		const char *name;
		uint8_t num;
	} names[] = {{"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"gre", 47}, {"icmpv6", 58}};
	uint64_t v;

	if (json_object_is_type(o, json_type_string)) {
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			if (strcmp(json_object_get_string(o), names[i].name) == 0) {
				*proto = names[i].num;
				return 0;
			}
		}
		return fail(r, EINVAL, "%s: unknown protocol \"%s\"", where,
			    json_object_get_string(o));
	}
	if (get_u64(r, o, where, 255, &v) < 0) {
		return -EINVAL;
	}
	*proto = (uint8_t)v;
	return 0;
}

static int get_mac(struct flow_req *r, struct json_object *o, const char *where, uint8_t *mac)
{
	unsigned int b[6];
	char tail;

	if (!json_object_is_type(o, json_type_string) ||
	    sscanf(json_object_get_string(o), "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6) {
		return fail(r, EINVAL, "%s: expected a MAC address aa:bb:cc:dd:ee:ff", where);
	}
	for (int i = 0; i < 6; i++) {
		if (b[i] > 0xff) {
			return fail(r, EINVAL, "%s: expected a MAC address", where);
		}
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

/* A parsed MATCH object. */
struct match {
	uint32_t fields;
	struct esw_key key; /* values (ports: the low end) */
	uint8_t src_len, dst_len, inner_src_len, inner_dst_len;
	uint16_t sport_hi, dport_hi;
};

static int field_bit(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_names); i++) {
		if (strcmp(field_names[i], name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static int parse_match(struct flow_req *r, struct json_object *o, struct match *m)
{
	char where[64];
	uint8_t ver = 0, inner_ver = 0;

	memset(m, 0, sizeof(*m));
	if (!json_object_is_type(o, json_type_object)) {
		return fail(r, EINVAL, "match: expected an object");
	}
	json_object_object_foreach (o, name, v) {
		int bit = field_bit(name);
		uint64_t x = 0;
		int rc = 0;

		snprintf(where, sizeof(where), "match.%.40s", name);
		if (bit < 0) {
			return fail(r, EINVAL, "%s: unknown field", where);
		}
		m->fields |= 1u << bit;
		switch (1u << bit) {
		case F_IN_PORT:
			rc = get_port(r, v, where, &m->key.in_port);
			break;
		case F_ETH_TYPE:
			rc = get_u64(r, v, where, 0xffff, &x);
			m->key.ethertype = (uint16_t)x;
			break;
		case F_VLAN:
			rc = get_u64(r, v, where, 4095, &x);
			m->key.vlan_id = (uint16_t)x;
			break;
		case F_SRC_MAC:
			rc = get_mac(r, v, where, m->key.src_mac);
			break;
		case F_DST_MAC:
			rc = get_mac(r, v, where, m->key.dst_mac);
			break;
		case F_IP_VER:
			rc = get_u64(r, v, where, 6, &x);
			if (rc == 0 && x != 4 && x != 6) {
				rc = fail(r, EINVAL, "%s: 4 or 6", where);
			}
			m->key.ip_ver = (uint8_t)x;
			break;
		case F_IP_PROTO:
			rc = get_proto(r, v, where, &m->key.ip_proto);
			break;
		case F_SRC_IP:
			rc = get_prefix(r, v, where, m->key.src_ip, &ver, &m->src_len);
			break;
		case F_DST_IP:
			rc = get_prefix(r, v, where, m->key.dst_ip, &ver, &m->dst_len);
			break;
		case F_SRC_PORT:
			rc = get_range(r, v, where, &m->key.sport, &m->sport_hi);
			break;
		case F_DST_PORT:
			rc = get_range(r, v, where, &m->key.dport, &m->dport_hi);
			break;
		case F_VNI:
			rc = get_u64(r, v, where, 0xffffff, &x);
			m->key.vni = (uint32_t)x;
			break;
		case F_INNER_ETH_TYPE:
			rc = get_u64(r, v, where, 0xffff, &x);
			m->key.inner.ethertype = (uint16_t)x;
			break;
		case F_INNER_SRC_MAC:
			rc = get_mac(r, v, where, m->key.inner.src_mac);
			break;
		case F_INNER_DST_MAC:
			rc = get_mac(r, v, where, m->key.inner.dst_mac);
			break;
		case F_INNER_IP_PROTO:
			rc = get_proto(r, v, where, &m->key.inner.ip_proto);
			break;
		case F_INNER_SRC_IP:
			rc = get_prefix(r, v, where, m->key.inner.src_ip, &inner_ver,
					&m->inner_src_len);
			break;
		case F_INNER_DST_IP:
			rc = get_prefix(r, v, where, m->key.inner.dst_ip, &inner_ver,
					&m->inner_dst_len);
			break;
		case F_INNER_SRC_PORT:
			rc = get_u64(r, v, where, 0xffff, &x);
			m->key.inner.sport = (uint16_t)x;
			break;
		case F_INNER_DST_PORT:
			rc = get_u64(r, v, where, 0xffff, &x);
			m->key.inner.dport = (uint16_t)x;
			break;
		default:
			break;
		}
		if (rc < 0) {
			return rc;
		}
	}
	if (ver != 0) {
		if ((m->fields & F_IP_VER) && m->key.ip_ver != ver) {
			return fail(r, EINVAL, "match: ip_version %u but an IPv%u address",
				    m->key.ip_ver, ver);
		}
		m->key.ip_ver = ver;
	}
	return 0;
}

/* A whole address (no prefix) into 'addr'; '*ver' its family. */
static int get_addr(struct flow_req *r, struct json_object *o, const char *where, uint8_t *addr,
		    uint8_t *ver)
{
	uint8_t len;

	if (get_prefix(r, o, where, addr, ver, &len) < 0) {
		return -EINVAL;
	}
	if (len != (*ver == 4 ? 32 : 128)) {
		return fail(r, EINVAL, "%s: an address, not a prefix", where);
	}
	return 0;
}

/* Whether 'o' has only keys of 'allowed'; else the error names the first other one. */
static int only_keys(struct flow_req *r, struct json_object *o, const char *where,
		     const char *const *allowed, size_t n, const char *what)
{
	json_object_object_foreach (o, key, val) {
		size_t i = 0;

		(void)val;
		while (i < n && strcmp(key, allowed[i]) != 0) {
			i++;
		}
		if (i == n) {
			return fail(r, EINVAL, "%s.%.40s: unknown %s", where, key, what);
		}
	}
	return 0;
}

/* "set": header rewrites. */
static int parse_set(struct flow_req *r, struct json_object *o, const char *where,
		     struct esw_edit *e)
{
	static const char *const keys[] = {"src_mac", "dst_mac",  "src_ip",
					   "dst_ip",  "src_port", "dst_port"};
	static const uint32_t ops[] = {ESW_EDIT_SRC_MAC, ESW_EDIT_DST_MAC,  ESW_EDIT_SRC_IP,
				       ESW_EDIT_DST_IP,	 ESW_EDIT_SRC_PORT, ESW_EDIT_DST_PORT};
	char at[96];

	if (!json_object_is_type(o, json_type_object) || json_object_object_length(o) == 0) {
		return fail(r, EINVAL, "%s: expected an object of fields to set", where);
	}
	if (only_keys(r, o, where, keys, ARRAY_SIZE(keys), "field") < 0) {
		return -EINVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		struct json_object *v;
		uint8_t ver = 0;
		uint64_t x = 0;
		int rc;

		if (!json_object_object_get_ex(o, keys[i], &v)) {
			continue;
		}
		snprintf(at, sizeof(at), "%s.%s", where, keys[i]);
		switch (ops[i]) {
		case ESW_EDIT_SRC_MAC:
			rc = get_mac(r, v, at, e->src_mac);
			break;
		case ESW_EDIT_DST_MAC:
			rc = get_mac(r, v, at, e->dst_mac);
			break;
		case ESW_EDIT_SRC_IP:
		case ESW_EDIT_DST_IP:
			rc = get_addr(r, v, at, ops[i] == ESW_EDIT_SRC_IP ? e->src_ip : e->dst_ip,
				      &ver);
			if (rc == 0 && e->ip_ver != 0 && e->ip_ver != ver) {
				rc = fail(r, EINVAL, "%s: src_ip and dst_ip of one family", at);
			}
			e->ip_ver = ver;
			break;
		default:
			rc = get_u64(r, v, at, 0xffff, &x);
			if (ops[i] == ESW_EDIT_SRC_PORT) {
				e->sport = (uint16_t)x;
			} else {
				e->dport = (uint16_t)x;
			}
			break;
		}
		if (rc < 0) {
			return rc;
		}
		e->ops |= ops[i];
	}
	return 0;
}

/* "encap": the VXLAN tunnel's outer headers. */
static int parse_encap(struct flow_req *r, struct json_object *o, const char *where,
		       struct esw_vxlan *t)
{
	static const char *const keys[] = {"src_mac", "dst_mac", "src_ip",   "dst_ip",
					   "vni",     "ttl",	 "udp_dport"};
	struct json_object *v;
	uint8_t ver2 = 0;
	uint64_t x;
	char at[96];

	if (!json_object_is_type(o, json_type_object)) {
		return fail(r, EINVAL, "%s: expected an object", where);
	}
	if (only_keys(r, o, where, keys, ARRAY_SIZE(keys), "field") < 0) {
		return -EINVAL;
	}
	for (size_t i = 0; i < 5; i++) {
		if (!json_object_object_get_ex(o, keys[i], &v)) {
			return fail(r, EINVAL, "%s.%s: required", where, keys[i]);
		}
		snprintf(at, sizeof(at), "%s.%s", where, keys[i]);
		if ((i == 0 && get_mac(r, v, at, t->src_mac) < 0) ||
		    (i == 1 && get_mac(r, v, at, t->dst_mac) < 0) ||
		    (i == 2 && get_addr(r, v, at, t->src_ip, &t->ip_ver) < 0) ||
		    (i == 3 && get_addr(r, v, at, t->dst_ip, &ver2) < 0)) {
			return -EINVAL;
		}
		if (i == 3 && ver2 != t->ip_ver) {
			return fail(r, EINVAL, "%s: src_ip and dst_ip of one family", at);
		}
		if (i == 4) {
			if (get_u64(r, v, at, 0xffffff, &x) < 0) {
				return -EINVAL;
			}
			t->vni = (uint32_t)x;
		}
	}
	if (json_object_object_get_ex(o, "ttl", &v)) {
		snprintf(at, sizeof(at), "%s.ttl", where);
		if (get_u64(r, v, at, 255, &x) < 0) {
			return -EINVAL;
		}
		t->ttl = (uint8_t)x;
	}
	if (json_object_object_get_ex(o, "udp_dport", &v)) {
		snprintf(at, sizeof(at), "%s.udp_dport", where);
		if (get_u64(r, v, at, 0xffff, &x) < 0) {
			return -EINVAL;
		}
		t->udp_dport = (uint16_t)x;
	}
	return 0;
}

/* Whether the domain has meter 'id' (its record: the eSwitch is not read). */
static bool meter_known(const struct flow_domain *d, uint64_t id)
{
	struct json_object *v;

	for (size_t i = 0; d->meters != NULL && i < json_object_array_length(d->meters); i++) {
		if (json_object_object_get_ex(json_object_array_get_idx(d->meters, i), "meter",
					      &v) &&
		    (uint64_t)json_object_get_int64(v) == id) {
			return true;
		}
	}
	return false;
}

/* The packet-changing, metering and queueing actions of ACTIONS. */
static int parse_extra(struct flow_req *r, struct json_object *o, const char *where,
		       struct esw_actions *a, struct esw_edit *e)
{
	struct json_object *v;
	char at[80];
	uint64_t x;

	memset(e, 0, sizeof(*e));
	if (json_object_object_get_ex(o, "set", &v)) {
		snprintf(at, sizeof(at), "%s.set", where);
		if (parse_set(r, v, at, e) < 0) {
			return -EINVAL;
		}
	}
	if (json_object_object_get_ex(o, "dec_ttl", &v) && json_object_get_boolean(v)) {
		e->ops |= ESW_EDIT_DEC_TTL;
	}
	if (json_object_object_get_ex(o, "decap", &v) && json_object_get_boolean(v)) {
		e->ops |= ESW_EDIT_DECAP;
	}
	if (json_object_object_get_ex(o, "encap", &v)) {
		snprintf(at, sizeof(at), "%s.encap", where);
		if (parse_encap(r, v, at, &e->encap) < 0) {
			return -EINVAL;
		}
		e->ops |= ESW_EDIT_ENCAP;
	}
	if (e->ops != 0) {
		a->edit = e;
	}
	if (json_object_object_get_ex(o, "meter", &v)) {
		snprintf(at, sizeof(at), "%s.meter", where);
		if (get_u64(r, v, at, UINT32_MAX, &x) < 0) {
			return -EINVAL;
		}
		if (!meter_known(domain_of(r), x)) {
			return fail(r, ENOENT, "%s: no meter %llu in this domain", at,
				    (unsigned long long)x);
		}
		a->meter = (uint32_t)x;
	}
	if (json_object_object_get_ex(o, "queue", &v)) {
		snprintf(at, sizeof(at), "%s.queue", where);
		if (get_u64(r, v, at, 0xffff, &x) < 0) {
			return -EINVAL;
		}
		a->set_queue = true;
		a->queue = (uint16_t)x;
	}
	return 0;
}

/*
 * ACTIONS; in a port's ingress domain "deliver" means to the service. 'e'
 * holds the packet edits 'a' points to.
 */
static int parse_actions(struct flow_req *r, struct json_object *o, const char *where,
			 struct esw_actions *a, struct esw_edit *e)
{
	static const char *const keys[] = {"fate",  "port",  "pipe",	"mark",	 "mirror", "set",
					   "decap", "encap", "dec_ttl", "meter", "queue"};
	struct flow_domain *d = domain_of(r);
	struct json_object *v;
	const char *fate = "drop";
	char at[80];

	memset(a, 0, sizeof(*a));
	a->fate = ESW_FATE_DROP;
	if (!json_object_is_type(o, json_type_object)) {
		return fail(r, EINVAL, "%s: expected an object", where);
	}
	if (only_keys(r, o, where, keys, ARRAY_SIZE(keys), "action") < 0 ||
	    parse_extra(r, o, where, a, e) < 0) {
		return -EINVAL;
	}
	if (json_object_object_get_ex(o, "fate", &v)) {
		fate = json_object_get_string(v);
	}
	if (json_object_object_get_ex(o, "mark", &v)) {
		uint64_t mark;

		snprintf(at, sizeof(at), "%s.mark", where);
		if (get_u64(r, v, at, UINT32_MAX, &mark) < 0) {
			return -EINVAL;
		}
		a->set_mark = true;
		a->mark = (uint32_t)mark;
	}
	if (json_object_object_get_ex(o, "mirror", &v)) {
		snprintf(at, sizeof(at), "%s.mirror", where);
		if (r->domain >= 0) {
			return fail(r, EINVAL, "%s: mirror is a switch-domain action", at);
		}
		if (get_port(r, v, at, &a->mirror_port) < 0) {
			return -ENODEV;
		}
		a->mirror = true;
	}
	if (strcmp(fate, "drop") == 0) {
		return 0;
	}
	if (strcmp(fate, "deliver") == 0) {
		if (r->domain < 0) {
			return fail(r, EINVAL, "%s.fate: deliver is for a port's ingress domain",
				    where);
		}
		a->fate = ESW_FATE_PORT;
		a->port = (uint16_t)r->domain;
		return 0;
	}
	if (strcmp(fate, "port") == 0) {
		snprintf(at, sizeof(at), "%s.port", where);
		if (!json_object_object_get_ex(o, "port", &v)) {
			return fail(r, EINVAL, "%s: fate port needs a port", at);
		}
		a->fate = ESW_FATE_PORT;
		if (get_port(r, v, at, &a->port) < 0) {
			return -ENODEV;
		}
		if (r->domain >= 0 && a->port != r->domain) {
			return fail(r, EINVAL,
				    "%s: a port's ingress rules deliver to that port only", at);
		}
		return 0;
	}
	if (strcmp(fate, "pipe") == 0) {
		struct flow_pipe *p;

		if (!json_object_object_get_ex(o, "pipe", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			return fail(r, EINVAL, "%s.pipe: fate pipe needs a pipe name", where);
		}
		p = find_pipe(d, json_object_get_string(v));
		if (p == NULL) {
			return fail(r, ENOENT, "%s.pipe: no pipe \"%s\" in this domain", where,
				    json_object_get_string(v));
		}
		a->fate = ESW_FATE_PIPE;
		a->pipe = p->p;
		return 0;
	}
	return fail(r, EINVAL, "%s.fate: \"%s\" is not drop, port, pipe or deliver", where, fate);
}

/* ---- requests, where their domain takes changes (in_domain) ---- */

static const char *req_string(struct json_object *req, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !json_object_is_type(v, json_type_string)) {
		return NULL;
	}
	return json_object_get_string(v);
}

static void mask_field(struct esw_key *mask, uint32_t bit)
{
	switch (bit) {
	case F_IN_PORT:
		mask->in_port = 0xffff;
		break;
	case F_ETH_TYPE:
		mask->ethertype = 0xffff;
		break;
	case F_VLAN:
		mask->vlan_id = 0xfff;
		break;
	case F_SRC_MAC:
		memset(mask->src_mac, 0xff, 6);
		break;
	case F_DST_MAC:
		memset(mask->dst_mac, 0xff, 6);
		break;
	case F_IP_VER:
		mask->ip_ver = 0xff;
		break;
	case F_IP_PROTO:
		mask->ip_proto = 0xff;
		break;
	case F_SRC_IP:
		memset(mask->src_ip, 0xff, 16);
		break;
	case F_DST_IP:
		memset(mask->dst_ip, 0xff, 16);
		break;
	case F_SRC_PORT:
		mask->sport = 0xffff;
		break;
	case F_DST_PORT:
		mask->dport = 0xffff;
		break;
	case F_VNI:
		mask->vni = 0xffffff;
		break;
	case F_INNER_ETH_TYPE:
		mask->inner.ethertype = 0xffff;
		break;
	case F_INNER_SRC_MAC:
		memset(mask->inner.src_mac, 0xff, 6);
		break;
	case F_INNER_DST_MAC:
		memset(mask->inner.dst_mac, 0xff, 6);
		break;
	case F_INNER_IP_PROTO:
		mask->inner.ip_proto = 0xff;
		break;
	case F_INNER_SRC_IP:
		memset(mask->inner.src_ip, 0xff, 16);
		break;
	case F_INNER_DST_IP:
		memset(mask->inner.dst_ip, 0xff, 16);
		break;
	case F_INNER_SRC_PORT:
		mask->inner.sport = 0xffff;
		break;
	case F_INNER_DST_PORT:
		mask->inner.dport = 0xffff;
		break;
	default:
		break;
	}
}

static int do_pipe_create(struct flow_req *r)
{
	struct flow_domain *d = domain_of(r);
	const char *name = req_string(r->req, "name");
	const char *kind = req_string(r->req, "kind");
	struct esw_actions miss = {.fate = ESW_FATE_DROP};
	struct esw_edit miss_edit;
	struct flow_pipe *p;
	struct json_object *v;
	uint64_t max = FLOW_DEFAULT_MAX;
	bool root = false;
	struct esw *esw;
	int rc;

	if (name == NULL || name[0] == '\0' || strlen(name) >= FLOW_NAME_MAX) {
		return fail(r, EINVAL, "name: 1..%d characters", FLOW_NAME_MAX - 1);
	}
	if (find_pipe(d, name) != NULL) {
		return fail(r, EEXIST, "%s: a pipe of that name exists in this domain", name);
	}
	if (d->n == FLOW_MAX_PIPES) {
		return fail(r, ENOSPC, "a domain holds at most %d pipes", FLOW_MAX_PIPES);
	}
	p = &d->pipes[d->n];
	memset(p, 0, sizeof(*p));
	if (kind == NULL) {
		return fail(r, EINVAL, "kind: exact, acl or lpm");
	}
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++) {
		if (strcmp(kind, kind_names[i]) == 0) {
			p->kind = (enum flow_kind)i;
			break;
		}
		if (i + 1 == ARRAY_SIZE(kind_names)) {
			return fail(r, EINVAL, "kind: \"%s\" is not exact, acl or lpm", kind);
		}
	}
	if (json_object_object_get_ex(r->req, "max_entries", &v) &&
	    (get_u64(r, v, "max_entries", ESW_ACL_MAX_RULES, &max) < 0 || max == 0)) {
		return fail(r, EINVAL, "max_entries: 1..%u", ESW_ACL_MAX_RULES);
	}
	if (json_object_object_get_ex(r->req, "root", &v)) {
		root = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(r->req, "match", &v)) {
		if (p->kind != FLOW_EXACT || !json_object_is_type(v, json_type_array)) {
			return fail(r, EINVAL, "match: a list of fields, for exact pipes");
		}
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const char *f = json_object_get_string(json_object_array_get_idx(v, i));
			int bit = f != NULL ? field_bit(f) : -1;

			if (bit < 0) {
				return fail(r, EINVAL, "match[%zu]: unknown field \"%s\"", i,
					    f != NULL ? f : "");
			}
			p->fields |= 1u << bit;
			mask_field(&p->mask, 1u << bit);
		}
	}
	if (p->kind == FLOW_EXACT && p->fields == 0) {
		return fail(r, EINVAL, "match: an exact pipe needs the fields it matches on");
	}
	if (json_object_object_get_ex(r->req, "miss", &v)) {
		rc = parse_actions(r, v, "miss", &miss, &miss_edit);
		if (rc < 0) {
			return rc;
		}
	}
	rc = domain_esw(r, &esw);
	if (rc < 0) {
		return rc;
	}
	switch (p->kind) {
	case FLOW_EXACT:
		rc = esw_pipe_create_exact(esw, name, &p->mask, (uint32_t)max, &miss, &p->p);
		break;
	case FLOW_ACL:
		rc = esw_pipe_create_acl(esw, name, (uint32_t)max, &miss, &p->p);
		break;
	default:
		rc = esw_pipe_create_lpm(esw, name, (uint32_t)max, &miss, &p->p);
		break;
	}
	if (rc == 0 && p->kind == FLOW_ACL) {
		rc = esw_acl_commit(p->p); /* an empty ACL sends everything the miss way */
	}
	if (rc == 0 && root) {
		rc = esw_set_root(esw, p->p);
	}
	if (rc < 0) {
		if (p->p != NULL) {
			esw_pipe_destroy(esw, p->p); /* made, but not whole */
		}
		return fail(r, -rc, "%s: cannot create the pipe: %s", name, strerror(-rc));
	}
	dpu_strscpy(p->name, name, sizeof(p->name));
	p->entries = json_object_new_object();
	d->n++;
	log_info("pipe %s (%s) created in %s%s", name, kind,
		 r->domain < 0 ? "the switch" : r->s->dev->ports[r->domain].name,
		 root ? " as its root" : "");
	return 0;
}

static struct flow_pipe *req_pipe(struct flow_req *r)
{
	const char *name = req_string(r->req, "pipe");
	struct flow_pipe *p;

	if (name == NULL) {
		fail(r, EINVAL, "pipe: expected a pipe name");
		return NULL;
	}
	p = find_pipe(domain_of(r), name);
	if (p == NULL) {
		fail(r, ENOENT, "pipe: no pipe \"%s\" in this domain", name);
	}
	return p;
}

static bool want_commit(struct flow_req *r)
{
	struct json_object *v;

	return !json_object_object_get_ex(r->req, "commit", &v) || json_object_get_boolean(v);
}

/*
 * An entry read from its JSON, ready for the eSwitch. Reading it touches the
 * flow state only, which the control thread alone changes (itself, or in its
 * calls onto the data-plane thread): it may be read there or on the control
 * thread; the eSwitch is changed where its domain takes changes.
 */
struct prep {
	struct json_object *spec, *mo, *ao;
	uint64_t prio;
	struct match m;
	struct esw_acl_rule rule; /* acl */
	unsigned int n_acts;
	struct esw_actions acts[ESW_ECMP_MAX];
	struct esw_edit edits[ESW_ECMP_MAX]; /* the actions' edits point here */
};

static int prep_exact(struct flow_req *r, const struct flow_pipe *p, const struct match *m)
{
	if ((m->fields & ~p->fields) != 0 || m->src_len % 32 != 0 || m->dst_len % 32 != 0 ||
	    m->inner_src_len % 32 != 0 || m->inner_dst_len % 32 != 0 ||
	    m->key.sport != m->sport_hi || m->key.dport != m->dport_hi) {
		return fail(r, EINVAL,
			    "match: pipe %s matches exact values of its fields only "
			    "(no ranges or prefixes, no other fields)",
			    p->name);
	}
	return 0;
}

static int prep_acl(struct flow_req *r, const struct match *m, uint64_t prio,
		    struct esw_acl_rule *rule)
{
	uint32_t ok =
		F_IN_PORT | F_IP_VER | F_IP_PROTO | F_SRC_IP | F_DST_IP | F_SRC_PORT | F_DST_PORT;

	*rule = (struct esw_acl_rule){.priority = (uint32_t)prio,
				      .sport_hi = 0xffff,
				      .dport_hi = 0xffff,
				      .in_port_hi = 0xffff};
	if ((m->fields & ~ok) != 0) {
		return fail(r, EINVAL,
			    "match: acl pipes match in_port, ip_version, ip_proto, IPv4 prefixes "
			    "and port ranges");
	}
	if (m->key.ip_ver == 6 && (m->fields & (F_SRC_IP | F_DST_IP))) {
		return fail(r, EINVAL, "match: acl prefixes are IPv4");
	}
	if (prio > ESW_ACL_MAX_PRIORITY) {
		return fail(r, EINVAL, "priority: 0..%d", ESW_ACL_MAX_PRIORITY);
	}
	if (m->fields & F_IN_PORT) {
		rule->in_port_lo = rule->in_port_hi = m->key.in_port;
	}
	rule->ip_ver = m->key.ip_ver;
	if (m->fields & F_IP_PROTO) {
		rule->proto = m->key.ip_proto;
		rule->proto_mask = 0xff;
	}
	if (m->fields & F_SRC_IP) {
		memcpy(&rule->src4, m->key.src_ip, 4);
		rule->src4 = ntohl(rule->src4);
		rule->src4_len = m->src_len;
	}
	if (m->fields & F_DST_IP) {
		memcpy(&rule->dst4, m->key.dst_ip, 4);
		rule->dst4 = ntohl(rule->dst4);
		rule->dst4_len = m->dst_len;
	}
	if (m->fields & F_SRC_PORT) {
		rule->sport_lo = m->key.sport;
		rule->sport_hi = m->sport_hi;
	}
	if (m->fields & F_DST_PORT) {
		rule->dport_lo = m->key.dport;
		rule->dport_hi = m->dport_hi;
	}
	return 0;
}

static int prep_lpm(struct flow_req *r, const struct match *m)
{
	if (m->fields != F_DST_IP && m->fields != (F_DST_IP | F_IP_VER)) {
		return fail(r, EINVAL, "match: lpm pipes match dst_ip (a prefix) only");
	}
	if (m->dst_len == 0) {
		return fail(r, EINVAL, "match.dst_ip: prefix length 1..%d",
			    m->key.ip_ver == 4 ? 32 : 128);
	}
	return 0;
}

/* An entry's "actions" for pipe 'p': one set, or (lpm) a list, an ECMP group. */
static int entry_actions(struct flow_req *r, const struct flow_pipe *p, struct json_object *ao,
			 struct esw_actions *acts, struct esw_edit *edits, unsigned int *n_acts)
{
	size_t n;

	*n_acts = 1;
	if (!json_object_is_type(ao, json_type_array)) {
		return parse_actions(r, ao, "actions", &acts[0], &edits[0]);
	}
	n = json_object_array_length(ao);
	if (p->kind != FLOW_LPM || n == 0 || n > ESW_ECMP_MAX) {
		return fail(r, EINVAL,
			    "actions: a list (ECMP, 1..%d members) is for lpm pipes only",
			    ESW_ECMP_MAX);
	}
	for (size_t i = 0; i < n; i++) {
		char at[32];
		int rc;

		snprintf(at, sizeof(at), "actions[%zu]", i);
		rc = parse_actions(r, json_object_array_get_idx(ao, i), at, &acts[i], &edits[i]);
		if (rc < 0) {
			return rc;
		}
	}
	*n_acts = (unsigned int)n;
	return 0;
}

/* Entry 'spec' ({priority?, match, actions}) of pipe 'p' read into 'e'. */
static int entry_prep(struct flow_req *r, const struct flow_pipe *p, struct json_object *spec,
		      struct prep *e)
{
	struct json_object *v;
	int rc;

	e->spec = spec;
	e->prio = 0;
	if (!json_object_is_type(spec, json_type_object) ||
	    !json_object_object_get_ex(spec, "match", &e->mo) ||
	    !json_object_object_get_ex(spec, "actions", &e->ao)) {
		return fail(r, EINVAL, "an entry needs \"match\" and \"actions\"");
	}
	if (json_object_object_get_ex(spec, "priority", &v) &&
	    get_u64(r, v, "priority", UINT32_MAX, &e->prio) < 0) {
		return -EINVAL;
	}
	rc = parse_match(r, e->mo, &e->m);
	if (rc == 0) {
		rc = entry_actions(r, p, e->ao, e->acts, e->edits, &e->n_acts);
	}
	if (rc < 0) {
		return rc;
	}
	switch (p->kind) {
	case FLOW_EXACT:
		return prep_exact(r, p, &e->m);
	case FLOW_ACL:
		return prep_acl(r, &e->m, e->prio, &e->rule);
	default:
		return prep_lpm(r, &e->m);
	}
}

/* Entry 'e' into the eSwitch ('*id' its id), where the domain takes changes. */
static int entry_apply(struct flow_req *r, const struct flow_pipe *p, const struct prep *e,
		       uint32_t *id)
{
	int rc;

	switch (p->kind) {
	case FLOW_EXACT:
		rc = esw_exact_add(p->p, &e->m.key, &e->acts[0], id);
		break;
	case FLOW_ACL:
		rc = esw_acl_add(p->p, &e->rule, &e->acts[0], id);
		break;
	default:
		rc = esw_lpm_add(p->p, e->m.key.ip_ver, e->m.key.dst_ip, e->m.dst_len, e->acts,
				 e->n_acts, id);
		break;
	}
	if (rc < 0) {
		return fail(r, -rc, "%s: cannot add the entry: %s", p->name,
			    rc == -EEXIST ? "it exists" : strerror(-rc));
	}
	return 0;
}

/*
 * The record of entry 'e', added as 'id', for listings. 'alone': its spec
 * has no other keys and is kept as the record (else one is made).
 */
static void entry_keep(struct flow_pipe *p, const struct prep *e, bool alone, uint32_t id)
{
	struct json_object *rec;
	char key[16];

	if (alone) {
		if (!json_object_object_get_ex(e->spec, "priority", NULL)) {
			json_object_object_add(e->spec, "priority", json_object_new_int64(0));
		}
		rec = json_object_get(e->spec);
	} else {
		rec = json_object_new_object();
		json_object_object_add(rec, "priority", json_object_new_int64((int64_t)e->prio));
		json_object_object_add(rec, "match", json_object_get(e->mo));
		json_object_object_add(rec, "actions", json_object_get(e->ao));
	}
	snprintf(key, sizeof(key), "%u", id);
	json_object_object_add(p->entries, key, rec);
}

static int do_entry_add(struct flow_req *r)
{
	struct flow_pipe *p = req_pipe(r);
	struct prep *e;
	uint32_t id = 0;
	int rc;

	if (p == NULL) {
		return -ENOENT;
	}
	e = malloc(sizeof(*e));
	if (e == NULL) {
		return fail(r, ENOMEM, "no memory for an entry");
	}
	rc = entry_prep(r, p, r->req, e);
	if (rc == 0) {
		rc = entry_apply(r, p, e, &id);
	}
	if (rc == 0) {
		entry_keep(p, e, false, id);
	}
	free(e);
	if (rc < 0) {
		return rc;
	}
	if (p->kind == FLOW_ACL && want_commit(r)) {
		r->build = p;
		r->added[r->n_added++] = id;
	}
	r->reply = json_object_new_uint64(id);
	return 0;
}

static int req_entry(struct flow_req *r, struct flow_pipe *p, uint32_t *id, char *key, size_t size)
{
	struct json_object *v;
	uint64_t x;

	if (!json_object_object_get_ex(r->req, "entry", &v) ||
	    get_u64(r, v, "entry", UINT32_MAX, &x) < 0) {
		return fail(r, EINVAL, "entry: expected an entry id");
	}
	snprintf(key, size, "%llu", (unsigned long long)x);
	if (!json_object_object_get_ex(p->entries, key, NULL)) {
		return fail(r, ENOENT, "entry %s: not in pipe %s", key, p->name);
	}
	*id = (uint32_t)x;
	return 0;
}

static int do_entry_update(struct flow_req *r)
{
	struct flow_pipe *p = req_pipe(r);
	struct esw_actions acts[ESW_ECMP_MAX];
	struct esw_edit edits[ESW_ECMP_MAX];
	struct json_object *ao, *rec;
	unsigned int n_acts;
	uint32_t id = 0;
	char key[24];
	int rc;

	if (p == NULL) {
		return -ENOENT;
	}
	rc = req_entry(r, p, &id, key, sizeof(key));
	if (rc < 0) {
		return rc;
	}
	if (!json_object_object_get_ex(r->req, "actions", &ao)) {
		return fail(r, EINVAL, "entry-update needs \"actions\"");
	}
	rc = entry_actions(r, p, ao, acts, edits, &n_acts);
	if (rc < 0) {
		return rc;
	}
	rc = esw_entry_update(p->p, id, acts, n_acts);
	if (rc < 0) {
		return fail(r, -rc, "entry %s: %s", key, strerror(-rc));
	}
	json_object_object_get_ex(p->entries, key, &rec);
	json_object_object_add(rec, "actions", json_object_get(ao));
	return 0;
}

/* Entry 'id' out of pipe 'p' (an ACL rule matches on until a commit). */
static int entry_del(struct flow_req *r, struct flow_pipe *p, uint32_t id)
{
	char key[24];
	int rc;

	snprintf(key, sizeof(key), "%u", id);
	if (!json_object_object_get_ex(p->entries, key, NULL)) {
		return fail(r, ENOENT, "entry %s: not in pipe %s", key, p->name);
	}
	switch (p->kind) {
	case FLOW_EXACT:
		rc = esw_exact_del(p->p, id);
		break;
	case FLOW_ACL:
		rc = esw_acl_del(p->p, id);
		break;
	default:
		rc = esw_lpm_del(p->p, id);
		break;
	}
	if (rc < 0) {
		return fail(r, -rc, "entry %s: %s", key, strerror(-rc));
	}
	json_object_object_del(p->entries, key);
	return 0;
}

static int do_entry_del(struct flow_req *r)
{
	struct flow_pipe *p = req_pipe(r);
	uint32_t id = 0;
	char key[24];
	int rc;

	if (p == NULL) {
		return -ENOENT;
	}
	rc = req_entry(r, p, &id, key, sizeof(key));
	if (rc == 0) {
		rc = entry_del(r, p, id);
	}
	if (rc == 0 && p->kind == FLOW_ACL && want_commit(r)) {
		r->build = p;
	}
	return rc;
}

static int do_pipe_destroy(struct flow_req *r)
{
	struct flow_domain *d = domain_of(r);
	struct flow_pipe *p = req_pipe(r);
	struct esw *esw;
	bool root;
	int rc;

	if (p == NULL) {
		return -ENOENT;
	}
	if (r->domain < 0 && p->p == simd_dp_default_pipe(r->s->dp)) {
		return fail(r, EPERM, "%s: the switch's own pipe stays", p->name);
	}
	esw = r->domain < 0 ? simd_dp_switch(r->s->dp) : simd_dp_ingress(r->s->dp, r->domain);
	root = esw_root(esw) == p->p;
	rc = esw_pipe_destroy(esw, p->p);
	if (rc == -EBUSY) {
		return fail(r, EBUSY, "%s: another pipe's entry or miss sends packets to it",
			    p->name);
	}
	if (rc < 0) {
		return fail(r, -rc, "%s: %s", p->name, strerror(-rc));
	}
	if (root && r->domain < 0) {
		esw_set_root(esw, simd_dp_default_pipe(r->s->dp)); /* as before any pipe */
	}
	log_info("pipe %s removed from %s", p->name,
		 r->domain < 0 ? "the switch" : r->s->dev->ports[r->domain].name);
	json_object_put(p->entries);
	memmove(p, p + 1, (size_t)(&d->pipes[d->n] - (p + 1)) * sizeof(*p));
	d->n--;
	return 0;
}

static int do_pipe_commit(struct flow_req *r)
{
	struct flow_pipe *p = req_pipe(r);

	if (p == NULL) {
		return -ENOENT;
	}
	if (p->kind != FLOW_ACL) {
		return 0; /* exact and lpm entries take effect at once */
	}
	r->build = p;
	return 0;
}

static int acl_swap_on_dp(struct simd_dp *dp, void *arg)
{
	struct flow_pipe *p = arg;

	(void)dp;
	return esw_acl_swap(p->p);
}

/* The entries an ACL request added, taken back (their commit failed). */
static int acl_undo_on_dp(struct simd_dp *dp, void *arg)
{
	struct flow_req *r = arg;

	(void)dp;
	for (size_t i = 0; i < r->n_added; i++) {
		char key[16];

		snprintf(key, sizeof(key), "%u", r->added[i]);
		json_object_object_del(r->build->entries, key);
		esw_acl_del(r->build->p, r->added[i]);
	}
	return 0;
}

/*
 * The commit a request asked for, on this (the control) thread: the rules
 * compiled here while the data path goes on with the ones in force, then
 * swapped in between two of its bursts.
 */
static int acl_commit(struct flow_req *r)
{
	int rc = esw_acl_build(r->build->p);

	if (rc == 0) {
		rc = in_domain(r, acl_swap_on_dp, r->build);
	}
	if (rc < 0) {
		fail(r, -rc, "%s: commit: %s", r->build->name, strerror(-rc));
		if (r->n_added > 0) {
			in_domain(r, acl_undo_on_dp, r);
		}
	}
	return rc;
}

/* Entry 'key' of 'p' as "entries" lists it: its record and its counters. */
static struct json_object *entry_record(struct flow_pipe *p, const char *key,
					struct json_object *rec)
{
	struct json_object *o = json_object_new_object();
	uint64_t pkts = 0, bytes = 0;
	uint32_t id = (uint32_t)strtoul(key, NULL, 10);

	esw_entry_stats(p->p, id, &pkts, &bytes);
	json_object_object_add(o, "entry", json_object_new_uint64(id));
	json_object_object_foreach (rec, k, v) {
		json_object_object_add(o, k, json_object_get(v));
	}
	json_object_object_add(o, "packets", json_object_new_uint64(pkts));
	json_object_object_add(o, "bytes", json_object_new_uint64(bytes));
	return o;
}

static int do_entries(struct flow_req *r)
{
	struct flow_pipe *p = req_pipe(r);
	struct json_object *a;

	if (p == NULL) {
		return -ENOENT;
	}
	if (json_object_object_get_ex(r->req, "entry", NULL)) { /* just that one */
		struct json_object *rec;
		uint32_t id;
		char key[24];
		int rc = req_entry(r, p, &id, key, sizeof(key));

		if (rc < 0) {
			return rc;
		}
		json_object_object_get_ex(p->entries, key, &rec);
		a = json_object_new_array();
		json_object_array_add(a, entry_record(p, key, rec));
		r->reply = a;
		return 0;
	}
	if (json_object_object_get_ex(r->req, "from", NULL) ||
	    json_object_object_get_ex(r->req, "max", NULL)) { /* a page, in id order */
		uint64_t from = 0, max = UINT32_MAX, cap = esw_pipe_capacity(p->p);
		struct json_object *v;

		if ((json_object_object_get_ex(r->req, "from", &v) &&
		     get_u64(r, v, "from", UINT32_MAX, &from) < 0) ||
		    (json_object_object_get_ex(r->req, "max", &v) &&
		     get_u64(r, v, "max", UINT32_MAX, &max) < 0)) {
			return -EINVAL;
		}
		a = json_object_new_array();
		for (uint64_t id = from; id < cap && json_object_array_length(a) < max; id++) {
			struct json_object *rec;
			char key[24];

			snprintf(key, sizeof(key), "%llu", (unsigned long long)id);
			if (json_object_object_get_ex(p->entries, key, &rec)) {
				json_object_array_add(a, entry_record(p, key, rec));
			}
		}
		r->reply = a;
		return 0;
	}
	a = json_object_new_array();
	json_object_object_foreach (p->entries, key, rec) {
		json_object_array_add(a, entry_record(p, key, rec));
	}
	r->reply = a;
	return 0;
}

static int do_pipes(struct flow_req *r)
{
	struct esw_pipe_info info[FLOW_MAX_PIPES];
	struct esw *esw =
		r->domain < 0 ? simd_dp_switch(r->s->dp) : simd_dp_ingress(r->s->dp, r->domain);
	struct json_object *a = json_object_new_array();
	int n = esw != NULL ? esw_pipes(esw, info, FLOW_MAX_PIPES) : 0;

	for (int i = 0; i < n && i < FLOW_MAX_PIPES; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(info[i].name));
		json_object_object_add(o, "kind", json_object_new_string(info[i].kind));
		json_object_object_add(o, "root", json_object_new_boolean(info[i].root));
		json_object_object_add(o, "entries", json_object_new_uint64(info[i].entries));
		json_object_object_add(o, "max_entries",
				       json_object_new_uint64(info[i].max_entries));
		json_object_object_add(o, "hit_packets", json_object_new_uint64(info[i].hit_pkts));
		json_object_object_add(o, "hit_bytes", json_object_new_uint64(info[i].hit_bytes));
		json_object_object_add(o, "miss_packets",
				       json_object_new_uint64(info[i].miss_pkts));
		json_object_object_add(o, "miss_bytes", json_object_new_uint64(info[i].miss_bytes));
		json_object_array_add(a, o);
	}
	r->reply = a;
	return 0;
}

static int do_flush(struct flow_req *r)
{
	if (r->domain < 0) {
		return fail(r, EINVAL, "flush: name the port whose ingress rules go (\"domain\")");
	}
	simd_dp_set_ingress(r->s->dp, (size_t)r->domain, NULL);
	domain_clear(domain_of(r));
	log_info("%s: ingress rules flushed", r->s->dev->ports[r->domain].name);
	return 0;
}

static int do_meter_create(struct flow_req *r)
{
	static const char *const keys[] = {"cir", "cbs", "ebs"};
	struct flow_domain *d = domain_of(r);
	struct json_object *v, *rec;
	uint64_t x[3] = {0, 0, 0};
	struct esw *esw;
	uint32_t id;
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (json_object_object_get_ex(r->req, keys[i], &v) &&
		    get_u64(r, v, keys[i], UINT32_MAX * 64ULL, &x[i]) < 0) {
			return -EINVAL;
		}
	}
	if (x[0] == 0 || (x[1] == 0 && x[2] == 0)) {
		return fail(r, EINVAL, "cir (bytes/s) and cbs or ebs (bytes) must be above 0");
	}
	rc = domain_esw(r, &esw);
	if (rc < 0) {
		return rc;
	}
	rc = esw_meter_create(esw, x[0], x[1], x[2], &id);
	if (rc < 0) {
		return fail(r, -rc, "cannot create the meter: %s", strerror(-rc));
	}
	if (d->meters == NULL) {
		d->meters = json_object_new_array();
	}
	rec = json_object_new_object();
	json_object_object_add(rec, "meter", json_object_new_uint64(id));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		json_object_object_add(rec, keys[i], json_object_new_uint64(x[i]));
	}
	json_object_array_add(d->meters, rec);
	r->reply = json_object_new_uint64(id);
	return 0;
}

static int do_meters(struct flow_req *r)
{
	static const char *const colors[] = {"green", "yellow", "red"};
	struct flow_domain *d = domain_of(r);
	struct esw *esw =
		r->domain < 0 ? simd_dp_switch(r->s->dp) : simd_dp_ingress(r->s->dp, r->domain);
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; d->meters != NULL && i < json_object_array_length(d->meters); i++) {
		struct json_object *rec = json_object_array_get_idx(d->meters, i);
		struct json_object *o = json_object_new_object(), *v;
		uint64_t pk[3] = {0}, by[3] = {0};

		json_object_object_foreach (rec, k, val) {
			json_object_object_add(o, k, json_object_get(val));
		}
		if (json_object_object_get_ex(rec, "meter", &v) && esw != NULL) {
			esw_meter_stats(esw, (uint32_t)json_object_get_uint64(v), pk, by);
		}
		for (int c = 0; c < 3; c++) {
			char name[32];

			snprintf(name, sizeof(name), "%s_packets", colors[c]);
			json_object_object_add(o, name, json_object_new_uint64(pk[c]));
			snprintf(name, sizeof(name), "%s_bytes", colors[c]);
			json_object_object_add(o, name, json_object_new_uint64(by[c]));
		}
		json_object_array_add(a, o);
	}
	r->reply = a;
	return 0;
}

/*
 * entries-add and entries-del: many entries of one pipe in one request,
 * added (removed) a slice at a time where the domain takes its changes (a
 * port's ingress: on the data-plane thread, which forwards between slices);
 * each entry stands alone, its result an id (0) or an error. Entries to add
 * are read on the control thread, so the data path stops for their eSwitch
 * adds alone. An ACL pipe compiles once, after the last.
 */
#define FLOW_SLICE 32

struct batch {
	struct flow_req *r;
	struct flow_pipe *p;
	struct json_object *specs;   /* the request's entries (entries-del: ids) */
	size_t at, end;		     /* the slice to do next */
	struct json_object *results; /* [id (0) or {errno, error}] */
	bool del;
	size_t n_done;
	/* entries-add: the slice, read; each entry's outcome and id */
	struct prep *prep; /* [FLOW_SLICE] */
	int rc[FLOW_SLICE];
	uint32_t id[FLOW_SLICE];
	char err[FLOW_SLICE][sizeof(((struct flow_req *)0)->err)];
};

static int batch_start_on_dp(struct simd_dp *dp, void *arg)
{
	struct batch *b = arg;

	(void)dp;
	b->p = req_pipe(b->r);
	return b->p != NULL ? 0 : -ENOENT;
}

static struct json_object *entry_error(int err, const char *fmt, ...) DPU_PRINTF(2, 3);

static struct json_object *entry_error(int err, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "errno", json_object_new_int(err));
	json_object_object_add(o, "error", json_object_new_string(msg));
	return o;
}

/* entries-del: a slice removed. */
static int batch_del_on_dp(struct simd_dp *dp, void *arg)
{
	struct batch *b = arg;
	struct flow_req *r = b->r;

	(void)dp;
	for (; b->at < b->end; b->at++) {
		struct json_object *spec = json_object_array_get_idx(b->specs, b->at);
		uint64_t x;
		int rc;

		r->err[0] = '\0';
		rc = get_u64(r, spec, "entry id", UINT32_MAX, &x);
		rc = rc == 0 ? entry_del(r, b->p, (uint32_t)x) : rc;
		json_object_array_add(
			b->results, rc == 0 ? json_object_new_int(0)
					    : entry_error(-rc, "entries[%zu]: %s", b->at, r->err));
		b->n_done += rc == 0;
	}
	return 0;
}

/* entries-add: the slice's entries read (the control thread). */
static void batch_read(struct batch *b)
{
	struct flow_req *r = b->r;

	for (size_t i = b->at; i < b->end; i++) {
		struct json_object *spec = json_object_array_get_idx(b->specs, i);
		size_t j = i - b->at;
		int rc = 0;

		r->err[0] = '\0';
		if (json_object_is_type(spec, json_type_object)) {
			json_object_object_foreach (spec, k, v) {
				(void)v;
				if (strcmp(k, "priority") != 0 && strcmp(k, "match") != 0 &&
				    strcmp(k, "actions") != 0) {
					rc = fail(r, EINVAL, "unknown key \"%.40s\"", k);
					break;
				}
			}
		}
		b->rc[j] = rc == 0 ? entry_prep(r, b->p, spec, &b->prep[j]) : rc;
		dpu_strscpy(b->err[j], r->err, sizeof(b->err[j]));
	}
}

/* entries-add: the slice's good entries into the eSwitch. */
static int batch_add_on_dp(struct simd_dp *dp, void *arg)
{
	struct batch *b = arg;
	struct flow_req *r = b->r;

	(void)dp;
	for (size_t j = 0; j < b->end - b->at; j++) {
		if (b->rc[j] == 0) {
			r->err[0] = '\0';
			b->rc[j] = entry_apply(r, b->p, &b->prep[j], &b->id[j]);
			dpu_strscpy(b->err[j], r->err, sizeof(b->err[j]));
		}
	}
	return 0;
}

/* entries-add: the slice's records and results (the control thread). */
static void batch_keep(struct batch *b)
{
	struct flow_req *r = b->r;

	for (size_t j = 0; j < b->end - b->at; j++) {
		struct json_object *o;

		if (b->rc[j] < 0) {
			o = entry_error(-b->rc[j], "entries[%zu]: %s", b->at + j,
					b->err[j][0] != '\0' ? b->err[j] : strerror(-b->rc[j]));
		} else {
			entry_keep(b->p, &b->prep[j], true, b->id[j]);
			o = json_object_new_uint64(b->id[j]);
			if (b->p->kind == FLOW_ACL) {
				r->added[r->n_added++] = b->id[j];
			}
		}
		json_object_array_add(b->results, o);
	}
	b->at = b->end;
}

/*
 * The request's entries a slice at a time: added (read here, put in the
 * eSwitch there, recorded here) or removed (there); an ACL pipe's added
 * rules compiled once, taken back if that fails.
 */
static int entries_run(struct flow_req *r, struct batch *b)
{
	size_t n;
	int rc;

	if (!json_object_object_get_ex(r->req, "entries", &b->specs) ||
	    !json_object_is_type(b->specs, json_type_array)) {
		return fail(r, EINVAL, "entries: expected a list of %s",
			    b->del ? "entry ids" : "{priority?, match, actions}");
	}
	n = json_object_array_length(b->specs);
	rc = in_domain(r, batch_start_on_dp, b);
	if (rc < 0) {
		return rc;
	}
	r->added = calloc(n > 0 ? n : 1, sizeof(*r->added));
	b->prep = b->del ? NULL : malloc(FLOW_SLICE * sizeof(*b->prep));
	if (r->added == NULL || (!b->del && b->prep == NULL)) {
		return fail(r, ENOMEM, "no memory for %zu entries", n);
	}
	b->results = json_object_new_array_ext((int)n);
	while (b->at < n) {
		b->end = DPU_MIN(n, b->at + FLOW_SLICE);
		if (b->del) {
			in_domain(r, batch_del_on_dp, b);
			continue;
		}
		batch_read(b);
		in_domain(r, batch_add_on_dp, b);
		batch_keep(b);
	}
	r->reply = b->results;
	if (b->del) { /* an ACL's deleted rules go with the commit after this */
		r->build = b->p->kind == FLOW_ACL && want_commit(r) && b->n_done > 0 ? b->p : NULL;
		return 0;
	}
	if (b->p->kind == FLOW_ACL && want_commit(r) && r->n_added > 0) {
		r->build = b->p;
		rc = acl_commit(r);
		for (size_t i = 0; rc < 0 && i < n; i++) {
			struct json_object *o = json_object_array_get_idx(b->results, i);

			if (json_object_is_type(o, json_type_int)) {
				json_object_array_put_idx(
					b->results, i,
					entry_error(-rc, "entries[%zu]: %s", i, r->err));
			}
		}
	}
	r->build = NULL; /* committed (or not) here */
	return 0;
}

static int entries_batch(struct flow_req *r, bool del)
{
	struct batch *b = calloc(1, sizeof(*b));
	int rc;

	if (b == NULL) {
		return fail(r, ENOMEM, "no memory for a batch");
	}
	b->r = r;
	b->del = del;
	rc = entries_run(r, b);
	if (rc < 0 && b->results != NULL && r->reply != b->results) {
		json_object_put(b->results);
	}
	free(b->prep);
	free(b);
	return rc;
}

static int flow_on_dp(struct simd_dp *dp, void *arg)
{
	struct flow_req *r = arg;

	(void)dp;
	if (strcmp(r->cmd, "pipe-create") == 0) {
		return do_pipe_create(r);
	}
	if (strcmp(r->cmd, "entry-add") == 0) {
		return do_entry_add(r);
	}
	if (strcmp(r->cmd, "entry-del") == 0) {
		return do_entry_del(r);
	}
	if (strcmp(r->cmd, "entry-update") == 0) {
		return do_entry_update(r);
	}
	if (strcmp(r->cmd, "pipe-commit") == 0) {
		return do_pipe_commit(r);
	}
	if (strcmp(r->cmd, "pipe-destroy") == 0) {
		return do_pipe_destroy(r);
	}
	if (strcmp(r->cmd, "entries") == 0) {
		return do_entries(r);
	}
	if (strcmp(r->cmd, "pipes") == 0) {
		return do_pipes(r);
	}
	if (strcmp(r->cmd, "meter-create") == 0) {
		return do_meter_create(r);
	}
	if (strcmp(r->cmd, "meters") == 0) {
		return do_meters(r);
	}
	return do_flush(r);
}

bool simd_flow_handle(struct simd *s, const char *cmd, struct json_object *req,
		      struct json_object **reply)
{
	static const char *const cmds[] = {
		"pipe-create",	"entry-add",	"entry-del",	"pipe-commit", "entries",
		"pipes",	"flush",	"meter-create", "meters",      "entries-add",
		"pipe-destroy", "entry-update", "entries-del"};
	static const char *const keys[] = {NULL,    "entry", NULL,     NULL,	 "entries",
					   "pipes", NULL,    "meter",  "meters", "results",
					   NULL,    NULL,    "results"};
	struct flow_req r = {.s = s, .cmd = cmd, .req = req, .domain = -1};
	const char *domain;
	size_t which = ARRAY_SIZE(cmds);
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(cmd, cmds[i]) == 0) {
			which = i;
		}
	}
	if (which == ARRAY_SIZE(cmds)) {
		return false;
	}
	domain = req_string(req, "domain");
	if (domain != NULL && domain[0] != '\0') {
		r.domain = port_index(s, domain);
		if (r.domain < 0) {
			*reply = simd_reply_error(ENODEV, "domain: %s is not a port of %s", domain,
						  s->dev->name);
			return true;
		}
	}
	r.added = &r.added_one;
	if (strcmp(cmd, "entries-add") == 0 || strcmp(cmd, "entries-del") == 0) {
		rc = entries_batch(&r, strcmp(cmd, "entries-del") == 0);
	} else {
		rc = in_domain(&r, flow_on_dp, &r);
	}
	if (rc == 0 && r.build != NULL) {
		rc = acl_commit(&r);
	}
	if (r.added != &r.added_one) {
		free(r.added);
	}
	if (rc < 0) {
		json_object_put(r.reply);
		*reply = simd_reply_error(-rc, "%s: %s", cmd,
					  r.err[0] != '\0' ? r.err : strerror(-rc));
		return true;
	}
	*reply = simd_reply_ok(keys[which], keys[which] != NULL ? r.reply : NULL);
	if (keys[which] == NULL) {
		json_object_put(r.reply);
	}
	return true;
}
