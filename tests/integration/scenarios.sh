#!/bin/sh
# Every scenario under scenarios/ (host ones here, VM ones in QEMU guests
# where sim/vm/dpu-vm can run), one TAP test per check. The results folder
# is kept when something fails (its path is the last line), or with KEEP=1.
set -u
results=$(mktemp -d /tmp/dpu-scenarios-XXXXXX)
"$top_srcdir/scenarios/run" --all --tap --build "$top_builddir" --results "$results"
st=$?
if [ $st -eq 0 ] && [ -z "${KEEP:-}" ]; then
	rm -rf "$results"
fi
exit $st
