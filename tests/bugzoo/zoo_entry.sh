#!/usr/bin/env bash
# One bug-zoo entry: zoo_entry.sh NAME SOURCE_DIR BINARY_DIR
#  1. build zoo_NAME (the patch must apply cleanly);
#  2. corpus/regression/NAME.scn passes on the clean build and fails on the
#     patched one with the class its "# expect:" line names;
#  3. fuzzing the variant from corpus/seeds (which must not hold the
#     reproducer) with -seed=1 finds a class the patch's "# expect-fuzz:" line
#     allows within the patch's "# budget:" executions.
# Writes BINARY_DIR/zoo-results/NAME.row for ./unmapfuzz zoo's table.
set -uo pipefail
name=$1 src=$2 bin=$3
patch=$src/tests/bugzoo/$name.patch
regress=$src/corpus/regression/$name.scn
tmp=$bin/zoo-work/$name
rm -rf "$tmp" && mkdir -p "$tmp/corpus" "$bin/zoo-results"

fail() { echo "zoo $name: $*" >&2; exit 1; }
class_of() { sed -n 's/^unmapfuzz: \(INVARIANT\|DIVERGENCE\) \([a-z_0-9]*\).*/\1 \2/p' | head -1; }

expect_fuzz=$(sed -n 's/^# expect-fuzz: //p' "$patch" | head -1)
budget=$(sed -n 's/^# budget: //p' "$patch" | head -1)
[ -n "$expect_fuzz" ] || fail "$patch has no '# expect-fuzz:' line"
[ -n "$budget" ] || fail "$patch has no '# budget:' line"
[ -f "$regress" ] || fail "missing $regress"
expect_regress=$(sed -n 's/^# expect: //p' "$regress" | head -1)
[ -n "$expect_regress" ] || fail "$regress has no '# expect:' line"

cmake --build "$bin" --target "zoo_$name" unmapfuzz-tool seeds >"$tmp/build.log" 2>&1 ||
	{ tail -20 "$tmp/build.log" >&2; fail "the patch does not apply or the variant does not build"; }

"$bin/unmapfuzz-tool" repro "$regress" >"$tmp/clean.txt" 2>&1 ||
	fail "the clean build fails $regress: $(class_of <"$tmp/clean.txt")"
"$bin/unmapfuzz-tool" encode "$regress" "$tmp/regress.bin" || fail "cannot encode $regress"
for seed in "$bin"/seeds-bin/*; do
	cmp -s "$seed" "$tmp/regress.bin" && fail "the seed corpus holds the reproducer ($seed)"
done
got=$("$bin/zoo_$name" "$tmp/regress.bin" 2>&1 | class_of)
[ "$got" = "$expect_regress" ] || fail "patched build on $regress: expected '$expect_regress', got '${got:-no failure}'"

start=$(date +%s%N)
"$bin/zoo_$name" -seed=1 -runs="$budget" -max_len=16384 -artifact_prefix="$tmp/" \
	-dict="$src/fuzz/unmap_diff.dict" "$tmp/corpus" "$bin/seeds-bin" >"$tmp/fuzz.log" 2>&1
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
found=$(class_of <"$tmp/fuzz.log")
execs=$(sed -n 's/^unmapfuzz: found after \([0-9]*\) executions.*/\1/p' "$tmp/fuzz.log" | head -1)
# The row's fields are separated by '|': list the expected set with ','.
printf '%s|%s|%s|%s|%d.%03d\n' "$name" "${expect_fuzz//|/,}" "${found:-none}" "${execs:--}" \
	$((elapsed / 1000)) $((elapsed % 1000)) >"$bin/zoo-results/$name.row"
[ -n "$found" ] || fail "not found by fuzzing within $budget executions"
case "|$expect_fuzz|" in
*"|$found|"*) ;;
*) fail "fuzzing found '$found', expected one of '$expect_fuzz'" ;;
esac
echo "zoo $name: regression '$expect_regress'; fuzzing found '$found' after $execs executions"
