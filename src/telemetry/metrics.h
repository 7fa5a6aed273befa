/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What one collection cycle produced: series (a metric family, its index
 * labels and a value), and the Prometheus text rendering of them.
 *
 * A series also keeps the counter's DTS name ("mlx5_0:1:port_rcv_data",
 * "p0:rx_packets") and its source tag ("sysfs.ib_port"), which the
 * prometheus-ignore-names / -tags options match.
 *
 * Ownership: a snapshot owns its series; dts_snapshot_free() releases them.
 */
#ifndef DPU_TELEMETRY_METRICS_H
#define DPU_TELEMETRY_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "telemetry/config.h"

#define DTS_MAX_LABELS 8

enum dts_kind {
	DTS_COUNTER,   /* monotonically increasing integer */
	DTS_GAUGE,     /* a measured value */
	DTS_SUMMARY,   /* a sample of a summary (value in d; 'suffix' _sum, _count) */
	DTS_HISTOGRAM, /* a sample of a histogram (value in d; 'suffix' _bucket, ...) */
	DTS_UNTYPED,   /* a value of unknown kind (value in d) */
};

struct dts_label {
	char key[24];
	char value[64];
};

struct dts_series {
	char family[96]; /* Prometheus metric name, without _total */
	char help[96];
	enum dts_kind kind;
	unsigned int n_labels;
	struct dts_label labels[DTS_MAX_LABELS];
	uint64_t u;	 /* counters */
	double d;	 /* gauges, and counters with 'fractional' */
	bool fractional; /* a counter whose value is 'd' (seconds_total, ...) */
	bool bare;	 /* a counter named as its peer names it: no _total in the
			  * text format (dcgm-exporter's DCGM_FI_DEV_*); OpenMetrics,
			  * which demands it, still gets it */
	char suffix[12]; /* summary and histogram samples: after the family name */
	char dts_name[128];
	char tag[32];
};

struct dts_snapshot {
	size_t n, cap;
	struct dts_series *s;
};

void dts_snapshot_init(struct dts_snapshot *snap);
void dts_snapshot_free(struct dts_snapshot *snap);
/*
 * Append a series; 'family' is made a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
 * Labels come as key, value pairs after 'n_labels'. Returns the series or
 * NULL when out of memory.
 */
struct dts_series *dts_snapshot_add(struct dts_snapshot *snap, const char *family, const char *help,
				    enum dts_kind kind, const char *dts_name, const char *tag,
				    unsigned int n_labels, ...);

/*
 * Render the text exposition: format 0.0.4, or OpenMetrics 1.0 when
 * 'openmetrics' (counters as <family>_total under "# TYPE <family> counter",
 * a final "# EOF"). Families are grouped and sorted; the config's
 * prometheus-ignore-names (family, counter or DTS name), -ignore-tags
 * (tag or its provider) and -indexes (which labels stay; series that
 * become identical keep the first) apply. '*text' is malloc'd, NUL-ended.
 */
int dts_prom_render(const struct dts_snapshot *snap, const struct dts_config *cfg, bool openmetrics,
		    char **text, size_t *len);

#endif /* DPU_TELEMETRY_METRICS_H */
