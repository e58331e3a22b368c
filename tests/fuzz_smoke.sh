#!/usr/bin/env bash
# Deterministic libFuzzer smoke run on the seed corpus: fixed seed, bounded
# runs. Fails on any crash, and when the campaign compared nothing (every
# execution must reach a verdict, most of them a comparison).
# fuzz_smoke.sh TARGET SEEDS_DIR WORK_DIR RUNS
set -uo pipefail
target=$1 seeds=$2 work=$3 runs=$4
rm -rf "$work" && mkdir -p "$work/corpus"
"$target" -seed=1 -runs="$runs" -max_len=16384 -artifact_prefix="$work/" "$work/corpus" "$seeds" \
	>"$work/log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	grep -E '^unmapfuzz: ' "$work/log" | head -5
	tail -40 "$work/log"
	echo "fuzz smoke: the target failed (exit $rc)"
	exit 1
fi
stats=$(grep '^unmapfuzz-stats:' "$work/log" | tail -1)
echo "$stats"
execs=$(sed -n 's/.* execs=\([0-9]*\).*/\1/p' <<<"$stats")
exact=$(sed -n 's/.* exact=\([0-9]*\).*/\1/p' <<<"$stats")
legality=$(sed -n 's/.* legality=\([0-9]*\).*/\1/p' <<<"$stats")
[ -n "$execs" ] && [ "$execs" -ge "$runs" ] || { echo "fuzz smoke: ran ${execs:-0} of $runs executions"; exit 1; }
[ $((exact + legality)) -eq "$execs" ] || { echo "fuzz smoke: not every execution reached a verdict"; exit 1; }
[ "$legality" -gt 0 ] && [ "$exact" -gt 0 ] || { echo "fuzz smoke: a verdict kind never occurred"; exit 1; }
echo "fuzz smoke: $execs executions, $exact exact, $legality legality"
