#!/bin/sh
# Replay every fuzz target's corpus (fixtures/fuzz/<target>/) through its
# standalone build. TAP: one test per input file, per target.
set -u
. "$top_srcdir/tests/tap.sh"
for t in cfg-ini cfg-json cfg-yaml sim-device dts-ipc dts-fluent dts-forward dts-prom dts-data dts-grc fi-policy fi-parse fi-capture ff-pmc ff-ptpconf bm-prom bm-creds esw-parse simd-ctl hal-dev hal-flow; do
	bin="$top_builddir/tests/fuzz/fuzz-$t-standalone"
	if [ ! -x "$bin" ]; then
		tap_skip "$t corpus" "not built: the target needs DPDK (configure found none)"
		continue
	fi
	for f in "$top_srcdir"/fixtures/fuzz/"$t"/*; do
		[ -f "$f" ] || continue
		if out=$("$bin" "$f" 2>&1); then
			tap_ok "$t: $(basename "$f")"
		else
			tap_not_ok "$t: $(basename "$f")" "$(echo "$out" | tail -5)"
		fi
	done
done
tap_done
