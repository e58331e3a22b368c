#!/usr/bin/env bash
# The repository is self-contained: no tracked file, no help text and no
# tool output points at an issue tracker entry (the word followed by its
# number, or "#N item"), at a section sign (a numbered section of a document a clone does not
# have), or at a Markdown file the repository does not contain, and the
# samples of real runs in the README and docs/ show no machine paths. Code comments say the reason in
# place or cite docs/FILE.md and its section.
#
# A NAME.md reference resolves against the repository root, the citing
# file's folder and docs/ (a shell variable's path, "$dir/NAME.md", is no
# reference). Exit 1 with one line per offending place.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

# Pages other parts of the project add to docs/ in their own changes: links
# to them are not dangling.
KNOWN_PAGES=" docs/kernel-trees.md docs/kernel-releases.md docs/known-bugs.md docs/review.md docs/mutation.md docs/command-line.md "
SECTION=$'\xc2\xa7' # the section sign, spelled so that this file does not match itself
ISSUE='[Ii]ssue[ s]+[0-9#]|[Ii]ssues [0-9]|#[0-9]+ item'

bad=0
report() { echo "$*"; bad=$((bad + 1)); }

files=()
while IFS= read -r f; do
	[ -f "$f" ] || continue
	case $f in tests/docs_refs.sh) continue ;; esac
	files+=("$f")
done < <(git ls-files 2>/dev/null || find . -type f -not -path './build/*' -not -path './work/*' -not -path './.git/*' | sed 's|^\./||')
[ ${#files[@]} -gt 0 ] || { echo "docs_refs: no files under $root" >&2; exit 2; }

# 1. Issue numbers and section signs.
while IFS= read -r hit; do
	report "$hit"
done < <(grep -I -n -H -E "$ISSUE|$SECTION" "${files[@]}" 2>/dev/null | cut -c1-200)

# 2. Markdown files that do not exist.
resolves() { # FILE REF
	local dir ref=$2
	ref=${ref%%#*}
	ref=${ref#./}
	case $ref in *blob/main/*) ref=${ref##*blob/main/} ;; esac
	dir=.
	[[ $1 != */* ]] || dir=${1%/*}
	[ -f "$ref" ] || [ -f "$dir/$ref" ] || [ -f "docs/$ref" ] || [[ $KNOWN_PAGES == *" $ref "* ]] ||
		[[ $KNOWN_PAGES == *" docs/$ref "* ]] || [[ $KNOWN_PAGES == *" ${dir#./}/$ref "* ]]
}
while IFS=: read -r f line ref; do
	resolves "$f" "$ref" || report "$f:$line: $ref does not exist in the repository"
done < <(grep -I -n -H -o -P '(?<![$A-Za-z0-9_./-])[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b(#[A-Za-z0-9_-]+)?' "${files[@]}" 2>/dev/null)

# 3. Machine paths in the samples of real runs that README.md and these
# pages quote: shown as run in the tree, with paths relative to it. (Other
# pages may show a user's paths, such as /home/me, on purpose.)
SAMPLE_PAGES="README.md docs/README.md docs/design.md docs/semantics.md docs/bugs.md docs/scenarios.md
	docs/continuous-fuzzing.md docs/kernel-mode.md docs/performance.md"
while IFS= read -r hit; do
	report "$hit (a machine path)"
done < <(cd "$root" && grep -n -H -E '(^|[^A-Za-z0-9_.~-])/(tmp|work|root|home)/' $SAMPLE_PAGES 2>/dev/null || true)

# 4. What the tool says: ./unmapfuzz help, every command with its options.
# (Each command's --help adds the prose of its tools/cmd_NAME.sh header,
# which the scan above already covers.)
if [ -x ./unmapfuzz ]; then
	while IFS= read -r hit; do report "./unmapfuzz help: $hit"; done < <(./unmapfuzz help 2>&1 | grep -E "$ISSUE|$SECTION" || true)
fi

if [ $bad -gt 0 ]; then
	echo "docs_refs: $bad place(s) point outside the repository (say the reason in place, or cite docs/FILE.md and its section)" >&2
	exit 1
fi
echo "docs_refs: ${#files[@]} files and the help texts point only inside the repository"
