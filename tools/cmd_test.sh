# usage: ./unmapfuzz test [-- CTEST_ARGS...]
# about: build the dev preset and run the whole ctest suite (installs what it needs on Debian 12)
# operands: 0 0
# passthrough: ctest
# status: a test failed
#
# Prints one status line per test as it finishes and ends with a summary:
# how many passed, failed and were skipped (a bug-zoo entry whose patch does
# not apply to your batched/rmap.cc is skipped as "not applicable to this
# tree"), and for each failure the first line of its message. The full ctest
# output is in build/logs/test.log. Arguments after -- go to ctest as they
# are: ./unmapfuzz test -- -R '^cli\.' -j 1, ./unmapfuzz test -- -L zoo.
# Anything else before -- is refused, so a mistyped option never runs the
# whole suite.

# shellcheck source=tools/lib_ctest.sh
source "$ROOT/tools/lib_ctest.sh"

cmd_test() {
	build dev
	echo "running ctest${PASS[*]:+ ${PASS[*]}} on build/dev (full log: $ROOT/build/logs/test.log)"
	ctest_run "$ROOT/build/logs/test.log" "${PASS[@]}"
}
