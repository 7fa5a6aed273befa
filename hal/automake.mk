# libdpuhal: the HAL services link against (dispatch + compiled-in backends).
noinst_LTLIBRARIES += hal/libdpuhal.la
hal_libdpuhal_la_SOURCES = \
	hal/include/dpu/hal.h \
	hal/include/dpu/hal-flow.h \
	hal/include/dpu/hal-sim.h \
	hal/include/dpu/hal-reg.h \
	hal/hal-provider.h \
	hal/hal.c \
	hal/hal-reg.c \
	hal/hal-nv.c \
	hal/hal-bluefield.c \
	hal/hal-sim.c
hal_libdpuhal_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
hal_libdpuhal_la_LIBADD = src/common/libdpucommon.la $(JSONC_LIBS) -lm

if HAVE_DPDK
# libdpuhal-io: packet I/O on a service's port (DPDK ethdev).
noinst_LTLIBRARIES += hal/libdpuhal-io.la
hal_libdpuhal_io_la_SOURCES = hal/include/dpu/hal-io.h hal/hal-io.c sim/simd/portmeta.h \
	hal/flow-rte.h hal/flow-rte.c hal/steer-rte.h hal/steer-rte.c
hal_libdpuhal_io_la_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
hal_libdpuhal_io_la_LIBADD = hal/libdpuhal.la $(DPDK_LIBS)
else
EXTRA_DIST += hal/include/dpu/hal-io.h hal/hal-io.c hal/flow-rte.h hal/flow-rte.c \
	hal/steer-rte.h hal/steer-rte.c
endif
