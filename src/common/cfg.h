/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration helpers: INI files (through inih), JSON files (through
 * json-c), and value parsers, all reporting errors that name the place.
 *
 * Every loader fills a struct dpu_cfg_err on failure; dpu_cfg_err_str()
 * renders it as
 *
 *   dts_config.ini:12: update: '10x' is not a number
 *   policy.json:3:17: JSON syntax: unexpected character
 *   policy.json: $.export-units[0].filter.ports[2]: expected [src, dst]
 *
 * Loaders never leave a half-applied configuration: the caller parses into a
 * fresh object and swaps it in only when the whole file was accepted, so on
 * reload a bad file leaves the running configuration untouched.
 */
#ifndef DPU_COMMON_CFG_H
#define DPU_COMMON_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/util.h"

struct json_object;

struct dpu_cfg_err {
	char file[256]; /* file name, or "" for in-memory text */
	int line;	/* 1-based; 0 when not known */
	int column;	/* 1-based; 0 when not known */
	char path[256]; /* key or JSON path ("$.a[0].b"); "" when none */
	char msg[256];	/* the reason */
};

void dpu_cfg_err_clear(struct dpu_cfg_err *err);
/* Set 'err' (which may be NULL) and return -EINVAL. */
int dpu_cfg_err_set(struct dpu_cfg_err *err, const char *file, int line, const char *path,
		    const char *fmt, ...) DPU_PRINTF(5, 6);
/* "file:line:col: path: msg" with absent parts left out; returns 'buf'. */
const char *dpu_cfg_err_str(const struct dpu_cfg_err *err, char *buf, size_t size);

/*
 * Read a whole regular file of at most 'max' bytes into a NUL-terminated
 * buffer '*text' (the caller frees it). Errors as the loaders'.
 */
int dpu_cfg_read_file(const char *path, size_t max, char **text, size_t *len,
		      struct dpu_cfg_err *err);

/* ---------------------------------------------------------------- values */

/*
 * Value parsers. Each returns 0 or -EINVAL (not that kind of value) or
 * -ERANGE (outside [min, max]) and, if 'why' is not NULL, points it at a
 * static reason.
 */
int dpu_cfg_parse_bool(const char *text, bool *out, const char **why);
int dpu_cfg_parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out,
		      const char **why);
int dpu_cfg_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out, const char **why);
/* "host:port" / "[v6]:port" / "http://host:port[/path]" -> host and port. */
int dpu_cfg_parse_hostport(const char *text, char *host, size_t host_size, uint16_t *port,
			   const char **why);

/* ---------------------------------------------------------------- INI */

/*
 * Called once per "key = value" line, in file order (repeated keys are
 * repeated calls). 'section' is "" before the first [section]. 'line' is the
 * line number. Return 0 to go on, or a negative errno after filling 'err'
 * (dpu_cfg_err_set) to stop; the loader adds the file name.
 */
typedef int dpu_ini_handler(void *arg, const char *section, const char *key, const char *value,
			    int line, struct dpu_cfg_err *err);

/*
 * Parse the INI file 'path'. Comments start with '#' or ';'. Returns 0,
 * -ENOENT/-EACCES/... when the file cannot be opened, -EINVAL for a syntax
 * error or a handler's refusal (with 'err' filled), or the handler's errno.
 */
int dpu_ini_load(const char *path, dpu_ini_handler *handler, void *arg, struct dpu_cfg_err *err);
/* The same over text in memory; 'name' stands for the file name in errors. */
int dpu_ini_load_string(const char *text, const char *name, dpu_ini_handler *handler, void *arg,
			struct dpu_cfg_err *err);

/* ---------------------------------------------------------------- walking */

/*
 * Walking a parsed document (JSON or YAML) with a path for errors:
 *
 *   struct dpu_cfg_walk w;
 *   dpu_cfg_walk_init(&w, "policy.json", err);
 *   size_t mark = dpu_cfg_walk_key(&w, "export-units");
 *   ... on a problem: return dpu_cfg_walk_error(&w, "expected an array");
 *   dpu_cfg_walk_pop(&w, mark);
 *
 * Errors render as "policy.json: $.export-units[0].filter: expected ...", or
 * with a line: "bf3.yaml:12: $.ports[1].mac: ...".
 */
struct dpu_cfg_walk {
	const char *file;
	struct dpu_cfg_err *err;
	size_t len;
	char path[256];
};

void dpu_cfg_walk_init(struct dpu_cfg_walk *w, const char *file, struct dpu_cfg_err *err);
/* Descend; return the mark to pop back to. */
size_t dpu_cfg_walk_key(struct dpu_cfg_walk *w, const char *key);
size_t dpu_cfg_walk_index(struct dpu_cfg_walk *w, size_t index);
void dpu_cfg_walk_pop(struct dpu_cfg_walk *w, size_t mark);
/* Fill the error at the current path; returns -EINVAL. */
int dpu_cfg_walk_error(struct dpu_cfg_walk *w, const char *fmt, ...) DPU_PRINTF(2, 3);
/* The same with a line number (0 = unknown). */
int dpu_cfg_walk_error_at(struct dpu_cfg_walk *w, int line, const char *fmt, ...) DPU_PRINTF(3, 4);

/* ---------------------------------------------------------------- JSON */

/*
 * Parse a whole JSON document. On success '*out' is a new reference the
 * caller releases with json_object_put(). A syntax error names line and
 * column; an empty document or trailing garbage is an error too.
 */
int dpu_json_load(const char *path, struct json_object **out, struct dpu_cfg_err *err);
int dpu_json_load_string(const char *text, size_t len, const char *name, struct json_object **out,
			 struct dpu_cfg_err *err);

/*
 * Expect 'obj' to have json_type 'type' (an int is accepted for a double);
 * otherwise fill the walk's error "expected <type>, got <type>", -EINVAL.
 */
int dpu_json_expect(struct dpu_cfg_walk *w, struct json_object *obj, int type);
/*
 * -EINVAL naming the first key of object 'obj' that is not in the
 * NULL-terminated list 'known' (a typo in a config must not pass silently).
 */
int dpu_json_known_keys(struct dpu_cfg_walk *w, struct json_object *obj, const char *const known[]);

/* ---------------------------------------------------------------- YAML */

/*
 * A YAML document loaded whole (libyaml's document API), every node with the
 * line it starts on. Anchors and aliases resolve to the same node.
 */
struct dpu_yaml_doc;
struct dpu_yaml_node;

enum dpu_yaml_kind {
	DPU_YAML_SCALAR,
	DPU_YAML_SEQUENCE,
	DPU_YAML_MAPPING,
};

/* '*out' is freed with dpu_yaml_free(); errors name line and column. */
int dpu_yaml_load(const char *path, struct dpu_yaml_doc **out, struct dpu_cfg_err *err);
int dpu_yaml_load_string(const char *text, size_t len, const char *name, struct dpu_yaml_doc **out,
			 struct dpu_cfg_err *err);
void dpu_yaml_free(struct dpu_yaml_doc *doc);

/* Nodes are borrowed from 'doc' and live as long as it does. */
const struct dpu_yaml_node *dpu_yaml_root(const struct dpu_yaml_doc *doc);
enum dpu_yaml_kind dpu_yaml_kind(const struct dpu_yaml_node *node);
/* 1-based line where the node starts. */
int dpu_yaml_line(const struct dpu_yaml_node *node);
/* The text of a scalar, NULL for other kinds. */
const char *dpu_yaml_scalar(const struct dpu_yaml_node *node);
/* Items of a sequence (0 for other kinds); the i-th item or NULL. */
size_t dpu_yaml_seq_len(const struct dpu_yaml_doc *doc, const struct dpu_yaml_node *node);
const struct dpu_yaml_node *dpu_yaml_seq_get(const struct dpu_yaml_doc *doc,
					     const struct dpu_yaml_node *node, size_t i);
/* Pairs of a mapping; the value for 'key' or NULL; the i-th pair's key/value. */
size_t dpu_yaml_map_len(const struct dpu_yaml_doc *doc, const struct dpu_yaml_node *node);
const struct dpu_yaml_node *dpu_yaml_map_get(const struct dpu_yaml_doc *doc,
					     const struct dpu_yaml_node *node, const char *key);
int dpu_yaml_map_pair(const struct dpu_yaml_doc *doc, const struct dpu_yaml_node *node, size_t i,
		      const struct dpu_yaml_node **key, const struct dpu_yaml_node **value);

/* Like dpu_json_expect(), and the error carries the node's line. */
int dpu_yaml_expect(struct dpu_cfg_walk *w, const struct dpu_yaml_node *node,
		    enum dpu_yaml_kind kind);
/* Like dpu_json_known_keys(); the error names the line of the unknown key. */
int dpu_yaml_known_keys(struct dpu_cfg_walk *w, const struct dpu_yaml_doc *doc,
			const struct dpu_yaml_node *map, const char *const known[]);

#endif /* DPU_COMMON_CFG_H */
