/* SPDX-License-Identifier: BSD-3-Clause */
/* Backend registry and dispatch. */
#include <config.h>

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DPU_LOG_MODULE "hal"
#include "common/log.h"
#include "hal-provider.h"

/* Compiled-in backends: a static table, explicit and greppable. */
static const struct dpu_hal_class *const hal_classes[] = {
	&dpu_hal_sim_class,
	&dpu_hal_bluefield_class,
};

static const struct dpu_hal_class *find_class(const char *uri, const char **args)
{
	const char *colon = strchr(uri, ':');

	if (colon == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(hal_classes); i++) {
		const struct dpu_hal_class *c = hal_classes[i];

		if (strlen(c->scheme) == (size_t)(colon - uri) &&
		    strncmp(uri, c->scheme, (size_t)(colon - uri)) == 0) {
			/* A backend that misses a mandatory operation is a bug. */
			assert(c->api_version == DPU_HAL_API_VERSION);
			assert(c->open != NULL && c->close != NULL && c->info != NULL);
			*args = colon + 1;
			return c;
		}
	}
	return NULL;
}

int dpu_dev_open(const char *uri, struct dpu_dev **devp)
{
	const struct dpu_hal_class *c;
	const char *args;
	int rc;

	if (uri == NULL || devp == NULL) {
		return -EINVAL;
	}
	c = find_class(uri, &args);
	if (c == NULL) {
		log_err("%s: unknown device URI (expected sim:<name> or bluefield:<pci>)", uri);
		return -ENODEV;
	}
	rc = c->open(args, devp);
	if (rc < 0) {
		log_dbg("%s: open failed: %s", uri, strerror(-rc));
		return rc;
	}
	assert((*devp)->class == c);
	return 0;
}

void dpu_dev_close(struct dpu_dev *dev)
{
	if (dev != NULL) {
		dev->class->close(dev);
	}
}

const char *dpu_dev_backend(const struct dpu_dev *dev)
{
	return dev->class->scheme;
}

int dpu_dev_info(struct dpu_dev *dev, struct dpu_dev_info *info)
{
	if (dev == NULL || info == NULL) {
		return -EINVAL;
	}
	memset(info, 0, sizeof(*info));
	return dev->class->info(dev, info);
}

int dpu_dev_counter_root(struct dpu_dev *dev, char *buf, size_t size)
{
	if (dev == NULL || buf == NULL || size == 0) {
		return -EINVAL;
	}
	if (dev->class->counter_root == NULL) {
		return -EOPNOTSUPP;
	}
	return dev->class->counter_root(dev, buf, size);
}

int dpu_port_list(struct dpu_dev *dev, struct dpu_port_info *ports, size_t max)
{
	if (dev == NULL || (ports == NULL && max > 0)) {
		return -EINVAL;
	}
	if (dev->class->port_list == NULL) {
		return -EOPNOTSUPP;
	}
	return dev->class->port_list(dev, ports, max);
}

int dpu_sensor_list(struct dpu_dev *dev, struct dpu_sensor_info *sensors, size_t max)
{
	if (dev == NULL || (sensors == NULL && max > 0)) {
		return -EINVAL;
	}
	if (dev->class->sensor_list == NULL) {
		return -EOPNOTSUPP;
	}
	return dev->class->sensor_list(dev, sensors, max);
}

int dpu_port_stats(struct dpu_dev *dev, const char *name, struct dpu_port_stats *stats)
{
	if (dev == NULL || name == NULL || stats == NULL) {
		return -EINVAL;
	}
	if (dev->class->port_stats == NULL) {
		return -EOPNOTSUPP;
	}
	memset(stats, 0, sizeof(*stats));
	return dev->class->port_stats(dev, name, stats);
}

int dpu_nv_list(struct dpu_dev *dev, struct dpu_nv_param *params, size_t max)
{
	if (dev == NULL || (params == NULL && max > 0)) {
		return -EINVAL;
	}
	if (dev->class->nv_list == NULL) {
		return -EOPNOTSUPP;
	}
	return dev->class->nv_list(dev, params, max);
}

int dpu_nv_set(struct dpu_dev *dev, const char *name, const char *value)
{
	if (dev == NULL || name == NULL || value == NULL || name[0] == '\0') {
		return -EINVAL;
	}
	if (dev->class->nv_set == NULL) {
		return -EOPNOTSUPP;
	}
	return dev->class->nv_set(dev, name, value);
}

const char *dpu_dev_last_error(const struct dpu_dev *dev)
{
	return dev != NULL ? dev->last_error : "";
}

void dpu_dev_set_error(struct dpu_dev *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dev->last_error, sizeof(dev->last_error), fmt, ap);
	va_end(ap);
}

/* Steering: the domain is NULL or a port name, the pipe a name. */
static bool names_ok(const char *domain, const char *pipe)
{
	return (domain == NULL || (domain[0] != '\0' && strlen(domain) < DPU_HAL_STR)) &&
	       pipe != NULL && pipe[0] != '\0' && strlen(pipe) < DPU_PIPE_NAME;
}

/* Whose steering operations: the class's, or those installed on the device. */
static const struct dpu_hal_class *steering(const struct dpu_dev *dev)
{
	return dev->steer != NULL ? dev->steer : dev->class;
}

int dpu_pipe_create(struct dpu_dev *dev, const struct dpu_pipe_attr *attr)
{
	if (dev == NULL || attr == NULL || !names_ok(attr->domain, attr->name) ||
	    (unsigned int)attr->kind > DPU_PIPE_LPM ||
	    (attr->match_fields >> DPU_MATCH_FIELDS) != 0) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (steering(dev)->pipe_create == NULL) {
		return -EOPNOTSUPP;
	}
	return steering(dev)->pipe_create(dev, attr);
}

int dpu_pipe_entry_add(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t priority,
		       const struct dpu_match *match, const struct dpu_actions *actions,
		       uint32_t *entry)
{
	if (dev == NULL || !names_ok(domain, pipe) || match == NULL || actions == NULL ||
	    entry == NULL || (match->fields >> DPU_MATCH_FIELDS) != 0) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (steering(dev)->entry_add == NULL) {
		return -EOPNOTSUPP;
	}
	return steering(dev)->entry_add(dev, domain, pipe, priority, match, actions, entry);
}

int dpu_pipe_entries_add(struct dpu_dev *dev, const char *domain, const char *pipe,
			 const struct dpu_entry_spec *specs, size_t n, uint32_t *entries, int *rcs)
{
	char first[sizeof(dev->last_error)] = "";
	int added = 0;

	if (dev == NULL || !names_ok(domain, pipe) ||
	    (n > 0 && (specs == NULL || entries == NULL || rcs == NULL))) {
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (specs[i].match == NULL || specs[i].actions == NULL ||
		    specs[i].n_actions > DPU_ECMP_MAX ||
		    (specs[i].match->fields >> DPU_MATCH_FIELDS) != 0) {
			return -EINVAL;
		}
	}
	dev->last_error[0] = '\0';
	if (steering(dev)->entries_add != NULL) {
		return steering(dev)->entries_add(dev, domain, pipe, specs, n, entries, rcs);
	}
	if (steering(dev)->entry_add == NULL) {
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < n; i++) {
		if (specs[i].n_actions > 1) {
			rcs[i] = -EOPNOTSUPP;
			snprintf(dev->last_error, sizeof(dev->last_error),
				 "%s: no ECMP groups on this backend", pipe);
		} else {
			rcs[i] = steering(dev)->entry_add(dev, domain, pipe, specs[i].priority,
							  specs[i].match, specs[i].actions,
							  &entries[i]);
		}
		if (rcs[i] == 0) {
			added++;
		} else if (first[0] == '\0') {
			dpu_strscpy(first, dev->last_error, sizeof(first));
		}
	}
	if (first[0] != '\0') {
		dpu_strscpy(dev->last_error, first, sizeof(dev->last_error));
	}
	return added;
}

int dpu_pipe_entry_del(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t entry)
{
	if (dev == NULL || !names_ok(domain, pipe)) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (steering(dev)->entry_del == NULL) {
		return -EOPNOTSUPP;
	}
	return steering(dev)->entry_del(dev, domain, pipe, entry);
}

int dpu_pipe_entry_stats(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t entry,
			 uint64_t *packets, uint64_t *bytes)
{
	if (dev == NULL || !names_ok(domain, pipe) || packets == NULL || bytes == NULL) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (steering(dev)->entry_stats == NULL) {
		return -EOPNOTSUPP;
	}
	return steering(dev)->entry_stats(dev, domain, pipe, entry, packets, bytes);
}

int dpu_pipe_entries_del(struct dpu_dev *dev, const char *domain, const char *pipe,
			 const uint32_t *entries, size_t n, int *rcs)
{
	char first[sizeof(dev->last_error)] = "";
	int removed = 0;

	if (dev == NULL || !names_ok(domain, pipe) || (n > 0 && (entries == NULL || rcs == NULL))) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (steering(dev)->entries_del != NULL) {
		return steering(dev)->entries_del(dev, domain, pipe, entries, n, rcs);
	}
	if (steering(dev)->entry_del == NULL) {
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < n; i++) {
		rcs[i] = steering(dev)->entry_del(dev, domain, pipe, entries[i]);
		if (rcs[i] == 0) {
			removed++;
		} else if (first[0] == '\0') {
			dpu_strscpy(first, dev->last_error, sizeof(first));
		}
	}
	dpu_strscpy(dev->last_error, first, sizeof(dev->last_error));
	return removed;
}

int dpu_pipe_entry_update(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t entry,
			  const struct dpu_actions *actions, unsigned int n_actions)
{
	if (dev == NULL || !names_ok(domain, pipe) || actions == NULL || n_actions == 0 ||
	    n_actions > DPU_ECMP_MAX) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (steering(dev)->entry_update == NULL) {
		return -EOPNOTSUPP;
	}
	return steering(dev)->entry_update(dev, domain, pipe, entry, actions, n_actions);
}

int dpu_pipe_destroy(struct dpu_dev *dev, const char *domain, const char *pipe)
{
	if (dev == NULL || !names_ok(domain, pipe)) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (steering(dev)->pipe_destroy == NULL) {
		return -EOPNOTSUPP;
	}
	return steering(dev)->pipe_destroy(dev, domain, pipe);
}

int dpu_flow_flush(struct dpu_dev *dev, const char *domain)
{
	if (dev == NULL || domain == NULL || domain[0] == '\0') {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (steering(dev)->flow_flush == NULL) {
		return -EOPNOTSUPP;
	}
	return steering(dev)->flow_flush(dev, domain);
}

int dpu_meter_create(struct dpu_dev *dev, const char *domain, uint64_t cir, uint64_t cbs,
		     uint64_t ebs, uint32_t *id)
{
	if (dev == NULL || id == NULL || (domain != NULL && domain[0] == '\0') || cir == 0 ||
	    (cbs == 0 && ebs == 0)) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (steering(dev)->meter_create == NULL) {
		return -EOPNOTSUPP;
	}
	return steering(dev)->meter_create(dev, domain, cir, cbs, ebs, id);
}

int dpu_meter_stats(struct dpu_dev *dev, const char *domain, uint32_t id, uint64_t packets[3],
		    uint64_t bytes[3])
{
	if (dev == NULL || packets == NULL || bytes == NULL ||
	    (domain != NULL && domain[0] == '\0')) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (steering(dev)->meter_stats == NULL) {
		return -EOPNOTSUPP;
	}
	return steering(dev)->meter_stats(dev, domain, id, packets, bytes);
}

int dpu_phc_read(struct dpu_dev *dev, struct dpu_phc_state *st)
{
	if (dev == NULL || st == NULL) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (dev->class->phc_read == NULL) {
		return -EOPNOTSUPP;
	}
	memset(st, 0, sizeof(*st));
	return dev->class->phc_read(dev, st);
}

int dpu_phc_settime(struct dpu_dev *dev, int64_t phc_ns)
{
	if (dev == NULL || phc_ns < 0) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (dev->class->phc_settime == NULL) {
		return -EOPNOTSUPP;
	}
	return dev->class->phc_settime(dev, phc_ns);
}

int dpu_phc_step(struct dpu_dev *dev, int64_t delta_ns)
{
	if (dev == NULL) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (dev->class->phc_step == NULL) {
		return -EOPNOTSUPP;
	}
	return dev->class->phc_step(dev, delta_ns);
}

int dpu_phc_adjfreq(struct dpu_dev *dev, double ppb)
{
	if (dev == NULL || !isfinite(ppb)) {
		return -EINVAL;
	}
	dev->last_error[0] = '\0';
	if (dev->class->phc_adjfreq == NULL) {
		return -EOPNOTSUPP;
	}
	return dev->class->phc_adjfreq(dev, ppb);
}

int dpu_flow_mirror(struct dpu_dev *dev, const char *from, const char *to, const char *next)
{
	struct dpu_actions on = {.fate = DPU_FATE_PIPE};
	struct dpu_actions mirror;
	struct dpu_pipe_attr attr = {.kind = DPU_PIPE_EXACT,
				     .match_fields = DPU_MATCH_IN_PORT,
				     .root = true,
				     .miss = &on};
	struct dpu_match m = {.fields = DPU_MATCH_IN_PORT};
	char name[DPU_PIPE_NAME];
	uint32_t id;
	int rc;

	if (dev == NULL || from == NULL || to == NULL || next == NULL ||
	    dpu_strscpy(on.pipe, next, sizeof(on.pipe)) < 0 ||
	    dpu_strscpy(m.in_port, from, sizeof(m.in_port)) < 0 ||
	    snprintf(name, sizeof(name), "mirror-%s", to) >= (int)sizeof(name)) {
		return -EINVAL;
	}
	mirror = on;
	dpu_strscpy(mirror.mirror, to, sizeof(mirror.mirror));
	attr.name = name;
	rc = dpu_pipe_create(dev, &attr);
	if (rc == -EEXIST) {
		return 0;
	}
	if (rc == 0) {
		rc = dpu_pipe_entry_add(dev, NULL, name, 0, &m, &mirror, &id);
	}
	return rc;
}

const char *dpu_port_kind_name(enum dpu_port_kind kind)
{
	static const char *const names[] = {"uplink", "pf", "vf", "sf"};

	return (size_t)kind < ARRAY_SIZE(names) ? names[kind] : "?";
}

const char *dpu_sensor_kind_name(enum dpu_sensor_kind kind)
{
	static const char *const names[] = {"temperature", "power"};

	return (size_t)kind < ARRAY_SIZE(names) ? names[kind] : "?";
}
