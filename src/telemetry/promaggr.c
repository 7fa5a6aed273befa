/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <dlfcn.h>

#define DPU_LOG_MODULE "dts-aggr"
#include "common/log.h"
#include "common/timeutil.h"
#include "telemetry/promaggr.h"

#define MAX_BODY (16u << 20)
#define MAX_TYPES 4096
#define LABEL_NAME "dts_endpoint"

/* ---------------------------------------------------------------- parsing */

enum ptype { PT_UNTYPED, PT_COUNTER, PT_GAUGE, PT_HISTOGRAM, PT_SUMMARY };

struct family {
	char name[sizeof(((struct dts_series *)0)->family)];
	enum ptype type;
	char help[sizeof(((struct dts_series *)0)->help)];
};

struct parse {
	struct family *fam; /* grown as TYPE and HELP lines come */
	size_t n_fam, cap;
};

static struct family *family_of(struct parse *ps, const char *name, bool make)
{
	for (size_t i = 0; i < ps->n_fam; i++) {
		if (strcmp(ps->fam[i].name, name) == 0) {
			return &ps->fam[i];
		}
	}
	if (!make || ps->n_fam == MAX_TYPES || strlen(name) >= sizeof(ps->fam[0].name)) {
		return NULL;
	}
	if (ps->n_fam == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 64;
		struct family *nf = realloc(ps->fam, cap * sizeof(*nf));

		if (nf == NULL) {
			return NULL; /* its samples go out untyped */
		}
		ps->fam = nf;
		ps->cap = cap;
	}
	memset(&ps->fam[ps->n_fam], 0, sizeof(ps->fam[0]));
	dpu_strscpy(ps->fam[ps->n_fam].name, name, sizeof(ps->fam[0].name));
	return &ps->fam[ps->n_fam++];
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/* A metric or label name at *p (moved past it) into buf; false when none. */
static bool take_name(const char **p, const char *end, char *buf, size_t size, bool *too_long)
{
	size_t n = 0;

	if (*p >= end || !name_char(**p, true)) {
		return false;
	}
	while (*p < end && name_char(**p, n == 0)) {
		if (n + 1 < size) {
			buf[n] = **p;
		} else {
			*too_long = true;
		}
		n++;
		(*p)++;
	}
	buf[n < size ? n : size - 1] = '\0';
	return true;
}

static void skip_blanks(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t')) {
		(*p)++;
	}
}

static const char *type_word(enum ptype t)
{
	static const char *const w[] = {"untyped", "counter", "gauge", "histogram", "summary"};

	return w[t];
}

static int comment(struct parse *ps, const char *p, const char *end)
{
	char name[sizeof(ps->fam[0].name)], word[16];
	bool is_type, too_long = false;
	struct family *f;
	size_t n;

	p++; /* '#' */
	skip_blanks(&p, end);
	if (end - p >= 4 && strncmp(p, "TYPE", 4) == 0) {
		is_type = true;
	} else if (end - p >= 4 && strncmp(p, "HELP", 4) == 0) {
		is_type = false;
	} else {
		return 0; /* any other comment */
	}
	p += 4;
	skip_blanks(&p, end);
	if (!take_name(&p, end, name, sizeof(name), &too_long)) {
		return -EINVAL;
	}
	f = too_long ? NULL : family_of(ps, name, true);
	skip_blanks(&p, end);
	if (!is_type) {
		if (f != NULL) {
			n = DPU_MIN((size_t)(end - p), sizeof(f->help) - 1);
			memcpy(f->help, p, n);
			f->help[n] = '\0';
		}
		return 0;
	}
	n = DPU_MIN((size_t)(end - p), sizeof(word) - 1);
	memcpy(word, p, n);
	word[n] = '\0';
	for (enum ptype t = PT_UNTYPED; t <= PT_SUMMARY; t++) {
		if (strcmp(word, type_word(t)) == 0) {
			if (f != NULL) {
				f->type = t;
			}
			return 0;
		}
	}
	return -EINVAL;
}

/* A label value in quotes at *p with \\, \" and \n escapes. */
static bool take_value(const char **p, const char *end, char *buf, size_t size, bool *too_long)
{
	size_t n = 0;

	if (*p >= end || **p != '"') {
		return false;
	}
	(*p)++;
	while (*p < end && **p != '"') {
		char c = **p;

		if (c == '\\') {
			if (*p + 1 >= end) {
				return false;
			}
			(*p)++;
			c = **p == 'n' ? '\n' : **p;
			if (c != '\n' && c != '\\' && c != '"') {
				return false;
			}
		}
		if (n + 1 < size) {
			buf[n++] = c;
		} else {
			*too_long = true;
		}
		(*p)++;
	}
	if (*p >= end) {
		return false;
	}
	(*p)++; /* closing quote */
	buf[n] = '\0';
	return true;
}

static bool has_suffix(const char *s, const char *sfx, char *base, size_t size)
{
	size_t ls = strlen(s), lx = strlen(sfx);

	if (ls <= lx || strcmp(s + ls - lx, sfx) != 0 || ls - lx >= size) {
		return false;
	}
	memcpy(base, s, ls - lx);
	base[ls - lx] = '\0';
	return true;
}

static int sample(struct parse *ps, const char *p, const char *end, const char *tag,
		  const char *prefix, struct dts_snapshot *snap, size_t *skipped)
{
	char name[sizeof(((struct dts_series *)0)->family)], base[sizeof(name)], dname[128];
	struct dts_label labels[DTS_MAX_LABELS];
	unsigned int n_labels = 0;
	bool too_long = false;
	enum dts_kind kind = DTS_UNTYPED;
	const char *family = name, *suffix = "";
	const struct family *f, *fb = NULL;
	struct dts_series *s;
	char num[64], *e;
	double v;
	size_t n;

	if (!take_name(&p, end, name, sizeof(name), &too_long)) {
		return -EINVAL;
	}
	skip_blanks(&p, end);
	if (p < end && *p == '{') {
		p++;
		for (;;) {
			struct dts_label l;

			skip_blanks(&p, end);
			if (p < end && *p == '}') {
				p++;
				break;
			}
			if (!take_name(&p, end, l.key, sizeof(l.key), &too_long)) {
				return -EINVAL;
			}
			skip_blanks(&p, end);
			if (p >= end || *p != '=') {
				return -EINVAL;
			}
			p++;
			skip_blanks(&p, end);
			if (!take_value(&p, end, l.value, sizeof(l.value), &too_long)) {
				return -EINVAL;
			}
			if (n_labels + 1 < DTS_MAX_LABELS) { /* room for dts_endpoint */
				labels[n_labels] = l;
			} else {
				too_long = true;
			}
			n_labels++;
			skip_blanks(&p, end);
			if (p < end && *p == ',') {
				p++;
			} else if (p < end && *p == '}') {
				p++;
				break;
			} else {
				return -EINVAL;
			}
		}
	}
	skip_blanks(&p, end);
	n = 0;
	while (p < end && *p != ' ' && *p != '\t' && n + 1 < sizeof(num)) {
		num[n++] = *p++;
	}
	num[n] = '\0';
	if (n == 0) {
		return -EINVAL;
	}
	v = strtod(num, &e);
	if (*e != '\0') {
		return -EINVAL;
	}
	/* An optional time stamp follows; the value is what counts here. */
	if (too_long) {
		(*skipped)++;
		return 0;
	}
	/*
	 * The sample's family and type, so that it renders under the very name it
	 * came with: a counter's sample ends in _total (the exposition adds it
	 * back; a counter named without it stays untyped), a summary's or
	 * histogram's samples are the family's name with or without a suffix.
	 */
	f = family_of(ps, name, false);
	if (has_suffix(name, "_total", base, sizeof(base)) &&
	    ((f != NULL && f->type == PT_COUNTER) ||
	     ((fb = family_of(ps, base, false)) != NULL && fb->type == PT_COUNTER))) {
		kind = DTS_COUNTER;
		family = base;
	} else if (f != NULL && (f->type == PT_SUMMARY || f->type == PT_HISTOGRAM)) {
		kind = f->type == PT_SUMMARY ? DTS_SUMMARY : DTS_HISTOGRAM;
	} else {
		static const char *const sfx[] = {"_bucket", "_sum", "_count", "_created"};

		for (size_t i = 0; i < ARRAY_SIZE(sfx) && kind == DTS_UNTYPED; i++) {
			if (has_suffix(name, sfx[i], base, sizeof(base)) &&
			    (fb = family_of(ps, base, false)) != NULL &&
			    (fb->type == PT_SUMMARY || fb->type == PT_HISTOGRAM)) {
				kind = fb->type == PT_SUMMARY ? DTS_SUMMARY : DTS_HISTOGRAM;
				family = base;
				suffix = sfx[i];
			}
		}
		if (kind == DTS_UNTYPED && f != NULL && f->type == PT_GAUGE) {
			kind = DTS_GAUGE;
		}
	}
	if (fb != NULL && family == base) {
		f = fb;
	}
	snprintf(dname, sizeof(dname), "%s%s%s", prefix != NULL ? prefix : "",
		 prefix != NULL ? ":" : "", name);
	s = dts_snapshot_add(snap, family, f != NULL && f->help[0] ? f->help : "(prometheus_aggr)",
			     kind, dname, tag, 0);
	if (s == NULL) {
		return -ENOMEM;
	}
	memcpy(s->labels, labels, n_labels * sizeof(labels[0]));
	s->n_labels = n_labels;
	s->d = v;
	s->fractional = kind == DTS_COUNTER;
	dpu_strscpy(s->suffix, suffix, sizeof(s->suffix));
	return 0;
}

int dts_prom_parse(const char *text, size_t len, const char *tag, const char *prefix,
		   struct dts_snapshot *snap, size_t *skipped, char *err, size_t err_size)
{
	struct parse ps = {0};
	const char *p = text, *end = text + len;
	unsigned int line = 0;
	int rc = 0;

	while (rc == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;
		const char *q = p;

		line++;
		if (le > q && le[-1] == '\r') {
			le--;
		}
		skip_blanks(&q, le);
		if (q < le && *q == '#') {
			rc = comment(&ps, q, le);
		} else if (q < le) {
			rc = sample(&ps, q, le, tag, prefix, snap, skipped);
		}
		if (rc == -EINVAL) {
			snprintf(err, err_size, "line %u: not a valid sample or comment", line);
		}
		p = nl != NULL ? nl + 1 : end;
	}
	free(ps.fam);
	return rc;
}

/* ---------------------------------------------------------------- scraping */

/*
 * libcurl, loaded when prometheus_aggr starts: linked in, it and what it
 * pulls (Kerberos, LDAP, SSH, ...) would cost every dpu-telemetry ~3 MB
 * of memory whether it scrapes or not.
 */
static struct {
	void *lib;
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *curl);
	const char *(*easy_strerror)(CURLcode code);
} cu;

static int load_curl(void)
{
	static const char *const names[] = {"libcurl-gnutls.so.4", "libcurl.so.4"};
	struct {
		const char *sym;
		void **fn;
	} syms[] = {
		{"curl_global_init", (void **)&cu.global_init},
		{"curl_global_cleanup", (void **)&cu.global_cleanup},
		{"curl_easy_init", (void **)&cu.easy_init},
		{"curl_easy_setopt", (void **)&cu.easy_setopt},
		{"curl_easy_perform", (void **)&cu.easy_perform},
		{"curl_easy_getinfo", (void **)&cu.easy_getinfo},
		{"curl_easy_cleanup", (void **)&cu.easy_cleanup},
		{"curl_easy_strerror", (void **)&cu.easy_strerror},
	};

	if (cu.lib != NULL) {
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(names) && cu.lib == NULL; i++) {
		cu.lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	}
	if (cu.lib == NULL) {
		log_err("prometheus_aggr: no libcurl (%s)", dlerror());
		return -ENOENT;
	}
	for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
		*syms[i].fn = dlsym(cu.lib, syms[i].sym);
		if (*syms[i].fn == NULL) {
			log_err("prometheus_aggr: libcurl without %s", syms[i].sym);
			dlclose(cu.lib);
			cu.lib = NULL;
			return -ENOENT;
		}
	}
	return 0;
}

struct target {
	char name[64], url[256];
	/* the last scrape: under the lock */
	struct dts_snapshot snap;
	bool up;
	double duration;
	size_t skipped;
};

struct dts_paggr {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool quit;
	uint64_t period_ms;
	size_t n;
	struct target t[DTS_AGGR_MAX_ENDPOINTS];
};

struct body {
	char *buf;
	size_t len, cap;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;

	if (b->len + n + 1 > MAX_BODY) {
		return 0; /* too large: the transfer fails */
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = DPU_MAX(b->cap * 2, b->len + n + 1);
		char *nb = realloc(b->buf, cap);

		if (nb == NULL) {
			return 0;
		}
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return n;
}

static void scrape(struct dts_paggr *pa, struct target *t, CURL *curl)
{
	struct body b = {0};
	struct dts_snapshot snap;
	uint64_t t0 = dpu_time_mono_ns();
	char err[128] = "";
	size_t skipped = 0;
	long status = 0;
	bool ok;
	CURLcode cc;

	dts_snapshot_init(&snap);
	cu.easy_setopt(curl, CURLOPT_URL, t->url);
	cu.easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)DPU_MIN(pa->period_ms, 2000));
	cu.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	cu.easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	cu.easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	cc = cu.easy_perform(curl);
	cu.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	ok = cc == CURLE_OK && status == 200;
	if (ok && dts_prom_parse(b.buf != NULL ? b.buf : "", b.len, "prometheus_aggr", t->name,
				 &snap, &skipped, err, sizeof(err)) < 0) {
		log_warn_rl("prometheus_aggr %s (%s): %s", t->name, t->url,
			    err[0] ? err : "out of memory");
		ok = false;
	} else if (!ok) {
		log_warn_rl("prometheus_aggr %s (%s): %s", t->name, t->url,
			    cc != CURLE_OK ? cu.easy_strerror(cc) : "HTTP status not 200");
	}
	free(b.buf);
	pthread_mutex_lock(&pa->lock);
	t->up = ok;
	t->duration = (double)(dpu_time_mono_ns() - t0) / 1e9;
	if (ok) {
		dts_snapshot_free(&t->snap);
		t->snap = snap; /* the last good scrape stays until the next one */
		t->skipped = skipped;
	} else {
		dts_snapshot_free(&snap);
	}
	pthread_mutex_unlock(&pa->lock);
}

static void *scraper(void *arg)
{
	struct dts_paggr *pa = arg;
	CURL *curl = cu.easy_init();

	pthread_mutex_lock(&pa->lock);
	while (!pa->quit) {
		struct timespec until;

		pthread_mutex_unlock(&pa->lock);
		for (size_t i = 0; curl != NULL && i < pa->n; i++) {
			scrape(pa, &pa->t[i], curl);
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)(pa->period_ms / 1000);
		until.tv_nsec += (long)(pa->period_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&pa->lock);
		while (!pa->quit &&
		       pthread_cond_timedwait(&pa->cond, &pa->lock, &until) != ETIMEDOUT) {
		}
	}
	pthread_mutex_unlock(&pa->lock);
	if (curl != NULL) {
		cu.easy_cleanup(curl);
	}
	return NULL;
}

int dts_paggr_start(const struct dts_config *cfg, uint64_t period_ms, struct dts_paggr **pp)
{
	struct dts_paggr *pa = calloc(1, sizeof(*pa));
	int rc;

	if (pa == NULL) {
		return -ENOMEM;
	}
	/* Once, from the main thread, before the scraper thread uses libcurl. */
	if (load_curl() < 0) {
		free(pa);
		return -ENOENT;
	}
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(pa);
		return -ENOMEM;
	}
	pa->period_ms = period_ms;
	pa->n = cfg->n_aggr;
	for (size_t i = 0; i < pa->n; i++) {
		dpu_strscpy(pa->t[i].name, cfg->aggr[i].name, sizeof(pa->t[i].name));
		dpu_strscpy(pa->t[i].url, cfg->aggr[i].url, sizeof(pa->t[i].url));
		dts_snapshot_init(&pa->t[i].snap);
	}
	pthread_mutex_init(&pa->lock, NULL);
	pthread_cond_init(&pa->cond, NULL);
	rc = pthread_create(&pa->thread, NULL, scraper, pa);
	if (rc != 0) {
		pthread_mutex_destroy(&pa->lock);
		pthread_cond_destroy(&pa->cond);
		cu.global_cleanup();
		free(pa);
		return -rc;
	}
	*pp = pa;
	return 0;
}

void dts_paggr_stop(struct dts_paggr *pa)
{
	if (pa == NULL) {
		return;
	}
	pthread_mutex_lock(&pa->lock);
	pa->quit = true;
	pthread_cond_signal(&pa->cond);
	pthread_mutex_unlock(&pa->lock);
	pthread_join(pa->thread, NULL);
	for (size_t i = 0; i < pa->n; i++) {
		dts_snapshot_free(&pa->t[i].snap);
	}
	pthread_mutex_destroy(&pa->lock);
	pthread_cond_destroy(&pa->cond);
	cu.global_cleanup();
	free(pa);
}

bool dts_paggr_same(const struct dts_paggr *pa, const struct dts_config *cfg, uint64_t period_ms)
{
	if (pa->period_ms != period_ms || pa->n != cfg->n_aggr) {
		return false;
	}
	for (size_t i = 0; i < pa->n; i++) {
		if (strcmp(pa->t[i].name, cfg->aggr[i].name) != 0 ||
		    strcmp(pa->t[i].url, cfg->aggr[i].url) != 0) {
			return false;
		}
	}
	return true;
}

static int add_own(struct dts_snapshot *snap, const struct target *t, const char *what,
		   const char *help, double v)
{
	char family[64], dname[128];
	struct dts_series *s;

	snprintf(family, sizeof(family), "dts_prom_aggr_%s", what);
	snprintf(dname, sizeof(dname), "%s:%s", t->name, what);
	s = dts_snapshot_add(snap, family, help, DTS_GAUGE, dname, "prometheus_aggr", 1, LABEL_NAME,
			     t->name);
	if (s == NULL) {
		return -ENOMEM;
	}
	s->d = v;
	return 0;
}

int dts_paggr_collect(struct dts_paggr *pa, struct dts_snapshot *snap)
{
	int rc = 0;

	if (pa == NULL) {
		return 0;
	}
	pthread_mutex_lock(&pa->lock);
	for (size_t i = 0; rc == 0 && i < pa->n; i++) {
		const struct target *t = &pa->t[i];

		for (size_t j = 0; rc == 0 && j < t->snap.n; j++) {
			const struct dts_series *src = &t->snap.s[j];
			struct dts_series *s =
				dts_snapshot_add(snap, src->family, src->help, src->kind,
						 src->dts_name, src->tag, 0);

			if (s == NULL) {
				rc = -ENOMEM;
				break;
			}
			*s = *src;
			dpu_strscpy(s->labels[s->n_labels].key, LABEL_NAME,
				    sizeof(s->labels[0].key));
			dpu_strscpy(s->labels[s->n_labels].value, t->name,
				    sizeof(s->labels[0].value));
			s->n_labels++;
		}
		if (rc == 0) {
			rc = add_own(snap, t, "up", "1 when the last scrape of the endpoint worked",
				     t->up);
		}
		if (rc == 0) {
			rc = add_own(snap, t, "scrape_duration_seconds",
				     "how long the last scrape took", t->duration);
		}
		if (rc == 0) {
			rc = add_own(snap, t, "samples", "samples taken from the endpoint",
				     (double)t->snap.n);
		}
		if (rc == 0) {
			rc = add_own(snap, t, "skipped_samples",
				     "samples left out (too many labels, too long)",
				     (double)t->skipped);
		}
	}
	pthread_mutex_unlock(&pa->lock);
	return rc;
}
