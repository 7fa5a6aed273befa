/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: the JSON loader and the path walker over whatever parses. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "common/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(struct dpu_cfg_walk *w, struct json_object *o, int depth)
{
	static const char *const known[] = {"export-units", "filter", "export", NULL};

	if (depth > 64) {
		return;
	}
	if (json_object_is_type(o, json_type_object)) {
		(void)dpu_json_known_keys(w, o, known);
		json_object_object_foreach (o, key, val) {
			size_t m = dpu_cfg_walk_key(w, key);

			walk(w, val, depth + 1);
			dpu_cfg_walk_pop(w, m);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			size_t m = dpu_cfg_walk_index(w, i);

			walk(w, json_object_array_get_idx(o, i), depth + 1);
			dpu_cfg_walk_pop(w, m);
		}
	} else {
		(void)dpu_json_expect(w, o, json_type_string);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *o = NULL;
	struct dpu_cfg_err err;
	struct dpu_cfg_walk w;
	char buf[700];

	if (dpu_json_load_string((const char *)data, size, "fuzz.json", &o, &err) < 0) {
		dpu_cfg_err_str(&err, buf, sizeof(buf));
		if (err.line < 1) {
			abort(); /* a syntax error always has a line */
		}
		return 0;
	}
	dpu_cfg_walk_init(&w, "fuzz.json", &err);
	walk(&w, o, 0);
	json_object_put(o);
	return 0;
}
