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

# Crash files under DIR, oldest first: libFuzzer's crash-* and AFL++'s
# crashes/id:* (in a crashes directory, or DIR itself holding id:* files),
# anywhere below DIR except DIR/triage. With SINCE, only files newer than it.
# Also the initial inputs AFL++ skipped because they crash ("Test case '...'
# results in a crash, skipping" in the afl-fuzz logs DIR/*.log that
# ./unmapfuzz fuzz --engine afl keeps in the sync directory; DIR or one
# level down): AFL++ leaves them in the queue and
# never copies them to crashes/.
crash_files() { # DIR [SINCE]
	local dir=$1 since=${2:-} newer=() name
	if [ -n "$since" ]; then newer=(-newer "$since"); fi
	{
		find -H "$dir" -path "$dir/triage" -prune -o -type f "${newer[@]}" \
			\( -name 'crash-*' -o -path '*/crashes/id:*' -o -path "$dir/id:*" \) -print 2>/dev/null
		find -H "$dir" -maxdepth 2 -name '*.log' -type f -exec \
			sed -n "s/.*Test case '\([^']*\)' results in a crash, skipping.*/\1/p" {} + 2>/dev/null |
			sort -u | while IFS= read -r name; do
			find -H "$dir" -path "*/queue/$name" -type f 2>/dev/null | sort | head -1
		done
	} | sort || true
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
	line=$(sed -n 's/^unmapfuzz: \(INVARIANT\|DIVERGENCE\) \([a-z0-9_]*\).*/\1 \2/p' <<<"$err" | head -1)
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
# input failed, 0 when there were none or every one replayed clean.
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
				note="$mindir/$name.bin: run build/dev/unmap_diff on it for the full report"
			fi
			;;
		NOT_REPRODUCED*) note="replays clean with $tool (flaky, or fuzzed with another build)" ;;
		esac
		if [ -n "$mindir" ]; then printf '%s' "${files[$cls]}" >"$mindir/$name.files"; fi
		printf '%-44s %6d %9d %6d  %s\n' "${cls% -}" "${count[$cls]}" "${lf[$cls]:-0}" "${afl[$cls]:-0}" "$note"
	done 3< <(printf '%s\n' "${!count[@]}" | sort)
	return $failing
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
# a fresh sync directory $WORK/afl/<date>, for TIME seconds.
fuzz_afl() { # TIME JOBS [EXECS]
	local time=$1 jobs=$2 execs=${3:-}
	[ "$jobs" -ge 1 ] || die "fuzz: --jobs must be at least 1"
	ensure_afl
	build afl unmap_diff seeds
	# The dev build replays crashes (the class line) and the queue (verdicts).
	build dev unmapfuzz-tool unmap_diff >/dev/null
	local run sync target=$ROOT/build/afl/unmap_diff
	run=$(date +%Y%m%d-%H%M%S)
	sync=$WORK/afl/$run
	mkdir -p "$sync/in"
	ln -sfn "$run" "$WORK/afl/latest"
	# Seeds, plus the shared working corpus (same binary format as libFuzzer's).
	cp "$ROOT/build/afl/seeds-bin/"* "$sync/in/"
	if [ -d "$WORK/corpus" ] && [ -n "$(ls -A "$WORK/corpus" 2>/dev/null)" ]; then
		find "$WORK/corpus" -maxdepth 1 -type f -size -16385c -exec cp -t "$sync/in/" {} +
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
		q=$("$ROOT/build/dev/unmap_diff" -runs=0 -artifact_prefix="$scratch/" "$sync/main/queue" 2>&1 |
			grep '^unmapfuzz-stats:' | tail -1) || true
		rm -rf "$scratch"
		if [ -n "$q" ]; then
			echo "main queue replayed: ${q#unmapfuzz-stats: }"
		else
			echo "main queue replay stopped at a failing input (AFL++ keeps crashing seeds in the queue; see below)"
		fi
	fi
	crash_files "$sync" | triage_report "$ROOT/build/dev/unmapfuzz-tool" || rc=1
	local hangs
	hangs=$(find "$sync" -path '*/hangs/id:*' -type f | wc -l)
	[ "$hangs" -eq 0 ] || echo "hangs: $hangs input(s) in $sync/*/hangs (over AFL++'s time limit)"
	[ "$rc" -ne 1 ] || echo "one minimised reproducer per class: ./unmapfuzz triage $sync"
	echo "logs: $sync/*.log; fold the queue into the working corpus: ./unmapfuzz corpus merge"
	return $rc
}
