# Sourced, after tests/tap.sh, by the tests that run QEMU guests
# (sim/vm/dpu-vm). vm_setup WHAT: when no guest can run on this machine,
# reports WHAT as skipped with dpu-vm's reason and exits; otherwise sets
# $vm (the runner) and $work (a directory removed on exit, kept when KEEP
# is set). abs DIR prints DIR as an absolute path, as the guests see it.

abs() { (cd "$1" && pwd); }

vm_setup() {
	vm="$top_srcdir/sim/vm/dpu-vm"
	if ! vm_why=$("$vm" --check); then
		tap_skip "$1" "$vm_why"
		tap_done
		exit $?
	fi
	work=$(mktemp -d)
	trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
}
