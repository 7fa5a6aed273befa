/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: BlueMan's reader of Prometheus text (any bytes as a /metrics answer). */
#include <config.h>

#include <stdint.h>

#include <json-c/json.h>

#include "blueman/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object_put(bm_parse_prometheus((const char *)data, size, ""));
	json_object_put(bm_parse_prometheus((const char *)data, size, "dts_"));
	return 0;
}
