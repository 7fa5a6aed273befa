#!/bin/sh
# The exporter's NetFlow API against a real collector: nfcapd (nfdump's
# collector) receives the NetFlow v9 and the IPFIX export of
# tests/helpers/nf-client, and nfdump prints back exactly the records sent;
# tshark's NetFlow/IPFIX dissector decodes the same datagrams to the same flows.
set -u
. "$top_srcdir/tests/tap.sh"

if ! command -v nfcapd >/dev/null || ! command -v nfdump >/dev/null; then
	tap_skip "NetFlow export" "nfdump is not installed (ci/install-deps installs it)"
	tap_done
	exit 0
fi
client="$top_builddir/tests/helpers/nf-client"
work=$(mktemp -d)
npid=""
cleanup() {
	[ -n "$npid" ] && kill -9 "$npid" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

free_udp_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

for version in 9 10; do
	name=$([ $version = 9 ] && echo "NetFlow v9" || echo "IPFIX")
	dir="$work/v$version"
	mkdir -p "$dir"
	port=$(free_udp_port)
	nfcapd -b 127.0.0.1 -p "$port" -w "$dir" -t 3600 >"$work/nfcapd-$version.log" 2>&1 &
	npid=$!
	tap_wait 5 "$name: nfcapd listens" grep -q "Bound to IPv4" "$work/nfcapd-$version.log"
	"$client" --port "$port" --count 1000 --version "$version" >"$work/client-$version.log" 2>&1
	tap_check "$name: the client sent 1000 records" test $? -eq 0
	sleep 1
	kill -TERM "$npid"
	wait "$npid"
	npid=""
	nfdump -R "$dir" -N -o csv >"$work/flows-$version.csv" 2>"$work/nfdump-$version.log"
	# Compare with what nf-client sends (its header says), independently.
	/usr/bin/python3 - "$work/flows-$version.csv" >"$work/check-$version.txt" 2>&1 <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
# nfdump's csv: a header line, one line per flow, then a summary.
head = rows[0]
flows = [dict(zip(head, r)) for r in rows[1:] if len(r) == len(head) and r[0][:1].isdigit()]
print("flows", len(flows))
want = {}
for i in range(1000):
    src = "10.0.%d.%d" % (i // 250, i % 250 + 1)
    want[(src, str(10000 + i))] = (str(53 if i % 2 else 80), str(17 if i % 2 else 6), i + 1, 100 * (i + 1))
ok = 0
for f in flows:
    w = want.get((f["sa"], f["sp"]))
    if w and f["da"] == "192.168.1.1" and f["dp"] == w[0] and f["pr"] in (w[1], "TCP" if w[1] == "6" else "UDP") \
       and int(f["ipkt"]) == w[2] and int(f["ibyt"]) == w[3]:
        ok += 1
print("matching", ok)
print("packets", sum(int(f["ipkt"]) for f in flows))
PY
	tap_check "$name: nfdump prints 1000 flows" grep -qx "flows 1000" "$work/check-$version.txt"
	tap_check "$name: each one is a record sent, field for field" grep -qx "matching 1000" "$work/check-$version.txt"
	tap_check "$name: packets add up (500500)" grep -qx "packets 500500" "$work/check-$version.txt"
	tap_check "$name: nfcapd saw no sequence error" \
		grep -q "Flows: 1000, Packets: 500500, .*Sequence Errors: 0, Bad Packets: 0" "$work/nfcapd-$version.log"
	# tshark's dissector, a second decoder: the datagrams as they were sent.
	if ! command -v tshark >/dev/null 2>&1; then
		tap_skip "$name: tshark decodes the 1000 flows" "no tshark (ci/install-deps installs it)"
		continue
	fi
	port=$(free_udp_port)
	/usr/bin/python3 "$top_srcdir/tests/helpers/udp-capture.py" "$port" "$work/nf-$version.pcap" 3 &
	cpid=$!
	sleep 0.5
	"$client" --port "$port" --count 1000 --version "$version" >/dev/null 2>&1
	wait "$cpid"
	tshark -n -r "$work/nf-$version.pcap" -d "udp.port==$port,cflow" -T fields -E occurrence=a \
		-E aggregator=';' -e cflow.srcaddr -e cflow.srcport -e cflow.dstaddr -e cflow.dstport \
		-e cflow.protocol -e cflow.packets -e cflow.octets >"$work/tshark-$version.txt" 2>/dev/null
	/usr/bin/python3 - "$work/tshark-$version.txt" >"$work/tcheck-$version.txt" 2>&1 <<'PY'
import sys
flows = []
for line in open(sys.argv[1]):
    cols = [c.split(";") for c in line.rstrip("\n").split("\t")]
    if len(cols) == 7 and cols[0] != [""]:
        flows += list(zip(*cols))
want = {("10.0.%d.%d" % (i // 250, i % 250 + 1), str(10000 + i)):
        ("192.168.1.1", str(53 if i % 2 else 80), str(17 if i % 2 else 6), str(i + 1), str(100 * (i + 1)))
        for i in range(1000)}
ok = sum(1 for f in flows if want.get((f[0], f[1])) == f[2:])
print("flows", len(flows), "matching", ok)
PY
	tap_check "$name: tshark decodes the 1000 flows, field for field ($(cat "$work/tcheck-$version.txt"))" \
		grep -qx "flows 1000 matching 1000" "$work/tcheck-$version.txt"
done
tap_done
