/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-telemetry-read: print dpu-telemetry's binary data files (datafile.h)
 * as JSON lines or CSV.
 *
 *   dpu-telemetry-read [--format json|csv] FILE|DIR...
 *
 * A directory means its *.dts files, oldest name first. JSON: one object
 * per record, {"source", "schema", "type", "time_us", <field>: value...};
 * char arrays are strings, other arrays lists. CSV: a header line whenever
 * the columns change ("source,schema,type,time_us,<fields>"), then a line
 * per record, arrays as space-separated values. A damaged file: every record
 * before the damage, then "FILE: offset N: reason" on stderr and exit 1.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cfg.h"
#include "common/util.h"
#include "telemetry/datafile.h"
#include "telemetry/ipc.h"

#define MAX_FILE (1ull << 32)

struct reader {
	bool csv;
	char header[4096]; /* the last CSV header printed */
};

static void print_value(const uint8_t *p, unsigned int ftype)
{
	struct dts_ipc_value v;

	dts_ipc_value_at(p, ftype, &v);
	switch (v.kind) {
	case DTS_V_BOOL:
		fputs(v.u ? "true" : "false", stdout);
		break;
	case DTS_V_INT:
		printf("%" PRId64, v.i);
		break;
	case DTS_V_FLOAT:
		if (isfinite(v.d)) {
			printf("%.17g", v.d);
		} else {
			fputs("null", stdout);
		}
		break;
	default:
		printf("%" PRIu64, v.u);
		break;
	}
}

/* A char array up to its NUL, escaped for JSON (quoted) or CSV (quoted when needed). */
static void print_text(const uint8_t *p, unsigned int count, bool csv)
{
	putchar('"');
	for (unsigned int i = 0; i < count && p[i] != 0; i++) {
		if (p[i] == '"') {
			fputs(csv ? "\"\"" : "\\\"", stdout);
		} else if (!csv && p[i] == '\\') {
			fputs("\\\\", stdout);
		} else if (p[i] < 0x20 || p[i] >= 0x7f) {
			if (csv) {
				putchar('?');
			} else {
				printf("\\u%04x", p[i]);
			}
		} else {
			putchar(p[i]);
		}
	}
	putchar('"');
}

static void print_record(void *arg, const char *source, const char *schema, const char *type,
			 const struct dts_ipc_field_view *fields, unsigned int n_fields,
			 uint64_t time_us, const uint8_t *rec)
{
	struct reader *r = arg;

	if (r->csv) {
		char header[sizeof(r->header)];
		size_t n = (size_t)snprintf(header, sizeof(header), "source,schema,type,time_us");

		for (unsigned int i = 0; i < n_fields && n < sizeof(header); i++) {
			n += (size_t)snprintf(header + n, sizeof(header) - n, ",%s",
					      fields[i].name);
		}
		/* A header when the columns change, not with every file. */
		if (strcmp(header, r->header) != 0) {
			printf("%s\n", header);
			memcpy(r->header, header, sizeof(header));
		}
		printf("%s,%s,%s,%" PRIu64, source, schema, type, time_us);
	} else {
		printf("{\"source\": \"%s\", \"schema\": \"%s\", \"type\": \"%s\", \"time_us\": "
		       "%" PRIu64,
		       source, schema, type, time_us);
	}
	for (unsigned int i = 0; i < n_fields; i++) {
		const struct dts_ipc_field_view *f = &fields[i];
		const uint8_t *p = rec + f->offset;
		size_t sz = dts_ipc_ftype_size(f->ftype);

		if (r->csv) {
			putchar(',');
		} else {
			printf(", \"%s\": ", f->name);
		}
		if (f->ftype == DTS_F_CHAR && f->count > 1) {
			print_text(p, f->count, r->csv);
		} else if (f->count > 1) {
			fputs(r->csv ? "" : "[", stdout);
			for (unsigned int k = 0; k < f->count; k++) {
				if (k > 0) {
					fputs(r->csv ? " " : ", ", stdout);
				}
				print_value(p + k * sz, f->ftype);
			}
			fputs(r->csv ? "" : "]", stdout);
		} else {
			print_value(p, f->ftype);
		}
	}
	fputs(r->csv ? "\n" : "}\n", stdout);
}

static int read_file(struct reader *r, const char *path)
{
	struct dpu_cfg_err err;
	const char *why;
	char *text;
	size_t len, off;

	if (dpu_cfg_read_file(path, MAX_FILE, &text, &len, &err) < 0) {
		fprintf(stderr, "dpu-telemetry-read: %s: %s\n", path, err.msg);
		return -1;
	}
	if (dts_dfile_parse((const uint8_t *)text, len, print_record, r, &off, &why) < 0) {
		fflush(stdout);
		fprintf(stderr, "dpu-telemetry-read: %s: offset %zu: %s\n", path, off, why);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_path(struct reader *r, const char *path)
{
	struct stat st;
	DIR *dir;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		return read_file(r, path);
	}
	dir = opendir(path);
	if (dir == NULL) {
		fprintf(stderr, "dpu-telemetry-read: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(dir)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".dts") != 0) {
			continue;
		}
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*names));

			if (nn == NULL) {
				rc = -1;
				break;
			}
			names = nn;
		}
		if (asprintf(&names[n], "%s/%s", path, e->d_name) < 0) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && read_file(r, names[i]) < 0) {
			rc = -1;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct reader r;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "csv") == 0)) {
			r.csv = strcmp(optarg, "csv") == 0;
		} else if (c == 'h') {
			printf("usage: dpu-telemetry-read [--format json|csv] FILE|DIR...\n");
			return 0;
		} else {
			fprintf(stderr,
				"usage: dpu-telemetry-read [--format json|csv] FILE|DIR...\n");
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: dpu-telemetry-read [--format json|csv] FILE|DIR...\n");
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		if (read_path(&r, argv[i]) < 0) {
			rc = 1;
		}
	}
	return rc;
}
