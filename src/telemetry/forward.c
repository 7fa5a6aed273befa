/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <msgpack.h>

#define DPU_LOG_MODULE "dts-fwd"
#include "common/log.h"
#include "common/loop.h"
#include "common/timeutil.h"
#include "telemetry/forward.h"
#include "telemetry/ipc.h"

#define DEFAULT_TAG "doca_telemetry"
#define DEFAULT_MAX_BUFFER (8u << 20)
#define BACKOFF_MIN_NS (100 * DPU_NSEC_PER_MSEC)
#define BACKOFF_MAX_NS (30 * DPU_NSEC_PER_SEC)
/* An acknowledgement is a small map; anything longer is not one. */
#define ACK_MAX 256
#define CHUNK_ID_LEN 32

struct chunk {
	struct chunk *next;
	char id[CHUNK_ID_LEN + 1];
	uint32_t records;
	size_t len;
	uint8_t data[];
};

enum fwd_state { FWD_IDLE, FWD_CONNECTING, FWD_CONNECTED };

struct dts_fwd {
	struct dts_fwd_conf c;
	struct dpu_loop *loop;
	struct dpu_loop_src *timer, *io;
	enum fwd_state state;
	int fd;
	uint64_t backoff_ns;
	/* Oldest first; 'sending' and the chunks before it are written (or being). */
	struct chunk *head, *tail, *sending;
	size_t sent_off; /* bytes of 'sending' written */
	size_t buffered;
	uint8_t ack[ACK_MAX];
	size_t ack_len;
	uint64_t records, acked, dropped, reconnects, chunks_resent;
};

/* ---- configuration ---- */

static int conf_key(void *arg, const char *section, const char *key, const char *value, int line,
		    struct dpu_cfg_err *err)
{
	struct dts_fwd_conf *c = arg;
	const char *why = NULL;
	uint64_t v;

	(void)line;
	if (section[0] != '\0') {
		return dpu_cfg_err_set(err, NULL, 0, key, "unknown section [%s]", section);
	}
	if (strcmp(key, "enable") == 0) {
		if (dpu_cfg_parse_bool(value, &c->enable, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s", value, why);
		}
	} else if (strcmp(key, "host") == 0) {
		if (value[0] == '\0' || dpu_strscpy(c->host, value, sizeof(c->host)) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "a host name or address");
		}
	} else if (strcmp(key, "port") == 0) {
		if (dpu_cfg_parse_u64(value, 1, 65535, &v, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s", value, why);
		}
		c->port = (uint16_t)v;
	} else if (strcmp(key, "tag") == 0) {
		if (value[0] == '\0' || dpu_strscpy(c->tag, value, sizeof(c->tag)) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "1..63 characters");
		}
	} else if (strcmp(key, "max-buffer-bytes") == 0) {
		if (dpu_cfg_parse_u64(value, 64 * 1024, 1ull << 30, &v, &why) < 0) {
			return dpu_cfg_err_set(err, NULL, 0, key, "'%s': %s", value, why);
		}
		c->max_buffer = (size_t)v;
	} else if (strcmp(key, "name") != 0 && strcmp(key, "plugin_dir") != 0) {
		/* name= and plugin_dir= are in the BlueField's files: accepted, not used. */
		return dpu_cfg_err_set(err, NULL, 0, key, "unknown key");
	}
	return 0;
}

int dts_fwd_conf_load(const char *config_dir, struct dts_fwd_conf *c, struct dpu_cfg_err *err)
{
	char path[4096];
	int rc;

	memset(c, 0, sizeof(*c));
	dpu_strscpy(c->host, "127.0.0.1", sizeof(c->host));
	c->port = DTS_FWD_DEFAULT_PORT;
	dpu_strscpy(c->tag, DEFAULT_TAG, sizeof(c->tag));
	c->max_buffer = DEFAULT_MAX_BUFFER;
	snprintf(path, sizeof(path), "%s/%s", config_dir, DTS_FWD_FILE);
	rc = dpu_ini_load(path, conf_key, c, err);
	if (rc == -ENOENT) {
		c->enable = false;
		return 0;
	}
	return rc;
}

/* ---- the connection ---- */

static void arm_retry(struct dts_fwd *f);

static void drop_connection(struct dts_fwd *f, const char *why)
{
	if (f->io != NULL) {
		dpu_loop_del(f->io);
		f->io = NULL;
	}
	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
	if (f->state == FWD_CONNECTED && why != NULL) {
		log_warn("forward to %s:%u: %s; reconnecting", f->c.host, f->c.port, why);
	}
	/* What was written and not acknowledged goes again. */
	if (f->head != NULL && f->sending != f->head) {
		f->chunks_resent++;
	}
	f->sending = f->head;
	f->sent_off = 0;
	f->ack_len = 0;
	f->state = FWD_IDLE;
	arm_retry(f);
}

static void release_acked(struct dts_fwd *f, const char *id, size_t len)
{
	/* Chunks are acknowledged in order; an unknown id is ignored. */
	for (struct chunk *c = f->head; c != NULL && c != f->sending; c = c->next) {
		if (len == CHUNK_ID_LEN && memcmp(c->id, id, len) == 0) {
			const struct chunk *stop = c->next;

			while (f->head != stop) {
				struct chunk *done = f->head;

				f->head = done->next;
				f->acked += done->records;
				f->buffered -= done->len;
				free(done);
			}
			if (f->head == NULL) {
				f->tail = NULL;
			}
			f->backoff_ns = BACKOFF_MIN_NS;
			return;
		}
	}
}

/* A msgpack string (fixstr, str8, str16) at p: its body and length; 0 or -1. */
static int mp_str(const uint8_t *p, size_t avail, const uint8_t **s, size_t *len, size_t *used)
{
	size_t hdr;

	if (avail < 1) {
		return 1; /* more bytes needed */
	}
	if ((p[0] & 0xe0) == 0xa0) {
		hdr = 1;
		*len = p[0] & 0x1f;
	} else if (p[0] == 0xd9 && avail >= 2) {
		hdr = 2;
		*len = p[1];
	} else if (p[0] == 0xda && avail >= 3) {
		hdr = 3;
		*len = (size_t)p[1] << 8 | p[2];
	} else if (p[0] == 0xd9 || p[0] == 0xda) {
		return 1;
	} else {
		return -1;
	}
	if (avail < hdr + *len) {
		return 1;
	}
	*s = p + hdr;
	*used = hdr + *len;
	return 0;
}

/*
 * Take in acknowledgements: {"ack": "<id>"} maps, read by hand (a server's
 * bytes never make us allocate). -1 on anything else.
 */
static int take_acks(struct dts_fwd *f)
{
	size_t off = 0;

	while (off < f->ack_len) {
		const uint8_t *p = f->ack + off;
		size_t avail = f->ack_len - off, pos = 1, n;
		const uint8_t *id = NULL;
		size_t id_len = 0;
		int more = 0;

		if ((p[0] & 0xf0) != 0x80) {
			return -1; /* not a small map */
		}
		n = p[0] & 0x0f;
		for (size_t i = 0; i < n && more == 0; i++) {
			const uint8_t *k, *v;
			size_t klen, vlen, used;
			int rc = mp_str(p + pos, avail - pos, &k, &klen, &used);

			if (rc != 0) {
				more = rc;
				break;
			}
			pos += used;
			rc = mp_str(p + pos, avail - pos, &v, &vlen, &used);
			if (rc != 0) {
				more = rc;
				break;
			}
			pos += used;
			if (klen == 3 && memcmp(k, "ack", 3) == 0) {
				id = v;
				id_len = vlen;
			}
		}
		if (more < 0) {
			return -1;
		}
		if (more > 0) {
			break; /* the rest comes with the next read */
		}
		if (id != NULL) {
			release_acked(f, (const char *)id, id_len);
		}
		off += pos;
	}
	memmove(f->ack, f->ack + off, f->ack_len - off);
	f->ack_len -= off;
	return f->ack_len == sizeof(f->ack) ? -1 : 0;
}

static void want_events(struct dts_fwd *f)
{
	uint32_t ev = EPOLLIN;

	if (f->state == FWD_CONNECTING || f->sending != NULL) {
		ev |= EPOLLOUT;
	}
	dpu_loop_mod_fd(f->io, ev);
}

static void write_some(struct dts_fwd *f)
{
	while (f->sending != NULL) {
		struct chunk *c = f->sending;
		ssize_t n = send(f->fd, c->data + f->sent_off, c->len - f->sent_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				drop_connection(f, strerror(errno));
				return;
			}
			break;
		}
		f->sent_off += (size_t)n;
		if (f->sent_off == c->len) {
			f->sending = c->next;
			f->sent_off = 0;
		}
	}
	want_events(f);
}

static void on_io(struct dpu_loop_src *src, int fd, uint32_t events, void *arg)
{
	struct dts_fwd *f = arg;

	(void)src;
	if (f->state == FWD_CONNECTING) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
			drop_connection(f, NULL);
			return;
		}
		f->state = FWD_CONNECTED;
		f->reconnects++;
		log_info("forwarding to %s:%u (tag %s)", f->c.host, f->c.port, f->c.tag);
	}
	if (events & EPOLLIN) {
		ssize_t n =
			recv(fd, f->ack + f->ack_len, sizeof(f->ack) - f->ack_len, MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			drop_connection(f, n == 0 ? "closed by the server" : strerror(errno));
			return;
		}
		if (n > 0) {
			f->ack_len += (size_t)n;
			if (take_acks(f) < 0) {
				drop_connection(f, "not a forward acknowledgement");
				return;
			}
		}
	}
	if (events & (EPOLLERR | EPOLLHUP)) {
		drop_connection(f, "connection lost");
		return;
	}
	write_some(f);
}

static void try_connect(struct dts_fwd *f)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	char port[8];
	int rc;

	snprintf(port, sizeof(port), "%u", f->c.port);
	rc = getaddrinfo(f->c.host, port, &hints, &ai);
	if (rc != 0 || ai == NULL) {
		log_warn_rl("forward: %s: %s", f->c.host, gai_strerror(rc));
		arm_retry(f);
		return;
	}
	f->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->fd < 0 ||
	    (connect(f->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) ||
	    dpu_loop_add_fd(f->loop, f->fd, EPOLLOUT, on_io, f, &f->io) < 0) {
		freeaddrinfo(ai);
		drop_connection(f, NULL);
		return;
	}
	freeaddrinfo(ai);
	f->state = FWD_CONNECTING;
}

static void on_timer(struct dpu_loop_src *src, uint64_t exp, void *arg)
{
	struct dts_fwd *f = arg;

	(void)src;
	(void)exp;
	if (f->state == FWD_IDLE) {
		try_connect(f);
	}
}

static void arm_retry(struct dts_fwd *f)
{
	dpu_loop_timer_set(f->timer, f->backoff_ns, 0);
	f->backoff_ns = DPU_MIN(f->backoff_ns * 2, BACKOFF_MAX_NS);
}

int dts_fwd_start(struct dpu_loop *loop, const struct dts_fwd_conf *c, struct dts_fwd **fp)
{
	struct dts_fwd *f = calloc(1, sizeof(*f));
	int rc;

	if (f == NULL) {
		return -ENOMEM;
	}
	f->c = *c;
	f->loop = loop;
	f->fd = -1;
	f->backoff_ns = BACKOFF_MIN_NS;
	rc = dpu_loop_add_timer(loop, 1, 0, on_timer, f, &f->timer);
	if (rc < 0) {
		free(f);
		return rc;
	}
	*fp = f;
	return 0;
}

int dts_fwd_create_detached(struct dts_fwd **fp)
{
	struct dts_fwd *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		return -ENOMEM;
	}
	dpu_strscpy(f->c.host, "detached", sizeof(f->c.host));
	dpu_strscpy(f->c.tag, DEFAULT_TAG, sizeof(f->c.tag));
	f->c.max_buffer = DEFAULT_MAX_BUFFER;
	f->fd = -1;
	f->backoff_ns = BACKOFF_MIN_NS;
	*fp = f;
	return 0;
}

int dts_fwd_feed(struct dts_fwd *f, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		size_t n = DPU_MIN(len, sizeof(f->ack) - f->ack_len);

		memcpy(f->ack + f->ack_len, p, n);
		f->ack_len += n;
		p += n;
		len -= n;
		if (take_acks(f) < 0) {
			f->ack_len = 0;
			return -EBADMSG;
		}
	}
	return 0;
}

void dts_fwd_stop(struct dts_fwd *f)
{
	uint64_t lost = 0;

	if (f == NULL) {
		return;
	}
	if (f->io != NULL) {
		dpu_loop_del(f->io);
	}
	if (f->fd >= 0) {
		close(f->fd);
	}
	dpu_loop_del(f->timer);
	while (f->head != NULL) {
		struct chunk *c = f->head;

		f->head = c->next;
		lost += c->records;
		free(c);
	}
	if (lost > 0) {
		log_warn("forward: %llu records not acknowledged by %s:%u are dropped",
			 (unsigned long long)lost, f->c.host, f->c.port);
	}
	free(f);
}

/* ---- records ---- */

static void pack_str(msgpack_packer *pk, const char *s)
{
	size_t len = strlen(s);

	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, s, len);
}

static void new_chunk_id(char *id)
{
	uint8_t r[CHUNK_ID_LEN / 2];
	static uint64_t counter;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		uint64_t t = dpu_time_mono_ns() ^ ++counter;

		memset(r, 0, sizeof(r));
		memcpy(r, &t, sizeof(t));
	}
	for (size_t i = 0; i < sizeof(r); i++) {
		snprintf(id + 2 * i, 3, "%02x", r[i]);
	}
}

/* Close the message with its chunk option and queue it; it owns 'sb' from here. */
static void enqueue(struct dts_fwd *f, msgpack_packer *pk, msgpack_sbuffer *sb, const char *id,
		    uint32_t records)
{
	struct chunk *c;

	msgpack_pack_map(pk, 1);
	pack_str(pk, "chunk");
	pack_str(pk, id);
	f->records += records;
	if (f->buffered + sb->size > f->c.max_buffer ||
	    (c = malloc(sizeof(*c) + sb->size)) == NULL) {
		f->dropped += records;
		msgpack_sbuffer_destroy(sb);
		return;
	}
	memcpy(c->id, id, sizeof(c->id));
	c->next = NULL;
	c->records = records;
	c->len = sb->size;
	memcpy(c->data, sb->data, sb->size);
	msgpack_sbuffer_destroy(sb);
	if (f->tail != NULL) {
		f->tail->next = c;
	} else {
		f->head = c;
	}
	f->tail = c;
	f->buffered += c->len;
	if (f->sending == NULL) {
		f->sending = c;
		f->sent_off = 0;
	}
	if (f->state == FWD_CONNECTED) {
		write_some(f);
	}
}

void dts_fwd_push(struct dts_fwd *f, const struct dts_snapshot *snap, uint64_t time_ns)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char id[CHUNK_ID_LEN + 1];

	if (f == NULL || snap->n == 0) {
		return;
	}
	new_chunk_id(id);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	pack_str(&pk, f->c.tag);
	msgpack_pack_array(&pk, snap->n);
	for (size_t i = 0; i < snap->n; i++) {
		const struct dts_series *s = &snap->s[i];

		msgpack_pack_array(&pk, 2);
		msgpack_pack_uint64(&pk, time_ns / DPU_NSEC_PER_SEC);
		msgpack_pack_map(&pk, 4 + s->n_labels);
		pack_str(&pk, "name");
		pack_str(&pk, s->dts_name[0] ? s->dts_name : s->family);
		pack_str(&pk, "family");
		pack_str(&pk, s->family);
		pack_str(&pk, "value");
		if (s->kind == DTS_COUNTER && !s->fractional) {
			msgpack_pack_uint64(&pk, s->u);
		} else {
			msgpack_pack_double(&pk, s->d);
		}
		pack_str(&pk, "provider");
		pack_str(&pk, s->tag);
		for (unsigned int l = 0; l < s->n_labels; l++) {
			pack_str(&pk, s->labels[l].key);
			pack_str(&pk, s->labels[l].value);
		}
	}
	enqueue(f, &pk, &sb, id, (uint32_t)snap->n);
}

/* One value of a field, by its exporter API type. */
static void pack_value(msgpack_packer *pk, const uint8_t *p, unsigned int ftype)
{
	struct dts_ipc_value v;

	dts_ipc_value_at(p, ftype, &v);
	switch (v.kind) {
	case DTS_V_BOOL:
		if (v.u) {
			msgpack_pack_true(pk);
		} else {
			msgpack_pack_false(pk);
		}
		return;
	case DTS_V_INT:
		msgpack_pack_int64(pk, v.i);
		return;
	case DTS_V_FLOAT:
		msgpack_pack_double(pk, v.d);
		return;
	default:
		msgpack_pack_uint64(pk, v.u);
		return;
	}
}

void dts_fwd_push_records(struct dts_fwd *f, const char *source_id, const char *schema,
			  const char *type, const struct dts_ipc_field_view *fields,
			  unsigned int n_fields, size_t rec_size, const uint8_t *recs, uint32_t n,
			  uint64_t timestamp_us)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char id[CHUNK_ID_LEN + 1], tag[3 * 64 + 3];

	if (f == NULL || n == 0) {
		return;
	}
	snprintf(tag, sizeof(tag), "%s.%s.%s", f->c.tag, schema, type);
	new_chunk_id(id);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	pack_str(&pk, tag);
	msgpack_pack_array(&pk, n);
	for (uint32_t r = 0; r < n; r++) {
		const uint8_t *rec = recs + (size_t)r * rec_size;

		msgpack_pack_array(&pk, 2);
		msgpack_pack_uint64(&pk, timestamp_us / 1000000u);
		msgpack_pack_map(&pk, n_fields + 1);
		pack_str(&pk, "source");
		pack_str(&pk, source_id);
		for (unsigned int i = 0; i < n_fields; i++) {
			const struct dts_ipc_field_view *fv = &fields[i];
			const uint8_t *p = rec + fv->offset;
			size_t sz = dts_ipc_ftype_size(fv->ftype);

			pack_str(&pk, fv->name);
			if (fv->ftype == DTS_F_CHAR && fv->count > 1) {
				/* A string: up to its NUL, bytes that are not printable as '?'. */
				char text[4097];
				size_t len = 0;

				while (len < fv->count && len < sizeof(text) - 1 && p[len] != 0) {
					text[len] = p[len] >= 0x20 && p[len] < 0x7f ? (char)p[len]
										    : '?';
					len++;
				}
				msgpack_pack_str(&pk, len);
				msgpack_pack_str_body(&pk, text, len);
			} else if (fv->count > 1) {
				msgpack_pack_array(&pk, fv->count);
				for (unsigned int k = 0; k < fv->count; k++) {
					pack_value(&pk, p + k * sz, fv->ftype);
				}
			} else {
				pack_value(&pk, p, fv->ftype);
			}
		}
	}
	enqueue(f, &pk, &sb, id, n);
}

static int add(struct dts_snapshot *snap, const struct dts_fwd *f, const char *family,
	       const char *help, enum dts_kind kind, uint64_t v)
{
	char port[8];
	struct dts_series *s;

	snprintf(port, sizeof(port), "%u", f->c.port);
	s = dts_snapshot_add(snap, family, help, kind, family, "dts", 2, "host", f->c.host, "port",
			     port);
	if (s == NULL) {
		return -ENOMEM;
	}
	if (kind == DTS_COUNTER) {
		s->u = v;
	} else {
		s->d = (double)v;
	}
	return 0;
}

int dts_fwd_collect(const struct dts_fwd *f, struct dts_snapshot *snap)
{
	int rc;

	if (f == NULL) {
		return 0;
	}
	rc = add(snap, f, "dts_forward_records", "records queued for the forward destination",
		 DTS_COUNTER, f->records);
	if (rc == 0) {
		rc = add(snap, f, "dts_forward_acked_records",
			 "records the forward destination acknowledged", DTS_COUNTER, f->acked);
	}
	if (rc == 0) {
		rc = add(snap, f, "dts_forward_dropped_records",
			 "records dropped: the buffer was full", DTS_COUNTER, f->dropped);
	}
	if (rc == 0) {
		rc = add(snap, f, "dts_forward_connects", "connections made to the destination",
			 DTS_COUNTER, f->reconnects);
	}
	if (rc == 0) {
		rc = add(snap, f, "dts_forward_buffered_bytes", "bytes waiting for acknowledgement",
			 DTS_GAUGE, f->buffered);
	}
	if (rc == 0) {
		rc = add(snap, f, "dts_forward_connected", "1 while connected to the destination",
			 DTS_GAUGE, f->state == FWD_CONNECTED);
	}
	return rc;
}
