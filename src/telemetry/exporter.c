/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/timeutil.h"
#include "common/util.h"
#include "telemetry/datafile.h"
#include "telemetry/exporter.h"
#include "telemetry/ipc.h"

/* Batches held unacknowledged: 8 buffers, and at least this many bytes. */
#define PENDING_BUFFERS 8
#define PENDING_MIN (256 * 1024)

struct dpu_te_field {
	char name[DTS_IPC_NAME];
	char desc[128];
	unsigned int ftype;
	uint16_t count;
};

struct dpu_te_type {
	char name[DTS_IPC_NAME];
	size_t n;
	struct dpu_te_field f[DTS_IPC_MAX_FIELDS];
	size_t rec_size;
};

struct dpu_te_schema {
	char name[DTS_IPC_NAME];
	uint64_t buf_size;
	bool ipc;
	char sockets_dir[PATH_MAX - 32];
	uint32_t reconnect_ms, timeout_ms;
	uint8_t tries;
	bool ring;
	bool started;
	size_t n_types;
	struct dpu_te_type *types[DTS_IPC_MAX_TYPES];
	/* binary data files (datafile.h), written by each source */
	bool file_write;
	char file_dir[PATH_MAX];
	size_t file_max_size;
	uint64_t file_max_age_us;
};

struct pending {
	struct pending *next;
	uint64_t seq;
	uint32_t n; /* records */
	bool sent;
	size_t len;
	uint8_t msg[];
};

struct dpu_te_source {
	struct dpu_te_schema *schema;
	char id[DTS_IPC_NAME], tag[DTS_IPC_NAME];
	bool started;
	int fd;
	uint64_t last_try_ns;
	/*
	 * The batches being filled, one per type (made on first use): each is
	 * the RECORDS message it becomes, records written at REC_OFF.
	 */
	struct {
		struct pending *p;
		size_t len;
		uint32_t n;
	} batch[DTS_IPC_MAX_TYPES];
	/* sent or to send, until acknowledged */
	struct pending *head, *tail;
	size_t pending_bytes;
	uint64_t next_seq;
	struct dpu_te_stats st;
	struct dts_dfile *file; /* with file writing */
	/* the record ring, made at each connect (NULL: records over the socket) */
	struct dts_ipc_ring_hdr *ring;
	uint8_t *ring_data;
	uint32_t ring_size;
};

/* Where a batch's records start in its message. */
#define REC_OFF (sizeof(struct dts_ipc_hdr) + sizeof(struct dts_ipc_records))

/* ---- schema, types, fields ---- */

int dpu_te_schema_init(const char *name, struct dpu_te_schema **schemap)
{
	struct dpu_te_schema *s;
	char base[PATH_MAX - 64];

	if (name == NULL || name[0] == '\0' || strlen(name) >= DTS_IPC_NAME || schemap == NULL) {
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return -ENOMEM;
	}
	dpu_strscpy(s->name, name, sizeof(s->name));
	s->buf_size = DPU_TE_BUF_SIZE_DEFAULT;
	s->reconnect_ms = DPU_TE_RECONNECT_MS_DEFAULT;
	s->tries = DPU_TE_RECONNECT_TRIES_DEFAULT;
	s->ring = true;
	s->timeout_ms = DPU_TE_SOCKET_TIMEOUT_MS_DEFAULT;
	if (dpu_rundir_default(base, sizeof(base)) == 0) {
		snprintf(s->sockets_dir, sizeof(s->sockets_dir), "%s/telemetry/ipc_sockets", base);
		snprintf(s->file_dir, sizeof(s->file_dir), "%s/telemetry/data", base);
	}
	s->file_max_size = DPU_TE_FILE_MAX_SIZE_DEFAULT;
	s->file_max_age_us = DPU_TE_FILE_MAX_AGE_US_DEFAULT;
	*schemap = s;
	return 0;
}

void dpu_te_schema_set_buf_size(struct dpu_te_schema *s, uint64_t size)
{
	/* A message must fit a datagram; a buffer must hold something. */
	s->buf_size =
		size < 256 ? 256 : (size > DTS_IPC_MAX_MSG - 256 ? DTS_IPC_MAX_MSG - 256 : size);
}

uint64_t dpu_te_schema_get_buf_size(const struct dpu_te_schema *s)
{
	return s->buf_size;
}

void dpu_te_schema_set_ipc_enabled(struct dpu_te_schema *s)
{
	s->ipc = true;
}

int dpu_te_schema_set_ipc_sockets_dir(struct dpu_te_schema *s, const char *dir)
{
	if (dir == NULL || dpu_strscpy(s->sockets_dir, dir, sizeof(s->sockets_dir)) < 0) {
		return -EINVAL;
	}
	return 0;
}

const char *dpu_te_schema_get_ipc_sockets_dir(const struct dpu_te_schema *s)
{
	return s->sockets_dir;
}

void dpu_te_schema_set_ipc_reconnect_time(struct dpu_te_schema *s, uint32_t ms)
{
	s->reconnect_ms = ms;
}

void dpu_te_schema_set_ipc_reconnect_tries(struct dpu_te_schema *s, uint8_t tries)
{
	s->tries = tries ? tries : 1;
}

void dpu_te_schema_set_ipc_ring(struct dpu_te_schema *s, bool enabled)
{
	s->ring = enabled;
}

void dpu_te_schema_set_ipc_socket_timeout(struct dpu_te_schema *s, uint32_t ms)
{
	s->timeout_ms = ms;
}

int dpu_te_schema_set_file_write_enabled(struct dpu_te_schema *s)
{
	if (s == NULL || s->started) {
		return -EINVAL;
	}
	s->file_write = true;
	return 0;
}

int dpu_te_schema_set_file_write_path(struct dpu_te_schema *s, const char *dir)
{
	if (s == NULL || dir == NULL || dpu_strscpy(s->file_dir, dir, sizeof(s->file_dir)) < 0) {
		return -EINVAL;
	}
	return 0;
}

void dpu_te_schema_set_file_write_max_size(struct dpu_te_schema *s, size_t size)
{
	s->file_max_size = size;
}

void dpu_te_schema_set_file_write_max_age(struct dpu_te_schema *s, uint64_t max_age_us)
{
	s->file_max_age_us = max_age_us;
}

int dpu_te_type_create(struct dpu_te_type **typep)
{
	if (typep == NULL) {
		return -EINVAL;
	}
	*typep = calloc(1, sizeof(**typep));
	return *typep != NULL ? 0 : -ENOMEM;
}

void dpu_te_type_destroy(struct dpu_te_type *type)
{
	free(type);
}

int dpu_te_field_create(struct dpu_te_field **fieldp)
{
	if (fieldp == NULL) {
		return -EINVAL;
	}
	*fieldp = calloc(1, sizeof(**fieldp));
	if (*fieldp == NULL) {
		return -ENOMEM;
	}
	(*fieldp)->count = 1;
	return 0;
}

void dpu_te_field_destroy(struct dpu_te_field *field)
{
	free(field);
}

int dpu_te_field_set_name(struct dpu_te_field *f, const char *name)
{
	if (f == NULL || name == NULL || name[0] == '\0' ||
	    dpu_strscpy(f->name, name, sizeof(f->name)) < 0) {
		return -EINVAL;
	}
	return 0;
}

int dpu_te_field_set_description(struct dpu_te_field *f, const char *desc)
{
	if (f == NULL || desc == NULL) {
		return -EINVAL;
	}
	dpu_strscpy(f->desc, desc, sizeof(f->desc));
	return 0;
}

int dpu_te_field_set_type_name(struct dpu_te_field *f, const char *type_name)
{
	unsigned int t = type_name != NULL ? dts_ipc_ftype_by_name(type_name) : 0;

	if (f == NULL || t == 0) {
		return -EINVAL;
	}
	f->ftype = t;
	return 0;
}

int dpu_te_field_set_array_len(struct dpu_te_field *f, uint16_t len)
{
	if (f == NULL || len == 0) {
		return -EINVAL;
	}
	f->count = len;
	return 0;
}

int dpu_te_type_add_field(struct dpu_te_type *type, struct dpu_te_field *field)
{
	int rc = 0;

	if (type == NULL || field == NULL || field->name[0] == '\0' || field->ftype == 0) {
		rc = -EINVAL;
	} else if (type->n == DTS_IPC_MAX_FIELDS) {
		rc = -ENOSPC;
	} else {
		for (size_t i = 0; i < type->n; i++) {
			if (strcmp(type->f[i].name, field->name) == 0) {
				rc = -EEXIST;
			}
		}
	}
	if (rc == 0) {
		type->f[type->n++] = *field;
		type->rec_size += dts_ipc_ftype_size(field->ftype) * field->count;
	}
	free(field);
	return rc;
}

int dpu_te_open_one_type(const char *schema_name, const char *type_name, struct dpu_te_type *type,
			 const char *sockets_dir, const char *id, struct dpu_te_schema **schemap,
			 struct dpu_te_source **sourcep, uint8_t *type_index)
{
	struct dpu_te_schema *schema = NULL;
	struct dpu_te_source *src = NULL;
	int rc = dpu_te_schema_init(schema_name, &schema);

	if (rc == 0) {
		rc = dpu_te_schema_add_type(schema, type_name, type, type_index);
		type = NULL; /* the schema has it now */
	}
	if (rc == 0) {
		dpu_te_schema_set_ipc_enabled(schema);
		if (sockets_dir != NULL) {
			rc = dpu_te_schema_set_ipc_sockets_dir(schema, sockets_dir);
		}
	}
	if (rc == 0 && (rc = dpu_te_schema_start(schema)) == 0 &&
	    (rc = dpu_te_source_create(schema, &src)) == 0 &&
	    (rc = dpu_te_source_set_id(src, id)) == 0 &&
	    (rc = dpu_te_source_set_tag(src, id)) == 0) {
		rc = dpu_te_source_start(src);
	}
	if (rc < 0) {
		dpu_te_type_destroy(type);
		dpu_te_source_destroy(src);
		dpu_te_schema_destroy(schema);
		schema = NULL;
		src = NULL;
	}
	*schemap = schema;
	*sourcep = src;
	return rc;
}

int dpu_te_type_add_new_field(struct dpu_te_type *type, const char *name, const char *type_name,
			      uint16_t array_len)
{
	struct dpu_te_field *f;
	int rc = dpu_te_field_create(&f);

	if (rc == 0 && (rc = dpu_te_field_set_name(f, name)) == 0 &&
	    (rc = dpu_te_field_set_type_name(f, type_name)) == 0) {
		rc = dpu_te_field_set_array_len(f, array_len);
	}
	if (rc < 0) {
		dpu_te_field_destroy(f);
		return rc;
	}
	return dpu_te_type_add_field(type, f);
}

int dpu_te_schema_add_type(struct dpu_te_schema *s, const char *name, struct dpu_te_type *type,
			   uint8_t *index)
{
	int rc = 0;

	if (s == NULL || name == NULL || name[0] == '\0' || strlen(name) >= DTS_IPC_NAME ||
	    type == NULL || type->n == 0 || index == NULL || s->started) {
		rc = -EINVAL;
	} else if (s->n_types == DTS_IPC_MAX_TYPES) {
		rc = -ENOSPC;
	} else if (type->rec_size > s->buf_size) {
		rc = -E2BIG; /* a record must fit the buffer */
	}
	if (rc < 0) {
		free(type);
		return rc;
	}
	dpu_strscpy(type->name, name, sizeof(type->name));
	*index = (uint8_t)s->n_types;
	s->types[s->n_types++] = type;
	return 0;
}

int dpu_te_schema_start(struct dpu_te_schema *s)
{
	if (s == NULL || s->n_types == 0) {
		return -EINVAL;
	}
	s->started = true;
	return 0;
}

void dpu_te_schema_destroy(struct dpu_te_schema *s)
{
	if (s == NULL) {
		return;
	}
	for (size_t i = 0; i < s->n_types; i++) {
		free(s->types[i]);
	}
	free(s);
}

/* ---- the connection ---- */

static size_t pending_max(const struct dpu_te_source *src);

static void ring_close(struct dpu_te_source *src)
{
	if (src->ring != NULL) {
		munmap(src->ring, DTS_IPC_RING_DATA + (size_t)src->ring_size);
		src->ring = NULL;
		src->ring_data = NULL;
	}
}

/*
 * A ring as large as the batches held unacknowledged, sealed so neither
 * side can resize it under the other, handed to dpu-telemetry with RING.
 * On failure the records go over the socket.
 */
static void ring_open(struct dpu_te_source *src, size_t want)
{
	uint8_t buf[64];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct dts_ipc_ring rm;
	struct iovec iov;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;
	uint32_t size = DTS_IPC_RING_MIN;
	void *map;
	int fd;

	while (size < want && size < DTS_IPC_RING_MAX) {
		size *= 2;
	}
	fd = memfd_create("dpu-te-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		return;
	}
	if (ftruncate(fd, (off_t)DTS_IPC_RING_DATA + size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0 ||
	    (map = mmap(NULL, DTS_IPC_RING_DATA + (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
			fd, 0)) == MAP_FAILED) {
		close(fd);
		return;
	}
	src->ring = map;
	src->ring->magic = DTS_IPC_RING_MAGIC;
	src->ring->size = size;
	src->ring_data = (uint8_t *)map + DTS_IPC_RING_DATA;
	src->ring_size = size;
	rm.size = size;
	iov.iov_base = buf;
	iov.iov_len = dts_ipc_pack(buf, sizeof(buf), DTS_IPC_RING, &rm, sizeof(rm), NULL, 0);
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	if (sendmsg(src->fd, &mh, MSG_NOSIGNAL) != (ssize_t)iov.iov_len) {
		ring_close(src);
	}
	close(fd); /* the mapping (and dpu-telemetry's copy of the fd) keep it */
}

static void disconnect(struct dpu_te_source *src)
{
	if (src->fd >= 0) {
		close(src->fd);
		src->fd = -1;
	}
	ring_close(src);
	for (struct pending *p = src->head; p != NULL; p = p->next) {
		p->sent = false; /* sent again after the next HELLO */
	}
}

static int send_msg(int fd, const void *msg, size_t len)
{
	ssize_t n = send(fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0) {
		return -errno;
	}
	return (size_t)n == len ? 0 : -EIO;
}

typedef int intro_out_fn(struct dpu_te_source *src, const void *msg, size_t len, bool hello);

static int intro_to_socket(struct dpu_te_source *src, const void *msg, size_t len, bool hello)
{
	(void)hello;
	return send_msg(src->fd, msg, len);
}

static int intro_to_file(struct dpu_te_source *src, const void *msg, size_t len, bool hello)
{
	return hello ? dts_dfile_preamble_reset(src->file, msg, len)
		     : dts_dfile_preamble_add(src->file, msg, len);
}

/* HELLO and the TYPEs: what dpu-telemetry (or a data file) must know before records. */
static int introduce(struct dpu_te_source *src, intro_out_fn *out)
{
	uint8_t buf[sizeof(struct dts_ipc_hdr) + sizeof(struct dts_ipc_type) +
		    DTS_IPC_MAX_FIELDS * sizeof(struct dts_ipc_field)];
	struct dts_ipc_hello h;
	size_t len;
	int rc;

	memset(&h, 0, sizeof(h));
	dpu_strscpy(h.schema, src->schema->name, sizeof(h.schema));
	dpu_strscpy(h.source_id, src->id, sizeof(h.source_id));
	dpu_strscpy(h.tag, src->tag, sizeof(h.tag));
	len = dts_ipc_pack(buf, sizeof(buf), DTS_IPC_HELLO, &h, sizeof(h), NULL, 0);
	rc = out(src, buf, len, true);
	for (size_t i = 0; rc == 0 && i < src->schema->n_types; i++) {
		const struct dpu_te_type *t = src->schema->types[i];
		struct dts_ipc_field f[DTS_IPC_MAX_FIELDS];
		struct dts_ipc_type th;

		memset(&th, 0, sizeof(th));
		th.index = (uint16_t)i;
		th.n_fields = (uint16_t)t->n;
		dpu_strscpy(th.name, t->name, sizeof(th.name));
		memset(f, 0, sizeof(f));
		for (size_t j = 0; j < t->n; j++) {
			dpu_strscpy(f[j].name, t->f[j].name, sizeof(f[j].name));
			f[j].ftype = (uint8_t)t->f[j].ftype;
			f[j].count = t->f[j].count;
		}
		len = dts_ipc_pack(buf, sizeof(buf), DTS_IPC_TYPE, &th, sizeof(th), f,
				   t->n * sizeof(f[0]));
		rc = out(src, buf, len, false);
	}
	return rc;
}

/* Connect when it is time to try again; false when not connected. */
static bool ensure_connected(struct dpu_te_source *src)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	uint64_t now = dpu_time_mono_ns();

	if (src->fd >= 0) {
		return true;
	}
	if (!src->schema->ipc ||
	    (src->last_try_ns != 0 &&
	     now - src->last_try_ns < (uint64_t)src->schema->reconnect_ms * DPU_NSEC_PER_MSEC)) {
		return false;
	}
	src->last_try_ns = now;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", src->schema->sockets_dir,
		     DTS_IPC_SOCKET) >= (int)sizeof(sa.sun_path)) {
		return false;
	}
	for (unsigned int t = 0; t < src->schema->tries; t++) {
		src->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (src->fd < 0) {
			return false;
		}
		if (connect(src->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    introduce(src, intro_to_socket) == 0) {
			src->st.reconnects++;
			if (src->schema->ring) {
				ring_open(src, pending_max(src));
			}
			return true;
		}
		close(src->fd);
		src->fd = -1;
	}
	return false;
}

/* Take in the acknowledgements that arrived; free what they cover. */
static void read_acks(struct dpu_te_source *src)
{
	uint8_t buf[64];

	while (src->fd >= 0) {
		ssize_t n = recv(src->fd, buf, sizeof(buf), MSG_DONTWAIT);
		enum dts_ipc_kind kind;
		const uint8_t *pl;
		size_t plen;
		const char *why;
		struct dts_ipc_ack ack;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			return;
		}
		if (n <= 0 || dts_ipc_parse(buf, (size_t)n, &kind, &pl, &plen, &why) < 0 ||
		    kind != DTS_IPC_ACK || plen != sizeof(ack)) {
			disconnect(src);
			return;
		}
		memcpy(&ack, pl, sizeof(ack));
		while (src->head != NULL && src->head->seq <= ack.seq) {
			struct pending *p = src->head;

			src->head = p->next;
			if (src->head == NULL) {
				src->tail = NULL;
			}
			src->pending_bytes -= p->len;
			src->st.acked += p->n;
			src->st.pending -= p->n;
			free(p);
		}
	}
}

/* Send what was not sent yet, take in acknowledgements. */
static void pump(struct dpu_te_source *src)
{
	bool kick = false;

	if (!ensure_connected(src)) {
		return;
	}
	read_acks(src);
	for (struct pending *p = src->head; p != NULL && src->fd >= 0; p = p->next) {
		int rc;

		if (p->sent) {
			continue;
		}
		if (src->ring != NULL) {
			if (dts_ipc_ring_put(src->ring, src->ring_data, src->ring_size, p->msg,
					     (uint32_t)p->len, &kick) == 0) {
				p->sent = true;
				src->st.ring_batches++;
				continue;
			}
			if (atomic_load(&src->ring->tail) != atomic_load(&src->ring->head)) {
				break; /* full: when dpu-telemetry has taken some */
			}
			/* Empty and still no room: a batch too large for it goes by socket. */
		}
		rc = send_msg(src->fd, p->msg, p->len);
		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -ENOBUFS) {
			break; /* the socket is full: later */
		}
		if (rc < 0) {
			/* Acknowledgements already queued still count: take them first. */
			read_acks(src);
			disconnect(src);
			break;
		}
		p->sent = true;
		src->st.socket_batches++;
	}
	if (kick && src->fd >= 0) {
		uint8_t buf[sizeof(struct dts_ipc_hdr)];
		size_t n = dts_ipc_pack(buf, sizeof(buf), DTS_IPC_KICK, NULL, 0, NULL, 0);
		int rc = send_msg(src->fd, buf, n);

		/* A full socket has messages for dpu-telemetry to wake on anyway. */
		if (rc < 0 && rc != -EAGAIN && rc != -EWOULDBLOCK && rc != -ENOBUFS) {
			disconnect(src);
		} else if (rc == 0) {
			src->st.kicks++;
		}
	}
	read_acks(src);
}

static size_t pending_max(const struct dpu_te_source *src)
{
	size_t m = PENDING_BUFFERS * src->schema->buf_size;

	return m > PENDING_MIN ? m : PENDING_MIN;
}

/*
 * The batch becomes a message waiting for its ACK; false when it had to be
 * dropped (dpu-telemetry away and the pending batches at their limit).
 */
static bool close_batch(struct dpu_te_source *src, unsigned int type)
{
	struct dts_ipc_records r;
	struct pending *p;
	size_t len;

	if (src->batch[type].n == 0) {
		return true;
	}
	len = sizeof(struct dts_ipc_hdr) + sizeof(r) + src->batch[type].len;
	if (src->pending_bytes + len > pending_max(src) && src->fd >= 0) {
		/* dpu-telemetry is there but behind: wait for it (up to the socket timeout). */
		uint64_t until =
			dpu_time_mono_ns() + (uint64_t)src->schema->timeout_ms * DPU_NSEC_PER_MSEC;

		while (src->pending_bytes + len > pending_max(src) && src->fd >= 0 &&
		       dpu_time_mono_ns() < until) {
			struct pollfd pfd = {.fd = src->fd, .events = POLLIN};

			poll(&pfd, 1, 10);
			pump(src);
		}
	}
	if (src->pending_bytes + len > pending_max(src)) {
		src->st.dropped += src->batch[type].n;
		src->batch[type].n = 0;
		src->batch[type].len = 0;
		return false;
	}
	p = src->batch[type].p; /* the message now; the next batch gets a new one */
	src->batch[type].p = NULL;
	memset(&r, 0, sizeof(r));
	r.seq = ++src->next_seq;
	r.type_index = (uint16_t)type;
	r.n = src->batch[type].n;
	uint64_t ts = 0;

	dpu_te_get_timestamp(&ts);
	r.timestamp_us = ts;
	p->next = NULL;
	p->seq = r.seq;
	p->n = src->batch[type].n;
	p->sent = false;
	p->len = dts_ipc_pack(p->msg, len, DTS_IPC_RECORDS, &r, sizeof(r), NULL,
			      src->batch[type].len);
	if (src->file != NULL && dts_dfile_write(src->file, p->msg, p->len) < 0) {
		src->st.file_errors++;
	}
	if (!src->schema->ipc) {
		/* Files only: nobody to acknowledge it. */
		src->st.acked += src->batch[type].n;
		free(p);
		src->batch[type].n = 0;
		src->batch[type].len = 0;
		return true;
	}
	if (src->tail != NULL) {
		src->tail->next = p;
	} else {
		src->head = p;
	}
	src->tail = p;
	src->pending_bytes += len;
	src->st.pending += src->batch[type].n;
	src->batch[type].n = 0;
	src->batch[type].len = 0;
	return true;
}

/* ---- sources ---- */

int dpu_te_source_create(struct dpu_te_schema *schema, struct dpu_te_source **sourcep)
{
	struct dpu_te_source *src;

	if (schema == NULL || !schema->started || sourcep == NULL) {
		return -EINVAL;
	}
	src = calloc(1, sizeof(*src));
	if (src == NULL) {
		return -ENOMEM;
	}
	src->schema = schema;
	src->fd = -1;
	*sourcep = src;
	return 0;
}

int dpu_te_source_set_id(struct dpu_te_source *src, const char *id)
{
	if (src == NULL || id == NULL || src->started ||
	    dpu_strscpy(src->id, id, sizeof(src->id)) < 0) {
		return -EINVAL;
	}
	return 0;
}

int dpu_te_source_set_tag(struct dpu_te_source *src, const char *tag)
{
	if (src == NULL || tag == NULL || src->started ||
	    dpu_strscpy(src->tag, tag, sizeof(src->tag)) < 0) {
		return -EINVAL;
	}
	return 0;
}

int dpu_te_source_start(struct dpu_te_source *src)
{
	if (src == NULL || src->id[0] == '\0') {
		return -EINVAL;
	}
	src->started = true;
	if (src->schema->file_write) {
		char prefix[DTS_IPC_NAME + 16];
		int rc;

		/* Apart from what dpu-telemetry itself writes for this source. */
		snprintf(prefix, sizeof(prefix), "%s.exporter", src->id);
		for (char *c = prefix; *c != '\0'; c++) {
			*c = *c == '/' ? '_' : *c;
		}
		rc = dts_dfile_create(src->schema->file_dir, prefix, src->schema->file_max_size,
				      src->schema->file_max_age_us / 1000, &src->file);
		if (rc == 0) {
			rc = introduce(src, intro_to_file);
		}
		if (rc < 0) {
			dts_dfile_destroy(src->file);
			src->file = NULL;
			src->started = false;
			return rc;
		}
	}
	ensure_connected(src);
	return 0;
}

int dpu_te_source_report(struct dpu_te_source *src, uint8_t index, const void *records, int count)
{
	const struct dpu_te_type *t;
	const uint8_t *rec = records;
	bool dropped = false;

	if (src == NULL || !src->started || index >= src->schema->n_types || records == NULL ||
	    count < 0) {
		return -EINVAL;
	}
	t = src->schema->types[index];
	for (int i = 0; i < count; i++) {
		if (src->batch[index].len + t->rec_size > src->schema->buf_size) {
			dropped |= !close_batch(src, index);
			pump(src);
		}
		if (src->batch[index].p == NULL &&
		    (src->batch[index].p = malloc(sizeof(struct pending) + REC_OFF +
						  src->schema->buf_size)) == NULL) {
			src->st.dropped += (uint64_t)(count - i);
			return -ENOBUFS;
		}
		memcpy(src->batch[index].p->msg + REC_OFF + src->batch[index].len,
		       rec + (size_t)i * t->rec_size, t->rec_size);
		src->batch[index].len += t->rec_size;
		src->batch[index].n++;
		src->st.reported++;
	}
	return dropped ? -ENOBUFS : 0;
}

int dpu_te_source_flush(struct dpu_te_source *src)
{
	uint64_t until;
	bool ok;

	if (src == NULL || !src->started) {
		return -EINVAL;
	}
	ok = true;
	for (unsigned int t = 0; t < src->schema->n_types; t++) {
		ok &= close_batch(src, t);
	}
	until = dpu_time_mono_ns() + (uint64_t)src->schema->timeout_ms * DPU_NSEC_PER_MSEC;
	for (;;) {
		pump(src);
		if (src->head == NULL || dpu_time_mono_ns() >= until) {
			break;
		}
		if (src->fd >= 0) {
			struct pollfd pfd = {.fd = src->fd, .events = POLLIN};

			poll(&pfd, 1, 10);
		} else {
			dpu_sleep_ns(10 * DPU_NSEC_PER_MSEC);
		}
	}
	if (!ok) {
		return -ENOBUFS;
	}
	return src->head == NULL ? 0 : (src->fd >= 0 ? -ETIMEDOUT : -ENOTCONN);
}

void dpu_te_source_destroy(struct dpu_te_source *src)
{
	if (src == NULL) {
		return;
	}
	if (src->started) {
		dpu_te_source_flush(src);
	}
	while (src->head != NULL) {
		struct pending *p = src->head;

		src->head = p->next;
		src->st.dropped += p->n;
		free(p);
	}
	if (src->fd >= 0) {
		close(src->fd);
	}
	ring_close(src);
	for (unsigned int t = 0; t < DTS_IPC_MAX_TYPES; t++) {
		free(src->batch[t].p);
	}
	dts_dfile_destroy(src->file);
	free(src);
}

void dpu_te_source_stats(const struct dpu_te_source *src, struct dpu_te_stats *st)
{
	*st = src->st;
	for (unsigned int t = 0; t < DTS_IPC_MAX_TYPES; t++) {
		st->pending += src->batch[t].n;
	}
}

int dpu_te_check_ipc_status(struct dpu_te_source *src, enum dpu_te_ipc_status *status)
{
	if (src == NULL || status == NULL) {
		return -EINVAL;
	}
	if (!src->schema->ipc) {
		*status = DPU_TE_IPC_DISABLED;
		return 0;
	}
	pump(src);
	*status = src->fd >= 0 ? DPU_TE_IPC_CONNECTED : DPU_TE_IPC_FAILED;
	return 0;
}

int dpu_te_get_timestamp(uint64_t *ts)
{
	struct timespec t;

	if (ts == NULL || clock_gettime(CLOCK_REALTIME, &t) < 0) {
		return -EINVAL;
	}
	*ts = (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
	return 0;
}
