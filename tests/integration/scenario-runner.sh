#!/bin/sh
# scenarios/run itself: a failing expectation fails the run with a message
# naming the scenario, the check and the values; teardown removes the
# namespaces and daemons even after a failure; a scenario that checks
# nothing fails; a missing one is reported.
set -u
. "$top_srcdir/tests/tap.sh"

if [ "$(id -u)" -ne 0 ]; then
	tap_skip "scenario runner" "needs root (network namespaces)"
	tap_done
	exit $?
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sc/fails" "$work/sc/silent" "$work/sc/passes"
cat >"$work/sc/fails/scenario.sh" <<'SC'
scenario "fails on purpose"
ns lab
daemon sleeper --ns lab -- sleep SLEEP_MARK
check_eq "one equals two" 1 2
check_range "a value in range" 5 1 10
false
exit 3
SC
# A sleep of a length no other process has, so that pgrep finds only ours.
mark="299.$$"
sed -i "s/SLEEP_MARK/$mark/" "$work/sc/fails/scenario.sh"
cat >"$work/sc/silent/scenario.sh" <<'SC'
scenario "checks nothing"
SC
cat >"$work/sc/passes/scenario.sh" <<'SC'
scenario "passes"
check "true is true" true
SC
SC_SCENARIOS_DIR="$work/sc" "$top_srcdir/scenarios/run" fails silent passes --results "$work/r" \
	--build "$top_builddir" >"$work/out" 2>&1
st=$?
tap_check "a failing check fails the run (status $st)" test "$st" -eq 1
tap_check "the report names the scenario" grep -q "^== fails: fails on purpose" "$work/out"
tap_check "the report names the check and the values" \
	grep -q "FAIL  one equals two: got '1', expected '2'" "$work/out"
tap_check "a check that held is reported as passed" grep -q "pass  a value in range (5)" "$work/out"
tap_check "a scenario that checks nothing fails" \
	grep -q "FAIL  the scenario checks something: no check recorded" "$work/out"
tap_check "the summary line" grep -q "^2 passed, 2 failed, 0 skipped" "$work/out"
tap_check "teardown removed the namespace" sh -c "! ip netns list | grep -q -- '-lab'"
tap_check "teardown stopped the daemon" sh -c "! pgrep -f '^sleep $mark\$'"
tap_check "the daemon's log is kept in the results" test -f "$work/r/fails/sleeper.log"
SC_SCENARIOS_DIR="$work/sc" "$top_srcdir/scenarios/run" nosuch --results "$work/r2" >"$work/out2" 2>&1
tap_check "a missing scenario is an error" sh -c "test $? -ne 0 && grep -q \"no scenario 'nosuch'\" '$work/out2'"
tap_done
