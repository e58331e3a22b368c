#!/usr/bin/env bash
# The shim learns from the tree (kernel/extract/learn.h): compiles the cut of
# mm/rmap.c for syntax only against the shim, asks kernel-extract --learn for
# every name the compiler says is undeclared, and compiles again with what it
# learned, until no new name comes up.
#   learn.sh EXTRACT CUT TREE OUT_DIR SHIM_DIR CC [FLAG...]
# FLAGs are the kernel C options (kernel/kernel_variant.cmake writes them to
# BUILD/kernel/c-options), a user's -include FILE among them. Writes into
# OUT_DIR:
#   learned.h    the learned helpers (force-included after the shim)
#   learned.txt  kernel-extract's verdict lines of the last round
#   missing.txt  "NAME FILE:LINE" per name still undeclared (first use)
#   syntax.log   the compiler's output of the last round
# Exit 0 when the cut compiles, 1 when it does not (the caller reports it),
# 2 on a usage error.
set -uo pipefail
[ $# -ge 6 ] || { echo "usage: learn.sh EXTRACT CUT TREE OUT_DIR SHIM_DIR CC [FLAG...]" >&2; exit 2; }
extract=$1 cut=$2 tree=$3 out=$4 shim=$5 cc=$6
shift 6
mkdir -p "$out" || exit 2
: >"$out/learned.h" && : >"$out/learned.txt" && : >"$out/missing.txt" || exit 2
limit=()
case $("$cc" --version 2>/dev/null | head -1) in
*clang*) limit=(-ferror-limit=0) ;;
*) limit=(-fmax-errors=0) ;;
esac
# The user's shim (-include FILE after the shim's own) counts as the shim.
user=()
prev=""
for f in "$@"; do
	if [ "$prev" = -include ] && [ "$f" != "$shim/kshim.h" ]; then user+=(--shim "$f"); fi
	prev=$f
done
# clang: "call to undeclared function 'x'", "use of undeclared identifier 'x'",
# "unknown type name 'x'"; gcc: "implicit declaration of function 'x'",
# "'x' undeclared", "unknown type name 'x'".
undeclared() { # LOG: "NAME FILE:LINE", first use of each name
	sed -n -E \
		-e "s/^([^: ]+:[0-9]+):[0-9]+: .*(call to undeclared function|implicit declaration of function|use of undeclared identifier|unknown type name) [‘'\"]([A-Za-z_0-9]+)[’'\"].*/\3 \1/p" \
		-e "s/^([^: ]+:[0-9]+):[0-9]+: error: [‘'\"]([A-Za-z_0-9]+)[’'\"] undeclared.*/\2 \1/p" "$1" |
		awk '!seen[$1]++'
}
# The shim preprocessed, for the definitions its macros generate.
"$cc" "$@" -E -P -x c /dev/null >"$out/shim.i" 2>/dev/null || : >"$out/shim.i"
asked=""
for round in 1 2 3 4 5 6; do
	if "$cc" "$@" -include "$out/learned.h" "${limit[@]}" -fsyntax-only "$cut" >"$out/syntax.log" 2>&1; then
		: >"$out/missing.txt"
		exit 0
	fi
	undeclared "$out/syntax.log" >"$out/missing.txt"
	new=$(awk -v asked=" $asked " 'index(asked, " " $1 " ") == 0 { print $1 }' "$out/missing.txt")
	[ -n "$new" ] || exit 1
	asked="$asked $(echo $new)"
	# shellcheck disable=SC2086
	"$extract" --learn "$tree" --out "$out/learned.h.new" --shim "$shim/kshim/dup.h" \
		--shim "$shim/kshim/custom.h" --stubs "$shim/kshim/stubs.h" \
		--bridge "$shim/../kshim_abi.h" --shim-expanded "$out/shim.i" "${user[@]}" $asked >"$out/learned.txt" || exit 2
	mv "$out/learned.h.new" "$out/learned.h" || exit 2
	[ "$round" -lt 6 ] || exit 1
done
exit 1
