/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Binary data files: what sources send through the exporter API, kept on
 * disk as the BlueField's DTS does when data writing is on (off by default
 * there and here: data-write=true in dts_config.ini).
 *
 * A file is "DTSDATA1" and then exporter API messages exactly as they cross
 * the socket (ipc.h: a header, then HELLO, TYPE or RECORDS): each file
 * starts with its source's HELLO and TYPEs, so every file reads alone.
 * Files rotate when the next message would make one larger than the size
 * limit or it is older than the age limit; names are
 * <prefix>-<UTC yyyymmddThhmmss>-<n>.dts. dpu-telemetry-read prints them as
 * JSON lines or CSV.
 */
#ifndef DPU_TELEMETRY_DATAFILE_H
#define DPU_TELEMETRY_DATAFILE_H

#include <stddef.h>
#include <stdint.h>

#define DTS_DFILE_MAGIC "DTSDATA1"
#define DTS_DFILE_MAGIC_LEN 8

struct dts_dfile;

/* Files go to 'dir' (made if missing). Limits: 0 means none. */
int dts_dfile_create(const char *dir, const char *prefix, uint64_t max_bytes, uint64_t max_age_ms,
		     struct dts_dfile **fp);
void dts_dfile_destroy(struct dts_dfile *f);
/* Start the preamble anew (a HELLO) / add to it (a TYPE); also written now. */
int dts_dfile_preamble_reset(struct dts_dfile *f, const void *msg, size_t len);
int dts_dfile_preamble_add(struct dts_dfile *f, const void *msg, size_t len);
/* A RECORDS message. -errno when it could not be written (counted). */
int dts_dfile_write(struct dts_dfile *f, const void *msg, size_t len);
uint64_t dts_dfile_files(const struct dts_dfile *f);
uint64_t dts_dfile_errors(const struct dts_dfile *f);

/*
 * Reading a data file in memory: 'fn' gets every record in order, with its
 * source, schema, type and fields. Returns 0, or -EINVAL with '*bad_off'
 * the byte offset of the first message it could not take and '*why' the
 * reason (the records before it were all given).
 */
struct dts_ipc_field_view;
typedef void dts_dfile_record_fn(void *arg, const char *source, const char *schema,
				 const char *type, const struct dts_ipc_field_view *fields,
				 unsigned int n_fields, uint64_t time_us, const uint8_t *rec);
int dts_dfile_parse(const uint8_t *data, size_t len, dts_dfile_record_fn *fn, void *arg,
		    size_t *bad_off, const char **why);

#endif /* DPU_TELEMETRY_DATAFILE_H */
