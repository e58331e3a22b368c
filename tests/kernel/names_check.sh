#!/usr/bin/env bash
# A kernel file that uses a name the shim lacks fails its build with one line
# per name saying where it is and where it belongs, not with a wall of
# compiler or link errors: names_check.sh EXTRACT CHECK CC WORK [SHIM_FLAG...]
set -uo pipefail
extract=$1 check=$2 cc=$3 work=$4
shift 4
rm -rf "$work" && mkdir -p "$work/mm"
fails=0
expect() { if grep -qE "$1" "$work/err.txt"; then :; else echo "FAILED: no /$1/ in:"; cat "$work/err.txt"; fails=$((fails + 1)); fi; }
cat >"$work/mm/rmap.c" <<'C'
static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	struct frob_state *fs = arg;

	folio_frobnicate(folio);
	return fs != NULL && FROB_LIMIT > 0;
}
C
"$extract" --line-path "$work/mm/rmap.c" "$work/mm/rmap.c" "$work/cut.c" >/dev/null || { echo "FAILED: extract"; exit 1; }
if "$check" "$work/ok.stamp" "$work/cut.c" "$cc" "$@" 2>"$work/err.txt"; then
	echo "FAILED: the check passed a file with unknown names"
	fails=$((fails + 1))
fi
[ ! -e "$work/ok.stamp" ] || { echo "FAILED: stamp written"; fails=$((fails + 1)); }
expect "^unmapfuzz: the kernel code uses names the shim"
expect "^  folio_frobnicate \(first at $work/mm/rmap.c:6\)"
expect "^  FROB_LIMIT \(first at $work/mm/rmap.c:7\)"
expect "kernel/shim/kshim/custom.h"
# A file the shim covers passes and leaves the stamp.
sed -i 's/folio_frobnicate(folio);/folio_mark_dirty(folio);/; s/ \&\& FROB_LIMIT > 0//' "$work/mm/rmap.c"
"$extract" --line-path "$work/mm/rmap.c" "$work/mm/rmap.c" "$work/cut.c" >/dev/null
"$check" "$work/ok.stamp" "$work/cut.c" "$cc" "$@" 2>"$work/err.txt" || { echo "FAILED: a clean file fails:"; cat "$work/err.txt"; fails=$((fails + 1)); }
[ -e "$work/ok.stamp" ] || { echo "FAILED: no stamp for a clean file"; fails=$((fails + 1)); }
echo "names check: $fails failure(s)"
[ $fails -eq 0 ]
