/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include "unit/testutil.h"

#include <json-c/json.h>

#include "common/cfg.h"

/* ------------------------------------------------------------ values */

static void test_parse_bool(void **state)
{
	const char *why = NULL;
	bool b;

	(void)state;
	assert_int_equal(dpu_cfg_parse_bool("true", &b, NULL), 0);
	assert_true(b);
	assert_int_equal(dpu_cfg_parse_bool("OFF", &b, NULL), 0);
	assert_false(b);
	assert_int_equal(dpu_cfg_parse_bool("1", &b, NULL), 0);
	assert_true(b);
	assert_int_equal(dpu_cfg_parse_bool("maybe", &b, &why), -EINVAL);
	assert_non_null(strstr(why, "true/false"));
}

static void test_parse_numbers(void **state)
{
	const char *why = NULL;
	uint64_t u;
	int64_t i;

	(void)state;
	assert_int_equal(dpu_cfg_parse_u64("1000", 1, 60000, &u, NULL), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(dpu_cfg_parse_u64("0x10", 0, 100, &u, NULL), 0);
	assert_int_equal(u, 16);
	assert_int_equal(dpu_cfg_parse_u64("-1", 0, UINT64_MAX, &u, &why), -EINVAL);
	assert_int_equal(dpu_cfg_parse_u64("10x", 0, 100, &u, &why), -EINVAL);
	assert_string_equal(why, "expected a non-negative integer");
	assert_int_equal(dpu_cfg_parse_u64("", 0, 100, &u, NULL), -EINVAL);
	assert_int_equal(dpu_cfg_parse_u64(" 5", 0, 100, &u, NULL), -EINVAL);
	assert_int_equal(dpu_cfg_parse_u64("101", 0, 100, &u, &why), -ERANGE);
	assert_string_equal(why, "out of range");
	assert_int_equal(dpu_cfg_parse_u64("99999999999999999999999", 0, UINT64_MAX, &u, NULL),
			 -ERANGE);
	assert_int_equal(dpu_cfg_parse_i64("-40", -100, 100, &i, NULL), 0);
	assert_int_equal(i, -40);
	assert_int_equal(dpu_cfg_parse_i64("-400", -100, 100, &i, NULL), -ERANGE);
	assert_int_equal(dpu_cfg_parse_i64("4.5", -100, 100, &i, NULL), -EINVAL);
}

static void test_parse_hostport(void **state)
{
	char host[64];
	uint16_t port;
	const char *why = NULL;

	(void)state;
	assert_int_equal(
		dpu_cfg_parse_hostport("http://0.0.0.0:9100", host, sizeof(host), &port, NULL), 0);
	assert_string_equal(host, "0.0.0.0");
	assert_int_equal(port, 9100);
	assert_int_equal(dpu_cfg_parse_hostport("http://[::1]:9189/metrics", host, sizeof(host),
						&port, NULL),
			 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 9189);
	assert_int_equal(
		dpu_cfg_parse_hostport("collector.local:2055", host, sizeof(host), &port, NULL), 0);
	assert_string_equal(host, "collector.local");
	assert_int_equal(port, 2055);
	assert_int_equal(dpu_cfg_parse_hostport("localhost", host, sizeof(host), &port, &why),
			 -EINVAL);
	assert_string_equal(why, "expected host:port");
	assert_int_equal(dpu_cfg_parse_hostport("h:0", host, sizeof(host), &port, NULL), -EINVAL);
	assert_int_equal(dpu_cfg_parse_hostport("h:65536", host, sizeof(host), &port, NULL),
			 -EINVAL);
	assert_int_equal(dpu_cfg_parse_hostport(":80", host, sizeof(host), &port, NULL), -EINVAL);
	assert_int_equal(dpu_cfg_parse_hostport("ftp://h:21", host, sizeof(host), &port, NULL),
			 -EINVAL);
	assert_int_equal(dpu_cfg_parse_hostport("[::1:80", host, sizeof(host), &port, NULL),
			 -EINVAL);
}

static void test_err_str(void **state)
{
	struct dpu_cfg_err e;
	char buf[600];

	(void)state;
	dpu_cfg_err_set(&e, "dts_config.ini", 12, "update", "'%s' is not a number", "10x");
	assert_string_equal(dpu_cfg_err_str(&e, buf, sizeof(buf)),
			    "dts_config.ini:12: update: '10x' is not a number");
	e.column = 7;
	e.path[0] = '\0';
	assert_string_equal(dpu_cfg_err_str(&e, buf, sizeof(buf)),
			    "dts_config.ini:12:7: '10x' is not a number");
	dpu_cfg_err_set(&e, "", 3, NULL, "bad");
	assert_string_equal(dpu_cfg_err_str(&e, buf, sizeof(buf)), "line 3: bad");
	/* A small buffer truncates, never overflows. */
	dpu_cfg_err_set(&e, "a-rather-long-file-name.ini", 1, NULL, "x");
	assert_int_equal(strlen(dpu_cfg_err_str(&e, buf, 8)) < 8, 1);
	assert_int_equal(dpu_cfg_err_set(NULL, "f", 1, NULL, "x"), -EINVAL);
}

/* ------------------------------------------------------------ INI */

struct ini_seen {
	int n;
	char keys[16][64];
	int lines[16];
	const char *reject_key;
};

static int ini_collect(void *arg, const char *section, const char *key, const char *value, int line,
		       struct dpu_cfg_err *err)
{
	struct ini_seen *s = arg;

	if (s->reject_key != NULL && strcmp(key, s->reject_key) == 0) {
		return dpu_cfg_err_set(err, NULL, 0, key, "'%s' is not acceptable", value);
	}
	if (s->n < 16) {
		snprintf(s->keys[s->n], sizeof(s->keys[0]), "%s/%s=%s", section, key, value);
		s->lines[s->n] = line;
		s->n++;
	}
	return 0;
}

static void test_ini_basic(void **state)
{
	struct ini_seen s = {0};
	struct dpu_cfg_err e;
	const char *text = "# DTS config\n"
			   "update=1000\n"
			   "\n"
			   "enable-provider=sysfs\n"
			   "enable-provider = ethtool   ; trailing comment\n"
			   "prometheus=http://0.0.0.0:9100\n"
			   "[ipc]\n"
			   "; comment\n"
			   "dir=/tmp/ipc_sockets\n";

	(void)state;
	assert_int_equal(dpu_ini_load_string(text, "dts_config.ini", ini_collect, &s, &e), 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.keys[0], "/update=1000");
	assert_int_equal(s.lines[0], 2);
	/* Repeated keys arrive as repeated calls, in order. */
	assert_string_equal(s.keys[1], "/enable-provider=sysfs");
	assert_string_equal(s.keys[2], "/enable-provider=ethtool");
	assert_int_equal(s.lines[2], 5);
	assert_string_equal(s.keys[3], "/prometheus=http://0.0.0.0:9100");
	assert_string_equal(s.keys[4], "ipc/dir=/tmp/ipc_sockets");
	assert_int_equal(s.lines[4], 9);
}

static void test_ini_syntax_error_names_line(void **state)
{
	struct ini_seen s = {0};
	struct dpu_cfg_err e;
	char buf[512];

	(void)state;
	assert_int_equal(dpu_ini_load_string("a=1\nb=2\nthis line is wrong\nc=3\n", "x.ini",
					     ini_collect, &s, &e),
			 -EINVAL);
	assert_int_equal(e.line, 3);
	dpu_cfg_err_str(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "x.ini:3: syntax error"));
	assert_int_equal(dpu_ini_load_string("[unterminated\n", "y.ini", ini_collect, &s, &e),
			 -EINVAL);
	assert_int_equal(e.line, 1);
}

static void test_ini_handler_error_names_line_and_key(void **state)
{
	struct ini_seen s = {.reject_key = "update"};
	struct dpu_cfg_err e;
	char buf[512];

	(void)state;
	assert_int_equal(
		dpu_ini_load_string("a=1\n\nupdate=fast\nz=9\n", "dts.ini", ini_collect, &s, &e),
		-EINVAL);
	assert_int_equal(s.n, 1); /* stopped at the bad line: 'z' never seen */
	assert_string_equal(dpu_cfg_err_str(&e, buf, sizeof(buf)),
			    "dts.ini:3: update: 'fast' is not acceptable");
}

static void test_ini_long_line(void **state)
{
	struct ini_seen s = {0};
	struct dpu_cfg_err e;
	char text[600];

	(void)state;
	strcpy(text, "a=1\nkey=");
	memset(text + 8, 'v', 400);
	strcpy(text + 408, "\nb=2\n");
	assert_int_equal(dpu_ini_load_string(text, "long.ini", ini_collect, &s, &e), -EINVAL);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.msg, "longer than"));
	assert_int_equal(s.n, 1);
}

static void test_ini_file(void **state)
{
	char *dir = test_tmpdir();
	char *path = test_write_file(dir, "dts_config.ini", "update=500\n");
	char *missing;
	struct ini_seen s = {0};
	struct dpu_cfg_err e;
	char longline[300];
	FILE *fp;

	(void)state;
	assert_int_equal(dpu_ini_load(path, ini_collect, &s, &e), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.keys[0], "/update=500");

	/* A line of exactly the buffer's width, at EOF without newline, is fine. */
	fp = fopen(path, "w");
	memset(longline, 'x', sizeof(longline));
	fprintf(fp, "k=%.*s", 195, longline);
	fclose(fp);
	memset(&s, 0, sizeof(s));
	assert_int_equal(dpu_ini_load(path, ini_collect, &s, &e), 0);
	assert_int_equal(s.n, 1);

	fp = fopen(path, "w");
	fprintf(fp, "a=1\nk=%.*s\nb=2\n", 290, longline);
	fclose(fp);
	assert_int_equal(dpu_ini_load(path, ini_collect, &s, &e), -EINVAL);
	assert_int_equal(e.line, 2);

	assert_true(asprintf(&missing, "%s/nope.ini", dir) > 0);
	assert_int_equal(dpu_ini_load(missing, ini_collect, &s, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "cannot open"));
	assert_string_equal(e.file, missing);
	free(missing);
	free(path);
	test_rm_rf(dir);
	free(dir);
}

/* ------------------------------------------------------------ JSON */

static void test_json_ok(void **state)
{
	struct json_object *o = NULL, *v;
	struct dpu_cfg_err e;
	const char *text = "{\"export-units\": [{\"filter\": {\"protocols\": [\"tcp\"]}}]}";

	(void)state;
	assert_int_equal(dpu_json_load_string(text, strlen(text), "p.json", &o, &e), 0);
	assert_true(json_object_object_get_ex(o, "export-units", &v));
	assert_int_equal(json_object_array_length(v), 1);
	json_object_put(o);

	/* Top-level scalars end at the end of input. */
	assert_int_equal(dpu_json_load_string("42", 2, "n.json", &o, &e), 0);
	assert_int_equal(json_object_get_int(o), 42);
	json_object_put(o);
}

static void test_json_syntax_line_col(void **state)
{
	struct json_object *o = NULL;
	struct dpu_cfg_err e;
	char buf[512];
	const char *text = "{\n  \"a\": 1,\n  \"b\": tru\n}\n";

	(void)state;
	assert_int_equal(dpu_json_load_string(text, strlen(text), "p.json", &o, &e), -EINVAL);
	assert_null(o);
	assert_int_equal(e.line, 3);
	assert_true(e.column > 1);
	dpu_cfg_err_str(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "p.json:3:"));
	assert_non_null(strstr(buf, "JSON syntax"));
}

static void test_json_bad_documents(void **state)
{
	static const char *const bad[] = {
		"",	   "   \n",	  "{\"a\": 1",	    "{\"a\": 1} x",
		"[1, 2,]", "{\"a\": 1,}", "{\"a\"\x00: 1}", "{\"a\": 1}\x00{}",
	};
	/* (json-c accepts single-quoted strings even in strict mode; so do we.) */
	static const size_t lens[] = {0, 4, 7, 10, 7, 9, 8, 10};
	struct json_object *o = NULL;
	struct dpu_cfg_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		o = NULL;
		assert_int_equal(dpu_json_load_string(bad[i], lens[i], "b.json", &o, &e), -EINVAL);
		assert_null(o);
		assert_true(e.line >= 1);
		assert_non_null(strstr(e.msg, "JSON syntax"));
	}
	assert_int_equal(dpu_json_load_string("", 0, "e.json", &o, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "empty document"));
	assert_int_equal(dpu_json_load_string("{\"a\": 1", 7, "e.json", &o, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unexpected end"));
	assert_int_equal(dpu_json_load_string("{}\n\n x", 6, "t.json", &o, &e), -EINVAL);
	assert_int_equal(e.line, 3);
	assert_int_equal(e.column, 2);
	assert_non_null(strstr(e.msg, "after the document"));
}

static void test_json_file(void **state)
{
	char *dir = test_tmpdir();
	char *path = test_write_file(dir, "fi.json", "{\"x\": [1, 2, 3]}\n");
	struct json_object *o = NULL;
	struct dpu_cfg_err e;

	(void)state;
	assert_int_equal(dpu_json_load(path, &o, &e), 0);
	json_object_put(o);
	assert_int_equal(dpu_json_load(dir, &o, &e), -EINVAL); /* a directory */
	assert_non_null(strstr(e.msg, "not a regular file"));
	free(path);
	path = test_write_file(dir, "gone.json", "");
	unlink(path);
	assert_int_equal(dpu_json_load(path, &o, &e), -ENOENT);
	free(path);
	test_rm_rf(dir);
	free(dir);
}

static void test_json_walk_paths(void **state)
{
	struct dpu_cfg_walk w;
	struct dpu_cfg_err e;
	struct json_object *o = NULL, *two;
	char buf[512];
	size_t m0, m1, m2;
	const char *text = "{\"export-units\": [{\"filter\": {\"ports\": [[\"1\", 2]]}}]}";

	(void)state;
	assert_int_equal(dpu_json_load_string(text, strlen(text), "fi.json", &o, &e), 0);
	dpu_cfg_walk_init(&w, "fi.json", &e);
	assert_string_equal(w.path, "$");
	m0 = dpu_cfg_walk_key(&w, "export-units");
	m1 = dpu_cfg_walk_index(&w, 0);
	dpu_cfg_walk_key(&w, "filter");
	m2 = dpu_cfg_walk_key(&w, "ports");
	dpu_cfg_walk_index(&w, 0);
	dpu_cfg_walk_index(&w, 1);
	assert_string_equal(w.path, "$.export-units[0].filter.ports[0][1]");
	two = json_object_new_int(2);
	assert_int_equal(dpu_json_expect(&w, two, json_type_string), -EINVAL);
	json_object_put(two);
	assert_string_equal(
		dpu_cfg_err_str(&e, buf, sizeof(buf)),
		"fi.json: $.export-units[0].filter.ports[0][1]: expected string, got int");
	dpu_cfg_walk_pop(&w, m2);
	assert_string_equal(w.path, "$.export-units[0].filter");
	dpu_cfg_walk_pop(&w, m1);
	dpu_cfg_walk_pop(&w, m0);
	assert_string_equal(w.path, "$");
	/* Keys that are not plain names are quoted. */
	dpu_cfg_walk_key(&w, "a key.with dots");
	assert_string_equal(w.path, "$[\"a key.with dots\"]");
	json_object_put(o);
}

static void test_json_walk_expect_and_keys(void **state)
{
	static const char *const known[] = {"filter", "export", NULL};
	struct dpu_cfg_walk w;
	struct dpu_cfg_err e;
	struct json_object *o = NULL, *d = json_object_new_int(3);
	const char *text = "{\"filter\": {}, \"exprot\": {}}";

	(void)state;
	assert_int_equal(dpu_json_load_string(text, strlen(text), "u.json", &o, &e), 0);
	dpu_cfg_walk_init(&w, "u.json", &e);
	assert_int_equal(dpu_json_expect(&w, o, json_type_object), 0);
	/* An int is acceptable where a double is wanted. */
	assert_int_equal(dpu_json_expect(&w, d, json_type_double), 0);
	assert_int_equal(dpu_json_known_keys(&w, o, known), -EINVAL);
	assert_string_equal(e.msg, "unknown key \"exprot\"");
	assert_string_equal(e.path, "$");
	json_object_put(o);
	json_object_put(d);
}

static void test_json_walk_deep_path(void **state)
{
	struct dpu_cfg_walk w;
	struct dpu_cfg_err e;

	(void)state;
	dpu_cfg_walk_init(&w, "deep.json", &e);
	for (int i = 0; i < 100; i++) {
		dpu_cfg_walk_key(&w, "level");
	}
	assert_true(strlen(w.path) < sizeof(w.path));
	assert_string_equal(w.path + strlen(w.path) - 3, "...");
	assert_int_equal(dpu_cfg_walk_error(&w, "too deep"), -EINVAL);
	assert_string_equal(e.msg, "too deep");
}

/* ------------------------------------------------------------ YAML */

static const char bf3_yaml[] = "name: bf3-0\n"
			       "model: BlueField-3\n"
			       "ports:\n"
			       "  - name: p0\n"
			       "    mac: \"02:00:00:00:00:01\"\n"
			       "  - name: p1\n"
			       "    mac: 02:00:00:00:00:02\n"
			       "    speed: 200000\n";

static void test_yaml_tree_and_lines(void **state)
{
	struct dpu_yaml_doc *doc = NULL;
	const struct dpu_yaml_node *root, *ports, *p1, *k, *v;
	struct dpu_cfg_err e;

	(void)state;
	assert_int_equal(dpu_yaml_load_string(bf3_yaml, strlen(bf3_yaml), "bf3.yaml", &doc, &e), 0);
	root = dpu_yaml_root(doc);
	assert_int_equal(dpu_yaml_kind(root), DPU_YAML_MAPPING);
	assert_int_equal(dpu_yaml_map_len(doc, root), 3);
	assert_string_equal(dpu_yaml_scalar(dpu_yaml_map_get(doc, root, "model")), "BlueField-3");
	assert_null(dpu_yaml_map_get(doc, root, "serial"));
	ports = dpu_yaml_map_get(doc, root, "ports");
	assert_int_equal(dpu_yaml_kind(ports), DPU_YAML_SEQUENCE);
	assert_int_equal(dpu_yaml_seq_len(doc, ports), 2);
	p1 = dpu_yaml_seq_get(doc, ports, 1);
	assert_int_equal(dpu_yaml_line(p1), 6);
	assert_string_equal(dpu_yaml_scalar(dpu_yaml_map_get(doc, p1, "mac")), "02:00:00:00:00:02");
	assert_int_equal(dpu_yaml_line(dpu_yaml_map_get(doc, p1, "speed")), 8);
	assert_null(dpu_yaml_seq_get(doc, ports, 2));
	assert_null(dpu_yaml_scalar(ports));
	assert_int_equal(dpu_yaml_map_pair(doc, root, 0, &k, &v), 0);
	assert_string_equal(dpu_yaml_scalar(k), "name");
	assert_string_equal(dpu_yaml_scalar(v), "bf3-0");
	assert_int_equal(dpu_yaml_map_pair(doc, root, 3, &k, &v), -ENOENT);
	dpu_yaml_free(doc);
	dpu_yaml_free(NULL);
}

static void test_yaml_errors_name_the_line(void **state)
{
	static const char bad_indent[] = "a: 1\nb:\n  - x\n - y\n";
	static const char two_docs[] = "a: 1\n---\nb: 2\n";
	static const char unknown[] = "name: x\nports: []\nspeeed: 10\n";
	struct dpu_yaml_doc *doc = NULL;
	const struct dpu_yaml_node *root;
	struct dpu_cfg_err e;
	struct dpu_cfg_walk w;
	char buf[600];
	static const char *const known[] = {"name", "ports", "speed", NULL};

	(void)state;
	assert_int_equal(dpu_yaml_load_string(bad_indent, strlen(bad_indent), "b.yaml", &doc, &e),
			 -EINVAL);
	assert_null(doc);
	assert_int_equal(e.line, 4);
	assert_non_null(strstr(e.msg, "YAML syntax"));
	assert_int_equal(dpu_yaml_load_string(two_docs, strlen(two_docs), "t.yaml", &doc, &e),
			 -EINVAL);
	assert_int_equal(e.line, 2); /* the "---" that starts the second one */
	assert_non_null(strstr(e.msg, "more than one document"));
	assert_int_equal(dpu_yaml_load_string("", 0, "e.yaml", &doc, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "empty document"));

	assert_int_equal(dpu_yaml_load_string(unknown, strlen(unknown), "u.yaml", &doc, &e), 0);
	root = dpu_yaml_root(doc);
	dpu_cfg_walk_init(&w, "u.yaml", &e);
	assert_int_equal(dpu_yaml_known_keys(&w, doc, root, known), -EINVAL);
	assert_string_equal(dpu_cfg_err_str(&e, buf, sizeof(buf)),
			    "u.yaml:3: $: unknown key \"speeed\"");
	dpu_cfg_walk_key(&w, "ports");
	assert_int_equal(
		dpu_yaml_expect(&w, dpu_yaml_map_get(doc, root, "ports"), DPU_YAML_SEQUENCE), 0);
	assert_int_equal(
		dpu_yaml_expect(&w, dpu_yaml_map_get(doc, root, "ports"), DPU_YAML_MAPPING),
		-EINVAL);
	assert_string_equal(dpu_cfg_err_str(&e, buf, sizeof(buf)),
			    "u.yaml:2: $.ports: expected a mapping, got a sequence");
	dpu_yaml_free(doc);
}

static void test_yaml_file(void **state)
{
	char *dir = test_tmpdir();
	char *path = test_write_file(dir, "dev.yaml", bf3_yaml);
	struct dpu_yaml_doc *doc = NULL;
	struct dpu_cfg_err e;

	(void)state;
	assert_int_equal(dpu_yaml_load(path, &doc, &e), 0);
	assert_string_equal(dpu_yaml_scalar(dpu_yaml_map_get(doc, dpu_yaml_root(doc), "name")),
			    "bf3-0");
	dpu_yaml_free(doc);
	unlink(path);
	assert_int_equal(dpu_yaml_load(path, &doc, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "cannot open"));
	free(path);
	test_rm_rf(dir);
	free(dir);
}

static void test_yaml_hostile_documents(void **state)
{
	/* Exponential alias expansion ("billion laughs"). */
	static const char laughs[] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
				     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
				     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
				     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
	static const char self[] = "a: &a [1, *a]\n";
	static const char shared[] = "base: &b {speed: 100}\np0: *b\np1: *b\n";
	struct dpu_yaml_doc *doc = NULL;
	struct dpu_cfg_err e;
	char deep[400];
	size_t n = 0;

	(void)state;
	assert_int_equal(dpu_yaml_load_string(laughs, strlen(laughs), "l.yaml", &doc, &e), -EINVAL);
	assert_null(doc);
	assert_non_null(strstr(e.msg, "aliases expand to more than"));
	assert_int_equal(dpu_yaml_load_string(self, strlen(self), "s.yaml", &doc, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "alias"));
	for (int i = 0; i < 100; i++) {
		deep[n++] = '[';
	}
	deep[n] = '\0';
	assert_int_equal(dpu_yaml_load_string(deep, n, "d.yaml", &doc, &e), -EINVAL);
	assert_int_equal(e.line, 1);
	assert_non_null(strstr(e.msg, "nested deeper than"));
	/* Ordinary use of anchors stays fine. */
	assert_int_equal(dpu_yaml_load_string(shared, strlen(shared), "ok.yaml", &doc, &e), 0);
	assert_string_equal(dpu_yaml_scalar(dpu_yaml_map_get(
				    doc, dpu_yaml_map_get(doc, dpu_yaml_root(doc), "p1"), "speed")),
			    "100");
	dpu_yaml_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_parse_hostport),
		cmocka_unit_test(test_err_str),
		cmocka_unit_test(test_ini_basic),
		cmocka_unit_test(test_ini_syntax_error_names_line),
		cmocka_unit_test(test_ini_handler_error_names_line_and_key),
		cmocka_unit_test(test_ini_long_line),
		cmocka_unit_test(test_ini_file),
		cmocka_unit_test(test_json_ok),
		cmocka_unit_test(test_json_syntax_line_col),
		cmocka_unit_test(test_json_bad_documents),
		cmocka_unit_test(test_json_file),
		cmocka_unit_test(test_json_walk_paths),
		cmocka_unit_test(test_json_walk_expect_and_keys),
		cmocka_unit_test(test_json_walk_deep_path),
		cmocka_unit_test(test_yaml_tree_and_lines),
		cmocka_unit_test(test_yaml_errors_name_the_line),
		cmocka_unit_test(test_yaml_file),
		cmocka_unit_test(test_yaml_hostile_documents),
	};

	return cmocka_run_group_tests_name("cfg", tests, NULL, NULL);
}
