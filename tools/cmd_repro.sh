# usage: ./unmapfuzz repro [OPTIONS] FILE
# about: replay one scenario (.scn text or a binary crash file) through both implementations, slot by slot
# option: --json - the report as JSON, for machines
# options: replay
# options: kernel
# operands: 1 1
# status: the scenario fails (the class is on stderr: unmapfuzz: KIND class)
#
# Prints the scenario, the page tables before and after for both
# implementations side by side with differing slots marked, the bookkeeping
# that differs, the events that fired, the verdict and a regression draft.
# A crash file found on a bug-zoo variant (fuzz --zoo NAME) replays as found
# only with --zoo NAME: without it, it runs on your tree.

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

cmd_repro() {
	local args=()
	replay_setup
	[ -z "${OPT[--json]}" ] || args+=(--json)
	"$REPLAY_DIR/unmapfuzz-tool" repro "${args[@]}" -- "$1"
}
