#!/usr/bin/env bash
# The ctest zoo.build: builds, in one build, the variant of every bug-zoo
# entry whose patch applies to this tree (tests/bugzoo/zoo_applies.sh), with
# the clean tool and the seeds; the zoo.NAME entries then only run them.
#   zoo_build.sh SOURCE_DIR BINARY_DIR
set -uo pipefail
src=$1 bin=$2
targets=(unmapfuzz-tool seeds)
for patch in "$src"/tests/bugzoo/*.patch; do
	name=$(basename "$patch" .patch)
	"$src/tests/bugzoo/zoo_applies.sh" "$name" "$src" >/dev/null && targets+=("zoo_$name" "zoo_tool_$name")
done
echo "building ${#targets[@]} targets: ${targets[*]}"
exec cmake --build "$bin" --target "${targets[@]}"
