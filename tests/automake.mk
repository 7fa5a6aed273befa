# Tests: cmocka unit tests (TAP), shell integration tests (TAP), fuzz corpora.
EXTRA_DIST += tests/tap.sh tests/vm.sh tests/lsan.supp tests/tsan.supp tests/unit/testutil.h

UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JSONC_CFLAGS)
UNIT_LDADD = src/common/libdpucommon.la $(CMOCKA_LIBS) $(JSONC_LIBS)

UNIT_TESTS = \
	tests/unit/test-blueman \
	tests/unit/test-cfg \
	tests/unit/test-daemon \
	tests/unit/test-diag \
	tests/unit/test-dts \
	tests/unit/test-firefly \
	tests/unit/test-hal-bluefield \
	tests/unit/test-log \
	tests/unit/test-loop \
	tests/unit/test-pcc \
	tests/unit/test-nv \
	tests/unit/test-sim-device \
	tests/unit/test-sim-phc \
	tests/unit/test-timeutil

tests_unit_test_cfg_SOURCES = tests/unit/test-cfg.c
tests_unit_test_cfg_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_cfg_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cfg_LDADD = $(UNIT_LDADD)
tests_unit_test_blueman_SOURCES = tests/unit/test-blueman.c
tests_unit_test_blueman_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_blueman_CFLAGS = $(UNIT_CFLAGS) $(XCRYPT_CFLAGS)
tests_unit_test_blueman_LDADD = src/blueman/libblueman.la $(UNIT_LDADD) $(XCRYPT_LIBS)
tests_unit_test_firefly_SOURCES = tests/unit/test-firefly.c
tests_unit_test_firefly_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_firefly_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_firefly_LDADD = src/firefly/libfirefly.la $(UNIT_LDADD) -lm
tests_unit_test_daemon_SOURCES = tests/unit/test-daemon.c
tests_unit_test_daemon_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_daemon_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_daemon_LDADD = $(UNIT_LDADD)
tests_unit_test_hal_bluefield_SOURCES = tests/unit/test-hal-bluefield.c
tests_unit_test_hal_bluefield_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_hal_bluefield_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hal_bluefield_LDADD = hal/libdpuhal.la sim/libdpusim.la $(UNIT_LDADD) -lm
tests_unit_test_log_SOURCES = tests/unit/test-log.c
tests_unit_test_log_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_log_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_log_LDADD = $(UNIT_LDADD)
tests_unit_test_loop_SOURCES = tests/unit/test-loop.c
tests_unit_test_loop_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_loop_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_loop_LDADD = $(UNIT_LDADD) -lpthread
tests_unit_test_dts_SOURCES = tests/unit/test-dts.c
tests_unit_test_dts_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_dts_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_dts_LDADD = src/telemetry/libdts.la $(UNIT_LDADD)
tests_unit_test_diag_SOURCES = tests/unit/test-diag.c
tests_unit_test_diag_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_diag_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_diag_LDADD = sim/libdpusim.la hal/libdpuhal.la $(UNIT_LDADD) -lm
tests_unit_test_nv_SOURCES = tests/unit/test-nv.c
tests_unit_test_nv_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_nv_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_nv_LDADD = sim/libdpusim.la hal/libdpuhal.la $(UNIT_LDADD) -lm
tests_unit_test_pcc_SOURCES = tests/unit/test-pcc.c
tests_unit_test_pcc_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_pcc_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_pcc_LDADD = sim/libdpusim.la hal/libdpuhal.la $(UNIT_LDADD) -lm
tests_unit_test_sim_phc_SOURCES = tests/unit/test-sim-phc.c
tests_unit_test_sim_phc_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_sim_phc_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sim_phc_LDADD = sim/libdpusim.la $(UNIT_LDADD) -lm
tests_unit_test_sim_device_SOURCES = tests/unit/test-sim-device.c
tests_unit_test_sim_device_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_sim_device_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sim_device_LDADD = sim/libdpusim.la $(UNIT_LDADD) -lm
tests_unit_test_timeutil_SOURCES = tests/unit/test-timeutil.c
tests_unit_test_timeutil_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_timeutil_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_timeutil_LDADD = $(UNIT_LDADD)

if HAVE_DPDK
UNIT_TESTS += tests/unit/test-dpdk tests/unit/test-esw tests/unit/test-flow-rte tests/unit/test-hal-io \
	tests/unit/test-steer-rte tests/unit/test-esw-concurrent
tests_unit_test_steer_rte_SOURCES = tests/unit/test-steer-rte.c
tests_unit_test_steer_rte_CPPFLAGS = $(UNIT_CPPFLAGS) -I$(top_srcdir)
tests_unit_test_steer_rte_CFLAGS = $(UNIT_CFLAGS) $(DPDK_CFLAGS)
tests_unit_test_steer_rte_LDADD = hal/libdpuhal-io.la hal/libdpuhal.la \
	src/common/libdpucommon-dpdk.la $(UNIT_LDADD) $(DPDK_LIBS) -lm
tests_unit_test_hal_io_SOURCES = tests/unit/test-hal-io.c
tests_unit_test_hal_io_CPPFLAGS = $(UNIT_CPPFLAGS) -I$(top_srcdir)
tests_unit_test_hal_io_CFLAGS = $(UNIT_CFLAGS) $(DPDK_CFLAGS)
tests_unit_test_hal_io_LDADD = hal/libdpuhal-io.la hal/libdpuhal.la src/common/libdpucommon-dpdk.la \
	$(UNIT_LDADD) $(DPDK_LIBS) -lm
tests_unit_test_flow_rte_SOURCES = tests/unit/test-flow-rte.c
tests_unit_test_flow_rte_CPPFLAGS = $(UNIT_CPPFLAGS) -I$(top_srcdir)
tests_unit_test_flow_rte_CFLAGS = $(UNIT_CFLAGS) $(DPDK_CFLAGS)
tests_unit_test_flow_rte_LDADD = hal/libdpuhal-io.la src/common/libdpucommon-dpdk.la \
	$(UNIT_LDADD) $(DPDK_LIBS)
tests_unit_test_esw_SOURCES = tests/unit/test-esw.c
tests_unit_test_esw_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_esw_CFLAGS = $(UNIT_CFLAGS) $(DPDK_CFLAGS)
tests_unit_test_esw_LDADD = sim/eswitch/libdpuesw.la src/common/libdpucommon-dpdk.la \
	$(UNIT_LDADD) $(DPDK_LIBS)
tests_unit_test_esw_concurrent_SOURCES = tests/unit/test-esw-concurrent.c
tests_unit_test_esw_concurrent_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_esw_concurrent_CFLAGS = $(UNIT_CFLAGS) $(DPDK_CFLAGS)
tests_unit_test_esw_concurrent_LDADD = sim/eswitch/libdpuesw.la src/common/libdpucommon-dpdk.la \
	$(UNIT_LDADD) $(DPDK_LIBS) -lpthread
tests_unit_test_dpdk_SOURCES = tests/unit/test-dpdk.c
tests_unit_test_dpdk_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_dpdk_CFLAGS = $(UNIT_CFLAGS) $(DPDK_CFLAGS)
tests_unit_test_dpdk_LDADD = src/common/libdpucommon-dpdk.la $(UNIT_LDADD) $(DPDK_LIBS) -lrte_net_ring
TESTS += tests/unit/test-dpdk-nohuge.sh tests/integration/steer-vm.sh
else
EXTRA_DIST += tests/unit/test-dpdk.c tests/unit/test-esw.c tests/unit/test-flow-rte.c \
	tests/unit/test-hal-io.c tests/unit/test-steer-rte.c tests/unit/test-esw-concurrent.c
endif
EXTRA_DIST += tests/unit/test-dpdk-nohuge.sh

check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

# ---------------------------------------------------------------- integration
# sampled: the reference daemon on the common library (and a template).
check_PROGRAMS += tests/helpers/sampled
tests_helpers_sampled_SOURCES = tests/helpers/sampled.c
tests_helpers_sampled_LDADD = src/common/libdpucommon.la

check_PROGRAMS += tests/helpers/nf-client
tests_helpers_nf_client_SOURCES = tests/helpers/nf-client.c
tests_helpers_nf_client_LDADD = src/telemetry/libdpu-telemetry-exporter.la \
	src/common/libdpucommon.la
TESTS += tests/integration/telemetry-netflow.sh tests/integration/telemetry-exporter.sh \
	tests/integration/telemetry-fluent.sh tests/integration/telemetry-ifconfig.sh tests/integration/telemetry-ethtool.sh \
	tests/integration/telemetry-tc.sh tests/integration/telemetry-forward.sh \
	tests/integration/telemetry-aggr.sh tests/integration/telemetry-data.sh \
	tests/integration/telemetry-grc.sh tests/integration/telemetry-nvml.sh tests/integration/telemetry-bfperf.sh \
	tests/integration/telemetry-ppcc.sh tests/integration/telemetry-hcaperf.sh
EXTRA_DIST += tests/integration/telemetry-ifconfig.sh tests/integration/telemetry-ethtool.sh \
	tests/integration/telemetry-tc.sh tests/integration/telemetry-forward.sh tests/helpers/fluent-sink.py \
	tests/integration/telemetry-aggr.sh tests/integration/telemetry-data.sh \
	tests/integration/telemetry-grc.sh tests/integration/telemetry-nvml.sh tests/integration/telemetry-bfperf.sh \
	tests/integration/telemetry-ppcc.sh tests/helpers/roce-send.py tests/integration/telemetry-hcaperf.sh
EXTRA_DIST += tests/integration/telemetry-netflow.sh tests/helpers/udp-capture.py

# The GPU providers: a known load for a real GPU, and a stand-in NVML (a
# shared library, dlopened by dpu-telemetry as libnvidia-ml.so.1) for the
# machines without one.
check_PROGRAMS += tests/helpers/gpu-load
tests_helpers_gpu_load_SOURCES = tests/helpers/gpu-load.c
tests_helpers_gpu_load_LDADD = -ldl
check_LTLIBRARIES += tests/helpers/libfakenvml.la
tests_helpers_libfakenvml_la_SOURCES = tests/helpers/fake-nvml.c
tests_helpers_libfakenvml_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-rpath $(abs_builddir)/tests/helpers
EXTRA_DIST += tests/helpers/nvml-compare.py

check_PROGRAMS += tests/helpers/te-client
tests_helpers_te_client_SOURCES = tests/helpers/te-client.c
tests_helpers_te_client_LDADD = src/telemetry/libdpu-telemetry-exporter.la \
	src/common/libdpucommon.la

TESTS += tests/integration/daemon-lifecycle.sh tests/integration/firefly.sh \
	tests/integration/firefly-vm.sh tests/integration/deploy.sh \
	tests/integration/scenarios.sh tests/integration/scenario-runner.sh \
	tests/integration/blueman.sh tests/integration/blueman-browser.sh
EXTRA_DIST += tests/integration/firefly.sh tests/helpers/ff-compare.py \
	tests/integration/firefly-vm.sh tests/integration/firefly-vm-guest.sh \
	tests/integration/steer-vm.sh \
	tests/integration/deploy.sh deploy/systemd/dpu-firefly.service.in deploy/kubelet/dpu-firefly.yaml \
	deploy/systemd/dpu-blueman.service.in deploy/kubelet/dpu-blueman.yaml deploy/pam.d/dpu-blueman \
	deploy/systemd/dpu-telemetry.service.in deploy/systemd/dpu-dpe.service.in \
	deploy/kubelet/dpu-telemetry.yaml deploy/systemd/dpu-flow-inspector.service.in \
	deploy/kubelet/dpu-flow-inspector.yaml \
	tests/integration/scenarios.sh tests/integration/scenario-runner.sh scenarios/run scenarios/lib.sh \
	scenarios/kernel-features scenarios/softroce scenarios/telemetry-replay \
	scenarios/firefly-grandmaster tests/integration/blueman.sh tests/fuzz/fuzz-bm-prom.c \
	tests/integration/blueman-browser.sh tests/browser/package.json \
	tests/browser/package-lock.json tests/browser/blueman.mjs \
	tests/fuzz/fuzz-bm-creds.c tests/fuzz/fuzz-ff-pmc.c \
	tests/fuzz/fuzz-ff-ptpconf.c
if HAVE_DPDK
TESTS += tests/integration/simd.sh tests/integration/dpu-sim.sh tests/integration/lpm-kernel.sh \
	tests/integration/portio.sh tests/integration/port-backings.sh tests/integration/esw-vxlan.sh \
	tests/integration/telemetry.sh tests/integration/fi-offline.sh tests/integration/fi-live.sh \
	tests/integration/hal-entries.sh tests/integration/sensors-load.sh
check_PROGRAMS += tests/helpers/esw-lpm-lookup tests/helpers/portio-sink tests/helpers/vxlan-router \
	tests/helpers/hal-entries
tests_helpers_hal_entries_SOURCES = tests/helpers/hal-entries.c
tests_helpers_hal_entries_LDADD = hal/libdpuhal.la src/common/libdpucommon.la
tests_helpers_vxlan_router_SOURCES = tests/helpers/vxlan-router.c
tests_helpers_vxlan_router_LDADD = hal/libdpuhal.la src/common/libdpucommon.la
tests_helpers_portio_sink_SOURCES = tests/helpers/portio-sink.c
tests_helpers_portio_sink_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(DPDK_CFLAGS)
tests_helpers_portio_sink_LDADD = hal/libdpuhal-io.la hal/libdpuhal.la \
	src/common/libdpucommon-dpdk.la src/common/libdpucommon.la $(JSONC_LIBS) $(DPDK_LIBS)
tests_helpers_esw_lpm_lookup_SOURCES = tests/helpers/esw-lpm-lookup.c
tests_helpers_esw_lpm_lookup_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
tests_helpers_esw_lpm_lookup_LDADD = sim/eswitch/libdpuesw.la src/common/libdpucommon-dpdk.la \
	src/common/libdpucommon.la $(DPDK_LIBS)
endif
EXTRA_DIST += tests/integration/daemon-lifecycle.sh tests/integration/simd.sh \
	tests/integration/sensors-load.sh \
	tests/integration/dpu-sim.sh tests/integration/lpm-kernel.sh tests/helpers/esw-lpm-lookup.c \
	tests/integration/portio.sh tests/helpers/portio-sink.c tests/helpers/pcap-classify.py \
	tests/integration/port-backings.sh tests/integration/telemetry.sh \
	tests/integration/esw-vxlan.sh tests/helpers/vxlan-router.c \
	tests/integration/hal-entries.sh tests/helpers/hal-entries.c \
	tests/integration/telemetry-exporter.sh tests/helpers/te-client.c tests/fuzz/fuzz-dts-ipc.c \
	tests/integration/telemetry-fluent.sh tests/fuzz/fuzz-dts-fluent.c \
	tests/integration/fi-offline.sh tests/helpers/fi-reference.py tests/helpers/fi-tshark.py tests/fuzz/fuzz-fi-policy.c \
	tests/integration/fi-live.sh tests/helpers/rss-queues.py tests/fuzz/fuzz-fi-parse.c tests/fuzz/fuzz-fi-capture.c \
	tests/fuzz/fuzz-dts-forward.c tests/fuzz/fuzz-dts-prom.c tests/fuzz/fuzz-dts-data.c \
	tests/fuzz/fuzz-dts-grc.c tests/fuzz/fuzz-hal-dev.c

# ---------------------------------------------------------------- fuzz
# Standalone builds replay the corpora in every 'make check'; with
# --enable-fuzzing (clang) the libFuzzer builds are made too (ci/fuzz runs them).
check_PROGRAMS += tests/fuzz/fuzz-cfg-ini-standalone tests/fuzz/fuzz-cfg-json-standalone \
	tests/fuzz/fuzz-cfg-yaml-standalone tests/fuzz/fuzz-sim-device-standalone
tests_fuzz_fuzz_cfg_ini_standalone_SOURCES = tests/fuzz/fuzz-cfg-ini.c tests/fuzz/standalone.c
tests_fuzz_fuzz_cfg_ini_standalone_LDADD = src/common/libdpucommon.la
tests_fuzz_fuzz_cfg_json_standalone_SOURCES = tests/fuzz/fuzz-cfg-json.c tests/fuzz/standalone.c
tests_fuzz_fuzz_cfg_json_standalone_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_fuzz_fuzz_cfg_json_standalone_LDADD = src/common/libdpucommon.la $(JSONC_LIBS)
tests_fuzz_fuzz_cfg_yaml_standalone_SOURCES = tests/fuzz/fuzz-cfg-yaml.c tests/fuzz/standalone.c
tests_fuzz_fuzz_cfg_yaml_standalone_LDADD = src/common/libdpucommon.la
tests_fuzz_fuzz_sim_device_standalone_SOURCES = tests/fuzz/fuzz-sim-device.c tests/fuzz/standalone.c
tests_fuzz_fuzz_sim_device_standalone_LDADD = sim/libdpusim.la -lm
check_PROGRAMS += tests/fuzz/fuzz-dts-ipc-standalone tests/fuzz/fuzz-dts-fluent-standalone \
	tests/fuzz/fuzz-fi-policy-standalone tests/fuzz/fuzz-fi-parse-standalone \
	tests/fuzz/fuzz-fi-capture-standalone tests/fuzz/fuzz-dts-forward-standalone \
	tests/fuzz/fuzz-dts-prom-standalone tests/fuzz/fuzz-dts-data-standalone \
	tests/fuzz/fuzz-dts-grc-standalone
check_PROGRAMS += tests/fuzz/fuzz-hal-dev-standalone
tests_fuzz_fuzz_hal_dev_standalone_SOURCES = tests/fuzz/fuzz-hal-dev.c tests/fuzz/standalone.c
tests_fuzz_fuzz_hal_dev_standalone_LDADD = hal/libdpuhal.la
tests_fuzz_fuzz_dts_grc_standalone_SOURCES = tests/fuzz/fuzz-dts-grc.c tests/fuzz/standalone.c
tests_fuzz_fuzz_dts_grc_standalone_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
tests_fuzz_fuzz_dts_data_standalone_SOURCES = tests/fuzz/fuzz-dts-data.c tests/fuzz/standalone.c
tests_fuzz_fuzz_dts_data_standalone_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
tests_fuzz_fuzz_dts_prom_standalone_SOURCES = tests/fuzz/fuzz-dts-prom.c tests/fuzz/standalone.c
tests_fuzz_fuzz_dts_prom_standalone_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
tests_fuzz_fuzz_dts_forward_standalone_SOURCES = tests/fuzz/fuzz-dts-forward.c tests/fuzz/standalone.c
tests_fuzz_fuzz_dts_forward_standalone_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
tests_fuzz_fuzz_fi_capture_standalone_SOURCES = tests/fuzz/fuzz-fi-capture.c tests/fuzz/standalone.c
tests_fuzz_fuzz_fi_capture_standalone_LDADD = src/flow-inspector/libfi.la src/common/libdpucommon.la \
	$(JSONC_LIBS) $(PCAP_LIBS)
tests_fuzz_fuzz_fi_parse_standalone_SOURCES = tests/fuzz/fuzz-fi-parse.c tests/fuzz/standalone.c
tests_fuzz_fuzz_fi_parse_standalone_LDADD = src/flow-inspector/libfi.la src/common/libdpucommon.la \
	$(JSONC_LIBS)
tests_fuzz_fuzz_fi_policy_standalone_SOURCES = tests/fuzz/fuzz-fi-policy.c tests/fuzz/standalone.c
tests_fuzz_fuzz_fi_policy_standalone_LDADD = src/flow-inspector/libfi.la src/common/libdpucommon.la \
	$(JSONC_LIBS)
tests_fuzz_fuzz_dts_ipc_standalone_SOURCES = tests/fuzz/fuzz-dts-ipc.c tests/fuzz/standalone.c
tests_fuzz_fuzz_dts_ipc_standalone_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
tests_fuzz_fuzz_dts_fluent_standalone_SOURCES = tests/fuzz/fuzz-dts-fluent.c tests/fuzz/standalone.c
tests_fuzz_fuzz_dts_fluent_standalone_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
if HAVE_DPDK
SIMD_CTL_SOURCES = sim/simd/ctl.c sim/simd/dataplane.c sim/simd/flow.c
SIMD_CTL_LDADD = sim/libdpusim.la sim/eswitch/libdpuesw.la src/common/libdpucommon-dpdk.la \
	src/common/libdpucommon.la $(JSONC_LIBS) $(DPDK_LIBS) $(PCAP_LIBS) -lm -lpthread
check_PROGRAMS += tests/fuzz/fuzz-simd-ctl-standalone
tests_fuzz_fuzz_simd_ctl_standalone_SOURCES = tests/fuzz/fuzz-simd-ctl.c tests/fuzz/standalone.c \
	$(SIMD_CTL_SOURCES)
tests_fuzz_fuzz_simd_ctl_standalone_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(DPDK_CFLAGS) $(PCAP_CFLAGS)
tests_fuzz_fuzz_simd_ctl_standalone_LDADD = $(SIMD_CTL_LDADD)
check_PROGRAMS += tests/fuzz/fuzz-esw-parse-standalone
tests_fuzz_fuzz_esw_parse_standalone_SOURCES = tests/fuzz/fuzz-esw-parse.c tests/fuzz/standalone.c
tests_fuzz_fuzz_esw_parse_standalone_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
tests_fuzz_fuzz_esw_parse_standalone_LDADD = sim/eswitch/libdpuesw.la $(DPDK_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-hal-flow-standalone
tests_fuzz_fuzz_hal_flow_standalone_SOURCES = tests/fuzz/fuzz-hal-flow.c tests/fuzz/standalone.c
tests_fuzz_fuzz_hal_flow_standalone_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
tests_fuzz_fuzz_hal_flow_standalone_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
tests_fuzz_fuzz_hal_flow_standalone_LDADD = hal/libdpuhal-io.la $(DPDK_LIBS)
else
EXTRA_DIST += tests/fuzz/fuzz-esw-parse.c tests/fuzz/fuzz-simd-ctl.c tests/fuzz/fuzz-hal-flow.c
endif
check_PROGRAMS += tests/fuzz/fuzz-bm-prom-standalone tests/fuzz/fuzz-bm-creds-standalone
tests_fuzz_fuzz_bm_prom_standalone_SOURCES = tests/fuzz/fuzz-bm-prom.c tests/fuzz/standalone.c
tests_fuzz_fuzz_bm_prom_standalone_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_fuzz_fuzz_bm_prom_standalone_LDADD = src/blueman/libblueman.la
tests_fuzz_fuzz_bm_creds_standalone_SOURCES = tests/fuzz/fuzz-bm-creds.c tests/fuzz/standalone.c
tests_fuzz_fuzz_bm_creds_standalone_LDADD = src/blueman/libblueman.la
check_PROGRAMS += tests/fuzz/fuzz-ff-pmc-standalone tests/fuzz/fuzz-ff-ptpconf-standalone
tests_fuzz_fuzz_ff_pmc_standalone_SOURCES = tests/fuzz/fuzz-ff-pmc.c tests/fuzz/standalone.c
tests_fuzz_fuzz_ff_pmc_standalone_LDADD = src/firefly/libfirefly.la
tests_fuzz_fuzz_ff_ptpconf_standalone_SOURCES = tests/fuzz/fuzz-ff-ptpconf.c tests/fuzz/standalone.c
tests_fuzz_fuzz_ff_ptpconf_standalone_LDADD = src/firefly/libfirefly.la
TESTS += tests/fuzz/corpus.sh
EXTRA_DIST += tests/fuzz/corpus.sh fixtures/fuzz

if FUZZING
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined
noinst_PROGRAMS += tests/fuzz/fuzz-cfg-ini tests/fuzz/fuzz-cfg-json tests/fuzz/fuzz-cfg-yaml \
	tests/fuzz/fuzz-sim-device
tests_fuzz_fuzz_cfg_ini_SOURCES = tests/fuzz/fuzz-cfg-ini.c
tests_fuzz_fuzz_cfg_ini_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_cfg_ini_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_cfg_ini_LDADD = src/common/libdpucommon.la
tests_fuzz_fuzz_cfg_json_SOURCES = tests/fuzz/fuzz-cfg-json.c
tests_fuzz_fuzz_cfg_json_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_cfg_json_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_cfg_json_LDADD = src/common/libdpucommon.la $(JSONC_LIBS)
tests_fuzz_fuzz_cfg_yaml_SOURCES = tests/fuzz/fuzz-cfg-yaml.c
tests_fuzz_fuzz_cfg_yaml_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_cfg_yaml_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_cfg_yaml_LDADD = src/common/libdpucommon.la
tests_fuzz_fuzz_sim_device_SOURCES = tests/fuzz/fuzz-sim-device.c
tests_fuzz_fuzz_sim_device_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_sim_device_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_sim_device_LDADD = sim/libdpusim.la -lm
noinst_PROGRAMS += tests/fuzz/fuzz-dts-ipc tests/fuzz/fuzz-dts-fluent tests/fuzz/fuzz-fi-policy \
	tests/fuzz/fuzz-fi-parse tests/fuzz/fuzz-fi-capture tests/fuzz/fuzz-dts-forward \
	tests/fuzz/fuzz-dts-prom tests/fuzz/fuzz-dts-data tests/fuzz/fuzz-dts-grc
noinst_PROGRAMS += tests/fuzz/fuzz-hal-dev
tests_fuzz_fuzz_hal_dev_SOURCES = tests/fuzz/fuzz-hal-dev.c
tests_fuzz_fuzz_hal_dev_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_hal_dev_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_hal_dev_LDADD = hal/libdpuhal.la
tests_fuzz_fuzz_dts_grc_SOURCES = tests/fuzz/fuzz-dts-grc.c
tests_fuzz_fuzz_dts_grc_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_grc_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_grc_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
tests_fuzz_fuzz_dts_data_SOURCES = tests/fuzz/fuzz-dts-data.c
tests_fuzz_fuzz_dts_data_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_data_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_data_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
tests_fuzz_fuzz_dts_prom_SOURCES = tests/fuzz/fuzz-dts-prom.c
tests_fuzz_fuzz_dts_prom_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_prom_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_prom_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
tests_fuzz_fuzz_dts_forward_SOURCES = tests/fuzz/fuzz-dts-forward.c
tests_fuzz_fuzz_dts_forward_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_forward_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_forward_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
tests_fuzz_fuzz_fi_capture_SOURCES = tests/fuzz/fuzz-fi-capture.c
tests_fuzz_fuzz_fi_capture_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_fi_capture_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_fi_capture_LDADD = src/flow-inspector/libfi.la src/common/libdpucommon.la \
	$(JSONC_LIBS) $(PCAP_LIBS)
tests_fuzz_fuzz_fi_parse_SOURCES = tests/fuzz/fuzz-fi-parse.c
tests_fuzz_fuzz_fi_parse_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_fi_parse_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_fi_parse_LDADD = src/flow-inspector/libfi.la src/common/libdpucommon.la $(JSONC_LIBS)
tests_fuzz_fuzz_fi_policy_SOURCES = tests/fuzz/fuzz-fi-policy.c
tests_fuzz_fuzz_fi_policy_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_fi_policy_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_fi_policy_LDADD = src/flow-inspector/libfi.la src/common/libdpucommon.la $(JSONC_LIBS)
tests_fuzz_fuzz_dts_ipc_SOURCES = tests/fuzz/fuzz-dts-ipc.c
tests_fuzz_fuzz_dts_ipc_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_ipc_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_ipc_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
tests_fuzz_fuzz_dts_fluent_SOURCES = tests/fuzz/fuzz-dts-fluent.c
tests_fuzz_fuzz_dts_fluent_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_fluent_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_dts_fluent_LDADD = src/telemetry/libdts.la src/common/libdpucommon.la
noinst_PROGRAMS += tests/fuzz/fuzz-bm-prom tests/fuzz/fuzz-bm-creds
tests_fuzz_fuzz_bm_prom_SOURCES = tests/fuzz/fuzz-bm-prom.c
tests_fuzz_fuzz_bm_prom_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_bm_prom_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_bm_prom_LDADD = src/blueman/libblueman.la
tests_fuzz_fuzz_bm_creds_SOURCES = tests/fuzz/fuzz-bm-creds.c
tests_fuzz_fuzz_bm_creds_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_bm_creds_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_bm_creds_LDADD = src/blueman/libblueman.la
noinst_PROGRAMS += tests/fuzz/fuzz-ff-pmc tests/fuzz/fuzz-ff-ptpconf
tests_fuzz_fuzz_ff_pmc_SOURCES = tests/fuzz/fuzz-ff-pmc.c
tests_fuzz_fuzz_ff_pmc_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_ff_pmc_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_ff_pmc_LDADD = src/firefly/libfirefly.la
tests_fuzz_fuzz_ff_ptpconf_SOURCES = tests/fuzz/fuzz-ff-ptpconf.c
tests_fuzz_fuzz_ff_ptpconf_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_ff_ptpconf_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_ff_ptpconf_LDADD = src/firefly/libfirefly.la
if HAVE_DPDK
noinst_PROGRAMS += tests/fuzz/fuzz-simd-ctl
tests_fuzz_fuzz_simd_ctl_SOURCES = tests/fuzz/fuzz-simd-ctl.c $(SIMD_CTL_SOURCES)
tests_fuzz_fuzz_simd_ctl_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(DPDK_CFLAGS) $(PCAP_CFLAGS) \
	$(FUZZ_FLAGS)
tests_fuzz_fuzz_simd_ctl_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_simd_ctl_LDADD = $(SIMD_CTL_LDADD)
noinst_PROGRAMS += tests/fuzz/fuzz-esw-parse
tests_fuzz_fuzz_esw_parse_SOURCES = tests/fuzz/fuzz-esw-parse.c
tests_fuzz_fuzz_esw_parse_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_esw_parse_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_esw_parse_LDADD = sim/eswitch/libdpuesw.la $(DPDK_LIBS)
noinst_PROGRAMS += tests/fuzz/fuzz-hal-flow
tests_fuzz_fuzz_hal_flow_SOURCES = tests/fuzz/fuzz-hal-flow.c
tests_fuzz_fuzz_hal_flow_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
tests_fuzz_fuzz_hal_flow_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_hal_flow_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fuzz_hal_flow_LDADD = hal/libdpuhal-io.la $(DPDK_LIBS)
endif
endif

# ---------------------------------------------------------------- benchmarks
# 'make bench' builds and runs them; they print figures and ratios against the
# bare DPDK lookup or the peer (node_exporter) measured in the same run, and
# never fail on speed.
if HAVE_DPDK
EXTRA_PROGRAMS = tests/bench/bench-esw
tests_bench_bench_esw_SOURCES = tests/bench/bench-esw.c
tests_bench_bench_esw_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
tests_bench_bench_esw_LDADD = sim/eswitch/libdpuesw.la src/common/libdpucommon-dpdk.la \
	src/common/libdpucommon.la $(DPDK_LIBS)
CLEANFILES += tests/bench/bench-esw

bench: tests/bench/bench-esw tests/helpers/hal-entries all
	$(builddir)/tests/bench/bench-esw $(BENCH_ESW_ARGS)
	$(SHELL) $(srcdir)/tests/bench/bench-hal.sh $(abs_builddir) $(BENCH_HAL_ROUTES)
	/usr/bin/python3 $(srcdir)/tests/bench/bench-dts.py $(abs_builddir) $(abs_srcdir) \
		$(BENCH_DTS_ARGS)
	/usr/bin/python3 $(srcdir)/tests/bench/bench-fi.py $(abs_builddir) $(abs_srcdir) \
		$(BENCH_FI_ARGS)
	/usr/bin/python3 $(srcdir)/tests/bench/bench-ff.py $(abs_builddir) $(abs_srcdir) \
		$(BENCH_FF_ARGS)
	/usr/bin/python3 $(srcdir)/tests/bench/bench-bm.py $(abs_builddir) $(abs_srcdir) \
		$(BENCH_BM_ARGS)
	$(SHELL) $(srcdir)/tests/bench/bench-nvml.sh $(abs_builddir)
else
bench: all
	@echo "bench: DPDK not available; only the benchmarks without it"
	/usr/bin/python3 $(srcdir)/tests/bench/bench-ff.py $(abs_builddir) $(abs_srcdir) \
		$(BENCH_FF_ARGS)
endif
EXTRA_DIST += tests/bench/bench-esw.c tests/bench/bench-hal.sh tests/bench/bench-dts.py \
	tests/bench/bench-fi.py \
	tests/bench/bench-ff.py tests/bench/bench-bm.py tests/bench/bench-nvml.sh
.PHONY: bench
