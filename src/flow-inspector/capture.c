/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "flow-inspector/capture.h"

/* A classic pcap file: the global header, then a header per record. */
#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_GLOBAL_LEN 24
#define PCAP_REC_LEN 16
#define LINKTYPE_ETHERNET 1
/* libpcap's bound on a record (MAXIMUM_SNAPLEN): anything larger is damage. */
#define PCAP_MAX_CAPLEN 262144u

struct fi_capture {
	/* mapped */
	const uint8_t *base;
	size_t len, off;
	bool swapped, nsec, owned;
	/* libpcap */
	pcap_t *pc;
	uint8_t (*copies)[FI_CAPTURE_SNAP];
	unsigned int n_copies;
	uint64_t frames;
	char error[PCAP_ERRBUF_SIZE + 96];
};

static uint32_t rd32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swapped ? __builtin_bswap32(v) : v;
}

/* 0 when 'data' starts a classic Ethernet pcap file this reader takes. */
static int classic_header(struct fi_capture *c, const uint8_t *data, size_t len)
{
	uint32_t magic;

	if (len < PCAP_GLOBAL_LEN) {
		return -EINVAL;
	}
	memcpy(&magic, data, sizeof(magic));
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
		c->swapped = false;
	} else if (magic == __builtin_bswap32(PCAP_MAGIC_US) ||
		   magic == __builtin_bswap32(PCAP_MAGIC_NS)) {
		c->swapped = true;
	} else {
		return -EINVAL;
	}
	c->nsec = rd32(data, c->swapped) == PCAP_MAGIC_NS;
	/* The link type's upper bits carry FCS length and flags: libpcap's business. */
	if (rd32(data + 20, c->swapped) != LINKTYPE_ETHERNET) {
		return -EINVAL;
	}
	c->base = data;
	c->len = len;
	c->off = PCAP_GLOBAL_LEN;
	return 0;
}

int fi_capture_open_mem(const uint8_t *data, size_t len, struct fi_capture **capp, char *err,
			size_t err_size)
{
	struct fi_capture *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		snprintf(err, err_size, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (classic_header(c, data, len) < 0) {
		snprintf(err, err_size, "not a classic pcap file of Ethernet frames");
		free(c);
		return -EINVAL;
	}
	*capp = c;
	return 0;
}

static int open_mapped(const char *path, struct fi_capture *c)
{
	struct stat st;
	void *m;
	int fd;

	if (strcmp(path, "-") == 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return -ENOENT; /* libpcap says why */
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < PCAP_GLOBAL_LEN) {
		close(fd);
		return -EINVAL;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		return -errno;
	}
	if (classic_header(c, m, (size_t)st.st_size) < 0) {
		munmap(m, (size_t)st.st_size);
		return -EINVAL;
	}
	(void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	c->owned = true;
	return 0;
}

static int open_libpcap(const char *path, struct fi_capture *c, char *err, size_t err_size)
{
	char perr[PCAP_ERRBUF_SIZE];

	c->pc = pcap_open_offline(path, perr);
	if (c->pc == NULL) {
		snprintf(err, err_size, "%s", perr);
		return -EINVAL;
	}
	if (pcap_datalink(c->pc) != DLT_EN10MB) {
		snprintf(err, err_size, "link type %s, expected Ethernet",
			 pcap_datalink_val_to_name(pcap_datalink(c->pc)));
		return -EINVAL;
	}
	return 0;
}

int fi_capture_open(const char *path, bool force_libpcap, struct fi_capture **capp, char *err,
		    size_t err_size)
{
	struct fi_capture *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		snprintf(err, err_size, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (!force_libpcap && open_mapped(path, c) == 0) {
		*capp = c;
		return 0;
	}
	rc = open_libpcap(path, c, err, err_size);
	if (rc < 0) {
		fi_capture_close(c);
		return rc;
	}
	*capp = c;
	return 0;
}

static int burst_mapped(struct fi_capture *c, struct fi_frame *f, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && c->off < c->len) {
		const uint8_t *h = c->base + c->off;
		uint32_t sec, frac, caplen;

		if (c->len - c->off < PCAP_REC_LEN) {
			snprintf(c->error, sizeof(c->error),
				 "offset %zu: record header cut short (%zu of %u bytes)", c->off,
				 c->len - c->off, PCAP_REC_LEN);
			return n > 0 ? (int)n : -EINVAL;
		}
		/* The frames ahead are in lines not touched yet: start reading them. */
		__builtin_prefetch(h + 512);
		__builtin_prefetch(h + 576);
		sec = rd32(h, c->swapped);
		frac = rd32(h + 4, c->swapped);
		caplen = rd32(h + 8, c->swapped);
		if (caplen > PCAP_MAX_CAPLEN) {
			snprintf(c->error, sizeof(c->error),
				 "offset %zu: capture length %u is more than %u", c->off, caplen,
				 PCAP_MAX_CAPLEN);
			return n > 0 ? (int)n : -EINVAL;
		}
		if (c->len - c->off - PCAP_REC_LEN < caplen) {
			snprintf(c->error, sizeof(c->error),
				 "offset %zu: record cut short (%zu of %u captured bytes)", c->off,
				 c->len - c->off - PCAP_REC_LEN, caplen);
			return n > 0 ? (int)n : -EINVAL;
		}
		f[n].data = h + PCAP_REC_LEN;
		f[n].caplen = caplen;
		f[n].wirelen = rd32(h + 12, c->swapped);
		f[n].ts_us = (uint64_t)sec * 1000000u + (c->nsec ? frac / 1000u : frac);
		n++;
		c->off += PCAP_REC_LEN + caplen;
	}
	return (int)n;
}

static int burst_libpcap(struct fi_capture *c, struct fi_frame *f, unsigned int max)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned int n = 0;
	int rc = 1;

	if (c->copies == NULL || c->n_copies < max) {
		free(c->copies);
		c->copies = malloc((size_t)max * sizeof(*c->copies));
		if (c->copies == NULL) {
			c->n_copies = 0;
			snprintf(c->error, sizeof(c->error), "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		c->n_copies = max;
	}
	/* libpcap reuses its buffer for the next frame: a burst keeps copies. */
	while (n < max && (rc = pcap_next_ex(c->pc, &h, &d)) == 1) {
		uint32_t cap = h->caplen < FI_CAPTURE_SNAP ? h->caplen : FI_CAPTURE_SNAP;

		memcpy(c->copies[n], d, cap);
		f[n].data = c->copies[n];
		f[n].caplen = cap;
		f[n].wirelen = h->len;
		f[n].ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		n++;
		c->frames++;
	}
	if (rc == PCAP_ERROR) {
		snprintf(c->error, sizeof(c->error), "after %llu frames: %s",
			 (unsigned long long)c->frames, pcap_geterr(c->pc));
		return n > 0 ? (int)n : -EINVAL;
	}
	return (int)n;
}

int fi_capture_burst(struct fi_capture *c, struct fi_frame *f, unsigned int max)
{
	if (c->error[0] != '\0') {
		return -EINVAL; /* broken, and said so */
	}
	return c->pc != NULL ? burst_libpcap(c, f, max) : burst_mapped(c, f, max);
}

const char *fi_capture_error(const struct fi_capture *c)
{
	return c->error;
}

const char *fi_capture_reader(const struct fi_capture *c)
{
	return c->pc != NULL ? "libpcap" : "mapped";
}

void fi_capture_close(struct fi_capture *c)
{
	if (c == NULL) {
		return;
	}
	if (c->owned) {
		munmap((void *)(uintptr_t)c->base, c->len);
	}
	if (c->pc != NULL) {
		pcap_close(c->pc);
	}
	free(c->copies);
	free(c);
}
