/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PTP monitor: what ptp4l reports over its management socket (and its
 * servo lines on stdout), kept as one snapshot and published as a block of
 * "name: value" lines to every client of the TCP monitor port, to a file
 * (at most once a second, and on every change of port state or
 * grandmaster), and as a record to the Telemetry Service.
 *
 * Block format (one line each, in this order, then an empty line):
 *
 *   gmIdentity: 8a0da6.fffe.f88089
 *   portIdentity: 8a5241.fffe.5e4984-1
 *   port_state: SLAVE
 *   domainNumber: 0
 *   stepsRemoved: 1
 *   offsetFromMaster: -1103
 *   meanPathDelay: 2093
 *   master_offset: avg: -12 max: 1103 rms: 640
 *   ingress_time: 1764093300123456789
 *   gmPresent: true
 *   ptp_stable: no
 *   servo_state: s2
 *   freq_adj_ppb: -1313
 *   UtcOffset: 37
 *   timeTraceable: 0
 *   frequencyTraceable: 0
 *   grandmasterPriority1: 128
 *   gmClockClass: 248
 *   gmClockAccuracy: 0xfe
 *   grandmasterPriority2: 128
 *   gmOffsetScaledLogVariance: 0xffff
 *   ptp_time: 2026-11-25 17:54:23.123456740
 *   system_time (UTC): 2026-11-25 17:54:23.123456789
 *   error_count: 0
 *   last_err_time (UTC): No errors
 *   rounds_missed: 0
 *   clients_dropped: 0
 *
 * offsetFromMaster and meanPathDelay are ns (CURRENT_DATA_SET, rounded);
 * master_offset statistics cover the last 16 distinct samples; servo_state
 * and freq_adj_ppb come from ptp4l's "master offset" lines ("-" until one
 * is seen). rounds_missed counts polls ptp4l did not answer in full before
 * the next; clients_dropped the TCP clients let go for not keeping up.
 * ptp_time is the clock ptp4l disciplines: the device's PHC, or
 * the system clock under software time stamping. While ptp4l does not
 * answer, port_state is "NO_PTP4L".
 */
#ifndef DPU_FIREFLY_MONITOR_H
#define DPU_FIREFLY_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firefly/pmc.h"

struct dpu_loop;

#define FF_OFFSET_WINDOW 16

struct ff_status {
	bool ptp4l_up;
	struct ff_default_ds dds;
	struct ff_current_ds cds;
	struct ff_parent_ds pds;
	struct ff_time_properties_ds tpds;
	struct ff_port_ds port;
	struct ff_time_status_np tsn;
	/* From ptp4l's log. */
	int servo_state; /* 0, 1, 2; -1 not seen */
	double freq_ppb;
	bool have_freq;
	/* master_offset samples (one per new ingress_time). */
	int64_t samples[FF_OFFSET_WINDOW];
	unsigned int n_samples, next_sample;
	int64_t last_ingress_ns;
	/* The clock: the device's PHC when there is one, else CLOCK_REALTIME. */
	int64_t ptp_time_ns;
	int64_t sys_time_ns;
	unsigned int error_count;
	int64_t last_err_real_ns;
	uint32_t rounds_missed;	  /* polls without a full answer */
	uint32_t clients_dropped; /* TCP clients let go (set by the monitor) */
};

void ff_status_init(struct ff_status *st);
/* Take a new TIME_STATUS_NP: keeps the offset statistics. */
void ff_status_add_time_status(struct ff_status *st, const struct ff_time_status_np *tsn);
/* Count an error (ptp4l exit, fault, no answer) at CLOCK_REALTIME 'now_ns'. */
void ff_status_error(struct ff_status *st, int64_t now_ns);
/* Locked (servo s2) and the port in SLAVE. */
bool ff_status_stable(const struct ff_status *st);
/* Mean, largest magnitude and rms of the window; false when empty. */
bool ff_status_offset_stats(const struct ff_status *st, double *avg, double *max_abs, double *rms);

/*
 * Read one ptp4l output line: "master offset N sK freq F path delay D" or
 * the summary form "rms R max M freq F +/- S delay D +/- E". Returns true
 * and updates the servo state / frequency when the line is one of them.
 */
bool ff_status_ptp4l_line(struct ff_status *st, const char *line);

/* Render the block into 'buf'; returns its length (truncated to size-1). */
size_t ff_status_render(const struct ff_status *st, char *buf, size_t size);

/* ---------------------------------------------------------------- outlets */

struct ff_monitor;

/* The monitor file is rewritten at most this often, and on every change of
 * port state or grandmaster; TCP clients and DTS get every block. */
#define FF_MONITOR_FILE_PERIOD_NS 1000000000ull

/*
 * Listen on 'addr':'port' (port 0: no TCP server) and keep 'file' ("" for
 * none) rewritten atomically (a new file renamed over the old).
 */
int ff_monitor_create(struct dpu_loop *loop, const char *addr, uint16_t port, const char *file,
		      struct ff_monitor **monp);
void ff_monitor_destroy(struct ff_monitor *mon);
/* The port actually bound (for port 0 ... n/a) */
uint16_t ff_monitor_port(const struct ff_monitor *mon);
/* TCP clients let go so far for not keeping up (or a send error). */
uint32_t ff_monitor_clients_dropped(const struct ff_monitor *mon);
/* Publish a block to the file and every client (a new client gets the last one). */
void ff_monitor_publish(struct ff_monitor *mon, const struct ff_status *st);

#endif /* DPU_FIREFLY_MONITOR_H */
