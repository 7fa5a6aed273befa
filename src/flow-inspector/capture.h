/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames of a capture file, a burst at a time, for offline mode.
 *
 * A classic pcap file (microsecond or nanosecond time stamps, either byte
 * order, Ethernet link type) is mapped and read in place: a frame's bytes
 * are never copied, the way a NIC's receive ring hands out buffers. Any
 * other file libpcap can read (pcapng, for one) goes through libpcap, which
 * copies each frame into a buffer of its own; those frames are copied once
 * more here so that a whole burst stays valid at once.
 *
 * Both readers give the same frames and the same errors for the same
 * file: a truncated last record or an impossible capture length ends the
 * file with an error naming the byte offset of the record, after every
 * whole frame before it was delivered.
 */
#ifndef DPU_FI_CAPTURE_H
#define DPU_FI_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fi_frame {
	const uint8_t *data; /* valid until the next fi_capture_burst() or close */
	uint32_t caplen, wirelen;
	uint64_t ts_us;
};

struct fi_capture;

/* The frames a burst copies at most (libpcap path); longer ones are cut. */
#define FI_CAPTURE_SNAP 2048

/*
 * Open 'path'. 'force_libpcap' skips the mapped reader. On failure a
 * negative errno and a message in 'err'.
 */
int fi_capture_open(const char *path, bool force_libpcap, struct fi_capture **capp, char *err,
		    size_t err_size);

/* A capture already in memory (classic pcap only); 'data' must outlive it. */
int fi_capture_open_mem(const uint8_t *data, size_t len, struct fi_capture **capp, char *err,
			size_t err_size);

/*
 * Up to 'max' frames into 'f'. Returns how many (0 at the end of the file),
 * or a negative errno once the file turns out broken: the message then is in
 * fi_capture_error(), and the frames before the bad record were all given.
 */
int fi_capture_burst(struct fi_capture *cap, struct fi_frame *f, unsigned int max);

const char *fi_capture_error(const struct fi_capture *cap);

/* "mapped" or "libpcap". */
const char *fi_capture_reader(const struct fi_capture *cap);

void fi_capture_close(struct fi_capture *cap);

#endif /* DPU_FI_CAPTURE_H */
