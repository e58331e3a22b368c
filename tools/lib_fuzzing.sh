# Shared functions of the fuzzing commands (fuzz --engine afl, triage,
# minimize, corpus, coverage). Sourced by ./unmapfuzz after its own helpers
# (build, tool, ensure_tools, die, ROOT, WORK), never run on its own.
# shellcheck shell=bash

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
# and builds all of it.
fuzz_target() { # ENGINE [ZOO]
	local engine=$1 zoo=${2:-} preset
	case $engine in
	libfuzzer) preset=libfuzzer ;;
	afl) ensure_afl; preset=afl ;;
	esac
	if [ -z "$zoo" ]; then
		build "$preset" unmap_diff seeds
		build dev unmapfuzz-tool unmap_diff >/dev/null
		FUZZ_BIN=$ROOT/build/$preset/unmap_diff
		REPLAY_DIR=$ROOT/build/dev
		FUZZ_HOME=$WORK
		return
	fi
	zoo_dir "$zoo" >/dev/null
	# libFuzzer fuzzes the dev preset's variant (the libfuzzer preset builds no tests).
	[ "$preset" = libfuzzer ] && preset=dev
	build "$preset" "zoo_$zoo" seeds
	build dev "zoo_$zoo" "zoo_tool_$zoo" >/dev/null
	FUZZ_BIN=$ROOT/build/$preset/zoo_$zoo
	REPLAY_DIR=$(zoo_dir "$zoo")
	FUZZ_HOME=$WORK/zoo/$zoo
	echo "unmapfuzz: fuzzing the bug-zoo variant $zoo (tests/bugzoo/$zoo.patch applied to a copy of the tree)"
}

# The dev build directory of a bug-zoo entry; dies naming the entries when
# there is no such patch.
zoo_dir() { # NAME
	if [ ! -f "$ROOT/tests/bugzoo/$1.patch" ]; then
		die "no bug-zoo entry '$1'; the entries: $(cd "$ROOT/tests/bugzoo" && ls ./*.patch | sed 's|^\./||; s|\.patch$||' | tr '\n' ' ')"
	fi
	echo "$ROOT/build/dev/zoo/$1"
}

# Builds a zoo entry's replay directory (for triage and minimize --zoo).
zoo_replay_dir() { # NAME
	zoo_dir "$1" >/dev/null
	build dev "zoo_$1" "zoo_tool_$1" >/dev/null
	zoo_dir "$1"
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

# The harness's signature in a log on stdin, "KIND class" ("INVARIANT name" or
# "DIVERGENCE name"), or nothing.
failure_class() {
	sed -n 's/^unmapfuzz: \(INVARIANT\|DIVERGENCE\) \([a-z0-9_]*\).*/\1 \2/p' | head -1
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
		timeout 60 "$tool" repro "$f" 2>&1 >/dev/null </dev/null) || rc=$?
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
# with MINDIR the class's minimised .scn written there). Returns 1 when some
# input did not replay clean (a failure, a sanitizer report, a timeout, a bad
# input or an unknown exit), 0 when there were none or every one replayed
# clean (NOT_REPRODUCED).
#   triage_report TOOL [MINDIR]
triage_report() {
	local tool=$1 mindir=${2:-} f cls size best
	declare -A count=() lf=() afl=() smallest=() smallest_size=() files=()
	local total=0
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		total=$((total + 1))
		cls=$(crash_class "$tool" "$f")
		count[$cls]=$((${count[$cls]:-0} + 1))
		case ${f##*/} in
		crash-*) lf[$cls]=$((${lf[$cls]:-0} + 1)) ;;
		*) afl[$cls]=$((${afl[$cls]:-0} + 1)) ;;
		esac
		files[$cls]+="$f"$'\n'
		size=$(stat -c %s "$f")
		if [ -z "${smallest[$cls]:-}" ] || [ "$size" -lt "${smallest_size[$cls]}" ]; then
			smallest[$cls]=$f
			smallest_size[$cls]=$size
		fi
	done
	if [ "$total" -eq 0 ]; then
		echo "no crashes"
		return 0
	fi
	local failing=0 name out note
	if [ -n "$mindir" ]; then mkdir -p "$mindir"; fi
	printf '%-44s %6s %9s %6s  %s\n' class files libFuzzer AFL++ reproducer
	while IFS= read -r cls <&3; do
		best=${smallest[$cls]}
		note="./unmapfuzz repro $best"
		name=$(class_file_name "$cls")
		case $cls in
		INVARIANT* | DIVERGENCE*)
			failing=1
			if [ -n "$mindir" ]; then
				out=$mindir/$name.scn
				if "$tool" minimize "$best" "$out" >"$mindir/$name.log" 2>&1 </dev/null; then
					note="./unmapfuzz repro $out"
				else
					note="./unmapfuzz repro $best (minimising failed: $mindir/$name.log)"
				fi
			fi
			;;
		SANITIZER*)
			failing=1
			if [ -n "$mindir" ]; then
				cp "$best" "$mindir/$name.bin"
				"$tool" print "$best" >"$mindir/$name.scn" 2>/dev/null || true
				note="$mindir/$name.bin: run $(dirname "$tool")/unmap_diff on it for the full report"
			fi
			;;
		NOT_REPRODUCED*) note="replays clean with $tool (flaky, or fuzzed with another build)" ;;
		*) failing=1 ;;
		esac
		if [ -n "$mindir" ]; then printf '%s' "${files[$cls]}" >"$mindir/$name.files"; fi
		printf '%-44s %6d %9d %6d  %s\n' "${cls% -}" "${count[$cls]}" "${lf[$cls]:-0}" "${afl[$cls]:-0}" "$note"
	done 3< <(printf '%s\n' "${!count[@]}" | sort)
	return $failing
}

# Sums the per-process statistics lines the target writes at exit.
sum_stats() { # DIR SECONDS
	cat "$1"/stats-* 2>/dev/null | awk -v secs="$2" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); sum[kv[1]] += kv[2]; if (!(kv[1] in seen)) { seen[kv[1]] = 1; order[++n] = kv[1] } } }
		END {
			if (n == 0) { print "statistics: none recorded"; exit }
			printf "statistics:"; for (i = 1; i <= n; i++) printf " %s=%d", order[i], sum[order[i]]; printf "\n"
			if (secs > 0) printf "execs/s: %.0f over %d s\n", sum["execs"] / secs, secs
		}'
}

# ./unmapfuzz fuzz: libFuzzer -fork=JOBS with crashes, timeouts and OOMs
# ignored, for TIME seconds; then every new crash file grouped by class.
fuzz_libfuzzer() { # TIME JOBS [EXECS] [ZOO]
	local time=$1 jobs=$2 runs=${3:-} zoo=${4:-}
	fuzz_target libfuzzer "$zoo"
	local corpus=$FUZZ_HOME/corpus crashes=$FUZZ_HOME/crashes stats
	stats=$FUZZ_HOME/stats/$(date +%Y%m%d-%H%M%S)
	mkdir -p "$corpus" "$crashes" "$stats"
	local mark=$stats/started
	touch "$mark"
	echo "unmapfuzz: fuzzing for ${time}s on $jobs job(s); corpus $corpus, crashes $crashes"
	local args=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
		-max_total_time="$time" -artifact_prefix="$crashes/"
		-dict="$ROOT/fuzz/unmap_diff.dict" -max_len=16384 -print_final_stats=1)
	[ -n "$runs" ] && args+=(-runs="$runs")
	local start=$SECONDS
	UNMAPFUZZ_STATS_DIR=$stats "$FUZZ_BIN" "${args[@]}" \
		"$corpus" "$(dirname "$FUZZ_BIN")/seeds-bin" >"$stats/libfuzzer.log" 2>&1 || true
	local elapsed=$((SECONDS - start))
	grep -E '^#[0-9]+ *DONE|exec/s' "$stats/libfuzzer.log" | tail -1 || true
	sum_stats "$stats" "$elapsed"
	local rc=0
	crash_files "$crashes" "$mark" | triage_report "$REPLAY_DIR/unmapfuzz-tool" || rc=1
	[ "$rc" -eq 0 ] || echo "one minimised reproducer per class: ./unmapfuzz triage ${zoo:+--zoo $zoo }$crashes"
	echo "log: $stats/libfuzzer.log; run longer with: ./unmapfuzz fuzz --time 3600 --jobs $(nproc)"
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
	fuzz_target afl "$zoo"
	local run sync target=$FUZZ_BIN
	run=$(date +%Y%m%d-%H%M%S)
	sync=$FUZZ_HOME/afl/$run
	mkdir -p "$sync/in"
	ln -sfn "$run" "$FUZZ_HOME/afl/latest"
	# Seeds, plus the campaign's working corpus (same binary format as libFuzzer's).
	cp "$ROOT/build/afl/seeds-bin/"* "$sync/in/"
	if [ -d "$FUZZ_HOME/corpus" ] && [ -n "$(ls -A "$FUZZ_HOME/corpus" 2>/dev/null)" ]; then
		find "$FUZZ_HOME/corpus" -maxdepth 1 -type f -size -16385c -exec cp -t "$sync/in/" {} +
	fi
	afl_env
	# Each instance binds to a free core; with more instances than free
	# cores (other afl-fuzz runs count) afl-fuzz would refuse to start.
	local busy
	busy=$(pgrep -c -x afl-fuzz || true)
	if [ $((jobs + busy)) -gt "$(nproc)" ]; then
		echo "unmapfuzz: $jobs instance(s) + $busy running afl-fuzz > $(nproc) cores: AFL_NO_AFFINITY=1 (no core binding)" >&2
		export AFL_NO_AFFINITY=1
	fi
	local schedules=(fast explore coe lin quad exploit rare) i name role pids=() names=()
	local extra=()
	[ -n "$execs" ] && extra+=(-E "$execs")
	echo "unmapfuzz: AFL++ fuzzing for ${time}s on $jobs instance(s); sync dir $sync ($(ls "$sync/in" | wc -l) inputs)"
	local start=$SECONDS
	for ((i = 0; i < jobs; i++)); do
		if [ "$i" -eq 0 ]; then name=main role=(-M main); else name=sec$i role=(-S "sec$i"); fi
		timeout --signal=INT --kill-after=30 $((time + 300)) \
			afl-fuzz -i "$sync/in" -o "$sync" "${role[@]}" -p "${schedules[$((i % ${#schedules[@]}))]}" \
			-V "$time" -m none -x "$ROOT/fuzz/unmap_diff.dict" "${extra[@]}" -- "$target" \
			>"$sync/$name.log" 2>&1 &
		pids+=($!)
		names+=("$name")
		# Let each instance pick its CPU before the next one looks.
		sleep 1
	done
	local rc=0
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			echo "unmapfuzz: afl-fuzz ${names[$i]} failed; the end of $sync/${names[$i]}.log:" >&2
			sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' "$sync/${names[$i]}.log" | grep -v '^\[\*\] Fuzzing test case' | tail -15 >&2
			rc=2
		fi
	done
	echo "elapsed: $((SECONDS - start)) s"
	afl_stats "$sync" || rc=2
	# Every execution must reach a verdict: replay the main queue with the
	# libFuzzer build, whose exit statistics count the verdicts.
	if [ -d "$sync/main/queue" ]; then
		local q
		local scratch
		scratch=$(mktemp -d "$sync/.replay.XXXXXX")
		q=$("$REPLAY_DIR/unmap_diff" -runs=0 -artifact_prefix="$scratch/" "$sync/main/queue" 2>&1 |
			grep '^unmapfuzz-stats:' | tail -1) || true
		rm -rf "$scratch"
		if [ -n "$q" ]; then
			echo "main queue replayed: ${q#unmapfuzz-stats: }"
		else
			echo "main queue replay stopped at a failing input (AFL++ keeps crashing seeds in the queue; see below)"
		fi
	fi
	# 2 (an instance failed) outranks 1 (crashes found).
	crash_files "$sync" | triage_report "$REPLAY_DIR/unmapfuzz-tool" || { [ "$rc" -eq 2 ] || rc=1; }
	local hangs
	hangs=$(find "$sync" -path '*/hangs/id:*' -type f | wc -l)
	[ "$hangs" -eq 0 ] || echo "hangs: $hangs input(s) in $sync/*/hangs (over AFL++'s time limit)"
	[ "$rc" -ne 1 ] || echo "one minimised reproducer per class: ./unmapfuzz triage ${zoo:+--zoo $zoo }$sync"
	echo "logs: $sync/*.log; fold the queue into the working corpus: ./unmapfuzz corpus merge"
	return $rc
}
