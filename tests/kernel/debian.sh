#!/usr/bin/env bash
# Real kernel code in CI: Debian's linux-source-6.12 (.ci/run installs it),
# its try_to_unmap_one() cut out and run against the reference through the
# driver (--kernel-deb), with the exact expected outcome:
#  - every seed and regression ends as debian-6.12.expected says (B7 named,
#    B10 what a K0 kernel intends, nothing else);
#  - a bounded exhaust finds exactly the classes of debian-6.12.exhaust.
# Skipped (77) where the package is not installed.   debian.sh SOURCE_DIR SCRATCH_DIR
set -uo pipefail
src=$1 scratch=$2
[ -f /usr/src/linux-source-6.12.tar.xz ] || { echo "linux-source-6.12 not installed: skipped"; exit 77; }
rm -rf "$scratch" && mkdir -p "$scratch"
export UNMAPFUZZ_WORK=$scratch/work
fails=0
fail() { echo "FAILED: $*"; fails=$((fails + 1)); }
echo "package: $(dpkg-query -W -f='${Package} ${Version}' linux-source-6.12 2>/dev/null)"

out=$(cd "$src" && ./unmapfuzz check --kernel-deb 2>&1) || true
key=$(sed -n 's/.*variant \([0-9a-f]\{12\}\)$/\1/p' <<<"$out" | head -1)
[ -n "$key" ] || { echo "$out" | tail -5; echo "FAILED: no kernel variant"; exit 1; }
grep "^unmapfuzz: kernel mode:" <<<"$out"
"$src/tests/kernel/fixture_outcome.sh" "$src/build/dev/kernel/$key/unmapfuzz-tool" "$src" \
	"$src/tests/kernel/debian-6.12.expected" || fail "the seeds and regressions"

bound=(--max-order 0 --max-vmas 2 --max-events 1 --mid-folio 0)
(cd "$src" && ./unmapfuzz exhaust --kernel-deb "${bound[@]}") >"$scratch/exhaust.txt" 2>&1
grep '^exhaust: ' "$scratch/exhaust.txt"
got=$(sed -n 's/^exhaust: \+[0-9]\+  //p' "$scratch/exhaust.txt" | sort)
want=$(grep -v '^#' "$src/tests/kernel/debian-6.12.exhaust" | sed '/^$/d' | sort)
[ "$got" = "$want" ] || fail "exhaust ${bound[*]}: classes
$got
expected
$want"
echo "debian 6.12: $fails failure(s)"
[ $fails -eq 0 ]
