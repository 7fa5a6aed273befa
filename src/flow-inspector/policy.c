/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "flow-inspector/policy.h"

static const char *const field_names[FI_N_FIELDS] = {
	"timestamp",  "export_unit", "port",   "src_mac",    "dst_mac",	       "vlan_id",
	"ip_version", "src_ip",	     "dst_ip", "protocol",   "src_port",       "dst_port",
	"tcp_flags",  "ttl",	     "dscp",   "packet_len", "l4_payload_len", "payload",
};

const char *fi_field_name(enum fi_field f)
{
	return (unsigned int)f < FI_N_FIELDS ? field_names[f] : "?";
}

/* "*", "N", "lo-hi", or a number. */
static int parse_range(struct dpu_cfg_walk *w, struct json_object *o, struct fi_range *r)
{
	unsigned int lo, hi;
	const char *s;
	char tail;

	if (json_object_is_type(o, json_type_int)) {
		int64_t v = json_object_get_int64(o);

		if (v < 0 || v > 65535) {
			return dpu_cfg_walk_error(w, "%lld: a port is 0..65535", (long long)v);
		}
		r->lo = r->hi = (uint16_t)v;
		return 0;
	}
	if (!json_object_is_type(o, json_type_string)) {
		return dpu_cfg_walk_error(w, "expected \"*\", a port or \"lo-hi\"");
	}
	s = json_object_get_string(o);
	if (strcmp(s, "*") == 0) {
		r->lo = 0;
		r->hi = 65535;
		return 0;
	}
	if (sscanf(s, "%u-%u%c", &lo, &hi, &tail) == 2) {
		if (lo > 65535 || hi > 65535) {
			return dpu_cfg_walk_error(w, "'%s': ports are 0..65535", s);
		}
		if (lo > hi) {
			return dpu_cfg_walk_error(w, "'%s': lo > hi", s);
		}
	} else if (sscanf(s, "%u%c", &lo, &tail) == 1) {
		if (lo > 65535) {
			return dpu_cfg_walk_error(w, "'%s': ports are 0..65535", s);
		}
		hi = lo;
	} else {
		return dpu_cfg_walk_error(w, "'%s': expected \"*\", a port or \"lo-hi\"", s);
	}
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return 0;
}

static int parse_filter(struct dpu_cfg_walk *w, struct json_object *f, struct fi_unit *u)
{
	static const char *const known[] = {"protocols", "ports", NULL};
	struct json_object *protos, *ports;
	size_t m;
	int rc;

	if ((rc = dpu_json_expect(w, f, json_type_object)) < 0 ||
	    (rc = dpu_json_known_keys(w, f, known)) < 0) {
		return rc;
	}
	m = dpu_cfg_walk_key(w, "protocols");
	if (!json_object_object_get_ex(f, "protocols", &protos)) {
		return dpu_cfg_walk_error(w, "missing (a list of tcp, udp)");
	}
	if ((rc = dpu_json_expect(w, protos, json_type_array)) < 0) {
		return rc;
	}
	for (size_t i = 0; i < json_object_array_length(protos); i++) {
		struct json_object *p = json_object_array_get_idx(protos, i);
		size_t mi = dpu_cfg_walk_index(w, i);

		if ((rc = dpu_json_expect(w, p, json_type_string)) < 0) {
			return rc;
		}
		if (strcasecmp(json_object_get_string(p), "tcp") == 0) {
			u->protos |= FI_PROTO_TCP;
		} else if (strcasecmp(json_object_get_string(p), "udp") == 0) {
			u->protos |= FI_PROTO_UDP;
		} else {
			return dpu_cfg_walk_error(w, "'%s': protocols are tcp and udp",
						  json_object_get_string(p));
		}
		dpu_cfg_walk_pop(w, mi);
	}
	if (u->protos == 0) {
		return dpu_cfg_walk_error(w, "at least one protocol");
	}
	dpu_cfg_walk_pop(w, m);
	m = dpu_cfg_walk_key(w, "ports");
	if (!json_object_object_get_ex(f, "ports", &ports)) {
		/* No port list: any ports. */
		u->n_pairs = 1;
		u->pairs[0].src = (struct fi_range){0, 65535};
		u->pairs[0].dst = (struct fi_range){0, 65535};
		dpu_cfg_walk_pop(w, m);
		return 0;
	}
	if ((rc = dpu_json_expect(w, ports, json_type_array)) < 0) {
		return rc;
	}
	if (json_object_array_length(ports) == 0 ||
	    json_object_array_length(ports) > FI_MAX_PAIRS) {
		return dpu_cfg_walk_error(w, "1..%d [src, dst] pairs", FI_MAX_PAIRS);
	}
	for (size_t i = 0; i < json_object_array_length(ports); i++) {
		struct json_object *pair = json_object_array_get_idx(ports, i);
		size_t mi = dpu_cfg_walk_index(w, i), mj;

		if ((rc = dpu_json_expect(w, pair, json_type_array)) < 0) {
			return rc;
		}
		if (json_object_array_length(pair) != 2) {
			return dpu_cfg_walk_error(w, "expected [src, dst]");
		}
		mj = dpu_cfg_walk_index(w, 0);
		rc = parse_range(w, json_object_array_get_idx(pair, 0), &u->pairs[i].src);
		if (rc < 0) {
			return rc;
		}
		dpu_cfg_walk_pop(w, mj);
		mj = dpu_cfg_walk_index(w, 1);
		rc = parse_range(w, json_object_array_get_idx(pair, 1), &u->pairs[i].dst);
		if (rc < 0) {
			return rc;
		}
		dpu_cfg_walk_pop(w, mj);
		dpu_cfg_walk_pop(w, mi);
	}
	u->n_pairs = json_object_array_length(ports);
	dpu_cfg_walk_pop(w, m);
	return 0;
}

static int parse_export(struct dpu_cfg_walk *w, struct json_object *e, struct fi_unit *u)
{
	static const char *const known[] = {"fields", NULL};
	struct json_object *fields;
	size_t m;
	int rc;

	if ((rc = dpu_json_expect(w, e, json_type_object)) < 0 ||
	    (rc = dpu_json_known_keys(w, e, known)) < 0) {
		return rc;
	}
	m = dpu_cfg_walk_key(w, "fields");
	if (!json_object_object_get_ex(e, "fields", &fields)) {
		return dpu_cfg_walk_error(w, "missing (the field names to export)");
	}
	if ((rc = dpu_json_expect(w, fields, json_type_array)) < 0) {
		return rc;
	}
	if (json_object_array_length(fields) == 0) {
		return dpu_cfg_walk_error(w, "at least one field");
	}
	for (size_t i = 0; i < json_object_array_length(fields); i++) {
		struct json_object *f = json_object_array_get_idx(fields, i);
		size_t mi = dpu_cfg_walk_index(w, i);
		int found = -1;

		if ((rc = dpu_json_expect(w, f, json_type_string)) < 0) {
			return rc;
		}
		for (int k = 0; k < FI_N_FIELDS; k++) {
			if (strcmp(json_object_get_string(f), field_names[k]) == 0) {
				found = k;
			}
		}
		if (found < 0) {
			return dpu_cfg_walk_error(
				w, "'%s': not an export field (docs/flow-inspector.md)",
				json_object_get_string(f));
		}
		for (size_t j = 0; j < u->n_fields; j++) {
			if (u->fields[j] == (enum fi_field)found) {
				return dpu_cfg_walk_error(w, "'%s' listed twice",
							  json_object_get_string(f));
			}
		}
		u->fields[u->n_fields++] = (enum fi_field)found;
		dpu_cfg_walk_pop(w, mi);
	}
	dpu_cfg_walk_pop(w, m);
	return 0;
}

static int parse_policy(struct json_object *root, const char *name, struct fi_policy *p,
			struct dpu_cfg_err *err)
{
	static const char *const known[] = {"export-units", "payload-bytes", NULL};
	static const char *const unit_known[] = {"filter", "export", NULL};
	struct dpu_cfg_walk w;
	struct json_object *units, *v;
	size_t m;
	int rc;

	dpu_cfg_walk_init(&w, name, err);
	memset(p, 0, sizeof(*p));
	p->payload_bytes = FI_PAYLOAD_DEFAULT;
	if ((rc = dpu_json_expect(&w, root, json_type_object)) < 0 ||
	    (rc = dpu_json_known_keys(&w, root, known)) < 0) {
		return rc;
	}
	if (json_object_object_get_ex(root, "payload-bytes", &v)) {
		m = dpu_cfg_walk_key(&w, "payload-bytes");
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > FI_PAYLOAD_MAX) {
			return dpu_cfg_walk_error(&w, "0..%d bytes", FI_PAYLOAD_MAX);
		}
		p->payload_bytes = (unsigned int)json_object_get_int64(v);
		dpu_cfg_walk_pop(&w, m);
	}
	m = dpu_cfg_walk_key(&w, "export-units");
	if (!json_object_object_get_ex(root, "export-units", &units)) {
		return dpu_cfg_walk_error(&w, "missing (a list of export units)");
	}
	if ((rc = dpu_json_expect(&w, units, json_type_array)) < 0) {
		return rc;
	}
	if (json_object_array_length(units) == 0 ||
	    json_object_array_length(units) > FI_MAX_UNITS) {
		return dpu_cfg_walk_error(&w, "1..%d export units", FI_MAX_UNITS);
	}
	for (size_t i = 0; i < json_object_array_length(units); i++) {
		struct json_object *u = json_object_array_get_idx(units, i), *f, *e;
		size_t mi = dpu_cfg_walk_index(&w, i), mk;

		if ((rc = dpu_json_expect(&w, u, json_type_object)) < 0 ||
		    (rc = dpu_json_known_keys(&w, u, unit_known)) < 0) {
			return rc;
		}
		mk = dpu_cfg_walk_key(&w, "filter");
		if (!json_object_object_get_ex(u, "filter", &f)) {
			return dpu_cfg_walk_error(&w, "missing");
		}
		if ((rc = parse_filter(&w, f, &p->units[i])) < 0) {
			return rc;
		}
		dpu_cfg_walk_pop(&w, mk);
		mk = dpu_cfg_walk_key(&w, "export");
		if (!json_object_object_get_ex(u, "export", &e)) {
			return dpu_cfg_walk_error(&w, "missing");
		}
		if ((rc = parse_export(&w, e, &p->units[i])) < 0) {
			return rc;
		}
		dpu_cfg_walk_pop(&w, mk);
		dpu_cfg_walk_pop(&w, mi);
	}
	p->n_units = json_object_array_length(units);
	return 0;
}

int fi_policy_load_string(const char *text, size_t len, const char *name, struct fi_policy *p,
			  struct dpu_cfg_err *err)
{
	struct json_object *root = NULL;
	struct fi_policy *scratch;
	int rc = dpu_json_load_string(text, len, name, &root, err);

	if (rc < 0) {
		return rc;
	}
	scratch = malloc(sizeof(*scratch));
	if (scratch == NULL) {
		json_object_put(root);
		return -ENOMEM;
	}
	rc = parse_policy(root, name, scratch, err);
	if (rc == 0) {
		*p = *scratch;
	}
	free(scratch);
	json_object_put(root);
	return rc;
}

int fi_policy_load(const char *path, struct fi_policy *p, struct dpu_cfg_err *err)
{
	char *text;
	size_t len;
	int rc = dpu_cfg_read_file(path, 1 << 20, &text, &len, err);

	if (rc < 0) {
		return rc;
	}
	rc = fi_policy_load_string(text, len, path, p, err);
	free(text);
	return rc;
}
