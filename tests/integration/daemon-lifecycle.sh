#!/bin/sh
# The daemon pattern of src/common end to end, on tests/helpers/sampled:
# config errors name the line, pid file refuses a second instance, SIGHUP
# reloads (and keeps the old config when the new file is bad), SIGTERM
# exits cleanly and removes the pid file.
set -u
. "$top_srcdir/tests/tap.sh"

bin="$top_builddir/tests/helpers/sampled"
work=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

printf 'interval-ms = 50\nmessage = first\n' >"$work/good.ini"
printf 'message = x\ninterval-ms = soon\n' >"$work/bad.ini"

# A bad config at start: exit 2 and an error naming file, line and key.
"$bin" --config "$work/bad.ini" --run-dir "$work/run" 2>"$work/bad.log"
rc=$?
tap_check "bad config at start exits 2" test "$rc" -eq 2
tap_check "error names file:line and key" \
	grep -q "bad.ini:2: interval-ms: 'soon': expected a non-negative integer" "$work/bad.log"
tap_check "no pid file left by a failed start" test ! -e "$work/run/sampled.pid"

"$bin" -l 99 --config "$work/good.ini" 2>"$work/lvl.log"
tap_check "-l 99 rejected with exit 2" test $? -eq 2
tap_check "-l error lists the levels" grep -q "10=DISABLE" "$work/lvl.log"
"$bin" --help >"$work/help.txt"
tap_check "--help documents -l/--log-level" grep -q -- "--log-level" "$work/help.txt"

# Start for real.
"$bin" --config "$work/good.ini" --run-dir "$work/run" -l 60 2>"$work/d.log" &
pid=$!
tap_wait 5 "pid file written with the daemon's pid" grep -qx "$pid" "$work/run/sampled.pid"
tap_wait 5 "ticks with the configured message" grep -q "tick .*: first" "$work/d.log"

"$bin" --config "$work/good.ini" --run-dir "$work/run" 2>"$work/second.log"
tap_check "second instance refused (exit 1)" test $? -eq 1
tap_check "refusal names the running pid" grep -q "already running (pid $pid)" "$work/second.log"

printf 'interval-ms = 40\nmessage = second\n' >"$work/good.ini"
kill -HUP "$pid"
tap_wait 5 "SIGHUP applies the new config" grep -q "tick .*: second" "$work/d.log"

printf 'interval-ms = 40\nmessage = third\nbogus\n' >"$work/good.ini"
kill -HUP "$pid"
tap_wait 5 "bad reload names the line" grep -q "good.ini:3: syntax error" "$work/d.log"
tap_check "bad reload keeps the running config" grep -q "keeping the running configuration" "$work/d.log"
n=$(grep -c "tick .*: second" "$work/d.log")
tap_wait 5 "ticks go on with the old message" \
	sh -c "[ \$(grep -c 'tick .*: second' '$work/d.log') -gt $n ]"
tap_check "nothing of the bad file applied" sh -c "! grep -q 'tick .*: third' '$work/d.log'"

kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
wait "$pid"
rc=$?
pid=""
tap_check "SIGTERM: exit status 0" test "$rc" -eq 0
tap_check "SIGTERM: pid file removed" test ! -e "$work/run/sampled.pid"
tap_check "SIGTERM: logged the stop" grep -q "stopped after" "$work/d.log"
tap_sanitizers_quiet "$work/d.log"
tap_done
