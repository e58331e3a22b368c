#!/usr/bin/env bash
# The ctest kernel.known_bug.NAME: known_bug_entry.sh NAME SOURCE_DIR BINARY_DIR
# tests/kernel/known_bugs/NAME.patch changes a fixture's mm/rmap.c (text of
# this project's own) so that the end state of one scenario resembles a known
# bug's while the run lacks that bug's signature. The variant kbug-NAME is the
# patched file cut out and built like any kernel tree. Replays the patch's
# "# scenario:" and checks:
#   - the exit status is "# exit:" (0 nothing found, 1 a failure);
#   - the verdict line starts with "# verdict:" ("OK", "KERNEL_WARN mm/rmap.c", ...);
#   - no line names the known bug "# not-named:".
set -uo pipefail
name=$1 src=$2 bin=$3
patch=$src/tests/kernel/known_bugs/$name.patch
log=$bin/kbug-work/$name.build.log
mkdir -p "$bin/kbug-work"
# Under ctest kernel.patched.build has built the variant (UNMAPFUZZ_PREBUILT=1).
if [ -z "${UNMAPFUZZ_PREBUILT:-}" ]; then
	cmake --build "$bin" --target "kernel_kbug-$name" >"$log" 2>&1 ||
		{ tail -20 "$log" >&2; echo "known bug $name: the patch does not apply or the variant does not build" >&2; exit 1; }
fi
field() { sed -n "s/^# $1: //p" "$patch" | head -1; }
scn=$src/corpus/$(field scenario).scn want_rc=$(field exit) want_verdict=$(field verdict) not=$(field not-named)
[ -f "$scn" ] && [ -n "$want_rc" ] && [ -n "$want_verdict" ] && [ -n "$not" ] ||
	{ echo "$patch needs '# scenario:' (an existing corpus file), '# exit:', '# verdict:' and '# not-named:'" >&2; exit 1; }
out=$("$bin/kernel/kbug-$name/unmapfuzz-tool" repro "$scn" 2>&1)
rc=$?
verdict=$(sed -n 's/^== verdict: //p' <<<"$out" | head -1)
fail() { printf '%s\n' "$out" | grep -E '^(== verdict|unmapfuzz:|   known bug)' >&2; echo "known bug $name: $*" >&2; exit 1; }
[ "$rc" = "$want_rc" ] || fail "exit status $rc, expected $want_rc"
case "$verdict" in "$want_verdict"*) ;; *) fail "verdict '$verdict', expected '$want_verdict...'" ;; esac
if grep -qE "known bug $not: |\[known $not\]" <<<"$out"; then
	fail "named as $not without its signature"
fi
echo "known bug $name: $(basename "$scn") replays '$verdict' (exit $rc), not named $not"
