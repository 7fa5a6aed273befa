# The simulated device: its model (libdpusim) and the daemon + CLI.
noinst_LTLIBRARIES += sim/libdpusim.la
sim_libdpusim_la_SOURCES = \
	sim/device.c sim/device.h \
	sim/diag.c sim/diag.h \
	sim/nvstore.c sim/nvstore.h \
	sim/pcc.c sim/pcc.h \
	sim/phc.c sim/phc.h \
	sim/sysfs.c sim/sysfs.h
sim_libdpusim_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
sim_libdpusim_la_LIBADD = hal/libdpuhal.la src/common/libdpucommon.la $(JSONC_LIBS) -lm

if HAVE_DPDK
# The emulated eSwitch (libdpuesw): pipes on rte_hash and rte_acl.
noinst_LTLIBRARIES += sim/eswitch/libdpuesw.la
sim_eswitch_libdpuesw_la_SOURCES = \
	sim/eswitch/esw.c sim/eswitch/esw.h \
	sim/eswitch/esw-parse.c
sim_eswitch_libdpuesw_la_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
sim_eswitch_libdpuesw_la_LIBADD = $(DPDK_LIBS)
else
EXTRA_DIST += sim/eswitch/esw.c sim/eswitch/esw.h sim/eswitch/esw-parse.c
endif

if HAVE_DPDK
bin_PROGRAMS += sim/simd/dpu-simd
sim_simd_dpu_simd_SOURCES = sim/simd/main.c sim/simd/ctl.c sim/simd/ctl.h \
	sim/simd/dataplane.c sim/simd/dataplane.h sim/simd/flow.c sim/simd/flow.h \
	sim/simd/portmeta.h
sim_simd_dpu_simd_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(DPDK_CFLAGS) $(PCAP_CFLAGS)
sim_simd_dpu_simd_LDADD = sim/libdpusim.la sim/eswitch/libdpuesw.la \
	src/common/libdpucommon-dpdk.la $(JSONC_LIBS) $(DPDK_LIBS) $(PCAP_LIBS) -lm -lpthread
else
EXTRA_DIST += sim/simd/main.c sim/simd/ctl.c sim/simd/ctl.h sim/simd/dataplane.c \
	sim/simd/dataplane.h sim/simd/flow.c sim/simd/flow.h sim/simd/portmeta.h
endif
bin_PROGRAMS += sim/simd/dpu-simctl
sim_simd_dpu_simctl_SOURCES = sim/simd/simctl.c sim/simd/simctl-flow.c sim/simd/simctl.h
sim_simd_dpu_simctl_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
sim_simd_dpu_simctl_LDADD = hal/libdpuhal.la $(JSONC_LIBS) -lm

EXTRA_DIST += fixtures/devices fixtures/pcap fixtures/flow-inspector
EXTRA_DIST += sim/vm/dpu-vm sim/vm/init
