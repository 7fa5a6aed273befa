# The simulated device: its model (libdpusim) and the daemon + CLI.
noinst_LTLIBRARIES += sim/libdpusim.la
sim_libdpusim_la_SOURCES = \
	sim/device.c sim/device.h \
	sim/nvstore.c sim/nvstore.h \
	sim/sysfs.c sim/sysfs.h
sim_libdpusim_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
sim_libdpusim_la_LIBADD = src/common/libdpucommon.la $(JSONC_LIBS) -lm

bin_PROGRAMS += sim/simd/dpu-simd sim/simd/dpu-simctl
sim_simd_dpu_simd_SOURCES = sim/simd/main.c sim/simd/ctl.c sim/simd/ctl.h
sim_simd_dpu_simd_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
sim_simd_dpu_simd_LDADD = sim/libdpusim.la $(JSONC_LIBS) -lm
sim_simd_dpu_simctl_SOURCES = sim/simd/simctl.c
sim_simd_dpu_simctl_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
sim_simd_dpu_simctl_LDADD = hal/libdpuhal.la $(JSONC_LIBS) -lm

EXTRA_DIST += fixtures/devices
