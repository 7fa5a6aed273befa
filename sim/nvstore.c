/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

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
