#!/usr/bin/env bash
# Real kernel code in CI: the try_to_unmap_one() of a real kernel tree, cut
# out and run against the reference through the driver, with the exact
# expected outcome. TREE is a directory (--kernel-tree) or deb:VERSION, which
# takes Debian's linux-source-VERSION as a user does (--kernel-deb VERSION:
# the installed package, or downloaded once through a private apt
# configuration under the state directory):
#  - every seed and regression ends as NAME.expected says;
#  - a bounded exhaust finds exactly the classes, with the counts, of
#    NAME.exhaust.
# The semantics level is the tree's own (the kernel-mode line says which).
# Skipped (77) when a directory TREE has no mm/rmap.c, or when the package
# cannot be had outside CI (no network); under CI (CI=true) that fails.
# The downloaded package stays in STATE_DIR (default SCRATCH_DIR/work), so a
# second run downloads nothing.
#   real_tree.sh NAME TREE SOURCE_DIR SCRATCH_DIR [STATE_DIR]
set -uo pipefail
name=$1 tree=$2 src=$3 scratch=$4
rm -rf "$scratch" && mkdir -p "$scratch"
export UNMAPFUZZ_WORK=${5:-$scratch/work}
if [[ $tree == deb:* ]]; then
	kernel=(--kernel-deb "${tree#deb:}")
else
	[ -f "$tree/mm/rmap.c" ] || { echo "$tree has no mm/rmap.c: skipped"; exit 77; }
	kernel=(--kernel-tree "$tree")
fi
fails=0
fail() { echo "FAILED: $*"; fails=$((fails + 1)); }

rc=0
out=$(cd "$src" && ./unmapfuzz check "${kernel[@]}" 2>&1) || rc=$?
if [ "$rc" -eq 2 ] && [[ $tree == deb:* ]] && [ "${CI:-}" != true ]; then
	echo "$out" | tail -3
	echo "linux-source-${tree#deb:} cannot be had here: skipped"
	exit 77
fi
key=$(sed -n 's/.*variant \([0-9a-f]\{12\}\)$/\1/p' <<<"$out" | head -1)
[ -n "$key" ] || { echo "$out" | tail -5; echo "FAILED: no kernel variant"; exit 1; }
grep "^unmapfuzz: kernel mode:" <<<"$out"
"$src/tests/kernel/fixture_outcome.sh" "$src/build/dev/kernel/$key/unmapfuzz-tool" "$src" \
	"$src/tests/kernel/$name.expected" || fail "the seeds and regressions"

# The bound keeps a tree to about two minutes on a CI machine.
bound=(--max-order 0 --max-vmas 2 --max-events 1 --mid-folio 0)
(cd "$src" && ./unmapfuzz exhaust "${kernel[@]}" "${bound[@]}") >"$scratch/exhaust.txt" 2>&1
grep '^exhaust: ' "$scratch/exhaust.txt"
got=$(sed -n 's/^exhaust: \+\([0-9]\+\)  /\1 /p' "$scratch/exhaust.txt" | sort)
want=$(grep -v '^#' "$src/tests/kernel/$name.exhaust" | sed '/^$/d' | sort)
[ "$got" = "$want" ] || fail "exhaust ${bound[*]}: classes
$got
expected
$want"
echo "$name: $fails failure(s)"
[ $fails -eq 0 ]
