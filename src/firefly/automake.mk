# dpu-firefly: PTP time synchronisation on linuxptp (Firefly).
noinst_LTLIBRARIES += src/firefly/libfirefly.la
src_firefly_libfirefly_la_SOURCES = \
	src/firefly/child.c src/firefly/child.h \
	src/firefly/config.c src/firefly/config.h \
	src/firefly/monitor.c src/firefly/monitor.h \
	src/firefly/pmc.c src/firefly/pmc.h \
	src/firefly/ptpconf.c src/firefly/ptpconf.h
src_firefly_libfirefly_la_LIBADD = src/common/libdpucommon.la -lm

bin_PROGRAMS += src/firefly/dpu-firefly
src_firefly_dpu_firefly_SOURCES = src/firefly/main.c
src_firefly_dpu_firefly_LDADD = src/firefly/libfirefly.la hal/libdpuhal.la \
	src/telemetry/libdpu-telemetry-exporter.la src/common/libdpucommon.la \
	$(JSONC_LIBS) -lpthread -lm
