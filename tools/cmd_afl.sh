# usage: ./unmapfuzz afl [--jobs N] [--time S] [--runs N] [--zoo NAME]   the same as ./unmapfuzz fuzz --engine afl: -M main + N-1 -S secN on $WORK/afl/<date>
#
# The AFL++ campaign of ./unmapfuzz fuzz --engine afl (tools/lib_fuzzing.sh,
# fuzz_afl); this file gives it a line in ./unmapfuzz help and the short
# form ./unmapfuzz afl [--jobs N] [--time S] [--runs N].

cmd_afl() {
	cmd_fuzz --engine afl "$@"
}
