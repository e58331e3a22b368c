#!/usr/bin/env bash
# ./unmapfuzz --version: "unmapfuzz VERSION (commit C)", VERSION from the
# VERSION file, C from git describe in a checkout and "unknown" in a copy of
# the driver outside any git checkout. Exit 1 with what differs.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
bad=0
fail() { echo "cli_version: $*" >&2; bad=1; }

want=$(cat "$root/VERSION")
[[ $want =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "VERSION holds '$want', not MAJOR.MINOR.PATCH"

out=$("$root/unmapfuzz" --version) || fail "--version exited $?"
[ "$("$root/unmapfuzz" -V)" = "$out" ] || fail "-V and --version differ"
if commit=$(git -C "$root" describe --always --dirty 2>/dev/null); then
	[ "$out" = "unmapfuzz $want (commit $commit)" ] || fail "in the checkout: '$out', want 'unmapfuzz $want (commit $commit)'"
else
	[ "$out" = "unmapfuzz $want (commit unknown)" ] || fail "outside git: '$out'"
fi

# A copy outside any checkout (an unpacked release) says "unknown".
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$root/unmapfuzz" "$root/VERSION" "$tmp/"
out=$(GIT_CEILING_DIRECTORIES=$(dirname "$tmp") "$tmp/unmapfuzz" --version) || fail "the copy's --version exited $?"
[ "$out" = "unmapfuzz $want (commit unknown)" ] || fail "outside a checkout: '$out', want 'unmapfuzz $want (commit unknown)'"

# help names it.
"$root/unmapfuzz" help | grep -q -- '--version' || fail "./unmapfuzz help does not mention --version"
[ $bad = 0 ] && echo "cli_version: ok ($out)"
exit $bad
