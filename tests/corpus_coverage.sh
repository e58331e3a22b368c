#!/usr/bin/env bash
# ./unmapfuzz corpus merge|prune and ./unmapfuzz coverage from a scratch
# $WORK (they build the libfuzzer and coverage presets of the source tree):
#   - merge folds a directory (the binary seeds twice over, under other
#     names, plus the inputs a short -seed=1 fuzz run of the dev build
#     added) into the working corpus, keeping fewer files than there are
#     distinct inputs (so it drops inputs for their features, not only
#     copies) and at least one, all of which replay clean;
#   - a second merge (inputs of another fuzz run) keeps every input already
#     in the corpus and says how many it kept and added, truthfully;
#   - prune keeps no more files than merge left, and says how many it kept
#     and dropped, truthfully;
#   - coverage replays seeds, regressions and the corpus and reports the two
#     implementations; the seeds cover every line of batched/rmap.cc and
#     reference/rmap.cc but a handful (the branch-row rule of the seeds).
#   corpus_coverage.sh SOURCE_DIR SCRATCH_DIR MIN_LINE_PERCENT
set -uo pipefail
src=$1 scratch=$2 min=$3
rm -rf "$scratch"
mkdir -p "$scratch/extra"
export UNMAPFUZZ_WORK=$scratch/work
fail() { echo "corpus/coverage: $*"; exit 1; }

n=0
for f in "$src"/corpus/seeds/*.scn; do
	"$src/build/dev/unmapfuzz-tool" encode "$f" "$scratch/extra/a$n" || fail "cannot encode $f"
	cp "$scratch/extra/a$n" "$scratch/extra/b$n"
	n=$((n + 1))
done
given=$((2 * n))
# Inputs that each added coverage when found, some of them made redundant
# by later ones: a merge from scratch keeps fewer.
mkdir -p "$scratch/fuzzed"
"$src/build/dev/unmap_diff" -seed=1 -runs=5000 -max_len=16384 "$scratch/fuzzed" "$src/build/dev/seeds-bin" \
	>"$scratch/fuzz.log" 2>&1 || fail "the fuzz run for extra inputs failed"
nfuzzed=$(find "$scratch/fuzzed" -type f | wc -l)
[ "$nfuzzed" -gt 0 ] || fail "the fuzz run added no inputs"
cp "$scratch/fuzzed"/* "$scratch/extra/"
given=$((given + nfuzzed)) distinct=$((n + nfuzzed))

"$src/unmapfuzz" corpus merge "$scratch/extra" >"$scratch/merge.log" 2>&1 || { cat "$scratch/merge.log"; fail "corpus merge failed"; }
corpus=$UNMAPFUZZ_WORK/corpus
merged=$(find "$corpus" -maxdepth 1 -type f | wc -l)
[ "$merged" -ge 1 ] && [ "$merged" -lt "$distinct" ] ||
	fail "merge kept $merged of $given files ($distinct distinct): it must drop redundant inputs"
"$src/build/libfuzzer/unmap_diff" -runs=0 "$corpus" >"$scratch/replay.log" 2>&1 || fail "a merged input fails: $(grep -m1 '^unmapfuzz: ' "$scratch/replay.log")"

hashes() { find "$1" -maxdepth 1 -type f -print0 | xargs -0 -r sha1sum | cut -d' ' -f1 | sort -u; }
hashes "$corpus" >"$scratch/before-merge"
mkdir -p "$scratch/fuzzed2"
"$src/build/dev/unmap_diff" -seed=2 -runs=3000 -max_len=16384 "$scratch/fuzzed2" "$src/build/dev/seeds-bin" \
	>"$scratch/fuzz2.log" 2>&1 || fail "the second fuzz run failed"
"$src/unmapfuzz" corpus merge "$scratch/fuzzed2" >"$scratch/merge2.log" 2>&1 || { cat "$scratch/merge2.log"; fail "the second corpus merge failed"; }
hashes "$corpus" >"$scratch/after-merge"
lost=$(comm -23 "$scratch/before-merge" "$scratch/after-merge" | wc -l)
[ "$lost" -eq 0 ] || fail "merge dropped $lost of the $(wc -l <"$scratch/before-merge") inputs already in the corpus"
old=$(wc -l <"$scratch/before-merge") now=$(wc -l <"$scratch/after-merge")
grep -q "kept all $old input(s) of the corpus, added $((now - old)) of the " "$scratch/merge2.log" ||
	fail "merge does not say what it kept and added ($old kept, $((now - old)) added): $(tail -1 "$scratch/merge2.log")"
merged=$now

"$src/unmapfuzz" corpus prune >"$scratch/prune.log" 2>&1 || { cat "$scratch/prune.log"; fail "corpus prune failed"; }
pruned=$(find "$corpus" -maxdepth 1 -type f | wc -l)
[ "$pruned" -ge 1 ] && [ "$pruned" -le "$merged" ] || fail "prune left $pruned files of $merged"
grep -q "kept $pruned of $merged input(s), dropped $((merged - pruned)) " "$scratch/prune.log" ||
	fail "prune does not say what it kept and dropped: $(tail -1 "$scratch/prune.log")"
[ -z "$(find "$UNMAPFUZZ_WORK" -maxdepth 1 -name '.scratch.*')" ] || fail "corpus left its scratch directory"

"$src/unmapfuzz" coverage >"$scratch/coverage.log" 2>&1 || { tail -20 "$scratch/coverage.log"; fail "coverage failed"; }
[ -s "$UNMAPFUZZ_WORK/coverage/html/index.html" ] || fail "no HTML report"
for f in batched/rmap.cc reference/rmap.cc; do
	pct=$(awk -v f="$f" '$1 == f && $2 == "lines" { sub(/%/, "", $3); print int($3) }' "$scratch/coverage.log")
	[ -n "$pct" ] || { cat "$scratch/coverage.log"; fail "no coverage line for $f"; }
	[ "$pct" -ge "$min" ] || fail "$f: line coverage $pct% < $min%"
done
echo "corpus/coverage: merge kept $merged of $given ($distinct distinct), prune $pruned; $(grep -E '^(batched|reference)/rmap.cc' "$scratch/coverage.log" | tr -s ' ' | tr '\n' ';')"
