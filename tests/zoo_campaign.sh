#!/usr/bin/env bash
# The crash workflow of the driver end to end, on a planted bug:
#   ./unmapfuzz fuzz --zoo NAME      (libFuzzer, -fork, bounded) finds crashes;
#   ./unmapfuzz triage --zoo NAME    groups them by class, counts the engine of
#                                    each file and writes one minimised .scn;
#   ./unmapfuzz minimize --zoo NAME  shrinks one crash file to a regression
#                                    draft that still fails the same way, in
#                                    $WORK/minimized, not beside the crash file.
# Every "./unmapfuzz repro ..." line the three print must reproduce the class
# when run as printed (with --zoo NAME: on the clean tree it passes). Skipped
# (77) when NAME's patch does not apply to this tree.
# With ENGINE=afl (and AFL++ installed) the campaign runs under AFL++ instead.
# Every reproducer written must fail with the expected class on the patched
# build and pass on the clean one.
#   zoo_campaign.sh SOURCE_DIR SCRATCH_DIR NAME CLASS [ENGINE]
set -uo pipefail
src=$1 scratch=$2 name=$3 class=$4 engine=${5:-libfuzzer}
"$src/tests/bugzoo/zoo_applies.sh" "$name" "$src" || exit 77
rm -rf "$scratch"
mkdir -p "$scratch"
export UNMAPFUZZ_WORK=$scratch/work
fail() { echo "zoo campaign ($engine): $*"; exit 1; }
class_of() { "$1" repro "$2" 2>&1 >/dev/null | sed -n 's/^unmapfuzz: \(INVARIANT\|DIVERGENCE\) \([a-z0-9_]*\).*/\1 \2/p' | head -1; }
home=$UNMAPFUZZ_WORK/zoo/$name
# Runs every "./unmapfuzz repro ..." in LOG from the source directory: each
# must exit 1 with CLASS.
repro_lines() { # LOG WHAT
	local args n=0 got rc
	while IFS= read -r args; do
		n=$((n + 1))
		rc=0
		# shellcheck disable=SC2086 # the line as printed, split into words
		got=$(cd "$src" && ./unmapfuzz repro $args 2>&1 >/dev/null) || rc=$?
		[ "$rc" -eq 1 ] && grep -q "^unmapfuzz: $class\$" <<<"$got" ||
			fail "$2 printed './unmapfuzz repro $args', which exits $rc: $(tail -1 <<<"$got")"
	done < <(sed -n 's|.*\./unmapfuzz repro \(.*\)$|\1|p' "$1" | sed 's/ (.*$//')
	[ "$n" -gt 0 ] || fail "$2 printed no repro line"
}
clean=$src/build/dev/unmapfuzz-tool
patched=$src/build/dev/zoo/$name/unmapfuzz-tool

# 1. A bounded campaign: the seeds already reach this entry's branch, so it
#    finds the bug at once (the zoo ctests measure mutation separately).
"$src/unmapfuzz" fuzz --engine "$engine" --zoo "$name" --jobs 1 --time 20 >"$scratch/fuzz.log" 2>&1
rc=$?
[ $rc -eq 1 ] || { tail -30 "$scratch/fuzz.log"; fail "fuzz --zoo exited $rc, expected 1 (failures found)"; }
grep -q "^$class " "$scratch/fuzz.log" || { tail -20 "$scratch/fuzz.log"; fail "the campaign's summary has no '$class' line"; }
[ -x "$patched" ] || fail "no $patched"
repro_lines "$scratch/fuzz.log" "fuzz --zoo"

# 2. Triage: one class line with the right engine column, one reproducer.
"$src/unmapfuzz" triage --zoo "$name" "$home" >"$scratch/triage.log" 2>&1
rc=$?
[ $rc -eq 1 ] || { cat "$scratch/triage.log"; fail "triage exited $rc, expected 1"; }
# The class may carry the bug it is known as (" known=B20": a zoo model
# names its bug); the group's files are named after class and name.
line=$(grep -E "^$class( known=[A-Z0-9]+)? " "$home/triage/summary.txt") || { cat "$scratch/triage.log"; fail "no '$class' in the triage summary"; }
key=$(sed -E "s/^($class( known=[A-Z0-9]+)?) .*/\1/" <<<"$line")
read -r files lf afl _ <<<"${line#"$key"}"
if [ "$engine" = afl ]; then
	[ "$afl" -ge 1 ] && [ "$afl" -eq "$files" ] || fail "triage counts $afl AFL++ file(s) of $files: $line"
else
	[ "$lf" -ge 1 ] && [ "$lf" -eq "$files" ] || fail "triage counts $lf libFuzzer file(s) of $files: $line"
fi
scn=$home/triage/${key// /_}.scn
[ -f "$scn" ] || fail "no minimised reproducer $scn"
grep -q "^# expect: $class\$" "$scn" || fail "$scn has no '# expect: $class' line"
[ "$(class_of "$patched" "$scn")" = "$class" ] || fail "$scn does not fail with '$class' on the patched build"
"$clean" repro "$scn" >/dev/null 2>&1 || fail "$scn fails on the clean build too"
repro_lines "$scratch/triage.log" "triage --zoo"

# 3. Minimise one crash file by hand, the largest scenario of the class:
#    same class, fewer scenario lines.
crash="" before=0
while IFS= read -r f; do
	n=$("$clean" print "$f" | grep -vc '^#')
	if [ "$n" -gt "$before" ]; then crash=$f before=$n; fi
done <"$home/triage/${key// /_}.files"
[ -f "$crash" ] || fail "no crash file listed for $class"
"$src/unmapfuzz" minimize --zoo "$name" --runs 2000 "$crash" >"$scratch/minimize.log" 2>&1 ||
	{ cat "$scratch/minimize.log"; fail "minimize failed"; }
min=$UNMAPFUZZ_WORK/minimized/$(basename "$crash").min.scn
[ -f "$min" ] && [ -f "$crash" ] || fail "minimize must keep $crash and write $min"
[ ! -e "$crash.min.scn" ] || fail "minimize wrote beside the crash file"
[ "$(class_of "$patched" "$min")" = "$class" ] || fail "the minimised file does not fail with '$class'"
grep -q "^# minimised by unmapfuzz minimize from $crash\$" "$min" || fail "the provenance comment does not name $crash"
repro_lines "$scratch/minimize.log" "minimize --zoo"
after=$(grep -vc '^#' "$min")
[ "$after" -lt "$before" ] || fail "minimised to $after scenario lines from $before"
echo "zoo campaign ($engine): $name found as '$class' ($files file(s)); reproducer $after lines (crash file $before)"
