# usage: ./unmapfuzz triage [OPTIONS] CRASH_DIR
# about: group crash files (libFuzzer crash-*, AFL++ crashes/id:*) by class, one minimised .scn per class in CRASH_DIR/triage
# options: replay
# option: --all - replay every file under CRASH_DIR (.scn texts, inputs of any name), not only crash files
# option: --json FILE - also write the summary to FILE as one JSON document (docs/command-line.md)
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
# name the same build. Other files are skipped (and counted); --all replays
# every regular file under CRASH_DIR but its triage/ folder and hidden files,
# .scn texts included.

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

# Every regular file under DIR but DIR/triage, hidden files and the logs,
# sorted (triage --all).
all_files() { # DIR
	find -H "$1" -path "$1/triage" -prune -o -type f ! -name '.*' ! -name '*.log' -print 2>/dev/null | sort
}

cmd_triage() {
	local dir=$1
	[ -d "$dir" ] || die "$(shown "$dir") is not a directory"
	dir=$(cd "$dir" && pwd -P)
	[ -w "$dir" ] || die "$dir is not writable (triage writes $dir/triage)"
	lock_dir "$dir" triage
	replay_setup
	local tool=$REPLAY_DIR/unmapfuzz-tool
	local files n what
	if [ -n "${OPT[--all]}" ]; then
		files=$(all_files "$dir")
		what="file(s)"
	else
		files=$(crash_files "$dir")
		what="crash file(s) (libFuzzer crash-*, AFL++ crashes/id:*)"
	fi
	n=$(grep -c . <<<"$files" || true)
	echo "triage: $n $what under $dir, replayed with $tool"
	if [ -z "${OPT[--all]}" ]; then
		local others scn
		others=$(comm -23 <(all_files "$dir") <(sort <<<"$files") | grep -v -e '/queue/' -e '/\.' -e '/hangs/' \
			-e '/\(fuzzer_stats\|plot_data\|fuzz_bitmap\|fuzzer_setup\|cmdline\|README.txt\|summary.txt\)$' \
			-e '/\(timeout\|oom\|slow-unit\|leak\)-[^/]*$' || true)
		scn=$(grep -c '\.scn$' <<<"$others" || true)
		others=$(grep -c . <<<"$others" || true)
		local of=""
		[ "$scn" -eq 0 ] || of=", $scn of them .scn"
		[ "$others" -eq 0 ] || echo "triage: skipped $others other file(s)$of (--all replays every file)"
		json_add count skipped "$others"
	fi
	local other
	other=$(find -H "$dir" -path "$dir/triage" -prune -o -type f \( -name 'timeout-*' -o -name 'oom-*' \
		-o -name 'slow-unit-*' -o -name 'leak-*' -o -path '*/hangs/id:*' \) -print | wc -l)
	[ "$other" -eq 0 ] || echo "triage: not replayed: $other libFuzzer timeout-/oom-/slow-unit-/leak- or AFL++ hangs/ file(s)"
	if [ "$n" -eq 0 ]; then
		json_add table classes
		json_add count crash_files 0
		return 0
	fi
	rm -rf "$dir/triage"
	mkdir -p "$dir/triage"
	local rc=0
	# The driver runs with pipefail: rc is triage_report's status, not tee's.
	triage_report "$tool" "$dir/triage" <<<"$files" | tee "$dir/triage/summary.txt" || rc=$?
	echo "summary: $dir/triage/summary.txt"
	return $rc
}
