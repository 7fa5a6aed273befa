/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Remote collection: a provider named "grc.<provider>" in enable-provider
 * runs in dpu-dpe, the privileged executer, instead of in dpu-telemetry: on
 * the host, with the host's privileges and network namespace, where a
 * containerised dpu-telemetry sees neither (DOCA's Privileged Executer).
 * Its series come back over dpu-dpe's Unix socket (dpe-socket=, default
 * DTS_DPE_SOCKET_DEFAULT) and are exported as the local ones, the source
 * tag prefixed "grc.".
 *
 * Providers dpu-dpe runs: DTS_GRC_PROVIDERS.
 *
 * Wire: a connection per request. The client writes one JSON line
 *   {"cmd":"collect","provider":"<provider>"}
 * and dpu-dpe answers one JSON line, then closes:
 *   {"ok":true,"series":[{"family","help","kind","labels":[[key,value],...],
 *     "value","fractional","suffix","name","tag"}, ...]}
 *   {"ok":false,"error":"<why>"}
 * "kind" is counter, gauge, summary, histogram or untyped; a counter's
 * value is an unsigned integer unless "fractional".
 */
#ifndef DPU_TELEMETRY_GRC_H
#define DPU_TELEMETRY_GRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "telemetry/config.h"
#include "telemetry/ethtool.h"
#include "telemetry/hcaperf.h"
#include "telemetry/metrics.h"
#include "telemetry/ppcc.h"
#include "telemetry/sysfs.h"
#include "telemetry/tc.h"

#define DTS_DPE_SOCKET_DEFAULT "/run/dpu-dpe/dpe.sock"
#define DTS_GRC_PROVIDERS "ifconfig, ethtool, tc, ppcc_eth, hcaperf"
/* A reply larger than this is refused (bounded memory against a broken peer). */
#define DTS_GRC_MAX_REPLY (64u << 20)
/* How long dpu-telemetry waits for dpu-dpe, per request. */
#define DTS_GRC_TIMEOUT_MS 2000

/* ---- dpu-dpe's side ---- */

/* What the providers dpu-dpe runs keep between requests. */
struct dts_grc_exec {
	struct dts_sysfs_stats sysfs;
	struct dts_ethtool_stats ethtool;
	struct dts_tc_stats tc;
	/* ppcc_eth, hcaperf: the device (HAL URI), opened at the first request, reopened when lost.
	 */
	char device[256];
	struct dpu_dev *dev;
	struct dts_ppcc *ppcc;
	struct dts_hcaperf *hcaperf;
};

/*
 * Run 'provider' into 'snap'. -ENOENT: not one dpu-dpe runs; -ENOMEM;
 * ppcc_eth, hcaperf: the device's error when it cannot be opened or has gone.
 */
int dts_grc_run(const char *provider, struct dts_snapshot *snap, struct dts_grc_exec *ex);
/* Release what the providers kept. */
void dts_grc_exec_free(struct dts_grc_exec *ex);

/* The reply for 'snap' (rc 0) or for the error 'rc': a malloc'd JSON line, NULL without memory. */
char *dts_grc_reply(const struct dts_snapshot *snap, int rc, size_t *len);

/* ---- dpu-telemetry's side ---- */

/*
 * Add the series of the reply 'text' ('len' bytes) to 'snap', their tags
 * prefixed "grc.". 0; -EPROTO for a reply that is not one ('err' says
 * where), -EREMOTEIO for an {"ok":false} one ('err' has its error), -ENOMEM.
 */
int dts_grc_decode(const char *text, size_t len, struct dts_snapshot *snap, char *err,
		   size_t errsize);

struct dts_grc_stats {
	uint64_t requests, failures;
	/* dpu-dpe unreachable or silent: no request before retry_ns (backoff 1 s .. 8 s) */
	uint64_t retry_ns, backoff_ns;
	bool dpe_down;				       /* logged: dpu-dpe unreachable */
	char failing[DTS_CFG_MAX_ITEMS][DTS_CFG_ITEM]; /* providers whose failure was logged */
	size_t n_failing;
};

/*
 * Every enabled grc.<provider> from dpu-dpe at cfg->dpe_socket, and a
 * dts_grc_up{provider} gauge for each. dpu-dpe unreachable is logged once
 * until it answers again; so is a provider it refuses. When dpu-dpe cannot be reached or does not
 * answer, the requests stop for a while (1 s, doubling up to 8 s), so a hung dpu-dpe costs the
 * collection cycle its 2 s wait only that often. Returns 0 or -ENOMEM.
 */
int dts_grc_collect(const struct dts_config *cfg, struct dts_snapshot *snap,
		    struct dts_grc_stats *st);

#endif /* DPU_TELEMETRY_GRC_H */
