# usage: ./unmapfuzz minimize [OPTIONS] FILE
# about: shrink a failing scenario (libFuzzer -minimize_crash, then a structural pass) into $WORK/minimized/NAME.min.scn
# options: replay
# option: --runs N[1-] 20000 libFuzzer -minimize_crash executions
# option: -o FILE - write the result to FILE instead of $WORK/minimized/NAME.min.scn
# options: kernel
# operands: 1 1
# status: not used (0 when written; a FILE that does not fail is an input error, 2)
#
# Two passes, each kept only when the input still fails with the same
# `KIND class` as FILE (a minimiser that changes the bug is worse than none):
#
#   1. bytes: libFuzzer -minimize_crash=1 -runs=N on the dev build's
#      unmap_diff, with ASAN_OPTIONS=handle_abort=1:dedup_token_length=4 so
#      that libFuzzer only accepts a smaller input whose top four frames
#      (pthread_kill, raise, abort, the class's own invariant_abort<N> or
#      divergence_abort<N>) match: with the usual dedup_token_length=3, or
#      without handle_abort, the token holds no class frame and libFuzzer
#      happily turns one class into another;
#   2. structure: unmapfuzz-tool minimize (search/minimize.h) drops VMAs,
#      events and mms, sets slots to none, clears bits and flags and halves
#      the folio order, re-running both implementations after every step.
#
# FILE (a binary crash file or a .scn text) is left as it is; the result is
# $WORK/minimized/NAME.min.scn (NAME: FILE's name without .scn), or -o's
# file, a regression draft ("# expect: KIND class", its provenance naming
# FILE) ready to be committed as corpus/regression/NAME.scn. Nothing is
# written into corpus/ unless -o says so. --build DIR uses DIR's
# unmapfuzz-tool and unmap_diff instead of build/dev; --zoo NAME those of
# the bug-zoo variant NAME (build/dev/zoo/NAME).

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

cmd_minimize() {
	local file=$1 runs=${OPT[--runs]} out=${OPT[-o]}
	[ -e "$file" ] || die "no such file: $(shown "$file")"
	[ -f "$file" ] || die "$(shown "$file") is not a regular file (minimize copies its input)"
	[ -r "$file" ] || die "cannot read $(shown "$file")"
	ensure_work
	# Where the result goes is checked before the work (-o: common_checks).
	[ -n "$out" ] || lock_dir "$WORK/minimized" minimize
	replay_setup
	local bdir=$REPLAY_DIR
	local tool=$bdir/unmapfuzz-tool target=$bdir/unmap_diff
	[ -x "$tool" ] && [ -x "$target" ] || die "$bdir needs unmapfuzz-tool and unmap_diff"
	if [ -z "$out" ]; then
		local base=${file##*/}
		mkdir -p "$WORK/minimized" || die "cannot create $WORK/minimized"
		out=$WORK/minimized/${base%.scn}.min.scn
	fi

	local want
	want=$(crash_class "$tool" "$file")
	case $want in
	INVARIANT* | DIVERGENCE* | KERNEL_*) ;;
	NOT_REPRODUCED*) die "$file does not fail with $tool: nothing to minimise" ;;
	BAD_INPUT*)
		local why
		why=$("$tool" print -- "$file" 2>&1 >/dev/null | head -1) || true
		die "${why:-$file is not a scenario}"
		;;
	*) die "$file fails as '$want', not with a harness class; minimise it with: $target -minimize_crash=1 -runs=$runs $file" ;;
	esac
	echo "minimize: $file fails with $want"

	scratch_dir "$WORK/minimize"
	local tmp=$SCRATCH_DIR
	# libFuzzer needs the binary form.
	if [ "$("$tool" format -- "$file")" = text ]; then
		"$tool" encode -- "$file" "$tmp/input" || die "cannot encode $file"
	else
		cp "$file" "$tmp/input"
	fi

	# Pass 1: bytes.
	local src=$tmp/input got t0=$SECONDS
	ASAN_OPTIONS=dedup_token_length=4:handle_abort=1:detect_leaks=0 run "$target" -minimize_crash=1 -runs="$runs" \
		-max_len=16384 -exact_artifact_path="$tmp/bytes" "$tmp/input" >"$tmp/libfuzzer.log" 2>&1 || true
	if [ -s "$tmp/bytes" ]; then
		got=$(crash_class "$tool" "$tmp/bytes")
		if [ "$got" = "$want" ]; then
			src=$tmp/bytes
			echo "libFuzzer -minimize_crash: $(stat -c %s "$tmp/input") -> $(stat -c %s "$tmp/bytes") bytes, same class ($((SECONDS - t0)) s, -runs=$runs)"
		else
			echo "libFuzzer -minimize_crash: the result fails as '$got'; kept the input as it was"
		fi
	else
		echo "libFuzzer -minimize_crash: no smaller input"
	fi

	# Pass 2: structure, written to a scratch file first: OUT appears only
	# when it holds the checked result.
	run "$tool" minimize --from "$file" -- "$src" "$tmp/min.scn" || die "the structural pass failed"
	got=$(crash_class "$tool" "$tmp/min.scn")
	[ "$got" = "$want" ] || die "the minimised scenario fails as '$got', not '$want'"
	cp "$tmp/min.scn" "$out" 2>/dev/null || die "cannot write $out"
	"$tool" encode -- "$out" "$tmp/final.bin"
	echo "original:  $file, $(stat -c %s "$file") bytes"
	echo "minimised: $out, $(stat -c %s "$out") bytes of text ($(grep -vc '^#' "$out") lines without comments), $(stat -c %s "$tmp/final.bin") bytes binary; fails with $got"
	echo "replay: $REPRO_CMD $out"
}
