#!/usr/bin/env bash
# One bug-zoo entry: zoo_entry.sh NAME SOURCE_DIR BINARY_DIR
#  1. build zoo_NAME (the patch must apply cleanly);
#  2. corpus/regression/NAME.scn passes on the clean build and fails on the
#     patched one with the class its "# expect:" line names;
#  3. fuzzing the variant from corpus/seeds (which must not hold the
#     reproducer) with -seed=1 finds a class the patch's "# expect-fuzz:" line
#     allows within the patch's "# budget:" executions;
#  4. so does fuzzing from only the seeds that do not trigger the bug: most
#     entries fall to a seed in step 3, which proves the oracle catches the
#     bug but not that mutation reaches it. AFL++'s dry run drops crashing
#     seeds the same way.
# Writes BINARY_DIR/zoo-results/NAME.row for ./unmapfuzz zoo's table. An
# entry whose patch does not apply to SOURCE_DIR (a port changed the code it
# plants its bug in) is skipped: exit 77, ctest's SKIP_RETURN_CODE, and a row
# saying "not applicable to this tree".
set -uo pipefail
name=$1 src=$2 bin=$3
patch=$src/tests/bugzoo/$name.patch
regress=$src/corpus/regression/$name.scn
tmp=$bin/zoo-work/$name
rm -rf "$tmp" && mkdir -p "$tmp" "$bin/zoo-results"

why=$("$src/tests/bugzoo/zoo_applies.sh" "$name" "$src")
case $? in
0) ;;
77)
	echo "$why"
	printf '%s|-|not applicable to this tree|-|-|-|-|-|-\n' "$name" >"$bin/zoo-results/$name.row"
	exit 77
	;;
*) echo "$why" >&2; exit 1 ;;
esac

fail() { echo "zoo $name: $*" >&2; exit 1; }
class_of() { sed -n 's/^unmapfuzz: \(INVARIANT\|DIVERGENCE\) \([a-z_0-9]*\).*/\1 \2/p' | head -1; }

expect_fuzz=$(sed -n 's/^# expect-fuzz: //p' "$patch" | head -1)
budget=$(sed -n 's/^# budget: //p' "$patch" | head -1)
[ -n "$expect_fuzz" ] || fail "$patch has no '# expect-fuzz:' line"
[ -n "$budget" ] || fail "$patch has no '# budget:' line"
[ -f "$regress" ] || fail "missing $regress"
expect_regress=$(sed -n 's/^# expect: //p' "$regress" | head -1)
[ -n "$expect_regress" ] || fail "$regress has no '# expect:' line"

# Under ctest the zoo.build fixture has built every variant
# (UNMAPFUZZ_PREBUILT=1): a second build here would share the build
# directory with the entry running beside it.
if [ -z "${UNMAPFUZZ_PREBUILT:-}" ]; then
	cmake --build "$bin" --target "zoo_$name" "zoo_tool_$name" unmapfuzz-tool seeds >"$tmp/build.log" 2>&1 ||
		{ tail -20 "$tmp/build.log" >&2; fail "the patch does not apply or the variant does not build"; }
fi
[ -x "$bin/zoo_$name" ] && [ -x "$bin/zoo/$name/unmapfuzz-tool" ] ||
	fail "no $bin/zoo_$name or $bin/zoo/$name/unmapfuzz-tool: the variant was not built (ctest's zoo.build)"

"$bin/unmapfuzz-tool" repro "$regress" >"$tmp/clean.txt" 2>&1 ||
	fail "the clean build fails $regress: $(class_of <"$tmp/clean.txt")"
"$bin/unmapfuzz-tool" encode "$regress" "$tmp/regress.bin" || fail "cannot encode $regress"
for seed in "$bin"/seeds-bin/*; do
	cmp -s "$seed" "$tmp/regress.bin" && fail "the seed corpus holds the reproducer ($seed)"
done
got=$("$bin/zoo_$name" "$tmp/regress.bin" 2>&1 | class_of)
[ "$got" = "$expect_regress" ] || fail "patched build on $regress: expected '$expect_regress', got '${got:-no failure}'"

# fuzz DIR SEEDS: one bounded libFuzzer run; sets found, execs, secs.
fuzz() {
	mkdir -p "$1/corpus"
	local start elapsed
	start=$(date +%s%N)
	"$bin/zoo_$name" -seed=1 -runs="$budget" -max_len=16384 -artifact_prefix="$1/" \
		-dict="$src/fuzz/unmap_diff.dict" "$1/corpus" "$2" >"$1/fuzz.log" 2>&1
	elapsed=$((($(date +%s%N) - start) / 1000000))
	found=$(class_of <"$1/fuzz.log")
	execs=$(sed -n 's/^unmapfuzz: found after \([0-9]*\) executions.*/\1/p' "$1/fuzz.log" | head -1)
	secs=$(printf '%d.%03d' $((elapsed / 1000)) $((elapsed % 1000)))
}
expected() { case "|$expect_fuzz|" in *"|$1|"*) return 0 ;; esac; return 1; }

fuzz "$tmp/all" "$bin/seeds-bin"
all_found=$found all_execs=$execs all_secs=$secs

nall=$(find "$bin/seeds-bin" -type f | wc -l)
"$src/tests/quiet_seeds.sh" "$bin/zoo/$name/unmapfuzz-tool" "$bin/seeds-bin" "$tmp/quiet-seeds" ||
	fail "cannot replay the seeds"
nquiet=$(find "$tmp/quiet-seeds" -type f | wc -l)
found="" execs="" secs=""
[ "$nquiet" -gt 0 ] && fuzz "$tmp/quiet" "$tmp/quiet-seeds"

# The row's fields are separated by '|': list the expected set with ','.
printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$name" "${expect_fuzz//|/,}" "${all_found:-none}" "${all_execs:--}" \
	"$all_secs" "${found:-none}" "${execs:--}" "${secs:--}" "$nquiet/$nall" >"$bin/zoo-results/$name.row"
[ -n "$all_found" ] || fail "not found by fuzzing from the seeds within $budget executions"
expected "$all_found" || fail "fuzzing from the seeds found '$all_found', expected one of '$expect_fuzz'"
[ "$nquiet" -gt 0 ] || fail "every seed triggers the bug: no start left to measure the search from"
[ -n "$found" ] || fail "not found by mutation from the $nquiet seeds that do not trigger it within $budget executions"
expected "$found" || fail "fuzzing from the $nquiet quiet seeds found '$found', expected one of '$expect_fuzz'"
echo "zoo $name: regression '$expect_regress'; fuzzing found '$all_found' after $all_execs executions" \
	"from all seeds, '$found' after $execs from the $nquiet of $nall seeds that do not trigger it"
