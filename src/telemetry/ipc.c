/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "common/util.h"
#include "telemetry/ipc.h"

static const struct {
	const char *name;
	size_t size;
} ftypes[] = {
	[DTS_F_BOOL] = {"bool", sizeof(_Bool)},
	[DTS_F_CHAR] = {"char", sizeof(char)},
	[DTS_F_SHORT] = {"short", sizeof(short)},
	[DTS_F_INT] = {"int", sizeof(int)},
	[DTS_F_LONG] = {"long", sizeof(long)},
	[DTS_F_LONGLONG] = {"long long", sizeof(long long)},
	[DTS_F_UCHAR] = {"unsigned char", sizeof(unsigned char)},
	[DTS_F_USHORT] = {"unsigned short", sizeof(unsigned short)},
	[DTS_F_UINT] = {"unsigned int", sizeof(unsigned int)},
	[DTS_F_ULONG] = {"unsigned long", sizeof(unsigned long)},
	[DTS_F_ULONGLONG] = {"unsigned long long", sizeof(unsigned long long)},
	[DTS_F_FLOAT] = {"float", sizeof(float)},
	[DTS_F_DOUBLE] = {"double", sizeof(double)},
	[DTS_F_INT8] = {"int8_t", 1},
	[DTS_F_INT16] = {"int16_t", 2},
	[DTS_F_INT32] = {"int32_t", 4},
	[DTS_F_INT64] = {"int64_t", 8},
	[DTS_F_UINT8] = {"uint8_t", 1},
	[DTS_F_UINT16] = {"uint16_t", 2},
	[DTS_F_UINT32] = {"uint32_t", 4},
	[DTS_F_UINT64] = {"uint64_t", 8},
};

size_t dts_ipc_ftype_size(unsigned int ftype)
{
	return ftype >= 1 && ftype <= DTS_F_MAX ? ftypes[ftype].size : 0;
}

unsigned int dts_ipc_ftype_by_name(const char *name)
{
	for (unsigned int i = 1; i <= DTS_F_MAX; i++) {
		if (strcmp(ftypes[i].name, name) == 0) {
			return i;
		}
	}
	return 0;
}

const char *dts_ipc_ftype_name(unsigned int ftype)
{
	return ftype >= 1 && ftype <= DTS_F_MAX ? ftypes[ftype].name : "?";
}

size_t dts_ipc_pack(void *buf, size_t size, enum dts_ipc_kind kind, const void *a, size_t alen,
		    const void *b, size_t blen)
{
	struct dts_ipc_hdr h = {.magic = DTS_IPC_MAGIC,
				.version = DTS_IPC_VERSION,
				.kind = (uint16_t)kind,
				.len = (uint32_t)(alen + blen)};
	uint8_t *p = buf;

	if (sizeof(h) + alen + blen > size || alen + blen > DTS_IPC_MAX_MSG) {
		return 0;
	}
	memcpy(p, &h, sizeof(h));
	if (alen > 0) {
		memcpy(p + sizeof(h), a, alen);
	}
	if (blen > 0 && b != NULL) {
		memcpy(p + sizeof(h) + alen, b, blen);
	}
	return sizeof(h) + alen + blen;
}

int dts_ipc_parse(const void *msg, size_t len, enum dts_ipc_kind *kind, const uint8_t **payload,
		  size_t *plen, const char **why)
{
	struct dts_ipc_hdr h;

	if (len < sizeof(h)) {
		*why = "shorter than a header";
		return -EBADMSG;
	}
	memcpy(&h, msg, sizeof(h));
	if (h.magic != DTS_IPC_MAGIC) {
		*why = "bad magic";
		return -EBADMSG;
	}
	if (h.version != DTS_IPC_VERSION) {
		*why = "unsupported version";
		return -EBADMSG;
	}
	if (h.kind < DTS_IPC_HELLO || h.kind > DTS_IPC_KICK) {
		*why = "unknown message kind";
		return -EBADMSG;
	}
	if ((size_t)h.len != len - sizeof(h)) {
		*why = "length does not match the datagram";
		return -EBADMSG;
	}
	*kind = (enum dts_ipc_kind)h.kind;
	*payload = (const uint8_t *)msg + sizeof(h);
	*plen = h.len;
	return 0;
}

void dts_ipc_value_at(const uint8_t *p, unsigned int ftype, struct dts_ipc_value *v)
{
	size_t size = dts_ipc_ftype_size(ftype);
	union {
		int8_t i8;
		int16_t i16;
		int32_t i32;
		int64_t i64;
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		uint64_t u64;
		float f;
		double d;
	} x;

	memset(v, 0, sizeof(*v));
	memset(&x, 0, sizeof(x));
	memcpy(&x, p, size);
	switch (ftype) {
	case DTS_F_BOOL:
		v->kind = DTS_V_BOOL;
		v->u = x.u8 != 0;
		return;
	case DTS_F_FLOAT:
		v->kind = DTS_V_FLOAT;
		v->d = x.f;
		return;
	case DTS_F_DOUBLE:
		v->kind = DTS_V_FLOAT;
		v->d = x.d;
		return;
	case DTS_F_CHAR:
	case DTS_F_SHORT:
	case DTS_F_INT:
	case DTS_F_LONG:
	case DTS_F_LONGLONG:
	case DTS_F_INT8:
	case DTS_F_INT16:
	case DTS_F_INT32:
	case DTS_F_INT64:
		v->kind = DTS_V_INT;
		v->i = size == 1 ? x.i8 : size == 2 ? x.i16 : size == 4 ? x.i32 : x.i64;
		return;
	default:
		v->kind = DTS_V_UINT;
		v->u = size == 1 ? x.u8 : size == 2 ? x.u16 : size == 4 ? x.u32 : x.u64;
		return;
	}
}

/* ---- the record ring ---- */

/* Bytes skipped to the end of the area when an entry does not fit before it. */
#define WRAP_NEEDED(to_end, need) ((to_end) < (need) ? (to_end) : 0u)

static inline uint32_t entry_size(uint32_t len)
{
	return (uint32_t)((sizeof(uint32_t) + len + 7u) & ~7u);
}

int dts_ipc_ring_put(struct dts_ipc_ring_hdr *r, uint8_t *data, uint32_t size, const void *msg,
		     uint32_t len, bool *kick)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed); /* ours alone */
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	uint64_t start = head;
	uint32_t need = entry_size(len), off = (uint32_t)(head & (size - 1)), to_end = size - off;
	uint32_t wrap = WRAP_NEEDED(to_end, need);

	if (len == 0 || len > DTS_IPC_RING_MAX || need > size / 2 ||
	    (uint64_t)size - (head - tail) < (uint64_t)need + wrap) {
		return -ENOSPC;
	}
	if (wrap != 0) { /* not enough room before the end: start again at 0 */
		uint32_t mark = DTS_IPC_RING_WRAP;

		memcpy(data + off, &mark, sizeof(mark));
		head += wrap;
		off = 0;
	}
	memcpy(data + off, &len, sizeof(len));
	memcpy(data + off + sizeof(len), msg, len);
	head += need;
	/* The entry before the head that shows it; then, seq_cst, whether DTS had caught up. */
	atomic_store_explicit(&r->head, head, memory_order_seq_cst);
	if (atomic_load_explicit(&r->tail, memory_order_seq_cst) == start) {
		*kick = true;
	}
	return 0;
}

int dts_ipc_ring_get(struct dts_ipc_ring_hdr *r, const uint8_t *data, uint32_t size, void *buf,
		     size_t cap, uint64_t *pos, const char **why)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed); /* ours alone */
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	uint32_t len, off;

	if (head == tail) {
		return 0;
	}
	if (head - tail > size || (head & 7) != 0) {
		*why = "ring: head out of bounds";
		return -EBADMSG;
	}
	off = (uint32_t)(tail & (size - 1));
	memcpy(&len, data + off, sizeof(len));
	if (len == DTS_IPC_RING_WRAP) {
		tail += size - off;
		if (head - tail > size || head == tail) {
			*why = "ring: a wrap mark with nothing after it";
			return -EBADMSG;
		}
		off = 0;
		memcpy(&len, data, sizeof(len));
	}
	if (len == 0 || len > cap || entry_size(len) > head - tail ||
	    entry_size(len) > size - off) {
		*why = "ring: an entry of a bad length";
		return -EBADMSG;
	}
	memcpy(buf, data + off + sizeof(len), len); /* a copy: the client may write on */
	*pos = tail + entry_size(len);
	return (int)len;
}

void dts_ipc_ring_taken(struct dts_ipc_ring_hdr *r, uint64_t pos)
{
	atomic_store_explicit(&r->tail, pos, memory_order_seq_cst);
}
