#!/usr/bin/env bash
# The command-line contract of ./unmapfuzz and unmapfuzz-tool:
#   - help and CMD --help for every command (usage, options, exit status);
#   - every bad flag, value or operand: exit 2 and one line on stderr;
#   - unreadable inputs (a directory, a missing file), text files without a
#     header (empty, misspelled, missing, comments past 512 bytes), write
#     errors (a full disk) and an unwritable UNMAPFUZZ_WORK: exit 2, one line;
#   - exit 0/1 by verdict for repro, check (with and without --zoo, whose
#     printed repro lines must reproduce), exhaust;
#   - a configure failure is exit 2;
#   - minimize writes to $WORK/minimized (or -o), never beside its input, and
#     names its input in the provenance comment; a stray file in corpus/seeds
#     does not break the build's seed glob;
#   - a zoo entry whose patch does not apply is "not applicable to this
#     tree" (exit 77, ctest's SKIP_RETURN_CODE; fuzz --zoo refuses it);
#   - ./unmapfuzz test's summary of a ctest run (passed, failed, skipped,
#     the first line of each failure) and its log file.
# cli_contract.sh SOURCE_DIR SCRATCH_DIR ZOO_NAME CLASS
set -uo pipefail
src=$1 scratch=$2 zoo=$3 class=$4
rm -rf "$scratch" && mkdir -p "$scratch"
export UNMAPFUZZ_WORK=$scratch/work
uf=$src/unmapfuzz tool=$src/build/dev/unmapfuzz-tool
seed=$src/corpus/seeds/s01_lazyfree_order4_discard.scn
regress=$src/corpus/regression/$zoo.scn
# shellcheck source=tests/lib_expect.sh
source "$src/tests/lib_expect.sh"

# 1. help.
expect 0 "$uf" help
for f in "$src"/tools/cmd_*.sh; do
	cmd=${f##*/cmd_} cmd=${cmd%.sh}
	grep -q "^  ./unmapfuzz $cmd" "$scratch/out" 2>/dev/null || true
done
"$uf" help >"$scratch/help.txt"
for f in "$src"/tools/cmd_*.sh; do
	cmd=${f##*/cmd_} cmd=${cmd%.sh}
	grep -q "^  ./unmapfuzz $cmd\b" "$scratch/help.txt" || fail "help does not list $cmd"
	expect 0 "$uf" "$cmd" --help
	grep -q "^usage: ./unmapfuzz $cmd" "$scratch/out" || fail "$cmd --help has no usage line"
	grep -q "^  130  interrupted" "$scratch/out" || fail "$cmd --help does not list the exit statuses"
	grep -q "for $cmd, 1 means: ." "$scratch/out" || fail "$cmd --help does not say what 1 means"
	for opt in $(sed -n 's/^# option: \([^ ]*\).*/\1/p' "$f"); do
		grep -q -- "^  $opt\b" "$scratch/out" || fail "$cmd --help lacks $opt"
		grep -q -- "^      $opt\b" "$scratch/help.txt" || fail "help lacks $cmd $opt"
	done
done
grep -q '(default: 300)' "$scratch/help.txt" || fail "help does not show the defaults"
expect 0 "$tool" --help
expect 0 "$tool" repro --help

# 2. Bad flags, values and operands: exit 2, one line.
for args in "repro --jsn $seed" "repro $seed $seed" "repro" "repro --json=1 $seed" "repro --zoo" \
	"exhaust --max-order abc" "exhaust --max-order 1x" "exhaust --max-order" "exhaust --max-order 10" \
	"exhaust --max-vmas 0" "exhaust --max-events -1" "exhaust extra" "zoo --bogus" "zoo no_such_entry" \
	"test --bogus" "test -R cli" "test extra" "fuzz --zoo" "fuzz --time" "fuzz --time abc" "fuzz --time 0" \
	"fuzz --time 1x" "fuzz --time 99999999999999999999" "fuzz --jobs 0" "fuzz --runs x" "fuzz --engine x" \
	"fuzz --zoo no_such_entry" "fuzz --zoo ../../etc" "fuzz extra" "fuzz --time --jobs 1" "afl --bogus" \
	"triage" "triage a b" "triage --zoo" "triage $scratch/no-such-dir" "minimize" "minimize --runs x $seed" \
	"minimize a b" "corpus" "corpus bogus" "corpus merge --engine x" "corpus prune $scratch" \
	"coverage --bogus" "bench --bogus" "bench --detect-time 0" "bench --only bogus" "cost --bogus" \
	"cost extra" "check extra" "check --zoo no_such_entry" "check --zoo $zoo --build $src/build/dev" \
	"print" "print a b" "encode a" "encode a b c" "help no_such_command" "no_such_command" "-x"; do
	# shellcheck disable=SC2086 # one word per argument
	expect 2 "$uf" $args
done
expect 2 "$uf" fuzz --zoo ''
expect 2 "$uf"
for args in "repro --jsn $seed" "repro $seed $seed" "repro" "print" "encode $seed" "exhaust --max-order abc" \
	"exhaust --max-order 1x" "exhaust --max-order" "exhaust --progress x" "check" "minimize $seed" \
	"format" "no_such_command" ""; do
	# shellcheck disable=SC2086
	expect 2 "$tool" $args
done

# 3. Inputs: unreadable, and text that lost its header.
mkdir -p "$scratch/in"
: >"$scratch/in/empty"
sed '1s/unmapfuzz-scenario/unmapfuzz-scenaro/' "$seed" >"$scratch/in/misspelled"
grep -v '^unmapfuzz-scenario' "$seed" >"$scratch/in/no-header.txt"
{
	for i in $(seq 20); do echo "# comment line $i: more than 512 bytes of comments before the header"; done
	cat "$seed"
} >"$scratch/in/long-comments"
for cmd in repro print; do
	expect 2 "$uf" "$cmd" "$scratch/in"
	grep -q "cannot read: Is a directory" "$scratch/err" || fail "$cmd DIR: $(cat "$scratch/err")"
	expect 2 "$uf" "$cmd" "$scratch/in/missing"
	expect 2 "$uf" "$cmd" "$scratch/in/empty"
	grep -q "^$scratch/in/empty:1: " "$scratch/err" || fail "$cmd of an empty file: $(cat "$scratch/err")"
	expect 2 "$uf" "$cmd" "$scratch/in/misspelled"
	grep -q "^$scratch/in/misspelled:1: " "$scratch/err" || fail "$cmd, misspelled header: $(cat "$scratch/err")"
	expect 2 "$uf" "$cmd" "$scratch/in/no-header.txt"
	grep -q "^$scratch/in/no-header.txt:[0-9]*: missing header" "$scratch/err" || fail "$cmd, no header: $(cat "$scratch/err")"
done
expect 2 "$uf" encode "$scratch/in" "$scratch/x.bin"
expect 0 "$uf" print "$scratch/in/long-comments"
"$uf" print "$seed" | cmp -s - "$scratch/out" || fail "a text with 512+ bytes of comments reads as another world"
expect 0 "$uf" print "$src/build/dev/seeds-bin/s01_lazyfree_order4_discard"

# 4. Write errors and the work directory.
expect 2 "$uf" encode "$seed" /dev/full
grep -q "No space left on device" "$scratch/err" || fail "encode to a full disk: $(cat "$scratch/err")"
expect 2 sh -c "'$uf' print '$seed' >/dev/full"
expect 2 sh -c "'$tool' repro '$seed' >/dev/full"
for args in "fuzz --time 1" "minimize $seed" "corpus prune" "coverage" "bench --only cost"; do
	# shellcheck disable=SC2086
	expect 2 env UNMAPFUZZ_WORK=/proc/unmapfuzz-not-writable "$uf" $args
	grep -q "UNMAPFUZZ_WORK=/proc/unmapfuzz-not-writable is not a writable directory" "$scratch/err" ||
		fail "$args with an unwritable UNMAPFUZZ_WORK: $(cat "$scratch/err")"
done

# 5. Exit 0/1 by verdict.
expect 0 "$uf" repro "$seed"
expect 0 "$uf" repro "$regress"
expect 0 "$uf" check
grep -q " 0 failed" "$scratch/out" || fail "check: $(cat "$scratch/out")"
expect 0 "$tool" exhaust --max-order 0 --max-vmas 1 --max-events 0
grep -Eq "exhaust: ([0-9]+) of \1 points \(100.0%\)" "$scratch/out" || fail "exhaust's estimate is not its count: $(tail -1 "$scratch/out")"
applies=0
"$src/tests/bugzoo/zoo_applies.sh" "$zoo" "$src" >/dev/null && applies=1
if [ $applies = 1 ]; then
	expect 1 "$uf" repro --zoo "$zoo" "$regress"
	grep -q "^unmapfuzz: $class\$" "$scratch/err" || fail "repro --zoo: $(tail -1 "$scratch/err")"
	expect 1 "$uf" check --zoo "$zoo"
	# A zoo model also names its bug (", known bug B20") before the command.
	line=$(grep -m1 -E "^FAILED $class(, known bug [A-Z0-9]+)?: ./unmapfuzz repro --zoo $zoo " "$scratch/out") ||
		fail "check --zoo prints no repro line with --zoo: $(head -3 "$scratch/out")"
	# The printed line, run from the source directory, reproduces.
	# shellcheck disable=SC2086
	(cd "$src" && expect 1 ${line#*: })

	# 6. minimize: $WORK/minimized by default, or -o; never beside FILE.
	cp "$regress" "$scratch/in/input.scn"
	before=$(ls "$src/corpus/regression" "$src/corpus/seeds" | md5sum)
	expect 0 "$uf" minimize --zoo "$zoo" --runs 200 "$scratch/in/input.scn"
	out=$UNMAPFUZZ_WORK/minimized/input.min.scn
	[ -f "$out" ] || fail "minimize wrote no $out: $(cat "$scratch/out")"
	[ ! -e "$scratch/in/input.scn.min.scn" ] || fail "minimize wrote beside its input"
	[ "$before" = "$(ls "$src/corpus/regression" "$src/corpus/seeds" | md5sum)" ] || fail "minimize changed corpus/"
	grep -q "^# minimised by unmapfuzz minimize from $scratch/in/input.scn\$" "$out" ||
		fail "the provenance comment does not name the input: $(grep '^# minimised' "$out")"
	grep -q "^replay: ./unmapfuzz repro --zoo $zoo $out\$" "$scratch/out" || fail "minimize's replay line lacks --zoo"
	expect 1 "$uf" repro --zoo "$zoo" "$out"
	expect 0 "$uf" minimize --zoo "$zoo" --runs 200 -o "$scratch/chosen.scn" "$scratch/in/input.scn"
	[ -f "$scratch/chosen.scn" ] || fail "minimize -o wrote nothing"
	expect 2 "$uf" minimize "$seed"
	grep -q "does not fail" "$scratch/err" || fail "minimize of a passing input: $(cat "$scratch/err")"
fi

# 7. A copy of the tree: a configure failure, a stray seed file, a port the
#    zoo patch no longer applies to.
copy=$scratch/tree
mkdir -p "$copy"
tar -C "$src" --exclude=./build --exclude=./work --exclude=./.git -cf - . | tar -C "$copy" -xf -
cp "$copy/CMakeLists.txt" "$scratch/CMakeLists.good"
sed -i 's/^project(unmapfuzz LANGUAGES C CXX)$/&\nmessage(FATAL_ERROR "broken on purpose")/' "$copy/CMakeLists.txt"
expect 2 "$copy/unmapfuzz" print "$seed"
grep -q "configuring build/dev failed" "$scratch/err" || fail "a configure failure: $(cat "$scratch/err")"
cp "$scratch/CMakeLists.good" "$copy/CMakeLists.txt"
cp "$copy/corpus/seeds/s01_lazyfree_order4_discard.scn" "$copy/corpus/seeds/s01_lazyfree_order4_discard.scn.min.scn"
cmake -S "$copy" -B "$copy/build/glob" -G Ninja -DUNMAPFUZZ_TESTS=OFF -DUNMAPFUZZ_BENCH=OFF \
	>"$scratch/glob.log" 2>&1 || fail "a stray file in corpus/seeds breaks the configure: $(grep -m1 -A2 'CMake Error' "$scratch/glob.log")"
if [ $applies = 1 ]; then
	# Change every line the patch removes, as a port rewriting that code would.
	file=$(sed -n 's|^--- a/||p' "$copy/tests/bugzoo/$zoo.patch" | head -1)
	sed -n 's/^-\([^-].*\)$/\1/p' "$copy/tests/bugzoo/$zoo.patch" | while IFS= read -r l; do
		grep -nF -- "$l" "$copy/$file" | head -1 | cut -d: -f1
	done | sort -u | while read -r n; do sed -i "${n}s/\$/ \/\/ ported/" "$copy/$file"; done
	expect 77 "$copy/tests/bugzoo/zoo_entry.sh" "$zoo" "$copy" "$scratch/zoo-bin"
	grep -q "not applicable to this tree" "$scratch/out" || fail "zoo_entry.sh on a port: $(cat "$scratch/out")"
	grep -q "^$zoo|-|not applicable to this tree|" "$scratch/zoo-bin/zoo-results/$zoo.row" || fail "no 'not applicable' row"
	expect 2 "$copy/unmapfuzz" fuzz --zoo "$zoo" --time 1
	grep -q "not applicable to this tree" "$scratch/err" || fail "fuzz --zoo on a port: $(cat "$scratch/err")"
fi
ctest --test-dir "$src/build/dev" -R "^zoo\.$zoo\$" --show-only=json-v1 2>/dev/null | tr -d ' \n' |
	grep -q '"name":"SKIP_RETURN_CODE","value":77' || fail "zoo.$zoo has no SKIP_RETURN_CODE 77"

# 8. ./unmapfuzz test's summary, on a ctest run of a scratch project: one
#    test passes, one fails as a script does, one as GoogleTest does, one
#    times out, one is skipped.
proj=$scratch/ctest-project
mkdir -p "$proj"
cat >"$proj/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(summary LANGUAGES NONE)
enable_testing()
add_test(NAME ok COMMAND sh -c "echo fine")
add_test(NAME script COMMAND sh -c "echo some output; echo 'zoo x: not found within 200 executions'; exit 1")
add_test(NAME gtest COMMAND sh -c "echo '[ RUN      ] A.B'; echo 'a_test.cc:12: Failure'; echo 'Expected equality of these values:'; echo '  1'; echo '[  FAILED  ] A.B (0 ms)'; exit 1")
add_test(NAME skipped COMMAND sh -c "echo 'zoo y: not applicable to this tree'; exit 77")
set_tests_properties(skipped PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME hangs COMMAND sh -c "echo waiting; sleep 5")
set_tests_properties(hangs PROPERTIES TIMEOUT 1)
EOF
cmake -S "$proj" -B "$proj/build" >/dev/null 2>&1 || fail "cannot configure the scratch ctest project"
(
	# shellcheck source=/dev/null
	source "$src/unmapfuzz"
	# shellcheck source=/dev/null
	source "$src/tools/lib_ctest.sh"
	CTEST_CMD=(ctest --test-dir "$proj/build")
	ctest_run "$scratch/ctest.log"
) >"$scratch/summary.txt" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "the summary's status is $rc with three failing tests, expected 1"
grep -q "^  FAILED hangs: timed out after 1.[0-9]* s; last output: waiting$" "$scratch/summary.txt" || fail "no line for a timeout"
grep -q "^test: 5 test(s): 1 passed, 3 failed, 1 skipped" "$scratch/summary.txt" || fail "summary counts: $(cat "$scratch/summary.txt")"
grep -q "^  FAILED script: zoo x: not found within 200 executions$" "$scratch/summary.txt" || fail "no first line for a script failure"
grep -q "^  FAILED gtest: a_test.cc:12: Failure Expected equality of these values:$" "$scratch/summary.txt" ||
	fail "no first line for a GoogleTest failure: $(grep FAILED "$scratch/summary.txt")"
grep -q "^full ctest log: $scratch/ctest.log$" "$scratch/summary.txt" && grep -q "not found within 200" "$scratch/ctest.log" ||
	fail "the summary does not name the full log"

# 9. Interrupted: unmapfuzz-tool exhaust prints its counts so far and exits
#    130 (its own handlers, so a background job's ignored SIGINT does not
#    matter); ./unmapfuzz test's ctest runner stops ctest and its tests and
#    prints the summary so far.
"$tool" exhaust --max-order 3 --progress 1 >"$scratch/exhaust-int.out" 2>"$scratch/exhaust-int.err" &
pid=$!
sleep 3
kill -INT $pid
rc=0
wait $pid || rc=$?
tried=$((tried + 1))
[ $rc -eq 130 ] || fail "exhaust interrupted exits $rc, expected 130"
grep -q "^exhaust: interrupted after [0-9]* s: [0-9]* of [0-9]* points" "$scratch/exhaust-int.out" ||
	fail "exhaust interrupted: no summary so far: $(tail -1 "$scratch/exhaust-int.out")"
grep -q "^exhaust: 1 s, .* points, .* about [0-9]* s in all" "$scratch/exhaust-int.err" ||
	fail "exhaust prints no progress with an estimate: $(head -2 "$scratch/exhaust-int.err")"
echo 'add_test(NAME slow COMMAND sleep 120)' >>"$proj/CMakeLists.txt"
cmake -S "$proj" -B "$proj/build" >/dev/null 2>&1
(
	# shellcheck source=/dev/null
	source "$src/unmapfuzz"
	# shellcheck source=/dev/null
	source "$src/tools/lib_ctest.sh"
	CTEST_CMD=(ctest --test-dir "$proj/build" -j 2)
	ctest_run "$scratch/ctest-int.log"
) >"$scratch/summary-int.txt" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ "$(grep -c ' Test  *#' "$scratch/ctest-int.log" 2>/dev/null)" -ge 5 ] 2>/dev/null && break
	sleep 0.1
done
kill -TERM $pid
rc=0
wait $pid || rc=$?
tried=$((tried + 1))
[ $rc -eq 130 ] || fail "test interrupted exits $rc, expected 130"
grep -q "interrupted (SIGTERM) after [0-9]* s" "$scratch/summary-int.txt" || fail "test interrupted: no 'interrupted after' line"
grep -q "^test: 5 test(s) finished so far: 1 passed, 3 failed, 1 skipped" "$scratch/summary-int.txt" ||
	fail "test interrupted: no summary so far: $(cat "$scratch/summary-int.txt")"
sleep 1
for p in $(pgrep -x sleep); do
	if grep -q "^sleep.120.$" "/proc/$p/cmdline" 2>/dev/null && [ "$(ps -o sid= -p "$p" | tr -d ' ')" = "$(ps -o sid= -p $$ | tr -d ' ')" ]; then
		fail "the interrupted ctest left its test running (pid $p)"
		kill "$p"
	fi
done

echo "cli contract: $tried command lines tried, $fails failure(s) (each with what it printed: $scratch/tried.txt)"
[ $fails -eq 0 ]
