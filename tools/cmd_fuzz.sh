# usage: ./unmapfuzz fuzz [OPTIONS]
# about: fuzz batched/ against reference/ (libFuzzer or AFL++); one line per failure class found
# option: --engine afl|libfuzzer libfuzzer the fuzzing engine
# options: campaign
# options: kernel
# operands: 0 0
# status: failures were found (one line per class, each with the command that replays it)
#
# libFuzzer runs -fork=JOBS with crashes, timeouts and OOMs ignored, from
# $WORK/corpus and the seeds; AFL++ runs one -M main and JOBS-1 -S secN
# instances on a fresh sync directory $WORK/afl/<date>. A progress line
# every 10 s: elapsed/total, executions and exec/s, corpus, crash files per
# class so far. Ctrl-C (SIGINT or SIGTERM) stops every process the campaign
# started, keeps the corpus and the crash files, prints the summary so far
# and exits 130. At the end every new crash file is replayed and grouped by
# class (./unmapfuzz triage does the same with minimisation).

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

cmd_fuzz() {
	case ${OPT[--engine]} in
	libfuzzer) fuzz_libfuzzer "${OPT[--time]}" "${OPT[--jobs]}" "${OPT[--runs]}" "${OPT[--zoo]}" ;;
	afl) fuzz_afl "${OPT[--time]}" "${OPT[--jobs]}" "${OPT[--runs]}" "${OPT[--zoo]}" ;;
	esac
}
