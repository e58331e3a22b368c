# usage: ./unmapfuzz exhaust [OPTIONS]
# about: the small-scope exhaustive check: every canonical world of a small bound through the oracle
# option: --max-order N[0-9] 1 folio orders 0..N
# option: --max-vmas N[1-2] 2 at most N VMAs (2: a VMA split at every page, or a fork)
# option: --max-events N[0-3] 1 every placement of up to N events
# option: --mid-folio N[0-1] 1 1: also order 2's mid-folio layout (a two-page batch starting mid-folio) when --max-order is below 2
# option: --ignore-known - a failure a known bug explains is counted by class, but is no failure
# option: --json FILE - also write the counts to FILE as one JSON document (docs/command-line.md)
# options: kernel
# operands: 0 0
# status: a scenario of the bound fails (the first 20 are printed as regression drafts)
#
# Runs the optimised build (release preset, no sanitizers) on one core and
# prints the size of the bound (its points), then a progress line every 10 s
# with the share done and an estimate of the total time. Bounds grow fast:
# the default is 32 million points, --max-order 2 --max-vmas 1 --max-events 1
# is 193 million (docs/scenarios.md gives its time). Ctrl-C prints the counts so far.
# At the end, the failures by class, each with the known bug that explains
# it ([known B7]), and the verdicts a known bug explains that the program's
# semantics level intends. In kernel mode the release build of the kernel
# variant runs.

# shellcheck source=tools/lib_kernel.sh
source "$ROOT/tools/lib_kernel.sh"

cmd_exhaust() {
	local bdir=$ROOT/build/release args=()
	if kernel_mode; then
		kernel_setup release
		bdir=$(kernel_dir release)
	else
		build release unmapfuzz-tool
	fi
	[ -z "${OPT[--ignore-known]}" ] || args+=(--ignore-known)
	local facts=""
	if [ -n "$JSON_LINES" ]; then
		facts=$JSON_LINES.exhaust
		SCRATCH+=("$facts")
		: >"$facts"
		args+=(--summary "$facts")
	fi
	local rc=0
	run "$bdir/unmapfuzz-tool" exhaust --max-order "${OPT[--max-order]}" \
		--max-vmas "${OPT[--max-vmas]}" --max-events "${OPT[--max-events]}" --mid-folio "${OPT[--mid-folio]}" \
		--progress "$PROGRESS_EVERY" \
		"${args[@]}" || rc=$?
	return $rc
}
