#!/bin/sh
# dpu-simd end to end through dpu-simctl (and so through the HAL's sim
# backend): a bad description is refused with its line, the inventory and
# ports match the description file, the counter tree is there, NV values
# take effect at the next start, bad control requests get an error and the
# daemon carries on, SIGTERM cleans up.
set -u
. "$top_srcdir/tests/tap.sh"

simd="$top_builddir/sim/simd/dpu-simd"
ctl="$top_builddir/sim/simd/dpu-simctl"
desc="$top_srcdir/fixtures/devices/bf3.yaml"
work=$(mktemp -d)
run="$work/run"
pid=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

start() {
	"$simd" --device "$desc" --run-dir "$run" 2>>"$work/simd.log" &
	pid=$!
	tap_wait 5 "${1:-dpu-simd} listens" test -S "$run/simd.sock"
}

stop() {
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	pid=""
	return $rc
}

"$simd" --device "$top_srcdir/fixtures/devices/broken/bad-mac.yaml" --run-dir "$run" 2>"$work/bad.log"
tap_check "bad description: exit 2" test $? -eq 2
tap_check "bad description: error names line and key" \
	grep -q "bad-mac.yaml:4: \$.ports\[0\].mac: '02:00:00:00:00:0g' is not a MAC address" "$work/bad.log"

"$ctl" --run-dir "$run" info 2>"$work/nodaemon.log"
tap_check "simctl without a daemon: exit 1" test $? -eq 1
tap_check "simctl without a daemon: says so" grep -q "is dpu-simd running there" "$work/nodaemon.log"

start "dpu-simd"
"$ctl" --run-dir "$run" --json info >"$work/info.json"
tap_check "info: serial from the description" grep -q '"serial": "MT2412X00001"' "$work/info.json"
tap_check "info: model from the description" grep -q '"model": "BlueField-3 B3220"' "$work/info.json"

# The port names, in order, as the description lists them (read independently).
sed -n 's/.*{name: \([^,]*\),.*/\1/p' "$desc" | grep -v '^asic\|^ddr\|^board' >"$work/want-ports"
"$ctl" --run-dir "$run" ports | awk 'NR > 1 {print $1}' >"$work/got-ports"
tap_check "ports: the description's ports, in order" cmp -s "$work/want-ports" "$work/got-ports"
tap_check "ports: p0 is a 200G uplink, link up" \
	sh -c "'$ctl' --run-dir '$run' ports | grep -Eq '^p0 +uplink +02:1b:21:00:00:00 +0000:03:00.0 +mlx5_0 +200G up'"

root=$("$ctl" --run-dir "$run" counters | sed -n "s/^counter tree: //p")
tap_check "counter tree: class/net/p0 statistics" test "$(cat "$root/class/net/p0/statistics/rx_packets")" = 0
tap_check "counter tree: infiniband counters" test -f "$root/class/infiniband/mlx5_0/ports/1/counters/port_xmit_data"
tap_check "counter tree: hwmon in millidegrees" test "$(cat "$root/class/hwmon/hwmon0/temp1_input")" = 54000

"$simd" --device "$desc" --run-dir "$run" 2>"$work/second.log"
tap_check "second instance refused" grep -q "already running (pid $pid)" "$work/second.log"

"$ctl" --run-dir "$run" nvconfig set NUM_OF_VFS 8
tap_check "nvconfig set: accepted" test $? -eq 0
tap_check "nvconfig: next boot changes, current does not" \
	sh -c "'$ctl' --run-dir '$run' nvconfig | grep -Eq '^NUM_OF_VFS +1 +8\$'"
"$ctl" --run-dir "$run" nvconfig set NO_SUCH_PARAM 1 2>"$work/nv.log"
tap_check "nvconfig set of an unknown parameter: exit 1" test $? -eq 1
tap_check "nvconfig set of an unknown parameter: named" grep -q "NO_SUCH_PARAM: no such NV parameter" "$work/nv.log"

# The same store as register MNVDA (0x9024), as mlxconfig and the kernel's
# nv_param read it; the item is encoded and decoded here by Python from the
# PRM's layout: header word 0 length[8:0] access_mode[23:22], word 1
# class[31:24] index[23:0]; nv_global_pci_conf (class 0, 0x80): word 0 bit 31
# sriov_valid, word 1 bit 31 sriov_en and bits 15:0 total_vfs.
/usr/bin/python3 - "$run/simd.sock" >"$work/mnvda.log" 2>&1 <<'PY'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rwb")
def reg(write, mode, cls, idx, data):
    hdr = struct.pack(">III", len(data) | mode << 22, cls << 24 | idx, 0)
    f.write(json.dumps({"cmd": "reg", "id": 0x9024, "write": write,
                        "data": (hdr + data).hex()}).encode() + b"\n"); f.flush()
    r = json.loads(f.readline())
    if not r.get("ok"):
        return r
    b = bytes.fromhex(r["reg"])
    return struct.unpack(">III", b[12:24])
for mode, name in ((0, "next"), (1, "current")):
    w0, w1, _ = reg(False, mode, 0, 0x80, bytes(12))
    print(name, w0 >> 31, w1 >> 31, w1 & 0xffff)
# Write: SR-IOV on with 4 VFs for the next boot.
print("write", reg(True, 0, 0, 0x80, struct.pack(">III", 1 << 31, 1 << 31 | 4, 0)))
w0, w1, _ = reg(False, 0, 0, 0x80, bytes(12))
print("after", w1 >> 31, w1 & 0xffff)
print("unknown", reg(False, 0, 0, 0x7777, bytes(4)))
print("factory", reg(False, 2, 0, 0x80, bytes(12)))
PY
sed 's/^/# /' "$work/mnvda.log"
tap_check "MNVDA: next-boot item: sriov valid, enabled, 8 VFs" grep -qx "next 1 1 8" "$work/mnvda.log"
tap_check "MNVDA: current item: 1 VF" grep -qx "current 1 1 1" "$work/mnvda.log"
tap_check "MNVDA: a write of 4 VFs reads back" grep -qx "after 1 4" "$work/mnvda.log"
tap_check "MNVDA: the write is the store's next-boot value" \
	sh -c "'$ctl' --run-dir '$run' nvconfig | grep -Eq '^NUM_OF_VFS +1 +4\$'"
tap_check "MNVDA: an item the device does not have: refused, named" \
	grep -q "unknown.*121.*no configuration item class 0 index 0x007777" "$work/mnvda.log"
tap_check "MNVDA: factory values: refused" grep -q "factory.*reading the factory values" "$work/mnvda.log"
"$ctl" --run-dir "$run" nvconfig set NUM_OF_VFS 8

# The PHC: starts on the system's time; a drift moves it at that rate; the
# servo's correction is bounded; a step moves it at once.
offset() {
	"$ctl" --run-dir "$run" --json clock |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["offset_ns"])'
}
o0=$(offset)
tap_check "clock: the PHC starts on the system's time (|$o0| < 1 ms)" \
	test "${o0#-}" -lt 1000000
"$ctl" --run-dir "$run" clock drift 1000000
o1=$(offset)
sleep 1
o2=$(offset)
# 1000 ppm over a little more than 1 s (the reads take time too, more under sanitizers).
tap_check "clock: 1000 ppm drift gains ~1 ms per second ($((o2 - o1)) ns)" \
	test $((o2 - o1)) -ge 990000 -a $((o2 - o1)) -le 3000000
"$ctl" --run-dir "$run" clock freq -1000000 2>"$work/freq.log"
tap_check "clock freq beyond the range: exit 1, says the limit" \
	sh -c "test $? -eq 1 && grep -q 'beyond +-500000' '$work/freq.log'"
"$ctl" --run-dir "$run" clock drift 0
"$ctl" --run-dir "$run" clock step -2000000000
o3=$(offset)
tap_check "clock step -2 s: the offset follows ($o3 ns)" \
	test $((o3 - o2)) -le -1990000000 -a $((o3 - o2)) -ge -2010000000

# Bad requests on the control socket: an error reply, and the daemon goes on.
/usr/bin/python3 - "$run/simd.sock" >"$work/raw.log" 2>&1 <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rwb")
for req in [b"not json", b'{"cmd": 7}', b'{"cmd": "reboot-now"}', b'[1,2]']:
    f.write(req + b"\n"); f.flush(); print(f.readline().decode().strip())
s2 = socket.socket(socket.AF_UNIX); s2.connect(sys.argv[1])
try:   # a line over the limit: the daemon closes that connection (EOF or reset)
    s2.sendall(b"x" * 70000)
    s2.settimeout(5); print("closed" if s2.recv(10) == b"" else "still open")
except ConnectionResetError:
    print("closed")
PY
tap_check "bad JSON: error reply with the reason" grep -q '"ok":false,"errno":22,"error":"request:1:[0-9]*: JSON syntax' "$work/raw.log"
tap_check "unknown command: EOPNOTSUPP" grep -q '"errno":95,"error":"unknown command \\"reboot-now\\""' "$work/raw.log"
tap_check "over-long request line: connection closed" grep -q '^closed$' "$work/raw.log"
tap_check "daemon still answers after bad requests" "$ctl" --run-dir "$run" info

# Traffic: replay the bundled capture into p0. The oracle is Python's own
# reading of the pcap, not our parser.
pcap="$top_srcdir/fixtures/pcap/mixed.pcap"
/usr/bin/python3 - "$pcap" >"$work/oracle" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, n, nbytes, runts, okbytes = 24, 0, 0, 0, 0
while off < len(d):
    _, _, incl, orig = struct.unpack_from("<IIII", d, off)
    off += 16 + incl
    n += 1; nbytes += orig
    if incl < 14: runts += 1
    else: okbytes += orig
print(n, nbytes, runts, n - runts, okbytes)
PY
read -r n nbytes runts ok okbytes <"$work/oracle"
"$ctl" --run-dir "$run" replay "$pcap" --port p0 --top-speed >"$work/replay.out"
tap_check "replay: completes and reports the frames" grep -q "^replayed $n packets ($nbytes bytes) into p0" "$work/replay.out"
"$ctl" --run-dir "$run" --json counters >"$work/ctr.json"
/usr/bin/python3 - "$work/ctr.json" >"$work/ctr" <<'PY'
import json, sys
c = {p["port"]: p for p in json.load(open(sys.argv[1]))["ports"]}
print(c["p0"]["rx_packets"], c["p0"]["rx_bytes"], c["p0"]["rx_errors"], c["pf0hpf"]["tx_packets"],
      c["pf0hpf"]["tx_bytes"], sum(p["tx_packets"] for p in c.values()))
PY
tap_check "counters: p0 received every frame, runts as errors, pf0hpf sent the rest" \
	test "$(cat "$work/ctr")" = "$n $nbytes $runts $ok $okbytes $ok"
tap_check "pipes: the default pipe, root, one entry a port, every good frame a hit" \
	sh -c "'$ctl' --run-dir '$run' pipes | grep -Eq '^default +exact +yes +6 +64 +$ok +0\$'"
sysstat="$root/class/net"
tap_wait 3 "counter tree: p0 rx_packets published" \
	sh -c "test \"\$(cat '$sysstat/p0/statistics/rx_packets')\" = '$n'"
# Each file is rewritten on its own: wait for each, not only the first.
tap_wait 3 "counter tree: pf0hpf tx_bytes published" \
	sh -c "test \"\$(cat '$sysstat/pf0hpf/statistics/tx_bytes')\" = '$okbytes'"
tap_wait 3 "counter tree: p0 rx_errors published" \
	sh -c "test \"\$(cat '$sysstat/p0/statistics/rx_errors')\" = '$runts'"

# The HAL's bluefield backend reads the simulator's tree as it reads /sys on
# a BlueField: it must see the same ports and, once published, the same counts.
bf="bluefield:0000:03:00.0,sysfs=$root"
"$ctl" --uri "$bf" ports | sort >"$work/bf-ports"
"$ctl" --run-dir "$run" ports | sort >"$work/sim-ports"
tap_check "bluefield backend on the simulator's tree: the same ports" cmp -s "$work/bf-ports" "$work/sim-ports"
tap_check "bluefield backend: the same inventory" \
	sh -c "'$ctl' --uri '$bf' info | grep -q '^serial       MT2412X00001\$'"
tap_check "bluefield backend: the same counters for p0 and pf0hpf" sh -c "
	'$ctl' --uri '$bf' counters | grep -E '^(p0|pf0hpf) ' >'$work/bf-ctr';
	'$ctl' --run-dir '$run' counters | grep -E '^(p0|pf0hpf) ' >'$work/sim-ctr';
	cmp -s '$work/bf-ctr' '$work/sim-ctr'"

"$ctl" --run-dir "$run" replay "$pcap" --port p0 --top-speed --loop 3 >/dev/null
tap_check "replay --loop 3: three passes counted" \
	sh -c "'$ctl' --run-dir '$run' --json counters | grep -A1 '\"port\": \"p0\"' | grep -q '\"rx_packets\": $((n * 4))'"
"$ctl" --run-dir "$run" replay "$pcap" --port p0 --loop 0 --no-wait
tap_check "pipes answers while a replay runs (snapshot from the data plane)" \
	sh -c "'$ctl' --run-dir '$run' pipes | grep -q '^default '"
# ACL changes while the replay runs: a rule set is compiled on the control
# thread beside the data path and swapped in; a rule deleted without a commit
# keeps its id until the next commit puts in force a rule set without it.
# Then route churn while the replay runs: the switch takes its updates on the
# control thread while the data plane classifies every frame through a root
# LPM pipe (its freed ids and actions wait for the data plane's quiescent
# states); the sanitizer builds watch both threads.
/usr/bin/python3 - "$run/simd.sock" >"$work/steer.log" 2>&1 <<'PY'
import json, random, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rw")
def req(**r):
    f.write(json.dumps(r) + "\n"); f.flush()
    rep = json.loads(f.readline())
    if not rep.get("ok"):
        sys.exit("%s: %s" % (r["cmd"], rep))
    return rep
def add(port, commit=True):
    return req(cmd="entry-add", pipe="acl-t", match={"ip_proto": "udp", "dst_port": port},
               actions={"fate": "drop"}, commit=commit)["entry"]
def ids():
    return sorted(e["entry"] for e in req(cmd="entries", pipe="acl-t")["entries"])
req(cmd="pipe-create", name="acl-t", kind="acl", max_entries=8)
a = add(53, False); b = add(54, False)
req(cmd="entry-del", pipe="acl-t", entry=a, commit=False)
print("listed after delete", ids() == [b])
c = add(55, False)
print("held id not reused", c not in (a, b))
req(cmd="pipe-commit", pipe="acl-t")
req(cmd="entry-del", pipe="acl-t", entry=c)
d = add(56); e = add(57)
print("freed by the commits", sorted([d, e]) == sorted([a, c]))
print("listed at the end", ids() == sorted([b, d, e]))
on = {"fate": "pipe", "pipe": "default"}
req(cmd="pipe-create", name="rt", kind="lpm", max_entries=4096, root=True, miss=on)
random.seed(7)
live = {}
for i in range(3000):
    p = "10.%d.%d.%d/%d" % (random.randrange(4), random.randrange(256), random.randrange(16) * 16,
                            random.choice((24, 28)))
    p = p if not p.endswith("/24") else p.rsplit(".", 1)[0] + ".0/24"
    if p in live and random.random() < 0.4:
        req(cmd="entry-del", pipe="rt", entry=live.pop(p))
    else:
        act = dict(on, mark=random.randrange(1 << 20))
        live[p] = req(cmd="entry-add", pipe="rt", match={"dst_ip": p}, actions=act)["entry"]
# the default route: every frame of the replay hits an entry from here on
req(cmd="entry-add", pipe="rt", match={"dst_ip": "0.0.0.0/1"}, actions=on)
req(cmd="entry-add", pipe="rt", match={"dst_ip": "128.0.0.0/1"}, actions=on)
n = len(req(cmd="entries", pipe="rt")["entries"])
print("routes listed", n == len(live) + 2)
def hits():
    return [p for p in req(cmd="pipes")["pipes"] if p["name"] == "rt"][0]["hit_packets"]
h = hits()
time.sleep(0.3)
print("frames hit the routes", hits() > h)
req(cmd="pipe-destroy", pipe="rt")
print("root back to default", [p for p in req(cmd="pipes")["pipes"] if p["root"]][0]["name"] == "default")
PY
cat "$work/steer.log" >&2
tap_check "acl: a deleted rule leaves the list at once" grep -q "^listed after delete True" "$work/steer.log"
tap_check "acl: its id is not reused before a commit" grep -q "^held id not reused True" "$work/steer.log"
tap_check "acl: commits free the deleted rules' ids" grep -q "^freed by the commits True" "$work/steer.log"
tap_check "acl: the rules in the end" grep -q "^listed at the end True" "$work/steer.log"
tap_check "route churn during a replay: every request answered, the routes listed" \
	grep -q "^routes listed True" "$work/steer.log"
tap_check "route churn during a replay: the frames go through the routes" \
	grep -q "^frames hit the routes True" "$work/steer.log"
tap_check "route churn during a replay: the pipe goes, the default pipe is root again" \
	grep -q "^root back to default True" "$work/steer.log"
"$ctl" --run-dir "$run" replay "$pcap" --port p1 --top-speed 2>"$work/busy.log"
tap_check "a second replay while one runs is refused" grep -q "replay: a replay of .* is running" "$work/busy.log"
"$ctl" --run-dir "$run" replay-stop
tap_wait 5 "replay-stop ends an endless replay" \
	sh -c "'$ctl' --run-dir '$run' replay '$pcap' --port p1 --top-speed >/dev/null"
"$ctl" --run-dir "$run" replay "$pcap" --port p9 2>"$work/noport.log"
tap_check "replay into an unknown port: refused, named" grep -q "p9: no such port" "$work/noport.log"
"$ctl" --run-dir "$run" replay "$desc" --port p0 2>"$work/notpcap.log"
tap_check "replay of a file that is not a capture: refused" grep -q "replay: .*bf3.yaml" "$work/notpcap.log"

stop
tap_check "SIGTERM: exit 0" test $? -eq 0
tap_check "SIGTERM: socket, pid file and counter tree removed" \
	sh -c "! test -e '$run/simd.sock' && ! test -e '$run/simd.pid' && ! test -e '$run/sys'"
tap_check "SIGTERM: NV store kept" test -f "$run/nvconfig.json"

start "restarted dpu-simd"
tap_check "restart: the next-boot value is now current" \
	sh -c "'$ctl' --run-dir '$run' nvconfig | grep -Eq '^NUM_OF_VFS +8 +8\$'"
# NIC mode (BlueField-3): the offload engine off, in force after a restart.
"$ctl" --run-dir "$run" nvconfig set INTERNAL_CPU_OFFLOAD_ENGINE DISABLED
tap_check "mode: still dpu before the restart" sh -c "'$ctl' --run-dir '$run' --json info | grep -q '\"mode\": \"dpu\"'"
stop
start "dpu-simd restarted in NIC mode"
tap_check "mode: nic once the offload engine is off" sh -c "'$ctl' --run-dir '$run' --json info | grep -q '\"mode\": \"nic\"'"
stop
tap_sanitizers_quiet "$work/simd.log"
tap_done
