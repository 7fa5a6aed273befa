/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the eSwitch's packet parser and its packet edits (no EAL
 * needed). The first input byte picks the edits; the rest is the frame.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/eswitch/esw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ROOM 70 /* an IPv6 VXLAN header */

static void check_key(const struct esw_key *k)
{
	/* Ports only with a whole L4 header; an IP version only with L3. */
	if ((k->sport || k->dport) && !(k->flags & ESW_KEY_L4)) {
		abort();
	}
	if (k->ip_ver != 0 && !(k->flags & ESW_KEY_L3)) {
		abort();
	}
	if (k->inner.ip_ver != 0 && !(k->flags & ESW_KEY_VXLAN)) {
		abort();
	}
}

/* Every edit on the frame, in a buffer of exactly ROOM + 'size' bytes. */
static void rewrite(uint8_t pick, const uint8_t *frame, size_t size)
{
	struct esw_edit e = {
		.ops = pick & 0x7f,
		.ip_ver = (pick & 0x80) ? 6 : 4,
		.src_mac = {2, 0, 0, 0, 0, 1},
		.dst_mac = {2, 0, 0, 0, 0, 2},
		.src_ip = {10, 0, 0, 1},
		.dst_ip = {10, 0, 0, 2},
		.sport = 1000,
		.dport = 2000,
	};
	struct esw_edit enc = {.ops = ESW_EDIT_DECAP | ESW_EDIT_ENCAP,
			       .encap = {.ip_ver = (pick & 0x80) ? 6 : 4, .vni = 42}};
	struct esw_result r = {.n_edits = 2};
	uint8_t *buf = malloc(ROOM + size);
	uint32_t new_len;
	int32_t start;
	struct esw_key k;

	if (buf == NULL) {
		return;
	}
	memcpy(buf + ROOM, frame, size);
	r.edits[0].edit = &e;
	r.edits[1].edit = &enc;
	r.edits[1].encap_sport = 50000;
	if (esw_rewrite(buf + ROOM, (uint32_t)size, ROOM, &r, &start, &new_len) == 0) {
		if (start < -ROOM || (int64_t)start + new_len > (int64_t)size) {
			abort(); /* the frame stays inside the buffer */
		}
		if (esw_parse(buf + ROOM + start, new_len, 1, &k) < 0 ||
		    !(k.flags & ESW_KEY_VXLAN) || k.vni != 42) {
			abort(); /* an encapsulated frame parses as one */
		}
		check_key(&k);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct esw_key k;
	/* A copy of exactly 'size' bytes, so ASan sees any read past the end. */
	uint8_t *pkt;

	if (size < 1) {
		return 0;
	}
	pkt = malloc(size - 1 ? size - 1 : 1);
	if (pkt == NULL) {
		return 0;
	}
	memcpy(pkt, data + 1, size - 1);
	if (esw_parse(pkt, (uint32_t)(size - 1), 1, &k) == 0) {
		check_key(&k);
		rewrite(data[0], pkt, size - 1);
	} else if (size - 1 >= 14) {
		abort(); /* only a frame shorter than Ethernet is refused */
	}
	free(pkt);
	return 0;
}
