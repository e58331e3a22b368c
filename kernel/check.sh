#!/usr/bin/env bash
# Compiles the cut of a kernel file for syntax only against the shim and turns
# "undeclared" diagnostics into one line per missing name saying where it
# belongs, instead of a wall of compiler (or link) errors.
#   check.sh STAMP CUT CC [FLAG...]
set -uo pipefail
stamp=$1 cut=$2 cc=$3
shift 3
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if "$cc" "$@" -fsyntax-only "$cut" 2>"$log"; then
	# Warnings are the kernel tree's own business; show them, don't fail.
	cat "$log" >&2
	touch "$stamp"
	exit 0
fi
# clang: "call to undeclared function 'x'", "use of undeclared identifier 'x'",
# "unknown type name 'x'"; gcc: "implicit declaration of function 'x'",
# "'x' undeclared", "unknown type name 'x'".
names=$(sed -n -E \
	-e "s/.*(call to undeclared function|implicit declaration of function|use of undeclared identifier|unknown type name) [‘'\"]([A-Za-z_0-9]+)[’'\"].*/\2/p" \
	-e "s/.*error: [‘'\"]([A-Za-z_0-9]+)[’'\"] undeclared.*/\1/p" "$log" | sort -u)
if [ -n "$names" ]; then
	{
		echo "unmapfuzz: the kernel code uses names the shim (kernel/shim/kshim/) does not provide:"
		for n in $names; do
			where=$(grep -m1 -E "(error|warning):.*[‘'\"]$n[’'\"]" "$log" | sed -E 's/^([^:]+:[0-9]+):.*/\1/')
			echo "  $n (first at $where)"
		done
		echo "Supply each with --kernel-shim FILE.h (docs/kernel-trees.md), or add it to"
		echo "kernel/shim/kshim/custom.h if it has an effect the model must see (map it onto a"
		echo "substrate primitive in mm/, through kernel/kshim_abi.h and kernel/bridge.cc), to"
		echo "stubs.h if it has none (locks, barriers, cache flushes, unreachable paths), or to"
		echo "dup.h if it is a pure helper the tree's headers do not define. The compiler said:"
	} >&2
fi
sed -n '1,40p' "$log" >&2
exit 1
