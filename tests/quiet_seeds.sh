#!/usr/bin/env bash
# Copies into OUT_DIR the seeds of SEEDS_DIR that the planted build TOOL
# (its unmapfuzz-tool) passes: the starts a zoo entry measures mutation from.
# One "check --each" replays them all in one process (a process per seed
# spent most of a zoo entry's time starting the sanitizers).
#   quiet_seeds.sh TOOL SEEDS_DIR OUT_DIR
set -uo pipefail
tool=$1 seeds=$2 out=$3
mkdir -p "$out"
rc=0
lines=$("$tool" check --each "$seeds"/*) || rc=$?
# 0: every seed passes; 1: some fail; anything else is no verdict at all.
[ "$rc" -le 1 ] || { echo "quiet_seeds.sh: $tool check exited $rc" >&2; exit 2; }
awk '$1 == "NOT_REPRODUCED" { print $NF }' <<<"$lines" | while IFS= read -r seed; do
	cp "$seed" "$out/"
done
