/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/metrics.h"

void dts_snapshot_init(struct dts_snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
}

void dts_snapshot_free(struct dts_snapshot *snap)
{
	free(snap->s);
	memset(snap, 0, sizeof(*snap));
}

static void sanitize_name(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src[i] != '\0' && i + 1 < size; i++) {
		char c = src[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			  c == ':' || (i > 0 && c >= '0' && c <= '9');

		dst[i] = ok ? c : '_';
	}
	dst[i] = '\0';
}

struct dts_series *dts_snapshot_add(struct dts_snapshot *snap, const char *family, const char *help,
				    enum dts_kind kind, const char *dts_name, const char *tag,
				    unsigned int n_labels, ...)
{
	struct dts_series *s;
	va_list ap;

	if (n_labels > DTS_MAX_LABELS) {
		return NULL;
	}
	if (snap->n == snap->cap) {
		size_t cap = snap->cap ? snap->cap * 2 : 256;
		struct dts_series *ns = realloc(snap->s, cap * sizeof(*ns));

		if (ns == NULL) {
			return NULL;
		}
		snap->s = ns;
		snap->cap = cap;
	}
	s = &snap->s[snap->n++];
	memset(s, 0, sizeof(*s));
	sanitize_name(s->family, sizeof(s->family), family);
	dpu_strscpy(s->help, help, sizeof(s->help));
	s->kind = kind;
	dpu_strscpy(s->dts_name, dts_name, sizeof(s->dts_name));
	dpu_strscpy(s->tag, tag, sizeof(s->tag));
	va_start(ap, n_labels);
	for (unsigned int i = 0; i < n_labels; i++) {
		const char *k = va_arg(ap, const char *);
		const char *v = va_arg(ap, const char *);

		sanitize_name(s->labels[i].key, sizeof(s->labels[i].key), k);
		dpu_strscpy(s->labels[i].value, v, sizeof(s->labels[i].value));
	}
	va_end(ap);
	s->n_labels = n_labels;
	return s;
}

/* ---- rendering ---- */

struct out {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void put(struct out *o, const char *fmt, ...) DPU_PRINTF(2, 3);

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->oom) {
		return;
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->oom = true;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = (o->cap + (size_t)n + 1) * 2;
		char *nb = realloc(o->buf, cap);

		if (nb == NULL) {
			o->oom = true;
			return;
		}
		o->buf = nb;
		o->cap = cap;
	}
}

/* A label value with \, " and newline escaped. */
static void put_escaped(struct out *o, const char *v)
{
	char buf[2 * sizeof(((struct dts_label *)0)->value) + 1];
	size_t j = 0;

	for (size_t i = 0; v[i] != '\0' && j + 2 < sizeof(buf); i++) {
		if (v[i] == '\\' || v[i] == '"') {
			buf[j++] = '\\';
			buf[j++] = v[i];
		} else if (v[i] == '\n') {
			buf[j++] = '\\';
			buf[j++] = 'n';
		} else {
			buf[j++] = v[i];
		}
	}
	buf[j] = '\0';
	put(o, "%s", buf);
}

/* The series as rendered: only the labels the config keeps. */
struct view {
	const struct dts_series *s;
	unsigned int n;
	const struct dts_label *l[DTS_MAX_LABELS];
};

static int view_cmp(const void *a, const void *b)
{
	const struct view *x = a, *y = b;
	int c = strcmp(x->s->family, y->s->family);

	if (c != 0) {
		return c;
	}
	/* A counter renders as <family>_total: apart from a gauge named <family>
	 * (a bare counter and such a gauge would clash; none is made). */
	if ((x->s->kind == DTS_COUNTER) != (y->s->kind == DTS_COUNTER)) {
		return x->s->kind == DTS_COUNTER ? 1 : -1;
	}
	for (unsigned int i = 0; i < x->n && i < y->n; i++) {
		c = strcmp(x->l[i]->key, y->l[i]->key);
		if (c == 0) {
			c = strcmp(x->l[i]->value, y->l[i]->value);
		}
		if (c != 0) {
			return c;
		}
	}
	if (x->n != y->n) {
		return x->n < y->n ? -1 : 1;
	}
	c = strcmp(x->s->suffix, y->s->suffix);
	if (c != 0) {
		return c;
	}
	/* Equal as rendered: keep the earlier one first (then drop the rest). */
	return x->s < y->s ? -1 : (x->s > y->s);
}

static bool same_labels(const struct view *x, const struct view *y)
{
	if (strcmp(x->s->family, y->s->family) != 0 || x->n != y->n ||
	    strcmp(x->s->suffix, y->s->suffix) != 0 ||
	    (x->s->kind == DTS_COUNTER) != (y->s->kind == DTS_COUNTER)) {
		return false;
	}
	for (unsigned int i = 0; i < x->n; i++) {
		if (strcmp(x->l[i]->key, y->l[i]->key) != 0 ||
		    strcmp(x->l[i]->value, y->l[i]->value) != 0) {
			return false;
		}
	}
	return true;
}

/* The counter's own name: the DTS name after its last ':'. */
static const char *leaf(const char *dts_name)
{
	const char *c = strrchr(dts_name, ':');

	return c != NULL ? c + 1 : dts_name;
}

static bool ignored(const struct dts_series *s, const struct dts_config *cfg)
{
	char provider[sizeof(s->tag)];
	char *dot;

	if (cfg == NULL) {
		return false;
	}
	if (dts_names_has(&cfg->prom_ignore_names, s->family) ||
	    dts_names_has(&cfg->prom_ignore_names, s->dts_name) ||
	    dts_names_has(&cfg->prom_ignore_names, leaf(s->dts_name))) {
		return true;
	}
	dpu_strscpy(provider, s->tag, sizeof(provider));
	dot = strchr(provider, '.');
	if (dot != NULL) {
		*dot = '\0';
	}
	return dts_names_has(&cfg->prom_ignore_tags, s->tag) ||
	       dts_names_has(&cfg->prom_ignore_tags, provider);
}

int dts_prom_render(const struct dts_snapshot *snap, const struct dts_config *cfg, bool openmetrics,
		    char **text, size_t *len)
{
	struct view *v = malloc((snap->n ? snap->n : 1) * sizeof(*v));
	struct out o = {0};
	size_t nv = 0;

	if (v == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < snap->n; i++) {
		const struct dts_series *s = &snap->s[i];
		struct view *x = &v[nv];

		if (ignored(s, cfg)) {
			continue;
		}
		x->s = s;
		x->n = 0;
		for (unsigned int j = 0; j < s->n_labels; j++) {
			if (cfg == NULL || cfg->prom_indexes.n == 0 ||
			    dts_names_has(&cfg->prom_indexes, s->labels[j].key)) {
				x->l[x->n++] = &s->labels[j];
			}
		}
		nv++;
	}
	qsort(v, nv, sizeof(*v), view_cmp);
	o.cap = 64 * 1024;
	o.buf = malloc(o.cap);
	if (o.buf == NULL) {
		free(v);
		return -ENOMEM;
	}
	o.buf[0] = '\0';
	for (size_t i = 0; i < nv; i++) {
		const struct dts_series *s = v[i].s;
		bool counter = s->kind == DTS_COUNTER;
		bool first = i == 0 || strcmp(v[i - 1].s->family, s->family) != 0 ||
			     (v[i - 1].s->kind == DTS_COUNTER) != counter;

		if (i > 0 && same_labels(&v[i - 1], &v[i])) {
			continue; /* the same series once the labels are cut: keep the first */
		}
		if (first) {
			static const char *const words[] = {"counter", "gauge", "summary",
							    "histogram", "untyped"};
			const char *sfx = counter && !openmetrics && !s->bare ? "_total" : "";

			put(&o, "# HELP %s%s %s\n", s->family, sfx, s->help);
			put(&o, "# TYPE %s%s %s\n", s->family, sfx,
			    openmetrics && s->kind == DTS_UNTYPED ? "unknown" : words[s->kind]);
		}
		put(&o, "%s%s", s->family,
		    counter && (openmetrics || !s->bare) ? "_total" : s->suffix);
		if (v[i].n > 0) {
			put(&o, "{");
			for (unsigned int j = 0; j < v[i].n; j++) {
				put(&o, "%s%s=\"", j ? "," : "", v[i].l[j]->key);
				put_escaped(&o, v[i].l[j]->value);
				put(&o, "\"");
			}
			put(&o, "}");
		}
		if (counter && !s->fractional) {
			put(&o, " %llu\n", (unsigned long long)s->u);
		} else if (isnan(s->d)) {
			put(&o, " NaN\n");
		} else if (isinf(s->d)) {
			put(&o, " %cInf\n", s->d > 0 ? '+' : '-');
		} else {
			put(&o, " %.15g\n", s->d);
		}
	}
	if (openmetrics) {
		put(&o, "# EOF\n");
	}
	free(v);
	if (o.oom) {
		free(o.buf);
		return -ENOMEM;
	}
	*text = o.buf;
	*len = o.len;
	return 0;
}
