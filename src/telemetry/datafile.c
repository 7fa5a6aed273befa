/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DPU_LOG_MODULE "dts-data"
#include "common/daemon.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "telemetry/datafile.h"
#include "telemetry/ipc.h"

struct dts_dfile {
	char dir[PATH_MAX - 160], prefix[128];
	uint64_t max_bytes, max_age_ns;
	int fd;
	uint64_t opened_ns, bytes, files, errors;
	unsigned int seq;
	uint8_t *pre;
	size_t pre_len, pre_cap;
};

int dts_dfile_create(const char *dir, const char *prefix, uint64_t max_bytes, uint64_t max_age_ms,
		     struct dts_dfile **fp)
{
	struct dts_dfile *f = calloc(1, sizeof(*f));
	int rc;

	if (f == NULL) {
		return -ENOMEM;
	}
	if (dpu_strscpy(f->dir, dir, sizeof(f->dir)) < 0 ||
	    dpu_strscpy(f->prefix, prefix, sizeof(f->prefix)) < 0) {
		free(f);
		return -ENAMETOOLONG;
	}
	rc = dpu_mkdir_p(dir, 0755);
	if (rc < 0) {
		free(f);
		return rc;
	}
	f->max_bytes = max_bytes;
	f->max_age_ns = max_age_ms * DPU_NSEC_PER_MSEC;
	f->fd = -1;
	*fp = f;
	return 0;
}

void dts_dfile_destroy(struct dts_dfile *f)
{
	if (f == NULL) {
		return;
	}
	if (f->fd >= 0) {
		close(f->fd);
	}
	free(f->pre);
	free(f);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return n < 0 ? -errno : -EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new file: the magic and the preamble (HELLO, TYPEs) first. */
static int rotate(struct dts_dfile *f)
{
	char path[PATH_MAX + 256], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	snprintf(path, sizeof(path), "%s/%s-%s-%u.dts", f->dir, f->prefix, stamp, f->seq++);
	f->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (f->fd < 0) {
		rc = -errno;
		log_err_rl("%s: %s", path, strerror(-rc));
		return rc;
	}
	f->opened_ns = dpu_time_mono_ns();
	f->bytes = DTS_DFILE_MAGIC_LEN + f->pre_len;
	f->files++;
	rc = write_all(f->fd, DTS_DFILE_MAGIC, DTS_DFILE_MAGIC_LEN);
	if (rc == 0 && f->pre_len > 0) {
		rc = write_all(f->fd, f->pre, f->pre_len);
	}
	return rc;
}

static int keep(struct dts_dfile *f, const void *msg, size_t len)
{
	if (f->pre_len + len > f->pre_cap) {
		size_t cap = DPU_MAX(f->pre_cap * 2, f->pre_len + len);
		uint8_t *np = realloc(f->pre, cap);

		if (np == NULL) {
			return -ENOMEM;
		}
		f->pre = np;
		f->pre_cap = cap;
	}
	memcpy(f->pre + f->pre_len, msg, len);
	f->pre_len += len;
	return 0;
}

static int put(struct dts_dfile *f, const void *msg, size_t len)
{
	uint64_t now = dpu_time_mono_ns();
	int rc = 0;

	if (f->fd < 0 ||
	    (f->max_bytes != 0 && f->bytes + len > f->max_bytes &&
	     f->bytes > DTS_DFILE_MAGIC_LEN + f->pre_len) ||
	    (f->max_age_ns != 0 && now - f->opened_ns >= f->max_age_ns)) {
		rc = rotate(f);
	}
	if (rc == 0) {
		rc = write_all(f->fd, msg, len);
	}
	if (rc < 0) {
		f->errors++;
		return rc;
	}
	f->bytes += len;
	return 0;
}

int dts_dfile_preamble_reset(struct dts_dfile *f, const void *msg, size_t len)
{
	f->pre_len = 0;
	if (keep(f, msg, len) < 0) {
		return -ENOMEM;
	}
	/* A new source (or the same one again): its data starts a file. */
	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
	return 0;
}

int dts_dfile_preamble_add(struct dts_dfile *f, const void *msg, size_t len)
{
	if (keep(f, msg, len) < 0) {
		return -ENOMEM;
	}
	return f->fd >= 0 ? put(f, msg, len) : 0;
}

int dts_dfile_write(struct dts_dfile *f, const void *msg, size_t len)
{
	return put(f, msg, len);
}

uint64_t dts_dfile_files(const struct dts_dfile *f)
{
	return f->files;
}

uint64_t dts_dfile_errors(const struct dts_dfile *f)
{
	return f->errors;
}

/* ---- reading ---- */

struct rtype {
	bool defined;
	char name[DTS_IPC_NAME];
	unsigned int n;
	char fname[DTS_IPC_MAX_FIELDS][DTS_IPC_NAME];
	struct dts_ipc_field_view f[DTS_IPC_MAX_FIELDS];
	size_t rec_size;
};

struct rstate {
	char source[DTS_IPC_NAME], schema[DTS_IPC_NAME];
	struct rtype t[DTS_IPC_MAX_TYPES];
	dts_dfile_record_fn *fn;
	void *arg;
};

static bool good_name(const char *n, size_t size)
{
	size_t len = strnlen(n, size);

	if (len == 0 || len == size) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (n[i] < 0x21 || n[i] > 0x7e) {
			return false;
		}
	}
	return true;
}

/* One message; NULL or the reason it is not a good one. */
static const char *take(struct rstate *r, enum dts_ipc_kind kind, const uint8_t *p, size_t len)
{
	if (kind == DTS_IPC_HELLO) {
		struct dts_ipc_hello h;

		if (len != sizeof(h)) {
			return "HELLO of the wrong size";
		}
		memcpy(&h, p, sizeof(h));
		if (!good_name(h.source_id, sizeof(h.source_id)) ||
		    !good_name(h.schema, sizeof(h.schema))) {
			return "HELLO: a bad source id or schema";
		}
		dpu_strscpy(r->source, h.source_id, sizeof(r->source));
		dpu_strscpy(r->schema, h.schema, sizeof(r->schema));
		memset(r->t, 0, sizeof(r->t));
		return NULL;
	}
	if (kind == DTS_IPC_TYPE) {
		struct dts_ipc_type th;
		struct rtype *t;

		if (len < sizeof(th)) {
			return "TYPE shorter than its header";
		}
		memcpy(&th, p, sizeof(th));
		if (th.index >= DTS_IPC_MAX_TYPES || th.n_fields == 0 ||
		    th.n_fields > DTS_IPC_MAX_FIELDS ||
		    len != sizeof(th) + th.n_fields * sizeof(struct dts_ipc_field) ||
		    !good_name(th.name, sizeof(th.name))) {
			return "TYPE: bad index, field count, length or name";
		}
		t = &r->t[th.index];
		memset(t, 0, sizeof(*t));
		dpu_strscpy(t->name, th.name, sizeof(t->name));
		t->n = th.n_fields;
		for (unsigned int i = 0; i < t->n; i++) {
			struct dts_ipc_field f;
			size_t sz;

			memcpy(&f, p + sizeof(th) + i * sizeof(f), sizeof(f));
			sz = dts_ipc_ftype_size(f.ftype);
			if (!good_name(f.name, sizeof(f.name)) || sz == 0 || f.count == 0) {
				t->defined = false;
				return "TYPE: a field with a bad name, type or array length";
			}
			dpu_strscpy(t->fname[i], f.name, sizeof(t->fname[i]));
			t->f[i].name = t->fname[i];
			t->f[i].ftype = f.ftype;
			t->f[i].count = f.count;
			t->f[i].offset = t->rec_size;
			t->rec_size += sz * f.count;
		}
		t->defined = true;
		return NULL;
	}
	if (kind == DTS_IPC_RECORDS) {
		struct dts_ipc_records h;
		const struct rtype *t;

		if (len < sizeof(h)) {
			return "RECORDS shorter than its header";
		}
		memcpy(&h, p, sizeof(h));
		if (h.type_index >= DTS_IPC_MAX_TYPES || !r->t[h.type_index].defined) {
			return "RECORDS of a type never defined in this file";
		}
		t = &r->t[h.type_index];
		if ((uint64_t)h.n * t->rec_size != len - sizeof(h)) {
			return "RECORDS: length is not count x record size";
		}
		for (uint32_t i = 0; i < h.n; i++) {
			r->fn(r->arg, r->source, r->schema, t->name, t->f, t->n, h.timestamp_us,
			      p + sizeof(h) + (size_t)i * t->rec_size);
		}
		return NULL;
	}
	return "not a message a data file holds";
}

int dts_dfile_parse(const uint8_t *d, size_t len, dts_dfile_record_fn *fn, void *arg,
		    size_t *bad_off, const char **why)
{
	struct rstate *r = calloc(1, sizeof(*r));
	size_t off = DTS_DFILE_MAGIC_LEN;
	int rc = 0;

	if (r == NULL) {
		*bad_off = 0;
		*why = "out of memory";
		return -ENOMEM;
	}
	r->fn = fn;
	r->arg = arg;
	if (len < DTS_DFILE_MAGIC_LEN || memcmp(d, DTS_DFILE_MAGIC, DTS_DFILE_MAGIC_LEN) != 0) {
		*bad_off = 0;
		*why = "not a dpu-telemetry data file";
		free(r);
		return -EINVAL;
	}
	while (off < len) {
		struct dts_ipc_hdr h;
		enum dts_ipc_kind kind;
		const uint8_t *p;
		size_t plen, mlen = 0;
		const char *bad = NULL;

		if (len - off < sizeof(h)) {
			bad = "a message header cut short";
		} else {
			memcpy(&h, d + off, sizeof(h));
			mlen = sizeof(h) + h.len;
			if (h.len > len - off - sizeof(h)) {
				bad = "a message cut short";
			} else if (dts_ipc_parse(d + off, mlen, &kind, &p, &plen, &bad) == 0) {
				bad = take(r, kind, p, plen);
			}
		}
		if (bad != NULL) {
			*bad_off = off;
			*why = bad;
			rc = -EINVAL;
			break;
		}
		off += mlen;
	}
	free(r);
	return rc;
}
