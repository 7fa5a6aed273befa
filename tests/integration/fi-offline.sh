#!/bin/sh
# Flow Inspector's offline mode against independent decoders: each policy
# in fixtures/flow-inspector over each fixture capture gives exactly the
# records that tshark's decode of the same capture gives
# (tests/helpers/fi-tshark.py) and those of tests/helpers/fi-reference.py,
# a decoder of its own in Python (same count, same fields, same values);
# the summary adds up; the capture readers agree; every broken policy is
# refused with the JSON path and reason its EXPECTED line gives.
set -u
. "$top_srcdir/tests/tap.sh"

fi_bin="$top_builddir/src/flow-inspector/dpu-flow-inspector"
ref="$top_srcdir/tests/helpers/fi-reference.py"
fx="$top_srcdir/fixtures"
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

tshark_ref="$top_srcdir/tests/helpers/fi-tshark.py"
cat >"$work/cmp.py" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
print("records", len(a), len(b))
bad = [(i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y]
print("differ", len(bad) + abs(len(a) - len(b)))
for i, x, y in bad[:3]:
    print(" record", i, "ours", x, "reference", y)
PY
for pol in mixed edge all; do
	for pc in mixed edge; do
		"$fi_bin" --policy "$fx/flow-inspector/policy-$pol.json" --pcap "$fx/pcap/$pc.pcap" \
			--output jsonl >"$work/ours.jsonl" 2>"$work/summary.txt"
		tap_check "policy-$pol over $pc.pcap: exit 0" test $? -eq 0
		/usr/bin/python3 "$ref" "$fx/flow-inspector/policy-$pol.json" "$fx/pcap/$pc.pcap" >"$work/ref.jsonl"
		/usr/bin/python3 "$work/cmp.py" "$work/ours.jsonl" "$work/ref.jsonl" >"$work/cmp.txt" 2>&1
		n=$(sed -n 's/^records \([0-9]*\) .*/\1/p' "$work/cmp.txt")
		tap_check "policy-$pol over $pc.pcap: fi-reference's $n records, field for field" \
			grep -qx "differ 0" "$work/cmp.txt"
		[ "$(grep -c . "$work/cmp.txt")" -gt 2 ] && cat "$work/cmp.txt" >&2
		tap_check "policy-$pol over $pc.pcap: the summary counts them" \
			test "$(sed -n 's/.*exported \([0-9]*\),.*/\1/p' "$work/summary.txt" | awk '{s += $1} END {print s + 0}')" = "$n"
		if command -v tshark >/dev/null 2>&1; then
			/usr/bin/python3 "$tshark_ref" "$fx/flow-inspector/policy-$pol.json" "$fx/pcap/$pc.pcap" >"$work/tshark.jsonl"
			/usr/bin/python3 "$work/cmp.py" "$work/ours.jsonl" "$work/tshark.jsonl" >"$work/cmp.txt" 2>&1
			n=$(sed -n 's/^records [0-9]* \([0-9]*\)$/\1/p' "$work/cmp.txt")
			tap_check "policy-$pol over $pc.pcap: tshark's $n records, field for field" \
				sh -c "grep -qx 'differ 0' '$work/cmp.txt' && test '$n' -gt 0"
			[ "$(grep -c . "$work/cmp.txt")" -gt 2 ] && cat "$work/cmp.txt" >&2
		else
			tap_skip "policy-$pol over $pc.pcap: tshark's records, field for field" "no tshark (ci/install-deps installs it)"
		fi
	done
done
# The edge capture has frames the eSwitch passes but the parser cannot use (a later fragment).
"$fi_bin" --policy "$fx/flow-inspector/policy-edge.json" --pcap "$fx/pcap/edge.pcap" --output jsonl \
	>/dev/null 2>"$work/summary.txt"
tap_check "edge.pcap: later fragments are counted as parse errors, not exported" \
	test "$(sed -n 's/.*parse errors \([0-9]*\)/\1/p' "$work/summary.txt" | awk '{s += $1} END {print s + 0}')" -ge 2

# The capture readers: a classic pcap is mapped and read in place, anything else goes
# through libpcap; the records are the same whichever reader, file format, time-stamp
# precision or byte order.
pol="$fx/flow-inspector/policy-edge.json"
"$fi_bin" --policy "$pol" --pcap "$fx/pcap/edge.pcap" --output jsonl >"$work/mapped.jsonl" 2>"$work/summary.txt"
tap_check "edge.pcap is read mapped" grep -q "(mapped reader)" "$work/summary.txt"
"$fi_bin" --libpcap --policy "$pol" --pcap "$fx/pcap/edge.pcap" --output jsonl >"$work/libpcap.jsonl" 2>"$work/summary.txt"
tap_check "--libpcap reads it through libpcap" grep -q "(libpcap reader)" "$work/summary.txt"
tap_check "both readers give the same records" cmp -s "$work/mapped.jsonl" "$work/libpcap.jsonl"
# Big-endian headers and nanosecond time stamps, written here (the same frames).
/usr/bin/python3 - "$fx/pcap/edge.pcap" "$work/swapped.pcap" "$work/nsec.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
g = struct.unpack_from("<IHHiIII", data, 0)
recs, pos = [], 24
while pos < len(data):
    h = struct.unpack_from("<IIII", data, pos)
    recs.append((h, data[pos + 16:pos + 16 + h[2]]))
    pos += 16 + h[2]
for path, order, magic, scale in ((sys.argv[2], ">", 0xa1b2c3d4, 1), (sys.argv[3], "<", 0xa1b23c4d, 1000)):
    with open(path, "wb") as f:
        f.write(struct.pack(order + "IHHiIII", magic, *g[1:]))
        for h, body in recs:
            f.write(struct.pack(order + "IIII", h[0], h[1] * scale + (scale - 1), h[2], h[3]) + body)
PY
for v in swapped nsec; do
	"$fi_bin" --policy "$pol" --pcap "$work/$v.pcap" --output jsonl >"$work/$v.jsonl" 2>"$work/summary.txt"
	tap_check "$v pcap: read mapped, the same records" \
		sh -c "grep -q '(mapped reader)' '$work/summary.txt' && cmp -s '$work/mapped.jsonl' '$work/$v.jsonl'"
done
if command -v editcap >/dev/null 2>&1; then
	editcap -F pcapng "$fx/pcap/edge.pcap" "$work/edge.pcapng"
	"$fi_bin" --policy "$pol" --pcap "$work/edge.pcapng" --output jsonl >"$work/ng.jsonl" 2>"$work/summary.txt"
	tap_check "pcapng (editcap): read through libpcap, the same records" \
		sh -c "grep -q '(libpcap reader)' '$work/summary.txt' && cmp -s '$work/mapped.jsonl' '$work/ng.jsonl'"
else
	tap_skip "pcapng (editcap): read through libpcap, the same records" "no editcap (ci/install-deps installs tshark)"
fi
# A file cut inside its last record: every whole frame before it, then an error naming the offset.
size=$(wc -c <"$fx/pcap/mixed.pcap")
head -c $((size - 20)) "$fx/pcap/mixed.pcap" >"$work/cut.pcap"
"$fi_bin" --policy "$fx/flow-inspector/policy-mixed.json" --pcap "$fx/pcap/mixed.pcap" --output jsonl >"$work/whole.jsonl" 2>/dev/null
for reader in mapped libpcap; do
	opt=""
	[ $reader = libpcap ] && opt=--libpcap
	"$fi_bin" $opt --policy "$fx/flow-inspector/policy-mixed.json" --pcap "$work/cut.pcap" --output jsonl \
		>"$work/cut.jsonl" 2>"$work/err.txt"
	rc=$?
	tap_check "cut pcap, $reader reader: exit 1" test $rc -eq 1
	whole=$(grep -c . "$work/whole.jsonl")
	tap_check "cut pcap, $reader reader: the records before the cut ($(grep -c . "$work/cut.jsonl") of $whole)" \
		sh -c "head -n $(grep -c . "$work/cut.jsonl") '$work/whole.jsonl' | cmp -s - '$work/cut.jsonl' && test $(grep -c . "$work/cut.jsonl") -ge $((whole - 1))"
	case $reader in
	mapped) want="cut.pcap: offset [0-9]*: record.* cut short" ;;
	libpcap) want="cut.pcap: after [0-9]* frames: truncated" ;;
	esac
	tap_check "cut pcap, $reader reader: the error says where" grep -q "$want" "$work/err.txt"
done

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
