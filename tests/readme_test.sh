#!/usr/bin/env bash
# README.md shows what the tool does, and this test keeps it true:
#
#   --commands  the README has at most 250 lines, and
#               every ./unmapfuzz command line the README shows (in code blocks
#               and in `inline code`) is one the driver accepts: its
#               arguments go through the driver's own argument parser
#               (parse_args, the spec in tools/cmd_NAME.sh), without running
#               the command. Placeholders are filled in first: FILE with a
#               seed, ~/linux with a kernel-style fixture tree.
#   --output    every output block marked
#                 <!-- readme-test: output COMMAND [| rerun ARGS] -->
#               starts with "$ COMMAND"; the command is run (as
#               ./unmapfuzz ARGS instead, when given, to keep it short) in a
#               scratch UNMAPFUZZ_WORK, and every quoted line must still be
#               printed. Lines are compared with numbers as N, the tree's and
#               the work directory's paths removed, and "..." matching
#               anything, so a new count passes and a changed line does not.
#
# Exit 1 with one line per README line that no longer holds.
set -euo pipefail
mode=${1:?usage: readme_test.sh --commands|--output ROOT [SCRATCH]}
root=$(cd "${2:?ROOT}" && pwd)
scratch=${3:-}
readme=$root/README.md
[ -f "$readme" ] || { echo "readme_test: no $readme" >&2; exit 2; }
bad=0
fail() { echo "README.md:$*"; bad=$((bad + 1)); }

seed=$(ls "$root"/corpus/seeds/*.scn | head -1)
seed=${seed#"$root"/}
# Placeholders the README uses in command lines, and what stands in for them.
fill() {
	local l=$1
	l=${l//\~\/linux/tests/kernel/fixtures/v7.1}
	l=${l//\$(nproc)/2}
	l=$(sed -E "s#(^| )FILE( |$)#\\1$seed\\2#g; s#(^| )DIR( |$)#\\1corpus\\2#g" <<<"$l")
	echo "$l"
}

# LINE<TAB>COMMAND for every ./unmapfuzz command line of the README.
command_lines() {
	awk '
		/^```/ { block = !block; next }
		block {
			l = $0; sub(/^\$ /, "", l)
			if (l ~ /^\.\/unmapfuzz( |$)/) { sub(/[ \t]+#.*$/, "", l); print NR "\t" l }
			next
		}
		{
			s = $0
			while (match(s, /`\.\/unmapfuzz[^`]*`/)) {
				print NR "\t" substr(s, RSTART + 1, RLENGTH - 2)
				s = substr(s, RSTART + RLENGTH)
			}
		}' "$readme"
}

check_commands() {
	local n=0 line cmd words
	while IFS=$'\t' read -r line cmd; do
		[ "$cmd" != ./unmapfuzz ] || continue # the driver named, not a command line
		n=$((n + 1))
		cmd=$(fill "$cmd")
		read -r -a words <<<"${cmd#./unmapfuzz}"
		local err rc=0
		err=$(cd "$root" && (
			# shellcheck source=/dev/null
			source ./unmapfuzz
			set +e
			c=${words[0]:-}
			case $c in
			help | -h | --help | --version | -V) ./unmapfuzz "${words[@]}" >/dev/null; exit $? ;;
			esac
			[[ $c =~ ^[a-z]+$ ]] && [ -f "tools/cmd_$c.sh" ] || { echo "no command '$c'"; exit 2; }
			CMD=$c
			# -h/--help print the help and exit 0, as the driver does.
			parse_args "$c" "${words[@]:1}" >/dev/null
		) 2>&1) || rc=$?
		[ $rc = 0 ] || fail "$line: '$cmd' is refused by the driver (exit $rc): ${err##*$'\n'}"
	done < <(command_lines)
	[ $n -ge 8 ] || fail "0: only $n ./unmapfuzz command lines found; the quick start shows more"
	# A quick start, not the manual: the reference lives in docs/.
	local lines
	lines=$(wc -l <"$readme")
	[ "$lines" -le 250 ] || fail "$lines: the README has $lines lines; keep it to 250 and move the rest to docs/"
	echo "readme_test: $n command lines checked"
}

normalise() { # the tree's and WORK's paths out, numbers as N, blanks squeezed
	sed -E "s#$WORK#work#g; s#$root/##g; s#[0-9]+#N#g; s#[[:space:]]+# #g; s# \$##"
}

check_output() {
	[ -n "$scratch" ] || { echo "readme_test: --output needs a SCRATCH directory" >&2; exit 2; }
	rm -rf "$scratch"
	mkdir -p "$scratch"
	WORK=$scratch/work
	local blocks=0 line tag shown cmd rerun out
	while IFS= read -r line; do
		tag=$(sed -n "${line}p" "$readme" | sed -E 's/^<!-- readme-test: output (.*) -->$/\1/')
		cmd=${tag%% | rerun *}
		rerun=""
		[ "$cmd" = "$tag" ] || rerun=${tag#* | rerun }
		shown=$(sed -n "$((line + 2))p" "$readme")
		[ "$(sed -n "$((line + 1))p" "$readme")" = '```' ] || { fail "$line: no code block after the marker"; continue; }
		[ "$shown" = "\$ $cmd" ] || { fail "$((line + 2)): the block shows '$shown', the marker says '$cmd'"; continue; }
		blocks=$((blocks + 1))
		local run=$cmd
		[ -z "$rerun" ] || run="./unmapfuzz $rerun"
		echo "readme_test: running $run"
		out=$(cd "$root" && UNMAPFUZZ_WORK=$WORK bash -c "$run" 2>&1 </dev/null || true)
		local actual
		actual=$(normalise <<<"$out")
		local i=$((line + 3)) q nq
		while q=$(sed -n "${i}p" "$readme"); [ "$q" != '```' ]; do
			nq=$(normalise <<<"$q")
			if [ -n "$nq" ]; then
				# "..." matches anything; everything else literally.
				local re
				re=$(sed -E 's/[][\\.^$*+?(){}|/]/\\&/g; s/\\\.\\\.\\\./.*/g' <<<"$nq")
				grep -q -E -x -- "$re" <<<"$actual" || fail "$i: '$q' is no longer printed by '$run'"
			fi
			i=$((i + 1))
			[ $i -lt 100000 ] || break
		done
	done < <(grep -n '^<!-- readme-test: output ' "$readme" | cut -d: -f1)
	[ $blocks -ge 3 ] || fail "0: $blocks marked output blocks; the quick start has three"
	echo "readme_test: $blocks output blocks compared"
}

case $mode in
--commands) check_commands ;;
--output) check_output ;;
*) echo "readme_test: unknown mode $mode" >&2; exit 2 ;;
esac
if [ $bad -gt 0 ]; then
	echo "readme_test: $bad README line(s) no longer match the tool" >&2
	exit 1
fi
