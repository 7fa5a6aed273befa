/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gpu-load: a known load on an NVIDIA GPU, for checking what the GPU
 * providers report (tests/integration/telemetry-nvml.sh). Through the CUDA
 * driver (libcuda.so.1, loaded with dlopen: nothing of CUDA is needed to
 * build it) it takes MIB mebibytes of device memory, writes them, then runs
 * a kernel that spins for about 10 ms on every SM, back to back, until
 * SECONDS have passed or SIGTERM comes. It prints "ready" once the memory
 * is held and the first kernel has run.
 *
 *   gpu-load [--gpu N] [--mib MIB] [--seconds SECONDS]
 *
 * Exit 0 when done, 77 when there is no CUDA driver or GPU, 1 on a CUDA
 * error (named).
 */
#include <config.h>

#include <dlfcn.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The CUDA driver API, as cuda.h declares it (only what is used here). */
typedef int cu_result;
typedef int cu_device;
typedef struct cu_ctx *cu_context;
typedef struct cu_mod *cu_module;
typedef struct cu_func *cu_function;
typedef unsigned long long cu_deviceptr;
#define CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT 16

/* A kernel that spins until its SM's clock has advanced `cycles`. */
static const char spin_ptx[] = ".version 7.0\n"
			       ".target sm_70\n"
			       ".address_size 64\n"
			       ".visible .entry spin(.param .u64 cycles)\n"
			       "{\n"
			       "  .reg .u64 %rd<5>;\n"
			       "  .reg .pred %p;\n"
			       "  ld.param.u64 %rd1, [cycles];\n"
			       "  mov.u64 %rd2, %clock64;\n"
			       "LOOP:\n"
			       "  mov.u64 %rd3, %clock64;\n"
			       "  sub.u64 %rd4, %rd3, %rd2;\n"
			       "  setp.lt.u64 %p, %rd4, %rd1;\n"
			       "  @%p bra LOOP;\n"
			       "  ret;\n"
			       "}\n";

static struct {
	cu_result (*init)(unsigned int);
	cu_result (*error_string)(cu_result, const char **);
	cu_result (*device_get)(cu_device *, int);
	cu_result (*attribute)(int *, int, cu_device);
	cu_result (*retain)(cu_context *, cu_device);
	cu_result (*release)(cu_device);
	cu_result (*set_current)(cu_context);
	cu_result (*alloc)(cu_deviceptr *, size_t);
	cu_result (*free)(cu_deviceptr);
	cu_result (*memset)(cu_deviceptr, unsigned char, size_t);
	cu_result (*load)(cu_module *, const void *);
	cu_result (*function)(cu_function *, cu_module, const char *);
	cu_result (*launch)(cu_function, unsigned int, unsigned int, unsigned int, unsigned int,
			    unsigned int, unsigned int, unsigned int, void *, void **, void **);
	cu_result (*sync)(void);
} cu;

static const struct {
	const char *sym;
	void *fn; /* where the function pointer goes */
} syms[] = {
	{"cuInit", &cu.init},
	{"cuGetErrorString", &cu.error_string},
	{"cuDeviceGet", &cu.device_get},
	{"cuDeviceGetAttribute", &cu.attribute},
	{"cuDevicePrimaryCtxRetain", &cu.retain},
	{"cuDevicePrimaryCtxRelease_v2", &cu.release},
	{"cuCtxSetCurrent", &cu.set_current},
	{"cuMemAlloc_v2", &cu.alloc},
	{"cuMemFree_v2", &cu.free},
	{"cuMemsetD8_v2", &cu.memset},
	{"cuModuleLoadData", &cu.load},
	{"cuModuleGetFunction", &cu.function},
	{"cuLaunchKernel", &cu.launch},
	{"cuCtxSynchronize", &cu.sync},
};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int check(cu_result r, const char *what)
{
	const char *s = NULL;

	if (r == 0) {
		return 0;
	}
	cu.error_string(r, &s);
	fprintf(stderr, "gpu-load: %s: %s (%d)\n", what, s != NULL ? s : "unknown error", r);
	return -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"gpu", required_argument, NULL, 'g'},
					     {"mib", required_argument, NULL, 'm'},
					     {"seconds", required_argument, NULL, 's'},
					     {NULL, 0, NULL, 0}};
	int gpu = 0, sms = 0, c;
	unsigned long mib = 1024;
	double seconds = 10, start;
	cu_device dev;
	cu_context ctx;
	cu_module mod;
	cu_function spin;
	cu_deviceptr mem;
	unsigned long long cycles = 10000000; /* ~10 ms at 1 GHz and more */
	void *params[] = {&cycles};
	void *lib;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			gpu = atoi(optarg);
			break;
		case 'm':
			mib = strtoul(optarg, NULL, 10);
			break;
		case 's':
			seconds = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr, "usage: gpu-load [--gpu N] [--mib MIB] [--seconds S]\n");
			return 2;
		}
	}
	lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		fprintf(stderr, "gpu-load: no CUDA driver: %s\n", dlerror());
		return 77;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(lib, syms[i].sym);

		if (f == NULL) {
			fprintf(stderr, "gpu-load: libcuda.so.1 has no %s\n", syms[i].sym);
			return 1;
		}
		memcpy(syms[i].fn, &f, sizeof(f));
	}
	if (cu.init(0) != 0 || cu.device_get(&dev, gpu) != 0) {
		fprintf(stderr, "gpu-load: no GPU %d\n", gpu);
		return 77;
	}
	if (check(cu.attribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev),
		  "cuDeviceGetAttribute") < 0 ||
	    check(cu.retain(&ctx, dev), "cuDevicePrimaryCtxRetain") < 0 ||
	    check(cu.set_current(ctx), "cuCtxSetCurrent") < 0 ||
	    check(cu.alloc(&mem, (size_t)mib << 20), "cuMemAlloc") < 0 ||
	    check(cu.memset(mem, 0xa5, (size_t)mib << 20), "cuMemsetD8") < 0 ||
	    check(cu.load(&mod, spin_ptx), "cuModuleLoadData") < 0 ||
	    check(cu.function(&spin, mod, "spin"), "cuModuleGetFunction") < 0) {
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	start = now_s();
	for (unsigned long n = 0; !stop && now_s() - start < seconds; n++) {
		if (check(cu.launch(spin, (unsigned int)sms * 2, 1, 1, 128, 1, 1, 0, NULL, params,
				    NULL),
			  "cuLaunchKernel") < 0 ||
		    check(cu.sync(), "cuCtxSynchronize") < 0) {
			return 1;
		}
		if (n == 0) {
			printf("ready %d SMs, %lu MiB\n", sms, mib);
			fflush(stdout);
		}
	}
	cu.free(mem);
	cu.release(dev);
	return 0;
}
