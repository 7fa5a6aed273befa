/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GPU providers on NVML, which is loaded with dlopen() (libnvidia-ml.so.1)
 * when such a provider is first enabled: a host without NVIDIA's driver
 * builds and runs the same binary, and the provider says once that NVML is
 * not there. Two providers, off by default, read the same NVML queries:
 *
 *   nvidia-smi  names as `nvidia-smi --query-gpu` has them:
 *     dts_nvidia_smi_temperature_gpu{gpu,uuid,name}     degrees C
 *     dts_nvidia_smi_power_draw_watts                  W
 *     dts_nvidia_smi_utilization_gpu_ratio, _memory_ratio   0..1
 *     dts_nvidia_smi_memory_total_bytes, _used_bytes, _free_bytes,
 *       _reserved_bytes (what the driver holds back; drivers since R510)
 *     dts_nvidia_smi_clocks_sm_hz, _clocks_mem_hz, _clocks_gr_hz
 *     dts_nvidia_smi_fan_speed_ratio                   0..1
 *     dts_nvidia_smi_energy_joules_total               (Volta and later)
 *   dcgm        the same values under DCGM's field names, as dcgm-exporter
 *     exports them: DCGM_FI_DEV_GPU_TEMP, DCGM_FI_DEV_POWER_USAGE (W),
 *     DCGM_FI_DEV_GPU_UTIL, DCGM_FI_DEV_MEM_COPY_UTIL (%), DCGM_FI_DEV_FB_FREE,
 *     DCGM_FI_DEV_FB_USED, DCGM_FI_DEV_FB_RESERVED (MiB), DCGM_FI_DEV_SM_CLOCK,
 * DCGM_FI_DEV_MEM_CLOCK (MHz), DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION (mJ), {gpu,UUID,modelName}.
 *     DCGM itself (libdcgm, its host engine) is not used: its device
 *     fields are NVML's.
 *
 * A query a GPU does not support (NVML_ERROR_NOT_SUPPORTED) leaves that
 * series out. dts_nvml_up{provider} says whether NVML answered this cycle.
 */
#ifndef DPU_TELEMETRY_NVML_H
#define DPU_TELEMETRY_NVML_H

#include <stdbool.h>

#include "telemetry/config.h"
#include "telemetry/metrics.h"

struct dts_nvml;

/* Returns 0 or -ENOMEM; NVML missing or failing is not an error. */
int dts_nvml_collect(struct dts_nvml **nvmlp, const struct dts_config *cfg,
		     struct dts_snapshot *snap);
/* Shut NVML down and unload it; accepts NULL. */
void dts_nvml_free(struct dts_nvml *nvml);

#endif /* DPU_TELEMETRY_NVML_H */
