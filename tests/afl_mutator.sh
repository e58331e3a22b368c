#!/usr/bin/env bash
# The AFL++ custom mutator library (fuzz/afl_mutator.cc) loads into afl-fuzz
# and is what mutates: a few seconds of afl-fuzz with only the custom mutator
# (AFL_CUSTOM_MUTATOR_ONLY=1) on the replay build of the target, as a plain
# program (-n: no coverage map needed), must run more inputs than the seeds;
# and every input the target ran must have decoded without a clamp, a junk
# seed included: afl_custom_post_process() re-encodes each one first. Each
# replay process leaves its statistics in UNMAPFUZZ_STATS_DIR.
# Skipped (77) without afl-fuzz.
#   afl_mutator.sh LIBRARY REPLAY_BIN SEEDS_DIR WORK_DIR
set -uo pipefail
lib=$1 replay=$2 seeds=$3 work=$4
command -v afl-fuzz >/dev/null || { echo "afl mutator: afl-fuzz not installed, skipped"; exit 77; }
fail() { echo "afl mutator: $*"; sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' "$work/log" | tail -15; exit 1; }
rm -rf "$work" && mkdir -p "$work/in"
# A few seeds: afl-fuzz calibrates each one first, at a process per run.
find "$seeds" -maxdepth 1 -type f | sort | head -4 | xargs cp -t "$work/in"
printf '\377\377\377\377\377\377' >"$work/in/junk" # a version byte and enum tags out of range
nseeds=$(find "$work/in" -type f | wc -l)
mkdir -p "$work/stats"
UNMAPFUZZ_STATS_DIR=$work/stats AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
	AFL_CUSTOM_MUTATOR_LIBRARY=$lib AFL_CUSTOM_MUTATOR_ONLY=1 ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:symbolize=0 \
	timeout 120 afl-fuzz -n -V 4 -t 2000 -m none -s 1 -i "$work/in" -o "$work/out" -- "$replay" @@ \
	>"$work/log" 2>&1 || fail "afl-fuzz failed"
grep -q "Loading custom mutator library" "$work/log" || fail "the library was not loaded"
! grep -q "PROGRAM ABORT\|Symbol 'afl_custom_fuzz' not found" "$work/log" || fail "afl-fuzz refused the library"
! grep -q "symbol 'afl_custom_post_process' not found" "$work/log" || fail "afl-fuzz found no afl_custom_post_process"
execs=$(find "$work/out" -name plot_data -exec tail -1 {} \; | awk -F', ' '{ print $12 }' | head -1)
[ -n "$execs" ] && [ "$execs" -gt "$nseeds" ] ||
	fail "${execs:-no} executions for $nseeds seeds: the custom mutator produced nothing"
read -r ran clamped < <(cat "$work"/stats/stats-* 2>/dev/null |
	sed -n 's/.* execs=\([0-9]*\) .* clamped=\([0-9]*\) .*/\1 \2/p' | awk '{ e += $1; c += $2 } END { print e + 0, c + 0 }')
[ "$ran" -gt "$nseeds" ] || fail "the target's statistics count $ran executions"
[ "$clamped" = 0 ] || fail "$clamped of $ran executions were clamped: post_process did not canonicalise them"
echo "afl mutator: loaded; $execs executions from $nseeds seeds (one junk), every mutation the library's; $ran runs of the target, none clamped"
