#!/usr/bin/env bash
# The scenario tool as users call it: repro exit codes, file:line parse
# errors, print/encode round trips. cli_checks.sh TOOL SOURCE_DIR WORK_DIR
set -uo pipefail
tool=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fails=0
check() { if "$@"; then :; else echo "FAILED: $*"; fails=$((fails + 1)); fi; }

seed=$(ls "$src"/corpus/seeds/*.scn | head -1)
"$tool" repro "$seed" >"$work/report.txt" 2>&1
check test $? -eq 0
check grep -q '^== verdict: OK' "$work/report.txt"
check grep -q '^    before ' "$work/report.txt"

printf 'unmapfuzz-scenario v1\nfolio lazyfree order=2\nvma 0 mm=0 start=0x200000 end=0x210000 folio=0x200000\npte vma=0 pages=0-3 presnt\n' >"$work/bad.scn"
"$tool" repro "$work/bad.scn" >/dev/null 2>"$work/err.txt"
check test $? -eq 2
check grep -qE "^$work/bad.scn:4: " "$work/err.txt"

"$tool" repro "$work/missing.scn" >/dev/null 2>"$work/err2.txt"
check test $? -eq 2
check grep -qE "missing.scn: cannot read: No such file or directory" "$work/err2.txt"

"$tool" repro --json "$seed" >"$work/report.json"
check grep -q '"schema":1' "$work/report.json"
check grep -q '"verdict":{"allowed":\[[^]]*\],"class":"[a-z_]*","detail":"[^"]*","kind":"OK","known":null,"ok":true' "$work/report.json"

for scn in "$src"/corpus/seeds/*.scn; do
	"$tool" encode "$scn" "$work/x.bin" && "$tool" print "$work/x.bin" >"$work/x.scn" &&
		"$tool" encode "$work/x.scn" "$work/y.bin" || { echo "FAILED: convert $scn"; fails=$((fails + 1)); continue; }
	check cmp -s "$work/x.bin" "$work/y.bin"
done
echo "cli checks: $fails failure(s)"
[ $fails -eq 0 ]
