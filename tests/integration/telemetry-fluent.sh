#!/bin/sh
# fluent_aggr: a real Fluent forward client (fluent-logger-python, Message
# mode) and hand-built Forward and PackedForward messages with a chunk
# option (acknowledged) reach dpu-telemetry, and the records' values appear
# on its Prometheus endpoint; malformed input closes the connection, is
# counted, and the service goes on.
set -u
. "$top_srcdir/tests/tap.sh"

if ! /usr/bin/python3 -c 'import fluent.sender, msgpack' 2>/dev/null; then
	tap_skip "fluent_aggr" "python3-fluent-logger and python3-msgpack are not installed (ci/install-deps installs them)"
	tap_done
	exit 0
fi
dts="$top_builddir/src/telemetry/dpu-telemetry"
work=$(mktemp -d)
cfgdir="$work/telemetry/config"
dpid=""
cleanup() {
	[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
fport=$(free_port)
url="http://127.0.0.1:$port/metrics"
mkdir -p "$cfgdir"
cat >"$cfgdir/dts_config.ini" <<EOF2
update=100
prometheus=http://127.0.0.1:$port
enable-provider=fluent_aggr
fluent-aggr-listen=127.0.0.1:$fport
EOF2
"$dts" --config-dir "$cfgdir" --device "sim:none,run-dir=$work/nosim" 2>"$work/dts.log" &
dpid=$!
tap_wait 5 "fluent_aggr listens" sh -c "grep -q 'Fluent forward on 127.0.0.1:$fport' '$work/dts.log'"

# A real client: fluent-logger-python, Message mode.
/usr/bin/python3 - "$fport" >"$work/logger.out" 2>&1 <<'PY'
import sys
from fluent import sender
s = sender.FluentSender("app", host="127.0.0.1", port=int(sys.argv[1]))
for i in range(100):
    ok = s.emit("web", {"host": "h%d" % (i % 2), "latency": 10.5 + i, "requests": i})
    if not ok:
        print("emit failed:", s.last_error)
s.close()
print("sent 100")
PY
tap_check "fluent-logger sent 100 events" grep -qx "sent 100" "$work/logger.out"
tap_wait 5 "its records counted: 100 for tag app.web" \
	sh -c "curl -sf '$url' | grep -qx 'dts_fluent_records_total{tag=\"app.web\"} 100'"
curl -sf "$url" >"$work/m1.txt"
tap_check "last values per host: h0 latency 108.5, h1 requests 99" \
	sh -c "grep -qx 'app_web_latency{tag=\"app.web\",host=\"h0\"} 108.5' '$work/m1.txt' &&
	       grep -qx 'app_web_requests{tag=\"app.web\",host=\"h1\"} 99' '$work/m1.txt'"
tap_check "promtool accepts the exposition" sh -c "promtool check metrics <'$work/m1.txt' >/dev/null 2>&1"

# Forward and PackedForward modes, with EventTime, each asking for an ack.
/usr/bin/python3 - "$fport" >"$work/modes.out" 2>&1 <<'PY'
import msgpack, socket, struct, sys, time
def event_time():
    t = time.time()
    return msgpack.ExtType(0, struct.pack(">II", int(t), int((t % 1) * 1e9)))
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(3)
up = msgpack.Unpacker(raw=False)
def ack(chunk):
    while True:
        for o in up:
            return o == {"ack": chunk}
        up.feed(s.recv(4096))
fwd = ["db.pool", [[event_time(), {"pool": "main", "used": 7}], [int(time.time()), {"pool": "main", "used": 9}]],
       {"chunk": "c1", "size": 2}]
s.sendall(msgpack.packb(fwd, use_bin_type=True))
print("forward ack", ack("c1"))
entries = b"".join(msgpack.packb([event_time(), {"pool": "aux", "used": n}]) for n in range(5))
s.sendall(msgpack.packb(["db.pool", entries, {"chunk": "c2", "size": 5}], use_bin_type=True))
print("packed ack", ack("c2"))
PY
tap_check "Forward mode acknowledged" grep -qx "forward ack True" "$work/modes.out"
tap_check "PackedForward mode acknowledged" grep -qx "packed ack True" "$work/modes.out"
tap_wait 5 "Forward and PackedForward records: 7 for db.pool, last values kept" \
	sh -c "curl -sf '$url' | grep -qx 'dts_fluent_records_total{tag=\"db.pool\"} 7' &&
	       curl -sf '$url' | grep -qx 'db_pool_used{tag=\"db.pool\",pool=\"main\"} 9' &&
	       curl -sf '$url' | grep -qx 'db_pool_used{tag=\"db.pool\",pool=\"aux\"} 4'"

# Bad input: not msgpack; not an event; gzip-compressed packed entries.
/usr/bin/python3 - "$fport" >"$work/bad.out" 2>&1 <<'PY'
import msgpack, socket, sys
for m in [b"\xc1\xc1\xc1", msgpack.packb({"a": 1}),
          msgpack.packb(["t", b"\x1f\x8b...", {"compressed": "gzip"}], use_bin_type=True)]:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.settimeout(3)
    s.sendall(m)
    print("closed" if s.recv(16) == b"" else "open")
PY
tap_check "each malformed message closes its connection" test "$(grep -c closed "$work/bad.out")" = 3
tap_wait 5 "and is counted: dts_fluent_bad_messages_total 3" \
	sh -c "curl -sf '$url' | grep -qx 'dts_fluent_bad_messages_total 3'"
tap_check "the log says why (gzip)" grep -q "CompressedPackedForward (gzip) is not supported" "$work/dts.log"
kill -TERM "$dpid"
wait "$dpid"
tap_check "clean exit" test $? -eq 0
dpid=""
tap_done
