# TAP helpers for shell tests (sourced). Each check prints "ok N - name" or
# "not ok N - name" plus diagnostics; tap_done prints the plan.
#
#   . "$top_srcdir/tests/tap.sh"
#   tap_check "daemon starts" test -s "$pidfile"
#   tap_wait 5 "log shows tick" grep -q tick "$log"
#   tap_done

TAP_N=0
TAP_FAILED=0

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

tap_not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"
	shift
	for line in "$@"; do
		echo "# $line"
	done
}

# tap_check NAME COMMAND...: passes when COMMAND succeeds.
tap_check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "failed: $*"
	fi
}

# tap_wait SECONDS NAME COMMAND...: passes when COMMAND succeeds within SECONDS.
tap_wait() {
	local secs=$1 name=$2
	shift 2
	local end=$(($(date +%s%N) / 1000000 + secs * 1000))
	while [ $(($(date +%s%N) / 1000000)) -lt $end ]; do
		if "$@" >/dev/null 2>&1; then
			tap_ok "$name"
			return 0
		fi
		sleep 0.05
	done
	tap_not_ok "$name" "not true within ${secs}s: $*"
	return 1
}

# tap_skip NAME REASON
tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# tap_sanitizers_quiet LOG: no sanitizer's report in a daemon's log.
tap_sanitizers_quiet() {
	if grep -q "runtime error\|AddressSanitizer\|LeakSanitizer\|ThreadSanitizer" "$1"; then
		tap_not_ok "sanitizers quiet" "$(grep -m3 'runtime error\|Sanitizer' "$1")"
	else
		tap_ok "sanitizers quiet"
	fi
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
