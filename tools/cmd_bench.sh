# usage: ./unmapfuzz bench [OPTIONS]
# about: benchmarks: execution speed, profile, scaling, time to detect every zoo bug, cost model
# option: --quick - shorter measurements (about a third of the time)
# option: --only LIST exec,profile,scaling,detect,cost,kernel the sections to run, comma-separated (mutator, reach: also sections 7 and 8)
# option: --detect-time S[1-] 120 the time bound of each detection run
# option: --entries LIST all the zoo entries section 7 measures: bug-zoo names, kernel bug-zoo names (k_...), comma-separated
# option: --reach-time LIST 60,600 section 8's moments, in seconds, comma-separated: the coverage each campaign has reached then (the last is its length)
# operands: 0 0
# status: not used (0 when done)
#
# ./unmapfuzz bench runs every benchmark of bench/ end to end and prints
# every table; the whole output is also kept in $WORK/bench/<date>/bench.txt.
#
#   exec     execs/s of the differential target and of an empty
#            LLVMFuzzerTestOneInput (same flags, same binary) on one fixed
#            input stream, release and ASan+UBSan builds (bench/exec_speed.cc),
#            plus both as real libFuzzer and AFL++ binaries for context;
#   profile  callgrind instructions per input and the top functions (release),
#            the wall time of each step of one input, heap allocations;
#   scaling  time per input against folio order, VMAs, mms, events (bench/scaling.cc);
#   detect   executions and seconds to first detection of every bug-zoo entry,
#            libFuzzer -seed=1..5 from all seeds and from the seeds that do not
#            trigger the bug (AFL++ when installed and an afl preset exists);
#   cost     the cost model, reference vs batched op counts (./unmapfuzz cost);
#   kernel   kernel mode: exec/s of the kernel program against batched/'s in
#            one process, for a per-PTE and a batched fixture tree, and the
#            executions and seconds to detect every bug of the kernel bug zoo;
#   mutator  (only when asked for) the time to detect of sections 4 and 6b
#            with the structure-aware mutator off (UNMAPFUZZ_MUTATOR=0:
#            libFuzzer's byte-level mutations) and on, in one run, with the
#            share of executions clamped and of mutants that differ from
#            their parent once decoded; --entries picks the entries.
#   reach    (only when asked for) the coverage a clean campaign reaches with
#            the mutator off and on (one job, seed 1, libFuzzer and AFL++),
#            after each of --reach-time's moments: branches of batched/ (the
#            default program) and of the cut (kernel mode on the v7.1
#            fixture), replayed through the coverage build.
#
# --quick shortens every measurement (about a third of the time); --only
# takes a comma-separated subset of the sections above. Each detection run
# is bounded by twice the patch's "# budget:" executions and by
# --detect-time seconds (default 120).

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

bench_section() { # TITLE
	echo
	echo "=== $* ==="
}

# The machine, so that tables can be read against it.
bench_machine() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	echo "unmapfuzz bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(nproc) CPU(s), ${cpu:-unknown CPU}, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "compiler: $(clang++ --version | head -1); tree: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' + local changes')"
	echo "command: ./unmapfuzz bench $*"
}

# Builds PRESET's TARGETS quietly; the log stays in the bench directory.
bench_build() { # PRESET TARGET...
	local preset=$1 log=$BENCH_OUT/build-$1.log
	shift
	local t0=$SECONDS
	if ! build "$preset" "$@" >>"$log" 2>&1; then
		tail -30 "$log" >&2
		die "bench: building $* in the $preset preset failed (log: $log)"
	fi
	echo "built $preset: $* ($((SECONDS - t0)) s)" >>"$BENCH_OUT/builds.txt"
}

bench_exec() {
	local min=2 mutants=20000 engine_time=10
	if [ "$BENCH_QUICK" = 1 ]; then min=0.5 mutants=5000 engine_time=3; fi
	bench_section "1. execution speed: differential target vs empty LLVMFuzzerTestOneInput, same flags, same input stream"
	echo "(bench/exec_speed.cc: N calls of each timed with std::chrono, in alternating passes; ratio = target/empty from one run)"
	local preset label
	for preset in release libfuzzer; do
		case $preset in
		release) label="release preset (clang -O3, no sanitizers)" ;;
		libfuzzer) label="libfuzzer preset (ASan+UBSan+fuzzer-no-link, -O2, the ./unmapfuzz fuzz build)" ;;
		esac
		echo
		"$ROOT/build/$preset/bench/uf_exec_speed" --seeds "$ROOT/build/$preset/seeds-bin" \
			--mutants "$mutants" --min-time "$min" --label "$label" 2>>"$BENCH_OUT/exec-$preset.stderr"
	done

	# Context: the same two entry points as real libFuzzer binaries, mutating
	# from the seed corpus for a fixed time; exec/s as libFuzzer reports it
	# (process start-up included). Different input streams: the empty target
	# finds no coverage, so its corpus never grows.
	echo
	echo "libFuzzer engine context (libfuzzer preset, -seed=1, ${engine_time} s each, from build/libfuzzer/seeds-bin; exec/s as libFuzzer reports it):"
	printf '%-16s %12s %12s\n' binary executions "exec/s"
	local bin name dir execs rate rate_diff="" rate_empty=""
	for name in unmap_diff uf_empty_fuzzer; do
		bin=$ROOT/build/libfuzzer/$name
		[ "$name" = uf_empty_fuzzer ] && bin=$ROOT/build/libfuzzer/bench/$name
		dir=$BENCH_OUT/engine-$name
		rm -rf "$dir" && mkdir -p "$dir/corpus"
		"$bin" -seed=1 -max_total_time="$engine_time" -max_len=16384 -print_final_stats=1 \
			-dict="$ROOT/fuzz/unmap_diff.dict" -artifact_prefix="$dir/" \
			"$dir/corpus" "$ROOT/build/libfuzzer/seeds-bin" >"$dir/log" 2>&1 || true
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
		printf '%-16s %12s %12s\n' "$name" "${execs:-?}" "${rate:-?}"
		[ "$name" = unmap_diff ] && rate_diff=$rate || rate_empty=$rate
	done
	if [ -n "$rate_diff" ] && [ -n "$rate_empty" ] && [ "$rate_empty" -gt 0 ]; then
		awk -v d="$rate_diff" -v e="$rate_empty" \
			'BEGIN { printf "unmap_diff / empty under libFuzzer: %.4f (1/%.1f)\n", d / e, e / d }'
	fi
	bench_exec_afl "$engine_time"
}

# The same two entry points under AFL++ (afl preset, persistent mode, ASan +
# UBSan), one afl-fuzz instance each, one after the other: exec/s from
# fuzzer_stats. AFL++'s own cost per execution (fork server handshake,
# coverage-map reset and scan) is what an empty target measures here.
bench_exec_afl() { # SECONDS
	local secs=$1 name bin dir rate stab rate_diff="" rate_empty=""
	echo
	if ! command -v afl-fuzz >/dev/null; then
		echo "AFL++ engine context: skipped, afl-fuzz is not installed"
		return 0
	fi
	echo "AFL++ engine context (afl preset, one afl-fuzz instance each, -s 1, ${secs} s each, from build/afl/seeds-bin; exec/s from fuzzer_stats):"
	printf '%-16s %12s %12s %10s\n' binary executions "exec/s" stability
	for name in unmap_diff uf_empty_fuzzer; do
		bin=$ROOT/build/afl/$name
		[ "$name" = uf_empty_fuzzer ] && bin=$ROOT/build/afl/bench/$name
		dir=$BENCH_OUT/afl-engine-$name
		rm -rf "$dir"
		(afl_env && timeout $((secs + 60)) afl-fuzz -i "$ROOT/build/afl/seeds-bin" -o "$dir" -s 1 -V "$secs" \
			-m none -- "$bin") >"$dir.log" 2>&1 || true
		rate=$(sed -n 's/^execs_per_sec *: *//p' "$dir/default/fuzzer_stats" 2>/dev/null)
		stab=$(sed -n 's/^stability *: *//p' "$dir/default/fuzzer_stats" 2>/dev/null)
		printf '%-16s %12s %12s %10s\n' "$name" \
			"$(sed -n 's/^execs_done *: *//p' "$dir/default/fuzzer_stats" 2>/dev/null)" "${rate:-?}" "${stab:-?}"
		[ "$name" = unmap_diff ] && rate_diff=$rate || rate_empty=$rate
	done
	if [ -n "$rate_diff" ] && [ -n "$rate_empty" ]; then
		awk -v d="$rate_diff" -v e="$rate_empty" 'BEGIN {
			if (e <= 0) exit
			printf "unmap_diff / empty under AFL++: %.4f (1/%.1f)\n", d / e, e / d
			printf "goal, target at >= 1/5 of the empty target'"'"'s speed, under AFL++ from the seed corpus: %s (1/%.1f)\n", (d / e >= 0.2) ? "met" : "NOT met", e / d }'
	fi
}

# callgrind_annotate lines ("  12,032 ( 8.93%)  file:function [object]") as
# "instructions per input, share, function": the file prefix and the object
# dropped, long argument lists shortened.
bench_cg_rows() { # CALLS TOTAL
	sed -E 's/^ *([0-9,]+) +\( *[0-9.]+%\) +(.*)$/\1|\2/' |
		sed -E -e 's/ \[[^]]*\]$//' -e 's/\|[^ :|]*:([^:])/|\1/' |
		perl -pe 's/(\((?:[^()]++|(?1))*\))$/()/' |
		awk -F'|' -v c="$1" -v t="$2" '{ x = $1; gsub(",", "", x); printf "  %10.0f %6.1f%%  %s\n", x / c, 100 * x / t, substr($2, 1, 90) }'
}

bench_profile() {
	bench_section "2. profile: where one input's time goes (release build)"
	local exe=$ROOT/build/release/bench/uf_exec_speed seeds=$ROOT/build/release/seeds-bin
	local nseeds passes=10 nmut=3000 min=1
	[ "$BENCH_QUICK" = 1 ] && nmut=1000 min=0.3
	nseeds=$(find "$seeds" -maxdepth 1 -type f | wc -l)

	echo "wall time of each step of one input (uf_exec_speed --breakdown; each step timed on its own), release build:"
	"$exe" --seeds "$seeds" --mutants "$nmut" --min-time "$min" --breakdown 2>/dev/null
	echo
	echo "the same in the libfuzzer preset (ASan+UBSan, the ./unmapfuzz fuzz build; valgrind cannot run ASan binaries):"
	"$ROOT/build/libfuzzer/bench/uf_exec_speed" --seeds "$ROOT/build/libfuzzer/seeds-bin" \
		--mutants "$nmut" --min-time "$min" --breakdown 2>/dev/null | grep -v '^heap allocations'
	echo

	if ! command -v valgrind >/dev/null; then
		if [ "$(id -u)" -eq 0 ]; then
			echo "unmapfuzz: installing valgrind" >&2
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null 2>&1 || true
		fi
	fi
	if ! command -v valgrind >/dev/null; then
		echo "callgrind: skipped, valgrind is not installed (sudo apt-get install valgrind)"
		return 0
	fi
	local set calls out total
	for set in seeds mutants; do
		out=$BENCH_OUT/callgrind.$set
		if [ $set = seeds ]; then
			calls=$((passes * nseeds))
			valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=LLVMFuzzerTestOneInput \
				"$exe" --seeds "$seeds" --mutants 0 --only diff --passes $passes --set seeds \
				>"$out.log" 2>&1 || { echo "callgrind failed: $out.log"; return 0; }
		else
			calls=$nmut
			valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=LLVMFuzzerTestOneInput \
				"$exe" --seeds "$seeds" --mutants "$nmut" --only diff --passes 1 --set mutants \
				>"$out.log" 2>&1 || { echo "callgrind failed: $out.log"; return 0; }
		fi
		callgrind_annotate "$out" >"$out.self" 2>/dev/null
		callgrind_annotate --inclusive=yes "$out" >"$out.incl" 2>/dev/null
		total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$out.self")
		echo "callgrind, $set stream: $calls calls of LLVMFuzzerTestOneInput, $(awk -v t="$total" -v c="$calls" 'BEGIN { printf "%.0f", t / c }') instructions per input (collected only inside the target)"
		echo "  inclusive (the function and what it calls), per input:"
		local pat
		for pat in 'uf::decode_scenario(' 'uf::sanitize(' 'uf::run_scenario(' 'uf::build_world(' \
			'uf::world::alloc_table(' 'uf::world::operator=(' 'uf::reference::try_to_unmap(' \
			'uf::batched::try_to_unmap(' 'uf::try_to_unmap_flush(' 'uf::check_invariants(' 'uf::judge('; do
			grep -F "$pat" "$out.incl" | head -1 | bench_cg_rows "$calls" "$total"
		done
		echo "  top 15 functions by own instructions (self), per input:"
		grep -E '^ *[0-9,]+ +\( *[0-9.]+%\) ' "$out.self" | grep -v 'PROGRAM TOTALS' | head -15 |
			bench_cg_rows "$calls" "$total"
		callgrind_annotate --tree=caller "$out" >"$out.callers" 2>/dev/null
		local fn
		for fn in __memset __memcpy; do
			echo "  who calls $fn (instructions spent in it, per input):"
			awk -v fn="$fn" '/^$/ { n = 0; next }
				/ < / { buf[++n] = $0; next }
				/ \* / && index($0, fn) { for (i = 1; i <= n; i++) print buf[i]; n = 0; next }
				{ n = 0 }' "$out.callers" | sed -E 's/ < / /; s/ \([0-9,]+x\)//' | head -6 |
				bench_cg_rows "$calls" "$total"
		done
		echo
	done
	echo "(callgrind counts each iteration of a rep-prefixed string instruction, so memset/memcpy"
	echo " of page tables weigh more here than in wall time; files: $BENCH_OUT/callgrind.*)"
}

bench_scaling() {
	local min=0.1
	[ "$BENCH_QUICK" = 1 ] && min=0.03
	bench_section "3. scaling: time per input (decode + run_scenario) against folio order, VMAs, mms, events (release)"
	"$ROOT/build/release/bench/uf_scaling" --benchmark_min_time="$min" 2>&1
}

# Median and max of a list of numbers, one per line ("-" when empty).
bench_median_max() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- -"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[NR] }'
}

# The seeds of build/dev/seeds-bin that do not trigger the planted bug of
# zoo_NAME, copied to DIR: AFL++ drops crashing seeds in its dry run, and
# this gives libFuzzer the same start so both columns measure the search.
bench_quiet_seeds() { # NAME DIR [BIN]
	local f bin=${3:-$ROOT/build/dev/zoo_$1}
	rm -rf "$2" && mkdir -p "$2"
	for f in "$ROOT"/build/dev/seeds-bin/*; do
		"$bin" "$f" >/dev/null 2>&1 && cp "$f" "$2/"
	done
}

# libFuzzer -seed=1..NSEEDS on zoo_NAME from CORPUS; one table row. The
# "in seeds" column counts the runs that found the bug while loading CORPUS.
# BIN and PATCH default to the bug zoo's (build/dev/zoo_NAME,
# tests/bugzoo/NAME.patch); the kernel bug zoo passes its own.
bench_detect_row() { # NAME CORPUS NSEEDS TAG [BIN PATCH] (TAG names the run directories)
	local name=$1 corpus=$2 nseeds=$3 tag=$4 bin=${5:-$ROOT/build/dev/zoo_$1}
	local patch=${6:-$ROOT/tests/bugzoo/$1.patch}
	local budget expect corpus_n seed dir log start ms execs class found=0 nin=0 ok=1 classes=""
	budget=$(sed -n 's/^# budget: //p' "$patch" | head -1)
	expect=$(sed -n 's/^# expect-fuzz: //p' "$patch" | head -1)
	corpus_n=$(find "$corpus" -maxdepth 1 -type f | wc -l)
	: >"$BENCH_OUT/detect-$name-$tag.execs"
	: >"$BENCH_OUT/detect-$name-$tag.secs"
	for seed in $(seq 1 "$nseeds"); do
		dir=$BENCH_OUT/detect/$name-$tag-$seed
		rm -rf "$dir" && mkdir -p "$dir/corpus"
		log=$dir/log
		start=$(date +%s%N)
		UNMAPFUZZ_STATS_DIR=$dir "$bin" -seed="$seed" -runs=$((budget * 2)) -max_total_time="$BENCH_DETECT_TIME" \
			-max_len=16384 -artifact_prefix="$dir/" -dict="$ROOT/fuzz/unmap_diff.dict" \
			"$dir/corpus" "$corpus" >"$log" 2>&1
		ms=$((($(date +%s%N) - start) / 1000000))
		execs=$(sed -n 's/^unmapfuzz: found after \([0-9]*\) executions.*/\1/p' "$log" | head -1)
		class=$(failure_class <"$log")
		[ -n "$execs" ] || continue
		found=$((found + 1))
		echo "$execs" >>"$BENCH_OUT/detect-$name-$tag.execs"
		awk -v ms="$ms" 'BEGIN { printf "%.2f\n", ms / 1000 }' >>"$BENCH_OUT/detect-$name-$tag.secs"
		[ "$execs" -le $((corpus_n + 1)) ] && nin=$((nin + 1))
		# The patch's expect-fuzz names bare classes; the run may name the bug too.
		case "|$expect|" in *"|${class% known=*}|"*) ;; *) ok=0 ;; esac
		case ",$classes," in *",${class#* },"*) ;; *) classes=${classes:+$classes,}${class#* } ;; esac
	done
	local em es shares
	em=$(bench_median_max <"$BENCH_OUT/detect-$name-$tag.execs")
	es=$(bench_median_max <"$BENCH_OUT/detect-$name-$tag.secs")
	shares=$(bench_mutant_shares "$BENCH_OUT/detect/$name-$tag-"*)
	[ $ok = 1 ] || classes="$classes (NOT EXPECTED)"
	printf '%-30s %6s %9s %9s %8s %8s %9s %6s %8s %8s  %s\n' "$name" "$found/$nseeds" "${em% *}" "${em#* }" \
		"${es% *}" "${es#* }" "$nin/$found" "$corpus_n" "${shares% *}" "${shares#* }" "${classes:--}"
}

# Over the statistics files the target left in DIRs (UNMAPFUZZ_STATS_DIR):
# the share of executions whose input sanitize() had to clamp, and of
# mutants (the custom mutator's outputs) that decode to a scenario other than
# their parent's, both in percent ("-" when there were none).
bench_mutant_shares() { # DIR...
	local d
	for d in "$@"; do cat "$d"/stats-* 2>/dev/null; done | tr ' ' '\n' | awk -F= '
		$1 == "execs" { e += $2 } $1 == "clamped" { c += $2 }
		$1 == "mutants" { m += $2 } $1 == "mutants_changed" { mc += $2 }
		END { printf "%s %s\n", e ? sprintf("%.1f%%", 100 * c / e) : "-", m ? sprintf("%.1f%%", 100 * mc / m) : "-" }'
}

# The two time-to-detect tables of a zoo: every entry from all the seeds,
# then from the seeds that do not trigger it. BIN and PATCH are printf
# templates of the entry's name; PREFIX keeps the run directories apart.
bench_detect_tables() { # NSEEDS PREFIX BIN PATCH TITLE_ALL TITLE_QUIET NAME...
	local nseeds=$1 prefix=$2 bin=$3 patch=$4 all=$5 quiet_title=$6 name b p quiet header
	shift 6
	header=$(printf '%-30s %6s %9s %9s %8s %8s %9s %6s %8s %8s  %s' bug found "execs med" "execs max" "s med" "s max" "in seeds" seeds clamped changed "class(es) found")
	echo "$all"
	echo "$header"
	for name in "$@"; do
		# shellcheck disable=SC2059 # the templates are the caller's
		b=$(printf "$bin" "$name") p=$(printf "$patch" "$name")
		bench_detect_row "$name" "$ROOT/build/dev/seeds-bin" "$nseeds" "${prefix}all" "$b" "$p"
	done
	echo
	echo "$quiet_title"
	echo "$header"
	for name in "$@"; do
		b=$(printf "$bin" "$name") p=$(printf "$patch" "$name")
		quiet=$BENCH_OUT/detect/${prefix}quiet-seeds/$name
		bench_quiet_seeds "$name" "$quiet" "$b"
		bench_detect_row "$name" "$quiet" "$nseeds" "${prefix}quiet" "$b" "$p"
	done
}

bench_detect() {
	local nseeds=5
	bench_section "4. time to detect: every bug-zoo entry, libFuzzer on the dev preset's zoo_<name>, -seed=1..$nseeds"
	local patches=("$ROOT"/tests/bugzoo/*.patch)
	if [ ! -f "${patches[0]}" ]; then
		echo "no bug-zoo entries (tests/bugzoo/*.patch)"
		return 0
	fi
	local corpus_n patch name built=()
	corpus_n=$(find "$ROOT/build/dev/seeds-bin" -maxdepth 1 -type f | wc -l)
	for patch in "${patches[@]}"; do
		name=$(basename "$patch" .patch)
		if ! grep -q '^# budget: ' "$patch"; then
			printf '%-30s %s\n' "$name" "skipped: no '# budget:' line"
		elif ! build dev "zoo_$name" >>"$BENCH_OUT/build-dev.log" 2>&1; then
			printf '%-30s %s\n' "$name" "skipped: zoo_$name does not build (patch does not apply?), see $BENCH_OUT/build-dev.log"
		else
			built+=("$name")
		fi
	done
	echo "each run: zoo_<name> -seed=S -runs=2*budget -max_total_time=$BENCH_DETECT_TIME -max_len=16384 -dict=fuzz/unmap_diff.dict CORPUS SEEDS"
	echo "executions: the target's 'found after N executions'; seconds: wall time of the run, process start-up included;"
	echo "'in seeds' counts the runs that found the bug while loading SEEDS (N <= number of seeds + 1); 'seeds': how many"
	echo
	bench_detect_tables "$nseeds" "" "$ROOT/build/dev/zoo_%s" "$ROOT/tests/bugzoo/%s.patch" \
		"4a. SEEDS = all $corpus_n seeds (build/dev/seeds-bin): what a campaign from the shipped corpus sees" \
		"4b. SEEDS = the seeds that do not trigger the bug (AFL++'s dry run drops the others): the search itself" \
		"${built[@]}"
	bench_detect_afl
}

# AFL++, when it is installed and the tree has an afl preset: the same
# entries, AFL_BENCH_UNTIL_CRASH, executions from fuzzer_stats; the
# structure-aware mutator loaded as a campaign loads it (UNMAPFUZZ_MUTATOR).
# KIND is zoo (tests/bugzoo, zoo_NAME) or kzoo (tests/kernel/zoo, the
# kernel variant kzoo-NAME); -s 1..NSEEDS on the entries NAME... (default:
# every bug-zoo entry), results kept under TAG.
bench_detect_afl() { # [NSEEDS TAG KIND NAME...]
	local nseeds=${1:-5} tag=${2:-} kind=${3:-zoo} names=("${@:4}")
	echo
	if ! command -v afl-fuzz >/dev/null; then
		echo "AFL++: skipped, afl-fuzz is not installed"
		return 0
	fi
	if ! (cd "$ROOT" && cmake --list-presets 2>/dev/null | grep -q '"afl"'); then
		echo "AFL++: skipped, CMakePresets.json has no \"afl\" preset"
		return 0
	fi
	local what="afl preset's zoo_<name>"
	[ "$kind" = kzoo ] && what="afl preset's kernel variant kzoo-<name> (kernel bug zoo)"
	echo "AFL++ $(afl-fuzz -h 2>&1 | sed -n 's/.*afl-fuzz++\([0-9.a-z]*\).*/\1/p' | head -1) ($what, -s 1..$nseeds, the campaigns' environment (afl_env, the mutator unless UNMAPFUZZ_MUTATOR=0) and -m none, AFL_BENCH_UNTIL_CRASH=1, -V $BENCH_DETECT_TIME (no execution bound: AFL++ runs about ten times as many per second as the ASan libFuzzer build), -x fuzz/unmap_diff.dict, from build/afl/seeds-bin):"
	echo "executions: the 'execs:' of the first crash file; seconds: wall time of afl-fuzz, start-up and calibration included."
	echo "AFL++ skips seeds that crash in its dry run, so it starts where 4b does and must reach each bug by mutation."
	printf '%-30s %6s %9s %9s %8s %8s\n' bug found "execs med" "execs max" "s med" "s max"
	local patch name budget seed dir start ms execs found bin target
	if [ ${#names[@]} -eq 0 ]; then
		for patch in "$ROOT"/tests/bugzoo/*.patch; do names+=("$(basename "$patch" .patch)"); done
	fi
	# Once here, not before every run (afl_mutator_env --built below).
	[ "${UNMAPFUZZ_MUTATOR:-1}" = 0 ] || build dev unmapfuzz_afl_mutator >>"$BENCH_OUT/build-dev.log" 2>&1 ||
		{ echo "AFL++: skipped, the mutator library does not build"; return 0; }
	for name in "${names[@]}"; do
		if [ "$kind" = kzoo ]; then
			patch=$ROOT/tests/kernel/zoo/$name.patch bin=$ROOT/build/afl/kernel/kzoo-$name/unmap_diff target=kernel_kzoo-$name
		else
			patch=$ROOT/tests/bugzoo/$name.patch bin=$ROOT/build/afl/zoo_$name target=zoo_$name
		fi
		budget=$(sed -n 's/^# budget: //p' "$patch" | head -1)
		[ -n "$budget" ] || continue
		if ! build afl "$target" seeds >>"$BENCH_OUT/build-afl.log" 2>&1 || [ ! -x "$bin" ]; then
			printf '%-30s %s\n' "$name" "skipped: no afl build of $target"
			continue
		fi
		found=0
		: >"$BENCH_OUT/afl-$tag$name.execs"
		: >"$BENCH_OUT/afl-$tag$name.secs"
		for seed in $(seq "$nseeds"); do
			dir=$BENCH_OUT/afl/$tag$name-$seed
			rm -rf "$dir" && mkdir -p "$dir"
			start=$(date +%s%N)
			(afl_env && afl_mutator_env --built && AFL_BENCH_UNTIL_CRASH=1 \
				timeout "$((BENCH_DETECT_TIME + 30))" afl-fuzz -i "$ROOT/build/afl/seeds-bin" -o "$dir/out" \
				-s "$seed" -V "$BENCH_DETECT_TIME" -m none -x "$ROOT/fuzz/unmap_diff.dict" \
				-- "$bin") >"$dir/log" 2>&1 || true
			ms=$((($(date +%s%N) - start) / 1000000))
			local first
			first=$(find "$dir/out" -path '*/crashes/id:*' -printf '%f\n' 2>/dev/null | sort | head -1)
			if [ -n "$first" ]; then
				execs=$(sed -n 's/.*,execs:\([0-9]*\).*/\1/p' <<<"$first")
				found=$((found + 1))
				echo "${execs:-0}" >>"$BENCH_OUT/afl-$tag$name.execs"
				awk -v ms="$ms" 'BEGIN { printf "%.2f\n", ms / 1000 }' >>"$BENCH_OUT/afl-$tag$name.secs"
			fi
		done
		local em es
		em=$(bench_median_max <"$BENCH_OUT/afl-$tag$name.execs")
		es=$(bench_median_max <"$BENCH_OUT/afl-$tag$name.secs")
		printf '%-30s %6s %9s %9s %8s %8s\n' "$name" "$found/$nseeds" "${em% *}" "${em#* }" "${es% *}" "${es#* }"
	done
}

bench_cost() {
	bench_section "5. cost model: per-folio op counts, reference vs batched (./unmapfuzz cost, release build)"
	local args=()
	[ "$BENCH_QUICK" = 1 ] && args+=(--quick)
	"$ROOT/build/release/bench/uf_cost" "${args[@]}"
}

# Kernel mode: the kernel program's speed against the batched one in one
# process (bench/kernel_speed.cc, release), for the fixtures of both shapes
# (tests/kernel/fixtures: per-PTE 6.12, batched 7.1) prepared like a user's
# tree; then the time to detect every bug of the kernel bug zoo
# (tests/kernel/zoo) planted into kernel text, as in section 4.
bench_kernel() {
	bench_section "6. kernel mode: real kernel code against batched/, and the bugs planted into kernel text"
	local shape min=2 mutants=20000 nseeds=5
	[ "$BENCH_QUICK" = 1 ] && min=0.7 mutants=5000
	echo "6a. bench/kernel_speed.cc, release build: every input through the default program (reference vs batched/)"
	echo "    and the kernel program (reference vs the fixture's cut), alternating passes in one process"
	for shape in v6.12 v7.1; do
		OPT[--kernel-tree]=$ROOT/tests/kernel/fixtures/$shape
		kernel_setup release >>"$BENCH_OUT/build-release.log" 2>&1 ||
			{ echo "fixture $shape: the kernel variant does not build (see $BENCH_OUT/build-release.log)"; continue; }
		"$(kernel_dir release)/kernel_speed" --seeds "$ROOT/build/release/seeds-bin" --mutants "$mutants" \
			--min-time "$min" --label "fixture $shape ($(kernel_dir release | sed "s|$ROOT/||"))"
		echo
	done
	OPT[--kernel-tree]=""
	echo "6b. time to detect: every kernel bug-zoo entry (tests/kernel/zoo), libFuzzer on build/dev/kernel/kzoo-<name>, -seed=1..$nseeds"
	local patches=("$ROOT"/tests/kernel/zoo/*.patch) patch name
	local built=()
	for patch in "${patches[@]}"; do
		[ -f "$patch" ] || continue
		name=$(basename "$patch" .patch)
		if build dev "kernel_kzoo-$name" >>"$BENCH_OUT/build-dev.log" 2>&1; then
			built+=("$name")
		else
			printf '%-30s %s
' "$name" "skipped: kernel_kzoo-$name does not build, see $BENCH_OUT/build-dev.log"
		fi
	done
	bench_detect_tables "$nseeds" k "$ROOT/build/dev/kernel/kzoo-%s/unmap_diff" "$ROOT/tests/kernel/zoo/%s.patch" \
		"from all the seeds:" "from the seeds that do not trigger the bug:" "${built[@]}"
}

# One row of an off-against-on table: found, median and max seconds from the
# .secs files F0 (off) and F1 (on), and the ratio of the medians; with only
# NAME, the header.
bench_off_on_row() { # NAME [NSEEDS F0 F1]
	local fmt='%-34s %6s %8s %8s   %6s %8s %8s   %s\n' m0 m1
	if [ $# -eq 1 ]; then
		# shellcheck disable=SC2059 # one format for the header and the rows
		printf "$fmt" "$1" "off" "s med" "s max" "on" "s med" "s max" "median off/on"
		return 0
	fi
	[ -f "$3" ] && [ -f "$4" ] || return 0
	m0=$(bench_median_max <"$3") m1=$(bench_median_max <"$4")
	# shellcheck disable=SC2059
	printf "$fmt" "$1" "$(wc -l <"$3")/$2" "${m0% *}" "${m0#* }" "$(wc -l <"$4")/$2" "${m1% *}" "${m1#* }" \
		"$(awk -v a="${m0% *}" -v b="${m1% *}" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.1fx\n", a / b }')"
}

# Whether --entries selects zoo entry NAME.
bench_entry_wanted() { # NAME
	case ",$BENCH_ENTRIES," in ",all," | *",$1,"*) return 0 ;; esac
	return 1
}

# Section 7: the structure-aware mutator (scenario/mutate.h) against
# libFuzzer's byte-level mutations, on the same entries, binaries and seeds
# in one run, so that the ratios compare like with like.
bench_mutator() {
	local nseeds=5 name patch mode zoo=() kzoo=()
	bench_section "7. structure-aware mutator: time to detect with it off (UNMAPFUZZ_MUTATOR=0) and on, libFuzzer -seed=1..$nseeds and AFL++ -s 1..$nseeds (bug zoo), in one run"
	for patch in "$ROOT"/tests/bugzoo/*.patch; do
		name=$(basename "$patch" .patch)
		bench_entry_wanted "$name" && grep -q '^# budget: ' "$patch" || continue
		if build dev "zoo_$name" >>"$BENCH_OUT/build-dev.log" 2>&1; then zoo+=("$name"); else echo "$name: skipped, zoo_$name does not build"; fi
	done
	for patch in "$ROOT"/tests/kernel/zoo/*.patch; do
		name=$(basename "$patch" .patch)
		bench_entry_wanted "$name" || continue
		if build dev "kernel_kzoo-$name" >>"$BENCH_OUT/build-dev.log" 2>&1; then kzoo+=("$name"); else echo "$name: skipped, kernel_kzoo-$name does not build"; fi
	done
	echo "each run as in sections 4 and 6b (bound: 2*budget executions, --detect-time $BENCH_DETECT_TIME s);"
	echo "clamped: executions whose input sanitize() had to change; changed: the custom mutator's outputs whose decoded"
	echo "scenario differs from their parent's (with the mutator off it wraps libFuzzer's own mutation and counts the same)"
	for mode in 0 1; do
		echo
		if [ "$mode" = 0 ]; then
			echo "7.1 mutator off: libFuzzer's byte-level mutations (and its byte-level crossover)"
		else
			echo "7.2 mutator on: semantic changes (one, sometimes up to four stacked), structure-aware crossover, ${UNMAPFUZZ_BYTE_SHARE:-the default} percent left to libFuzzer's byte mutations"
		fi
		export UNMAPFUZZ_MUTATOR=$mode
		[ ${#zoo[@]} -eq 0 ] || bench_detect_tables "$nseeds" "m$mode-" "$ROOT/build/dev/zoo_%s" "$ROOT/tests/bugzoo/%s.patch" \
			"bug zoo, from all the seeds:" "bug zoo, from the seeds that do not trigger the bug:" "${zoo[@]}"
		[ ${#kzoo[@]} -eq 0 ] || bench_detect_tables "$nseeds" "m$mode-k" "$ROOT/build/dev/kernel/kzoo-%s/unmap_diff" \
			"$ROOT/tests/kernel/zoo/%s.patch" "kernel bug zoo, from all the seeds:" \
			"kernel bug zoo, from the seeds that do not trigger the bug:" "${kzoo[@]}"
		[ ${#zoo[@]} -eq 0 ] || bench_detect_afl "$nseeds" "m$mode-" zoo "${zoo[@]}"
		[ ${#kzoo[@]} -eq 0 ] || bench_detect_afl "$nseeds" "m$mode-k" kzoo "${kzoo[@]}"
		unset UNMAPFUZZ_MUTATOR
		local shares
		shares=$(bench_mutant_shares "$BENCH_OUT"/detect/*-m$mode-*)
		echo "all runs of 7.$((mode + 1)): clamped ${shares% *} of executions, changed ${shares#* } of mutants"
	done
	echo
	echo "7.3 off against on, from the seeds that do not trigger the bug: found, median and max seconds"
	bench_off_on_row bug
	local kind tag f0 f1
	for kind in zoo kzoo; do
		tag=quiet
		[ "$kind" = kzoo ] && tag=kquiet
		local -n names=$kind
		for name in "${names[@]}"; do
			f0=$BENCH_OUT/detect-$name-m0-$tag.secs f1=$BENCH_OUT/detect-$name-m1-$tag.secs
			bench_off_on_row "$name" "$nseeds" "$f0" "$f1"
		done
		unset -n names
	done
	echo
	echo "7.4 AFL++ off against on (its dry run drops the seeds that trigger the bug): found, median and max seconds"
	bench_off_on_row bug
	for kind in zoo kzoo; do
		tag=
		[ "$kind" = kzoo ] && tag=k
		local -n names=$kind
		for name in "${names[@]}"; do
			f0=$BENCH_OUT/afl-m0-$tag$name.secs f1=$BENCH_OUT/afl-m1-$tag$name.secs
			bench_off_on_row "$name" "$nseeds" "$f0" "$f1"
		done
		unset -n names
	done
}

# Section 8: how much of the code a clean campaign reaches with the
# mutator off and on. Each campaign (one job, seed 1, from the seeds) runs
# for the last of --reach-time's moments; at each moment its corpus (or
# AFL++'s queue) is copied and the engine's own count noted, and afterwards
# each copy and the seeds are replayed through the coverage build. The off
# and on campaigns of a pair run at the same time, so that both see the
# same load.
bench_reach() {
	bench_section "8. coverage reached with the mutator off and on: libFuzzer and AFL++, one job, seed 1, after ${BENCH_REACH_TIME//,/, } s"
	local times fixture=$ROOT/tests/kernel/fixtures/v7.1 program engine mode fuzz replay code t
	IFS=, read -ra times <<<"$BENCH_REACH_TIME"
	build coverage unmap_diff_replay seeds >>"$BENCH_OUT/build-coverage.log" 2>&1 || { echo "skipped: the coverage build failed"; return 0; }
	# Built once here: the two campaigns of a pair would each build it.
	build dev unmapfuzz_afl_mutator >>"$BENCH_OUT/build-dev.log" 2>&1
	echo "code: branches covered (llvm-cov) of batched/rmap.cc (default program) or of the cut (kernel mode, the v7.1"
	echo "fixture's try_to_unmap_one()); mm/: of the substrate (the states reached); both from the coverage preset's"
	echo "replay of the seeds and the campaign's inputs at that moment. engine: libFuzzer's cov: or AFL++'s edges_found"
	echo "then (the whole target's edges, each engine counting its own way). 'seeds': the seeds alone."
	printf '%-8s %-9s %-4s %22s' program engine mut "seeds: code mm/"
	for t in "${times[@]}"; do printf ' %28s' "after $t s: code mm/ engine"; done
	echo
	local seeds_cov
	for program in default kernel; do
		seeds_cov=""
		for engine in libfuzzer afl; do
			[ "$engine" = afl ] && ! command -v afl-fuzz >/dev/null && continue
			if [ "$program" = kernel ]; then
				OPT[--kernel-tree]=$fixture
				kernel_setup "$engine" coverage >>"$BENCH_OUT/build-reach.log" 2>&1 ||
					{ echo "$program $engine: skipped, the kernel variant of $fixture does not build"; continue; }
				fuzz=$(kernel_dir "$engine")/unmap_diff replay=$(kernel_dir coverage)/unmap_diff_replay
				code='(^|/)kernel/[0-9a-f]+/rmap\.c$'
				OPT[--kernel-tree]=""
			else
				build "$engine" unmap_diff seeds >>"$BENCH_OUT/build-reach.log" 2>&1 ||
					{ echo "$program $engine: skipped, the $engine build failed"; continue; }
				fuzz=$ROOT/build/$engine/unmap_diff replay=$ROOT/build/coverage/unmap_diff_replay
				code='^batched/rmap\.cc$'
			fi
			for mode in 0 1; do
				bench_reach_run "$engine" "$mode" "$fuzz" "$BENCH_OUT/reach/$program-$engine-m$mode" "${times[@]}" &
			done
			wait
			# The seeds alone, once per program (its replay binary).
			if [ -z "$seeds_cov" ]; then
				mkdir -p "$BENCH_OUT/reach/$program-seeds/at-0"
				seeds_cov=$(bench_reach_branches "$replay" "$code" "$BENCH_OUT/reach/$program-seeds" 0)
			fi
			for mode in 0 1; do
				printf '%-8s %-9s %-4s %22s' "$program" "$engine" "$([ $mode = 0 ] && echo off || echo on)" "$seeds_cov"
				for t in "${times[@]}"; do
					printf ' %28s' "$(bench_reach_branches "$replay" "$code" "$BENCH_OUT/reach/$program-$engine-m$mode" "$t") $(cat "$BENCH_OUT/reach/$program-$engine-m$mode/at-$t.engine")"
				done
				echo
			done
		done
	done
}

# One campaign of section 8: ENGINE with the mutator MODE (0 off, 1 on) on
# BIN for the last of the moments T..., copying its inputs to DIR/at-T and
# its own coverage count to DIR/at-T.engine.
bench_reach_run() { # ENGINE MODE BIN DIR T...
	local engine=$1 mode=$2 bin=$3 dir=$4 t waited=0
	shift 4
	rm -rf "$dir" && mkdir -p "$dir/corpus"
	local last=${*: -1} inputs=$dir/corpus
	if [ "$engine" = afl ]; then
		inputs=$dir/out/default/queue
		(export UNMAPFUZZ_MUTATOR=$mode && afl_env && afl_mutator_env --built && AFL_NO_UI=1 \
			timeout $((last + 60)) afl-fuzz -i "$ROOT/build/afl/seeds-bin" -o "$dir/out" -s 1 -V "$last" \
			-m none -x "$ROOT/fuzz/unmap_diff.dict" -- "$bin") >"$dir/log" 2>&1 &
	else
		UNMAPFUZZ_MUTATOR=$mode timeout $((last + 60)) "$bin" -seed=1 -max_total_time="$last" -max_len=16384 \
			-dict="$ROOT/fuzz/unmap_diff.dict" -artifact_prefix="$dir/" "$dir/corpus" \
			"$ROOT/build/libfuzzer/seeds-bin" >"$dir/log" 2>&1 &
	fi
	local pid=$!
	for t in "$@"; do
		sleep $((t - waited))
		waited=$t
		mkdir -p "$dir/at-$t"
		# libFuzzer may delete a file it replaced while this copies.
		[ -d "$inputs" ] && find "$inputs" -maxdepth 1 -type f -exec cp -t "$dir/at-$t" {} + 2>/dev/null
		if [ "$engine" = afl ]; then
			sed -n 's/^edges_found *: //p' "$dir/out/default/fuzzer_stats" 2>/dev/null
		else
			grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2
		fi >"$dir/at-$t.engine"
	done
	wait "$pid"
}

# "covered/total" branches of the files matching the extended regular
# expression CODE and of mm/, after replaying the seeds and DIR/at-T.
bench_reach_branches() { # REPLAY CODE DIR T
	local replay=$1 code=$2 dir=$3/at-$4 prof=$3/at-$4.profdata
	rm -rf "$dir.profraw" && mkdir -p "$dir.profraw"
	find "$ROOT/build/coverage/seeds-bin" "$dir" -maxdepth 1 -type f -print0 |
		LLVM_PROFILE_FILE="$dir.profraw/%p.profraw" xargs -0 "$replay" >/dev/null 2>&1
	llvm-profdata merge -sparse "$dir.profraw"/*.profraw -o "$prof" 2>/dev/null || { echo "- -"; return 0; }
	llvm-cov report "$replay" -instr-profile="$prof" -show-branch-summary 2>/dev/null |
		awk -v re="$code" 'NF >= 13 && $1 ~ re { ct += $11; cm += $12 } NF >= 13 && $1 ~ /^mm\// { mt += $11; mm += $12 }
			END { printf "%s %s\n", ct ? (ct - cm) "/" ct : "-", mt ? (mt - mm) "/" mt : "-" }'
}

bench_run() { # the sections, in order
	# A benchmark that finds nothing to grep must not end the run: errors
	# are handled where they matter (bench_build dies).
	set +e +o pipefail
	local s t0 took=()
	bench_machine "$@"
	t0=$SECONDS
	echo "building (release, libfuzzer, dev and, with AFL++ installed, afl presets; logs in $BENCH_OUT)..."
	bench_want exec profile scaling cost && bench_build release uf_exec_speed uf_scaling uf_cost seeds
	bench_want exec profile && bench_build libfuzzer uf_exec_speed unmap_diff uf_empty_fuzzer seeds
	if bench_want exec && command -v afl-fuzz >/dev/null; then
		bench_build afl unmap_diff uf_empty_fuzzer seeds
	fi
	bench_want detect kernel mutator && bench_build dev unmapfuzz-tool seeds
	bench_want kernel && bench_build release unmapfuzz-tool seeds
	echo "builds took $((SECONDS - t0)) s"
	for s in exec profile scaling detect cost kernel mutator reach; do
		bench_want $s || continue
		t0=$SECONDS
		"bench_$s"
		took+=("$s $((SECONDS - t0))s")
	done
	echo
	echo "=== done: ${took[*]}; total $((SECONDS - BENCH_START)) s; output kept in $BENCH_OUT/bench.txt ==="
}

bench_want() { # SECTION... : true if any is selected
	local s
	for s in "$@"; do
		case ",$BENCH_ONLY," in *",$s,"*) return 0 ;; esac
	done
	return 1
}

cmd_bench() {
	BENCH_QUICK=0 BENCH_ONLY=${OPT[--only]} BENCH_DETECT_TIME=${OPT[--detect-time]} BENCH_START=$SECONDS
	BENCH_ENTRIES=${OPT[--entries]:-all}
	local args=()
	if [ -n "${OPT[--quick]}" ]; then BENCH_QUICK=1 args+=(--quick); fi
	[ "$BENCH_ONLY" = exec,profile,scaling,detect,cost,kernel ] || args+=(--only "$BENCH_ONLY")
	[ "$BENCH_DETECT_TIME" = 120 ] || args+=(--detect-time "$BENCH_DETECT_TIME")
	[ "$BENCH_ENTRIES" = all ] || args+=(--entries "$BENCH_ENTRIES")
	local s
	for s in ${BENCH_ONLY//,/ }; do
		case $s in exec | profile | scaling | detect | cost | kernel | mutator | reach) ;; *) die "--only: unknown section '$s' (exec, profile, scaling, detect, cost, kernel, mutator, reach)" ;; esac
	done
	BENCH_REACH_TIME=${OPT[--reach-time]:-60,600}
	[[ $BENCH_REACH_TIME =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
		die "--reach-time: '$BENCH_REACH_TIME' is not a comma-separated list of seconds"
	[ "$BENCH_REACH_TIME" = 60,600 ] || args+=(--reach-time "$BENCH_REACH_TIME")
	ensure_work
	BENCH_OUT=$WORK/bench/$(date +%Y%m%d-%H%M%S)
	mkdir -p "$BENCH_OUT"
	ensure_tools
	bench_run "${args[@]}" 2>&1 | tee "$BENCH_OUT/bench.txt"
	return "${PIPESTATUS[0]}"
}
