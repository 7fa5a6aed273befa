/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <msgpack.h>

#define DPU_LOG_MODULE "dts-fluent"
#include "common/log.h"
#include "common/loop.h"
#include "telemetry/fluent.h"

#define MAX_TAGS 256
#define MAX_SETS 1024
#define MAX_KEYS 64
#define MAX_LABELS 3
#define NAME_MAX_LEN 64
#define MAX_MESSAGE (8u * 1024 * 1024)

struct fset {
	char labels[MAX_LABELS][NAME_MAX_LEN];
	double vals[MAX_KEYS];
	uint64_t have; /* bit per key: a value was seen */
};

struct ftag {
	char tag[NAME_MAX_LEN];
	uint64_t records;
	unsigned int n_keys, n_label_keys;
	char keys[MAX_KEYS][NAME_MAX_LEN];
	char label_keys[MAX_LABELS][NAME_MAX_LEN];
	size_t n_sets;
	struct fset *sets; /* [MAX_SETS] */
};

struct fconn {
	struct dts_fluent *fl;
	struct fconn *prev, *next;
	int fd;
	struct dpu_loop_src *src;
	msgpack_unpacker up;
};

struct dts_fluent {
	struct dpu_loop *loop;
	int lfd;
	struct dpu_loop_src *lsrc;
	struct fconn *conns;
	unsigned int n_conns;
	uint64_t bad, dropped;
	size_t n_tags;
	struct ftag tags[MAX_TAGS];
	int reply_fd; /* where an ack goes while a connection's data is taken in */
};

/* ---- events ---- */

static bool str_of(const msgpack_object *o, char *buf, size_t size)
{
	size_t n;

	if (o->type != MSGPACK_OBJECT_STR && o->type != MSGPACK_OBJECT_BIN) {
		return false;
	}
	n = o->type == MSGPACK_OBJECT_STR ? o->via.str.size : o->via.bin.size;
	if (n >= size) {
		n = size - 1;
	}
	memcpy(buf, o->type == MSGPACK_OBJECT_STR ? o->via.str.ptr : o->via.bin.ptr, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e) {
			buf[i] = '?';
		}
	}
	return true;
}

static bool num_of(const msgpack_object *o, double *v)
{
	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		*v = (double)o->via.u64;
		return true;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		*v = (double)o->via.i64;
		return true;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		*v = o->via.f64;
		return true;
	case MSGPACK_OBJECT_BOOLEAN:
		*v = o->via.boolean;
		return true;
	default:
		return false;
	}
}

static struct ftag *tag_of(struct dts_fluent *fl, const char *tag)
{
	for (size_t i = 0; i < fl->n_tags; i++) {
		if (strcmp(fl->tags[i].tag, tag) == 0) {
			return &fl->tags[i];
		}
	}
	if (fl->n_tags == MAX_TAGS) {
		return NULL;
	}
	dpu_strscpy(fl->tags[fl->n_tags].tag, tag, NAME_MAX_LEN);
	return &fl->tags[fl->n_tags++];
}

static int key_index(char (*keys)[NAME_MAX_LEN], unsigned int *n, unsigned int max, const char *key)
{
	for (unsigned int i = 0; i < *n; i++) {
		if (strcmp(keys[i], key) == 0) {
			return (int)i;
		}
	}
	if (*n == max) {
		return -1;
	}
	dpu_strscpy(keys[*n], key, NAME_MAX_LEN);
	return (int)(*n)++;
}

static void take_record(struct dts_fluent *fl, const char *tag, const msgpack_object *rec)
{
	char labels[MAX_LABELS][NAME_MAX_LEN];
	struct ftag *t;
	struct fset *set = NULL;

	if (rec->type != MSGPACK_OBJECT_MAP || (t = tag_of(fl, tag)) == NULL) {
		fl->dropped++;
		return;
	}
	memset(labels, 0, sizeof(labels));
	/* The string values first: they pick the set. */
	for (uint32_t i = 0; i < rec->via.map.size; i++) {
		const msgpack_object_kv *kv = &rec->via.map.ptr[i];
		char key[NAME_MAX_LEN], val[NAME_MAX_LEN] = {0}; /* compared whole: no garbage */
		int k;

		if (!str_of(&kv->key, key, sizeof(key)) || kv->val.type != MSGPACK_OBJECT_STR ||
		    !str_of(&kv->val, val, sizeof(val))) {
			continue;
		}
		k = key_index(t->label_keys, &t->n_label_keys, MAX_LABELS, key);
		if (k >= 0) {
			memcpy(labels[k], val, sizeof(val));
		}
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
			fl->dropped++;
			return;
		}
		set = &t->sets[t->n_sets++];
		memcpy(set->labels, labels, sizeof(labels));
	}
	for (uint32_t i = 0; i < rec->via.map.size; i++) {
		const msgpack_object_kv *kv = &rec->via.map.ptr[i];
		char key[NAME_MAX_LEN];
		double v;
		int k;

		if (!str_of(&kv->key, key, sizeof(key)) || !num_of(&kv->val, &v)) {
			continue;
		}
		k = key_index(t->keys, &t->n_keys, MAX_KEYS, key);
		if (k < 0) {
			fl->dropped++;
			continue;
		}
		set->vals[k] = v;
		set->have |= 1ull << k;
	}
	t->records++;
}

static bool is_time(const msgpack_object *o)
{
	/* An integer, or EventTime: ext type 0 of 8 bytes. */
	return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
	       (o->type == MSGPACK_OBJECT_EXT && o->via.ext.type == 0 && o->via.ext.size == 8);
}

/* [time, record] of Forward and PackedForward. */
static int take_entry(struct dts_fluent *fl, const char *tag, const msgpack_object *e,
		      const char **why)
{
	if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 2 ||
	    !is_time(&e->via.array.ptr[0])) {
		*why = "an entry is not [time, record]";
		return -EBADMSG;
	}
	take_record(fl, tag, &e->via.array.ptr[1]);
	return 0;
}

static void send_ack(struct dts_fluent *fl, const msgpack_object *chunk)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;

	if (fl->reply_fd < 0) {
		return;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	msgpack_pack_str(&pk, 3);
	msgpack_pack_str_body(&pk, "ack", 3);
	msgpack_pack_object(&pk, *chunk);
	/* A small reply; a peer that never reads loses its acks, not our memory. */
	(void)send(fl->reply_fd, sb.data, sb.size, MSG_DONTWAIT | MSG_NOSIGNAL);
	msgpack_sbuffer_destroy(&sb);
}

static int take_event(struct dts_fluent *fl, const msgpack_object *o, const char **why)
{
	const msgpack_object *a, *opt = NULL;
	char tag[NAME_MAX_LEN];
	int rc = 0;

	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 2 || o->via.array.size > 4) {
		*why = "not a forward protocol event (an array of 2 to 4)";
		return -EBADMSG;
	}
	a = o->via.array.ptr;
	if (!str_of(&a[0], tag, sizeof(tag)) || tag[0] == '\0') {
		*why = "the tag is not a string";
		return -EBADMSG;
	}
	if (is_time(&a[1])) { /* Message mode: [tag, time, record, option?] */
		if (o->via.array.size < 3) {
			*why = "Message mode without a record";
			return -EBADMSG;
		}
		take_record(fl, tag, &a[2]);
		opt = o->via.array.size == 4 ? &a[3] : NULL;
	} else if (a[1].type == MSGPACK_OBJECT_ARRAY) { /* Forward: [tag, [entries], option?] */
		for (uint32_t i = 0; rc == 0 && i < a[1].via.array.size; i++) {
			rc = take_entry(fl, tag, &a[1].via.array.ptr[i], why);
		}
		opt = o->via.array.size >= 3 ? &a[2] : NULL;
	} else if (a[1].type == MSGPACK_OBJECT_STR || a[1].type == MSGPACK_OBJECT_BIN) {
		/* PackedForward: [tag, entries as one msgpack stream, option?] */
		const char *p =
			a[1].type == MSGPACK_OBJECT_STR ? a[1].via.str.ptr : a[1].via.bin.ptr;
		size_t len =
			a[1].type == MSGPACK_OBJECT_STR ? a[1].via.str.size : a[1].via.bin.size;
		size_t off = 0;
		msgpack_unpacked u;

		opt = o->via.array.size >= 3 ? &a[2] : NULL;
		for (uint32_t i = 0;
		     opt != NULL && opt->type == MSGPACK_OBJECT_MAP && i < opt->via.map.size; i++) {
			char k[16], v[16];

			if (str_of(&opt->via.map.ptr[i].key, k, sizeof(k)) &&
			    strcmp(k, "compressed") == 0 &&
			    str_of(&opt->via.map.ptr[i].val, v, sizeof(v)) &&
			    strcmp(v, "text") != 0) {
				*why = "CompressedPackedForward (gzip) is not supported";
				return -EBADMSG;
			}
		}
		msgpack_unpacked_init(&u);
		while (rc == 0 && off < len) {
			if (msgpack_unpack_next(&u, p, len, &off) != MSGPACK_UNPACK_SUCCESS) {
				*why = "PackedForward entries are not msgpack";
				rc = -EBADMSG;
				break;
			}
			rc = take_entry(fl, tag, &u.data, why);
		}
		msgpack_unpacked_destroy(&u);
	} else {
		*why = "the second element is neither a time, entries nor packed entries";
		return -EBADMSG;
	}
	if (rc == 0 && opt != NULL && opt->type == MSGPACK_OBJECT_MAP) {
		for (uint32_t i = 0; i < opt->via.map.size; i++) {
			char k[16];

			if (str_of(&opt->via.map.ptr[i].key, k, sizeof(k)) &&
			    strcmp(k, "chunk") == 0) {
				send_ack(fl, &opt->via.map.ptr[i].val);
			}
		}
	}
	return rc;
}

static int feed(struct dts_fluent *fl, msgpack_unpacker *up, const char **why)
{
	msgpack_unpacked u;
	msgpack_unpack_return ret;
	int rc = 0;

	msgpack_unpacked_init(&u);
	while (rc == 0 && (ret = msgpack_unpacker_next(up, &u)) == MSGPACK_UNPACK_SUCCESS) {
		rc = take_event(fl, &u.data, why);
	}
	if (rc == 0 && ret == MSGPACK_UNPACK_PARSE_ERROR) {
		*why = "not msgpack";
		rc = -EBADMSG;
	}
	if (rc == 0 && msgpack_unpacker_message_size(up) > MAX_MESSAGE) {
		*why = "a message over 8 MiB";
		rc = -EBADMSG;
	}
	msgpack_unpacked_destroy(&u);
	return rc;
}

int dts_fluent_feed(struct dts_fluent *fl, const void *data, size_t len, const char **why)
{
	msgpack_unpacker up;
	int rc;

	if (!msgpack_unpacker_init(&up, 4096)) {
		return -ENOMEM;
	}
	if (!msgpack_unpacker_reserve_buffer(&up, len)) {
		msgpack_unpacker_destroy(&up);
		return -ENOMEM;
	}
	memcpy(msgpack_unpacker_buffer(&up), data, len);
	msgpack_unpacker_buffer_consumed(&up, len);
	rc = feed(fl, &up, why);
	msgpack_unpacker_destroy(&up);
	return rc;
}

/* ---- sockets ---- */

static void conn_free(void *arg)
{
	struct fconn *c = arg;

	close(c->fd);
	msgpack_unpacker_destroy(&c->up);
	if (c->prev != NULL) {
		c->prev->next = c->next;
	} else {
		c->fl->conns = c->next;
	}
	if (c->next != NULL) {
		c->next->prev = c->prev;
	}
	c->fl->n_conns--;
	free(c);
}

static void on_conn(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	struct fconn *c = arg;
	const char *why = NULL;
	ssize_t n;

	(void)src;
	(void)events;
	if (!msgpack_unpacker_reserve_buffer(&c->up, 65536)) {
		dpu_loop_del(c->src);
		return;
	}
	n = recv(fd, msgpack_unpacker_buffer(&c->up), msgpack_unpacker_buffer_capacity(&c->up),
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		return;
	}
	if (n <= 0) {
		dpu_loop_del(c->src);
		return;
	}
	msgpack_unpacker_buffer_consumed(&c->up, (size_t)n);
	c->fl->reply_fd = fd;
	if (feed(c->fl, &c->up, &why) < 0) {
		c->fl->bad++;
		log_warn_rl("fluent_aggr: %s; closing the connection", why);
		dpu_loop_del(c->src);
	}
	c->fl->reply_fd = -1;
}

static void on_accept(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	struct dts_fluent *fl = arg;
	struct fconn *c;
	int cfd;

	(void)src;
	(void)events;
	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0) {
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || !msgpack_unpacker_init(&c->up, 65536)) {
		free(c);
		close(cfd);
		return;
	}
	c->fl = fl;
	c->fd = cfd;
	if (dpu_loop_add_fd(fl->loop, cfd, EPOLLIN, on_conn, c, &c->src) < 0) {
		msgpack_unpacker_destroy(&c->up);
		free(c);
		close(cfd);
		return;
	}
	c->next = fl->conns;
	if (c->next != NULL) {
		c->next->prev = c;
	}
	fl->conns = c;
	fl->n_conns++;
	dpu_loop_set_release(c->src, conn_free);
}

int dts_fluent_create_detached(struct dts_fluent **flp)
{
	struct dts_fluent *fl = calloc(1, sizeof(*fl));

	if (fl == NULL) {
		return -ENOMEM;
	}
	fl->lfd = -1;
	fl->reply_fd = -1;
	*flp = fl;
	return 0;
}

int dts_fluent_start(struct dpu_loop *loop, const char *host, uint16_t port,
		     struct dts_fluent **flp)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE | AI_NUMERICSERV,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	struct dts_fluent *fl;
	char ports[8];
	int one = 1, rc;

	rc = dts_fluent_create_detached(&fl);
	if (rc < 0) {
		return rc;
	}
	fl->loop = loop;
	snprintf(ports, sizeof(ports), "%u", port);
	if (getaddrinfo(host, ports, &hints, &ai) != 0) {
		free(fl);
		return -EINVAL;
	}
	fl->lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fl->lfd < 0 || setsockopt(fl->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fl->lfd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fl->lfd, 64) < 0) {
		rc = -errno;
		if (fl->lfd >= 0) {
			close(fl->lfd);
		}
		freeaddrinfo(ai);
		free(fl);
		return rc;
	}
	freeaddrinfo(ai);
	rc = dpu_loop_add_fd(loop, fl->lfd, EPOLLIN, on_accept, fl, &fl->lsrc);
	if (rc < 0) {
		close(fl->lfd);
		free(fl);
		return rc;
	}
	log_info("fluent_aggr: Fluent forward on %s:%u", host, port);
	*flp = fl;
	return 0;
}

void dts_fluent_stop(struct dts_fluent *fl)
{
	if (fl == NULL) {
		return;
	}
	while (fl->conns != NULL) {
		dpu_loop_del(fl->conns->src);
	}
	if (fl->lsrc != NULL) {
		dpu_loop_del(fl->lsrc);
	}
	if (fl->lfd >= 0) {
		close(fl->lfd);
	}
	for (size_t i = 0; i < fl->n_tags; i++) {
		free(fl->tags[i].sets);
	}
	free(fl);
}

int dts_fluent_collect(struct dts_fluent *fl, struct dts_snapshot *snap)
{
	struct dts_series *x;

	for (size_t ti = 0; ti < fl->n_tags; ti++) {
		const struct ftag *t = &fl->tags[ti];

		x = dts_snapshot_add(snap, "dts_fluent_records", "Fluent forward records taken in",
				     DTS_COUNTER, "fluent_records", "fluent_aggr", 1, "tag",
				     t->tag);
		if (x == NULL) {
			return -ENOMEM;
		}
		x->u = t->records;
		for (size_t si = 0; si < t->n_sets; si++) {
			const struct fset *s = &t->sets[si];

			for (unsigned int k = 0; k < t->n_keys; k++) {
				char fam[2 * NAME_MAX_LEN + 2], dname[2 * NAME_MAX_LEN + 2];

				if (!(s->have & (1ull << k))) {
					continue;
				}
				snprintf(fam, sizeof(fam), "%s_%s", t->tag, t->keys[k]);
				snprintf(dname, sizeof(dname), "%s:%s", t->tag, t->keys[k]);
				x = dts_snapshot_add(
					snap, fam, "Fluent forward record value", DTS_GAUGE, dname,
					"fluent_aggr", 1 + t->n_label_keys, "tag", t->tag,
					t->label_keys[0], s->labels[0], t->label_keys[1],
					s->labels[1], t->label_keys[2], s->labels[2]);
				if (x == NULL) {
					return -ENOMEM;
				}
				x->d = s->vals[k];
			}
		}
	}
	if ((x = dts_snapshot_add(snap, "dts_fluent_connections", "Fluent forward connections",
				  DTS_GAUGE, "fluent_connections", "dts", 0)) == NULL) {
		return -ENOMEM;
	}
	x->d = fl->n_conns;
	if ((x = dts_snapshot_add(snap, "dts_fluent_bad_messages",
				  "malformed Fluent forward messages (connection closed)",
				  DTS_COUNTER, "fluent_bad_messages", "dts", 0)) == NULL) {
		return -ENOMEM;
	}
	x->u = fl->bad;
	if ((x = dts_snapshot_add(snap, "dts_fluent_dropped",
				  "record values not kept (limits of tags, sets or keys)",
				  DTS_COUNTER, "fluent_dropped", "dts", 0)) == NULL) {
		return -ENOMEM;
	}
	x->u = fl->dropped;
	return 0;
}
