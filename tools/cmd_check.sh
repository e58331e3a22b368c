# usage: ./unmapfuzz check [OPTIONS]
# about: replay the seeds and the regressions only, in seconds: the edit-check loop of a port
# options: replay
# option: --ignore-known - a seed or regression a known bug explains passes (listed as KNOWN)
# options: kernel
# operands: 0 0
# status: a seed or a regression fails on this tree
#
# Every corpus/seeds/*.scn and corpus/regression/*.scn must pass on your
# tree (the regressions are the minimal reproducers of bugs once found: they
# pass on a correct tree and fail on the bug-zoo variant they belong to).
# One process replays them all with the dev build's unmapfuzz-tool; each
# failure is printed with the command that shows it slot by slot. Then run
# ./unmapfuzz test (the suite) and ./unmapfuzz fuzz (the search).

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

cmd_check() {
	local scns=() f t0=$SECONDS rc=0 out line path cls
	replay_setup
	local bdir=$REPLAY_DIR
	for f in "$ROOT"/corpus/seeds/*.scn "$ROOT"/corpus/regression/*.scn; do
		[ -f "$f" ] && scns+=("$f")
	done
	[ ${#scns[@]} -gt 0 ] || die "no scenarios in corpus/seeds and corpus/regression"
	local args=()
	[ -z "${OPT[--ignore-known]}" ] || args+=(--ignore-known)
	out=$(ASAN_OPTIONS=detect_leaks=0 "$bdir/unmapfuzz-tool" check "${args[@]}" -- "${scns[@]}") || rc=$?
	while IFS= read -r line; do
		case $line in
		"FAILED "* | "KNOWN "*)
			path=${line#* } cls=${line#*: }
			path=${path%%: *}
			echo "${line%% *} $cls: $REPRO_CMD ${path#"$ROOT"/}"
			;;
		esac
	done <<<"$out"
	echo "$(tail -1 <<<"$out" | sed 's/^check: //') ($((SECONDS - t0)) s, $bdir/unmapfuzz-tool)"
	case $rc in
	0 | 1) return $rc ;;
	*) die "the replay stopped (exit $rc)${out:+: $(tail -1 <<<"$out")}" ;;
	esac
}
