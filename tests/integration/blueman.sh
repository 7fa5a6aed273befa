#!/bin/sh
# dpu-blueman's API over HTTPS against the simulated BlueField and a running
# dpu-telemetry: every call needs a session (401), bad JSON is a 400 naming
# the offset, the cookie is HttpOnly, Secure and SameSite=Strict, the
# self-signed certificate verifies for localhost, the overview shows the
# device's serial, the telemetry shows p0's packets while a capture replays,
# path traversal is refused, sessions end (logout, idle expiry), failed
# logins are rate limited, plain HTTP only when asked for.
set -u
. "$top_srcdir/tests/tap.sh"

simd="$top_builddir/sim/simd/dpu-simd"
if [ ! -x "$simd" ]; then
	tap_skip "blueman" "dpu-simd is not built (it needs DPDK)"
	tap_done
	exit $?
fi
bm="$top_builddir/src/blueman/dpu-blueman"
dts="$top_builddir/src/telemetry/dpu-telemetry"
ctl="$top_builddir/sim/simd/dpu-simctl"
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
"$dts" --config-dir "$work/dts/config" --device "sim:bf3-0,run-dir=$sd" 2>"$work/dts.log" &
pids="$pids $!"

# A credentials file with a SHA-512 crypt(3) hash.
hash=$(/usr/bin/python3 -W ignore -c 'import crypt; print(crypt.crypt("s3cret-pw", crypt.mksalt(crypt.METHOD_SHA512)))')
printf '# test users\nops:%s\n' "$hash" >"$work/creds"
port=$(free_port)
base="https://localhost:$port"
"$bm" --device "sim:bf3-0,run-dir=$sd" --listen "127.0.0.1:$port" --credentials "$work/creds" \
	--telemetry "http://127.0.0.1:$dport/metrics" --www "$top_srcdir/src/blueman/www" \
	--telemetry-sockets "$work/dts/ipc_sockets" --session-idle 3 2>"$work/bm.log" &
bm_pid=$!
pids="$pids $bm_pid"
cert="$work/run/blueman/cert.pem"
tap_wait 10 "dpu-blueman up with a self-signed certificate made at first start" \
	sh -c "test -s '$cert' && curl -s --cacert '$cert' -o /dev/null '$base/'"
tap_check "the key is readable by its owner only" \
	sh -c "test \"\$(stat -c %a '$work/run/blueman/key.pem')\" = 600"

# c [CURL ARGS...]: curl that verifies the certificate; prints the status then the body.
c() {
	curl -s --cacert "$cert" -w '\n%{http_code}' "$@"
}
status() { c -o /dev/null "$@" | tail -1; }

for p in session overview health telemetry; do
	tap_check "GET /api/v1/$p without a session: 401" test "$(status "$base/api/v1/$p")" = 401
done
c "$base/api/v1/overview" >"$work/401.out"
tap_check "the 401 says why, in JSON" grep -q '"error":"login required"' "$work/401.out"
c -H 'Content-Type: application/json' -d '{"user": "ops", "password": ' "$base/api/v1/login" >"$work/bad.out"
tap_check "bad JSON: 400 naming the offset" \
	sh -c "tail -1 '$work/bad.out' | grep -qx 400 && grep -q 'body: JSON at offset' '$work/bad.out'"
c -H 'Content-Type: application/json' -d '{"user": 5}' "$base/api/v1/login" >"$work/bad2.out"
tap_check "a login body of the wrong shape: 400" \
	sh -c "tail -1 '$work/bad2.out' | grep -qx 400 && grep -q 'expected {' '$work/bad2.out'"
head -c 5000 /dev/zero | tr '\0' 'x' >"$work/big"
tap_check "a body over 4 KiB: 413" test "$(status --data-binary @"$work/big" "$base/api/v1/login")" = 413
tap_check "a wrong password: 401" \
	test "$(status -d '{"user":"ops","password":"nope"}' "$base/api/v1/login")" = 401

c -D "$work/hdr" -c "$work/jar" -d '{"user":"ops","password":"s3cret-pw"}' "$base/api/v1/login" >"$work/login.out"
tap_check "login: 200 with the user" \
	sh -c "tail -1 '$work/login.out' | grep -qx 200 && grep -q '\"user\":\"ops\"' '$work/login.out'"
tap_check "the session cookie is HttpOnly, Secure, SameSite=Strict" \
	grep -Eiq '^set-cookie: bm_session=[0-9a-f]{64}; Path=/; HttpOnly; Secure; SameSite=Strict' "$work/hdr"
c -b "$work/jar" "$base/api/v1/overview" >"$work/ov.out"
serial=$(sed -n 's/^ *serial: *"\{0,1\}\([^"]*\)"\{0,1\}.*/\1/p' "$top_srcdir/fixtures/devices/bf3.yaml" | head -1)
tap_check "overview: the device's serial ($serial) and model" \
	sh -c "grep -q '\"serial\":\"$serial\"' '$work/ov.out' && grep -q '\"model\":\"BlueField-3' '$work/ov.out'"
tap_check "overview: ports with link state" grep -q '"name":"p0","kind":"uplink"' "$work/ov.out"
sleep 0.6 # a second overview (the first is kept 0.5 s) gives a CPU share over that time
c -b "$work/jar" "$base/api/v1/overview" >"$work/ov2.out"
tap_check "overview: CPU busy share, memory and disk" /usr/bin/python3 -c "
import json, sys
h = json.loads(open(sys.argv[1]).read().rsplit('\n', 1)[0])['host']
sys.exit(not (0 <= h['cpu_busy_pct'] <= 100 and h['mem_total_kb'] > h['mem_available_kb'] > 0 and h['disk_total_bytes'] > 0))" "$work/ov2.out"
c -b "$work/jar" "$base/api/v1/health" >"$work/health.out"
tap_check "health: sensors with thresholds and dpu-telemetry up" \
	sh -c "grep -q '\"kind\":\"temperature\"' '$work/health.out' && grep -q '\"name\":\"dpu-telemetry\",\"state\":\"up\"' '$work/health.out'"

# Telemetry: p0's packets while a capture replays.
"$ctl" --run-dir "$sd" replay "$top_srcdir/fixtures/pcap/mixed.pcap" --port p0 --top-speed >/dev/null
cat >"$work/rx.py" <<'PY'
import json, sys
d = json.load(sys.stdin)
print(int(sum(s["value"] for s in d["series"] if s["labels"].get("device") == "p0")))
PY
tap_wait 10 "telemetry: p0's received packets (1000), as dpu-telemetry exports them" \
	sh -c "test \"\$(curl -s --cacert '$cert' -b '$work/jar' '$base/api/v1/telemetry?prefix=dts_eth_rx_packets_total' | /usr/bin/python3 '$work/rx.py')\" -eq 1000"

tap_wait 10 "health: BlueMan itself is a source reporting to dpu-telemetry" \
	sh -c "curl -s --cacert '$cert' -b '$work/jar' '$base/api/v1/health' | grep -q '\"name\":\"blueman\",\"state\":\"reporting\"'"

# Static files and path traversal.
c "$base/" >"$work/index.out"
tap_check "GET / is the page" grep -q "<title>BlueMan</title>" "$work/index.out"
curl -s --cacert "$cert" -D "$work/index.hdr" -o /dev/null "$base/"
tap_check "with a Content-Security-Policy and nosniff" \
	sh -c "grep -qi '^content-security-policy: default-src' '$work/index.hdr' && grep -qi '^x-content-type-options: nosniff' '$work/index.hdr'"
for u in "/../../etc/passwd" "/%2e%2e/%2e%2e/etc/passwd" "/..%2f..%2fetc%2fpasswd" "/app.js/../../../etc/passwd" "/.htaccess"; do
	c --path-as-is "$base$u" >"$work/trav.out"
	tap_check "path traversal refused: $u" \
		sh -c "! grep -q 'root:' '$work/trav.out' && tail -1 '$work/trav.out' | grep -Eqx '400|404'"
done

# Sessions end: idle expiry (3 s here), logout.
sleep 4
tap_check "an idle session expires (--session-idle 3): 401" \
	test "$(status -b "$work/jar" "$base/api/v1/session")" = 401
c -c "$work/jar" -d '{"user":"ops","password":"s3cret-pw"}' "$base/api/v1/login" >/dev/null
tap_check "a new login works" test "$(status -b "$work/jar" "$base/api/v1/session")" = 200
tap_check "logout: 200" test "$(status -b "$work/jar" -X POST "$base/api/v1/logout")" = 200
tap_check "after logout the session is gone: 401" \
	test "$(status -b "$work/jar" "$base/api/v1/session")" = 401

# SIGHUP rereads the credentials: a bad file keeps the users in force, a
# good one brings its users.
cp "$work/creds" "$work/creds.good"
printf 'ops:plaintext\n' >"$work/creds"
kill -HUP "$bm_pid"
tap_wait 5 "reload: a bad credentials file is refused, naming file and line" \
	grep -q "creds:1: ops: not a crypt(3)" "$work/bm.log"
tap_check "reload: the users in force still log in" \
	test "$(status -d '{"user":"ops","password":"s3cret-pw"}' "$base/api/v1/login")" = 200
hash2=$(/usr/bin/python3 -W ignore -c 'import crypt; print(crypt.crypt("other-pw", crypt.mksalt(crypt.METHOD_SHA512)))')
printf 'viewer:%s\n' "$hash2" >"$work/creds"
kill -HUP "$bm_pid"
tap_wait 5 "reload: a good file brings its users" \
	sh -c "test \"\$(curl -s --cacert '$cert' -o /dev/null -w '%{http_code}' -d '{\"user\":\"viewer\",\"password\":\"other-pw\"}' '$base/api/v1/login')\" = 200"
tap_check "reload: users no longer in the file are gone" \
	test "$(status -d '{"user":"ops","password":"s3cret-pw"}' "$base/api/v1/login")" = 401
cp "$work/creds.good" "$work/creds"
kill -HUP "$bm_pid"
tap_wait 5 "reload: back to the first users" \
	sh -c "grep -c 'reload: 1 user' '$work/bm.log' | grep -qx 2"

# Failed logins are rate limited (5 a minute per address).
for i in 1 2 3 4 5; do
	status -d '{"user":"ops","password":"wrong"}' "$base/api/v1/login" >/dev/null
done
c -d '{"user":"ops","password":"s3cret-pw"}' "$base/api/v1/login" >"$work/rl.out"
tap_check "after 5 failures even the right password gets 429, saying when to retry" \
	sh -c "tail -1 '$work/rl.out' | grep -qx 429 && grep -q 'try again in' '$work/rl.out'"

# Its own counters, reported to dpu-telemetry.
metric() { curl -s "http://127.0.0.1:$dport/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
tap_wait 5 "DTS: BlueMan's refused logins (rate limited) counted" \
	sh -c "test \"\$(curl -s http://127.0.0.1:$dport/metrics | awk '\$1 == \"blueman_http_logins_refused{source=\\\"blueman\\\"}\" { print \$2 }')\" -ge 1"
tap_check "DTS: BlueMan's good and failed logins, its requests" \
	sh -c "test \"$(metric 'blueman_http_logins_ok{source="blueman"}')\" -ge 3 && test \"$(metric 'blueman_http_logins_failed{source="blueman"}')\" -ge 6 && test \"$(metric 'blueman_http_requests{source="blueman"}')\" -ge 20"

kill -TERM "$bm_pid"
wait "$bm_pid"
tap_check "SIGTERM: exit 0" test $? -eq 0
tap_check "SIGTERM: the pid file is removed" test ! -e "$work/run/blueman/dpu-blueman.pid"

# Plain HTTP only when asked for; the cookie then is not Secure.
port2=$(free_port)
"$bm" --device "sim:bf3-0,run-dir=$sd" --listen "127.0.0.1:$port2" --credentials "$work/creds" \
	--www "$top_srcdir/src/blueman/www" --insecure-http 2>"$work/bm2.log" &
pids="$pids $!"
tap_wait 10 "--insecure-http serves plain HTTP" curl -sf -o /dev/null "http://127.0.0.1:$port2/"
curl -s -D "$work/hdr2" -o /dev/null -d '{"user":"ops","password":"s3cret-pw"}' "http://127.0.0.1:$port2/api/v1/login"
tap_check "without TLS the cookie is not marked Secure" \
	sh -c "grep -qi '^set-cookie: bm_session=' '$work/hdr2' && ! grep -qi 'Secure' '$work/hdr2'"
# PAM: a real PAM stack (in a folder of its own) whose pam_exec module
# checks the password the conversation hands it.
mkdir -p "$work/pam.d"
cat >"$work/check-pw.sh" <<'PW'
#!/bin/sh
pw=$(tr -d '\000')
[ "$PAM_USER" = "dpuops" ] && [ "$pw" = "pam-pw" ]
PW
chmod 755 "$work/check-pw.sh"
printf 'auth required pam_exec.so expose_authtok quiet %s\naccount required pam_permit.so\n' \
	"$work/check-pw.sh" >"$work/pam.d/dpu-blueman-test"
port3=$(free_port)
DPU_RUN_DIR="$work/run3" "$bm" --device "sim:bf3-0,run-dir=$sd" --listen "127.0.0.1:$port3" \
	--pam dpu-blueman-test \
	--pam-confdir "$work/pam.d" --www "$top_srcdir/src/blueman/www" --insecure-http 2>"$work/bm3.log" &
pids="$pids $!"
tap_wait 10 "with --pam it serves" curl -sf -o /dev/null "http://127.0.0.1:$port3/"
tap_check "PAM: the right password logs in" test "$(curl -s -o /dev/null -w '%{http_code}' \
	-d '{"user":"dpuops","password":"pam-pw"}' "http://127.0.0.1:$port3/api/v1/login")" = 200
tap_check "PAM: a wrong password is refused" test "$(curl -s -o /dev/null -w '%{http_code}' \
	-d '{"user":"dpuops","password":"nope"}' "http://127.0.0.1:$port3/api/v1/login")" = 401
tap_check "PAM: an unknown user is refused" test "$(curl -s -o /dev/null -w '%{http_code}' \
	-d '{"user":"root","password":"pam-pw"}' "http://127.0.0.1:$port3/api/v1/login")" = 401

printf 'ops:plaintext\n' >"$work/badcreds"
"$bm" --credentials "$work/badcreds" --insecure-http --listen 127.0.0.1:1 >"$work/bad.log" 2>&1
tap_check "a credentials file without a crypt hash is refused, naming file and line" \
	grep -q "badcreds:1: ops: not a crypt(3)" "$work/bad.log"
tap_done
