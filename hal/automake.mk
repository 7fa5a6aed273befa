# libdpuhal: the HAL services link against (dispatch + compiled-in backends).
noinst_LTLIBRARIES += hal/libdpuhal.la
hal_libdpuhal_la_SOURCES = \
	hal/include/dpu/hal.h \
	hal/include/dpu/hal-sim.h \
	hal/hal-provider.h \
	hal/hal.c \
	hal/hal-bluefield.c \
	hal/hal-sim.c
hal_libdpuhal_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
hal_libdpuhal_la_LIBADD = src/common/libdpucommon.la $(JSONC_LIBS) -lm
