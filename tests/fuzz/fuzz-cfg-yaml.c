/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: the YAML loader and a walk over every node it returns. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "common/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(struct dpu_cfg_walk *w, const struct dpu_yaml_doc *doc,
		 const struct dpu_yaml_node *n, int depth)
{
	static const char *const known[] = {"name", "ports", "inventory", NULL};

	if (depth > 64 || dpu_yaml_line(n) < 1) {
		if (depth <= 64) {
			abort(); /* every node has a 1-based line */
		}
		return;
	}
	switch (dpu_yaml_kind(n)) {
	case DPU_YAML_MAPPING:
		(void)dpu_yaml_known_keys(w, doc, n, known);
		for (size_t i = 0; i < dpu_yaml_map_len(doc, n); i++) {
			const struct dpu_yaml_node *k, *v;

			dpu_yaml_map_pair(doc, n, i, &k, &v);
			size_t m =
				dpu_cfg_walk_key(w, dpu_yaml_scalar(k) ? dpu_yaml_scalar(k) : "?");

			walk(w, doc, v, depth + 1);
			dpu_cfg_walk_pop(w, m);
		}
		break;
	case DPU_YAML_SEQUENCE:
		for (size_t i = 0; i < dpu_yaml_seq_len(doc, n); i++) {
			size_t m = dpu_cfg_walk_index(w, i);

			walk(w, doc, dpu_yaml_seq_get(doc, n, i), depth + 1);
			dpu_cfg_walk_pop(w, m);
		}
		break;
	case DPU_YAML_SCALAR:
		(void)dpu_yaml_expect(w, n, DPU_YAML_MAPPING);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dpu_yaml_doc *doc = NULL;
	struct dpu_cfg_err err;
	struct dpu_cfg_walk w;
	char buf[700];

	if (dpu_yaml_load_string((const char *)data, size, "fuzz.yaml", &doc, &err) < 0) {
		dpu_cfg_err_str(&err, buf, sizeof(buf));
		return 0;
	}
	dpu_cfg_walk_init(&w, "fuzz.yaml", &err);
	walk(&w, doc, dpu_yaml_root(doc), 0);
	dpu_yaml_free(doc);
	return 0;
}
