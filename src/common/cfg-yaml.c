/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * YAML loading on libyaml's document API: the whole document as a node tree,
 * each node with its start mark, so content errors can name the line.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common/cfg.h"

/* A description or config larger than this is a mistake. */
#define DPU_YAML_MAX_FILE (16u * 1024 * 1024)
/*
 * libyaml composes documents recursively and aliases make the tree a graph,
 * so a small hostile file could exhaust the stack or expand exponentially
 * ("billion laughs"). Configs need neither: bound nesting, aliases and the
 * size of the document once aliases are expanded.
 */
#define DPU_YAML_MAX_DEPTH 64
#define DPU_YAML_MAX_ALIASES 64
#define DPU_YAML_MAX_EXPANDED 100000

struct dpu_yaml_doc {
	yaml_document_t doc;
};

/* Our node handle is libyaml's node; the cast keeps libyaml out of cfg.h. */
static const yaml_node_t *N(const struct dpu_yaml_node *n)
{
	return (const yaml_node_t *)(const void *)n;
}

static const struct dpu_yaml_node *H(const yaml_node_t *n)
{
	return (const struct dpu_yaml_node *)(const void *)n;
}

static int parser_error(const yaml_parser_t *parser, const char *name, struct dpu_cfg_err *err)
{
	const yaml_mark_t *m = parser->problem ? &parser->problem_mark : &parser->context_mark;

	dpu_cfg_err_set(err, name, (int)m->line + 1, NULL, "YAML syntax: %s%s%s",
			parser->problem ? parser->problem : "invalid document",
			parser->context ? " " : "", parser->context ? parser->context : "");
	if (err != NULL) {
		err->column = (int)m->column + 1;
	}
	return -EINVAL;
}

/* Pass 1, on the event stream (not recursive): nesting, aliases, documents. */
static int yaml_prescan(const char *text, size_t len, const char *name, struct dpu_cfg_err *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, aliases = 0, docs = 0, rc = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser)) {
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parser_error(&parser, name, err);
			break;
		}
		int line = (int)ev.start_mark.line + 1;

		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > DPU_YAML_MAX_DEPTH) {
				rc = dpu_cfg_err_set(err, name, line, NULL,
						     "YAML: nested deeper than %d levels",
						     DPU_YAML_MAX_DEPTH);
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_ALIAS_EVENT:
			if (++aliases > DPU_YAML_MAX_ALIASES) {
				rc = dpu_cfg_err_set(err, name, line, NULL,
						     "YAML: more than %d aliases",
						     DPU_YAML_MAX_ALIASES);
			}
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				/* A second document in one file is ambiguous for a config. */
				rc = dpu_cfg_err_set(err, name, line, NULL,
						     "YAML: more than one document");
			}
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc == 0 && docs == 0) {
		rc = dpu_cfg_err_set(err, name, 1, NULL, "YAML: empty document");
	}
	return rc;
}

/*
 * Pass 3: the size of the tree with aliases expanded, memoised per node, and
 * no node reachable from itself (an alias inside its own anchor).
 */
static int expanded_size(const yaml_document_t *doc, int index, uint64_t *memo, uint8_t *state,
			 uint64_t *size)
{
	const yaml_node_t *n = yaml_document_get_node((yaml_document_t *)doc, index);
	uint64_t total = 1, sub;
	int rc;

	if (n == NULL) {
		return -EINVAL;
	}
	if (state[index] == 2) {
		*size = memo[index];
		return 0;
	}
	if (state[index] == 1) {
		return -ELOOP;
	}
	state[index] = 1;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			rc = expanded_size(doc, *it, memo, state, &sub);
			if (rc < 0) {
				return rc;
			}
			total += sub;
			if (total > DPU_YAML_MAX_EXPANDED) {
				return -E2BIG;
			}
		}
	} else if (n->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			uint64_t k;

			rc = expanded_size(doc, p->key, memo, state, &k);
			if (rc == 0) {
				rc = expanded_size(doc, p->value, memo, state, &sub);
			}
			if (rc < 0) {
				return rc;
			}
			total += k + sub;
			if (total > DPU_YAML_MAX_EXPANDED) {
				return -E2BIG;
			}
		}
	}
	state[index] = 2;
	memo[index] = total;
	*size = total;
	return 0;
}

static int yaml_check_expansion(yaml_document_t *doc, const char *name, struct dpu_cfg_err *err)
{
	size_t nodes = (size_t)(doc->nodes.top - doc->nodes.start);
	uint64_t *memo = calloc(nodes + 1, sizeof(*memo));
	uint8_t *state = calloc(nodes + 1, 1);
	uint64_t size;
	int rc;

	if (memo == NULL || state == NULL) {
		free(memo);
		free(state);
		return -ENOMEM;
	}
	/* Node indices are 1-based; the root is node 1. */
	rc = expanded_size(doc, 1, memo, state, &size);
	free(memo);
	free(state);
	if (rc == -ELOOP) {
		return dpu_cfg_err_set(err, name, 0, NULL,
				       "YAML: an alias refers to its own anchor");
	}
	if (rc == -E2BIG) {
		return dpu_cfg_err_set(err, name, 0, NULL,
				       "YAML: aliases expand to more than %d nodes",
				       DPU_YAML_MAX_EXPANDED);
	}
	return rc;
}

int dpu_yaml_load_string(const char *text, size_t len, const char *name, struct dpu_yaml_doc **out,
			 struct dpu_cfg_err *err)
{
	yaml_parser_t parser;
	struct dpu_yaml_doc *d;
	int rc;

	name = name ? name : "";
	dpu_cfg_err_clear(err);
	if (len > DPU_YAML_MAX_FILE) {
		return dpu_cfg_err_set(err, name, 0, NULL, "larger than %u bytes",
				       DPU_YAML_MAX_FILE);
	}
	rc = yaml_prescan(text, len, name, err);
	if (rc < 0) {
		return rc;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL || !yaml_parser_initialize(&parser)) {
		free(d);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &d->doc)) {
		rc = parser_error(&parser, name, err);
		yaml_parser_delete(&parser);
		free(d);
		return rc;
	}
	yaml_parser_delete(&parser);
	if (yaml_document_get_root_node(&d->doc) == NULL) {
		rc = dpu_cfg_err_set(err, name, 1, NULL, "YAML: empty document");
	} else {
		rc = yaml_check_expansion(&d->doc, name, err);
	}
	if (rc < 0) {
		yaml_document_delete(&d->doc);
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

int dpu_yaml_load(const char *path, struct dpu_yaml_doc **out, struct dpu_cfg_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	dpu_cfg_err_clear(err);
	rc = dpu_cfg_read_file(path, DPU_YAML_MAX_FILE, &text, &len, err);
	if (rc < 0) {
		return rc;
	}
	rc = dpu_yaml_load_string(text, len, path, out, err);
	free(text);
	return rc;
}

void dpu_yaml_free(struct dpu_yaml_doc *doc)
{
	if (doc == NULL) {
		return;
	}
	yaml_document_delete(&doc->doc);
	free(doc);
}

const struct dpu_yaml_node *dpu_yaml_root(const struct dpu_yaml_doc *doc)
{
	return H(yaml_document_get_root_node((yaml_document_t *)&doc->doc));
}

enum dpu_yaml_kind dpu_yaml_kind(const struct dpu_yaml_node *node)
{
	switch (N(node)->type) {
	case YAML_SEQUENCE_NODE:
		return DPU_YAML_SEQUENCE;
	case YAML_MAPPING_NODE:
		return DPU_YAML_MAPPING;
	case YAML_SCALAR_NODE:
	case YAML_NO_NODE:
	default:
		return DPU_YAML_SCALAR;
	}
}

int dpu_yaml_line(const struct dpu_yaml_node *node)
{
	return (int)N(node)->start_mark.line + 1;
}

const char *dpu_yaml_scalar(const struct dpu_yaml_node *node)
{
	if (N(node)->type != YAML_SCALAR_NODE) {
		return NULL;
	}
	return (const char *)N(node)->data.scalar.value;
}

static const yaml_node_t *node_at(const struct dpu_yaml_doc *doc, int index)
{
	return yaml_document_get_node((yaml_document_t *)&doc->doc, index);
}

size_t dpu_yaml_seq_len(const struct dpu_yaml_doc *doc, const struct dpu_yaml_node *node)
{
	const yaml_node_t *n = N(node);

	(void)doc;
	if (n->type != YAML_SEQUENCE_NODE) {
		return 0;
	}
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

const struct dpu_yaml_node *dpu_yaml_seq_get(const struct dpu_yaml_doc *doc,
					     const struct dpu_yaml_node *node, size_t i)
{
	if (i >= dpu_yaml_seq_len(doc, node)) {
		return NULL;
	}
	return H(node_at(doc, N(node)->data.sequence.items.start[i]));
}

size_t dpu_yaml_map_len(const struct dpu_yaml_doc *doc, const struct dpu_yaml_node *node)
{
	const yaml_node_t *n = N(node);

	(void)doc;
	if (n->type != YAML_MAPPING_NODE) {
		return 0;
	}
	return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

int dpu_yaml_map_pair(const struct dpu_yaml_doc *doc, const struct dpu_yaml_node *node, size_t i,
		      const struct dpu_yaml_node **key, const struct dpu_yaml_node **value)
{
	const yaml_node_pair_t *p;

	if (i >= dpu_yaml_map_len(doc, node)) {
		return -ENOENT;
	}
	p = &N(node)->data.mapping.pairs.start[i];
	*key = H(node_at(doc, p->key));
	*value = H(node_at(doc, p->value));
	return 0;
}

const struct dpu_yaml_node *dpu_yaml_map_get(const struct dpu_yaml_doc *doc,
					     const struct dpu_yaml_node *node, const char *key)
{
	size_t n = dpu_yaml_map_len(doc, node);

	for (size_t i = 0; i < n; i++) {
		const struct dpu_yaml_node *k, *v;
		const char *text;

		dpu_yaml_map_pair(doc, node, i, &k, &v);
		text = dpu_yaml_scalar(k);
		if (text != NULL && strcmp(text, key) == 0) {
			return v;
		}
	}
	return NULL;
}

static const char *kind_name(enum dpu_yaml_kind k)
{
	switch (k) {
	case DPU_YAML_SCALAR:
		return "a scalar";
	case DPU_YAML_SEQUENCE:
		return "a sequence";
	case DPU_YAML_MAPPING:
		return "a mapping";
	}
	return "?";
}

int dpu_yaml_expect(struct dpu_cfg_walk *w, const struct dpu_yaml_node *node,
		    enum dpu_yaml_kind kind)
{
	enum dpu_yaml_kind got = dpu_yaml_kind(node);

	if (got == kind) {
		return 0;
	}
	return dpu_cfg_walk_error_at(w, dpu_yaml_line(node), "expected %s, got %s", kind_name(kind),
				     kind_name(got));
}

int dpu_yaml_known_keys(struct dpu_cfg_walk *w, const struct dpu_yaml_doc *doc,
			const struct dpu_yaml_node *map, const char *const known[])
{
	size_t n = dpu_yaml_map_len(doc, map);

	for (size_t i = 0; i < n; i++) {
		const struct dpu_yaml_node *k, *v;
		const char *text;
		bool found = false;

		dpu_yaml_map_pair(doc, map, i, &k, &v);
		text = dpu_yaml_scalar(k);
		if (text == NULL) {
			return dpu_cfg_walk_error_at(w, dpu_yaml_line(k), "a key must be a scalar");
		}
		for (size_t j = 0; known[j] != NULL; j++) {
			if (strcmp(text, known[j]) == 0) {
				found = true;
				break;
			}
		}
		if (!found) {
			return dpu_cfg_walk_error_at(w, dpu_yaml_line(k), "unknown key \"%s\"",
						     text);
		}
	}
	return 0;
}
