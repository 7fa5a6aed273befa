/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/device.h"

struct loader {
	const struct dpu_yaml_doc *doc;
	struct dpu_cfg_walk w;
	struct sim_device *dev;
};

static const char *const port_kinds[] = {"uplink", "pf", "vf", "sf"};
static const char *const sensor_kinds[] = {"temperature", "power"};

const char *sim_port_kind_name(enum sim_port_kind kind)
{
	return (size_t)kind < ARRAY_SIZE(port_kinds) ? port_kinds[kind] : "?";
}

const char *sim_sensor_kind_name(enum sim_sensor_kind kind)
{
	return (size_t)kind < ARRAY_SIZE(sensor_kinds) ? sensor_kinds[kind] : "?";
}

double sim_sensor_step(const struct sim_sensor *s, double now, double load, double dt)
{
	double target = s->value + s->load_rise * (load < 0 ? 0 : (load > 1 ? 1 : load));

	return dt <= 0 ? now : now + (target - now) * (1 - exp(-dt / s->tau));
}

const struct sim_port *sim_device_port(const struct sim_device *dev, const char *name)
{
	for (size_t i = 0; i < dev->n_ports; i++) {
		if (strcmp(dev->ports[i].name, name) == 0) {
			return &dev->ports[i];
		}
	}
	return NULL;
}

/* The scalar at 'key' of 'map' copied into 'buf'; -ENOENT when absent and optional. */
static int get_str(struct loader *l, const struct dpu_yaml_node *map, const char *key, char *buf,
		   size_t size, bool required)
{
	const struct dpu_yaml_node *n = dpu_yaml_map_get(l->doc, map, key);
	size_t mark;
	int rc = 0;

	if (n == NULL) {
		if (required) {
			return dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(map),
						     "missing required key \"%s\"", key);
		}
		return -ENOENT;
	}
	mark = dpu_cfg_walk_key(&l->w, key);
	if (dpu_yaml_expect(&l->w, n, DPU_YAML_SCALAR) < 0) {
		return -EINVAL;
	}
	if (dpu_strscpy(buf, dpu_yaml_scalar(n), size) < 0) {
		rc = dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(n), "longer than %zu characters",
					   size - 1);
	} else if (required && buf[0] == '\0') {
		rc = dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(n), "must not be empty");
	}
	dpu_cfg_walk_pop(&l->w, mark);
	return rc;
}

static int get_enum(struct loader *l, const struct dpu_yaml_node *map, const char *key,
		    const char *const names[], size_t n_names, int *out)
{
	char buf[SIM_NAME_MAX];
	int rc = get_str(l, map, key, buf, sizeof(buf), true);

	if (rc < 0) {
		return rc;
	}
	for (size_t i = 0; i < n_names; i++) {
		if (strcmp(buf, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	size_t mark = dpu_cfg_walk_key(&l->w, key);

	rc = dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(dpu_yaml_map_get(l->doc, map, key)),
				   "unknown value \"%s\"", buf);
	dpu_cfg_walk_pop(&l->w, mark);
	return rc;
}

static int get_double(struct loader *l, const struct dpu_yaml_node *map, const char *key,
		      double *out, bool required)
{
	char buf[64], *end;
	int rc = get_str(l, map, key, buf, sizeof(buf), required);
	double v;

	if (rc == -ENOENT) {
		return 0;
	}
	if (rc < 0) {
		return rc;
	}
	v = strtod(buf, &end);
	if (*end != '\0' || end == buf || !isfinite(v)) {
		size_t mark = dpu_cfg_walk_key(&l->w, key);

		rc = dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(dpu_yaml_map_get(l->doc, map, key)),
					   "'%s' is not a number", buf);
		dpu_cfg_walk_pop(&l->w, mark);
		return rc;
	}
	*out = v;
	return 0;
}

static int parse_mac(const char *text, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6 ||
	    strlen(text) != 17) {
		return -EINVAL;
	}
	for (int i = 0; i < 6; i++) {
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static int parse_pci(const char *text)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	if (strlen(text) != 12 ||
	    sscanf(text, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) != 4 || dev > 0x1f ||
	    fn > 7) {
		return -EINVAL;
	}
	return 0;
}

static int load_port(struct loader *l, const struct dpu_yaml_node *n, struct sim_port *p)
{
	static const char *const known[] = {"name", "kind", "mac", "pci", "ibdev", "speed", NULL};
	char buf[64];
	int kind, rc;
	size_t mark;

	if (dpu_yaml_expect(&l->w, n, DPU_YAML_MAPPING) < 0 ||
	    dpu_yaml_known_keys(&l->w, l->doc, n, known) < 0 ||
	    get_str(l, n, "name", p->name, sizeof(p->name), true) < 0 ||
	    get_enum(l, n, "kind", port_kinds, ARRAY_SIZE(port_kinds), &kind) < 0) {
		return -EINVAL;
	}
	p->kind = (enum sim_port_kind)kind;
	if (get_str(l, n, "mac", buf, sizeof(buf), true) < 0) {
		return -EINVAL;
	}
	if (parse_mac(buf, p->mac) < 0) {
		mark = dpu_cfg_walk_key(&l->w, "mac");
		rc = dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(dpu_yaml_map_get(l->doc, n, "mac")),
					   "'%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", buf);
		dpu_cfg_walk_pop(&l->w, mark);
		return rc;
	}
	if (get_str(l, n, "pci", p->pci, sizeof(p->pci), true) < 0) {
		return -EINVAL;
	}
	if (parse_pci(p->pci) < 0) {
		mark = dpu_cfg_walk_key(&l->w, "pci");
		rc = dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(dpu_yaml_map_get(l->doc, n, "pci")),
					   "'%s' is not a PCI address (dddd:bb:dd.f)", p->pci);
		dpu_cfg_walk_pop(&l->w, mark);
		return rc;
	}
	rc = get_str(l, n, "ibdev", p->ibdev, sizeof(p->ibdev), false);
	if (rc < 0 && rc != -ENOENT) {
		return rc;
	}
	rc = get_str(l, n, "speed", buf, sizeof(buf), false);
	if (rc == 0) {
		uint64_t v;
		const char *why;

		if (dpu_cfg_parse_u64(buf, 1, 1600000, &v, &why) < 0) {
			mark = dpu_cfg_walk_key(&l->w, "speed");
			rc = dpu_cfg_walk_error_at(
				&l->w, dpu_yaml_line(dpu_yaml_map_get(l->doc, n, "speed")),
				"'%s': %s (Mb/s, 1..1600000)", buf, why);
			dpu_cfg_walk_pop(&l->w, mark);
			return rc;
		}
		p->speed_mbps = (uint32_t)v;
	} else if (rc != -ENOENT) {
		return rc;
	}
	return 0;
}

static int load_sensor(struct loader *l, const struct dpu_yaml_node *n, struct sim_sensor *s)
{
	static const char *const known[] = {"name", "kind",	 "value", "warn",
					    "crit", "load_rise", "tau",	  NULL};
	int kind;

	if (dpu_yaml_expect(&l->w, n, DPU_YAML_MAPPING) < 0 ||
	    dpu_yaml_known_keys(&l->w, l->doc, n, known) < 0 ||
	    get_str(l, n, "name", s->name, sizeof(s->name), true) < 0 ||
	    get_enum(l, n, "kind", sensor_kinds, ARRAY_SIZE(sensor_kinds), &kind) < 0 ||
	    get_double(l, n, "value", &s->value, true) < 0) {
		return -EINVAL;
	}
	s->kind = (enum sim_sensor_kind)kind;
	s->warn = INFINITY;
	s->crit = INFINITY;
	if (get_double(l, n, "warn", &s->warn, false) < 0 ||
	    get_double(l, n, "crit", &s->crit, false) < 0) {
		return -EINVAL;
	}
	/*
	 * Without a load_rise, line rate takes a temperature 30 % and a power
	 * 50 % of the way from its idle value to its warning; a die's
	 * temperature follows in ~10 s, a board's power in ~1 s.
	 */
	s->load_rise =
		isfinite(s->warn) && s->warn > s->value
			? (s->warn - s->value) * (s->kind == SIM_SENSOR_TEMPERATURE ? 0.3 : 0.5)
			: 0;
	s->tau = s->kind == SIM_SENSOR_TEMPERATURE ? 10 : 1;
	if (get_double(l, n, "load_rise", &s->load_rise, false) < 0 ||
	    get_double(l, n, "tau", &s->tau, false) < 0) {
		return -EINVAL;
	}
	if (s->tau <= 0) {
		size_t mark = dpu_cfg_walk_key(&l->w, "tau");
		int rc = dpu_cfg_walk_error_at(
			&l->w, dpu_yaml_line(dpu_yaml_map_get(l->doc, n, "tau")),
			"%g: a time constant in seconds, more than 0", s->tau);

		dpu_cfg_walk_pop(&l->w, mark);
		return rc;
	}
	return 0;
}

/* Load a sequence 'key' of 'root' into 'count' items of 'stride' bytes at 'items'. */
static int load_list(struct loader *l, const struct dpu_yaml_node *root, const char *key,
		     bool required, size_t max, size_t *count,
		     int (*one)(struct loader *, const struct dpu_yaml_node *, void *), void *items,
		     size_t stride)
{
	const struct dpu_yaml_node *seq = dpu_yaml_map_get(l->doc, root, key);
	size_t mark, n;
	int rc = 0;

	*count = 0;
	if (seq == NULL) {
		return required ? dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(root),
							"missing required key \"%s\"", key)
				: 0;
	}
	mark = dpu_cfg_walk_key(&l->w, key);
	if (dpu_yaml_expect(&l->w, seq, DPU_YAML_SEQUENCE) < 0) {
		return -EINVAL;
	}
	n = dpu_yaml_seq_len(l->doc, seq);
	if (required && n == 0) {
		return dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(seq), "must not be empty");
	}
	if (n > max) {
		return dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(seq), "more than %zu entries",
					     max);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t im = dpu_cfg_walk_index(&l->w, i);

		rc = one(l, dpu_yaml_seq_get(l->doc, seq, i), (char *)items + i * stride);
		dpu_cfg_walk_pop(&l->w, im);
	}
	dpu_cfg_walk_pop(&l->w, mark);
	*count = n;
	return rc;
}

static int one_port(struct loader *l, const struct dpu_yaml_node *n, void *item)
{
	return load_port(l, n, item);
}

static int one_sensor(struct loader *l, const struct dpu_yaml_node *n, void *item)
{
	return load_sensor(l, n, item);
}

static int load_nv(struct loader *l, const struct dpu_yaml_node *root)
{
	const struct dpu_yaml_node *map = dpu_yaml_map_get(l->doc, root, "nvconfig");
	size_t mark, n;

	if (map == NULL) {
		return 0;
	}
	mark = dpu_cfg_walk_key(&l->w, "nvconfig");
	if (dpu_yaml_expect(&l->w, map, DPU_YAML_MAPPING) < 0) {
		return -EINVAL;
	}
	n = dpu_yaml_map_len(l->doc, map);
	if (n > SIM_MAX_NV) {
		return dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(map), "more than %d parameters",
					     SIM_MAX_NV);
	}
	for (size_t i = 0; i < n; i++) {
		const struct dpu_yaml_node *k, *v;
		struct sim_nv_param *p = &l->dev->nv[i];

		dpu_yaml_map_pair(l->doc, map, i, &k, &v);
		if (dpu_yaml_scalar(k) == NULL || dpu_yaml_scalar(v) == NULL) {
			return dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(k),
						     "parameters are NAME: VALUE scalars");
		}
		if (dpu_strscpy(p->name, dpu_yaml_scalar(k), sizeof(p->name)) < 0 ||
		    dpu_strscpy(p->value, dpu_yaml_scalar(v), sizeof(p->value)) < 0) {
			return dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(k),
						     "name or value longer than %d characters",
						     SIM_NAME_MAX - 1);
		}
	}
	l->dev->n_nv = n;
	dpu_cfg_walk_pop(&l->w, mark);
	return 0;
}

static int load_inventory(struct loader *l, const struct dpu_yaml_node *root)
{
	static const char *const known[] = {"model",	"part-number", "serial", "psid",     "mode",
					    "firmware", "bsp",	       "doca",	 "board-id", NULL};
	static const char *const modes[] = {"dpu", "nic", "zero-trust"};
	const struct dpu_yaml_node *inv = dpu_yaml_map_get(l->doc, root, "inventory");
	struct sim_inventory *iv = &l->dev->inv;
	size_t mark;
	int mode, rc;

	if (inv == NULL) {
		return dpu_cfg_walk_error_at(&l->w, dpu_yaml_line(root),
					     "missing required key \"inventory\"");
	}
	mark = dpu_cfg_walk_key(&l->w, "inventory");
	if (dpu_yaml_expect(&l->w, inv, DPU_YAML_MAPPING) < 0 ||
	    dpu_yaml_known_keys(&l->w, l->doc, inv, known) < 0 ||
	    get_str(l, inv, "model", iv->model, sizeof(iv->model), true) < 0 ||
	    get_str(l, inv, "serial", iv->serial, sizeof(iv->serial), true) < 0 ||
	    get_enum(l, inv, "mode", modes, ARRAY_SIZE(modes), &mode) < 0) {
		return -EINVAL;
	}
	dpu_strscpy(iv->mode, modes[mode], sizeof(iv->mode));
	struct {
		const char *key;
		char *buf;
	} opt[] = {
		{"part-number", iv->part_number},
		{"psid", iv->psid},
		{"firmware", iv->firmware},
		{"bsp", iv->bsp},
		{"doca", iv->doca},
		{"board-id", iv->board_id},
	};
	for (size_t i = 0; i < ARRAY_SIZE(opt); i++) {
		rc = get_str(l, inv, opt[i].key, opt[i].buf, SIM_NAME_MAX, false);
		if (rc < 0 && rc != -ENOENT) {
			return rc;
		}
	}
	dpu_cfg_walk_pop(&l->w, mark);
	return 0;
}

static int load_device(struct loader *l)
{
	static const char *const known[] = {"name",    "inventory", "ports",
					    "sensors", "nvconfig",  NULL};
	const struct dpu_yaml_node *root = dpu_yaml_root(l->doc);
	struct sim_device *dev = l->dev;

	if (dpu_yaml_expect(&l->w, root, DPU_YAML_MAPPING) < 0 ||
	    dpu_yaml_known_keys(&l->w, l->doc, root, known) < 0 ||
	    get_str(l, root, "name", dev->name, sizeof(dev->name), true) < 0 ||
	    load_inventory(l, root) < 0 ||
	    load_list(l, root, "ports", true, SIM_MAX_PORTS, &dev->n_ports, one_port, dev->ports,
		      sizeof(dev->ports[0])) < 0 ||
	    load_list(l, root, "sensors", false, SIM_MAX_SENSORS, &dev->n_sensors, one_sensor,
		      dev->sensors, sizeof(dev->sensors[0])) < 0 ||
	    load_nv(l, root) < 0) {
		return -EINVAL;
	}
	/* Port names are how everything refers to ports: they must be unique. */
	for (size_t i = 0; i < dev->n_ports; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(dev->ports[i].name, dev->ports[j].name) == 0) {
				const struct dpu_yaml_node *seq =
					dpu_yaml_map_get(l->doc, root, "ports");

				dpu_cfg_walk_key(&l->w, "ports");
				dpu_cfg_walk_index(&l->w, i);
				return dpu_cfg_walk_error_at(
					&l->w, dpu_yaml_line(dpu_yaml_seq_get(l->doc, seq, i)),
					"duplicate port name \"%s\"", dev->ports[i].name);
			}
		}
	}
	return 0;
}

static int finish(struct dpu_yaml_doc *doc, const char *name, struct sim_device **devp,
		  struct dpu_cfg_err *err)
{
	struct loader l = {.doc = doc};
	int rc;

	l.dev = calloc(1, sizeof(*l.dev));
	if (l.dev == NULL) {
		dpu_yaml_free(doc);
		return -ENOMEM;
	}
	dpu_cfg_walk_init(&l.w, name, err);
	rc = load_device(&l);
	dpu_yaml_free(doc);
	if (rc < 0) {
		free(l.dev);
		return rc;
	}
	*devp = l.dev;
	return 0;
}

int sim_device_load(const char *path, struct sim_device **devp, struct dpu_cfg_err *err)
{
	struct dpu_yaml_doc *doc;
	int rc = dpu_yaml_load(path, &doc, err);

	return rc < 0 ? rc : finish(doc, path, devp, err);
}

int sim_device_load_string(const char *text, size_t len, const char *name, struct sim_device **devp,
			   struct dpu_cfg_err *err)
{
	struct dpu_yaml_doc *doc;
	int rc = dpu_yaml_load_string(text, len, name, &doc, err);

	return rc < 0 ? rc : finish(doc, name, devp, err);
}
