/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/cfg.h"

void dpu_cfg_err_clear(struct dpu_cfg_err *err)
{
	if (err != NULL) {
		memset(err, 0, sizeof(*err));
	}
}

int dpu_cfg_err_set(struct dpu_cfg_err *err, const char *file, int line, const char *path,
		    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL) {
		return -EINVAL;
	}
	dpu_cfg_err_clear(err);
	dpu_strscpy(err->file, file ? file : "", sizeof(err->file));
	err->line = line;
	dpu_strscpy(err->path, path ? path : "", sizeof(err->path));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *dpu_cfg_err_str(const struct dpu_cfg_err *err, char *buf, size_t size)
{
	size_t n = 0;
	int w;

	if (size == 0) {
		return buf;
	}
	buf[0] = '\0';
#define APPEND(...)                                                                                \
	do {                                                                                       \
		w = snprintf(buf + n, size - n, __VA_ARGS__);                                      \
		if (w < 0 || (size_t)w >= size - n) {                                              \
			return buf;                                                                \
		}                                                                                  \
		n += (size_t)w;                                                                    \
	} while (0)
	if (err->file[0] != '\0') {
		APPEND("%s", err->file);
		if (err->line > 0) {
			APPEND(":%d", err->line);
			if (err->column > 0) {
				APPEND(":%d", err->column);
			}
		}
		APPEND(": ");
	} else if (err->line > 0) {
		APPEND("line %d: ", err->line);
	}
	if (err->path[0] != '\0') {
		APPEND("%s: ", err->path);
	}
	APPEND("%s", err->msg[0] ? err->msg : "invalid configuration");
#undef APPEND
	return buf;
}

int dpu_cfg_read_file(const char *path, size_t max, char **text, size_t *len,
		      struct dpu_cfg_err *err)
{
	struct stat st;
	FILE *fp;
	char *buf;
	size_t got;
	int rc;

	fp = fopen(path, "re");
	if (fp == NULL) {
		rc = -errno;
		dpu_cfg_err_set(err, path, 0, NULL, "cannot open: %s", strerror(-rc));
		return rc;
	}
	if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		return dpu_cfg_err_set(err, path, 0, NULL, "not a regular file");
	}
	if ((uint64_t)st.st_size > max) {
		fclose(fp);
		return dpu_cfg_err_set(err, path, 0, NULL, "larger than %zu bytes", max);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		fclose(fp);
		return -ENOMEM;
	}
	got = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return 0;
}

static void set_why(const char **why, const char *text)
{
	if (why != NULL) {
		*why = text;
	}
}

int dpu_cfg_parse_bool(const char *text, bool *out, const char **why)
{
	static const char *const yes[] = {"1", "true", "yes", "on", "enable", "enabled"};
	static const char *const no[] = {"0", "false", "no", "off", "disable", "disabled"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	set_why(why, "expected true/false, yes/no, on/off or 1/0");
	return -EINVAL;
}

int dpu_cfg_parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out, const char **why)
{
	unsigned long long v;
	char *end;

	/* strtoull() accepts a leading '-' and wraps; refuse it, and blanks. */
	if (text[0] == '\0' || isspace((unsigned char)text[0]) || text[0] == '-' ||
	    text[0] == '+') {
		set_why(why, "expected a non-negative integer");
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(text, &end, 0);
	if (*end != '\0') {
		set_why(why, "expected a non-negative integer");
		return -EINVAL;
	}
	if (errno == ERANGE || v < min || v > max) {
		set_why(why, "out of range");
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int dpu_cfg_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out, const char **why)
{
	long long v;
	char *end;

	if (text[0] == '\0' || isspace((unsigned char)text[0])) {
		set_why(why, "expected an integer");
		return -EINVAL;
	}
	errno = 0;
	v = strtoll(text, &end, 0);
	if (*end != '\0') {
		set_why(why, "expected an integer");
		return -EINVAL;
	}
	if (errno == ERANGE || v < min || v > max) {
		set_why(why, "out of range");
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int dpu_cfg_parse_hostport(const char *text, char *host, size_t host_size, uint16_t *port,
			   const char **why)
{
	const char *p = text;
	const char *h_end;
	const char *colon;
	uint64_t v;
	size_t hlen;

	if (strncasecmp(p, "http://", 7) == 0) {
		p += 7;
	} else if (strncasecmp(p, "https://", 8) == 0) {
		p += 8;
	} else if (strstr(p, "://") != NULL) {
		set_why(why, "unsupported URL scheme (expected http:// or host:port)");
		return -EINVAL;
	}
	if (*p == '[') {
		h_end = strchr(p, ']');
		if (h_end == NULL || h_end[1] != ':') {
			set_why(why, "expected [IPv6]:port");
			return -EINVAL;
		}
		p++;
		colon = h_end + 1;
	} else {
		colon = strchr(p, ':');
		if (colon == NULL) {
			set_why(why, "expected host:port");
			return -EINVAL;
		}
		h_end = colon;
	}
	hlen = (size_t)(h_end - p);
	if (hlen == 0 || hlen >= host_size) {
		set_why(why, hlen == 0 ? "empty host" : "host name too long");
		return -EINVAL;
	}
	char digits[8];
	const char *d = colon + 1;
	size_t dlen = strcspn(d, "/");

	if (dlen == 0 || dlen >= sizeof(digits)) {
		set_why(why, "expected a port number 1-65535");
		return -EINVAL;
	}
	memcpy(digits, d, dlen);
	digits[dlen] = '\0';
	if (dpu_cfg_parse_u64(digits, 1, 65535, &v, NULL) < 0) {
		set_why(why, "expected a port number 1-65535");
		return -EINVAL;
	}
	memcpy(host, p, hlen);
	host[hlen] = '\0';
	*port = (uint16_t)v;
	return 0;
}

void dpu_cfg_walk_init(struct dpu_cfg_walk *w, const char *file, struct dpu_cfg_err *err)
{
	w->file = file ? file : "";
	w->err = err;
	w->path[0] = '$';
	w->path[1] = '\0';
	w->len = 1;
}

static size_t walk_append(struct dpu_cfg_walk *w, const char *fmt, ...) DPU_PRINTF(2, 3);

static size_t walk_append(struct dpu_cfg_walk *w, const char *fmt, ...)
{
	size_t mark = w->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(w->path + w->len, sizeof(w->path) - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(w->path) - w->len) {
		/* Keep the path readable when it is too deep to print whole. */
		w->len = sizeof(w->path) - 4;
		memcpy(w->path + w->len, "...", 4);
		w->len += 3;
	} else {
		w->len += (size_t)n;
	}
	return mark;
}

static bool plain_key(const char *key)
{
	if (*key == '\0') {
		return false;
	}
	for (const char *p = key; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') {
			return false;
		}
	}
	return true;
}

size_t dpu_cfg_walk_key(struct dpu_cfg_walk *w, const char *key)
{
	if (plain_key(key)) {
		return walk_append(w, ".%s", key);
	}
	return walk_append(w, "[\"%s\"]", key);
}

size_t dpu_cfg_walk_index(struct dpu_cfg_walk *w, size_t index)
{
	return walk_append(w, "[%zu]", index);
}

void dpu_cfg_walk_pop(struct dpu_cfg_walk *w, size_t mark)
{
	if (mark < w->len) {
		w->len = mark;
		w->path[mark] = '\0';
	}
}

static int walk_verror(struct dpu_cfg_walk *w, int line, const char *fmt, va_list ap)
	DPU_PRINTF(3, 0);

static int walk_verror(struct dpu_cfg_walk *w, int line, const char *fmt, va_list ap)
{
	if (w->err == NULL) {
		return -EINVAL;
	}
	dpu_cfg_err_clear(w->err);
	dpu_strscpy(w->err->file, w->file, sizeof(w->err->file));
	dpu_strscpy(w->err->path, w->path, sizeof(w->err->path));
	w->err->line = line;
	vsnprintf(w->err->msg, sizeof(w->err->msg), fmt, ap);
	return -EINVAL;
}

int dpu_cfg_walk_error(struct dpu_cfg_walk *w, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = walk_verror(w, 0, fmt, ap);
	va_end(ap);
	return rc;
}

int dpu_cfg_walk_error_at(struct dpu_cfg_walk *w, int line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = walk_verror(w, line, fmt, ap);
	va_end(ap);
	return rc;
}
