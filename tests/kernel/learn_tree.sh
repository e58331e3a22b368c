#!/usr/bin/env bash
# The shim learns pure helpers from a tree, and a tree it cannot build stops
# with rc 125 and says why. Synthetic trees made at test time from the v7.1
# fixture (tests/kernel/fixtures/v7.1), its rmap.c patched to call helpers
# that only the tree's own mm/internal.h (written here, kernel style)
# defines:
#   pure    helpers that only compute (a macro, static inlines calling each
#           other and a shim helper, an #ifdef CONFIG_ pair): learned, built,
#           and `check` ends exactly as the fixture's expected.txt says; the
#           kernel-mode line names what was learned.
#   effect  a helper that calls a shim primitive with a model effect: rc 125,
#           its name, its first mm/rmap.c line, the tree's definition site and
#           the reason; with --kernel-shim supplying it, it builds and checks.
#   learn_tree.sh pure|effect SOURCE_DIR SCRATCH_DIR
set -uo pipefail
mode=$1 src=$2 scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
export UNMAPFUZZ_WORK=$scratch/work
fx=$src/tests/kernel/fixtures/v7.1
fails=0
fail() { echo "FAILED: $*"; fails=$((fails + 1)); }
uf() { (cd "$src" && ./unmapfuzz "$@"); }

tree=$scratch/tree
mkdir -p "$tree/mm"
cp "$fx/Makefile" "$tree/Makefile" && cp "$fx/mm/rmap.c" "$tree/mm/rmap.c" || exit 1
# patch FROM TO: replace one line of the tree's rmap.c, which must match once.
patch_line() {
	[ "$(grep -cF -- "$1" "$tree/mm/rmap.c")" -eq 1 ] || { echo "FAILED: '$1' is not once in the fixture"; exit 1; }
	FROM=$1 TO=$2 perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/' "$tree/mm/rmap.c"
}
# Files of the source tree outside build/ and work/ that git does not track.
untracked() { git -C "$src" ls-files --others --exclude-standard 2>/dev/null | grep -v '^\(build\|work\)/' || true; }
line_of() { grep -nF -- "$1" "$tree/mm/rmap.c" | head -1 | cut -d: -f1; }

case $mode in
pure)
	cat >"$tree/mm/internal.h" <<'H'
/* A synthetic mm/internal.h for unmapfuzz's tests: pure helpers only. */
#ifndef __MM_INTERNAL_H
#define __MM_INTERNAL_H

#define UNMAP_FIRST_BATCH	1

/* The batch every PTE walk step starts with. */
#define unmap_batch_start()	((unsigned long)UNMAP_FIRST_BATCH)

/* True when a batch of @nr pages covers all @total pages of its folio. */
static inline bool unmap_batch_covers(unsigned long nr, unsigned long total)
{
	unsigned long left = total - nr;

	return left == 0;
}

/* True when the whole folio went in one batch. */
static __always_inline bool unmap_folio_done(unsigned long nr,
					     unsigned long total)
{
	return unmap_batch_covers(nr, total) && IS_ENABLED(CONFIG_MMU);
}

#ifdef CONFIG_SWAP
/* The address past a batch of @nr pages from @addr. */
static inline unsigned long unmap_batch_end(unsigned long addr,
					    unsigned long nr)
{
	return addr + nr * PAGE_SIZE;
}
#else
static inline unsigned long unmap_batch_end(unsigned long addr,
					    unsigned long nr)
{
	return addr;
}
#endif

#endif /* __MM_INTERNAL_H */
H
	patch_line "		nr_pages = 1;" "		nr_pages = unmap_batch_start();"
	patch_line "			end_addr = address + nr_pages * PAGE_SIZE;" "			end_addr = unmap_batch_end(address, nr_pages);"
	patch_line "		if (nr_pages == folio_nr_pages(folio))" "		if (unmap_folio_done(nr_pages, folio_nr_pages(folio)))"
	before=$(untracked)
	out=$(uf check --kernel-tree "$tree" 2>&1)
	rc=$?
	grep "^unmapfuzz: kernel mode:" <<<"$out"
	[ $rc -le 1 ] || fail "check exited $rc: $(tail -12 <<<"$out")"
	for name in unmap_batch_start UNMAP_FIRST_BATCH unmap_batch_end unmap_folio_done unmap_batch_covers; do
		grep -qE "^unmapfuzz: kernel mode: .*learned from the tree: [^;]*\<$name\>" <<<"$out" ||
			fail "the kernel-mode line does not name $name as learned"
	done
	key=$(sed -n 's/.*variant \([0-9a-f]\{12\}\)$/\1/p' <<<"$out" | head -1)
	learned=$src/build/dev/kernel/$key/learned.h
	[ -n "$key" ] && [ -f "$learned" ] || fail "no learned.h in the variant's build directory"
	# Kept where the header has them: the #ifdef and the header's own lines.
	grep -q '^#ifdef CONFIG_SWAP$' "$learned" || fail "the #ifdef CONFIG_SWAP pair lost its condition"
	grep -q "^#line [0-9]* \"$tree/mm/internal.h\"$" "$learned" || fail "no #line naming the tree's mm/internal.h"
	grep -q '__MM_INTERNAL_H' "$learned" && fail "the include guard came along"
	[ "$(untracked)" = "$before" ] || fail "something was written into the source tree: $(diff <(echo "$before") <(untracked))"
	"$src/tests/kernel/fixture_outcome.sh" "$src/build/dev/kernel/$key/unmapfuzz-tool" "$src" "$fx/expected.txt" ||
		fail "the seeds and regressions"
	;;
effect)
	cat >"$tree/mm/internal.h" <<'H'
/* A synthetic mm/internal.h for unmapfuzz's tests: a helper with an effect. */
#ifndef __MM_INTERNAL_H
#define __MM_INTERNAL_H

/* Drops the references the unmapped PTEs held. */
static inline void unmap_drop_refs(struct folio *folio, unsigned long nr)
{
	folio_put_refs(folio, nr);
}

#endif /* __MM_INTERNAL_H */
H
	patch_line "		folio_put_refs(folio, nr_pages);" "		unmap_drop_refs(folio, nr_pages);"
	use=$(line_of "unmap_drop_refs(folio, nr_pages);")
	def=$(grep -n "^static inline void unmap_drop_refs" "$tree/mm/internal.h" | cut -d: -f1)
	out=$(uf check --kernel-tree "$tree" 2>&1)
	rc=$?
	[ $rc -eq 125 ] || fail "check on a tree using a helper with an effect exited $rc, not 125: $(tail -8 <<<"$out")"
	grep -qE "^  unmap_drop_refs  first at mm/rmap.c:$use; defined at mm/internal.h:$def: not pure: uses folio_put_refs: .*model effect" <<<"$out" ||
		fail "no line naming unmap_drop_refs, mm/rmap.c:$use, mm/internal.h:$def and why: $out"
	grep -qE "^first compiler error: mm/rmap.c:$use: .*unmap_drop_refs" <<<"$out" ||
		fail "no first compiler error as FILE:LINE: message: $out"
	grep -q -- "--kernel-shim" <<<"$out" || fail "the failure does not point at --kernel-shim"
	grep -q "^unmapfuzz: kernel mode:" <<<"$out" && fail "a kernel-mode line for a tree that did not build"
	# The user's shim supplies it: built, and checked like the fixture.
	printf '/* Mine: the model-effect helper my tree adds, mapped onto a shim primitive. */\n#define unmap_drop_refs(folio, nr) folio_put_refs(folio, nr)\n' >"$scratch/mine.h"
	out=$(uf check --kernel-tree "$tree" --kernel-shim "$scratch/mine.h" 2>&1)
	rc=$?
	grep "^unmapfuzz: kernel mode:" <<<"$out"
	[ $rc -le 1 ] || fail "check with --kernel-shim exited $rc: $(tail -8 <<<"$out")"
	grep -q "^unmapfuzz: kernel mode: .*shim additions from $scratch/mine.h; variant [0-9a-f]*$" <<<"$out" ||
		fail "the kernel-mode line does not name the user's shim"
	key=$(sed -n 's/.*variant \([0-9a-f]\{12\}\)$/\1/p' <<<"$out" | head -1)
	[ -n "$key" ] && "$src/tests/kernel/fixture_outcome.sh" "$src/build/dev/kernel/$key/unmapfuzz-tool" "$src" \
		"$fx/expected.txt" || fail "the seeds and regressions with --kernel-shim"
	[ -f "$src/build/dev/kernel/$key/build.log" ] || fail "the variant keeps no build.log of its own"
	# A missing --kernel-shim file is a usage error.
	out=$(uf check --kernel-tree "$tree" --kernel-shim "$scratch/none.h" 2>&1)
	rc=$?
	[ $rc -eq 2 ] && grep -q "none.h is not a readable file" <<<"$out" || fail "--kernel-shim of a missing file: rc $rc: $out"
	;;
*)
	echo "usage: learn_tree.sh pure|effect SOURCE_DIR SCRATCH_DIR" >&2
	exit 2
	;;
esac
echo "learn_tree $mode: $fails failure(s)"
[ $fails -eq 0 ]
