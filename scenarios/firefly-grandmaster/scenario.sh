# Firefly on the DPU's side of a link, a linuxptp grandmaster on the other:
# the PTP monitor shows the port following that grandmaster (free running,
# so no clock is adjusted and the port stays UNCALIBRATED).
scenario "dpu-firefly follows a linuxptp grandmaster across a link"
needs_root
needs ptp4l pmc
ns gm
ns dut
link gm:eth0=10.77.1.1/24 dut:eth0=10.77.1.2/24
printf '%s\n' '[global]' 'priority1 20' 'free_running 1' 'time_stamping software' \
	"uds_address $SC_RESULTS/gm.sock" '[eth0]' >"$SC_RESULTS/gm.cfg"
printf '%s\n' '[global]' 'free_running 1' >"$SC_RESULTS/overrides.cfg"
daemon grandmaster --ns gm -- ptp4l -f "$SC_RESULTS/gm.cfg" -m
daemon firefly --ns dut -- "$SC_BUILD/src/firefly/dpu-firefly" -i eth0 -f "$SC_RESULTS/overrides.cfg" \
	-s MONITOR_STATE=enable -s FIREFLY_TELEMETRY=0 -r "$SC_RESULTS/ff"
mon="$SC_RESULTS/ff/ptp_monitor.txt"
field() { sed -n "s/^$1: //p" "$mon"; }
gm_id() {
	at gm pmc -u -b 0 -s "$SC_RESULTS/gm.sock" -i "$SC_RESULTS/pmc.sock" 'GET DEFAULT_DATA_SET' |
		awk '$1 == "clockIdentity" { print $2 }'
}
expect 30 "port_state" UNCALIBRATED field port_state
expect 5 "gmIdentity is the grandmaster's clockIdentity (pmc)" "$(gm_id)" field gmIdentity
expect 5 "grandmasterPriority1" 20 field grandmasterPriority1
expect 5 "stepsRemoved" 1 field stepsRemoved
wait_until 15 "a path delay is measured" sh -c "test \"\$(sed -n 's/^meanPathDelay: //p' '$mon')\" -gt 0" &&
	check_range "meanPathDelay (ns)" "$(field meanPathDelay)" 1 1000000
