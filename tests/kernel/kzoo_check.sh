#!/usr/bin/env bash
# The checks of one kernel bug-zoo entry on built variants (shared by the
# ctest kzoo.NAME and ./unmapfuzz zoo --kernel-tree):
#   kzoo_check.sh PATCH CLEAN_TOOL PLANTED_DIR SEEDS_DIR WORK_DIR ROW_FILE SOURCE_DIR
# PATCH (tests/kernel/zoo/NAME.patch) planted one historical bug into the
# tree PLANTED_DIR was built from; CLEAN_TOOL is the unmapfuzz-tool of the
# tree without it. Then:
#  1. the reproducer corpus/regression/R.scn ("# reproducer: R") passes on the
#     clean tree and fails on the planted one with a class the patch's
#     "# expect-fuzz:" line allows, named as the known bug it plants;
#  2. fuzzing the planted variant from SEEDS_DIR with -seed=1 finds such a
#     class within "# budget:" executions, and so does fuzzing from only the
#     seeds that do not trigger it (the search, not just the seeds).
# Writes ROW_FILE: NAME|ID|class|found from all seeds|execs|found by mutation|execs.
# Exit 0 when all holds, 1 when not, 77 when the entry does not apply to the
# tree: the clean tree already fails the reproducer, or the planted one passes
# it (the patch, applied with fuzz, landed where it plants nothing). The
# search looks past every other known bug (UNMAPFUZZ_IGNORE_KNOWN).
set -uo pipefail
patch=$1 clean=$2 planted=$3 seeds=$4 tmp=$5 row=$6 src=$7
name=$(basename "$patch" .patch)
rm -rf "$tmp" && mkdir -p "$tmp" "$(dirname "$row")"
fail() { echo "kzoo $name: $*" >&2; exit 1; }
class_of() { sed -n 's/^unmapfuzz: \(INVARIANT\|DIVERGENCE\|KERNEL_WARN\|KERNEL_BUG\) \([^ ]*\).*/\1 \2/p' | head -1; }
field() { sed -n "s/^# $1: //p" "$patch" | head -1; }

expect=$(field expect-fuzz) budget=$(field budget) repro=$(field reproducer)
[ -n "$expect" ] && [ -n "$budget" ] && [ -n "$repro" ] ||
	fail "$patch needs '# expect-fuzz:', '# budget:' and '# reproducer:' lines"
regress=$src/corpus/regression/$repro.scn
[ -f "$regress" ] || fail "missing $regress"
expected() { case "|$expect|" in *"|$1|"*) return 0 ;; esac; return 1; }
id=$(sed -n 's/^# Kernel bug zoo \(B[0-9]*\).*/\1/p' "$patch" | head -1)

if ! "$clean" repro "$regress" >/dev/null 2>"$tmp/clean.err"; then
	echo "kzoo $name: not applicable to this tree: it already fails $repro.scn ($(class_of <"$tmp/clean.err"))"
	exit 77
fi
if "$planted/unmapfuzz-tool" repro "$regress" >/dev/null 2>"$tmp/repro.err"; then
	echo "kzoo $name: not applicable to this tree: the patch applies, but the planted tree passes $repro.scn"
	exit 77
fi
got=$(class_of <"$tmp/repro.err")
expected "$got" || fail "planted tree on $regress: expected one of '$expect', got '${got:-no failure}'"
grep -q "^unmapfuzz: known bug $id: " "$tmp/repro.err" ||
	fail "the failure on $regress is not named as $id: $(grep '^unmapfuzz:' "$tmp/repro.err" | tr '\n' ' ')"

# The tree's other known bugs are looked past (a user's tree may have its
# own): only the planted one may stop the search.
others=$("$planted/unmapfuzz-tool" program | sed -n 's/^known-bugs //p' | tr ' ' '\n' | grep -vx "$id" | sort -u | paste -sd, -)
# fuzz DIR SEEDS: one bounded libFuzzer run; sets found, execs.
fuzz() {
	mkdir -p "$1/corpus"
	UNMAPFUZZ_IGNORE_KNOWN="$others" "$planted/unmap_diff" -seed=1 -runs="$budget" -max_len=16384 -artifact_prefix="$1/" \
		-dict="$src/fuzz/unmap_diff.dict" "$1/corpus" "$2" >"$1/fuzz.log" 2>&1
	found=$(class_of <"$1/fuzz.log")
	execs=$(sed -n 's/^unmapfuzz: found after \([0-9]*\) executions.*/\1/p' "$1/fuzz.log" | head -1)
}
fuzz "$tmp/all" "$seeds"
all_found=$found all_execs=$execs
"$src/tests/quiet_seeds.sh" "$planted/unmapfuzz-tool" "$seeds" "$tmp/quiet-seeds" || fail "cannot replay the seeds"
nquiet=$(find "$tmp/quiet-seeds" -type f | wc -l)
found="" execs=""
[ "$nquiet" -gt 0 ] && fuzz "$tmp/quiet" "$tmp/quiet-seeds"
printf '%s|%s|%s|%s|%s|%s|%s\n' "$name" "$id" "$got" "${all_found:-none}" "${all_execs:--}" \
	"${found:-none}" "${execs:--}" >"$row"
[ -n "$all_found" ] && expected "$all_found" ||
	fail "fuzzing from the seeds found '${all_found:-nothing}' within $budget executions, expected one of '$expect'"
[ -n "$found" ] && expected "$found" ||
	fail "fuzzing from the $nquiet quiet seeds found '${found:-nothing}' within $budget executions, expected one of '$expect'"
echo "kzoo $name: $repro.scn fails as '$got', named $id; fuzzing found '$all_found' after" \
	"$all_execs executions from all seeds, '$found' after $execs from $nquiet quiet seeds"
