# The driver-contract helpers of tests/cli_contract.sh and tests/cli_limits.sh
# (sourced; the caller sets scratch). fail WHY counts a failure; expect RC
# CMD... runs CMD with no input and checks its exit status, and for 2 that
# stderr is one line (the driver's build progress aside). Every call is
# logged to SCRATCH/tried.txt with the line it printed.
fails=0 tried=0
fail() { echo "FAILED: $*"; fails=$((fails + 1)); }
expect() {
	local want=$1 rc=0
	shift
	tried=$((tried + 1))
	"$@" >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "exit $rc, expected $want: $* ($(head -c 300 "$scratch/err"))"
	elif [ "$want" -eq 2 ] && [ "$(grep -vc '^unmapfuzz: \(configuring\|building\|built\) ' "$scratch/err")" -ne 1 ]; then
		fail "not one line on stderr: $*: $(head -c 500 "$scratch/err")"
	fi
	echo "$rc $* => $(grep -v '^unmapfuzz: \(configuring\|building\|built\) ' "$scratch/err" | head -1 | head -c 300)" >>"$scratch/tried.txt"
}
