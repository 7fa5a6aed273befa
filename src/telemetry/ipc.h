/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Telemetry Exporter API's transport: messages between a client
 * (libdpu-telemetry-exporter) and dpu-telemetry over a Unix SOCK_SEQPACKET
 * socket, <root>/ipc_sockets/dpu-telemetry.sock. One message per datagram,
 * host byte order (both ends are on the same machine), no padding: every
 * struct below is read and written with memcpy at its offset.
 *
 *   client -> DTS   HELLO    schema name, source id, source tag
 *   client -> DTS   TYPE     one record type: index, name, fields
 *   client -> DTS   RECORDS  seq, type index, count, timestamp, records
 *   DTS -> client   ACK      seq of a RECORDS message taken in (and all before)
 *   client -> DTS   RING     a shared-memory ring for RECORDS (its memfd rides
 *                            along as SCM_RIGHTS)
 *   client -> DTS   KICK     the ring has messages and DTS may be waiting
 *
 * With a ring, RECORDS messages go through it instead of the socket: the
 * client copies them in and kicks only when DTS had taken everything before
 * (so a busy DTS is never woken by a syscall); DTS takes what is there after
 * each socket event and acknowledges the last one taken (one ACK a turn).
 *
 * A client keeps each RECORDS message until its ACK comes, and sends the
 * unacknowledged ones again after a reconnect (HELLO and TYPEs first), so a
 * DTS restart loses nothing the client did not count as dropped.
 *
 * Records are packed: the type's fields in order, each its size times its
 * array length, no padding (a C struct with __attribute__((packed))).
 */
#ifndef DPU_TELEMETRY_IPC_H
#define DPU_TELEMETRY_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DTS_IPC_SOCKET "dpu-telemetry.sock"
#define DTS_IPC_MAGIC 0x49535444u /* "DTSI" */
#define DTS_IPC_VERSION 1
#define DTS_IPC_MAX_MSG (256 * 1024)
#define DTS_IPC_NAME 64
#define DTS_IPC_MAX_FIELDS 64
#define DTS_IPC_MAX_TYPES 64

enum dts_ipc_kind {
	DTS_IPC_HELLO = 1,
	DTS_IPC_TYPE = 2,
	DTS_IPC_RECORDS = 3,
	DTS_IPC_ACK = 4,
	DTS_IPC_RING = 5,
	DTS_IPC_KICK = 6,
};

/* Field types, DOCA's type names (dts_ipc_ftype_by_name()). */
enum dts_ipc_ftype {
	DTS_F_BOOL = 1,
	DTS_F_CHAR,
	DTS_F_SHORT,
	DTS_F_INT,
	DTS_F_LONG,
	DTS_F_LONGLONG,
	DTS_F_UCHAR,
	DTS_F_USHORT,
	DTS_F_UINT,
	DTS_F_ULONG,
	DTS_F_ULONGLONG,
	DTS_F_FLOAT,
	DTS_F_DOUBLE,
	DTS_F_INT8,
	DTS_F_INT16,
	DTS_F_INT32,
	DTS_F_INT64,
	DTS_F_UINT8,
	DTS_F_UINT16,
	DTS_F_UINT32,
	DTS_F_UINT64,
	DTS_F_MAX = DTS_F_UINT64,
};

/* A record type's field as a reader of its packed records sees it. */
struct dts_ipc_field_view {
	const char *name;
	unsigned int ftype, count; /* enum dts_ipc_ftype; array length */
	size_t offset;		   /* in the record */
};

struct dts_ipc_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t kind;
	uint32_t len; /* bytes after the header */
};

struct dts_ipc_hello {
	char schema[DTS_IPC_NAME];
	char source_id[DTS_IPC_NAME];
	char tag[DTS_IPC_NAME];
};

struct dts_ipc_field {
	char name[DTS_IPC_NAME];
	uint8_t ftype;	/* enum dts_ipc_ftype */
	uint16_t count; /* array length, >= 1 */
} __attribute__((packed));

/* TYPE: this, then n_fields struct dts_ipc_field. */
struct dts_ipc_type {
	uint16_t index;
	uint16_t n_fields;
	char name[DTS_IPC_NAME];
} __attribute__((packed));

/* RECORDS: this, then n * record size bytes. */
struct dts_ipc_records {
	uint64_t seq;
	uint64_t timestamp_us;
	uint16_t type_index;
	uint16_t pad;
	uint32_t n;
} __attribute__((packed));

struct dts_ipc_ack {
	uint64_t seq;
};

/*
 * The record ring: a memfd the client seals against resizing, maps and
 * passes with RING. The first DTS_IPC_RING_DATA bytes hold the header; the
 * data area follows. An entry is a 4-byte length and a whole message as it
 * would go over the socket, padded to 8 bytes; a length of
 * DTS_IPC_RING_WRAP says the area's rest up to its end is unused. 'head'
 * counts the bytes the client has written (only it moves it), 'tail' the
 * bytes DTS has taken (only it moves it); positions are modulo 'size'.
 */
#define DTS_IPC_RING_MAGIC 0x52535444u /* "DTSR" */
#define DTS_IPC_RING_DATA 4096
#define DTS_IPC_RING_MIN (64u * 1024)
#define DTS_IPC_RING_MAX (64u * 1024 * 1024)
#define DTS_IPC_RING_WRAP 0xffffffffu

struct dts_ipc_ring_hdr {
	uint32_t magic;
	uint32_t size; /* of the data area: a power of two, MIN..MAX */
	uint8_t pad1[56];
	_Atomic uint64_t head;
	uint8_t pad2[56];
	_Atomic uint64_t tail;
};

/* RING's payload. */
struct dts_ipc_ring {
	uint32_t size;
};

/*
 * Client: copy the 'len'-byte message into the ring at 'r' (data at
 * 'data'). -ENOSPC when it has no room now. '*kick' is set when DTS had
 * taken everything before it (it may be waiting: send a KICK).
 */
int dts_ipc_ring_put(struct dts_ipc_ring_hdr *r, uint8_t *data, uint32_t size, const void *msg,
		     uint32_t len, bool *kick);

/*
 * DTS: copy the next message out of the ring into 'buf' ('cap' bytes).
 * Returns its length, 0 when the ring is empty, or -EBADMSG ('why') for a
 * ring a client wrote nonsense into. '*pos' is the tail to store with
 * dts_ipc_ring_taken() once the message is dealt with ('size' is DTS's own
 * copy of the data area's size, never re-read from shared memory).
 */
int dts_ipc_ring_get(struct dts_ipc_ring_hdr *r, const uint8_t *data, uint32_t size, void *buf,
		     size_t cap, uint64_t *pos, const char **why);
void dts_ipc_ring_taken(struct dts_ipc_ring_hdr *r, uint64_t pos);

/* One value of a field, read as the C type it is: 'kind' says which member. */
struct dts_ipc_value {
	enum { DTS_V_BOOL, DTS_V_INT, DTS_V_UINT, DTS_V_FLOAT } kind;
	int64_t i;  /* DTS_V_INT */
	uint64_t u; /* DTS_V_UINT, DTS_V_BOOL (0 or 1) */
	double d;   /* DTS_V_FLOAT */
};

/* The value of type 'ftype' at 'p' (dts_ipc_ftype_size() bytes, host order). */
void dts_ipc_value_at(const uint8_t *p, unsigned int ftype, struct dts_ipc_value *v);

/* The size of one value of 'ftype' (0 for an unknown type). */
size_t dts_ipc_ftype_size(unsigned int ftype);
/* DOCA's type name ("unsigned int", "uint64_t", ...) -> type, or 0. */
unsigned int dts_ipc_ftype_by_name(const char *name);
const char *dts_ipc_ftype_name(unsigned int ftype);

/*
 * Build a message: header + 'a' (alen) + 'b' (blen) into 'buf'; returns its
 * length or 0. 'b' NULL: its blen bytes are in 'buf' at their place already.
 */
size_t dts_ipc_pack(void *buf, size_t size, enum dts_ipc_kind kind, const void *a, size_t alen,
		    const void *b, size_t blen);

/*
 * Check a received message: magic, version, a known kind, a length that
 * matches. Returns 0 and the kind and payload, or -EBADMSG with 'why'.
 */
int dts_ipc_parse(const void *msg, size_t len, enum dts_ipc_kind *kind, const uint8_t **payload,
		  size_t *plen, const char **why);

#endif /* DPU_TELEMETRY_IPC_H */
