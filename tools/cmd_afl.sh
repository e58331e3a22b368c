# usage: ./unmapfuzz afl [OPTIONS]
# about: the same as ./unmapfuzz fuzz --engine afl: -M main + N-1 -S secN on $WORK/afl/<date>
# options: campaign
# options: kernel
# operands: 0 0
# status: failures were found (one line per class, each with the command that replays it)
#
# The AFL++ campaign of ./unmapfuzz fuzz --engine afl (tools/lib_fuzzing.sh,
# fuzz_afl), under a short name.

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

cmd_afl() {
	fuzz_afl "${OPT[--time]}" "${OPT[--jobs]}" "${OPT[--runs]}" "${OPT[--zoo]}"
}
