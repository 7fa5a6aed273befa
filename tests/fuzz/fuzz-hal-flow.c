/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the translation of a steering entry into an rte_flow rule
 * (hal/flow-rte.h; no EAL needed). The input fills a match and actions
 * byte for byte (their strings cut to fit); the last byte picks the domain.
 * A rule that comes out must end with END inside its arrays and be of one
 * domain; a refusal must say why.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hal/flow-rte.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int port_id(void *arg, const char *port, uint16_t *id)
{
	(void)arg;
	if (port[0] == 'p') {
		*id = (uint16_t)port[1];
		return 0;
	}
	return -ENODEV;
}

static int group(void *arg, const char *domain, const char *pipe, uint32_t *g)
{
	(void)arg;
	(void)domain;
	*g = (uint32_t)(unsigned char)pipe[0];
	return pipe[0] != '\0' ? 0 : -ENOENT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dpu_rte_flow f;
	struct dpu_rte_ctx ctx = {.port_id = port_id, .group = group};
	struct dpu_match m;
	struct dpu_actions a;
	const char *domain = NULL;
	char err[128];
	size_t at = 0, n;
	int rc;

	memset(&m, 0, sizeof(m));
	memset(&a, 0, sizeof(a));
	n = size < sizeof(m) ? size : sizeof(m);
	memcpy(&m, data, n);
	at += n;
	n = size - at < sizeof(a) ? size - at : sizeof(a);
	memcpy(&a, data + at, n);
	m.in_port[sizeof(m.in_port) - 1] = '\0';
	a.port[sizeof(a.port) - 1] = '\0';
	a.pipe[sizeof(a.pipe) - 1] = '\0';
	a.mirror[sizeof(a.mirror) - 1] = '\0';
	a.fate = (enum dpu_fate)((unsigned int)a.fate % 5); /* one unknown value too */
	if (size > 0 && (data[size - 1] & 1)) {
		domain = "pf0vf0";
	}
	ctx.rss_queues = size > 0 ? data[0] : 0;
	ctx.no_count = size > 1 && (data[1] & 1);
	rc = dpu_rte_flow_build(&ctx, domain, 1, 0, &m, &a, &f, err, sizeof(err));
	if (rc < 0) {
		if (err[0] == '\0') {
			abort(); /* a refusal names its reason */
		}
		return 0;
	}
	if (rc != 0 || f.attr.transfer == f.attr.ingress) {
		abort();
	}
	for (n = 0; n < DPU_RTE_ITEMS && f.pattern[n].type != RTE_FLOW_ITEM_TYPE_END; n++) {
	}
	if (n == DPU_RTE_ITEMS) {
		abort();
	}
	for (n = 0; n < DPU_RTE_ACTIONS && f.actions[n].type != RTE_FLOW_ACTION_TYPE_END; n++) {
	}
	if (n == DPU_RTE_ACTIONS || n == 0) {
		abort(); /* a rule always has a fate */
	}
	return 0;
}
