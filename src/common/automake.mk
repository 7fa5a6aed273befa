# libdpucommon: logging, options, config, event loop, daemon helpers, time.
noinst_LTLIBRARIES += src/common/libdpucommon.la
src_common_libdpucommon_la_SOURCES = \
	src/common/cfg.c src/common/cfg.h \
	src/common/cfg-ini.c \
	src/common/cfg-json.c \
	src/common/cfg-yaml.c \
	src/common/daemon.c src/common/daemon.h \
	src/common/log.c src/common/log.h \
	src/common/loop.c src/common/loop.h \
	src/common/opts.c src/common/opts.h \
	src/common/timeutil.c src/common/timeutil.h \
	src/common/util.h
src_common_libdpucommon_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(INIH_CFLAGS) $(YAML_CFLAGS)
src_common_libdpucommon_la_LIBADD = $(JSONC_LIBS) $(INIH_LIBS) $(YAML_LIBS) -lpthread

if HAVE_DPDK
# libdpucommon-dpdk: EAL start-up shared by every DPDK program.
noinst_LTLIBRARIES += src/common/libdpucommon-dpdk.la
src_common_libdpucommon_dpdk_la_SOURCES = src/common/dpdk.c src/common/dpdk.h
src_common_libdpucommon_dpdk_la_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
src_common_libdpucommon_dpdk_la_LIBADD = src/common/libdpucommon.la $(DPDK_LIBS)
else
EXTRA_DIST += src/common/dpdk.c src/common/dpdk.h
endif
