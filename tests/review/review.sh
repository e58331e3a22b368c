#!/usr/bin/env bash
# ./unmapfuzz review through the driver.   review.sh MODE SOURCE_DIR SCRATCH_DIR
#   apply      splitting and applying only (--apply-only): the order of an
#              mbox's mails, a file the cut never reads, a patch that does not
#              apply (exit 2, its subject and first failing hunk), usage errors,
#              a patched tree that cannot be built (exit 125, the missing name)
#   clean      a refactor series: nothing new, exit 0, the counts of what ran
#   planted    the third patch plants B20: blamed with its line, exit 1, --json
#   learned    a series that adds a pure helper to mm/internal.h and calls
#              it builds: the shim learns the helper from the patched tree
#   pair_only  --pair-only (base against patched, no reference) still finds
#              the kernel bug zoo's B5, a patch that only removes lines
set -uo pipefail
mode=$1 src=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
# One state directory for every mode: the trees of the clean and the planted
# series share their first two patches, so their kernel variants (keyed by
# the cut, which names the tree's path) are built once.
export UNMAPFUZZ_WORK=${scratch%/*}/work
base=$src/tests/kernel/fixtures/v7.1
series=$src/tests/review
fails=0
fail() { echo "FAILED: $*"; fails=$((fails + 1)); }
# expect RC PATTERN ARGS...: ./unmapfuzz review exits RC with PATTERN (grep -E) in its output.
expect() {
	local rc=$1 pat=$2 got=0
	shift 2
	OUT=$(cd "$src" && ./unmapfuzz review "$@" 2>&1) || got=$?
	[ "$got" -eq "$rc" ] || { fail "review $* exited $got, not $rc: $(tail -15 <<<"$OUT")"; return 1; }
	grep -qE -- "$pat" <<<"$OUT" || { fail "review $*: no /$pat/ in: $(tail -30 <<<"$OUT")"; return 1; }
}
has() { grep -qE -- "$1" <<<"$OUT" || fail "no /$1/ in: $(tail -40 <<<"$OUT")"; }
hasnt() { ! grep -qE -- "$1" <<<"$OUT" || fail "/$1/ in: $(grep -E -- "$1" <<<"$OUT" | head -3)"; }
sum() { find "$base" -type f | sort | xargs cat | sha256sum; }
before=$(sum)

case $mode in
apply)
	expect 2 "the base is missing" "$series/clean.mbox"
	expect 2 "cannot read the patch" --kernel-tree "$base" "$scratch/nothing.patch"
	printf 'Subject: no diff here\n\nhello\n' >"$scratch/empty.mbox"
	expect 2 "no mail holds a diff" --kernel-tree "$base" "$scratch/empty.mbox"
	# The mbox holds the cover letter, then patches 3, 1, 2: applied 1, 2, 3.
	expect 0 "^unmapfuzz review: 3 patch\(es\) against .* \[PATCH 0/3\] mm/rmap: small cleanups" \
		--kernel-tree "$base" --apply-only "$series/clean.mbox"
	order=$(sed -n 's/^  \[\([0-9]\)\/3\] \[PATCH \([0-9]\)\/3\].*/\1\2/p' <<<"$OUT" | tr '\n' ' ')
	[ "$order" = "11 22 33 " ] || fail "order of the patches: '$order', not 11 22 33: $OUT"
	has "touches files the cut never reads: mm/vmscan.c"
	has "^  \[1/3\] \[PATCH 1/3\] mm/rmap: rename ptes to nr_locked_ptes in try_to_unmap_one\(\)$"
	# Patch 2 of stale.mbox was made on a tree whose context differs.
	expect 2 "patch 2/2 does not apply: \[PATCH 2/2\] mm/rmap: compute the batch room" \
		--kernel-tree "$base" "$series/stale.mbox"
	has "the first hunk that fails, at mm/rmap.c:47 of the base with patch 1 applied:"
	has "^  @@ -47,8 \+47,6 @@"
	has "^  -	max_nr = min\(fixture_batch_room"
	# A patched tree that does not build: 125, and the name the shim lacks.
	expect 125 "the patched tree cannot be cut or built" --kernel-tree "$base" --quick --time 1 \
		"$series/unbuildable.patch"
	has "^  add_mm_counter_batched  first at mm/rmap.c:270; defined at nowhere in the tree"
	has "^first compiler error: mm/rmap.c:270: "
	# A directory of format-patch files and a bare diff, in the order given.
	expect 0 "  \[3/3\] k_b20_file_counter_by_one.patch" --kernel-tree "$base" --apply-only \
		"$series/planted/0001-mm-rmap-rename-ptes-to-nr_locked_ptes-in-try_to_unma.patch" \
		"$series/planted/0002-mm-rmap-compute-the-batch-room-after-the-single-PTE-.patch" \
		"$src/tests/kernel/zoo/k_b20_file_counter_by_one.patch"
	;;
clean)
	expect 0 "^no new failures: [1-9][0-9]* executions, [1-9][0-9]* exhaustive scenarios, [1-9][0-9]* seeds and regressions\.$" \
		--kernel-tree "$base" --quick --time 6 --json "$scratch/review.json" "$series/clean.mbox"
	has "^Subject: Re: \[PATCH 0/3\] mm/rmap: small cleanups in try_to_unmap_one\(\)$"
	hasnt "introduced by patch"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["schema"] == 1 and d["new_failures"] == [] and d["verdict"] == "no new failures" and len(d["patches"]) == 3 and d["patches"][2]["files_not_read"] == ["mm/vmscan.c"], d' \
		"$scratch/review.json" || fail "review.json: $(head -c 2000 "$scratch/review.json")"
	;;
planted)
	expect 1 "^1\. INVARIANT rss_counter, introduced by patch 3/3:$" \
		--kernel-tree "$base" --quick --time 6 --json "$scratch/review.json" "$series/planted"
	has "^   \[PATCH 3/3\] mm/rmap: one file rss update per batch$"
	line=$(grep -n 'add_mm_counter(mm, mm_counter_file(folio), -nr_pages);' "$base/mm/rmap.c" | cut -d: -f1)
	has "^> mm/rmap.c:$line$"
	has "^> 			add_mm_counter\(mm, mm_counter_file\(folio\), -1\);$"
	has "^   The minimised scenario:"
	has "^   What differs after try_to_unmap\(\):"
	has "^     \./unmapfuzz repro --kernel-tree .*/review/trees/[0-9a-f]+ .*\.scn$"
	hasnt "introduced by patch [12]/3"
	# The bisection ran the trees before patch 3: both pass.
	has "^unmapfuzz: bisect: with patches 1-1, the reproducer ends as OK$"
	has "^unmapfuzz: bisect: with patches 1-2, the reproducer ends as OK$"
	# The reproducer fails on the patched tree and passes on the base.
	scn=$(sed -n 's/^     \.\/unmapfuzz repro --kernel-tree [^ ]* \(.*\.scn\)$/\1/p' <<<"$OUT" | head -1)
	tree=$(sed -n 's/^     \.\/unmapfuzz repro --kernel-tree \([^ ]*\) .*\.scn$/\1/p' <<<"$OUT" | head -1)
	(cd "$src" && ./unmapfuzz repro --kernel-tree "$tree" "$scn" >/dev/null 2>&1)
	[ $? -eq 1 ] || fail "the reproducer $scn does not fail on $tree"
	(cd "$src" && ./unmapfuzz repro --kernel-tree "$base" "$scn" >/dev/null 2>&1) || fail "the reproducer $scn fails on the base"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); f = d["new_failures"]; assert d["schema"] == 1 and len(f) == 1 and f[0]["patch"] == 3 and f[0]["class"] == "INVARIANT rss_counter" and f[0]["line"] == int(sys.argv[2]), d' \
		"$scratch/review.json" "$line" || fail "review.json: $(head -c 3000 "$scratch/review.json")"
	;;
learned)
	# Patch 1 adds a pure helper to mm/internal.h (a file the fixture does
	# not have), patch 2 calls it: the shim learns it from the patched
	# tree, and the refactor changes nothing.
	expect 0 "^no new failures: " --kernel-tree "$base" --quick --time 4 "$series/learned"
	has "the patched tree: learned from the tree: pte_batch_room"
	hasnt "touches files the cut never reads"
	;;
pair_only)
	# B5 removes the per-iteration reset: no added line; the blame points
	# at the place of the removal.
	expect 1 "introduced by patch 1/1:" --kernel-tree "$base" --quick --pair-only --time 4 \
		"$src/tests/kernel/zoo/k_b5_nr_pages_not_reset.patch"
	has "^against the base's own try_to_unmap_one\(\) only\.$"
	has "^   k_b5_nr_pages_not_reset.patch$"
	line=$(grep -n 'Whatever the last batch was' "$base/mm/rmap.c" | cut -d: -f1)
	has "^> mm/rmap.c:$line, where the patch removes the lines above it$"
	has "repro --build ([^ ]*/)?build/dev/kernel/pair-[0-9a-f]+ "
	;;
*) echo "review.sh: unknown mode $mode"; exit 2 ;;
esac
[ "$(sum)" = "$before" ] || fail "the base tree $base changed"
[ "$fails" -eq 0 ] && echo "review.$mode: ok"
exit $((fails > 0))
