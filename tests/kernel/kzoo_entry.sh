#!/usr/bin/env bash
# The ctest kzoo.NAME: kzoo_entry.sh NAME SOURCE_DIR BINARY_DIR SHAPE
# tests/kernel/zoo/NAME.patch plants a historical bug into the SHAPE
# fixture's mm/rmap.c (kernel-style text of this project's own); the variant
# kzoo-NAME is that patched file cut out and compiled like any kernel tree.
# Builds it and the clean fixture (unless kernel.patched.build did), then runs
# tests/kernel/kzoo_check.sh.
set -uo pipefail
name=$1 src=$2 bin=$3 shape=$4
log=$bin/kzoo-work/$name.build.log
mkdir -p "$bin/kzoo-work"
# Under ctest the kernel.patched.build fixture has built every variant
# (UNMAPFUZZ_PREBUILT=1), and a second build here would share the build
# directory with the entry running beside it.
if [ -z "${UNMAPFUZZ_PREBUILT:-}" ]; then
	cmake --build "$bin" --target "kernel_kzoo-$name" "kernel_fixture-$shape" seeds >"$log" 2>&1 ||
		{ tail -20 "$log" >&2; echo "kzoo $name: the patch does not apply or the variant does not build" >&2; exit 1; }
fi
[ -x "$bin/kernel/kzoo-$name/unmapfuzz-tool" ] ||
	{ echo "kzoo $name: no $bin/kernel/kzoo-$name/unmapfuzz-tool: the variant was not built (ctest's kernel.patched.build)" >&2; exit 1; }
exec "$src/tests/kernel/kzoo_check.sh" "$src/tests/kernel/zoo/$name.patch" \
	"$bin/kernel/fixture-$shape/unmapfuzz-tool" "$bin/kernel/kzoo-$name" "$bin/seeds-bin" \
	"$bin/kzoo-work/$name" "$bin/kzoo-results/$name.row" "$src"
