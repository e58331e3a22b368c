# usage: ./unmapfuzz triage [OPTIONS] CRASH_DIR
# about: group crash files (libFuzzer crash-*, AFL++ crashes/id:*) by class, one minimised .scn per class in CRASH_DIR/triage
# options: replay
# options: kernel
# operands: 1 1
# status: some crash file does not replay clean (any class but NOT_REPRODUCED)
#
# Replays every crash file under CRASH_DIR (libFuzzer's crash-* anywhere
# below it, AFL++'s */crashes/id:*; so $WORK/crashes, an AFL++ sync
# directory $WORK/afl/<run>, or a directory holding both) with the dev
# build's unmapfuzz-tool, groups them by the failure class the replay prints
# (`unmapfuzz: KIND class`), and writes for each class:
#
#   CRASH_DIR/triage/KIND_class.scn    the smallest file of the class, minimised
#                                      structurally (unmapfuzz-tool minimize),
#                                      as a regression draft ("# expect: KIND class")
#   CRASH_DIR/triage/KIND_class.files  every crash file of the class
#   CRASH_DIR/triage/KIND_class.log    what the minimiser did
#
# Sanitizer reports (ASan/UBSan stopped the replay) are grouped by report
# kind and first project source line, and kept as SANITIZER_*.bin with their
# text in SANITIZER_*.scn. Files that replay clean are listed as
# NOT_REPRODUCED. --build DIR replays with DIR/unmapfuzz-tool instead (for
# crashes found by a patched or another build); --zoo NAME with the bug-zoo
# variant NAME's (build/dev/zoo/NAME, built first); the repro lines it prints
# name the same build.

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

cmd_triage() {
	local dir=$1
	[ -d "$dir" ] || die "$dir is not a directory"
	dir=$(cd "$dir" && pwd -P)
	replay_setup
	local tool=$REPLAY_DIR/unmapfuzz-tool
	[ -w "$dir" ] || die "$dir is not writable (triage writes $dir/triage)"
	local files n
	files=$(crash_files "$dir")
	n=$(grep -c . <<<"$files" || true)
	echo "triage: $n crash file(s) under $dir, replayed with $tool"
	local other
	other=$(find -H "$dir" -path "$dir/triage" -prune -o -type f \( -name 'timeout-*' -o -name 'oom-*' \
		-o -name 'slow-unit-*' -o -name 'leak-*' -o -path '*/hangs/id:*' \) -print | wc -l)
	[ "$other" -eq 0 ] || echo "triage: not replayed: $other libFuzzer timeout-/oom-/slow-unit-/leak- or AFL++ hangs/ file(s)"
	[ "$n" -gt 0 ] || return 0
	rm -rf "$dir/triage"
	mkdir -p "$dir/triage"
	local rc=0
	# The driver runs with pipefail: rc is triage_report's status, not tee's.
	triage_report "$tool" "$dir/triage" <<<"$files" | tee "$dir/triage/summary.txt" || rc=$?
	echo "summary: $dir/triage/summary.txt"
	return $rc
}
