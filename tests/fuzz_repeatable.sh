#!/usr/bin/env bash
# A libFuzzer campaign repeats: the same build, starting corpus and -seed
# give the same search, so a crash found after N executions is found after N
# executions again, in any directory. Two bounded runs of TARGET with
# -seed=1, one from SEEDS_DIR into a/corpus, one from a copy of it made in
# reverse order into a longer path, must write the same corpus and the same
# statistics. Address-space randomisation differs between the runs too. Two
# leaks made them differ before: UBSan's pointer-overflow check compares
# addresses, and libFuzzer ran its own path strings through our instrumented
# std::string code; either way the value reached libFuzzer's table of recent
# comparisons, which it mutates from (see the presets' flags).
# fuzz_repeatable.sh TARGET SEEDS_DIR WORK_DIR RUNS
set -uo pipefail
target=$1 seeds=$2 work=$3 runs=$4
rm -rf "$work" && b=$work/second-run-in-a-longer-path
mkdir -p "$work/a/corpus" "$b/corpus" "$b/seeds"
fail() { echo "fuzz repeatable: $*"; exit 1; }
for f in $(ls -r "$seeds"); do cp "$seeds/$f" "$b/seeds/"; done
run() { # DIR SEEDS
	local rc=0
	"$target" -seed=1 -runs="$runs" -max_len=16384 -artifact_prefix="$1/" "$1/corpus" "$2" >"$1/log" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || { tail -20 "$1/log"; fail "the target failed (exit $rc)"; }
	grep '^unmapfuzz-stats:' "$1/log" | tail -1 >"$1/stats"
	ls "$1/corpus" >"$1/files"
}
run "$work/a" "$seeds"
run "$b" "$b/seeds"
[ -s "$work/a/stats" ] || fail "no statistics line"
n=$(wc -l <"$work/a/files")
[ "$n" -gt 0 ] || fail "the campaign added nothing to its corpus, so there is nothing to compare"
cmp -s "$work/a/stats" "$b/stats" || fail "the statistics differ: $(cat "$work/a/stats") | $(cat "$b/stats")"
cmp -s "$work/a/files" "$b/files" ||
	fail "the corpora differ ($n vs $(wc -l <"$b/files") files; $(comm -3 "$work/a/files" "$b/files" | wc -l) not in both)"
echo "fuzz repeatable: two runs of $runs executions wrote the same $n corpus files; $(cat "$work/a/stats")"
