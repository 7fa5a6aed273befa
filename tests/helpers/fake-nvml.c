/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in for NVIDIA's libnvidia-ml.so.1 with two GPUs of fixed,
 * distinct readings, so that tests/integration/telemetry-nvml.sh can check
 * on any machine how dpu-telemetry maps each NVML query to its series
 * (name, unit, which GPU) and the driver behaviours no GPU here can be made
 * to show: FAKE_NVML=init-fails (nvmlInit answers "Driver Not Loaded"),
 * FAKE_NVML=no-v2 (a driver before R510: no nvmlDeviceGetMemoryInfo_v2).
 * The same script checks the real library against nvidia-smi where a GPU
 * is. GPU n (0 or 1) reads:
 *
 *   temperature 41+n C, power 123456+n mW, utilization gpu 87-n % memory
 *   13+n %, clocks SM 1755+n graphics 1650+n memory 2619+n MHz, no fan
 *   (not supported), energy 987654321+n mJ, memory total 80 GiB, reserved
 *   512 MiB, used 1 GiB + n MiB + 512 KiB (v1: used includes the
 *   reservation).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUCCESS 0
#define ERROR_INVALID_ARGUMENT 2
#define ERROR_NOT_SUPPORTED 3
#define ERROR_DRIVER_NOT_LOADED 9
#define ERROR_FUNCTION_NOT_FOUND 13
#define ERROR_ARGUMENT_VERSION_MISMATCH 25

struct fake_gpu {
	unsigned int n;
};

static struct fake_gpu gpus[2] = {{0}, {1}};

struct memory {
	unsigned long long total, free, used;
};

struct memory_v2 {
	unsigned int version;
	unsigned long long total, reserved, free, used;
};

struct utilization {
	unsigned int gpu, memory;
};

#define TOTAL (80ULL << 30)
#define RESERVED (512ULL << 20)

static int mode(const char *m)
{
	const char *v = getenv("FAKE_NVML");

	return v != NULL && strcmp(v, m) == 0;
}

/* The GPU behind a handle; NULL for one not ours. */
static const struct fake_gpu *gpu(const void *h)
{
	return h == &gpus[0] || h == &gpus[1] ? h : NULL;
}

/* Exported with NVML's names; prototypes here since no header declares them. */
int nvmlInit_v2(void);
int nvmlShutdown(void);
const char *nvmlErrorString(int r);
int nvmlDeviceGetCount_v2(unsigned int *count);
int nvmlDeviceGetHandleByIndex_v2(unsigned int i, void **h);
int nvmlDeviceGetName(void *h, char *name, unsigned int len);
int nvmlDeviceGetUUID(void *h, char *uuid, unsigned int len);
int nvmlDeviceGetTemperature(void *h, int sensor, unsigned int *t);
int nvmlDeviceGetPowerUsage(void *h, unsigned int *mw);
int nvmlDeviceGetUtilizationRates(void *h, struct utilization *u);
int nvmlDeviceGetMemoryInfo(void *h, struct memory *m);
int nvmlDeviceGetMemoryInfo_v2(void *h, struct memory_v2 *m);
int nvmlDeviceGetClockInfo(void *h, int type, unsigned int *mhz);
int nvmlDeviceGetFanSpeed(void *h, unsigned int *pct);
int nvmlDeviceGetTotalEnergyConsumption(void *h, unsigned long long *mj);

int nvmlInit_v2(void)
{
	return mode("init-fails") ? ERROR_DRIVER_NOT_LOADED : SUCCESS;
}

int nvmlShutdown(void)
{
	return SUCCESS;
}

const char *nvmlErrorString(int r)
{
	switch (r) {
	case SUCCESS:
		return "Success";
	case ERROR_DRIVER_NOT_LOADED:
		return "Driver Not Loaded";
	case ERROR_NOT_SUPPORTED:
		return "Not Supported";
	default:
		return "Unknown Error";
	}
}

int nvmlDeviceGetCount_v2(unsigned int *count)
{
	*count = 2;
	return SUCCESS;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int i, void **h)
{
	if (i >= 2) {
		return ERROR_INVALID_ARGUMENT;
	}
	*h = &gpus[i];
	return SUCCESS;
}

int nvmlDeviceGetName(void *h, char *name, unsigned int len)
{
	const struct fake_gpu *g = gpu(h);

	if (g == NULL) {
		return ERROR_INVALID_ARGUMENT;
	}
	snprintf(name, len, "Fake GPU %u", g->n);
	return SUCCESS;
}

int nvmlDeviceGetUUID(void *h, char *uuid, unsigned int len)
{
	const struct fake_gpu *g = gpu(h);

	if (g == NULL) {
		return ERROR_INVALID_ARGUMENT;
	}
	snprintf(uuid, len, "GPU-00000000-0000-0000-0000-00000000000%u", g->n);
	return SUCCESS;
}

int nvmlDeviceGetTemperature(void *h, int sensor, unsigned int *t)
{
	const struct fake_gpu *g = gpu(h);

	if (g == NULL || sensor != 0) {
		return ERROR_INVALID_ARGUMENT;
	}
	*t = 41 + g->n;
	return SUCCESS;
}

int nvmlDeviceGetPowerUsage(void *h, unsigned int *mw)
{
	const struct fake_gpu *g = gpu(h);

	if (g == NULL) {
		return ERROR_INVALID_ARGUMENT;
	}
	*mw = 123456 + g->n;
	return SUCCESS;
}

int nvmlDeviceGetUtilizationRates(void *h, struct utilization *u)
{
	const struct fake_gpu *g = gpu(h);

	if (g == NULL) {
		return ERROR_INVALID_ARGUMENT;
	}
	u->gpu = 87 - g->n;
	u->memory = 13 + g->n;
	return SUCCESS;
}

static unsigned long long used(const struct fake_gpu *g)
{
	return (1ULL << 30) + ((unsigned long long)g->n << 20) + (512ULL << 10);
}

int nvmlDeviceGetMemoryInfo(void *h, struct memory *m)
{
	const struct fake_gpu *g = gpu(h);

	if (g == NULL) {
		return ERROR_INVALID_ARGUMENT;
	}
	m->total = TOTAL;
	m->used = RESERVED + used(g);
	m->free = TOTAL - m->used;
	return SUCCESS;
}

int nvmlDeviceGetMemoryInfo_v2(void *h, struct memory_v2 *m)
{
	const struct fake_gpu *g = gpu(h);

	if (mode("no-v2")) {
		return ERROR_FUNCTION_NOT_FOUND;
	}
	if (g == NULL) {
		return ERROR_INVALID_ARGUMENT;
	}
	if (m->version != ((unsigned int)sizeof(*m) | 2u << 24)) {
		return ERROR_ARGUMENT_VERSION_MISMATCH;
	}
	m->total = TOTAL;
	m->reserved = RESERVED;
	m->used = used(g);
	m->free = TOTAL - RESERVED - m->used;
	return SUCCESS;
}

int nvmlDeviceGetClockInfo(void *h, int type, unsigned int *mhz)
{
	static const unsigned int base[] = {1650, 1755, 2619}; /* graphics, SM, memory */
	const struct fake_gpu *g = gpu(h);

	if (g == NULL || type < 0 || type > 2) {
		return ERROR_INVALID_ARGUMENT;
	}
	*mhz = base[type] + g->n;
	return SUCCESS;
}

int nvmlDeviceGetFanSpeed(void *h, unsigned int *pct)
{
	(void)h;
	(void)pct;
	return ERROR_NOT_SUPPORTED; /* as on a passively cooled data-centre GPU */
}

int nvmlDeviceGetTotalEnergyConsumption(void *h, unsigned long long *mj)
{
	const struct fake_gpu *g = gpu(h);

	if (g == NULL) {
		return ERROR_INVALID_ARGUMENT;
	}
	*mj = 987654321ULL + g->n;
	return SUCCESS;
}
