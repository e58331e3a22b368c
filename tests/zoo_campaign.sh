#!/usr/bin/env bash
# The crash workflow of the driver end to end, on a planted bug:
#   ./unmapfuzz fuzz --zoo NAME      (libFuzzer, -fork, bounded) finds crashes;
#   ./unmapfuzz triage --zoo NAME    groups them by class, counts the engine of
#                                    each file and writes one minimised .scn;
#   ./unmapfuzz minimize --zoo NAME  shrinks one crash file to a regression
#                                    draft that still fails the same way.
# With ENGINE=afl (and AFL++ installed) the campaign runs under AFL++ instead.
# Every reproducer written must fail with the expected class on the patched
# build and pass on the clean one.
#   zoo_campaign.sh SOURCE_DIR SCRATCH_DIR NAME CLASS [ENGINE]
set -uo pipefail
src=$1 scratch=$2 name=$3 class=$4 engine=${5:-libfuzzer}
rm -rf "$scratch"
mkdir -p "$scratch"
export UNMAPFUZZ_WORK=$scratch/work
fail() { echo "zoo campaign ($engine): $*"; exit 1; }
class_of() { "$1" repro "$2" 2>&1 >/dev/null | sed -n 's/^unmapfuzz: \(INVARIANT\|DIVERGENCE\) \([a-z0-9_]*\).*/\1 \2/p' | head -1; }
home=$UNMAPFUZZ_WORK/zoo/$name
clean=$src/build/dev/unmapfuzz-tool
patched=$src/build/dev/zoo/$name/unmapfuzz-tool

# 1. A bounded campaign: the seeds already reach this entry's branch, so it
#    finds the bug at once (the zoo ctests measure mutation separately).
"$src/unmapfuzz" fuzz --engine "$engine" --zoo "$name" --jobs 1 --time 20 >"$scratch/fuzz.log" 2>&1
rc=$?
[ $rc -eq 1 ] || { tail -30 "$scratch/fuzz.log"; fail "fuzz --zoo exited $rc, expected 1 (failures found)"; }
grep -q "^$class " "$scratch/fuzz.log" || { tail -20 "$scratch/fuzz.log"; fail "the campaign's summary has no '$class' line"; }
[ -x "$patched" ] || fail "no $patched"

# 2. Triage: one class line with the right engine column, one reproducer.
"$src/unmapfuzz" triage --zoo "$name" "$home" >"$scratch/triage.log" 2>&1
rc=$?
[ $rc -eq 1 ] || { cat "$scratch/triage.log"; fail "triage exited $rc, expected 1"; }
line=$(grep "^$class " "$home/triage/summary.txt") || { cat "$scratch/triage.log"; fail "no '$class' in the triage summary"; }
read -r _ _ files lf afl _ <<<"$line"
if [ "$engine" = afl ]; then
	[ "$afl" -ge 1 ] && [ "$afl" -eq "$files" ] || fail "triage counts $afl AFL++ file(s) of $files: $line"
else
	[ "$lf" -ge 1 ] && [ "$lf" -eq "$files" ] || fail "triage counts $lf libFuzzer file(s) of $files: $line"
fi
scn=$home/triage/${class// /_}.scn
[ -f "$scn" ] || fail "no minimised reproducer $scn"
grep -q "^# expect: $class\$" "$scn" || fail "$scn has no '# expect: $class' line"
[ "$(class_of "$patched" "$scn")" = "$class" ] || fail "$scn does not fail with '$class' on the patched build"
"$clean" repro "$scn" >/dev/null 2>&1 || fail "$scn fails on the clean build too"

# 3. Minimise one crash file by hand, the largest scenario of the class:
#    same class, fewer scenario lines.
crash="" before=0
while IFS= read -r f; do
	n=$("$clean" print "$f" | grep -vc '^#')
	if [ "$n" -gt "$before" ]; then crash=$f before=$n; fi
done <"$home/triage/${class// /_}.files"
[ -f "$crash" ] || fail "no crash file listed for $class"
"$src/unmapfuzz" minimize --zoo "$name" --runs 2000 "$crash" >"$scratch/minimize.log" 2>&1 ||
	{ cat "$scratch/minimize.log"; fail "minimize failed"; }
[ -f "$crash.min.scn" ] && [ -f "$crash" ] || fail "minimize must keep $crash and write $crash.min.scn"
[ "$(class_of "$patched" "$crash.min.scn")" = "$class" ] || fail "the minimised file does not fail with '$class'"
after=$(grep -vc '^#' "$crash.min.scn")
[ "$after" -lt "$before" ] || fail "minimised to $after scenario lines from $before"
echo "zoo campaign ($engine): $name found as '$class' ($files file(s)); reproducer $after lines (crash file $before)"
