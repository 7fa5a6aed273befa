/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dpu/hal-reg.h"
#include "sim/nvstore.h"
#include "sim/sysfs.h"

static struct sim_nv_entry *find(struct sim_nvstore *st, const char *name)
{
	for (size_t i = 0; i < st->n; i++) {
		if (strcmp(st->e[i].name, name) == 0) {
			return &st->e[i];
		}
	}
	return NULL;
}

const struct sim_nv_entry *sim_nvstore_get(const struct sim_nvstore *st, const char *name)
{
	return find((struct sim_nvstore *)st, name);
}

static int save(const struct sim_nvstore *st)
{
	struct json_object *root = json_object_new_object();
	struct json_object *next = json_object_new_object();
	char dir[PATH_MAX], *slash;
	const char *text;
	int rc;

	for (size_t i = 0; i < st->n; i++) {
		json_object_object_add(next, st->e[i].name, json_object_new_string(st->e[i].next));
	}
	json_object_object_add(root, "next-boot", next);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
	memcpy(dir, st->path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		rc = sim_sysfs_write(".", st->path, text);
	} else {
		*slash = '\0';
		rc = sim_sysfs_write(dir, slash + 1, text);
	}
	json_object_put(root);
	return rc;
}

int sim_nvstore_open(const char *path, const struct sim_device *dev, struct sim_nvstore **out,
		     struct dpu_cfg_err *err)
{
	struct sim_nvstore *st = calloc(1, sizeof(*st));
	struct json_object *root = NULL, *next;
	struct dpu_cfg_walk w;
	int rc;

	if (st == NULL) {
		return -ENOMEM;
	}
	if (dpu_strscpy(st->path, path, sizeof(st->path)) < 0) {
		free(st);
		return -ENAMETOOLONG;
	}
	st->n = dev->n_nv;
	for (size_t i = 0; i < dev->n_nv; i++) {
		dpu_strscpy(st->e[i].name, dev->nv[i].name, sizeof(st->e[i].name));
		dpu_strscpy(st->e[i].next, dev->nv[i].value, sizeof(st->e[i].next));
	}
	rc = dpu_json_load(path, &root, err);
	if (rc == -ENOENT) {
		rc = 0; /* first boot: factory defaults */
	} else if (rc == 0) {
		dpu_cfg_walk_init(&w, path, err);
		if (dpu_json_expect(&w, root, json_type_object) < 0 ||
		    !json_object_object_get_ex(root, "next-boot", &next)) {
			rc = dpu_cfg_walk_error(&w, "expected {\"next-boot\": {...}}");
		} else {
			dpu_cfg_walk_key(&w, "next-boot");
			size_t in_next = w.len;

			rc = dpu_json_expect(&w, next, json_type_object);
			json_object_object_foreach (next, key, val) {
				struct sim_nv_entry *e = rc == 0 ? find(st, key) : NULL;

				if (rc < 0) {
					break;
				}
				dpu_cfg_walk_key(&w, key);
				if (e == NULL) {
					rc = dpu_cfg_walk_error(&w, "not a parameter of device %s",
								dev->name);
				} else if (dpu_json_expect(&w, val, json_type_string) == 0) {
					dpu_strscpy(e->next, json_object_get_string(val),
						    sizeof(e->next));
				} else {
					rc = -EINVAL;
				}
				dpu_cfg_walk_pop(&w, in_next);
			}
		}
		json_object_put(root);
	}
	if (rc < 0) {
		free(st);
		return rc;
	}
	/* Boot: what was set for the next boot is now in force. */
	for (size_t i = 0; i < st->n; i++) {
		memcpy(st->e[i].current, st->e[i].next, sizeof(st->e[i].current));
	}
	rc = save(st);
	if (rc < 0) {
		free(st);
		return rc;
	}
	*out = st;
	return 0;
}

int sim_nvstore_set(struct sim_nvstore *st, const char *name, const char *value)
{
	struct sim_nv_entry *e = find(st, name);
	char old[SIM_NAME_MAX];
	int rc;

	if (e == NULL) {
		return -ENOENT;
	}
	if (strlen(value) >= sizeof(e->next) || value[0] == '\0') {
		return -EINVAL;
	}
	memcpy(old, e->next, sizeof(old));
	dpu_strscpy(e->next, value, sizeof(e->next));
	rc = save(st);
	if (rc < 0) {
		memcpy(e->next, old, sizeof(old)); /* not persisted: not accepted */
	}
	return rc;
}

static bool in_item(const struct dpu_nv_def *d, const struct dpu_nv_item *it)
{
	return d->type_class == it->type_class && d->type_index == it->type_index;
}

/*
 * Make values[i] (dpu_nv_defs[i]'s; "" = not written) the next-boot values,
 * in one save: all of them or, when the store cannot be saved, none. A
 * value that means what the parameter already holds leaves it as written.
 */
static int store_values(struct sim_nvstore *st, char (*values)[SIM_NAME_MAX])
{
	struct sim_nv_entry *e[SIM_MAX_NV];
	char old[SIM_MAX_NV][SIM_NAME_MAX];
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < dpu_nv_n_defs && n < SIM_MAX_NV; i++) {
		struct sim_nv_entry *x = find(st, dpu_nv_defs[i].name);
		uint32_t now, want;

		if (values[i][0] == '\0' || x == NULL ||
		    (dpu_nv_parse(&dpu_nv_defs[i], x->next, &now) == 0 &&
		     dpu_nv_parse(&dpu_nv_defs[i], values[i], &want) == 0 && now == want)) {
			continue;
		}
		memcpy(old[n], x->next, sizeof(old[n]));
		dpu_strscpy(x->next, values[i], sizeof(x->next));
		e[n++] = x;
	}
	if (n == 0) {
		return 0;
	}
	rc = save(st);
	for (size_t i = 0; rc < 0 && i < n; i++) {
		memcpy(e[i]->next, old[i], sizeof(old[i])); /* not persisted: not accepted */
	}
	return rc;
}

int sim_nvstore_mnvda(struct sim_nvstore *st, bool write, uint8_t *reg, size_t len, char *why,
		      size_t whylen)
{
	static const char *const mode[] = {"next", "current", "factory", "3"};
	char(*values)[SIM_NAME_MAX] = NULL;
	struct dpu_nv_item it;
	uint16_t item_len = 0;
	int rc;

	dpu_nv_item_unpack(reg, len, &it);
	for (size_t i = 0; i < dpu_nv_n_defs; i++) {
		if (in_item(&dpu_nv_defs[i], &it) && find(st, dpu_nv_defs[i].name) != NULL) {
			item_len = dpu_nv_defs[i].item_len;
		}
	}
	if (item_len == 0) {
		snprintf(why, whylen, "MNVDA: no configuration item class %u index 0x%06x here",
			 it.type_class, it.type_index);
		return -EINVAL;
	}
	if (it.access_mode > DPU_NV_CURRENT || (write && it.access_mode != DPU_NV_NEXT)) {
		snprintf(why, whylen, "MNVDA: %s the %s values: not on this device",
			 write ? "writing" : "reading", mode[it.access_mode & 3]);
		return -EINVAL;
	}
	if (len < DPU_NV_HDR + (size_t)(item_len + 3) / 4 * 4) {
		snprintf(why, whylen, "MNVDA: item class %u index 0x%06x takes %u bytes of data",
			 it.type_class, it.type_index, item_len);
		return -EINVAL;
	}
	if (!write) {
		memset(it.data, 0, sizeof(it.data));
	}
	values = calloc(dpu_nv_n_defs, sizeof(*values));
	if (values == NULL) {
		snprintf(why, whylen, "MNVDA: out of memory");
		return -ENOMEM;
	}
	/* Every value first: a field that cannot carry one refuses the whole. */
	for (size_t i = 0; i < dpu_nv_n_defs; i++) {
		const struct dpu_nv_def *d = &dpu_nv_defs[i];
		const struct sim_nv_entry *e = find(st, d->name);
		uint32_t v;

		values[i][0] = '\0';
		if (!in_item(d, &it)) {
			continue;
		}
		if (e == NULL && write && dpu_nv_field(d, it.data) != 0) {
			snprintf(why, whylen, "MNVDA: %s is not a parameter of this device",
				 d->name);
			free(values);
			return -EINVAL;
		}
		if (e == NULL) {
			continue; /* reads 0 */
		}
		if (write) {
			if (d->valid_bit < 0 ||
			    dpu_be32_field(it.data, 0, (unsigned int)d->valid_bit, 1)) {
				dpu_nv_format(d, dpu_nv_field(d, it.data), values[i],
					      sizeof(values[i]));
			}
			continue;
		}
		rc = dpu_nv_parse(d, it.access_mode == DPU_NV_CURRENT ? e->current : e->next, &v);
		if (rc < 0) {
			snprintf(why, whylen, "MNVDA: %s is '%s', which its field cannot carry",
				 d->name, it.access_mode == DPU_NV_CURRENT ? e->current : e->next);
			free(values);
			return rc;
		}
		dpu_nv_set_field(d, it.data, v);
	}
	if (write) {
		rc = store_values(st, values);
		if (rc < 0) {
			snprintf(why, whylen, "MNVDA: cannot store the item's values: %s",
				 strerror(-rc));
			free(values);
			return rc;
		}
	}
	free(values);
	it.length = item_len;
	it.writer_id = DPU_NV_WRITER_COMMAND_INTERFACE;
	dpu_nv_item_pack(&it, reg);
	return 0;
}

const char *sim_nvstore_mode(const struct sim_nvstore *st)
{
	const struct sim_nv_entry *model = sim_nvstore_get(st, "INTERNAL_CPU_MODEL");
	const struct sim_nv_entry *engine = sim_nvstore_get(st, "INTERNAL_CPU_OFFLOAD_ENGINE");
	uint32_t m, e = 0;

	if (model == NULL ||
	    dpu_nv_parse(dpu_nv_def_find("INTERNAL_CPU_MODEL"), model->current, &m) < 0 ||
	    (engine != NULL && dpu_nv_parse(dpu_nv_def_find("INTERNAL_CPU_OFFLOAD_ENGINE"),
					    engine->current, &e) < 0)) {
		return NULL;
	}
	return m != 1 ? "separated-host" : e ? "nic" : "dpu";
}
