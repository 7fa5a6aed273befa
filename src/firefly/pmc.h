/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PTP management protocol (IEEE 1588-2008 clause 15) as ptp4l speaks it
 * on its Unix socket: GET requests out, RESPONSE (or MANAGEMENT_ERROR_STATUS)
 * messages in.
 *
 * ff_pmc_build_get() and ff_pmc_parse() are pure functions over byte
 * buffers (unit-tested and fuzzed); struct ff_pmc is the socket: a datagram
 * socket bound to its own path, since ptp4l answers to the sender's address
 * (what `pmc -u -i PATH` does).
 *
 * Data set fields keep the standard's names in snake case; time intervals
 * (scaled nanoseconds on the wire) are converted to nanoseconds.
 */
#ifndef DPU_FIREFLY_PMC_H
#define DPU_FIREFLY_PMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* managementId values (IEEE 1588 table 40; linuxptp's _NP extensions). */
enum ff_mid {
	FF_MID_DEFAULT_DATA_SET = 0x2000,
	FF_MID_CURRENT_DATA_SET = 0x2001,
	FF_MID_PARENT_DATA_SET = 0x2002,
	FF_MID_TIME_PROPERTIES_DATA_SET = 0x2003,
	FF_MID_PORT_DATA_SET = 0x2004,
	FF_MID_TIME_STATUS_NP = 0xC000,
};

/* portState values (IEEE 1588 table 8). */
enum ff_port_state {
	FF_PS_INITIALIZING = 1,
	FF_PS_FAULTY = 2,
	FF_PS_DISABLED = 3,
	FF_PS_LISTENING = 4,
	FF_PS_PRE_MASTER = 5,
	FF_PS_MASTER = 6,
	FF_PS_PASSIVE = 7,
	FF_PS_UNCALIBRATED = 8,
	FF_PS_SLAVE = 9,
};

/* Shortest management message: header 34 + management 14 + TLV head 6. */
#define FF_PMC_MIN_LEN 54
#define FF_PMC_MAX_LEN 1500

struct ff_port_id {
	uint8_t clock[8];
	uint16_t port;
};

struct ff_default_ds {
	bool two_step;
	bool slave_only;
	uint16_t number_ports;
	uint8_t priority1;
	uint8_t clock_class;
	uint8_t clock_accuracy;
	uint16_t offset_scaled_log_variance;
	uint8_t priority2;
	uint8_t clock_identity[8];
	uint8_t domain_number;
};

struct ff_current_ds {
	uint16_t steps_removed;
	double offset_from_master_ns;
	double mean_path_delay_ns;
};

struct ff_parent_ds {
	struct ff_port_id parent_port;
	uint8_t parent_stats;
	uint16_t observed_offset_scaled_log_variance;
	int32_t observed_phase_change_rate;
	uint8_t gm_priority1;
	uint8_t gm_clock_class;
	uint8_t gm_clock_accuracy;
	uint16_t gm_offset_scaled_log_variance;
	uint8_t gm_priority2;
	uint8_t gm_identity[8];
};

struct ff_time_properties_ds {
	int16_t current_utc_offset;
	bool leap61, leap59, utc_offset_valid, ptp_timescale, time_traceable, freq_traceable;
	uint8_t time_source;
};

struct ff_port_ds {
	struct ff_port_id port;
	uint8_t port_state;
	int8_t log_min_delay_req_interval;
	double peer_mean_path_delay_ns;
	int8_t log_announce_interval;
	uint8_t announce_receipt_timeout;
	int8_t log_sync_interval;
	uint8_t delay_mechanism;
	int8_t log_min_pdelay_req_interval;
	uint8_t version_number;
};

struct ff_time_status_np {
	int64_t master_offset_ns;
	int64_t ingress_time_ns;
	int32_t cumulative_scaled_rate_offset;
	int32_t scaled_last_gm_phase_change;
	uint16_t gm_time_base_indicator;
	bool gm_present;
	uint8_t gm_identity[8];
};

/* One parsed management message. */
struct ff_pmc_msg {
	uint16_t sequence_id;
	uint8_t domain_number;
	uint8_t action; /* 0 GET, 1 SET, 2 RESPONSE, 3 COMMAND, 4 ACKNOWLEDGE */
	struct ff_port_id source;
	uint16_t mid;
	/* MANAGEMENT_ERROR_STATUS: the error id (IEEE 1588 table 72), else 0. */
	uint16_t error_id;
	union {
		struct ff_default_ds dds;
		struct ff_current_ds cds;
		struct ff_parent_ds pds;
		struct ff_time_properties_ds tpds;
		struct ff_port_ds portds;
		struct ff_time_status_np tsn;
	} u;
};

/*
 * Build a GET for 'mid' addressed to every port of the local clock
 * (boundary hops 0). The TLV carries a zeroed data field of the data set's
 * size, as linuxptp's pmc sends. Returns the length, or -ENOSPC / -EINVAL
 * (a managementId this module does not know).
 */
int ff_pmc_build_get(uint8_t *buf, size_t size, uint16_t seq, uint8_t domain, uint16_t mid);

/*
 * Parse one received message. Returns 0 and fills 'msg', or -EINVAL for a
 * malformed message, -ENOTSUP for a well-formed one of another kind
 * (not management, another managementId), with the reason and the byte
 * offset in 'why' when not NULL.
 */
int ff_pmc_parse(const uint8_t *buf, size_t len, struct ff_pmc_msg *msg, char *why,
		 size_t why_size);

/* "PTP port state" names as ptp4l prints them ("SLAVE"); "?" if unknown. */
const char *ff_port_state_name(uint8_t state);
/* Clock identity as ptp4l prints it: "8a5241.fffe.5e4984". 'buf' >= 19 bytes. */
const char *ff_clock_id_str(const uint8_t id[8], char *buf, size_t size);

/* ---------------------------------------------------------------- socket */

struct ff_pmc {
	int fd;
	char path[108];
};

/*
 * Bind a datagram socket at 'own_path' (replacing a stale one) and connect it
 * to ptp4l's 'server_path'. Non-blocking. Returns 0 or -errno.
 */
int ff_pmc_open(struct ff_pmc *p, const char *server_path, const char *own_path);
/* Close and unlink; safe on a closed one (fd < 0). */
void ff_pmc_close(struct ff_pmc *p);
#define FF_PMC_MAX_BATCH 8
/*
 * Send a GET for each of 'mids' (at most FF_PMC_MAX_BATCH) with sequence ids
 * seq, seq+1, ... in one system call. 0 or -errno (-ECONNREFUSED/-ENOENT
 * while ptp4l is not up, -EAGAIN when only some went out).
 */
int ff_pmc_send_gets(struct ff_pmc *p, uint16_t seq, uint8_t domain, const uint16_t *mids,
		     size_t n);

#endif /* DPU_FIREFLY_PMC_H */
