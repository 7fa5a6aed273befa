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
 * Walking a parsed document with a JSON path for errors:
 *
 *   struct dpu_json_walk w;
 *   dpu_json_walk_init(&w, "policy.json", err);
 *   size_t mark = dpu_json_walk_key(&w, "export-units");
 *   ... on a problem: return dpu_json_walk_error(&w, "expected an array");
 *   dpu_json_walk_pop(&w, mark);
 */
struct dpu_json_walk {
	const char *file;
	struct dpu_cfg_err *err;
	size_t len;
	char path[256];
};

void dpu_json_walk_init(struct dpu_json_walk *w, const char *file, struct dpu_cfg_err *err);
/* Descend; return the mark to pop back to. */
size_t dpu_json_walk_key(struct dpu_json_walk *w, const char *key);
size_t dpu_json_walk_index(struct dpu_json_walk *w, size_t index);
void dpu_json_walk_pop(struct dpu_json_walk *w, size_t mark);
/* Fill the error at the current path; returns -EINVAL. */
int dpu_json_walk_error(struct dpu_json_walk *w, const char *fmt, ...) DPU_PRINTF(2, 3);
/* -EINVAL with "expected <type>, got <type>" unless 'obj' has type 'type'. */
int dpu_json_walk_expect(struct dpu_json_walk *w, struct json_object *obj, int type);
/*
 * -EINVAL naming the first key of object 'obj' that is not in the
 * NULL-terminated list 'known' (a typo in a config must not pass silently).
 */
int dpu_json_walk_known_keys(struct dpu_json_walk *w, struct json_object *obj,
			     const char *const known[]);

#endif /* DPU_COMMON_CFG_H */
