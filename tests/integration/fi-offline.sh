#!/bin/sh
# Flow Inspector's offline mode against an independent decoder: each
# policy in fixtures/flow-inspector over each fixture capture gives exactly
# the records tests/helpers/fi-reference.py derives from the same capture
# (same count, same fields, same values); the summary adds up; every broken
# policy is refused with the JSON path and reason its EXPECTED line gives.
set -u
. "$top_srcdir/tests/tap.sh"

fi_bin="$top_builddir/src/flow-inspector/dpu-flow-inspector"
ref="$top_srcdir/tests/helpers/fi-reference.py"
fx="$top_srcdir/fixtures"
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

for pol in mixed edge; do
	for pc in mixed edge; do
		"$fi_bin" --policy "$fx/flow-inspector/policy-$pol.json" --pcap "$fx/pcap/$pc.pcap" \
			--output jsonl >"$work/ours.jsonl" 2>"$work/summary.txt"
		tap_check "policy-$pol over $pc.pcap: exit 0" test $? -eq 0
		/usr/bin/python3 "$ref" "$fx/flow-inspector/policy-$pol.json" "$fx/pcap/$pc.pcap" >"$work/ref.jsonl"
		/usr/bin/python3 - "$work/ours.jsonl" "$work/ref.jsonl" >"$work/cmp.txt" 2>&1 <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
print("records", len(a), len(b))
bad = [(i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y]
print("differ", len(bad) + abs(len(a) - len(b)))
for i, x, y in bad[:3]:
    print(" record", i, "ours", x, "reference", y)
PY
		n=$(sed -n 's/^records \([0-9]*\) .*/\1/p' "$work/cmp.txt")
		tap_check "policy-$pol over $pc.pcap: the reference's $n records, field for field" \
			grep -qx "differ 0" "$work/cmp.txt"
		tap_check "policy-$pol over $pc.pcap: the summary counts them" \
			test "$(sed -n 's/.*exported \([0-9]*\),.*/\1/p' "$work/summary.txt" | awk '{s += $1} END {print s + 0}')" = "$n"
		[ "$(grep -c . "$work/cmp.txt")" -gt 2 ] && cat "$work/cmp.txt" >&2
	done
done
# The edge capture has frames the eSwitch passes but the parser cannot use (a later fragment).
"$fi_bin" --policy "$fx/flow-inspector/policy-edge.json" --pcap "$fx/pcap/edge.pcap" --output jsonl \
	>/dev/null 2>"$work/summary.txt"
tap_check "edge.pcap: later fragments are counted as parse errors, not exported" \
	test "$(sed -n 's/.*parse errors \([0-9]*\)/\1/p' "$work/summary.txt" | awk '{s += $1} END {print s + 0}')" -ge 2

grep -v '^#' "$fx/flow-inspector/broken/EXPECTED" >"$work/expected"
# Not a pipe: the loop must run in this shell for the TAP count.
while IFS= read -r line; do
	f=${line%%: *}
	want=${line#*: }
	(cd "$fx/flow-inspector/broken" && "$fi_bin" --policy "$f" --pcap /nonexistent --output jsonl) \
		>/dev/null 2>"$work/err.txt"
	rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$want" "$work/err.txt"; then
		tap_ok "broken policy $f: refused with \"$want\""
	else
		tap_not_ok "broken policy $f: refused with \"$want\"" "exit $rc: $(head -2 "$work/err.txt")"
	fi
done <"$work/expected"
tap_done
