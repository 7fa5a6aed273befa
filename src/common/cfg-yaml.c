/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * YAML loading on libyaml's document API: the whole document as a node tree,
 * each node with its start mark, so content errors can name the line.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common/cfg.h"

/* A description or config larger than this is a mistake. */
#define DPU_YAML_MAX_FILE (16u * 1024 * 1024)

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

static int yaml_parse(yaml_parser_t *parser, const char *name, struct dpu_yaml_doc **out,
		      struct dpu_cfg_err *err)
{
	struct dpu_yaml_doc *d = calloc(1, sizeof(*d));
	int rc = 0;

	if (d == NULL) {
		return -ENOMEM;
	}
	if (!yaml_parser_load(parser, &d->doc)) {
		const yaml_mark_t *m = parser->problem ? &parser->problem_mark : &parser->context_mark;

		dpu_cfg_err_set(err, name, (int)m->line + 1, NULL, "YAML syntax: %s%s%s",
				parser->problem ? parser->problem : "invalid document",
				parser->context ? " " : "", parser->context ? parser->context : "");
		if (err != NULL) {
			err->column = (int)m->column + 1;
		}
		free(d);
		return -EINVAL;
	}
	if (yaml_document_get_root_node(&d->doc) == NULL) {
		rc = dpu_cfg_err_set(err, name, 1, NULL, "YAML: empty document");
	} else {
		/* A second document in the same file is ambiguous for a config. */
		yaml_document_t extra;

		if (!yaml_parser_load(parser, &extra)) {
			const yaml_mark_t *m = &parser->problem_mark;

			rc = dpu_cfg_err_set(err, name, (int)m->line + 1, NULL, "YAML syntax: %s",
					     parser->problem ? parser->problem : "invalid");
		} else {
			const yaml_node_t *root = yaml_document_get_root_node(&extra);

			if (root != NULL) {
				rc = dpu_cfg_err_set(err, name, (int)root->start_mark.line + 1,
						     NULL, "YAML: more than one document");
			}
			yaml_document_delete(&extra);
		}
	}
	if (rc < 0) {
		yaml_document_delete(&d->doc);
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

int dpu_yaml_load_string(const char *text, size_t len, const char *name, struct dpu_yaml_doc **out,
			 struct dpu_cfg_err *err)
{
	yaml_parser_t parser;
	int rc;

	dpu_cfg_err_clear(err);
	if (len > DPU_YAML_MAX_FILE) {
		return dpu_cfg_err_set(err, name, 0, NULL, "larger than %u bytes",
				       DPU_YAML_MAX_FILE);
	}
	if (!yaml_parser_initialize(&parser)) {
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	rc = yaml_parse(&parser, name ? name : "", out, err);
	yaml_parser_delete(&parser);
	return rc;
}

int dpu_yaml_load(const char *path, struct dpu_yaml_doc **out, struct dpu_cfg_err *err)
{
	yaml_parser_t parser;
	FILE *fp;
	int rc;

	dpu_cfg_err_clear(err);
	fp = fopen(path, "re");
	if (fp == NULL) {
		rc = -errno;
		dpu_cfg_err_set(err, path, 0, NULL, "cannot open: %s", strerror(-rc));
		return rc;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(fp);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&parser, fp);
	rc = yaml_parse(&parser, path, out, err);
	yaml_parser_delete(&parser);
	fclose(fp);
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
	return dpu_cfg_walk_error_at(w, dpu_yaml_line(node), "expected %s, got %s",
				     kind_name(kind), kind_name(got));
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
