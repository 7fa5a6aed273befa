#!/bin/sh
# telemetry-init.sh [CONFIG_DIR]: give an empty configuration directory the
# default dts_config.ini (an existing one is kept and checked). CONFIG_DIR
# defaults to $DTS_CONFIG_DIR, else dpu-telemetry's own default.
set -eu
dir=${1:-${DTS_CONFIG_DIR:-}}
bin=${DPU_TELEMETRY:-$(dirname "$0")/dpu-telemetry}
[ -x "$bin" ] || bin=dpu-telemetry
if [ -n "$dir" ]; then
	exec "$bin" --config-dir "$dir" --init
fi
exec "$bin" --init
