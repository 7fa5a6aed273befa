# dpu-flow-inspector: Flow Inspector.
noinst_LTLIBRARIES += src/flow-inspector/libfi.la
src_flow_inspector_libfi_la_SOURCES = \
	src/flow-inspector/policy.c src/flow-inspector/policy.h \
	src/flow-inspector/record.c src/flow-inspector/record.h \
	src/flow-inspector/capture.c src/flow-inspector/capture.h
src_flow_inspector_libfi_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(PCAP_CFLAGS)
src_flow_inspector_libfi_la_LIBADD = src/common/libdpucommon.la $(JSONC_LIBS) $(PCAP_LIBS)

if HAVE_DPDK
bin_PROGRAMS += src/flow-inspector/dpu-flow-inspector
src_flow_inspector_dpu_flow_inspector_SOURCES = src/flow-inspector/main.c \
	src/flow-inspector/live.c src/flow-inspector/live.h
src_flow_inspector_dpu_flow_inspector_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS) $(PCAP_CFLAGS)
src_flow_inspector_dpu_flow_inspector_LDADD = src/flow-inspector/libfi.la \
	hal/libdpuhal-io.la hal/libdpuhal.la src/telemetry/libdpu-telemetry-exporter.la \
	sim/eswitch/libdpuesw.la src/common/libdpucommon-dpdk.la src/common/libdpucommon.la \
	$(DPDK_LIBS) $(PCAP_LIBS) $(JSONC_LIBS) -lm
else
EXTRA_DIST += src/flow-inspector/main.c src/flow-inspector/live.c src/flow-inspector/live.h
endif
