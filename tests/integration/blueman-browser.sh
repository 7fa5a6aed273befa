#!/bin/sh
# BlueMan in a real browser (tests/browser/blueman.mjs: Debian's headless
# Chromium driven by playwright-core): log in, the serial on Overview, p0's
# counter growing on Telemetry while a capture replays. The screenshots are
# kept in the build tree: tests/artifacts/blueman-*.png.
set -u
. "$top_srcdir/tests/tap.sh"

simd="$top_builddir/sim/simd/dpu-simd"
browser_dir="$top_srcdir/tests/browser"
if [ ! -x "$simd" ]; then
	tap_skip "blueman in a browser" "dpu-simd is not built (it needs DPDK)"
	tap_done
	exit $?
fi
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ] ||
	[ ! -x /usr/bin/chromium ] || [ ! -d "$browser_dir/node_modules/playwright-core" ]; then
	tap_skip "blueman in a browser" "needs Node.js >= 20, Debian's chromium and playwright-core in tests/browser (ci/install-deps installs them; a release tarball has no node_modules)"
	tap_done
	exit $?
fi
work=$(mktemp -d)
export DPU_RUN_DIR="$work/run"
sd="$work/run/sim/bf3-0"
pids=""
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

"$simd" --device "$top_srcdir/fixtures/devices/bf3.yaml" --run-dir "$sd" 2>"$work/simd.log" &
pids="$pids $!"
tap_wait 10 "dpu-simd up" test -S "$sd/simd.sock"
dport=$(free_port)
mkdir -p "$work/dts/config"
printf 'update=100\nprometheus=http://127.0.0.1:%s\n' "$dport" >"$work/dts/config/dts_config.ini"
"$top_builddir/src/telemetry/dpu-telemetry" --config-dir "$work/dts/config" \
	--device "sim:bf3-0,run-dir=$sd" 2>"$work/dts.log" &
pids="$pids $!"
port=$(free_port)
"$top_builddir/src/blueman/dpu-blueman" --device "sim:bf3-0,run-dir=$sd" --listen "127.0.0.1:$port" \
	--telemetry "http://127.0.0.1:$dport/metrics" --www "$top_srcdir/src/blueman/www" 2>"$work/bm.log" &
pids="$pids $!"
tap_wait 10 "dpu-blueman up, its admin password made" test -s "$work/run/blueman/credentials.initial-password"
serial=$(sed -n 's/^ *serial: *"\{0,1\}\([^"]*\)"\{0,1\}.*/\1/p' "$top_srcdir/fixtures/devices/bf3.yaml" | head -1)
artifacts="$top_builddir/tests/artifacts"
ARTIFACTS="$artifacts" node "$browser_dir/blueman.mjs" "https://localhost:$port/" admin \
	"$(cat "$work/run/blueman/credentials.initial-password")" "$serial" \
	"$top_builddir/sim/simd/dpu-simctl" --run-dir "$sd" replay "$top_srcdir/fixtures/pcap/mixed.pcap" \
	--port p0 --top-speed >"$work/browser.tap" 2>"$work/browser.err"
# The browser's checks, renumbered into this test's TAP.
while IFS= read -r line; do
	case "$line" in
	"ok "*) tap_ok "browser: ${line#* - }" ;;
	"not ok "*) tap_not_ok "browser: ${line#* - }" "see $work/browser.err" ;;
	esac
done <"$work/browser.tap"
tap_check "the browser run ended normally" sh -c "grep -q '^1\\.\\.' '$work/browser.tap'"
tap_check "screenshots kept in tests/artifacts/" \
	sh -c "test -s '$artifacts/blueman-overview.png' && test -s '$artifacts/blueman-telemetry.png'"
tap_done
