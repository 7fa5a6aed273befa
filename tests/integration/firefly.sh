#!/bin/sh
# Firefly against real linuxptp. Three network namespaces on a bridge: two
# linuxptp grandmasters (priority1 10 and 20) and dpu-firefly (a slave with
# software time stamping and free_running 1, so no clock is ever adjusted;
# its port stays UNCALIBRATED since ptp4l's servo never runs then).
#
# Checked: the monitor follows the better grandmaster with a live offset and
# path delay; its values agree with linuxptp's own pmc queried at the same
# moment; it reports to dpu-telemetry (Prometheus series); a killed ptp4l is
# restarted and counted; when the better grandmaster dies the monitor
# follows the BMCA to the other; SIGTERM stops everything. Bad settings and
# overrides are refused with messages that name the setting, file and line.
set -u
. "$top_srcdir/tests/tap.sh"

ff="$top_builddir/src/firefly/dpu-firefly"
dts="$top_builddir/src/telemetry/dpu-telemetry"
work=$(mktemp -d)
cleanup_pids=""
ns_list=""
cleanup() {
	for p in $cleanup_pids; do kill -9 "$p" 2>/dev/null; done
	for n in $ns_list; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# ------------------------------------------------------------ bad input
# err NAME EXPECTED-TEXT ARGS...: dpu-firefly refuses (status 1) and says so.
err() {
	local name=$1 want=$2
	shift 2
	"$@" >"$work/err.out" 2>&1
	local rc=$?
	if [ $rc -eq 1 ] && grep -qF -- "$want" "$work/err.out"; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "status $rc, output: $(cat "$work/err.out")"
	fi
}
err "unknown profile refused" "PROFILE: unknown profile 'bogus'" \
	"$ff" --profile bogus -i eth0 --print-config
err "unknown profile from the environment names it" "environment: PROFILE: unknown profile 'x'" \
	env PROFILE=x "$ff" -i eth0 --print-config
err "defined_by_profile with custom refused" \
	"PTP_STATE: defined_by_profile is not allowed with the custom profile" \
	"$ff" --profile custom -i eth0 --print-config
err "custom without a ptp4l file refused" "PTP_CONFIG_FILE: the custom profile needs" \
	"$ff" --profile custom -s PTP_STATE=enable -s PHC2SYS_STATE=disable -s PPS_STATE=disable \
	-s MONITOR_STATE=disable -s SYNCE_STATE=disable -i eth0 --print-config
err "bad provider state refused" "PPS_STATE: 'maybe' is not enable, disable or defined_by_profile" \
	"$ff" -s PPS_STATE=maybe -i eth0 --print-config
err "unknown setting refused" "command line: NOPE: not a Firefly setting" \
	"$ff" -s NOPE=1 -i eth0 --print-config
printf '[global]\n# comment\ndomainNumber 300\n' >"$work/bad-range.cfg"
err "override out of range names file, line and option" \
	"$work/bad-range.cfg:3: domainNumber: out of range: '300'" \
	"$ff" -i eth0 -f "$work/bad-range.cfg" --print-config
printf '[global]\nslaveOnly 1\nnot_an_option 1\n' >"$work/bad-key.cfg"
err "unknown ptp4l option names file, line and option" \
	"$work/bad-key.cfg:3: not_an_option: not a ptp4l option" \
	"$ff" -i eth0 -f "$work/bad-key.cfg" --print-config
printf '[global]\nnetwork_transport UDPv5\n' >"$work/bad-enum.cfg"
err "bad enumerated value refused" "$work/bad-enum.cfg:2: network_transport: not one of" \
	"$ff" -i eth0 -f "$work/bad-enum.cfg" --print-config
printf 'PROFILE=media\nMONITOR_PORT=99999\n' >"$work/bad.conf"
err "settings file errors name the line" "$work/bad.conf:2: MONITOR_PORT" \
	"$ff" -c "$work/bad.conf" -i eth0 --print-config
err "no interface refused" "PTP_INTERFACE: no interface" "$ff" --print-config
err "a missing override file is named" "$work/none.cfg" "$ff" -i eth0 -f "$work/none.cfg" --print-config

# ------------------------------------------------------------ profiles
"$ff" -p media -i eth0 --print-config >"$work/media.conf" 2>"$work/media.err"
tap_check "media profile: SMPTE 2059-2 domain 127, client only" \
	sh -c "grep -qx 'domainNumber 127' '$work/media.conf' && grep -qx 'slaveOnly 1' '$work/media.conf' && grep -qx 'logSyncInterval -3' '$work/media.conf'"
"$ff" -p telecom -i eth0 --print-config >"$work/telecom.conf" 2>/dev/null
tap_check "telecom profile: G.8275.1 over L2, domain 24" \
	sh -c "grep -qx 'network_transport L2' '$work/telecom.conf' && grep -qx 'domainNumber 24' '$work/telecom.conf' && grep -qx 'dataset_comparison G.8275.x' '$work/telecom.conf'"
printf '[global]\nclientOnly 1\ndomainNumber 5\n' >"$work/user.cfg"
"$ff" -p default -i eth0 -f "$work/user.cfg" --print-config >"$work/over.conf" 2>/dev/null
tap_check "overrides go on top of the profile (linuxptp 4 names accepted)" \
	sh -c "grep -qx 'domainNumber 5' '$work/over.conf' && grep -qx 'slaveOnly 1' '$work/over.conf' && test \$(grep -c '^domainNumber' '$work/over.conf') -eq 1"

# linuxptp's own example configurations (ptp4l ones) all pass the option table.
ex=/usr/share/doc/linuxptp/configs
if [ -r "$ex/default.cfg" ]; then
	bad=""
	for f in default G.8275.1 G.8275.2 G.8265.1 gPTP automotive-master automotive-slave E2E-TC P2P-TC UNICAST-MASTER UNICAST-SLAVE; do
		[ -r "$ex/$f.cfg" ] || continue
		"$ff" -i eth0 -f "$ex/$f.cfg" --print-config >/dev/null 2>>"$work/examples.err" || bad="$bad $f"
	done
	tap_check "linuxptp's example configurations are accepted${bad:+ (refused:$bad)}" test -z "$bad"
else
	tap_skip "linuxptp's example configurations" "$ex is not installed (linuxptp's documentation)"
fi

# ------------------------------------------------------------ live
if [ "$(id -u)" -ne 0 ] || ! ip netns add "dpu-ff-probe-$$" 2>/dev/null; then
	tap_skip "firefly against linuxptp" "needs root and network namespaces"
	tap_done
	exit $?
fi
ip netns del "dpu-ff-probe-$$"
if ! command -v ptp4l >/dev/null || ! command -v pmc >/dev/null; then
	tap_skip "firefly against linuxptp" "linuxptp is not installed (ci/install-deps installs it)"
	tap_done
	exit $?
fi

sw="dpu-ff-sw-$$"
gm1="dpu-ff-gm1-$$"
gm2="dpu-ff-gm2-$$"
dut="dpu-ff-dut-$$"
ns_list="$gm1 $gm2 $dut $sw"
for n in $ns_list; do
	ip netns add "$n"
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$n" link set lo up
done
ip -n "$sw" link add br0 type bridge
ip -n "$sw" link set br0 type bridge mcast_snooping 0
ip -n "$sw" link set br0 up
i=1
for n in "$gm1" "$gm2" "$dut"; do
	ip link add "ffv$i-$$" type veth peer name "ffp$i-$$"
	ip link set "ffv$i-$$" netns "$n"
	ip link set "ffp$i-$$" netns "$sw"
	ip -n "$n" link set "ffv$i-$$" name eth0
	ip -n "$n" addr add "10.77.0.$i/24" dev eth0
	ip -n "$n" link set eth0 up
	ip -n "$sw" link set "ffp$i-$$" master br0 up
	i=$((i + 1))
done

# The grandmasters: plain linuxptp, free running, faster announces so the
# failover takes seconds.
for g in 1 2; do
	cat >"$work/gm$g.cfg" <<EOF
[global]
priority1 ${g}0
free_running 1
time_stamping software
logAnnounceInterval -1
uds_address $work/gm$g.sock
[eth0]
EOF
done
ip netns exec "$gm1" ptp4l -f "$work/gm1.cfg" -m >"$work/gm1.log" 2>&1 &
gm1_pid=$!
ip netns exec "$gm2" ptp4l -f "$work/gm2.cfg" -m >"$work/gm2.log" 2>&1 &
gm2_pid=$!
cleanup_pids="$gm1_pid $gm2_pid"

clock_id() { # the clockIdentity of grandmaster $1 (by pmc on its socket)
	ip netns exec "$2" pmc -u -b 0 -s "$work/gm$1.sock" -i "$work/pmc-gm$1.sock" \
		'GET DEFAULT_DATA_SET' 2>/dev/null | awk '$1 == "clockIdentity" { print $2 }'
}
tap_wait 10 "grandmaster 1 answers pmc" sh -c "test -n \"\$(ip netns exec $gm1 pmc -u -b 0 -s $work/gm1.sock -i $work/pmc-probe.sock 'GET DEFAULT_DATA_SET' | grep clockIdentity)\""
gm1_id=$(clock_id 1 "$gm1")
gm2_id=$(clock_id 2 "$gm2")

# ptp4l itself takes each profile's configuration (a bad one makes it exit at once).
for p in default media telecom; do
	mkdir -p "$work/pc-$p"
	"$ff" -p $p -i eth0 -r "$work/pc-$p" --print-config >"$work/pc-$p/ptp4l.conf" 2>/dev/null
	ip netns exec "$dut" ptp4l -f "$work/pc-$p/ptp4l.conf" >"$work/pc-$p/log" 2>&1 &
	p4=$!
	sleep 1
	if kill "$p4" 2>/dev/null; then
		wait "$p4"
		tap_ok "ptp4l runs with the $p profile's configuration"
	else
		tap_not_ok "ptp4l runs with the $p profile's configuration" "$(cat "$work/pc-$p/log")"
	fi
done

# dpu-firefly with DTS reporting.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/telemetry/config"
printf 'update=100\nprometheus=http://127.0.0.1:%s\n' "$port" >"$work/telemetry/config/dts_config.ini"
"$dts" --config-dir "$work/telemetry/config" --device "sim:none,run-dir=$work/nosim" 2>"$work/dts.log" &
cleanup_pids="$cleanup_pids $!"

cat >"$work/slave.cfg" <<EOF
[global]
free_running 1
logAnnounceInterval -1
freq_est_interval 0
EOF
run="$work/ff"
ip netns exec "$dut" env TELEMETRY_IPC_SOCKETS_DIR="$work/telemetry/ipc_sockets" \
	"$ff" -i eth0 -f "$work/slave.cfg" -s MONITOR_STATE=enable -s MONITOR_INTERVAL_MS=100 \
	-s MONITOR_PORT=25600 -r "$run" -l debug 2>"$work/ff.log" &
ff_pid=$!
cleanup_pids="$cleanup_pids $ff_pid"
mon="$run/ptp_monitor.txt"
field() { sed -n "s/^$1: //p" "$mon" 2>/dev/null; }

tap_wait 30 "the monitor follows grandmaster 1 ($gm1_id)" \
	sh -c "grep -qx 'gmIdentity: $gm1_id' '$mon' && grep -qx 'port_state: UNCALIBRATED' '$mon'"
tap_check "steps removed 1, grandmaster priority1 10, gmPresent" \
	sh -c "grep -qx 'stepsRemoved: 1' '$mon' && grep -qx 'grandmasterPriority1: 10' '$mon' && grep -qx 'gmPresent: true' '$mon'"
tap_wait 15 "a live path delay within (0, 1 ms) and offset within 1 ms" \
	sh -c "sed -n 's/^meanPathDelay: //p; s/^offsetFromMaster: //p' '$mon' | awk 'NR==1{o=\$1} NR==2{d=\$1} END{exit !(d > 0 && d < 1000000 && o > -1000000 && o < 1000000)}'"
tap_wait 10 "servo state and frequency read from ptp4l's output" \
	sh -c "grep -q '^servo_state: s[0-2]\$' '$mon' && grep -q '^freq_adj_ppb: -\{0,1\}[0-9]' '$mon'"

ip netns exec "$dut" /usr/bin/python3 "$top_srcdir/tests/helpers/ff-compare.py" \
	"$run/ptp4l.sock" 25600 40 >"$work/compare.json" 2>&1
tap_check "monitor agrees with pmc (current, parent, port data sets, time status)" \
	/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d['compared'] and not d['mismatch']))" "$work/compare.json"

url="http://127.0.0.1:$port/metrics"
tap_wait 10 "DTS exports the monitor (firefly_ptp_monitor_* series)" \
	sh -c "curl -sf '$url' | grep -q '^firefly_ptp_monitor_steps_removed{source=\"firefly\"} 1\$' && curl -sf '$url' | grep -q '^firefly_ptp_monitor_gm_priority1{source=\"firefly\"} 10\$' && curl -sf '$url' | grep -q '^firefly_ptp_monitor_port_state{source=\"firefly\"} 8\$'"

# Supervision: a killed ptp4l comes back and is counted.
old=$(pgrep -f "[p]tp4l -f $run/ptp4l.conf")
kill -9 $old
tap_wait 10 "a killed ptp4l is restarted" \
	sh -c "p=\$(pgrep -f '[p]tp4l -f $run/ptp4l.conf'); test -n \"\$p\" && test \"\$p\" != '$old'"
tap_wait 10 "the exit is counted in error_count" sh -c "test \$(sed -n 's/^error_count: //p' '$mon') -ge 1"
tap_wait 10 "the polls it did not answer are counted in rounds_missed" \
	sh -c "test \$(sed -n 's/^rounds_missed: //p' '$mon') -ge 1"
tap_wait 20 "after the restart the monitor follows grandmaster 1 again" \
	sh -c "grep -qx 'gmIdentity: $gm1_id' '$mon' && grep -qx 'port_state: UNCALIBRATED' '$mon'"

# Reload (SIGHUP): a bad override is refused and ptp4l keeps running; a good
# one restarts ptp4l with it.
p4=$(pgrep -f "[p]tp4l -f $run/ptp4l.conf")
cp "$work/slave.cfg" "$work/slave.good"
printf 'domainNumber 300\n' >>"$work/slave.cfg"
kill -HUP "$ff_pid"
tap_wait 5 "reload: a bad override is refused, naming file, line and option" \
	grep -q "slave.cfg:5: domainNumber: out of range: '300'" "$work/ff.log"
tap_check "reload: ptp4l keeps running on the configuration in force" \
	sh -c "test \"\$(pgrep -f '[p]tp4l -f $run/ptp4l.conf')\" = '$p4' && ! grep -q 'domainNumber 300' '$run/ptp4l.conf'"
cp "$work/slave.good" "$work/slave.cfg"
printf 'priority2 77\n' >>"$work/slave.cfg"
kill -HUP "$ff_pid"
tap_wait 10 "reload: the new option reaches ptp4l (pmc: priority2 77)" \
	sh -c "ip netns exec $dut pmc -u -b 0 -s $run/ptp4l.sock -i $work/pmc-r.sock 'GET DEFAULT_DATA_SET' | grep -q 'priority2 *77\$'"
tap_wait 20 "after the reload the monitor follows grandmaster 1 again" \
	sh -c "grep -qx 'gmIdentity: $gm1_id' '$mon' && grep -qx 'port_state: UNCALIBRATED' '$mon'"

# Failover: the better grandmaster dies; the BMCA picks the other.
kill "$gm1_pid"
tap_wait 30 "after grandmaster 1 dies the monitor follows grandmaster 2 ($gm2_id)" \
	sh -c "grep -qx 'gmIdentity: $gm2_id' '$mon' && grep -qx 'grandmasterPriority1: 20' '$mon' && grep -qx 'port_state: UNCALIBRATED' '$mon'"

# Clean stop.
kill -TERM "$ff_pid"
st=0
for _ in $(seq 100); do kill -0 "$ff_pid" 2>/dev/null || break; sleep 0.05; done
wait "$ff_pid"
st=$?
tap_check "SIGTERM: dpu-firefly exits 0" test "$st" -eq 0
tap_check "SIGTERM: no ptp4l of ours is left" sh -c "! pgrep -f '[p]tp4l -f $run/ptp4l.conf'"
tap_check "SIGTERM: the monitor socket and pid file are removed" \
	sh -c "test ! -e '$run/monitor.sock' && test ! -e '$run/dpu-firefly.pid'"

tap_done
