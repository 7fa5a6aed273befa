/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: the eSwitch's packet parser (no EAL needed). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/eswitch/esw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct esw_key k;
	/* A copy of exactly 'size' bytes, so ASan sees any read past the end. */
	uint8_t *pkt = malloc(size ? size : 1);

	if (pkt == NULL) {
		return 0;
	}
	memcpy(pkt, data, size);
	if (esw_parse(pkt, (uint32_t)size, 1, &k) == 0) {
		/* Ports only with a whole L4 header; an IP version only with L3. */
		if ((k.sport || k.dport) && !(k.flags & ESW_KEY_L4)) {
			abort();
		}
		if (k.ip_ver != 0 && !(k.flags & ESW_KEY_L3)) {
			abort();
		}
	} else if (size >= 14) {
		abort(); /* only a frame shorter than Ethernet is refused */
	}
	free(pkt);
	return 0;
}
