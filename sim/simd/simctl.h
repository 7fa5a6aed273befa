/* SPDX-License-Identifier: BSD-3-Clause */
/* dpu-simctl's parts: the main program and its steering commands (simctl-flow.c). */
#ifndef DPU_SIM_SIMD_SIMCTL_H
#define DPU_SIM_SIMD_SIMCTL_H

#include <stdbool.h>

struct dpu_dev;
struct json_object;

/* --json: output for scripts. */
extern bool simctl_json;
/* Print 'o' as indented JSON and release it. */
void simctl_print_json(struct json_object *o);

/* pipe create ...; entry add|del|load ... (-EINVAL: said why, exit 1). */
int simctl_pipe(struct dpu_dev *dev, int argc, char **argv);
int simctl_entry(struct dpu_dev *dev, int argc, char **argv);

#endif /* DPU_SIM_SIMD_SIMCTL_H */
