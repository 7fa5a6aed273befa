/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: dpu-simd's control requests (one JSON line), answered by the
 * real handler over a real device (bf3.yaml's content), NV store (in a
 * scratch directory) and data plane (EAL without hugepages).
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/dpdk.h"
#include "common/log.h"
#include "sim/simd/ctl.h"
#include "sim/simd/flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char device[] =
	"name: fuzz0\n"
	"inventory: {model: m, serial: s, mode: dpu}\n"
	"ports:\n"
	"  - {name: p0, kind: uplink, mac: \"02:00:00:00:00:01\", pci: \"0000:03:00.0\"}\n"
	"  - {name: pf0hpf, kind: pf, mac: \"02:00:00:00:00:02\", pci: \"0000:03:00.0\"}\n"
	"sensors:\n"
	"  - {name: asic, kind: temperature, value: 50}\n"
	"nvconfig: {NUM_OF_VFS: \"0\", SRIOV_EN: False(0)}\n";

static struct simd s = {.listen_fd = -1};
static char dir[] = "/tmp/dpu-fuzz-simd-XXXXXX";

static void cleanup(void)
{
	char path[64];

	simd_pcc_stop(&s);
	simd_dp_destroy(s.dp);
	simd_flows_destroy(s.flows);
	snprintf(path, sizeof(path), "%s/nv.json", dir);
	unlink(path);
	for (size_t i = 0; i < s.dev->n_ports; i++) { /* port-attach's sockets */
		snprintf(path, sizeof(path), "%s/memif-%s.sock", dir, s.dev->ports[i].name);
		unlink(path);
	}
	rmdir(dir);
	free(s.nv);
	free(s.dev);
	dpu_dpdk_fini();
}

static void setup(void)
{
	static const char *const eal[] = {"--no-pci", "-l", "0", "--no-telemetry", NULL};
	struct dpu_cfg_err err;
	char path[64];

	dpu_log_set_level(DPU_LOG_DISABLE);
	dpu_log_set_sdk_level(DPU_LOG_DISABLE);
	if (mkdtemp(dir) == NULL || dpu_dpdk_init("fuzz-simd-ctl", eal, 128) < 0 ||
	    sim_device_load_string(device, sizeof(device) - 1, "fuzz.yaml", &s.dev, &err) < 0) {
		abort();
	}
	snprintf(path, sizeof(path), "%s/nv.json", dir);
	if (sim_nvstore_open(path, s.dev, &s.nv, &err) < 0 || simd_dp_create(s.dev, &s.dp) < 0 ||
	    simd_flows_create(&s, &s.flows) < 0) {
		abort();
	}
	dpu_strscpy(s.rundir, dir, sizeof(s.rundir));
	simd_pcc_start(&s);
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct json_object *req = NULL, *rep;
	struct dpu_cfg_err err;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (dpu_json_load_string((const char *)data, size, "request", &req, &err) < 0) {
		return 0;
	}
	rep = simd_ctl_handle(&s, req);
	/* Every request gets an answer with "ok". */
	if (rep == NULL || !json_object_object_get_ex(rep, "ok", NULL)) {
		abort();
	}
	(void)json_object_to_json_string(rep);
	json_object_put(rep);
	json_object_put(req);
	simd_dp_replay_stop(s.dp); /* a replay the input started must not outlive it */
	return 0;
}
