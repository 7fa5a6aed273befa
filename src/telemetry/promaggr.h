/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prometheus_aggr: scrape other Prometheus endpoints and export their
 * series on dpu-telemetry's own, each with the label
 * dts_endpoint="<name>" (enable-provider=prometheus_aggr;
 * prometheus-aggr-endpoints=[name=]http://host:port/path,...).
 *
 * A thread scrapes every endpoint once per update interval (libcurl,
 * timeout the interval, at most 2 s; bodies up to 16 MiB) and parses the
 * text exposition 0.0.4; a collection takes the last good scrape of each.
 * Counters keep their type (fractional values too); gauges and untyped
 * samples are gauges; a histogram's or summary's samples (_bucket, _sum,
 * _count, quantiles) become gauges under their own names. A sample with
 * more labels than fit (DTS_MAX_LABELS less the one added), or a name or
 * label value longer than dpu-telemetry keeps, is left out and counted.
 * Per endpoint: dts_prom_aggr_up, dts_prom_aggr_scrape_duration_seconds,
 * dts_prom_aggr_samples, dts_prom_aggr_skipped_samples, each
 * {dts_endpoint}. DTS names are "<name>:<sample name>".
 */
#ifndef DPU_TELEMETRY_PROMAGGR_H
#define DPU_TELEMETRY_PROMAGGR_H

#include <stddef.h>

#include "telemetry/config.h"
#include "telemetry/metrics.h"

/*
 * Parse a text exposition into 'snap' (one series per sample, tag 'tag',
 * DTS names "<prefix>:<sample>" when 'prefix' is not NULL). Returns 0, or
 * -EINVAL with "line N: reason" in 'err'; samples left out are counted in
 * '*skipped'.
 */
int dts_prom_parse(const char *text, size_t len, const char *tag, const char *prefix,
		   struct dts_snapshot *snap, size_t *skipped, char *err, size_t err_size);

struct dts_paggr;

/* Scrape cfg's endpoints every 'period_ms' from a thread of its own. */
int dts_paggr_start(const struct dts_config *cfg, uint64_t period_ms, struct dts_paggr **pp);
void dts_paggr_stop(struct dts_paggr *p);
/* Whether 'cfg' asks for what 'p' does (endpoints and period). */
bool dts_paggr_same(const struct dts_paggr *p, const struct dts_config *cfg, uint64_t period_ms);
int dts_paggr_collect(struct dts_paggr *p, struct dts_snapshot *snap);

#endif /* DPU_TELEMETRY_PROMAGGR_H */
