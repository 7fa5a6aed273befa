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
	uint8_t *buf; /* bytes of messages not yet whole */
	size_t len, cap;
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

static long skim(const uint8_t *b, size_t len, const char **why);

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
			/* The entries are msgpack too: checked before msgpack-c allocates. */
			long end = skim((const uint8_t *)p + off, len - off, why);
			size_t at = 0;

			if (end <= 0 || msgpack_unpack_next(&u, p + off, (size_t)end, &at) !=
						MSGPACK_UNPACK_SUCCESS) {
				*why = end < 0 ? *why : "PackedForward entries are not msgpack";
				rc = -EBADMSG;
				break;
			}
			off += (size_t)end;
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

/* Containers a message may declare, each and in all. */
#define MAX_CONTAINER (1u << 20)
#define MAX_DECLARED (1u << 22)

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

/*
 * Where the msgpack object at 'b' ends: its length, 0 when it is not all
 * there yet, -1 when it is refused ('why'). msgpack-c allocates a
 * container's elements when it reads the header, so headers are checked
 * here first: no container over 1 Mi elements, 4 Mi in a message.
 */
static long skim(const uint8_t *b, size_t len, const char **why)
{
	uint64_t remaining = 1, declared = 0;
	size_t off = 0;

	while (remaining > 0) {
		uint64_t n = 0, skip = 0;
		size_t hdr = 0;
		uint8_t t;

		if (off >= len) {
			return 0;
		}
		t = b[off++];
		remaining--;
		if (t <= 0x7f || t >= 0xe0) {
			continue;
		}
		if (t <= 0x8f) {
			n = 2u * (t & 0x0f);
		} else if (t <= 0x9f) {
			n = t & 0x0f;
		} else if (t <= 0xbf) {
			skip = t & 0x1f;
		} else {
			switch (t) {
			case 0xc0: /* nil, false, true */
			case 0xc2:
			case 0xc3:
				break;
			case 0xc4: /* bin 8/16/32, str 8/16/32: a length first */
			case 0xd9:
				hdr = 1;
				break;
			case 0xc5:
			case 0xda:
				hdr = 2;
				break;
			case 0xc6:
			case 0xdb:
				hdr = 4;
				break;
			case 0xc7: /* ext 8/16/32: a length, then the type byte */
				hdr = 1;
				skip = 1;
				break;
			case 0xc8:
				hdr = 2;
				skip = 1;
				break;
			case 0xc9:
				hdr = 4;
				skip = 1;
				break;
			case 0xca:
			case 0xce:
			case 0xd2:
				skip = 4;
				break;
			case 0xcb:
			case 0xcf:
			case 0xd3:
				skip = 8;
				break;
			case 0xcc:
			case 0xd0:
				skip = 1;
				break;
			case 0xcd:
			case 0xd1:
				skip = 2;
				break;
			case 0xd4: /* fixext 1/2/4/8/16, with the type byte */
				skip = 2;
				break;
			case 0xd5:
				skip = 3;
				break;
			case 0xd6:
				skip = 5;
				break;
			case 0xd7:
				skip = 9;
				break;
			case 0xd8:
				skip = 17;
				break;
			case 0xdc:
			case 0xdd:
			case 0xde:
			case 0xdf: {
				size_t w = (t == 0xdc || t == 0xde) ? 2 : 4;

				if (off + w > len) {
					return 0;
				}
				n = be(b + off, w) * (t >= 0xde ? 2u : 1u);
				off += w;
				break;
			}
			default: /* 0xc1: never used */
				*why = "not msgpack";
				return -1;
			}
		}
		if (hdr > 0) {
			if (off + hdr > len) {
				return 0;
			}
			skip += be(b + off, hdr);
			off += hdr;
		}
		if (n > 0) {
			declared += n;
			if (n > 2u * MAX_CONTAINER || declared > MAX_DECLARED) {
				*why = "a container of more elements than allowed";
				return -1;
			}
			remaining += n;
		}
		if (skip > MAX_MESSAGE) {
			*why = "a message over 8 MiB";
			return -1;
		}
		if (off + skip > len) {
			return 0;
		}
		off += skip;
	}
	return (long)off;
}

/* Take in the whole messages at the front of 'b'; '*used' says how many bytes they were. */
static int feed(struct dts_fluent *fl, const uint8_t *b, size_t len, size_t *used, const char **why)
{
	size_t pos = 0;
	int rc = 0;

	while (rc == 0 && pos < len) {
		long end = skim(b + pos, len - pos, why);
		msgpack_unpacked u;
		size_t off = 0;

		if (end < 0) {
			rc = -EBADMSG;
			break;
		}
		if (end == 0) {
			if (len - pos > MAX_MESSAGE) {
				*why = "a message over 8 MiB";
				rc = -EBADMSG;
			}
			break;
		}
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, (const char *)b + pos, (size_t)end, &off) !=
		    MSGPACK_UNPACK_SUCCESS) {
			*why = "not msgpack";
			rc = -EBADMSG;
		} else {
			rc = take_event(fl, &u.data, why);
		}
		msgpack_unpacked_destroy(&u);
		pos += (size_t)end;
	}
	*used = pos;
	return rc;
}

int dts_fluent_feed(struct dts_fluent *fl, const void *data, size_t len, const char **why)
{
	size_t used;

	return feed(fl, data, len, &used, why);
}

/* ---- sockets ---- */

static void conn_free(void *arg)
{
	struct fconn *c = arg;

	close(c->fd);
	free(c->buf);
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
	size_t used;
	ssize_t n;

	(void)src;
	(void)events;
	if (c->cap - c->len < 65536) {
		size_t cap = c->cap ? c->cap * 2 : 131072;
		uint8_t *nb;

		if (cap > MAX_MESSAGE + 131072 || (nb = realloc(c->buf, cap)) == NULL) {
			c->fl->bad++;
			log_warn_rl("fluent_aggr: a message over 8 MiB; closing the connection");
			dpu_loop_del(c->src);
			return;
		}
		c->buf = nb;
		c->cap = cap;
	}
	n = recv(fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		return;
	}
	if (n <= 0) {
		dpu_loop_del(c->src);
		return;
	}
	c->len += (size_t)n;
	c->fl->reply_fd = fd;
	if (feed(c->fl, c->buf, c->len, &used, &why) < 0) {
		c->fl->bad++;
		log_warn_rl("fluent_aggr: %s; closing the connection", why);
		c->fl->reply_fd = -1;
		dpu_loop_del(c->src);
		return;
	}
	c->fl->reply_fd = -1;
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
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
	if (c == NULL) {
		close(cfd);
		return;
	}
	c->fl = fl;
	c->fd = cfd;
	if (dpu_loop_add_fd(fl->loop, cfd, EPOLLIN, on_conn, c, &c->src) < 0) {
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
