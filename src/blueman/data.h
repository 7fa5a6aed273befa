/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What BlueMan's pages show, as JSON: the device and host (overview), the
 * sensors, services and recent logs (health), and every series the
 * Telemetry Service exports (telemetry, read from its Prometheus endpoint).
 */
#ifndef DPU_BLUEMAN_DATA_H
#define DPU_BLUEMAN_DATA_H

#include <stddef.h>
#include <stdint.h>

struct dpu_dev;
struct json_object;

struct bm_data;

/* 'telemetry_url': dpu-telemetry's /metrics; 'log_dir': *.log files shown on Health ("" none). */
int bm_data_create(struct dpu_dev *dev, const char *telemetry_url, const char *log_dir,
		   struct bm_data **dp);
void bm_data_free(struct bm_data *d);

/* New JSON objects (the caller puts them); NULL when out of memory. */
struct json_object *bm_overview(struct bm_data *d);
struct json_object *bm_health(struct bm_data *d);
/* Series whose name starts with 'prefix' ("" all). */
struct json_object *bm_telemetry(struct bm_data *d, const char *prefix);

/*
 * Parse Prometheus text exposition into an array of
 * {"name", "labels": {...}, "value"}; lines that are not samples are
 * skipped. Exposed for tests and fuzzing.
 */
struct json_object *bm_parse_prometheus(const char *text, size_t len, const char *prefix);

#endif /* DPU_BLUEMAN_DATA_H */
