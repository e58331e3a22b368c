# usage: ./unmapfuzz fuzz --engine afl [--jobs N] [--time S]   AFL++: -M main + N-1 -S secN on $WORK/afl/<date> (./unmapfuzz afl ... is the same)
#
# The AFL++ campaign of ./unmapfuzz fuzz --engine afl (tools/lib_fuzzing.sh,
# fuzz_afl); this file gives it a line in ./unmapfuzz help and the short
# form ./unmapfuzz afl [--jobs N] [--time S] [--runs N].

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

cmd_afl() {
	cmd_fuzz --engine afl "$@"
}
