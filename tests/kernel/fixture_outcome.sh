#!/usr/bin/env bash
# The outcome of one kernel variant on every seed and regression scenario,
# against the expected list: fixture_outcome.sh TOOL SOURCE_DIR EXPECTED
# EXPECTED holds one line per scenario that does not end "OK" with no known
# bug: "NAME KIND class" or "NAME OK", then "known ID" when a known bug
# explains it. Every other scenario must replay OK. Exit 0 when the outcome
# is exactly that.
set -uo pipefail
tool=$1 src=$2 expected=$3
got=$(mktemp)
trap 'rm -f "$got"' EXIT
for scn in "$src"/corpus/seeds/*.scn "$src"/corpus/regression/*.scn; do
	out=$("$tool" repro "$scn" 2>/dev/null)
	rc=$?
	[ $rc -le 1 ] || { echo "$scn: replay failed (rc $rc)"; exit 1; }
	verdict=$(sed -n 's/^== verdict: \(OK\) .*/\1/p; s/^== verdict: \([A-Z_]* [^ ]*\).*/\1/p' <<<"$out" | head -1)
	known=$(sed -n 's/^   known bug \([A-Z0-9]*\): .*/ known \1/p' <<<"$out" | head -1)
	line="$(basename "$scn" .scn) $verdict$known"
	[ "$line" = "$(basename "$scn" .scn) OK" ] || echo "$line"
done | sort >"$got"
if diff -u <(grep -v '^#' "$expected" | sed '/^$/d' | sort) "$got"; then
	echo "kernel outcome: as expected ($(wc -l <"$got") scenario(s) not plainly OK)"
else
	echo "kernel outcome differs from $expected (- expected, + got)"
	exit 1
fi
