# usage: ./unmapfuzz check [OPTIONS] [FILE|DIR...]
# about: replay the seeds and the regressions (or your own scenarios) only, in seconds: the edit-check loop of a port
# options: replay
# option: --ignore-known - a scenario a known bug explains passes (listed as KNOWN)
# option: --json FILE - also write the result to FILE as one JSON document (docs/command-line.md)
# options: kernel
# operands: 0 -
# status: a scenario fails on this tree
#
# Without operands every corpus/seeds/*.scn and corpus/regression/*.scn must
# pass on your tree (the regressions are the minimal reproducers of bugs once
# found: they pass on a correct tree and fail on the bug-zoo variant they
# belong to). With operands, those instead: each FILE (a .scn text or a
# binary crash file) and every *.scn below each DIR (a kernel tree's own
# folder of scenarios, say), so a folder outside the project needs no
# copying. One process replays them all with the dev build's
# unmapfuzz-tool; each failure is printed with the command that shows it
# slot by slot, then the counts and the seconds the replay took (the build
# before it not counted). Then run ./unmapfuzz test (the suite) and
# ./unmapfuzz fuzz (the search).

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

cmd_check() {
	local scns=() f t0 rc=0 out line path cls op n
	for op in "$@"; do
		if [ -d "$op" ]; then
			n=${#scns[@]}
			while IFS= read -r -d '' f; do scns+=("$f"); done < <(find -H "$op" -type f -name '*.scn' -print0 | sort -z)
			[ ${#scns[@]} -gt "$n" ] || die "no *.scn file in $(shown "$op")"
		elif [ -e "$op" ]; then
			scns+=("$op")
		else
			die "no such file or directory: $(shown "$op")"
		fi
	done
	replay_setup
	t0=$SECONDS
	local bdir=$REPLAY_DIR
	if [ $# -eq 0 ]; then
		for f in "$ROOT"/corpus/seeds/*.scn "$ROOT"/corpus/regression/*.scn; do
			[ -f "$f" ] && scns+=("$f")
		done
		[ ${#scns[@]} -gt 0 ] || die "no scenarios in corpus/seeds and corpus/regression"
	fi
	local args=()
	[ -z "${OPT[--ignore-known]}" ] || args+=(--ignore-known)
	out=$(ASAN_OPTIONS=detect_leaks=0 "$bdir/unmapfuzz-tool" check "${args[@]}" -- "${scns[@]}") || rc=$?
	local kind known
	json_add table scenarios
	while IFS= read -r line; do
		case $line in
		"FAILED "* | "KNOWN "*)
			path=${line#* } cls=${line#*: }
			path=${path%%: *}
			echo "${line%% *} $cls: $REPRO_CMD ${path#"$ROOT"/}"
			known=""
			case $cls in *"known bug "*) known=${cls##*known bug } ;; esac
			cls=${cls%%,*}
			kind=${cls%% *}
			json_add row scenarios "status=${line%% *}" "path=$path" "kind=$kind" "class=${cls#* }" "known_bug=$known" \
				"repro_command=$REPRO_CMD ${path#"$ROOT"/}"
			[ -z "$known" ] || json_add list known_bugs "$known"
			;;
		esac
	done <<<"$out"
	# "check: 12 of 12 scenario(s) replayed: 11 passed, 1 failed, 0 unreadable"
	line=$(tail -1 <<<"$out")
	if [[ $line =~ ^check:\ ([0-9]+)\ of\ ([0-9]+)\ scenario.*:\ ([0-9]+)\ passed.*\ ([0-9]+)\ failed,\ ([0-9]+)\ unreadable ]]; then
		json_add count replayed "${BASH_REMATCH[1]}"
		json_add count scenarios "${BASH_REMATCH[2]}"
		json_add count passed "${BASH_REMATCH[3]}"
		json_add count failed "${BASH_REMATCH[4]}"
		json_add count unreadable "${BASH_REMATCH[5]}"
	fi
	json_add count seconds $((SECONDS - t0))
	echo "${line#check: } ($((SECONDS - t0)) s, $bdir/unmapfuzz-tool)"
	case $rc in
	0 | 1) return $rc ;;
	# An unreadable scenario: the replay named it on stderr, file:line.
	2) [[ $line == check:* ]] && { ERROR_TEXT="unreadable scenario(s): ${line#check: }"; exit 2; } ;;&
	*) die "the replay stopped (exit $rc)${out:+: $(tail -1 <<<"$out")}" ;;
	esac
}
