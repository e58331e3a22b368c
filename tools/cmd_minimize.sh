# usage: ./unmapfuzz minimize [--build DIR | --zoo NAME] [--runs N] FILE   shrink a failing scenario (libFuzzer -minimize_crash, then a structural pass) into FILE.min.scn
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
#   2. structure: unmapfuzz-tool minimize (fuzz/minimize.h) drops VMAs,
#      events and mms, sets slots to none, clears bits and flags and halves
#      the folio order, re-running both implementations after every step.
#
# FILE (a binary crash file or a .scn text) is left as it is; the result is
# FILE.min.scn, a regression draft ("# expect: KIND class") ready to be
# committed as corpus/regression/NAME.scn. --build DIR uses DIR's
# unmapfuzz-tool and unmap_diff instead of build/dev; --zoo NAME those of
# the bug-zoo variant NAME (build/dev/zoo/NAME).

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

cmd_minimize() {
	local bdir="" runs=20000 file=""
	while [ $# -gt 0 ]; do
		case $1 in
		--build) bdir=$2; shift 2 ;;
		--zoo) bdir=$(zoo_replay_dir "$2"); shift 2 ;;
		--runs) runs=$2; shift 2 ;;
		-*) die "minimize: unknown option $1 (usage: ./unmapfuzz minimize [--build DIR | --zoo NAME] [--runs N] FILE)" ;;
		*) [ -z "$file" ] || die "minimize: one file only"; file=$1; shift ;;
		esac
	done
	[ -n "$file" ] || die "usage: ./unmapfuzz minimize [--build DIR | --zoo NAME] [--runs N] FILE"
	[ -f "$file" ] || die "minimize: no such file: $file"
	if [ -z "$bdir" ]; then
		build dev unmapfuzz-tool unmap_diff >/dev/null
		bdir=$ROOT/build/dev
	fi
	local tool=$bdir/unmapfuzz-tool target=$bdir/unmap_diff
	[ -x "$tool" ] && [ -x "$target" ] || die "minimize: $bdir needs unmapfuzz-tool and unmap_diff"

	local want
	want=$(crash_class "$tool" "$file")
	case $want in
	INVARIANT* | DIVERGENCE*) ;;
	NOT_REPRODUCED*) die "minimize: $file does not fail with $tool" ;;
	*) die "minimize: $file fails as '$want', not with a harness class; minimise it with: $target -minimize_crash=1 -runs=$runs $file" ;;
	esac
	echo "minimize: $file fails with $want"

	local tmp
	mkdir -p "$WORK/minimize"
	tmp=$(mktemp -d "$WORK/minimize/run.XXXXXX")
	# libFuzzer needs the binary form.
	if grep -aq 'unmapfuzz-scenario' <(head -c 512 "$file"); then
		"$tool" encode "$file" "$tmp/input" || die "minimize: cannot encode $file"
	else
		cp "$file" "$tmp/input"
	fi

	# Pass 1: bytes.
	local src=$tmp/input got t0=$SECONDS
	ASAN_OPTIONS=dedup_token_length=4:handle_abort=1:detect_leaks=0 "$target" -minimize_crash=1 -runs="$runs" \
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
		echo "libFuzzer -minimize_crash: no smaller input (log: $tmp/libfuzzer.log)"
	fi

	# Pass 2: structure.
	local out=$file.min.scn
	"$tool" minimize "$src" "$out" || die "minimize: the structural pass failed"
	got=$(crash_class "$tool" "$out")
	[ "$got" = "$want" ] || die "minimize: $out fails as '$got', not '$want'"
	"$tool" encode "$out" "$tmp/final.bin"
	echo "original:  $file, $(stat -c %s "$file") bytes"
	echo "minimised: $out, $(stat -c %s "$out") bytes of text ($(grep -vc '^#' "$out") lines without comments), $(stat -c %s "$tmp/final.bin") bytes binary; fails with $got"
	echo "replay: ./unmapfuzz repro $out"
	rm -rf "$tmp"
}
