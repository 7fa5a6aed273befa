# shellcheck shell=bash
# The scenario language: a scenario is scenarios/<name>/scenario.sh, a bash
# file written with the verbs below, which scenarios/run sources. Every
# namespace, link and daemon a scenario makes is undone at teardown, also
# when it fails half-way; every check is recorded with its values.
#
#   scenario "title"                      what it shows (first line of the report)
#   needs CMD...                          skip the scenario unless every CMD exists
#   needs_root                            skip unless root
#   ns NAME                               a network namespace (really $SC_PREFIX-NAME)
#   link NS1:IF1[=ADDR/LEN] NS2:IF2[=ADDR/LEN]   a veth pair between two namespaces
#   at NS CMD...                          run CMD in namespace NS
#   daemon NAME [--ns NS] -- CMD...       start CMD in the background, log in results
#   stop NAME                             SIGTERM a daemon and wait for it
#   wait_until SECS "what" CMD...         wait for CMD to succeed (a check when it times out)
#   check "name" CMD...                   CMD must succeed
#   check_eq "name" ACTUAL EXPECTED       equal strings
#   check_range "name" VALUE MIN MAX      MIN <= VALUE <= MAX (numbers)
#   expect SECS "name" EXPECTED CMD...    CMD's output becomes EXPECTED within SECS
#   vm NAME=SCRIPT [NAME=SCRIPT ...]      run scripts in QEMU guests (sim/vm/dpu-vm); the
#                                         scripts use this same language for their checks
#
# Inside a scenario: $SC_DIR (its folder), $SC_RESULTS (its results folder),
# $SC_TOP (the source tree), $SC_BUILD (the build tree).

SC_CHECKS=${SC_CHECKS:-$SC_RESULTS/checks.tsv}
sc_daemons=()
sc_daemon_names=()
sc_namespaces=()

# A check's record: STATUS <tab> name <tab> detail.
sc_record() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" | tr -d '\r' >>"$SC_CHECKS"
}

scenario() {
	echo "$1" >"$SC_RESULTS/title"
}

needs() {
	local c
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			sc_record SKIP "needs $c" "$c is not installed (ci/install-deps installs it)"
			exit 0
		fi
	done
}

needs_root() {
	if [ "$(id -u)" -ne 0 ]; then
		sc_record SKIP "needs root" "network namespaces and daemons need root"
		exit 0
	fi
}

ns() {
	local n="$SC_PREFIX-$1"
	ip netns add "$n" || { sc_record FAIL "namespace $1" "ip netns add $n failed"; exit 1; }
	sc_namespaces+=("$n")
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
	ip -n "$n" link set lo up
}

at() {
	local n="$SC_PREFIX-$1"
	shift
	ip netns exec "$n" "$@"
}

# link NS1:IF1[=ADDR] NS2:IF2[=ADDR]
link() {
	local a=$1 b=$2 tmp="scv$$x${#sc_namespaces[@]}"
	local ns1=${a%%:*} if1=${a#*:} ns2=${b%%:*} if2=${b#*:}
	local ad1="" ad2=""
	case "$if1" in *=*) ad1=${if1#*=}; if1=${if1%%=*} ;; esac
	case "$if2" in *=*) ad2=${if2#*=}; if2=${if2%%=*} ;; esac
	ip link add "${tmp}a" type veth peer name "${tmp}b" || {
		sc_record FAIL "link $a $b" "ip link add failed"
		exit 1
	}
	ip link set "${tmp}a" netns "$SC_PREFIX-$ns1"
	ip link set "${tmp}b" netns "$SC_PREFIX-$ns2"
	ip -n "$SC_PREFIX-$ns1" link set "${tmp}a" name "$if1"
	ip -n "$SC_PREFIX-$ns2" link set "${tmp}b" name "$if2"
	[ -n "$ad1" ] && ip -n "$SC_PREFIX-$ns1" addr add "$ad1" dev "$if1"
	[ -n "$ad2" ] && ip -n "$SC_PREFIX-$ns2" addr add "$ad2" dev "$if2"
	ip -n "$SC_PREFIX-$ns1" link set "$if1" up
	ip -n "$SC_PREFIX-$ns2" link set "$if2" up
}

# daemon NAME [--ns NS] -- CMD...
daemon() {
	local name=$1 where=""
	shift
	if [ "$1" = "--ns" ]; then
		where="$SC_PREFIX-$2"
		shift 2
	fi
	[ "$1" = "--" ] && shift
	if [ -n "$where" ]; then
		ip netns exec "$where" "$@" </dev/null >"$SC_RESULTS/$name.log" 2>&1 &
	else
		"$@" </dev/null >"$SC_RESULTS/$name.log" 2>&1 &
	fi
	sc_daemons+=("$!")
	sc_daemon_names+=("$name")
}

stop() {
	local i
	for i in "${!sc_daemon_names[@]}"; do
		if [ "${sc_daemon_names[$i]}" = "$1" ]; then
			kill -TERM "${sc_daemons[$i]}" 2>/dev/null
			wait "${sc_daemons[$i]}" 2>/dev/null
			return 0
		fi
	done
	return 1
}

check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		sc_record PASS "$name" ""
	else
		sc_record FAIL "$name" "failed: $* $(echo "$out" | tail -3 | tr '\n\t' '  ')"
	fi
}

check_eq() {
	if [ "$2" = "$3" ]; then
		sc_record PASS "$1" "$2"
	else
		sc_record FAIL "$1" "got '$2', expected '$3'"
	fi
}

check_range() {
	if awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v != "" && v + 0 >= lo + 0 && v + 0 <= hi + 0) }'; then
		sc_record PASS "$1" "$2"
	else
		sc_record FAIL "$1" "got '$2', expected $3..$4"
	fi
}

expect() {
	local secs=$1 name=$2 want=$3 got=""
	shift 3
	local end=$(($(date +%s) + secs))
	while :; do
		got=$("$@" 2>/dev/null)
		if [ "$got" = "$want" ]; then
			sc_record PASS "$name" "$got"
			return 0
		fi
		[ "$(date +%s)" -lt "$end" ] || break
		sleep 0.1
	done
	sc_record FAIL "$name" "got '$got', expected '$want' (waited ${secs}s)"
	return 1
}

wait_until() {
	local secs=$1 what=$2
	shift 2
	local end=$(($(date +%s) + secs))
	while [ "$(date +%s)" -lt "$end" ]; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	sc_record FAIL "$what" "not true within ${secs}s: $*"
	return 1
}

# vm NAME=SCRIPT [NAME=SCRIPT]: the scripts run in QEMU guests with this
# language loaded; their checks land in this scenario's report.
vm() {
	local args=() spec name script why
	if ! why=$("$SC_TOP/sim/vm/dpu-vm" --check); then
		sc_record SKIP "QEMU guests" "$why"
		exit 0
	fi
	for spec in "$@"; do
		name=${spec%%=*}
		script=${spec#*=}
		case "$script" in /*) ;; *) script="$SC_DIR/$script" ;; esac
		# The guest sources this language, then the script.
		cat >"$SC_RESULTS/$name.guest.sh" <<EOF
SC_TOP='$SC_TOP' SC_BUILD='$SC_BUILD' SC_DIR='$SC_DIR' SC_RESULTS='$SC_RESULTS'
SC_PREFIX="$SC_PREFIX-\$VM_NAME" SC_CHECKS="$SC_RESULTS/checks-\$VM_NAME.tsv"
export SC_TOP SC_BUILD SC_DIR SC_RESULTS SC_PREFIX SC_CHECKS
exec bash -c '. "\$SC_TOP/scenarios/lib.sh"; trap sc_teardown EXIT; . "$script"'
EOF
		args+=(--vm "$name=$SC_RESULTS/$name.guest.sh")
	done
	"$SC_TOP/sim/vm/dpu-vm" --results "$SC_RESULTS" --timeout "${SC_VM_TIMEOUT:-300}" "${args[@]}" \
		>"$SC_RESULTS/dpu-vm.log" 2>&1
	local st=$?
	for spec in "$@"; do
		name=${spec%%=*}
		[ -f "$SC_RESULTS/checks-$name.tsv" ] && cat "$SC_RESULTS/checks-$name.tsv" >>"$SC_CHECKS"
	done
	[ $st -eq 0 ] || sc_record FAIL "guests ran to the end" "dpu-vm status $st: $(tail -2 "$SC_RESULTS/dpu-vm.log" | tr '\n' ' ')"
}

# Undo everything; run by scenarios/run (and in guests) on exit.
sc_teardown() {
	local p n
	for p in "${sc_daemons[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${sc_daemons[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for n in "${sc_namespaces[@]}"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
}
