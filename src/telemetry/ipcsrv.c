/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define DPU_LOG_MODULE "dts-ipc"
#include "common/log.h"
#include "common/loop.h"
#include "telemetry/ipc.h"
#include "telemetry/ipcsrv.h"

#define MAX_SOURCES 64
#define MAX_SETS 1024
#define MAX_LABEL_FIELDS 3
#define MAX_ARRAY 4096
/* Numeric arrays up to this long become series; longer ones stay in records. */
#define DTS_IPC_SERIES_ARRAY_MAX 4

struct field {
	char name[DTS_IPC_NAME];
	unsigned int ftype, count;
	size_t offset;
	bool label; /* a char array: a label, not a value */
};

struct set {
	char labels[MAX_LABEL_FIELDS][DTS_IPC_NAME];
	double *vals;
	uint64_t batch; /* the last RECORDS message that set its values */
};

struct rtype {
	bool defined;
	char name[DTS_IPC_NAME];
	unsigned int n_fields, n_vals, n_labels;
	struct field f[DTS_IPC_MAX_FIELDS];
	unsigned int label_field[MAX_LABEL_FIELDS];
	size_t rec_size;
	size_t n_sets;
	struct set *sets; /* [MAX_SETS], made on first use */
	uint64_t batches; /* RECORDS messages taken in */
};

struct source {
	bool used;
	char id[DTS_IPC_NAME], schema[DTS_IPC_NAME], tag[DTS_IPC_NAME];
	uint64_t records;
	struct rtype types[DTS_IPC_MAX_TYPES];
};

struct dts_ipc_conn {
	struct dts_ipcsrv *srv;
	struct dts_ipc_conn *prev, *next; /* the server's clients */
	int fd;
	struct dpu_loop_src *src;
	struct source *source; /* after HELLO */
	/* the client's record ring (after RING), and a timer to go on taking from it */
	struct dts_ipc_ring_hdr *ring;
	uint8_t *ring_data;
	uint32_t ring_size;
	struct dpu_loop_src *drain_timer;
	bool draining; /* RECORDS from the ring: one ACK at the end */
	bool ack_due;
	uint64_t ack_seq;
};

struct dts_ipcsrv {
	struct dpu_loop *loop;
	int lfd;
	struct dpu_loop_src *lsrc;
	char path[PATH_MAX];
	unsigned int clients;
	struct dts_ipc_conn *conns;
	uint64_t bad, dropped_series;
	uint64_t rings, ring_batches, socket_batches, kicks;
	struct source *sources[MAX_SOURCES]; /* made at a new source's HELLO */
	dts_ipcsrv_records_fn *sink;
	void *sink_arg;
	dts_ipcsrv_msg_fn *msg_sink;
	void *msg_sink_arg;
	struct dts_ipc_conn test;
};

/* ---- types and records ---- */

static void type_clear(struct rtype *t)
{
	for (size_t i = 0; t->sets != NULL && i < t->n_sets; i++) {
		free(t->sets[i].vals);
	}
	free(t->sets);
	memset(t, 0, sizeof(*t));
}

static void source_clear(struct source *s)
{
	for (size_t i = 0; i < DTS_IPC_MAX_TYPES; i++) {
		type_clear(&s->types[i]);
	}
	memset(s, 0, sizeof(*s));
}

/* A NUL-terminated name of printable characters, not empty. */
static bool good_name(const char *n, size_t size)
{
	size_t len = strnlen(n, size);

	if (len == 0 || len == size) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (n[i] < 0x20 || n[i] > 0x7e) {
			return false;
		}
	}
	return true;
}

static int take_hello(struct dts_ipc_conn *c, const uint8_t *p, size_t len, const char **why)
{
	struct dts_ipcsrv *srv = c->srv;
	struct dts_ipc_hello h;

	if (len != sizeof(h)) {
		*why = "HELLO of the wrong size";
		return -EBADMSG;
	}
	memcpy(&h, p, sizeof(h));
	if (!good_name(h.schema, sizeof(h.schema)) ||
	    !good_name(h.source_id, sizeof(h.source_id)) ||
	    (h.tag[0] != '\0' && !good_name(h.tag, sizeof(h.tag)))) {
		*why = "HELLO: schema, source id or tag not a printable NUL-terminated name";
		return -EBADMSG;
	}
	c->source = NULL;
	for (size_t i = 0; i < MAX_SOURCES && c->source == NULL; i++) {
		if (srv->sources[i] != NULL && strcmp(srv->sources[i]->id, h.source_id) == 0) {
			c->source = srv->sources[i];
		}
	}
	for (size_t i = 0; i < MAX_SOURCES && c->source == NULL; i++) {
		if (srv->sources[i] == NULL) {
			srv->sources[i] = calloc(1, sizeof(*srv->sources[i]));
			if (srv->sources[i] == NULL) {
				*why = "out of memory";
				return -EBADMSG;
			}
			c->source = srv->sources[i];
			c->source->used = true;
			dpu_strscpy(c->source->id, h.source_id, sizeof(c->source->id));
		}
	}
	if (c->source == NULL) {
		*why = "too many sources (64)";
		return -EBADMSG;
	}
	if (strcmp(c->source->schema, h.schema) != 0 && c->source->schema[0] != '\0') {
		/* The same source id with another schema: start over. */
		source_clear(c->source);
		c->source->used = true;
		dpu_strscpy(c->source->id, h.source_id, sizeof(c->source->id));
	}
	dpu_strscpy(c->source->schema, h.schema, sizeof(c->source->schema));
	dpu_strscpy(c->source->tag, h.tag, sizeof(c->source->tag));
	return 0;
}

static int take_type(struct dts_ipc_conn *c, const uint8_t *p, size_t len, const char **why)
{
	struct dts_ipc_type th;
	struct rtype t;
	struct rtype *slot;

	if (c->source == NULL) {
		*why = "TYPE before HELLO";
		return -EBADMSG;
	}
	if (len < sizeof(th)) {
		*why = "TYPE shorter than its header";
		return -EBADMSG;
	}
	memcpy(&th, p, sizeof(th));
	if (th.index >= DTS_IPC_MAX_TYPES || th.n_fields == 0 || th.n_fields > DTS_IPC_MAX_FIELDS ||
	    len != sizeof(th) + th.n_fields * sizeof(struct dts_ipc_field) ||
	    !good_name(th.name, sizeof(th.name))) {
		*why = "TYPE: bad index, field count, length or name";
		return -EBADMSG;
	}
	memset(&t, 0, sizeof(t));
	dpu_strscpy(t.name, th.name, sizeof(t.name));
	t.n_fields = th.n_fields;
	for (unsigned int i = 0; i < th.n_fields; i++) {
		struct dts_ipc_field f;
		size_t sz;

		memcpy(&f, p + sizeof(th) + i * sizeof(f), sizeof(f));
		sz = dts_ipc_ftype_size(f.ftype);
		if (!good_name(f.name, sizeof(f.name)) || sz == 0 || f.count == 0 ||
		    f.count > MAX_ARRAY) {
			*why = "TYPE: a field with a bad name, type or array length";
			return -EBADMSG;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (strcmp(t.f[j].name, f.name) == 0) {
				*why = "TYPE: two fields of the same name";
				return -EBADMSG;
			}
		}
		dpu_strscpy(t.f[i].name, f.name, sizeof(t.f[i].name));
		t.f[i].ftype = f.ftype;
		t.f[i].count = f.count;
		t.f[i].offset = t.rec_size;
		t.f[i].label =
			f.ftype == DTS_F_CHAR && f.count > 1 && t.n_labels < MAX_LABEL_FIELDS;
		if (t.f[i].label) {
			t.label_field[t.n_labels++] = i;
		} else if (!(f.ftype == DTS_F_CHAR && f.count > 1)) {
			t.n_vals += f.count;
		}
		t.rec_size += sz * f.count;
	}
	if (t.rec_size == 0 || t.rec_size > DTS_IPC_MAX_MSG) {
		*why = "TYPE: records too large";
		return -EBADMSG;
	}
	t.defined = true;
	slot = &c->source->types[th.index];
	if (slot->defined && slot->rec_size == t.rec_size && slot->n_fields == t.n_fields &&
	    memcmp(slot->f, t.f, sizeof(t.f)) == 0 && strcmp(slot->name, t.name) == 0) {
		return 0; /* the same again (a reconnect): keep the values */
	}
	type_clear(slot);
	*slot = t;
	return 0;
}

static double value_at(const uint8_t *p, unsigned int ftype)
{
	struct dts_ipc_value v;

	dts_ipc_value_at(p, ftype, &v);
	switch (v.kind) {
	case DTS_V_INT:
		return (double)v.i;
	case DTS_V_FLOAT:
		return v.d;
	default:
		return (double)v.u;
	}
}

/* A char array as a label value: up to its NUL, unprintable bytes as '?'. */
static void label_of(char *dst, const uint8_t *p, unsigned int count)
{
	unsigned int n = count < DTS_IPC_NAME - 1 ? count : DTS_IPC_NAME - 1;
	unsigned int i;

	for (i = 0; i < n && p[i] != '\0'; i++) {
		dst[i] = p[i] >= 0x20 && p[i] <= 0x7e ? (char)p[i] : '?';
	}
	dst[i] = '\0';
}

/* The label set a record belongs to, made when new; NULL when full. */
static struct set *set_of(struct dts_ipcsrv *srv, struct rtype *t, const uint8_t *rec)
{
	char labels[MAX_LABEL_FIELDS][DTS_IPC_NAME];
	struct set *set = NULL;

	memset(labels, 0, sizeof(labels));
	for (unsigned int i = 0; i < t->n_labels; i++) {
		const struct field *f = &t->f[t->label_field[i]];

		label_of(labels[i], rec + f->offset, f->count);
	}
	for (size_t i = 0; i < t->n_sets; i++) {
		if (memcmp(t->sets[i].labels, labels, sizeof(labels)) == 0) {
			set = &t->sets[i];
			break;
		}
	}
	if (set == NULL) {
		if (t->sets == NULL) {
			t->sets = calloc(MAX_SETS, sizeof(*t->sets));
		}
		if (t->sets == NULL || t->n_sets == MAX_SETS) {
			srv->dropped_series++;
			return NULL;
		}
		set = &t->sets[t->n_sets];
		set->vals = calloc(t->n_vals ? t->n_vals : 1, sizeof(double));
		if (set->vals == NULL) {
			srv->dropped_series++;
			return NULL;
		}
		memcpy(set->labels, labels, sizeof(labels));
		t->n_sets++;
	}
	return set;
}

static void take_values(const struct rtype *t, struct set *set, const uint8_t *rec)
{
	unsigned int v = 0;

	for (unsigned int i = 0; i < t->n_fields; i++) {
		const struct field *f = &t->f[i];
		size_t sz = dts_ipc_ftype_size(f->ftype);

		if (f->ftype == DTS_F_CHAR && f->count > 1) {
			continue;
		}
		for (unsigned int k = 0; k < f->count; k++) {
			set->vals[v++] = value_at(rec + f->offset + k * sz, f->ftype);
		}
	}
}

static int take_records(struct dts_ipc_conn *c, const uint8_t *p, size_t len, uint64_t *seq,
			const char **why)
{
	struct dts_ipc_records r;
	struct rtype *t;

	if (c->source == NULL) {
		*why = "RECORDS before HELLO";
		return -EBADMSG;
	}
	if (len < sizeof(r)) {
		*why = "RECORDS shorter than its header";
		return -EBADMSG;
	}
	memcpy(&r, p, sizeof(r));
	if (r.type_index >= DTS_IPC_MAX_TYPES || !c->source->types[r.type_index].defined) {
		*why = "RECORDS of a type never defined";
		return -EBADMSG;
	}
	t = &c->source->types[r.type_index];
	if ((uint64_t)r.n * t->rec_size != len - sizeof(r)) {
		*why = "RECORDS: length is not count x record size";
		return -EBADMSG;
	}
	/*
	 * The table keeps each set's last values: a batch is read from its end,
	 * and a record whose set a later record of the batch already set is
	 * skipped. Without label fields, the last record is the batch's word.
	 */
	t->batches++;
	for (uint32_t i = r.n; i-- > 0;) {
		struct set *set = set_of(c->srv, t, p + sizeof(r) + (size_t)i * t->rec_size);

		if (set != NULL && set->batch != t->batches) {
			set->batch = t->batches;
			take_values(t, set, p + sizeof(r) + (size_t)i * t->rec_size);
		}
		if (t->n_labels == 0) {
			break;
		}
	}
	c->source->records += r.n;
	if (c->srv->sink != NULL && r.n > 0) {
		struct dts_ipc_field_view v[DTS_IPC_MAX_FIELDS];

		for (unsigned int i = 0; i < t->n_fields; i++) {
			v[i].name = t->f[i].name;
			v[i].ftype = t->f[i].ftype;
			v[i].count = t->f[i].count;
			v[i].offset = t->f[i].offset;
		}
		c->srv->sink(c->srv->sink_arg, c->source->id, c->source->schema, t->name, v,
			     t->n_fields, t->rec_size, p + sizeof(r), r.n, r.timestamp_us);
	}
	*seq = r.seq;
	return 0;
}

void dts_ipcsrv_set_msg_sink(struct dts_ipcsrv *srv, dts_ipcsrv_msg_fn *fn, void *arg)
{
	srv->msg_sink = fn;
	srv->msg_sink_arg = arg;
}

void dts_ipcsrv_set_records_sink(struct dts_ipcsrv *srv, dts_ipcsrv_records_fn *fn, void *arg)
{
	srv->sink = fn;
	srv->sink_arg = arg;
}

int dts_ipcsrv_take(struct dts_ipcsrv *srv, struct dts_ipc_conn *c, const void *msg, size_t len,
		    const char **why)
{
	enum dts_ipc_kind kind;
	const uint8_t *p;
	size_t plen;
	uint64_t seq = 0;
	int rc = dts_ipc_parse(msg, len, &kind, &p, &plen, why);

	if (rc < 0) {
		return rc;
	}
	switch (kind) {
	case DTS_IPC_HELLO:
	case DTS_IPC_TYPE:
		rc = kind == DTS_IPC_HELLO ? take_hello(c, p, plen, why)
					   : take_type(c, p, plen, why);
		if (rc == 0 && srv->msg_sink != NULL) {
			srv->msg_sink(srv->msg_sink_arg, c->source->id, (int)kind, msg, len);
		}
		return rc;
	case DTS_IPC_RECORDS:
		rc = take_records(c, p, plen, &seq, why);
		if (rc == 0 && srv->msg_sink != NULL) {
			srv->msg_sink(srv->msg_sink_arg, c->source->id, (int)kind, msg, len);
		}
		if (rc == 0 && c->draining) {
			c->ack_due = true; /* one ACK for the ring's batches taken this turn */
			c->ack_seq = seq;
			return 0;
		}
		if (rc == 0) {
			srv->socket_batches++;
		}
		if (rc == 0 && c->fd >= 0) {
			struct dts_ipc_ack ack = {.seq = seq};
			uint8_t buf[64];
			size_t n = dts_ipc_pack(buf, sizeof(buf), DTS_IPC_ACK, &ack, sizeof(ack),
						NULL, 0);

			/* A lost ACK means a resend: the values are the same again. */
			(void)send(c->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		}
		return rc;
	case DTS_IPC_KICK:
		srv->kicks++;
		return 0; /* the ring is read after every socket event anyway */
	case DTS_IPC_RING:
		*why = "RING without its memfd";
		return -EBADMSG;
	default:
		*why = "a client sends no ACK";
		return -EBADMSG;
	}
}

/* ---- the record ring ---- */

static void send_ack(struct dts_ipc_conn *c, uint64_t seq)
{
	struct dts_ipc_ack ack = {.seq = seq};
	uint8_t buf[64];
	size_t n = dts_ipc_pack(buf, sizeof(buf), DTS_IPC_ACK, &ack, sizeof(ack), NULL, 0);

	(void)send(c->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Map the ring a client passed; -EBADMSG ('why') when it is not one DTS accepts. */
static int ring_attach(struct dts_ipc_conn *c, int fd, const uint8_t *p, size_t plen,
		       const char **why)
{
	struct dts_ipc_ring rm;
	struct stat st;
	size_t map_len;
	void *map;
	int seals;

	if (plen != sizeof(rm) || c->ring != NULL) {
		*why = "RING: a second one, or of the wrong size";
		return -EBADMSG;
	}
	memcpy(&rm, p, sizeof(rm));
	if (rm.size < DTS_IPC_RING_MIN || rm.size > DTS_IPC_RING_MAX ||
	    (rm.size & (rm.size - 1)) != 0) {
		*why = "RING: size not a power of two in 64 KiB..64 MiB";
		return -EBADMSG;
	}
	map_len = DTS_IPC_RING_DATA + (size_t)rm.size;
	/* Sealed against shrinking, or the client could take pages from under us (SIGBUS). */
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK) || fstat(fd, &st) < 0 ||
	    (size_t)st.st_size < map_len) {
		*why = "RING: not a memfd sealed against shrinking, or too small";
		return -EBADMSG;
	}
	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		*why = "RING: cannot map it";
		return -EBADMSG;
	}
	if (((struct dts_ipc_ring_hdr *)map)->magic != DTS_IPC_RING_MAGIC) {
		munmap(map, map_len);
		*why = "RING: bad magic";
		return -EBADMSG;
	}
	c->ring = map;
	c->ring_data = (uint8_t *)map + DTS_IPC_RING_DATA;
	c->ring_size = rm.size;
	c->srv->rings++;
	return 0;
}

static void ring_detach(struct dts_ipc_conn *c)
{
	if (c->ring != NULL) {
		munmap(c->ring, DTS_IPC_RING_DATA + (size_t)c->ring_size);
		c->ring = NULL;
	}
	dpu_loop_del(c->drain_timer);
	c->drain_timer = NULL;
}

static void on_drain_timer(struct dpu_loop_src *src, uint64_t n, void *arg);

/*
 * Take the ring's batches: at most a ring's worth a turn (fair to the other
 * clients; a timer brings the rest), then one ACK for the last. -EBADMSG
 * ('why') for a ring with nonsense in it.
 */
static int ring_drain(struct dts_ipc_conn *c, const char **why)
{
	static uint8_t buf[sizeof(struct dts_ipc_hdr) + DTS_IPC_MAX_MSG];
	size_t taken = 0;
	int rc = 0;

	if (c->ring == NULL) {
		return 0;
	}
	c->draining = true;
	while (taken < c->ring_size) {
		uint64_t pos;
		int n = dts_ipc_ring_get(c->ring, c->ring_data, c->ring_size, buf, sizeof(buf),
					 &pos, why);
		struct dts_ipc_hdr h;

		if (n <= 0) {
			rc = n;
			break;
		}
		memcpy(&h, buf, (size_t)n < sizeof(h) ? (size_t)n : sizeof(h));
		if ((size_t)n < sizeof(h) || h.kind != DTS_IPC_RECORDS) {
			*why = "ring: only RECORDS go through it";
			rc = -EBADMSG;
			break;
		}
		rc = dts_ipcsrv_take(c->srv, c, buf, (size_t)n, why);
		if (rc < 0) {
			break;
		}
		dts_ipc_ring_taken(c->ring, pos);
		c->srv->ring_batches++;
		taken += (size_t)n;
	}
	c->draining = false;
	if (c->ack_due && c->fd >= 0) {
		send_ack(c, c->ack_seq);
	}
	c->ack_due = false;
	if (rc == 0 && taken >= c->ring_size) { /* more, perhaps: after the others */
		if (c->drain_timer == NULL) {
			dpu_loop_add_timer(c->srv->loop, 50000, 0, on_drain_timer, c,
					   &c->drain_timer);
		} else {
			dpu_loop_timer_set(c->drain_timer, 50000, 0);
		}
	}
	return rc;
}

/* ---- sockets ---- */

static void conn_free(void *arg)
{
	struct dts_ipc_conn *c = arg;

	ring_detach(c);
	close(c->fd);
	if (c->prev != NULL) {
		c->prev->next = c->next;
	} else {
		c->srv->conns = c->next;
	}
	if (c->next != NULL) {
		c->next->prev = c->prev;
	}
	c->srv->clients--;
	free(c);
}

static void conn_bad(struct dts_ipc_conn *c, const char *why)
{
	c->srv->bad++;
	log_warn_rl("client %s: %s; closing its connection",
		    c->source != NULL ? c->source->id : "(before HELLO)", why);
	dpu_loop_del(c->src); /* frees c */
}

static void on_drain_timer(struct dpu_loop_src *src, uint64_t n, void *arg)
{
	struct dts_ipc_conn *c = arg;
	const char *why = NULL;

	(void)src;
	(void)n;
	if (ring_drain(c, &why) < 0) {
		conn_bad(c, why);
	}
}

/* One message and the fd that may ride with it; the length, 0 at EOF, or -errno. */
static ssize_t recv_msg(int fd, void *buf, size_t size, int *passed)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = size};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);

	*passed = -1;
	if (n < 0) {
		return -errno;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int))) {
			memcpy(passed, CMSG_DATA(cm), sizeof(int));
		}
	}
	return n;
}

static void on_conn(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	static uint8_t buf[sizeof(struct dts_ipc_hdr) + DTS_IPC_MAX_MSG];
	struct dts_ipc_conn *c = arg;
	const char *why = NULL;

	(void)src;
	(void)events;
	for (int i = 0; i < 64; i++) { /* fair to other clients: at most 64 a turn */
		int passed;
		ssize_t n = recv_msg(fd, buf, sizeof(buf), &passed);
		enum dts_ipc_kind kind;
		const uint8_t *p;
		size_t plen;
		int rc;

		if (n == -EAGAIN || n == -EWOULDBLOCK || n == -EINTR) {
			break;
		}
		if (n <= 0) {
			if (passed >= 0) {
				close(passed);
			}
			dpu_loop_del(c->src); /* frees c */
			return;
		}
		if ((size_t)n > sizeof(buf)) {
			why = "message larger than 256 KiB";
			rc = -EBADMSG;
		} else if (passed >= 0) {
			/* Only RING carries a descriptor. */
			rc = dts_ipc_parse(buf, (size_t)n, &kind, &p, &plen, &why);
			if (rc == 0 && kind != DTS_IPC_RING) {
				why = "a descriptor with a message other than RING";
				rc = -EBADMSG;
			}
			if (rc == 0) {
				rc = ring_attach(c, passed, p, plen, &why);
			}
		} else {
			rc = dts_ipcsrv_take(c->srv, c, buf, (size_t)n, &why);
		}
		if (passed >= 0) {
			close(passed); /* the mapping keeps the memory */
		}
		if (rc < 0) {
			conn_bad(c, why);
			return;
		}
	}
	if (ring_drain(c, &why) < 0) {
		conn_bad(c, why);
	}
}

static void on_accept(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	struct dts_ipcsrv *srv = arg;
	struct dts_ipc_conn *c;
	int cfd;

	(void)src;
	(void)events;
	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0) {
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(cfd);
		return;
	}
	c->srv = srv;
	c->fd = cfd;
	if (dpu_loop_add_fd(srv->loop, cfd, EPOLLIN, on_conn, c, &c->src) < 0) {
		close(cfd);
		free(c);
		return;
	}
	srv->clients++;
	c->next = srv->conns;
	if (c->next != NULL) {
		c->next->prev = c;
	}
	srv->conns = c;
	dpu_loop_set_release(c->src, conn_free);
}

int dts_ipcsrv_create_detached(struct dts_ipcsrv **srvp)
{
	struct dts_ipcsrv *srv = calloc(1, sizeof(*srv));

	if (srv == NULL) {
		return -ENOMEM;
	}
	srv->lfd = -1;
	srv->test.srv = srv;
	srv->test.fd = -1;
	*srvp = srv;
	return 0;
}

struct dts_ipc_conn *dts_ipcsrv_test_conn(struct dts_ipcsrv *srv)
{
	return &srv->test;
}

int dts_ipcsrv_start(struct dpu_loop *loop, const char *dir, struct dts_ipcsrv **srvp)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct dts_ipcsrv *srv;
	int rc = dts_ipcsrv_create_detached(&srv);

	if (rc < 0) {
		return rc;
	}
	srv->loop = loop;
	if (snprintf(srv->path, sizeof(srv->path), "%s/%s", dir, DTS_IPC_SOCKET) >=
	    (int)sizeof(sa.sun_path)) {
		free(srv);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, srv->path, strlen(srv->path) + 1);
	srv->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (srv->lfd < 0) {
		rc = -errno;
		free(srv);
		return rc;
	}
	unlink(srv->path); /* left by a crash: the pid file says nobody owns it */
	if (bind(srv->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(srv->lfd, 64) < 0) {
		rc = -errno;
		close(srv->lfd);
		free(srv);
		return rc;
	}
	rc = dpu_loop_add_fd(loop, srv->lfd, EPOLLIN, on_accept, srv, &srv->lsrc);
	if (rc < 0) {
		close(srv->lfd);
		unlink(srv->path);
		free(srv);
		return rc;
	}
	log_info("exporter API on %s", srv->path);
	*srvp = srv;
	return 0;
}

void dts_ipcsrv_stop(struct dts_ipcsrv *srv)
{
	if (srv == NULL) {
		return;
	}
	if (srv->lsrc != NULL) {
		dpu_loop_del(srv->lsrc);
	}
	if (srv->lfd >= 0) {
		close(srv->lfd);
		unlink(srv->path);
	}
	while (srv->conns != NULL) {
		dpu_loop_del(srv->conns->src); /* conn_free() unlinks it */
	}
	for (size_t i = 0; i < MAX_SOURCES; i++) {
		if (srv->sources[i] != NULL && srv->sources[i]->used && srv->lfd >= 0) {
			log_info("source %s (%s): %llu records taken in", srv->sources[i]->id,
				 srv->sources[i]->schema,
				 (unsigned long long)srv->sources[i]->records);
		}
	}
	for (size_t i = 0; i < MAX_SOURCES; i++) {
		if (srv->sources[i] != NULL) {
			source_clear(srv->sources[i]);
			free(srv->sources[i]);
		}
	}
	free(srv);
}

/* ---- series ---- */

int dts_ipcsrv_collect(struct dts_ipcsrv *srv, const struct dts_config *cfg,
		       struct dts_snapshot *snap)
{
	struct dts_series *x;

	(void)cfg;
	for (size_t si = 0; si < MAX_SOURCES; si++) {
		const struct source *s = srv->sources[si];

		if (s == NULL || !s->used) {
			continue;
		}
		x = dts_snapshot_add(snap, "dts_ipc_records", "records taken in from the source",
				     DTS_COUNTER, "ipc_records", "dts", 2, "source", s->id,
				     "schema", s->schema);
		if (x == NULL) {
			return -ENOMEM;
		}
		x->u = s->records;
		for (size_t ti = 0; ti < DTS_IPC_MAX_TYPES; ti++) {
			const struct rtype *t = &s->types[ti];

			for (size_t k = 0; t->defined && k < t->n_sets; k++) {
				const struct set *set = &t->sets[k];
				unsigned int v = 0;

				for (unsigned int i = 0; i < t->n_fields; i++) {
					const struct field *f = &t->f[i];

					if (f->ftype == DTS_F_CHAR && f->count > 1) {
						continue;
					}
					if (f->count > DTS_IPC_SERIES_ARRAY_MAX) {
						/* Addresses, payloads: records, not series. */
						v += f->count;
						continue;
					}
					for (unsigned int e = 0; e < f->count; e++, v++) {
						char fam[3 * DTS_IPC_NAME + 16], dname[128];
						const char *lk[MAX_LABEL_FIELDS] = {"", "", ""};

						if (f->count > 1) {
							snprintf(fam, sizeof(fam), "%s_%s_%s_%u",
								 s->schema, t->name, f->name, e);
						} else {
							snprintf(fam, sizeof(fam), "%s_%s_%s",
								 s->schema, t->name, f->name);
						}
						snprintf(dname, sizeof(dname), "%.40s:%.40s:%.40s",
							 s->id, t->name, f->name);
						for (unsigned int l = 0; l < t->n_labels; l++) {
							lk[l] = t->f[t->label_field[l]].name;
						}
						x = dts_snapshot_add(
							snap, fam, "exporter API field", DTS_GAUGE,
							dname, s->tag[0] ? s->tag : s->schema,
							1 + t->n_labels, "source", s->id, lk[0],
							set->labels[0], lk[1], set->labels[1],
							lk[2], set->labels[2]);
						if (x == NULL) {
							return -ENOMEM;
						}
						x->d = set->vals[v];
					}
				}
			}
		}
	}
	if ((x = dts_snapshot_add(snap, "dts_ipc_clients", "exporter API clients connected",
				  DTS_GAUGE, "ipc_clients", "dts", 0)) == NULL) {
		return -ENOMEM;
	}
	x->d = srv->clients;
	if ((x = dts_snapshot_add(snap, "dts_ipc_bad_messages",
				  "malformed exporter API messages (connection closed)",
				  DTS_COUNTER, "ipc_bad_messages", "dts", 0)) == NULL) {
		return -ENOMEM;
	}
	x->u = srv->bad;
	if ((x = dts_snapshot_add(snap, "dts_ipc_dropped_series",
				  "records not kept: a type's label sets were full", DTS_COUNTER,
				  "ipc_dropped_series", "dts", 0)) == NULL) {
		return -ENOMEM;
	}
	x->u = srv->dropped_series;
	{
		static const struct {
			const char *family, *help, *name;
			size_t off;
		} ctr[] = {
			{"dts_ipc_ring_batches", "RECORDS messages taken from clients' rings",
			 "ipc_ring_batches", offsetof(struct dts_ipcsrv, ring_batches)},
			{"dts_ipc_socket_batches", "RECORDS messages taken over the socket",
			 "ipc_socket_batches", offsetof(struct dts_ipcsrv, socket_batches)},
			{"dts_ipc_kicks", "wake-ups clients sent for their rings", "ipc_kicks",
			 offsetof(struct dts_ipcsrv, kicks)},
			{"dts_ipc_rings", "record rings clients set up", "ipc_rings",
			 offsetof(struct dts_ipcsrv, rings)},
		};

		for (size_t i = 0; i < ARRAY_SIZE(ctr); i++) {
			x = dts_snapshot_add(snap, ctr[i].family, ctr[i].help, DTS_COUNTER,
					     ctr[i].name, "dts", 0);
			if (x == NULL) {
				return -ENOMEM;
			}
			memcpy(&x->u, (const uint8_t *)srv + ctr[i].off, sizeof(x->u));
		}
	}
	return 0;
}
