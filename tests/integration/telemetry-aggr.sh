#!/bin/sh
# dpu-telemetry's prometheus_aggr: it scrapes a real node_exporter (its
# textfile collector serving a crafted file: counters, gauges, NaN and
# infinities, escaped label values, a summary, a histogram, a series with
# too many labels) and a dead endpoint. Every sample node_exporter exports
# is on dpu-telemetry's endpoint with dts_endpoint="ne" added, of the same
# type (both sides read by prometheus_client's parser); the crafted values
# are equal; the too-wide series is left out and counted; promtool accepts
# the whole page; the dead endpoint is up 0.
set -u
. "$top_srcdir/tests/tap.sh"

ne=$(command -v prometheus-node-exporter || command -v node_exporter || true)
if [ -z "$ne" ] || ! /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null; then
	tap_skip "prometheus_aggr" "needs prometheus-node-exporter and python3-prometheus-client (ci/install-deps installs them)"
	tap_done
	exit $?
fi
dts="$top_builddir/src/telemetry/dpu-telemetry"
work=$(mktemp -d)
cfg="$work/telemetry/config"
pids=""
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
nport=$(free_port)
mport=$(free_port)
dead=$(free_port)
mkdir -p "$work/tf" "$cfg"
cat >"$work/tf/crafted.prom" <<'PROM'
# HELP app_requests_total Requests served.
# TYPE app_requests_total counter
app_requests_total{path="/a",code="200"} 1027
app_requests_total{path="/b\"q\\",code="500"} 3
# TYPE app_cpu_seconds_total counter
app_cpu_seconds_total 12.5
# TYPE app_temp gauge
app_temp{sensor="x"} -3.25
app_temp{sensor="nan"} NaN
app_temp{sensor="inf"} +Inf
app_temp{sensor="ninf",note="line1\nline2"} -Inf
# TYPE app_latency_seconds histogram
app_latency_seconds_bucket{le="0.1"} 5
app_latency_seconds_bucket{le="1"} 9
app_latency_seconds_bucket{le="+Inf"} 10
app_latency_seconds_sum 3.5
app_latency_seconds_count 10
# TYPE app_size_bytes summary
app_size_bytes{quantile="0.5"} 512
app_size_bytes{quantile="0.99"} 4096
app_size_bytes_sum 123456
app_size_bytes_count 200
app_untyped 42
# TYPE app_wide gauge
app_wide{a="1",b="2",c="3",d="4",e="5",f="6",g="7",h="8"} 1
PROM
"$ne" --web.listen-address=127.0.0.1:"$nport" --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$work/tf" 2>"$work/ne.log" &
pids="$pids $!"
printf 'update=200\nprometheus=http://127.0.0.1:%s\nenable-provider=prometheus_aggr\nprometheus-aggr-endpoints=ne=http://127.0.0.1:%s/metrics,gone=http://127.0.0.1:%s/metrics\n' \
	"$mport" "$nport" "$dead" >"$cfg/dts_config.ini"
tap_wait 10 "node_exporter serves the crafted file" sh -c "curl -sf http://127.0.0.1:$nport/metrics | grep -q '^app_temp'"
"$dts" --config-dir "$cfg" --device "sim:none,run-dir=$work/nosim" 2>"$work/dts.log" &
dpid=$!
pids="$pids $dpid"
tap_wait 10 "dpu-telemetry re-exports node_exporter's samples" \
	sh -c "curl -sf http://127.0.0.1:$mport/metrics | grep -q '^app_temp{note=\"\",sensor=\"x\",dts_endpoint=\"ne\"} -3.25'"
curl -sf "http://127.0.0.1:$nport/metrics" >"$work/ne.txt"
curl -sf "http://127.0.0.1:$mport/metrics" >"$work/ours.txt"
/usr/bin/python3 - "$work/ne.txt" "$work/ours.txt" >"$work/cmp.txt" 2>&1 <<'PY'
import math, sys
from prometheus_client.parser import text_string_to_metric_families as parse

def samples(path, endpoint=None):
    out = {}
    for fam in parse(open(path).read()):
        for s in fam.samples:
            labels = dict(s.labels)
            if endpoint is not None:
                if labels.pop("dts_endpoint", None) != endpoint:
                    continue
            out[(s.name, tuple(sorted(labels.items())))] = (fam.type, s.value)
    return out

ne, ours = samples(sys.argv[1]), samples(sys.argv[2], "ne")
ours = {k: v for k, v in ours.items() if not k[0].startswith("dts_prom_aggr_")}
wide = [k for k in ne if len(k[1]) >= 8]
want = {k: v for k, v in ne.items() if k not in wide}
missing = [k for k in want if k not in ours]
extra = [k for k in ours if k not in want]
types = [(k, want[k][0], ours[k][0]) for k in want if k in ours and want[k][0] != ours[k][0]]
def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b
values = [(k, want[k][1], ours[k][1]) for k in want
          if k in ours and (k[0].startswith("app_") or k[0].startswith("node_textfile")) and not same(want[k][1], ours[k][1])]
crafted = len([k for k in want if k[0].startswith("app_")])
print(f"samples {len(want)} crafted {crafted} wide {len(wide)} missing {len(missing)} extra {len(extra)} types {len(types)} values {len(values)}")
for x in (missing[:3], extra[:3], types[:3], values[:3]):
    for y in x:
        print(" ", y)
PY
tap_check "every node_exporter sample, of its type, the crafted values equal ($(head -1 "$work/cmp.txt"))" \
	grep -q "crafted 17 wide 1 missing 0 extra 0 types 0 values 0" "$work/cmp.txt"
[ "$(grep -c . "$work/cmp.txt")" -gt 1 ] && cat "$work/cmp.txt" >&2
tap_check "the series with too many labels is left out and counted" \
	grep -qx 'dts_prom_aggr_skipped_samples{dts_endpoint="ne"} 1' "$work/ours.txt"
# A cycle whose scrape of node_exporter ran past its timeout (the update
# period, 200 ms here) says up 0 for it once: wait for a cycle that did not.
tap_wait 5 "the dead endpoint: up 0, the live one up 1" \
	sh -c "curl -sf http://127.0.0.1:$mport/metrics >'$work/up.txt' && grep -qx 'dts_prom_aggr_up{dts_endpoint=\"gone\"} 0' '$work/up.txt' && grep -qx 'dts_prom_aggr_up{dts_endpoint=\"ne\"} 1' '$work/up.txt'"
if command -v promtool >/dev/null 2>&1; then
	tap_check "promtool check metrics accepts the page" sh -c "promtool check metrics <'$work/ours.txt'"
else
	tap_skip "promtool check metrics accepts the page" "no promtool (ci/install-deps installs prometheus)"
fi
# A value changes at the source: the next scrape carries it.
sed -i 's/^app_untyped 42$/app_untyped 43/' "$work/tf/crafted.prom"
tap_wait 5 "a changed value at the source comes through" \
	sh -c "curl -sf http://127.0.0.1:$mport/metrics | grep -qx 'app_untyped{dts_endpoint=\"ne\"} 43'"
# A bad endpoint list is refused with its line; the running one stays.
printf 'prometheus-aggr-endpoints=ftp://x\n' >>"$cfg/dts_config.ini"
kill -HUP "$dpid"
tap_wait 5 "a bad endpoint is refused, naming the line" grep -q "dts_config.ini:5: prometheus-aggr-endpoints: 'ftp://x'" "$work/dts.log"
kill "$dpid"
wait "$dpid"
tap_check "dpu-telemetry stops cleanly" test $? -eq 0
tap_done
