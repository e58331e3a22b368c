# Shared functions of the fuzzing commands (fuzz --engine afl, triage,
# minimize, corpus, coverage). Sourced by ./unmapfuzz after its own helpers
# (build, tool, ensure_tools, die, ROOT, WORK), never run on its own.
# shellcheck shell=bash

# shellcheck source=tools/lib_kernel.sh
source "$ROOT/tools/lib_kernel.sh"

# AFL++ only when an AFL++ command runs: ./unmapfuzz test never needs it.
ensure_afl() {
	command -v afl-fuzz >/dev/null && command -v afl-clang-fast++ >/dev/null && return 0
	if [ "$(id -u)" -eq 0 ]; then
		echo "unmapfuzz: installing afl++" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq && apt-get install -y -qq afl++ >/dev/null
	else
		echo "unmapfuzz: AFL++ is not installed; run:" >&2
		echo "  sudo apt-get update && sudo apt-get install -y afl++" >&2
		exit 2
	fi
}

# What a campaign fuzzes and where it keeps its state. Sets
#   FUZZ_BIN    the engine's target: build/libfuzzer/unmap_diff or
#               build/afl/unmap_diff; with a zoo entry, zoo_NAME of the dev
#               preset (libFuzzer) or of the afl preset (AFL++);
#   REPLAY_DIR  the dev build directory whose unmapfuzz-tool and unmap_diff
#               replay its crash files: build/dev, or build/dev/zoo/NAME with
#               the patched code (tests/bugzoo/CMakeLists.txt);
#   FUZZ_HOME   $WORK, or $WORK/zoo/NAME so a planted bug's corpus and
#               crashes never mix with the working corpus.
#   SEEDS_DIR   the binary seeds of the engine's preset.
# In kernel mode (--kernel-tree, --kernel-deb) the target and the replay
# build are the kernel variant's (tools/lib_kernel.sh), FUZZ_HOME is
# $WORK/kernel/KEY. Builds all of it.
fuzz_target() { # ENGINE [ZOO]
	local engine=$1 zoo=${2:-} preset
	case $engine in
	libfuzzer) preset=libfuzzer ;;
	afl) ensure_afl; preset=afl ;;
	esac
	SEEDS_DIR=$ROOT/build/$preset/seeds-bin
	if kernel_mode; then
		[ -z "$zoo" ] || die "--zoo and kernel mode exclude each other (./unmapfuzz zoo --kernel-tree plants bugs into a tree)"
		build "$preset" seeds
		kernel_setup "$preset" dev
		FUZZ_BIN=$(kernel_dir "$preset")/unmap_diff
		REPLAY_DIR=$(kernel_dir dev)
		REPRO_CMD="./unmapfuzz repro $KERNEL_OPTS"
		FUZZ_HOME=$KERNEL_HOME
		lock_dir "$FUZZ_HOME" campaign
		return
	fi
	if [ -z "$zoo" ]; then
		# The lock before the builds: a second campaign is refused at once.
		FUZZ_HOME=$WORK
		lock_dir "$FUZZ_HOME" campaign
		build "$preset" unmap_diff seeds
		build dev unmapfuzz-tool unmap_diff
		FUZZ_BIN=$ROOT/build/$preset/unmap_diff
		REPLAY_DIR=$ROOT/build/dev
		REPRO_CMD="./unmapfuzz repro"
		return
	fi
	zoo_applies "$zoo"
	FUZZ_HOME=$WORK/zoo/$zoo
	lock_dir "$FUZZ_HOME" campaign
	# libFuzzer fuzzes the dev preset's variant (the libfuzzer preset builds no tests).
	[ "$preset" = libfuzzer ] && preset=dev
	SEEDS_DIR=$ROOT/build/$preset/seeds-bin
	build "$preset" "zoo_$zoo" seeds
	build dev "zoo_$zoo" "zoo_tool_$zoo"
	FUZZ_BIN=$ROOT/build/$preset/zoo_$zoo
	REPLAY_DIR=$ROOT/build/dev/zoo/$zoo
	REPRO_CMD="./unmapfuzz repro --zoo $zoo"
	say "fuzzing the bug-zoo variant $zoo (tests/bugzoo/$zoo.patch applied to a copy of the tree)"
}

# Dies (exit 2) when a bug-zoo entry's patch does not apply to this tree
# (tests/bugzoo/zoo_applies.sh decides).
zoo_applies() { # NAME
	local why rc=0
	why=$("$ROOT/tests/bugzoo/zoo_applies.sh" "$1" "$ROOT") || rc=$?
	[ "$rc" -eq 0 ] || die "${why#zoo "$1": }"
}

# The build that replays scenarios for repro, check, triage and minimize:
# build/dev, a bug-zoo variant's (--zoo NAME) or another build directory
# (--build DIR). Sets REPLAY_DIR and REPRO_CMD, the command a person runs to
# see one of its files slot by slot (a zoo crash file replays clean on the
# tree without the bug).
replay_setup() {
	local zoo=${OPT[--zoo]:-} bdir=${OPT[--build]:-}
	[ -z "$zoo" ] || [ -z "$bdir" ] || die "--zoo and --build exclude each other"
	if kernel_mode; then
		[ -z "$zoo" ] && [ -z "$bdir" ] || die "--zoo and --build exclude kernel mode"
		kernel_setup dev
		REPLAY_DIR=$(kernel_dir dev)
		REPRO_CMD="./unmapfuzz repro $KERNEL_OPTS"
	elif [ -n "$zoo" ]; then
		zoo_applies "$zoo"
		build dev "zoo_$zoo" "zoo_tool_$zoo"
		REPLAY_DIR=$ROOT/build/dev/zoo/$zoo
		REPRO_CMD="./unmapfuzz repro --zoo $zoo"
	elif [ -n "$bdir" ]; then
		REPLAY_DIR=$(cd "$bdir" && pwd)
		[ -x "$REPLAY_DIR/unmapfuzz-tool" ] || die "--build: no unmapfuzz-tool in $REPLAY_DIR"
		REPRO_CMD="./unmapfuzz repro --build $REPLAY_DIR"
	else
		build dev unmapfuzz-tool unmap_diff
		REPLAY_DIR=$ROOT/build/dev
		REPRO_CMD="./unmapfuzz repro"
	fi
}

# The environment every afl-fuzz and afl-cmin run gets. The harness itself
# takes no command-line options under AFL++ (aflpp_driver silently runs
# nothing when given one), only environment variables.
afl_env() {
	export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1
	# ASan and UBSan must abort for AFL++ to see a crash; UBSan's report
	# would otherwise end in exit(1), which AFL++ does not count.
	export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:malloc_context_size=0:allocator_may_return_null=1
	export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0:print_stacktrace=0
	local pattern
	pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || true)
	if [ "${pattern:0:1}" = "|" ]; then
		# afl-fuzz refuses to start when cores go to a helper program.
		if [ "$(id -u)" -eq 0 ] && echo core >/proc/sys/kernel/core_pattern 2>/dev/null; then
			echo "unmapfuzz: set /proc/sys/kernel/core_pattern to 'core' (was '$pattern')" >&2
		else
			echo "unmapfuzz: core_pattern pipes to '$pattern'; fuzzing with AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 (some crashes may be missed); fix with: echo core | sudo tee /proc/sys/kernel/core_pattern" >&2
			export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
		fi
	fi
}

# The structure-aware mutator (fuzz/afl_mutator.cc, scenario/mutate.h) as
# AFL++'s custom mutator, beside its own havoc stage, as libFuzzer's is on
# by default; UNMAPFUZZ_MUTATOR=0 leaves AFL++ to its byte-level mutations.
# --built: the caller has built it (the up-to-date check costs a few tenths
# of a second, which a benchmark's short runs would count).
afl_mutator_env() { # [--built]
	unset AFL_CUSTOM_MUTATOR_LIBRARY
	[ "${UNMAPFUZZ_MUTATOR:-1}" != 0 ] || return 0
	[ "${1:-}" = --built ] || build dev unmapfuzz_afl_mutator
	export AFL_CUSTOM_MUTATOR_LIBRARY=$ROOT/build/dev/libunmapfuzz_afl_mutator.so
}

# Crash files under DIR, sorted: libFuzzer's crash-* and AFL++'s
# crashes/id:* (in a crashes directory, or DIR itself holding id:* files),
# anywhere below DIR except DIR/triage. With SINCE, only files newer than it.
# Also the initial inputs AFL++ skipped because they crash ("Test case '...'
# results in a crash, skipping" in the afl-fuzz logs, which ./unmapfuzz fuzz
# --engine afl keeps as SYNC/NAME.log): AFL++ leaves them in the queue of
# that sync directory and never copies them to crashes/.
crash_files() { # DIR [SINCE]
	local dir=$1 since=${2:-} newer=() log name
	if [ -n "$since" ]; then newer=(-newer "$since"); fi
	{
		find -H "$dir" -path "$dir/triage" -prune -o -type f "${newer[@]}" \
			\( -name 'crash-*' -o -path '*/crashes/id:*' -o -path "$dir/id:*" \) -print 2>/dev/null
		find -H "$dir" -path "$dir/triage" -prune -o -name '*.log' -type f "${newer[@]}" -print 2>/dev/null |
			while IFS= read -r log; do
				sed -n "s/.*Test case '\([^']*\)' results in a crash, skipping.*/\1/p" "$log" |
					sort -u | while IFS= read -r name; do
					find -H "${log%/*}" -mindepth 3 -maxdepth 3 -path "*/queue/$name" -type f 2>/dev/null | sort | head -1
				done
			done
	} | sort -u || true
}

# The harness's signature in a log on stdin, "KIND class" ("INVARIANT name",
# "DIVERGENCE name", "KERNEL_WARN mm/rmap.c:LINE", "KERNEL_BUG ..."), with
# " known=ID" when a known bug explains it, or nothing.
failure_class() {
	awk '/^unmapfuzz: (INVARIANT|DIVERGENCE|KERNEL_WARN|KERNEL_BUG) / && !cls { cls = $2 " " $3 }
		/^unmapfuzz: known bug [A-Z0-9]+: / && !known { known = $4; sub(/:$/, "", known) }
		END { if (cls) print cls (known ? " known=" known : "") }'
}

# The known-bug line of the failure one input replays to, or nothing.
known_bug_line() { # TOOL FILE
	ASAN_OPTIONS=detect_leaks=0 timeout "$(step_timeout 60)" "$1" repro "$2" 2>&1 >/dev/null </dev/null |
		sed -n 's/^unmapfuzz: known bug //p' | head -1
}

# The failure class of one input, replayed with an unmapfuzz-tool:
#   "INVARIANT name" / "DIVERGENCE name"   the harness's own signature line;
#   "SANITIZER what@file:line"              ASan or UBSan stopped the replay;
#   "NOT_REPRODUCED -"                      the replay passes (flaky input, or
#                                           a build other than the one fuzzed);
#   "TIMEOUT -", "BAD_INPUT -", "UNKNOWN exit-N".
crash_class() { # TOOL FILE
	local tool=$1 f=$2 err rc line where
	rc=0
	err=$(ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		timeout "$(step_timeout 60)" "$tool" repro "$f" 2>&1 >/dev/null </dev/null) || rc=$?
	line=$(failure_class <<<"$err")
	if [ -n "$line" ]; then
		echo "$line"
		return
	fi
	case $rc in
	0) echo "NOT_REPRODUCED -"; return ;;
	2) echo "BAD_INPUT -"; return ;;
	124) echo "TIMEOUT -"; return ;;
	esac
	line=$(sed -n 's/.*ERROR: AddressSanitizer: \([a-z-]*\).*/asan-\1/p' <<<"$err" | head -1)
	if [ -z "$line" ] && grep -q 'runtime error:' <<<"$err"; then line=ubsan; fi
	if [ -n "$line" ]; then
		# Where: the first source location of the project in the report.
		where=$(grep -oE "($ROOT/)?(mm|reference|batched|fuzz|tools)/[A-Za-z0-9_./-]+\.(cc|h):[0-9]+" <<<"$err" | head -1) || true
		where=${where#"$ROOT"/}
		echo "SANITIZER $line${where:+@$where}"
		return
	fi
	echo "UNKNOWN exit-$rc"
}

# A class as a file name: INVARIANT_mapcount, SANITIZER_asan-heap-buffer-overflow@batched_rmap.cc_12.
class_file_name() { # "KIND class"
	local s=${1% -}
	s=${s// /_}
	s=${s//\//_}
	s=${s//:/_}
	echo "$s"
}

# Replays every crash file listed on stdin and prints one line per class:
# the number of files, by engine, and a reproducer (the smallest file, or
# with MINDIR the class's minimised .scn written there), then the total. A
# file already classified (CRASH_CLASS, the progress lines' replays) is not
# replayed again, so the summary and the last progress line agree; past the
# time limit a file is NOT_REPLAYED. Returns 1 when some input did not replay
# clean (a failure, a sanitizer report, a timeout, a bad input, an unknown
# exit, or not replayed), 0 when there were none or every one replayed clean
# (NOT_REPRODUCED). Sets TRIAGE_KNOWN_ONLY to the known bugs when every
# failing class is one, for the --ignore-known hint.
#   triage_report TOOL [MINDIR]
triage_report() {
	local tool=$1 mindir=${2:-} f cls size best
	declare -A count=() lf=() afl=() smallest=() smallest_size=() files=()
	local total=0 unreplayed=0 JSON_SINK
	json_step triage
	TRIAGE_KNOWN_ONLY=""
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		total=$((total + 1))
		if [ -n "${CRASH_CLASS[$f]+x}" ]; then
			cls=${CRASH_CLASS[$f]}
		elif [ "$(time_left)" -le 0 ]; then
			cls="NOT_REPLAYED -"
			unreplayed=$((unreplayed + 1))
		else
			cls=$(crash_class "$tool" "$f")
			CRASH_CLASS[$f]=$cls
		fi
		count[$cls]=$((${count[$cls]:-0} + 1))
		case ${f##*/} in
		crash-*) lf[$cls]=$((${lf[$cls]:-0} + 1)) ;;
		id:*) afl[$cls]=$((${afl[$cls]:-0} + 1)) ;;
		esac
		files[$cls]+="$f"$'\n'
		size=$(stat -c %s "$f")
		if [ -z "${smallest[$cls]:-}" ] || [ "$size" -lt "${smallest_size[$cls]}" ]; then
			smallest[$cls]=$f
			smallest_size[$cls]=$size
		fi
	done
	json_add table classes
	json_add count crash_files "$total"
	json_add count classes "${#count[@]}"
	json_add count not_replayed "$unreplayed"
	if [ "$total" -eq 0 ]; then
		echo "no crashes"
		return 0
	fi
	local failing=0 name out note known=() ids=() unknown_failing=0 id min
	if [ -n "$mindir" ]; then mkdir -p "$mindir"; fi
	printf '%-44s %6s %9s %6s  %s\n' class files libFuzzer AFL++ reproducer
	while IFS= read -r cls <&3; do
		best=${smallest[$cls]}
		note="${REPRO_CMD:-./unmapfuzz repro} $best"
		name=$(class_file_name "$cls")
		id="" min=""
		case $cls in
		*" known="*)
			id=${cls##* known=}
			ids+=("$id")
			local kl=""
			[ "$(time_left)" -le 0 ] || kl=$(known_bug_line "$tool" "$best")
			known+=("${kl:-$id}")
			;;
		esac
		case $cls in
		INVARIANT* | DIVERGENCE* | KERNEL_*)
			failing=1
			[ -n "$id" ] || unknown_failing=1
			if [ -n "$mindir" ]; then
				out=$mindir/$name.scn
				if "$tool" minimize "$best" "$out" >"$mindir/$name.log" 2>&1 </dev/null; then
					note="${REPRO_CMD:-./unmapfuzz repro} $out"
					min=$out
				else
					note="./unmapfuzz repro $best (minimising failed: $mindir/$name.log)"
				fi
			fi
			;;
		SANITIZER*)
			failing=1 unknown_failing=1
			if [ -n "$mindir" ]; then
				cp "$best" "$mindir/$name.bin"
				"$tool" print "$best" >"$mindir/$name.scn" 2>/dev/null || true
				note="$mindir/$name.bin: run $(dirname "$tool")/unmap_diff on it for the full report"
			fi
			;;
		NOT_REPRODUCED*) note="replays clean with $tool (flaky, or fuzzed with another build)" ;;
		NOT_REPLAYED*)
			failing=1 unknown_failing=1
			note="not replayed: the time limit came first (./unmapfuzz triage replays every file)"
			;;
		*) failing=1 unknown_failing=1 ;;
		esac
		if [ -n "$mindir" ]; then printf '%s' "${files[$cls]}" >"$mindir/$name.files"; fi
		printf '%-44s %6d %9d %6d  %s\n' "${cls% -}" "${count[$cls]}" "${lf[$cls]:-0}" "${afl[$cls]:-0}" "$note"
		local base=${cls% known=*} kind
		base=${base% -}
		kind=${base%% *}
		json_add row classes "kind=$kind" "class=${base#"$kind "}" "known_bug=$id" "files=${count[$cls]}" \
			"libfuzzer=${lf[$cls]:-0}" "afl=${afl[$cls]:-0}" "reproducer=$best" "minimized=$min" \
			"repro_command=${REPRO_CMD:-./unmapfuzz repro} ${min:-$best}"
	done 3< <(printf '%s\n' "${!count[@]}" | sort)
	local nclasses=${#count[@]}
	local cut=""
	[ "$unreplayed" -eq 0 ] || cut=", $unreplayed of them not replayed (time limit)"
	echo "crash files: $total in $nclasses class(es)$cut"
	# The known bugs (oracle/known_bugs.h) that explain classes above, by name.
	[ ${#known[@]} -eq 0 ] || printf 'known bug %s\n' "${known[@]}" | sort -u
	for id in $(printf '%s\n' "${ids[@]}" | sort -u); do json_add list known_bugs "$id"; done
	if [ "$failing" = 1 ] && [ "$unknown_failing" = 0 ]; then
		TRIAGE_KNOWN_ONLY=$(printf '%s\n' "${ids[@]}" | sort -u | paste -sd' ' -)
	fi
	return $failing
}

# Sums the per-process statistics lines the target writes at exit.
sum_stats() { # DIR SECONDS
	{ cat "$1"/stats-* 2>/dev/null || true; } | awk -v secs="$2" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); sum[kv[1]] += kv[2]; if (!(kv[1] in seen)) { seen[kv[1]] = 1; order[++n] = kv[1] } } }
		END {
			if (n == 0) { print "statistics: none recorded"; exit }
			printf "statistics:"; for (i = 1; i <= n; i++) printf " %s=%d", order[i], sum[order[i]]; printf "\n"
			if (secs > 0) printf "execs/s: %.0f over %d s\n", sum["execs"] / secs, secs
		}'
}

# --- a campaign in progress -----------------------------------------------
# While an engine runs, fuzz_monitor prints a line every PROGRESS_EVERY
# seconds: elapsed/total, executions, exec/s, corpus, crash files per class.
# The RUN_* globals describe the campaign:
#   RUN_ENGINE    libfuzzer or afl
#   RUN_T0        $SECONDS at the start; RUN_TIME the seconds asked for
#   RUN_STATS     libFuzzer: the directory of the target's stats-PID files
#                 (written at exit, before a crash and every 16384 executions)
#   RUN_CORPUS    libFuzzer: the corpus directory
#   RUN_SYNC      AFL++: the sync directory
#   RUN_CRASHES   where crash files appear; RUN_MARK: only files newer count
declare -A CRASH_CLASS=() # crash file -> "KIND class", replayed once each

# Classifies the crash files on stdin not classified yet, a batch per
# unmapfuzz-tool process (check --each), for at most SECONDS.
classify_new() { # TOOL SECONDS
	local tool=$1 deadline=$((SECONDS + $2)) f todo=() out kind cls path n
	# Never past the time limit.
	[ -z "$TIME_LIMIT_AT" ] || [ "$deadline" -le "$TIME_LIMIT_AT" ] || deadline=$TIME_LIMIT_AT
	while IFS= read -r f; do
		[ -n "$f" ] && [ -z "${CRASH_CLASS[$f]+x}" ] && todo+=("$f")
	done
	while [ ${#todo[@]} -gt 0 ] && [ "$SECONDS" -lt "$deadline" ]; do
		out=$(ASAN_OPTIONS=detect_leaks=0 timeout "$(step_timeout 60)" "$tool" check --each -- "${todo[@]:0:100}" 2>/dev/null) || true
		n=0
		while read -r kind cls path; do
			[ -n "$path" ] || continue
			if [[ $path == known=*" "* ]]; then
				cls+=" ${path%% *}" path=${path#* }
			fi
			CRASH_CLASS[$path]="$kind $cls"
			n=$((n + 1))
		done < <(grep -v '^check: ' <<<"$out")
		# A file the batch did not reach stopped it (a sanitizer report): alone.
		if [ "$n" -lt ${#todo[@]} ] && [ "$n" -lt 100 ] && [ "$SECONDS" -lt "$deadline" ]; then
			CRASH_CLASS[${todo[$n]}]=$(crash_class "$tool" "${todo[$n]}")
			n=$((n + 1))
		fi
		todo=("${todo[@]:$n}")
	done
}

# "3: INVARIANT rss_counter 2, SANITIZER asan-... 1" for the files on stdin.
class_counts() {
	local f n=0 unknown=0
	declare -A by=()
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		n=$((n + 1))
		if [ -n "${CRASH_CLASS[$f]+x}" ]; then
			by[${CRASH_CLASS[$f]% -}]=$((${by[${CRASH_CLASS[$f]% -}]:-0} + 1))
		else
			unknown=$((unknown + 1))
		fi
	done
	printf '%d' "$n"
	[ "$n" -eq 0 ] && return
	local cls list=()
	for cls in "${!by[@]}"; do list+=("$cls ${by[$cls]}"); done
	[ "$unknown" -eq 0 ] || list+=("not yet replayed $unknown")
	printf ' (%s)' "$(printf '%s\n' "${list[@]}" | sort | paste -sd, - | sed 's/,/, /g')"
}

run_crash_files() {
	if [ "$RUN_ENGINE" = afl ]; then crash_files "$RUN_SYNC"; else crash_files "$RUN_CRASHES" "$RUN_MARK"; fi
}

# One progress line, on stderr (the results go to stdout).
fuzz_progress() {
	local elapsed=$((SECONDS - RUN_T0)) execs="" corpus files rate
	files=$(run_crash_files)
	classify_new "$REPLAY_DIR/unmapfuzz-tool" 3 <<<"$files"
	if [ "$RUN_ENGINE" = afl ]; then
		# AFL++ 4.04c writes plot_data every 5 s after its first minute
		# (fuzzer_stats only every minute): the sum of total_execs.
		execs=$(for f in "$RUN_SYNC"/*/plot_data; do [ -f "$f" ] && tail -1 "$f"; done |
			awk -F', *' '$1 ~ /^[0-9]+$/ && NF >= 12 { s += $12; n++ } END { if (n) print s }') || true
		corpus=$(find "$RUN_SYNC" -mindepth 3 -maxdepth 3 -path '*/queue/id:*' -type f 2>/dev/null |
			awk -F/ '{ c[$(NF - 2)]++ } END { for (i in c) if (c[i] > m) m = c[i]; print m + 0 }') || true
	else
		# No stats file yet is no error (set -e, pipefail).
		execs=$(cat "$RUN_STATS"/stats-* 2>/dev/null | tr ' ' '\n' | sed -n 's/^execs=//p' | awk '{ s += $1 } END { if (NR) print s }') || true
		corpus=$(find "$RUN_CORPUS" -maxdepth 1 -type f | wc -l) || true
	fi
	if [ -n "$execs" ]; then
		rate=$((execs / (elapsed > 0 ? elapsed : 1)))
		execs="$execs execs ($rate/s)"
	elif [ "$RUN_ENGINE" = afl ]; then
		execs="execs not known yet (AFL++ reports them after its first minute)"
	else
		execs="execs not recorded yet"
	fi
	printf '[%5d/%d s] %s, corpus %s, crashes %s\n' "$elapsed" "$RUN_TIME" "$execs" "$corpus" "$(class_counts <<<"$files")" >&2
}

# Prints a progress line every PROGRESS_EVERY seconds while PID runs; at
# STOP_AT ($SECONDS) stops every child still running (the engine's share of
# the time limit is over).
fuzz_monitor() { # PID [STOP_AT]
	local next=$((SECONDS + PROGRESS_EVERY)) stop=${2:-}
	while alive "$1"; do
		sleep 1
		if [ -n "$stop" ] && [ "$SECONDS" -ge "$stop" ] && alive "$1"; then
			TIME_LIMITED="the engine"
			# Routine, not an alarm: libFuzzer's fork mode only checks
			# -max_total_time between jobs, so it often outlives it.
			say "time limit reached after $((SECONDS - RUN_T0)) s: stopping the engine"
			local pid
			for pid in "${CHILDREN[@]}"; do stop_child "$pid" 2; done
			return
		fi
		if [ "$SECONDS" -ge "$next" ] && alive "$1"; then
			fuzz_progress
			# On a fixed grid: the line's own work (replaying new crash
			# files) does not push the next one back.
			next=$((next + PROGRESS_EVERY))
			[ "$next" -gt "$SECONDS" ] || next=$((SECONDS + PROGRESS_EVERY))
		fi
	done
}

# The summary of an interrupted campaign (ON_INTERRUPT): where it stood and
# where its files are; nothing is deleted.
fuzz_interrupted() {
	fuzz_progress
	[ "$RUN_ENGINE" != afl ] || afl_stats "$RUN_SYNC" || true
	local dir=$RUN_CRASHES
	[ "$RUN_ENGINE" != afl ] || dir=$RUN_SYNC
	echo "kept: corpus and crash files in $dir${RUN_CORPUS:+ and $RUN_CORPUS}"
	echo "one minimised reproducer per class: ./unmapfuzz triage${REPRO_CMD#./unmapfuzz repro} $dir"
}

# The summary when the watchdog stopped the campaign (ON_TIME_LIMIT): the
# crash files so far, classified as far as they were; 1 when there are any.
fuzz_time_limit() {
	local dir=$RUN_CRASHES rc=0
	[ "$RUN_ENGINE" != afl ] || dir=$RUN_SYNC
	echo "time limit: stopped after $((SECONDS - RUN_T0)) s of --time $RUN_TIME"
	# Past the limit nothing is replayed: the files classified so far by
	# class, the others NOT_REPLAYED.
	TIME_LIMIT_AT=$SECONDS
	triage_report "$REPLAY_DIR/unmapfuzz-tool" < <(run_crash_files) || rc=1
	echo "kept: corpus and crash files in $dir${RUN_CORPUS:+ and $RUN_CORPUS}"
	[ "$rc" -eq 0 ] || echo "one minimised reproducer per class: ./unmapfuzz triage${REPRO_CMD#./unmapfuzz repro} $dir"
	return $rc
}

# The engine's share of a campaign of TIME seconds: a tenth (1 to 30 s) is
# kept for replaying the crash files and the summary.
engine_time() { # TIME
	local reserve=$(($1 / 10))
	[ "$reserve" -ge 1 ] || reserve=1
	[ "$reserve" -le 30 ] || reserve=30
	local t=$(($1 - reserve))
	[ "$t" -ge 1 ] || t=1
	echo "$t"
}

# The end of a campaign: the last progress line, then every crash file
# grouped by class (the same files, the same classes), the hint to look past
# known bugs, the hint to triage. Returns triage_report's status.
campaign_summary() { # ENGINE_LABEL
	# The replays the summary needs, in what is left of the time limit.
	classify_new "$REPLAY_DIR/unmapfuzz-tool" $(($(time_left) - 1)) < <(run_crash_files)
	fuzz_progress
	[ -z "$TIME_LIMITED" ] || echo "time limit: $TIME_LIMITED was stopped at the campaign's --time $RUN_TIME s"
	local rc=0 dir=$RUN_CRASHES
	[ "$RUN_ENGINE" != afl ] || dir=$RUN_SYNC
	# Into a file first: should the limit stop it half way, the time
	# limit's summary prints the table instead, whole.
	local table
	table=$(mktemp "${TMPDIR:-/tmp}/unmapfuzz-summary.XXXXXX") || die "cannot create a temporary file"
	SCRATCH+=("$table")
	triage_report "$REPLAY_DIR/unmapfuzz-tool" < <(run_crash_files) >"$table" || rc=1
	ON_TIME_LIMIT=""
	cat "$table"
	if [ -n "$TRIAGE_KNOWN_ONLY" ] && [ -z "${OPT[--ignore-known]:-}" ] && [ -z "$RUN_ZOO" ]; then
		local again="./unmapfuzz $CMD"
		[ "$CMD" != fuzz ] || [ "$RUN_ENGINE" != afl ] || again+=" --engine afl"
		echo "every failure above is a known bug ($TRIAGE_KNOWN_ONLY); to look past them for new ones: $again${REPRO_CMD#./unmapfuzz repro} --ignore-known"
	fi
	[ "$rc" -eq 0 ] || echo "one minimised reproducer per class: ./unmapfuzz triage${REPRO_CMD#./unmapfuzz repro} $dir"
	return $rc
}

# ./unmapfuzz fuzz: libFuzzer -fork=JOBS with crashes, timeouts and OOMs
# ignored, for TIME seconds; then every new crash file grouped by class.
fuzz_libfuzzer() { # TIME JOBS [EXECS] [ZOO]
	local time=$1 jobs=$2 runs=${3:-} zoo=${4:-}
	ensure_work
	fuzz_target libfuzzer "$zoo"
	local corpus=$FUZZ_HOME/corpus crashes=$FUZZ_HOME/crashes stats
	stats=$FUZZ_HOME/stats/$(date +%Y%m%d-%H%M%S)
	mkdir -p "$corpus" "$crashes" "$stats" || die "cannot create the campaign's directories in $FUZZ_HOME"
	local mark=$stats/started
	touch "$mark"
	# libFuzzer's -fork directory goes to TMPDIR: ours, removed however the run ends.
	scratch_dir "$FUZZ_HOME"
	local tmp=$SCRATCH_DIR etime
	etime=$(engine_time "$time")
	say "fuzzing for ${time}s on $jobs job(s); corpus $corpus, crashes $crashes"
	json_add set engine libfuzzer
	json_add set corpus "$corpus"
	json_add set crashes "$crashes"
	json_add count seconds_asked "$time"
	# -fork mode exits -error_exitcode when it ignored crashes: 77 is a
	# normal end here, any other status a failure of the run itself.
	local args=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -error_exitcode=77
		-max_total_time="$etime" -artifact_prefix="$crashes/"
		-dict="$ROOT/fuzz/unmap_diff.dict" -max_len=16384 -print_final_stats=1)
	[ -n "$runs" ] && args+=(-runs="$runs")
	RUN_ENGINE=libfuzzer RUN_T0=$SECONDS RUN_TIME=$time RUN_STATS=$stats RUN_CORPUS=$corpus
	RUN_CRASHES=$crashes RUN_MARK=$mark RUN_ZOO=$zoo RUN_SYNC=""
	ON_INTERRUPT=fuzz_interrupted ON_TIME_LIMIT=fuzz_time_limit
	time_limit_start "$time"
	spawn env TMPDIR="$tmp" UNMAPFUZZ_STATS_DIR="$stats" UNMAPFUZZ_IGNORE_KNOWN="${OPT[--ignore-known]:-}" \
		"$FUZZ_BIN" "${args[@]}" \
		"$corpus" "$SEEDS_DIR" >"$stats/libfuzzer.log" 2>&1
	local pid=$SPAWNED lrc=0
	fuzz_monitor "$pid" $((RUN_T0 + etime + 1))
	wait "$pid" 2>/dev/null || lrc=$?
	forget_child "$pid"
	ON_INTERRUPT=""
	# The engine's scratch files go at once, not at the end of the summary.
	rm -rf "$tmp"
	local elapsed=$((SECONDS - RUN_T0))
	if [ -z "$TIME_LIMITED" ] && [ "$lrc" -ne 0 ] && [ "$lrc" -ne 77 ]; then
		grep -v '^ ' "$stats/libfuzzer.log" | tail -5 >&2
		die "libFuzzer exited with status $lrc after $elapsed s (log: $stats/libfuzzer.log)"
	fi
	sum_stats "$stats" "$elapsed"
	json_add count seconds "$elapsed"
	json_add count execs "$(cat "$stats"/stats-* 2>/dev/null | tr ' ' '\n' | sed -n 's/^execs=//p' | awk '{ s += $1 } END { print s + 0 }')"
	local rc=0
	campaign_summary || rc=1
	ON_TIME_LIMIT=""
	echo "log: $stats/libfuzzer.log; run longer with: ./unmapfuzz fuzz${REPRO_CMD#./unmapfuzz repro} --time 3600 --jobs $(nproc)"
	return $rc
}

# Per-instance and total numbers from each AFL++ instance's fuzzer_stats.
afl_stats() { # SYNC_DIR
	local sync=$1
	awk '
		FNR == 1 { n++; inst[n] = FILENAME; sub(/\/fuzzer_stats$/, "", inst[n]); sub(/.*\//, "", inst[n]) }
		{ key = $1; val = $0; sub(/^[^:]*: */, "", val); v[n, key] = val }
		END {
			if (n == 0) { print "AFL++: no fuzzer_stats (did afl-fuzz start? see the logs)"; exit 1 }
			printf "%-8s %12s %9s %10s %8s %8s %6s %7s\n", "instance", "execs", "execs/s", "stability", "corpus", "crashes", "hangs", "seconds"
			for (i = 1; i <= n; i++) {
				crashes = v[i, "saved_crashes"]; if (crashes == "") crashes = v[i, "unique_crashes"]
				hangs = v[i, "saved_hangs"]; if (hangs == "") hangs = v[i, "unique_hangs"]
				printf "%-8s %12d %9.0f %10s %8d %8d %6d %7d\n", inst[i], v[i, "execs_done"], v[i, "execs_per_sec"], v[i, "stability"], v[i, "corpus_count"], crashes, hangs, v[i, "run_time"]
				execs += v[i, "execs_done"]; eps += v[i, "execs_per_sec"]; c += crashes; h += hangs
				s = v[i, "stability"]; sub(/%/, "", s); if (min == "" || s + 0 < min + 0) min = s
			}
			printf "AFL++ total: execs=%d execs/s=%.0f (sum over %d instance(s)) stability(min)=%s%% crashes=%d hangs=%d\n", execs, eps, n, min, c, h
		}' "$sync"/*/fuzzer_stats 2>/dev/null
}

# Every AFL++ queue under $WORK/afl (all runs, all instances).
afl_queues() {
	find "$WORK/afl" -mindepth 3 -maxdepth 3 -type d -name queue 2>/dev/null | sort
}

# ./unmapfuzz fuzz --engine afl: one -M main and JOBS-1 -S secN instances on
# a fresh sync directory $FUZZ_HOME/afl/<date>, for TIME seconds.
fuzz_afl() { # TIME JOBS [EXECS] [ZOO]
	local time=$1 jobs=$2 execs=${3:-} zoo=${4:-}
	ensure_work
	fuzz_target afl "$zoo"
	local run sync target=$FUZZ_BIN
	run=$(date +%Y%m%d-%H%M%S)
	sync=$FUZZ_HOME/afl/$run
	mkdir -p "$sync/in"
	ln -sfn "$run" "$FUZZ_HOME/afl/latest"
	# Seeds, plus the campaign's working corpus (same binary format as libFuzzer's).
	cp "$SEEDS_DIR/"* "$sync/in/"
	if [ -d "$FUZZ_HOME/corpus" ] && [ -n "$(ls -A "$FUZZ_HOME/corpus" 2>/dev/null)" ]; then
		find "$FUZZ_HOME/corpus" -maxdepth 1 -type f -size -16385c -exec cp -t "$sync/in/" {} +
	fi
	afl_env
	afl_mutator_env
	# Each instance binds to a free core; with more instances than free
	# cores (other afl-fuzz runs count) afl-fuzz would refuse to start.
	local busy
	busy=$(pgrep -c -x afl-fuzz || true)
	if [ $((jobs + busy)) -gt "$(nproc)" ]; then
		echo "unmapfuzz: $jobs instance(s) + $busy running afl-fuzz > $(nproc) cores: AFL_NO_AFFINITY=1 (no core binding)" >&2
		export AFL_NO_AFFINITY=1
	fi
	# --ignore-known: the target reads it at initialisation (afl-fuzz passes
	# its environment on).
	export UNMAPFUZZ_IGNORE_KNOWN="${OPT[--ignore-known]:-}"
	local schedules=(fast explore coe lin quad exploit rare) i name role pids=() names=()
	local extra=()
	[ -n "$execs" ] && extra+=(-E "$execs")
	say "AFL++ fuzzing for ${time}s on $jobs instance(s); sync dir $sync ($(ls "$sync/in" | wc -l) inputs)"
	json_add set engine afl
	json_add set crashes "$sync"
	json_add count seconds_asked "$time"
	local start=$SECONDS etime
	etime=$(engine_time "$time")
	RUN_ENGINE=afl RUN_T0=$SECONDS RUN_TIME=$time RUN_SYNC=$sync RUN_CRASHES=$sync RUN_ZOO=$zoo
	RUN_CORPUS="" RUN_STATS="" RUN_MARK=""
	ON_INTERRUPT=fuzz_interrupted ON_TIME_LIMIT=fuzz_time_limit
	time_limit_start "$time"
	for ((i = 0; i < jobs; i++)); do
		if [ "$i" -eq 0 ]; then name=main role=(-M main); else name=sec$i role=(-S "sec$i"); fi
		# timeout makes a process group of its own; an interrupt reaches it
		# (and it afl-fuzz) through stop_children().
		spawn timeout --signal=INT --kill-after=30 $((time + 300)) \
			afl-fuzz -i "$sync/in" -o "$sync" "${role[@]}" -p "${schedules[$((i % ${#schedules[@]}))]}" \
			-V "$etime" -m none -x "$ROOT/fuzz/unmap_diff.dict" "${extra[@]}" -- "$target" \
			>"$sync/$name.log" 2>&1
		pids+=("$SPAWNED")
		names+=("$name")
		# Let each instance pick its CPU before the next one looks.
		sleep 1
	done
	fuzz_monitor "${pids[0]}" $((RUN_T0 + etime + 1))
	local rc=0
	for i in "${!pids[@]}"; do
		local arc=0
		wait "${pids[$i]}" 2>/dev/null || arc=$?
		forget_child "${pids[$i]}"
		if [ "$arc" -ne 0 ] && [ -z "$TIME_LIMITED" ]; then
			echo "unmapfuzz: afl-fuzz ${names[$i]} failed; the end of $sync/${names[$i]}.log:" >&2
			sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' "$sync/${names[$i]}.log" | grep -v '^\[\*\] Fuzzing test case' | tail -15 >&2
			rc=2
		fi
	done
	ON_INTERRUPT=""
	echo "elapsed: $((SECONDS - start)) s"
	# (Stopped by the time limit before its first statistics, AFL++ has none.)
	afl_stats "$sync" || [ -n "$TIME_LIMITED" ] || rc=2
	# Every execution must reach a verdict: replay the main queue with the
	# libFuzzer build, whose exit statistics count the verdicts.
	if [ -d "$sync/main/queue" ]; then
		local q
		# Outside the sync directory: a queue input that fails leaves a
		# crash file there, which is not one of the campaign's.
		scratch_dir "$FUZZ_HOME"
		q=$(timeout "$(step_timeout 60)" "$REPLAY_DIR/unmap_diff" -runs=0 -artifact_prefix="$SCRATCH_DIR/" "$sync/main/queue" 2>&1 |
			grep '^unmapfuzz-stats:' | tail -1) || true
		if [ -n "$q" ]; then
			echo "main queue replayed: ${q#unmapfuzz-stats: }"
		else
			echo "main queue replay stopped at a failing input (AFL++ keeps crashing seeds in the queue; see below)"
		fi
	fi
	# 2 (an instance failed) outranks 1 (crashes found).
	campaign_summary || { [ "$rc" -eq 2 ] || rc=1; }
	ON_TIME_LIMIT=""
	local hangs
	hangs=$(find "$sync" -path '*/hangs/id:*' -type f | wc -l)
	[ "$hangs" -eq 0 ] || echo "hangs: $hangs input(s) in $sync/*/hangs (over AFL++'s time limit)"
	echo "logs: $sync/*.log; fold the queue into the working corpus: ./unmapfuzz corpus merge"
	return $rc
}
