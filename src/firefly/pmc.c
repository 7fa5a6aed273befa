/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PTP management messages: building GETs and parsing responses.
 *
 * Wire layout (all big-endian):
 *   header (34)      tsmt, version, messageLength, domainNumber, reserved,
 *                    flagField[2], correctionField (8), reserved (4),
 *                    sourcePortIdentity (10), sequenceId, controlField,
 *                    logMessageInterval
 *   management (14)  targetPortIdentity (10), startingBoundaryHops,
 *                    boundaryHops, actionField, reserved
 *   TLV              tlvType, lengthField, managementId, data
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/util.h"
#include "firefly/pmc.h"

#define MSG_MANAGEMENT 0x0D
#define CTL_MANAGEMENT 0x04
#define TLV_MANAGEMENT 0x0001
#define TLV_MANAGEMENT_ERROR_STATUS 0x0002
#define HDR_LEN 34
#define MGMT_LEN 14
#define TLV_OFF (HDR_LEN + MGMT_LEN)

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* TimeInterval: nanoseconds scaled by 2^16. */
static double time_interval(const uint8_t *p)
{
	return (double)(int64_t)get64(p) / 65536.0;
}

static void port_id(const uint8_t *p, struct ff_port_id *id)
{
	memcpy(id->clock, p, 8);
	id->port = get16(p + 8);
}

/* The data field size of each data set this module reads. */
static int data_len(uint16_t mid)
{
	switch (mid) {
	case FF_MID_DEFAULT_DATA_SET:
		return 20;
	case FF_MID_CURRENT_DATA_SET:
		return 18;
	case FF_MID_PARENT_DATA_SET:
		return 32;
	case FF_MID_TIME_PROPERTIES_DATA_SET:
		return 4;
	case FF_MID_PORT_DATA_SET:
		return 26;
	case FF_MID_TIME_STATUS_NP:
		return 50;
	default:
		return -1;
	}
}

int ff_pmc_build_get(uint8_t *buf, size_t size, uint16_t seq, uint8_t domain, uint16_t mid)
{
	int dlen = data_len(mid);
	size_t len;

	if (dlen < 0) {
		return -EINVAL;
	}
	/* The data field of a GET is sent zeroed; an odd length is padded. */
	len = TLV_OFF + 6 + (size_t)dlen + ((size_t)dlen & 1);
	if (size < len) {
		return -ENOSPC;
	}
	memset(buf, 0, len);
	buf[0] = MSG_MANAGEMENT;
	buf[1] = 2; /* versionPTP */
	put16(buf + 2, (uint16_t)len);
	buf[4] = domain;
	/* sourcePortIdentity: clock identity zero, port number our pid's low bits. */
	put16(buf + 28, (uint16_t)getpid());
	put16(buf + 30, seq);
	buf[32] = CTL_MANAGEMENT;
	buf[33] = 0x7f;
	memset(buf + HDR_LEN, 0xff, 10); /* every port of every clock */
	buf[HDR_LEN + 10] = 0;		 /* startingBoundaryHops: the local clock only */
	buf[HDR_LEN + 11] = 0;
	buf[HDR_LEN + 12] = 0; /* GET */
	put16(buf + TLV_OFF, TLV_MANAGEMENT);
	put16(buf + TLV_OFF + 2, (uint16_t)(2 + dlen + (dlen & 1)));
	put16(buf + TLV_OFF + 4, mid);
	return (int)len;
}

static int bad(char *why, size_t size, int rc, const char *fmt, ...) DPU_PRINTF(4, 5);

static int bad(char *why, size_t size, int rc, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && size > 0) {
		va_start(ap, fmt);
		vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static void parse_data(const uint8_t *d, uint16_t mid, struct ff_pmc_msg *m)
{
	switch (mid) {
	case FF_MID_DEFAULT_DATA_SET: {
		struct ff_default_ds *x = &m->u.dds;

		x->two_step = d[0] & 1;
		x->slave_only = (d[0] >> 1) & 1;
		x->number_ports = get16(d + 2);
		x->priority1 = d[4];
		x->clock_class = d[5];
		x->clock_accuracy = d[6];
		x->offset_scaled_log_variance = get16(d + 7);
		x->priority2 = d[9];
		memcpy(x->clock_identity, d + 10, 8);
		x->domain_number = d[18];
		break;
	}
	case FF_MID_CURRENT_DATA_SET:
		m->u.cds.steps_removed = get16(d);
		m->u.cds.offset_from_master_ns = time_interval(d + 2);
		m->u.cds.mean_path_delay_ns = time_interval(d + 10);
		break;
	case FF_MID_PARENT_DATA_SET: {
		struct ff_parent_ds *x = &m->u.pds;

		port_id(d, &x->parent_port);
		x->parent_stats = d[10];
		x->observed_offset_scaled_log_variance = get16(d + 12);
		x->observed_phase_change_rate = (int32_t)get32(d + 14);
		x->gm_priority1 = d[18];
		x->gm_clock_class = d[19];
		x->gm_clock_accuracy = d[20];
		x->gm_offset_scaled_log_variance = get16(d + 21);
		x->gm_priority2 = d[23];
		memcpy(x->gm_identity, d + 24, 8);
		break;
	}
	case FF_MID_TIME_PROPERTIES_DATA_SET: {
		struct ff_time_properties_ds *x = &m->u.tpds;

		x->current_utc_offset = (int16_t)get16(d);
		x->leap61 = d[2] & 0x01;
		x->leap59 = d[2] & 0x02;
		x->utc_offset_valid = d[2] & 0x04;
		x->ptp_timescale = d[2] & 0x08;
		x->time_traceable = d[2] & 0x10;
		x->freq_traceable = d[2] & 0x20;
		x->time_source = d[3];
		break;
	}
	case FF_MID_PORT_DATA_SET: {
		struct ff_port_ds *x = &m->u.portds;

		port_id(d, &x->port);
		x->port_state = d[10];
		x->log_min_delay_req_interval = (int8_t)d[11];
		x->peer_mean_path_delay_ns = time_interval(d + 12);
		x->log_announce_interval = (int8_t)d[20];
		x->announce_receipt_timeout = d[21];
		x->log_sync_interval = (int8_t)d[22];
		x->delay_mechanism = d[23];
		x->log_min_pdelay_req_interval = (int8_t)d[24];
		x->version_number = d[25] & 0x0f;
		break;
	}
	case FF_MID_TIME_STATUS_NP: {
		struct ff_time_status_np *x = &m->u.tsn;

		x->master_offset_ns = (int64_t)get64(d);
		x->ingress_time_ns = (int64_t)get64(d + 8);
		x->cumulative_scaled_rate_offset = (int32_t)get32(d + 16);
		x->scaled_last_gm_phase_change = (int32_t)get32(d + 20);
		x->gm_time_base_indicator = get16(d + 24);
		/* lastGmPhaseChange (ScaledNs, 12 bytes) at 26 is not kept. */
		x->gm_present = get32(d + 38) != 0;
		memcpy(x->gm_identity, d + 42, 8);
		break;
	}
	default:
		break;
	}
}

int ff_pmc_parse(const uint8_t *buf, size_t len, struct ff_pmc_msg *m, char *why, size_t why_size)
{
	uint16_t msg_len, tlv_type, tlv_len;
	int dlen;

	memset(m, 0, sizeof(*m));
	if (len < HDR_LEN) {
		return bad(why, why_size, -EINVAL, "offset 0: %zu bytes, shorter than a PTP header",
			   len);
	}
	if ((buf[1] & 0x0f) != 2) {
		return bad(why, why_size, -EINVAL, "offset 1: PTP version %u, expected 2",
			   buf[1] & 0x0f);
	}
	msg_len = get16(buf + 2);
	if (msg_len > len || msg_len < HDR_LEN) {
		return bad(why, why_size, -EINVAL,
			   "offset 2: messageLength %u but %zu bytes received", msg_len, len);
	}
	if ((buf[0] & 0x0f) != MSG_MANAGEMENT) {
		return bad(why, why_size, -ENOTSUP, "offset 0: messageType %u is not management",
			   buf[0] & 0x0f);
	}
	if (msg_len < FF_PMC_MIN_LEN) {
		return bad(why, why_size, -EINVAL,
			   "offset 2: messageLength %u is too short for a management TLV", msg_len);
	}
	m->domain_number = buf[4];
	port_id(buf + 20, &m->source);
	m->sequence_id = get16(buf + 30);
	m->action = buf[HDR_LEN + 12] & 0x0f;
	tlv_type = get16(buf + TLV_OFF);
	tlv_len = get16(buf + TLV_OFF + 2);
	if ((size_t)TLV_OFF + 4 + tlv_len > msg_len) {
		return bad(why, why_size, -EINVAL,
			   "offset %d: TLV lengthField %u runs past messageLength %u", TLV_OFF + 2,
			   tlv_len, msg_len);
	}
	if (tlv_type == TLV_MANAGEMENT_ERROR_STATUS) {
		if (tlv_len < 8) {
			return bad(why, why_size, -EINVAL,
				   "offset %d: MANAGEMENT_ERROR_STATUS lengthField %u < 8",
				   TLV_OFF + 2, tlv_len);
		}
		m->error_id = get16(buf + TLV_OFF + 4);
		m->mid = get16(buf + TLV_OFF + 6);
		return 0;
	}
	if (tlv_type != TLV_MANAGEMENT) {
		return bad(why, why_size, -EINVAL, "offset %d: tlvType 0x%04x is not MANAGEMENT",
			   TLV_OFF, tlv_type);
	}
	if (tlv_len < 2) {
		return bad(why, why_size, -EINVAL, "offset %d: TLV lengthField %u < 2", TLV_OFF + 2,
			   tlv_len);
	}
	m->mid = get16(buf + TLV_OFF + 4);
	dlen = data_len(m->mid);
	if (dlen < 0) {
		return bad(why, why_size, -ENOTSUP, "offset %d: managementId 0x%04x not read",
			   TLV_OFF + 4, m->mid);
	}
	if (m->action != 2) {
		return bad(why, why_size, -ENOTSUP, "offset %d: actionField %u is not RESPONSE",
			   HDR_LEN + 12, m->action);
	}
	if (tlv_len - 2 < dlen) {
		return bad(why, why_size, -EINVAL,
			   "offset %d: managementId 0x%04x needs %d data bytes, TLV has %u",
			   TLV_OFF + 2, m->mid, dlen, tlv_len - 2);
	}
	parse_data(buf + TLV_OFF + 6, m->mid, m);
	return 0;
}

const char *ff_port_state_name(uint8_t state)
{
	static const char *const names[] = {
		[FF_PS_INITIALIZING] = "INITIALIZING",
		[FF_PS_FAULTY] = "FAULTY",
		[FF_PS_DISABLED] = "DISABLED",
		[FF_PS_LISTENING] = "LISTENING",
		[FF_PS_PRE_MASTER] = "PRE_MASTER",
		[FF_PS_MASTER] = "MASTER",
		[FF_PS_PASSIVE] = "PASSIVE",
		[FF_PS_UNCALIBRATED] = "UNCALIBRATED",
		[FF_PS_SLAVE] = "SLAVE",
	};

	return state < sizeof(names) / sizeof(names[0]) && names[state] != NULL ? names[state]
										: "?";
}

const char *ff_clock_id_str(const uint8_t id[8], char *buf, size_t size)
{
	snprintf(buf, size, "%02x%02x%02x.%02x%02x.%02x%02x%02x", id[0], id[1], id[2], id[3], id[4],
		 id[5], id[6], id[7]);
	return buf;
}

/* ---------------------------------------------------------------- socket */

static int sun_set(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		return -ENAMETOOLONG;
	}
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

int ff_pmc_open(struct ff_pmc *p, const char *server_path, const char *own_path)
{
	struct sockaddr_un own;
	int rc;

	p->fd = -1;
	if ((rc = sun_set(&own, own_path)) < 0 || strlen(server_path) >= sizeof(p->path)) {
		return rc < 0 ? rc : -ENAMETOOLONG;
	}
	memcpy(p->path, server_path, strlen(server_path) + 1);
	p->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		return -errno;
	}
	unlink(own_path);
	if (bind(p->fd, (struct sockaddr *)&own, sizeof(own)) < 0) {
		rc = -errno;
		close(p->fd);
		p->fd = -1;
		return rc;
	}
	return 0;
}

void ff_pmc_close(struct ff_pmc *p)
{
	struct sockaddr_un own;
	socklen_t len = sizeof(own);

	if (p->fd < 0) {
		return;
	}
	if (getsockname(p->fd, (struct sockaddr *)&own, &len) == 0 && own.sun_path[0] != '\0') {
		unlink(own.sun_path);
	}
	close(p->fd);
	p->fd = -1;
}

int ff_pmc_send_gets(struct ff_pmc *p, uint16_t seq, uint8_t domain, const uint16_t *mids, size_t n)
{
	uint8_t buf[FF_PMC_MAX_BATCH][128];
	struct mmsghdr msgs[FF_PMC_MAX_BATCH];
	struct iovec iov[FF_PMC_MAX_BATCH];
	struct sockaddr_un to;
	int sent;

	if (n > FF_PMC_MAX_BATCH) {
		return -EINVAL;
	}
	if (sun_set(&to, p->path) < 0) {
		return -ENAMETOOLONG;
	}
	memset(msgs, 0, sizeof(msgs));
	for (size_t i = 0; i < n; i++) {
		int len = ff_pmc_build_get(buf[i], sizeof(buf[i]), (uint16_t)(seq + i), domain,
					   mids[i]);

		if (len < 0) {
			return len;
		}
		iov[i].iov_base = buf[i];
		iov[i].iov_len = (size_t)len;
		/* Addressed per send, so a restarted ptp4l (a new socket) is found again. */
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	/* One system call for the round. */
	sent = sendmmsg(p->fd, msgs, (unsigned int)n, 0);
	if (sent < 0) {
		return -errno;
	}
	return sent == (int)n ? 0 : -EAGAIN;
}
