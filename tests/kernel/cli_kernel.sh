#!/usr/bin/env bash
# Kernel mode through the driver, as a kernel developer uses it, on the
# project's fixture trees (tests/kernel/fixtures): repro, check, exhaust,
# fuzz (libFuzzer, and AFL++ where installed), triage, coverage and the
# kernel bug zoo with --kernel-tree; --against batched, --kernel-semantics,
# --ignore-known; an edit to the tree's rmap.c builds a new variant; a path
# that is no kernel tree is one line and exit 2, a tree without
# try_to_unmap_one() (it cannot be cut) exit 125.   cli_kernel.sh SOURCE_DIR SCRATCH_DIR
set -uo pipefail
src=$1 scratch=$2
rm -rf "$scratch" && mkdir -p "$scratch"
export UNMAPFUZZ_WORK=$scratch/work
fx=$src/tests/kernel/fixtures
fails=0
fail() { echo "FAILED: $*"; fails=$((fails + 1)); }
uf() { (cd "$src" && ./unmapfuzz "$@"); }
# expect RC PATTERN CMD...: exit RC and PATTERN (grep -E) in stdout+stderr.
expect() {
	local rc=$1 pat=$2 out got=0
	shift 2
	out=$(uf "$@" 2>&1) || got=$?
	[ "$got" -eq "$rc" ] || { fail "./unmapfuzz $* exited $got, not $rc: $(tail -3 <<<"$out")"; return; }
	grep -qE -- "$pat" <<<"$out" || fail "./unmapfuzz $*: no /$pat/ in: $(tail -5 <<<"$out")"
	LAST=$out
}
s03=corpus/seeds/s03_lazyfree_extra_refs.scn s09=corpus/seeds/s09_anon_nocache_state_bug.scn

# Not a tree: one line, exit 2; no try_to_unmap_one(): exit 125.
mkdir -p "$scratch/empty" "$scratch/noentry/mm"
printf 'static int f(void)\n{\n\treturn 0;\n}\n' >"$scratch/noentry/mm/rmap.c"
printf 'VERSION = 7\nPATCHLEVEL = 1\n' >"$scratch/noentry/Makefile"
expect 2 "empty is not a kernel tree: it has no mm/rmap.c" repro --kernel-tree "$scratch/empty" $s03
[ "$(wc -l <<<"$LAST")" -eq 1 ] || fail "not a tree: more than one line: $LAST"
expect 125 "noentry/mm/rmap.c has no try_to_unmap_one\(\)" repro --kernel-tree "$scratch/noentry" $s03
expect 2 "exclude each other" repro --kernel-tree "$fx/v6.12" --kernel-deb $s03

# repro: the kernel side, B7 named, the variant described.
expect 1 "^unmapfuzz: known bug B7: .*this tree has the bug" repro --kernel-tree "$fx/v6.12" $s03
grep -q "^unmapfuzz: kernel mode: $fx/v6.12/mm/rmap.c (6.12.0-unmapfuzz-fixture), semantics K0" <<<"$LAST" ||
	fail "no kernel-mode line: $LAST"
grep -q "^unmapfuzz: INVARIANT lazyfree_clean_swapbacked$" <<<"$LAST" || fail "repro: no class line"
# B10 is what a K0 kernel intends: OK. At K5 the kernel's WARN is the failure, named.
expect 0 "what a K0 kernel intends" repro --kernel-tree "$fx/v6.12" $s09
expect 1 "^unmapfuzz: KERNEL_WARN mm/rmap.c:[0-9]+$" repro --kernel-tree "$fx/v6.12" --kernel-semantics K5 $s09
grep -q "^unmapfuzz: known bug B10: " <<<"$LAST" || fail "K5: B10 not named"
line=$(sed -n 's/^unmapfuzz: KERNEL_WARN mm\/rmap.c:\([0-9]*\)$/\1/p' <<<"$LAST")
sed -n "${line}p" "$fx/v6.12/mm/rmap.c" | grep -q "WARN_ON_ONCE(1)" ||
	fail "the WARN's line $line of the fixture is not its WARN_ON_ONCE(1)"

# check: every seed and regression; --ignore-known passes the known ones.
expect 1 "^FAILED INVARIANT lazyfree_clean_swapbacked, known bug B7: ./unmapfuzz repro --kernel-tree $fx/v6.12 " \
	check --kernel-tree "$fx/v6.12"
[ "$(grep -c '^FAILED ' <<<"$LAST")" -eq "$(grep -c 'known B7' "$fx/v6.12/expected.txt")" ] ||
	fail "check: not one FAILED line per B7 scenario of expected.txt"
# Every seed and regression passes; the known bugs are the failures expected.txt
# names (its known B10 ends OK: what a K0 kernel intends, no bug to pass over).
nfiles=$(ls "$src"/corpus/seeds/*.scn "$src"/corpus/regression/*.scn | wc -l)
nknown=$(awk '$2 != "OK" && / known /' "$fx/v6.12/expected.txt" | wc -l)
expect 0 "$nfiles scenario\\(s\\) replayed: $nfiles passed \\($nknown of them known bugs\\)" check --kernel-tree "$fx/v6.12" --ignore-known
expect 1 "FAILED INVARIANT write_upgrade, known bug B4" check --kernel-tree "$fx/v6.16"
# --against batched: the port checked against the kernel; the v7.1 tree agrees with it.
expect 0 "against batched" check --kernel-tree "$fx/v7.1" --against batched

# exhaust: the counts per class, named.
expect 1 "exhaust: +[0-9]+  INVARIANT lazyfree_clean_swapbacked \[known B7\]" \
	exhaust --kernel-tree "$fx/v6.12" --max-order 0 --max-vmas 1 --max-events 1
expect 0 "OK \(what the level intends\) \[known B10\]" \
	exhaust --kernel-tree "$fx/v6.12" --max-order 0 --max-vmas 1 --max-events 1 --ignore-known

# An edit to the tree's rmap.c is a new variant.
cp -r "$fx/v7.1" "$scratch/tree"
expect 0 "variant [0-9a-f]{12}" check --kernel-tree "$scratch/tree"
key1=$(sed -n 's/.*variant \([0-9a-f]\{12\}\)$/\1/p' <<<"$LAST")
sed -i 's/add_mm_counter(mm, mm_counter_file(folio), -nr_pages);/dec_mm_counter(mm, mm_counter_file(folio));/' "$scratch/tree/mm/rmap.c"
expect 1 "FAILED INVARIANT rss_counter, known bug B20" check --kernel-tree "$scratch/tree"
key2=$(sed -n 's/.*variant \([0-9a-f]\{12\}\)$/\1/p' <<<"$LAST")
[ -n "$key1" ] && [ "$key1" != "$key2" ] || fail "the edit did not make a new variant ($key1, $key2)"

# fuzz, then triage of its crash files: B7 named, reproducers that replay.
# --time is a wall-clock limit with a tenth kept back to replay the crash
# files: 40 s leaves 4 s, enough for the first ones on a busy machine.
expect 1 "^INVARIANT lazyfree_clean_swapbacked known=B7 .*\./unmapfuzz repro --kernel-tree $fx/v6.12 " \
	fuzz --kernel-tree "$fx/v6.12" --time 40 --jobs 1
grep -q "^known bug B7: " <<<"$LAST" || fail "fuzz: no known-bug line"
grep -q "run longer with: ./unmapfuzz fuzz --kernel-tree $fx/v6.12 --time 3600 " <<<"$LAST" ||
	fail "fuzz: the run-longer hint drops the kernel tree"
key=$(sed -n 's/.*variant \([0-9a-f]\{12\}\)$/\1/p' <<<"$LAST" | head -1)
expect 1 "INVARIANT_lazyfree_clean_swapbacked_known=B7.scn" triage --kernel-tree "$fx/v6.12" "$UNMAPFUZZ_WORK/kernel/$key/crashes"
scn=$UNMAPFUZZ_WORK/kernel/$key/crashes/triage/INVARIANT_lazyfree_clean_swapbacked_known=B7.scn
expect 1 "^unmapfuzz: known bug B7" repro --kernel-tree "$fx/v6.12" "$scn"
# --ignore-known: the campaign looks past B7 and finds nothing else on this tree.
expect 0 "known.B7=[1-9]" fuzz --kernel-tree "$fx/v6.12" --time 5 --jobs 1 --ignore-known
if command -v afl-fuzz >/dev/null && command -v afl-clang-fast++ >/dev/null; then
	expect 1 "INVARIANT lazyfree_clean_swapbacked known=B7 " fuzz --engine afl --kernel-tree "$fx/v6.12" --time 15 --jobs 1
else
	echo "AFL++ not installed: its kernel campaign not checked"
fi

# coverage of the tree's own lines.
expect 0 "^mm/rmap.c \(the tree\) +lines +[0-9.]+% of +[0-9]+" coverage --kernel-tree "$fx/v7.1"

# The kernel bug zoo on a tree: planted, found, named; elsewhere not applicable.
expect 0 "k_b5_nr_pages_not_reset +B5 " zoo --kernel-tree "$fx/v7.1" k_b5_nr_pages_not_reset
expect 0 "k_b5_nr_pages_not_reset +- +not applicable to this tree" zoo --kernel-tree "$fx/v6.12" k_b5_nr_pages_not_reset

echo "cli kernel: $fails failure(s)"
[ $fails -eq 0 ]
