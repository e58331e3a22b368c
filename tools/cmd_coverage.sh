# usage: ./unmapfuzz coverage [DIR...]
# about: line and branch coverage of reference/, batched/ and mm/ by the seeds, the regressions and $WORK/corpus (HTML in $WORK/coverage/html)
# options: kernel
# operands: 0 -
# status: some input crashed the replay (listed; the coverage of the others is kept)
#
# Builds the `coverage` preset (clang, -fprofile-instr-generate
# -fcoverage-mapping, no sanitizers) and its unmap_diff_replay (the fuzz
# target with the standalone replay driver fuzz/targets/replay_main.cc), runs
# it on
#
#   corpus/seeds/*.scn and corpus/regression/*.scn (encoded to binary),
#   $WORK/corpus (the working corpus, if any) and each DIR given,
#
# merges the profiles (llvm-profdata merge -sparse), writes the annotated
# sources with branch counts to $WORK/coverage/html/index.html (llvm-cov
# show -format=html -show-branches=count) and prints line and branch
# coverage per file of reference/, batched/ and mm/ (llvm-cov report
# -show-branch-summary). An input that crashes the replay is reported and
# skipped; the coverage of the others is kept. In kernel mode the replay is
# the kernel variant's, the corpus $WORK/kernel/KEY/corpus, and the report
# is per line and branch of the tree's own mm/rmap.c (the functions cut out
# of it), next to reference/ and mm/; everything goes to
# $WORK/kernel/KEY/coverage.

# shellcheck source=tools/lib_kernel.sh
source "$ROOT/tools/lib_kernel.sh"

cmd_coverage() {
	local dirs=() d
	ensure_work
	for d in "$@"; do
		[ -e "$d" ] || die "no such file or directory: $d"
		dirs+=("$(cd "$(dirname "$d")" && pwd)/$(basename "$d")")
	done
	build coverage unmap_diff_replay unmapfuzz-tool
	local bdir=$ROOT/build/coverage out=$WORK/coverage
	local bin=$bdir/unmap_diff_replay corpus=$WORK/corpus
	local srcs=("$ROOT/reference" "$ROOT/batched" "$ROOT/mm") map=()
	if kernel_mode; then
		# The kernel variant's replay: the cut's #line directives give the
		# tree's own mm/rmap.c lines to the coverage mapping.
		kernel_setup coverage
		bin=$(kernel_dir coverage)/unmap_diff_replay out=$KERNEL_HOME/coverage
		corpus=$KERNEL_HOME/corpus
		srcs=("$KERNEL_TREE/mm/rmap.c" "$ROOT/reference" "$ROOT/mm")
		# The cut keeps the tree's lines: its counts are the tree's file's.
		map=(-path-equivalence="$(kernel_dir coverage),$KERNEL_TREE/mm")
	fi

	rm -rf "$out"
	mkdir -p "$out/inputs/seeds" "$out/inputs/regression" "$out/profraw"
	local scn kind
	for kind in seeds regression; do
		for scn in "$ROOT/corpus/$kind"/*.scn; do
			[ -f "$scn" ] || continue
			# The coverage build's own tool; its profile is not the target's.
			LLVM_PROFILE_FILE=/dev/null "$bdir/unmapfuzz-tool" encode "$scn" "$out/inputs/$kind/$(basename "$scn" .scn)"
		done
	done
	local inputs=() f
	while IFS= read -r f; do inputs+=("$f"); done < <(find "$out/inputs" -type f | sort)
	if [ -d "$corpus" ]; then
		while IFS= read -r f; do inputs+=("$f"); done < <(find "$corpus" -type f | sort)
	fi
	for d in "${dirs[@]}"; do
		while IFS= read -r f; do inputs+=("$f"); done < <(find "$d" -type f | sort)
	done
	local what="seeds, regressions"
	[ -d "$corpus" ] && what+=", $corpus"
	[ ${#dirs[@]} -eq 0 ] || what+=", ${dirs[*]}"
	echo "coverage: replaying ${#inputs[@]} inputs ($what)"

	# Replay from input `next` on; after a crash, go on after the culprit.
	local next=0 rc last i crashed=() log=$out/replay.log
	: >"$log"
	while [ "$next" -lt ${#inputs[@]} ]; do
		rc=0
		LLVM_PROFILE_FILE="$out/profraw/replay-%p.profraw" run "$bin" "${inputs[@]:$next}" 2>>"$log" >/dev/null || rc=$?
		[ "$rc" -ne 0 ] || break
		last=$(sed -n 's/^Running: //p' "$log" | tail -1)
		[ -n "$last" ] || die "the replay failed before any input (exit $rc; log $log)"
		crashed+=("$last")
		for ((i = next; i < ${#inputs[@]}; i++)); do
			[ "${inputs[$i]}" = "$last" ] && break
		done
		next=$((i + 1))
	done
	grep '^unmapfuzz-stats:' "$log" | sed 's/^unmapfuzz-stats: /verdicts: /' | tail -1 || true

	llvm-profdata merge -sparse "$out"/profraw/*.profraw -o "$out/unmap_diff.profdata"
	llvm-cov show "$bin" -instr-profile="$out/unmap_diff.profdata" "${map[@]}" -format=html \
		-show-branches=count -show-line-counts-or-regions -output-dir="$out/html" \
		"${srcs[@]}" "$ROOT/fuzz" >/dev/null
	llvm-cov report "$bin" -instr-profile="$out/unmap_diff.profdata" "${map[@]}" -show-branch-summary \
		"${srcs[@]}" >"$out/report.txt"
	# llvm-cov's columns: Filename, Regions, Missed, Cover, Functions, Missed,
	# Executed, Lines, Missed, Cover, Branches, Missed, Cover.
	echo
	awk -v root="$ROOT/" -v tree="${KERNEL_TREE:+$KERNEL_TREE/}" '
		/^Filename/ || /^-+$/ || NF < 13 { next }
		{
			name = $1; sub(root, "", name); if (tree != "") sub(tree, "", name)
			# The cut: line for line, the mm/rmap.c of the tree.
			if (name ~ /^build\/[^\/]+\/kernel\/[0-9a-f]+\/rmap\.c$/) name = "mm/rmap.c (the tree)"
			printf "%-28s lines %7s of %5d   branches %7s of %5d\n", name, $10, $8, $13, $11
		}' "$out/report.txt" | sort -k1,1 | awk '/^TOTAL/ { total = $0; next } { print } END { print total }'
	echo
	echo "report: $out/report.txt; annotated sources: $out/html/index.html"
	if [ ${#crashed[@]} -gt 0 ]; then
		echo "coverage: ${#crashed[@]} input(s) crashed the replay (skipped; ./unmapfuzz repro FILE):"
		printf '  %s\n' "${crashed[@]}"
		return 1
	fi
}
