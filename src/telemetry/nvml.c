/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DPU_LOG_MODULE "dts-nvml"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/util.h"
#include "telemetry/nvml.h"

/* NVML's ABI, as nvml.h declares it (only what is used here). */
typedef int nvml_ret;
typedef struct nvml_device *nvml_device;
#define NVML_SUCCESS 0
#define NVML_TEMPERATURE_GPU 0
#define NVML_CLOCK_GRAPHICS 0
#define NVML_CLOCK_SM 1
#define NVML_CLOCK_MEM 2
#define NVML_DEVICE_NAME_BUFFER_SIZE 96
#define NVML_DEVICE_UUID_BUFFER_SIZE 96

struct nvml_memory {
	unsigned long long total, free, used;
};

/* Version 2 holds the driver's reservation apart: used is what allocations
 * hold, as nvidia-smi's memory.used shows it (version 1's used includes
 * the reservation). */
struct nvml_memory_v2 {
	unsigned int version;
	unsigned long long total, reserved, free, used;
};
#define NVML_MEMORY_V2 ((unsigned int)sizeof(struct nvml_memory_v2) | 2u << 24)

struct nvml_utilization {
	unsigned int gpu, memory;
};

struct nvml_api {
	nvml_ret (*init)(void);
	nvml_ret (*shutdown)(void);
	const char *(*error_string)(nvml_ret);
	nvml_ret (*count)(unsigned int *);
	nvml_ret (*handle)(unsigned int, nvml_device *);
	nvml_ret (*name)(nvml_device, char *, unsigned int);
	nvml_ret (*uuid)(nvml_device, char *, unsigned int);
	nvml_ret (*temperature)(nvml_device, int, unsigned int *);
	nvml_ret (*power)(nvml_device, unsigned int *);
	nvml_ret (*utilization)(nvml_device, struct nvml_utilization *);
	nvml_ret (*memory)(nvml_device, struct nvml_memory *);
	nvml_ret (*memory_v2)(nvml_device, struct nvml_memory_v2 *);
	nvml_ret (*clock)(nvml_device, int, unsigned int *);
	nvml_ret (*fan)(nvml_device, unsigned int *);
	nvml_ret (*energy)(nvml_device, unsigned long long *);
};

/*
 * The energy counter's query takes milliseconds where the others take
 * microseconds (3.2 ms median, 16 ms at worst, against ~2 us on an H200
 * with driver 580): it is read once a second and its last reading reported
 * in between, for the first ENERGY_GPUS GPUs (the rest every cycle).
 */
#define ENERGY_GPUS 16
#define ENERGY_PERIOD_NS DPU_NSEC_PER_SEC

struct dts_nvml {
	void *lib;
	bool tried, ready, warned_down;
	char why[160];
	struct nvml_api api;
	struct {
		uint64_t at_ns; /* when read; 0: never */
		nvml_ret rc;
		unsigned long long mj;
	} energy[ENERGY_GPUS];
};

static const struct {
	const char *sym;
	size_t off;
	bool optional;
} syms[] = {
	{"nvmlInit_v2", offsetof(struct nvml_api, init), false},
	{"nvmlShutdown", offsetof(struct nvml_api, shutdown), false},
	{"nvmlErrorString", offsetof(struct nvml_api, error_string), false},
	{"nvmlDeviceGetCount_v2", offsetof(struct nvml_api, count), false},
	{"nvmlDeviceGetHandleByIndex_v2", offsetof(struct nvml_api, handle), false},
	{"nvmlDeviceGetName", offsetof(struct nvml_api, name), false},
	{"nvmlDeviceGetUUID", offsetof(struct nvml_api, uuid), false},
	{"nvmlDeviceGetTemperature", offsetof(struct nvml_api, temperature), true},
	{"nvmlDeviceGetPowerUsage", offsetof(struct nvml_api, power), true},
	{"nvmlDeviceGetUtilizationRates", offsetof(struct nvml_api, utilization), true},
	{"nvmlDeviceGetMemoryInfo", offsetof(struct nvml_api, memory), true},
	{"nvmlDeviceGetMemoryInfo_v2", offsetof(struct nvml_api, memory_v2), true},
	{"nvmlDeviceGetClockInfo", offsetof(struct nvml_api, clock), true},
	{"nvmlDeviceGetFanSpeed", offsetof(struct nvml_api, fan), true},
	{"nvmlDeviceGetTotalEnergyConsumption", offsetof(struct nvml_api, energy), true},
};

/* Load and initialise NVML once; false (the reason in n->why) when it cannot be. */
static bool nvml_ready(struct dts_nvml *n)
{
	nvml_ret rc;

	if (n->tried) {
		return n->ready;
	}
	n->tried = true;
	n->lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
	if (n->lib == NULL) {
		snprintf(n->why, sizeof(n->why), "libnvidia-ml.so.1 not loaded (%s)", dlerror());
		return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
		void *f = dlsym(n->lib, syms[i].sym);

		if (f == NULL && !syms[i].optional) {
			snprintf(n->why, sizeof(n->why), "libnvidia-ml.so.1 has no %s",
				 syms[i].sym);
			return false;
		}
		memcpy((uint8_t *)&n->api + syms[i].off, &f, sizeof(f));
	}
	rc = n->api.init();
	if (rc != NVML_SUCCESS) {
		snprintf(n->why, sizeof(n->why), "nvmlInit: %s", n->api.error_string(rc));
		return false;
	}
	n->ready = true;
	return true;
}

struct gpu {
	char index[12], uuid[NVML_DEVICE_UUID_BUFFER_SIZE], name[NVML_DEVICE_NAME_BUFFER_SIZE];
};

/* One value under either provider's name and unit. */
struct value {
	const char *smi, *smi_help, *dcgm, *dcgm_help;
	double smi_scale, dcgm_scale; /* from NVML's unit */
	bool counter;
	bool dcgm_whole; /* DCGM's field is an integer (whole MiB): the fraction cut off */
};

static int add(struct dts_snapshot *snap, bool dcgm, const struct value *v, const struct gpu *g,
	       double raw)
{
	char family[96], dname[128];
	struct dts_series *s;

	if (dcgm) {
		snprintf(dname, sizeof(dname), "gpu%s:%s", g->index, v->dcgm);
		s = dts_snapshot_add(snap, v->dcgm, v->dcgm_help,
				     v->counter ? DTS_COUNTER : DTS_GAUGE, dname, "dcgm", 3, "gpu",
				     g->index, "UUID", g->uuid, "modelName", g->name);
	} else {
		snprintf(family, sizeof(family), "dts_nvidia_smi_%s", v->smi);
		snprintf(dname, sizeof(dname), "gpu%s:%s", g->index, v->smi);
		s = dts_snapshot_add(snap, family, v->smi_help,
				     v->counter ? DTS_COUNTER : DTS_GAUGE, dname, "nvidia-smi", 3,
				     "gpu", g->index, "uuid", g->uuid, "name", g->name);
	}
	if (s == NULL) {
		return -ENOMEM;
	}
	if (v->counter) {
		s->fractional = true;
		s->bare = dcgm; /* dcgm-exporter's name has no _total */
	}
	s->d = raw * (dcgm ? v->dcgm_scale : v->smi_scale);
	if (dcgm && v->dcgm_whole) {
		s->d = floor(s->d);
	}
	return 0;
}

static const struct value v_temp = {"temperature_gpu",
				    "GPU core temperature, degrees C",
				    "DCGM_FI_DEV_GPU_TEMP",
				    "GPU temperature (in C).",
				    1,
				    1,
				    false};
static const struct value v_power = {"power_draw_watts",
				     "power drawn by the board, W",
				     "DCGM_FI_DEV_POWER_USAGE",
				     "Power draw (in W).",
				     1e-3,
				     1e-3,
				     false};
static const struct value v_util = {"utilization_gpu_ratio",
				    "share of the last sample period a kernel ran",
				    "DCGM_FI_DEV_GPU_UTIL",
				    "GPU utilization (in %).",
				    0.01,
				    1,
				    false};
static const struct value v_mutil = {"utilization_memory_ratio",
				     "share of the last sample period memory was read or written",
				     "DCGM_FI_DEV_MEM_COPY_UTIL",
				     "Memory utilization (in %).",
				     0.01,
				     1,
				     false};
static const struct value v_total = {"memory_total_bytes", "total memory", NULL, NULL, 1, 1, false};
static const struct value v_used = {"memory_used_bytes",
				    "memory in use",
				    "DCGM_FI_DEV_FB_USED",
				    "Framebuffer memory used (in MiB).",
				    1,
				    1.0 / (1 << 20),
				    false,
				    true};
static const struct value v_free = {"memory_free_bytes",
				    "memory free",
				    "DCGM_FI_DEV_FB_FREE",
				    "Framebuffer memory free (in MiB).",
				    1,
				    1.0 / (1 << 20),
				    false,
				    true};
static const struct value v_reserved = {"memory_reserved_bytes",
					"memory the driver holds back",
					"DCGM_FI_DEV_FB_RESERVED",
					"Framebuffer memory reserved (in MiB).",
					1,
					1.0 / (1 << 20),
					false,
					true};
static const struct value v_sm = {
	"clocks_sm_hz", "SM clock", "DCGM_FI_DEV_SM_CLOCK", "SM clock frequency (in MHz).", 1e6, 1,
	false};
static const struct value v_mem = {"clocks_mem_hz",
				   "memory clock",
				   "DCGM_FI_DEV_MEM_CLOCK",
				   "Memory clock frequency (in MHz).",
				   1e6,
				   1,
				   false};
static const struct value v_gr = {"clocks_gr_hz", "graphics clock", NULL, NULL, 1e6, 1, false};
static const struct value v_fan = {
	"fan_speed_ratio", "fan speed, share of its maximum", NULL, NULL, 0.01, 1, false};
static const struct value v_energy = {"energy_joules",
				      "energy used since the driver loaded",
				      "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
				      "Total energy consumption since boot (in mJ).",
				      1e-3,
				      1,
				      true};

/* One GPU's readings this cycle: each query made once, whichever providers
 * report it, so nvidia-smi's and dcgm's series agree. */
struct readings {
	size_t n;
	struct {
		const struct value *v;
		double raw;
	} r[16];
};

static void keep(struct readings *rd, const struct value *v, nvml_ret rc, double raw)
{
	if (rc == NVML_SUCCESS && rd->n < ARRAY_SIZE(rd->r)) {
		rd->r[rd->n].v = v; /* else: not supported by this GPU */
		rd->r[rd->n++].raw = raw;
	}
}

/* Each query before its value is read: as arguments of one call, the order
 * of the two would be unspecified. */
static void read_gpu(struct dts_nvml *n, nvml_device d, unsigned int i, struct readings *rd)
{
	const struct nvml_api *a = &n->api;
	struct nvml_memory_v2 m2 = {.version = NVML_MEMORY_V2};
	struct nvml_utilization ut = {0};
	struct nvml_memory m = {0};
	unsigned long long e = 0;
	unsigned int u = 0;
	nvml_ret r;

	if (a->temperature != NULL) {
		r = a->temperature(d, NVML_TEMPERATURE_GPU, &u);
		keep(rd, &v_temp, r, u);
	}
	if (a->power != NULL) {
		r = a->power(d, &u);
		keep(rd, &v_power, r, u);
	}
	if (a->utilization != NULL) {
		r = a->utilization(d, &ut);
		keep(rd, &v_util, r, ut.gpu);
		keep(rd, &v_mutil, r, ut.memory);
	}
	r = a->memory_v2 != NULL ? a->memory_v2(d, &m2) : -1;
	if (r == NVML_SUCCESS) {
		keep(rd, &v_total, r, (double)m2.total);
		keep(rd, &v_used, r, (double)m2.used);
		keep(rd, &v_free, r, (double)m2.free);
		keep(rd, &v_reserved, r, (double)m2.reserved);
	} else if (a->memory != NULL) {
		r = a->memory(d, &m);
		keep(rd, &v_total, r, (double)m.total);
		keep(rd, &v_used, r, (double)m.used);
		keep(rd, &v_free, r, (double)m.free);
	}
	if (a->clock != NULL) {
		r = a->clock(d, NVML_CLOCK_SM, &u);
		keep(rd, &v_sm, r, u);
		r = a->clock(d, NVML_CLOCK_MEM, &u);
		keep(rd, &v_mem, r, u);
		r = a->clock(d, NVML_CLOCK_GRAPHICS, &u);
		keep(rd, &v_gr, r, u);
	}
	if (a->fan != NULL) {
		r = a->fan(d, &u);
		keep(rd, &v_fan, r, u);
	}
	if (a->energy != NULL && i < ENERGY_GPUS) {
		uint64_t now = dpu_time_mono_ns();

		if (n->energy[i].at_ns == 0 || now - n->energy[i].at_ns >= ENERGY_PERIOD_NS) {
			n->energy[i].rc = a->energy(d, &n->energy[i].mj);
			n->energy[i].at_ns = now;
		}
		keep(rd, &v_energy, n->energy[i].rc, (double)n->energy[i].mj);
	} else if (a->energy != NULL) {
		r = a->energy(d, &e);
		keep(rd, &v_energy, r, (double)e);
	}
}
static int collect_gpu(struct dts_nvml *n, nvml_device d, unsigned int i, bool smi, bool dcgm,
		       struct dts_snapshot *snap)
{
	const struct nvml_api *a = &n->api;
	struct readings rd = {0};
	struct gpu g;
	int rc = 0;

	memset(&g, 0, sizeof(g));
	snprintf(g.index, sizeof(g.index), "%u", i);
	if (a->name(d, g.name, sizeof(g.name)) != NVML_SUCCESS) {
		dpu_strscpy(g.name, "unknown", sizeof(g.name));
	}
	if (a->uuid(d, g.uuid, sizeof(g.uuid)) != NVML_SUCCESS) {
		g.uuid[0] = '\0';
	}
	read_gpu(n, d, i, &rd);
	for (size_t k = 0; k < rd.n && rc == 0; k++) {
		if (smi) {
			rc = add(snap, false, rd.r[k].v, &g, rd.r[k].raw);
		}
		if (rc == 0 && dcgm && rd.r[k].v->dcgm != NULL) {
			rc = add(snap, true, rd.r[k].v, &g, rd.r[k].raw);
		}
	}
	return rc;
}

static int up(struct dts_snapshot *snap, const char *provider, bool ok)
{
	char dname[64];
	struct dts_series *s;

	snprintf(dname, sizeof(dname), "nvml_up:%s", provider);
	s = dts_snapshot_add(snap, "dts_nvml_up", "1 when NVML answered the provider this cycle",
			     DTS_GAUGE, dname, "dts", 1, "provider", provider);
	if (s == NULL) {
		return -ENOMEM;
	}
	s->d = ok;
	return 0;
}

int dts_nvml_collect(struct dts_nvml **nvmlp, const struct dts_config *cfg,
		     struct dts_snapshot *snap)
{
	bool smi = dts_config_provider_enabled(cfg, "nvidia-smi");
	bool dcgm = dts_config_provider_enabled(cfg, "dcgm");
	struct dts_nvml *n = *nvmlp;
	unsigned int count = 0;
	nvml_ret r;
	int rc = 0;

	if (!smi && !dcgm) {
		return 0;
	}
	if (n == NULL) {
		n = calloc(1, sizeof(*n));
		if (n == NULL) {
			return -ENOMEM;
		}
		*nvmlp = n;
	}
	if (!nvml_ready(n)) {
		if (!n->warned_down) {
			log_warn("%s%s%s: NVML unavailable: %s; not collected",
				 smi ? "nvidia-smi" : "", smi && dcgm ? ", " : "",
				 dcgm ? "dcgm" : "", n->why);
			n->warned_down = true;
		}
		rc = smi ? up(snap, "nvidia-smi", false) : 0;
		return rc == 0 && dcgm ? up(snap, "dcgm", false) : rc;
	}
	r = n->api.count(&count);
	for (unsigned int i = 0; r == NVML_SUCCESS && rc == 0 && i < count; i++) {
		nvml_device d;

		if (n->api.handle(i, &d) == NVML_SUCCESS) {
			rc = collect_gpu(n, d, i, smi, dcgm, snap);
		}
	}
	if (r != NVML_SUCCESS && !n->warned_down) {
		log_warn("NVML: nvmlDeviceGetCount: %s", n->api.error_string(r));
		n->warned_down = true;
	} else if (r == NVML_SUCCESS) {
		n->warned_down = false;
	}
	if (rc == 0 && smi) {
		rc = up(snap, "nvidia-smi", r == NVML_SUCCESS);
	}
	if (rc == 0 && dcgm) {
		rc = up(snap, "dcgm", r == NVML_SUCCESS);
	}
	return rc;
}

void dts_nvml_free(struct dts_nvml *n)
{
	if (n == NULL) {
		return;
	}
	if (n->ready) {
		n->api.shutdown();
	}
	if (n->lib != NULL) {
		dlclose(n->lib);
	}
	free(n);
}
