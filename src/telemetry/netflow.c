/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "common/util.h"
#include "telemetry/netflow.h"

#define NF_MAX_FIELDS 64
#define NF_TEMPLATE_EVERY_PACKETS 20
#define NF_TEMPLATE_EVERY_MS 30000
#define NF_DEFAULT_MAX_PACKET 1400
#define NF_V9_HDR 20
#define NF_IPFIX_HDR 16

struct dpu_te_netflow_field {
	uint16_t type, len;
};

struct dpu_te_netflow_template {
	uint16_t id;
	size_t n;
	struct dpu_te_netflow_field f[NF_MAX_FIELDS];
	size_t rec_len;
	bool sent;
	uint32_t sent_at_packet;
	uint64_t sent_at_ms;
};

static struct {
	bool inited, started;
	uint16_t source_id;
	unsigned int version;
	char addr[64];
	uint16_t port, max_pkt;
	int fd;
	uint64_t start_ms;
	uint32_t packets, data_records;
	uint16_t next_tpl_id;
	/* the packet being built */
	uint8_t pkt[65536];
	size_t len;
	uint32_t n_records; /* v9: every record, template ones too; IPFIX: data records */
	size_t set_off;	    /* offset of the open data set's header, 0 when none */
	const struct dpu_te_netflow_template *set_tpl;
} nf;

static uint64_t now_ms(void)
{
	return dpu_time_mono_ns() / DPU_NSEC_PER_MSEC;
}

static void put16(size_t off, uint16_t v)
{
	v = htons(v);
	memcpy(nf.pkt + off, &v, 2);
}

static void put32(size_t off, uint32_t v)
{
	v = htonl(v);
	memcpy(nf.pkt + off, &v, 4);
}

static size_t hdr_len(void)
{
	return nf.version == 10 ? NF_IPFIX_HDR : NF_V9_HDR;
}

int dpu_te_netflow_init(uint16_t source_id)
{
	if (nf.inited) {
		return -EALREADY;
	}
	memset(&nf, 0, sizeof(nf));
	nf.inited = true;
	nf.source_id = source_id;
	nf.version = 9;
	dpu_strscpy(nf.addr, "127.0.0.1", sizeof(nf.addr));
	nf.port = DPU_TE_NETFLOW_DEFAULT_PORT;
	nf.max_pkt = NF_DEFAULT_MAX_PACKET;
	nf.fd = -1;
	nf.next_tpl_id = 256;
	return 0;
}

int dpu_te_netflow_set_version(unsigned int version)
{
	if (!nf.inited || nf.started || (version != 9 && version != 10)) {
		return -EINVAL;
	}
	nf.version = version;
	return 0;
}

int dpu_te_netflow_set_collector_addr(const char *addr)
{
	if (!nf.inited || nf.started || addr == NULL ||
	    dpu_strscpy(nf.addr, addr, sizeof(nf.addr)) < 0) {
		return -EINVAL;
	}
	return 0;
}

int dpu_te_netflow_set_collector_port(uint16_t port)
{
	if (!nf.inited || nf.started || port == 0) {
		return -EINVAL;
	}
	nf.port = port;
	return 0;
}

int dpu_te_netflow_set_max_packet_size(uint16_t size)
{
	if (!nf.inited || nf.started || size < 128) {
		return -EINVAL;
	}
	nf.max_pkt = size;
	return 0;
}

int dpu_te_netflow_start(void)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	char port[8];
	int rc;

	if (!nf.inited || nf.started) {
		return -EINVAL;
	}
	snprintf(port, sizeof(port), "%u", nf.port);
	rc = getaddrinfo(nf.addr, port, &hints, &ai);
	if (rc != 0) {
		return -EADDRNOTAVAIL;
	}
	nf.fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (nf.fd < 0 || connect(nf.fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		rc = -errno;
		if (nf.fd >= 0) {
			close(nf.fd);
			nf.fd = -1;
		}
		freeaddrinfo(ai);
		return rc;
	}
	freeaddrinfo(ai);
	nf.start_ms = now_ms();
	nf.len = hdr_len();
	nf.started = true;
	return 0;
}

static void close_set(void)
{
	if (nf.set_off == 0) {
		return;
	}
	while ((nf.len - nf.set_off) % 4 != 0) {
		nf.pkt[nf.len++] = 0; /* sets end on a 4-byte boundary */
	}
	put16(nf.set_off + 2, (uint16_t)(nf.len - nf.set_off));
	nf.set_off = 0;
	nf.set_tpl = NULL;
}

int dpu_te_netflow_flush(void)
{
	struct timespec ts;
	ssize_t n;

	if (!nf.started) {
		return -EINVAL;
	}
	close_set();
	if (nf.len == hdr_len()) {
		return 0; /* nothing to send */
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	if (nf.version == 10) {
		put16(0, 10);
		put16(2, (uint16_t)nf.len);
		put32(4, (uint32_t)ts.tv_sec);
		put32(8, nf.data_records); /* data records sent before this message */
		put32(12, nf.source_id);
	} else {
		put16(0, 9);
		put16(2, (uint16_t)nf.n_records);
		put32(4, (uint32_t)(now_ms() - nf.start_ms));
		put32(8, (uint32_t)ts.tv_sec);
		put32(12, nf.packets);
		put32(16, nf.source_id);
	}
	n = send(nf.fd, nf.pkt, nf.len, MSG_NOSIGNAL);
	nf.packets++;
	if (nf.version == 10) {
		nf.data_records += nf.n_records;
	}
	nf.len = hdr_len();
	nf.n_records = 0;
	/* A lost datagram is the collector's to notice (sequence numbers); not an error here. */
	return n < 0 && errno != ECONNREFUSED ? -errno : 0;
}

/* Make room for 'need' more bytes in this packet (sending it when full). */
static int room(size_t need)
{
	if (nf.len + need <= nf.max_pkt) {
		return 0;
	}
	if (hdr_len() + need > nf.max_pkt) {
		return -EMSGSIZE;
	}
	return dpu_te_netflow_flush();
}

static bool template_due(const struct dpu_te_netflow_template *t)
{
	return !t->sent || nf.packets - t->sent_at_packet >= NF_TEMPLATE_EVERY_PACKETS ||
	       now_ms() - t->sent_at_ms >= NF_TEMPLATE_EVERY_MS;
}

static int add_template(struct dpu_te_netflow_template *t)
{
	size_t need = 4 + 4 + 4 * t->n;
	int rc;

	close_set();
	rc = room(need);
	if (rc < 0) {
		return rc;
	}
	put16(nf.len, nf.version == 10 ? 2 : 0); /* template set / flowset id */
	put16(nf.len + 2, (uint16_t)need);
	put16(nf.len + 4, t->id);
	put16(nf.len + 6, (uint16_t)t->n);
	for (size_t i = 0; i < t->n; i++) {
		put16(nf.len + 8 + 4 * i, t->f[i].type);
		put16(nf.len + 10 + 4 * i, t->f[i].len);
	}
	nf.len += need;
	if (nf.version == 9) {
		nf.n_records++;
	}
	t->sent = true;
	t->sent_at_packet = nf.packets;
	t->sent_at_ms = now_ms();
	return 0;
}

int dpu_te_netflow_send(struct dpu_te_netflow_template *t, const void *const *records, size_t n,
			size_t *sent)
{
	size_t done = 0;
	int rc = 0;

	if (!nf.started || t == NULL || t->n == 0 || (records == NULL && n > 0)) {
		return -EINVAL;
	}
	for (; done < n; done++) {
		if (template_due(t)) {
			rc = add_template(t);
			if (rc < 0) {
				break;
			}
		}
		/* The record, a set header if a set opens, and the closing padding. */
		size_t need = t->rec_len + (nf.set_tpl == t ? 0 : 4) + 3;

		if (nf.len + need > nf.max_pkt) {
			rc = dpu_te_netflow_flush();
			if (rc < 0) {
				break;
			}
			if (template_due(t) && (rc = add_template(t)) < 0) {
				break;
			}
			if (hdr_len() + t->rec_len + 4 + 3 > nf.max_pkt) {
				rc = -EMSGSIZE;
				break;
			}
		}
		if (nf.set_tpl != t) {
			close_set();
			nf.set_off = nf.len;
			put16(nf.len, t->id);
			nf.len += 4;
			nf.set_tpl = t;
		}
		memcpy(nf.pkt + nf.len, records[done], t->rec_len);
		nf.len += t->rec_len;
		nf.n_records++;
	}
	if (sent != NULL) {
		*sent = done;
	}
	return rc;
}

void dpu_te_netflow_destroy(void)
{
	if (nf.started) {
		dpu_te_netflow_flush();
		close(nf.fd);
	}
	memset(&nf, 0, sizeof(nf));
}

int dpu_te_netflow_template_create(struct dpu_te_netflow_template **tplp)
{
	if (!nf.inited || tplp == NULL) {
		return -EINVAL;
	}
	*tplp = calloc(1, sizeof(**tplp));
	if (*tplp == NULL) {
		return -ENOMEM;
	}
	(*tplp)->id = nf.next_tpl_id++;
	return 0;
}

int dpu_te_netflow_template_add_field(struct dpu_te_netflow_template *t,
				      struct dpu_te_netflow_field *f)
{
	int rc = 0;

	if (t == NULL || f == NULL || f->type == 0 || f->len == 0 || t->sent) {
		rc = -EINVAL;
	} else if (t->n == NF_MAX_FIELDS) {
		rc = -ENOSPC;
	} else {
		t->f[t->n++] = *f;
		t->rec_len += f->len;
	}
	free(f);
	return rc;
}

void dpu_te_netflow_template_destroy(struct dpu_te_netflow_template *t)
{
	if (t != NULL && nf.set_tpl == t) {
		close_set(); /* the open set must not outlive its template */
	}
	free(t);
}

int dpu_te_netflow_field_create(struct dpu_te_netflow_field **fp)
{
	if (fp == NULL) {
		return -EINVAL;
	}
	*fp = calloc(1, sizeof(**fp));
	return *fp != NULL ? 0 : -ENOMEM;
}

int dpu_te_netflow_field_set_type(struct dpu_te_netflow_field *f, uint16_t type)
{
	if (f == NULL || type == 0 || type > 0x7fff) {
		return -EINVAL;
	}
	f->type = type;
	return 0;
}

int dpu_te_netflow_field_set_len(struct dpu_te_netflow_field *f, uint16_t len)
{
	if (f == NULL || len == 0) {
		return -EINVAL;
	}
	f->len = len;
	return 0;
}

void dpu_te_netflow_field_destroy(struct dpu_te_netflow_field *f)
{
	free(f);
}
