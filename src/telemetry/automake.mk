# dpu-telemetry: the Telemetry Service (DTS).
noinst_LTLIBRARIES += src/telemetry/libdts.la
src_telemetry_libdts_la_SOURCES = \
	src/telemetry/config.c src/telemetry/config.h \
	src/telemetry/metrics.c src/telemetry/metrics.h \
	src/telemetry/sysfs.c src/telemetry/sysfs.h \
	src/telemetry/ethtool.c src/telemetry/ethtool.h \
	src/telemetry/tc.c src/telemetry/tc.h \
	src/telemetry/ipc.c src/telemetry/ipc.h \
	src/telemetry/ipcsrv.c src/telemetry/ipcsrv.h \
	src/telemetry/fluent.c src/telemetry/fluent.h \
	src/telemetry/forward.c src/telemetry/forward.h \
	src/telemetry/promaggr.c src/telemetry/promaggr.h \
	src/telemetry/datafile.c src/telemetry/datafile.h \
	src/telemetry/grc.c src/telemetry/grc.h \
	src/telemetry/nvml.c src/telemetry/nvml.h \
	src/telemetry/bfperf.c src/telemetry/bfperf.h \
	src/telemetry/ppcc.c src/telemetry/ppcc.h \
	src/telemetry/hcaperf.c src/telemetry/hcaperf.h
src_telemetry_libdts_la_CFLAGS = $(AM_CFLAGS) $(MSGPACK_CFLAGS) $(MNL_CFLAGS) $(CURL_CFLAGS) \
	$(JSONC_CFLAGS)
src_telemetry_libdts_la_LIBADD = hal/libdpuhal.la src/common/libdpucommon.la $(MSGPACK_LIBS) $(MNL_LIBS) \
	$(JSONC_LIBS) -ldl -lpthread -lm

# libdpu-telemetry-exporter: the Telemetry Exporter API for other programs.
noinst_LTLIBRARIES += src/telemetry/libdpu-telemetry-exporter.la
src_telemetry_libdpu_telemetry_exporter_la_SOURCES = \
	src/telemetry/exporter.c src/telemetry/exporter.h \
	src/telemetry/netflow.c src/telemetry/netflow.h \
	src/telemetry/ipc.c src/telemetry/ipc.h \
	src/telemetry/datafile.c src/telemetry/datafile.h
src_telemetry_libdpu_telemetry_exporter_la_LIBADD = src/common/libdpucommon.la

bin_PROGRAMS += src/telemetry/dpu-telemetry
src_telemetry_dpu_telemetry_SOURCES = src/telemetry/main.c
src_telemetry_dpu_telemetry_CFLAGS = $(AM_CFLAGS) $(MICROHTTPD_CFLAGS)
src_telemetry_dpu_telemetry_LDADD = src/telemetry/libdts.la hal/libdpuhal.la \
	src/common/libdpucommon.la $(MICROHTTPD_LIBS) $(JSONC_LIBS) -lpthread -lm
bin_PROGRAMS += src/telemetry/dpu-ngauge
src_telemetry_dpu_ngauge_SOURCES = src/telemetry/ngauge.c
src_telemetry_dpu_ngauge_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
src_telemetry_dpu_ngauge_LDADD = hal/libdpuhal.la src/common/libdpucommon.la $(JSONC_LIBS) -lm
bin_PROGRAMS += src/telemetry/dpu-dpe
src_telemetry_dpu_dpe_SOURCES = src/telemetry/dpe.c
src_telemetry_dpu_dpe_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
src_telemetry_dpu_dpe_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la $(JSONC_LIBS) -lm
bin_PROGRAMS += src/telemetry/dpu-telemetry-read
src_telemetry_dpu_telemetry_read_SOURCES = src/telemetry/read.c
src_telemetry_dpu_telemetry_read_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la -lm
dist_bin_SCRIPTS += src/telemetry/telemetry-init.sh src/telemetry/enable-fluent-forward.sh
