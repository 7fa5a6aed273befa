/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON loading on json-c, with line:column for syntax errors and JSON paths
 * ("$.export-units[0].filter") for errors in the content.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "common/cfg.h"

/* A configuration file larger than this is a mistake, not a config. */
#define DPU_JSON_MAX_FILE (16u * 1024 * 1024)

static void offset_to_line_col(const char *text, size_t off, int *line, int *col)
{
	int l = 1, c = 1;

	for (size_t i = 0; i < off && text[i] != '\0'; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* 'text' holds 'len' bytes followed by a NUL. */
static int json_parse_buf(const char *text, size_t len, const char *name, struct json_object **out,
			  struct dpu_cfg_err *err)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t end;
	int line, col;

	dpu_cfg_err_clear(err);
	tok = json_tokener_new();
	if (tok == NULL) {
		return -ENOMEM;
	}
	/* Strict, but trailing text is ours to report, with a clearer message. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	/* Include the terminating NUL so a top-level number or literal ends. */
	obj = json_tokener_parse_ex(tok, text, (int)len + 1);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	if (obj == NULL || jerr != json_tokener_success) {
		json_object_put(obj);
		if (end > len) {
			end = len;
		}
		offset_to_line_col(text, end, &line, &col);
		bool blank = true;

		for (size_t i = 0; i < len; i++) {
			if (!isspace((unsigned char)text[i])) {
				blank = false;
				break;
			}
		}
		dpu_cfg_err_set(err, name, line, NULL, "JSON syntax: %s",
				blank ? "empty document"
				: jerr == json_tokener_continue || end >= len
					? "unexpected end of document"
					: json_tokener_error_desc(jerr));
		if (err != NULL) {
			err->column = col;
		}
		return -EINVAL;
	}
	/* The tokener stops after one value; anything but blanks after it is an error. */
	for (size_t i = end; i < len; i++) {
		if (!isspace((unsigned char)text[i])) {
			json_object_put(obj);
			offset_to_line_col(text, i, &line, &col);
			dpu_cfg_err_set(err, name, line, NULL,
					"JSON syntax: unexpected text after the document");
			if (err != NULL) {
				err->column = col;
			}
			return -EINVAL;
		}
	}
	*out = obj;
	return 0;
}

int dpu_json_load_string(const char *text, size_t len, const char *name, struct json_object **out,
			 struct dpu_cfg_err *err)
{
	char *copy;
	int rc;

	if (len > DPU_JSON_MAX_FILE) {
		return dpu_cfg_err_set(err, name, 0, NULL, "larger than %u bytes",
				       DPU_JSON_MAX_FILE);
	}
	copy = malloc(len + 1);
	if (copy == NULL) {
		return -ENOMEM;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	rc = json_parse_buf(copy, len, name ? name : "", out, err);
	free(copy);
	return rc;
}

int dpu_json_load(const char *path, struct json_object **out, struct dpu_cfg_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	dpu_cfg_err_clear(err);
	rc = dpu_cfg_read_file(path, DPU_JSON_MAX_FILE, &text, &len, err);
	if (rc < 0) {
		return rc;
	}
	rc = json_parse_buf(text, len, path, out, err);
	free(text);
	return rc;
}

int dpu_json_expect(struct dpu_cfg_walk *w, struct json_object *obj, int type)
{
	enum json_type got = json_object_get_type(obj);

	if ((int)got == type) {
		return 0;
	}
	/* An integer is acceptable where a double is wanted. */
	if (type == json_type_double && got == json_type_int) {
		return 0;
	}
	return dpu_cfg_walk_error(w, "expected %s, got %s", json_type_to_name((enum json_type)type),
				  json_type_to_name(got));
}

int dpu_json_known_keys(struct dpu_cfg_walk *w, struct json_object *obj, const char *const known[])
{
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator end = json_object_iter_end(obj);

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);
		bool found = false;

		for (size_t i = 0; known[i] != NULL; i++) {
			if (strcmp(key, known[i]) == 0) {
				found = true;
				break;
			}
		}
		if (!found) {
			return dpu_cfg_walk_error(w, "unknown key \"%s\"", key);
		}
	}
	return 0;
}
