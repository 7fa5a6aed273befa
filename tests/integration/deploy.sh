#!/bin/sh
# The deployment files under deploy/: each systemd unit passes
# systemd-analyze verify (pointed at the programs of this build) with no
# warning, and each kubelet pod YAML is a Pod on the host network whose
# program exists in this build, with memory requests and limits set.
set -u
. "$top_srcdir/tests/tap.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
abs_build=$(cd "$top_builddir" && pwd)

for in_file in "$top_srcdir"/deploy/systemd/*.service.in; do
	name=$(basename "$in_file" .in)
	prog=$(sed -n 's|^ExecStart=@bindir@/\([^ ]*\).*|\1|p' "$in_file")
	dir=$(dirname "$(find "$abs_build/src" -name "$prog" -type f -perm -u+x | head -1)")
	sed "s|@bindir@|$dir|" "$in_file" >"$work/$name"
	if ! command -v systemd-analyze >/dev/null; then
		tap_skip "$name" "systemd-analyze is not installed"
		continue
	fi
	systemd-analyze verify "$work/$name" >"$work/$name.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && ! grep -q . "$work/$name.out"; then
		tap_ok "$name: systemd-analyze verify is clean"
	else
		tap_not_ok "$name: systemd-analyze verify is clean" "$(cat "$work/$name.out")"
	fi
done

for y in "$top_srcdir"/deploy/kubelet/*.yaml; do
	/usr/bin/python3 - "$y" "$abs_build" >"$work/yaml.out" 2>&1 <<'PY'
import os, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert doc["apiVersion"] == "v1" and doc["kind"] == "Pod", "not a v1 Pod"
spec = doc["spec"]
assert spec.get("hostNetwork") is True, "not on the host network"
for c in spec["containers"]:
    prog = " ".join(c["command"]).split("exec ", 1)[1].split()[0]
    found = [r for r, _, files in os.walk(os.path.join(sys.argv[2], "src")) if prog in files]
    assert found, "program %s is not built here" % prog
    res = c["resources"]
    assert res["requests"]["memory"] and res["limits"]["memory"], "memory request/limit"
    mounts = {m["name"] for m in c.get("volumeMounts", [])}
    vols = {v["name"] for v in spec.get("volumes", [])}
    assert mounts <= vols, "mounts without volumes: %s" % (mounts - vols)
PY
	if [ $? -eq 0 ]; then
		tap_ok "$(basename "$y"): a host-network Pod running a program of this build"
	else
		tap_not_ok "$(basename "$y"): a host-network Pod running a program of this build" "$(cat "$work/yaml.out")"
	fi
done
tap_done
