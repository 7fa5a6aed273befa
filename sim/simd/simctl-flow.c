/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-simctl's steering commands: pipes and entries made in dpu-simd, with
 * matches and actions given as its control socket's JSON (sim/simd/flow.h).
 *
 *   pipe create NAME --kind exact|acl|lpm [--match FIELD,...] [--max N]
 *               [--root] [--miss ACTIONS] [--domain PORT]
 *   pipe destroy NAME [--domain PORT]     (through the HAL: any backend)
 *   entry add PIPE MATCH ACTIONS [--priority N] [--domain PORT]
 *   entry update PIPE ID ACTIONS [--domain PORT]
 *   entry del PIPE ID... [--domain PORT]   (more than one: in one go)
 *   entry load PIPE FILE [--domain PORT]
 *       FILE: one entry a line, {"priority"?, "match", "actions"}; blank
 *       lines and lines starting with '#' are skipped. Sent in batches
 *       (entries-add), an ACL pipe compiled once at the end.
 */
#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/cfg.h"
#include "common/util.h"
#include "dpu/hal-flow.h"
#include "dpu/hal-sim.h"
#include "sim/simd/simctl.h"

/* A batch's request stays under dpu-simd's 64 KiB request line. */
#define LOAD_BATCH (60 * 1024)

struct flow_args {
	char **pos; /* positional arguments: moved to the front of argv, as getopt permutes it */
	int n_pos;
	const char *domain, *kind, *match, *max, *miss, *priority;
	bool root;
};

static int flow_args(int argc, char **argv, struct flow_args *a)
{
	static const struct {
		const char *name;
		size_t off;
	} opts[] = {
		{"--domain", offsetof(struct flow_args, domain)},
		{"--kind", offsetof(struct flow_args, kind)},
		{"--match", offsetof(struct flow_args, match)},
		{"--max", offsetof(struct flow_args, max)},
		{"--miss", offsetof(struct flow_args, miss)},
		{"--priority", offsetof(struct flow_args, priority)},
	};

	memset(a, 0, sizeof(*a));
	a->pos = argv;
	for (int i = 0; i < argc; i++) {
		bool known = false;

		for (size_t k = 0; k < ARRAY_SIZE(opts) && !known; k++) {
			if (strcmp(argv[i], opts[k].name) == 0 && i + 1 < argc) {
				*(const char **)(void *)((char *)a + opts[k].off) = argv[++i];
				known = true;
			}
		}
		if (known) {
			continue;
		}
		if (strcmp(argv[i], "--root") == 0) {
			a->root = true;
		} else if (argv[i][0] != '-') {
			a->pos[a->n_pos++] =
				argv[i]; /* n_pos <= i: nothing unread is overwritten */
		} else {
			fprintf(stderr, "dpu-simctl: unknown option or missing value: %s\n",
				argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* A request with its command, and domain and pipe when given. */
static struct json_object *flow_req(const char *cmd, const char *domain, const char *pipe)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if (domain != NULL) {
		json_object_object_add(req, "domain", json_object_new_string(domain));
	}
	if (pipe != NULL) {
		json_object_object_add(req, "pipe", json_object_new_string(pipe));
	}
	return req;
}

/* Send 'req' (released here); '*reply' the reply when not NULL. */
static int flow_send(struct dpu_dev *dev, struct json_object *req, struct json_object **reply)
{
	char *text = NULL;
	int rc = dpu_sim_request(dev, json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN),
				 &text);

	json_object_put(req);
	if (rc < 0) {
		fprintf(stderr, "dpu-simctl: %s\n",
			dpu_dev_last_error(dev)[0] ? dpu_dev_last_error(dev) : strerror(-rc));
		return rc == -ENOMEM || rc == -EIO ? rc : -EINVAL;
	}
	if (reply != NULL) {
		*reply = json_tokener_parse(text);
	}
	free(text);
	return 0;
}

/* JSON text given as argument 'what'; NULL (said why) when it is not. */
static struct json_object *json_arg(const char *what, const char *text)
{
	struct json_object *o = NULL;
	struct dpu_cfg_err err;

	if (dpu_json_load_string(text, strlen(text), what, &o, &err) < 0) {
		fprintf(stderr, "dpu-simctl: %s: column %d: %s\n", what, err.column, err.msg);
		return NULL;
	}
	return o;
}

static int number_arg(const char *what, const char *text, int64_t *v)
{
	char *end;
	long long x = strtoll(text, &end, 10);

	if (*text == '\0' || *end != '\0' || x < 0) {
		fprintf(stderr, "dpu-simctl: %s: %s is not a number\n", what, text);
		return -EINVAL;
	}
	*v = x;
	return 0;
}

static int pipe_create(struct dpu_dev *dev, const struct flow_args *a)
{
	struct json_object *req = flow_req("pipe-create", a->domain, NULL);
	int64_t max;

	if (a->n_pos != 2 || a->kind == NULL || a->priority != NULL) {
		json_object_put(req);
		fprintf(stderr, "dpu-simctl: pipe create NAME --kind exact|acl|lpm [--match "
				"FIELD,...] [--max N] [--root] [--miss ACTIONS] [--domain PORT]\n");
		return -EINVAL;
	}
	json_object_object_add(req, "name", json_object_new_string(a->pos[1]));
	json_object_object_add(req, "kind", json_object_new_string(a->kind));
	if (a->match != NULL) {
		struct json_object *f = json_object_new_array();
		char *list = strdup(a->match), *save = NULL;

		for (char *t = list != NULL ? strtok_r(list, ",", &save) : NULL; t != NULL;
		     t = strtok_r(NULL, ",", &save)) {
			json_object_array_add(f, json_object_new_string(t));
		}
		free(list);
		json_object_object_add(req, "match", f);
	}
	if (a->max != NULL) {
		if (number_arg("--max", a->max, &max) < 0) {
			json_object_put(req);
			return -EINVAL;
		}
		json_object_object_add(req, "max_entries", json_object_new_int64(max));
	}
	json_object_object_add(req, "root", json_object_new_boolean(a->root));
	if (a->miss != NULL) {
		struct json_object *miss = json_arg("--miss", a->miss);

		if (miss == NULL) {
			json_object_put(req);
			return -EINVAL;
		}
		json_object_object_add(req, "miss", miss);
	}
	return flow_send(dev, req, NULL);
}

int simctl_pipe(struct dpu_dev *dev, int argc, char **argv)
{
	struct flow_args a;

	if (flow_args(argc, argv, &a) < 0) {
		return -EINVAL;
	}
	if (a.n_pos >= 1 && strcmp(a.pos[0], "create") == 0) {
		return pipe_create(dev, &a);
	}
	if (a.n_pos == 2 && strcmp(a.pos[0], "destroy") == 0 && a.kind == NULL && a.match == NULL &&
	    a.max == NULL && a.miss == NULL && a.priority == NULL && !a.root) {
		int rc = dpu_pipe_destroy(dev, a.domain, a.pos[1]);

		if (rc < 0) {
			fprintf(stderr, "dpu-simctl: %s\n",
				dpu_dev_last_error(dev)[0] ? dpu_dev_last_error(dev)
							   : strerror(-rc));
			return rc == -ENOMEM || rc == -EIO ? rc : -EINVAL;
		}
		return 0;
	}
	fprintf(stderr, "dpu-simctl: pipe create NAME --kind KIND ... | pipe destroy NAME "
			"[--domain PORT]\n");
	return -EINVAL;
}

static int entry_add(struct dpu_dev *dev, const struct flow_args *a)
{
	struct json_object *req, *match, *actions, *rep = NULL, *id;
	int64_t prio = 0;
	int rc;

	if (a->n_pos != 4 || a->kind != NULL || a->match != NULL || a->max != NULL ||
	    a->miss != NULL || a->root) {
		fprintf(stderr, "dpu-simctl: entry add PIPE MATCH ACTIONS [--priority N] "
				"[--domain PORT]\n");
		return -EINVAL;
	}
	if (a->priority != NULL && number_arg("--priority", a->priority, &prio) < 0) {
		return -EINVAL;
	}
	match = json_arg("MATCH", a->pos[2]);
	actions = match != NULL ? json_arg("ACTIONS", a->pos[3]) : NULL;
	if (actions == NULL) {
		json_object_put(match);
		return -EINVAL;
	}
	req = flow_req("entry-add", a->domain, a->pos[1]);
	json_object_object_add(req, "priority", json_object_new_int64(prio));
	json_object_object_add(req, "match", match);
	json_object_object_add(req, "actions", actions);
	rc = flow_send(dev, req, &rep);
	if (rc == 0 && json_object_object_get_ex(rep, "entry", &id)) {
		if (simctl_json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "entry", json_object_get(id));
			simctl_print_json(o);
		} else {
			printf("entry %s\n", json_object_get_string(id));
		}
	}
	json_object_put(rep);
	return rc;
}

static int entry_update(struct dpu_dev *dev, const struct flow_args *a)
{
	struct json_object *req, *actions;
	int64_t id;

	if (a->n_pos != 4 || a->kind != NULL || a->match != NULL || a->max != NULL ||
	    a->miss != NULL || a->priority != NULL || a->root) {
		fprintf(stderr, "dpu-simctl: entry update PIPE ID ACTIONS [--domain PORT]\n");
		return -EINVAL;
	}
	if (number_arg("ID", a->pos[2], &id) < 0 ||
	    (actions = json_arg("ACTIONS", a->pos[3])) == NULL) {
		return -EINVAL;
	}
	req = flow_req("entry-update", a->domain, a->pos[1]);
	json_object_object_add(req, "entry", json_object_new_int64(id));
	json_object_object_add(req, "actions", actions);
	return flow_send(dev, req, NULL);
}

static int entry_del(struct dpu_dev *dev, const struct flow_args *a)
{
	struct json_object *req;
	int64_t id;

	if (a->n_pos < 3 || a->kind != NULL || a->match != NULL || a->max != NULL ||
	    a->miss != NULL || a->priority != NULL || a->root) {
		fprintf(stderr, "dpu-simctl: entry del PIPE ID... [--domain PORT]\n");
		return -EINVAL;
	}
	if (a->n_pos > 3) { /* through the HAL, in one go */
		int n = a->n_pos - 2, removed = -EINVAL;
		uint32_t *ids = malloc((size_t)n * sizeof(*ids));
		int *rcs = malloc((size_t)n * sizeof(*rcs));

		if (ids == NULL || rcs == NULL) {
			free(ids);
			free(rcs);
			return -ENOMEM;
		}
		for (int i = 0; i < n; i++) {
			if (number_arg("ID", a->pos[2 + i], &id) < 0 || id > UINT32_MAX) {
				n = -1;
				break;
			}
			ids[i] = (uint32_t)id;
		}
		if (n > 0) {
			removed = dpu_pipe_entries_del(dev, a->domain, a->pos[1], ids, (size_t)n,
						       rcs);
		}
		free(ids);
		free(rcs);
		if (n > 0 && removed < n) {
			fprintf(stderr, "dpu-simctl: %s\n",
				dpu_dev_last_error(dev)[0] ? dpu_dev_last_error(dev)
							   : strerror(-removed));
			return removed == -EIO || removed == -ENOMEM ? removed : -EINVAL;
		}
		return n > 0 ? 0 : -EINVAL;
	}
	if (number_arg("ID", a->pos[2], &id) < 0) {
		return -EINVAL;
	}
	req = flow_req("entry-del", a->domain, a->pos[1]);
	json_object_object_add(req, "entry", json_object_new_int64(id));
	return flow_send(dev, req, NULL);
}

/* The lines of a load file that hold entries. */
struct load_line {
	int line;
	struct json_object *spec;
};

/* FILE's entries into 'lines' ('*n' of them); -EINVAL after naming each bad line. */
static int load_read(const char *file, struct load_line **lines, size_t *n)
{
	FILE *f = fopen(file, "r");
	char *buf = NULL;
	size_t cap = 0, max = 0;
	ssize_t len;
	int lineno = 0, bad = 0;

	*lines = NULL;
	*n = 0;
	if (f == NULL) {
		fprintf(stderr, "dpu-simctl: %s: %s\n", file, strerror(errno));
		return -EINVAL;
	}
	while ((len = getline(&buf, &cap, f)) >= 0) {
		struct json_object *o = NULL;
		struct dpu_cfg_err err;
		const char *p = buf;

		lineno++;
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (*p == '\n' || *p == '\0' || *p == '#') {
			continue;
		}
		if (len > 0 && buf[len - 1] == '\n') {
			buf[--len] = '\0';
		}
		if (dpu_json_load_string(buf, (size_t)len, file, &o, &err) < 0) {
			fprintf(stderr, "%s:%d:%d: %s\n", file, lineno, err.column, err.msg);
			bad++;
			continue;
		}
		if (!json_object_is_type(o, json_type_object)) {
			fprintf(stderr, "%s:%d: expected {\"priority\"?, \"match\", \"actions\"}\n",
				file, lineno);
			json_object_put(o);
			bad++;
			continue;
		}
		if (*n == max) {
			struct load_line *nl;

			max = max != 0 ? max * 2 : 1024;
			nl = realloc(*lines, max * sizeof(**lines));
			if (nl == NULL) {
				json_object_put(o);
				bad++;
				break;
			}
			*lines = nl;
		}
		(*lines)[(*n)++] = (struct load_line){lineno, o};
	}
	free(buf);
	if (ferror(f)) {
		fprintf(stderr, "dpu-simctl: %s: %s\n", file, strerror(errno));
		bad++;
	}
	fclose(f);
	return bad > 0 ? -EINVAL : 0;
}

static void load_free(struct load_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_object_put(lines[i].spec);
	}
	free(lines);
}

/*
 * One entries-add request for lines[from .. *to) (as many as fit), commit
 * left for the end; each refusal said with its file and line. Returns how
 * many were added, or -errno when the request itself was refused.
 */
static int load_batch(struct dpu_dev *dev, const struct flow_args *a, const char *file,
		      struct load_line *lines, size_t n, size_t from, size_t *to,
		      struct json_object *out)
{
	struct json_object *req = flow_req("entries-add", a->domain, a->pos[1]), *list, *rep = NULL;
	struct json_object *res;
	size_t bytes = 256, i;
	int added = 0, rc;

	json_object_object_add(req, "commit", json_object_new_boolean(false));
	list = json_object_new_array();
	json_object_object_add(req, "entries", list);
	for (i = from; i < n; i++) {
		size_t len = strlen(
			json_object_to_json_string_ext(lines[i].spec, JSON_C_TO_STRING_PLAIN));

		if (i > from && bytes + len + 1 > LOAD_BATCH) {
			break;
		}
		json_object_array_add(list, json_object_get(lines[i].spec));
		bytes += len + 1;
	}
	*to = i;
	rc = flow_send(dev, req, &rep);
	if (rc < 0) {
		return rc;
	}
	if (!json_object_object_get_ex(rep, "results", &res)) {
		json_object_put(rep);
		return -EIO;
	}
	for (i = from; i < *to; i++) {
		struct json_object *r = json_object_array_get_idx(res, i - from), *v;
		struct json_object *o = json_object_new_object();
		const char *msg = "no answer";

		json_object_object_add(o, "line", json_object_new_int(lines[i].line));
		if (json_object_is_type(r, json_type_int)) {
			json_object_object_add(o, "entry", json_object_get(r));
			added++;
		} else {
			if (json_object_object_get_ex(r, "error", &v)) {
				msg = json_object_get_string(v);
				/* the request's index means nothing here: the line says it */
				if (strncmp(msg, "entries[", 8) == 0 &&
				    strstr(msg, "]: ") != NULL) {
					msg = strstr(msg, "]: ") + 3;
				}
			}
			fprintf(stderr, "%s:%d: %s\n", file, lines[i].line, msg);
			json_object_object_add(o, "error", json_object_new_string(msg));
		}
		json_object_array_add(out, o);
	}
	json_object_put(rep);
	return added;
}

static int entry_load(struct dpu_dev *dev, const struct flow_args *a)
{
	struct json_object *out, *commit;
	struct load_line *lines;
	size_t n, at = 0;
	int added = 0, rc;

	if (a->n_pos != 3 || a->kind != NULL || a->match != NULL || a->max != NULL ||
	    a->miss != NULL || a->priority != NULL || a->root) {
		fprintf(stderr, "dpu-simctl: entry load PIPE FILE [--domain PORT]\n");
		return -EINVAL;
	}
	rc = load_read(a->pos[2], &lines, &n);
	if (rc < 0) {
		fprintf(stderr, "dpu-simctl: %s: nothing loaded\n", a->pos[2]);
		load_free(lines, n);
		return rc;
	}
	out = json_object_new_array();
	while (at < n) {
		size_t to;

		rc = load_batch(dev, a, a->pos[2], lines, n, at, &to, out);
		if (rc < 0) {
			break;
		}
		added += rc;
		at = to;
	}
	load_free(lines, n);
	/* An ACL pipe's rules in force, compiled once (nothing to do for others). */
	commit = flow_req("pipe-commit", a->domain, a->pos[1]);
	if (rc >= 0 && added > 0) {
		rc = flow_send(dev, commit, NULL);
	} else {
		json_object_put(commit);
	}
	if (simctl_json) {
		simctl_print_json(out);
	} else {
		json_object_put(out);
		printf("%d of %zu entries added from %s\n", added, n, a->pos[2]);
	}
	if (rc < 0) {
		return rc;
	}
	return (size_t)added == n ? 0 : -EINVAL;
}

int simctl_entry(struct dpu_dev *dev, int argc, char **argv)
{
	struct flow_args a;

	if (flow_args(argc, argv, &a) < 0) {
		return -EINVAL;
	}
	if (a.n_pos >= 1 && strcmp(a.pos[0], "add") == 0) {
		return entry_add(dev, &a);
	}
	if (a.n_pos >= 1 && strcmp(a.pos[0], "update") == 0) {
		return entry_update(dev, &a);
	}
	if (a.n_pos >= 1 && strcmp(a.pos[0], "del") == 0) {
		return entry_del(dev, &a);
	}
	if (a.n_pos >= 1 && strcmp(a.pos[0], "load") == 0) {
		return entry_load(dev, &a);
	}
	fprintf(stderr, "dpu-simctl: entry add|update|del|load PIPE ...\n");
	return -EINVAL;
}
