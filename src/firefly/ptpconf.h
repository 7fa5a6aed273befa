/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A ptp4l configuration in memory: sections ("global" and one per
 * interface), each an ordered list of "option value" pairs, checked against
 * a table of ptp4l's options (name, kind, range or allowed words) so that a
 * bad override is refused with its file, line and option before ptp4l ever
 * starts.
 *
 * Files are read in ptp4l's own format ("[global]", "[eth0]",
 * "option value", '#' comments). linuxptp 4's renamed options
 * (clientOnly, serverOnly) are accepted and written under the name the
 * installed ptp4l knows (ff_ptpconf_set_v3_names()).
 */
#ifndef DPU_FIREFLY_PTPCONF_H
#define DPU_FIREFLY_PTPCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct dpu_cfg_err;
struct ff_ptpconf;

int ff_ptpconf_create(struct ff_ptpconf **confp);
void ff_ptpconf_destroy(struct ff_ptpconf *conf);

/*
 * Check 'value' for option 'key'. Returns 0, or -ENOENT (no such ptp4l
 * option) / -EINVAL / -ERANGE with a reason in '*why' (static).
 */
int ff_ptpconf_check(const char *key, const char *value, const char **why);

/*
 * Set 'key' to 'value' in 'section' (created at the end when new), replacing
 * an earlier value in place. Checked as ff_ptpconf_check(); 'err' gets
 * "key: reason" on failure. -ENOMEM when out of memory.
 */
int ff_ptpconf_set(struct ff_ptpconf *conf, const char *section, const char *key, const char *value,
		   struct dpu_cfg_err *err);
/* Add an empty section (an interface) unless it exists. 0 or -ENOMEM. */
int ff_ptpconf_add_section(struct ff_ptpconf *conf, const char *section);
/* The value in force, or NULL. */
const char *ff_ptpconf_get(const struct ff_ptpconf *conf, const char *section, const char *key);
/* Sections other than "global", in order: the i-th name or NULL. */
const char *ff_ptpconf_port(const struct ff_ptpconf *conf, size_t i);

/*
 * Apply a ptp4l configuration file on top. Lines before any section belong
 * to [global]. Every problem names the file and line; on error nothing of
 * the file is applied.
 */
int ff_ptpconf_load(struct ff_ptpconf *conf, const char *path, struct dpu_cfg_err *err);
int ff_ptpconf_load_string(struct ff_ptpconf *conf, const char *text, const char *name,
			   struct dpu_cfg_err *err);

/* Write options renamed in linuxptp 4 under their 3.x names (slaveOnly). */
void ff_ptpconf_set_v3_names(struct ff_ptpconf *conf, bool v3);
/* Write the configuration in ptp4l's format. 0 or -errno. */
int ff_ptpconf_write(const struct ff_ptpconf *conf, FILE *out);

#endif /* DPU_FIREFLY_PTPCONF_H */
