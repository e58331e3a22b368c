# usage: ./unmapfuzz corpus merge|prune [--engine afl|libfuzzer] [DIR...]   fold new inputs (AFL++ queues, DIRs) into $WORK/corpus, or shrink it, keeping its coverage
#
# $WORK/corpus is the working corpus both engines start from (the binary
# scenario format is the same for both), outside the tracked tree:
#
#   merge  $WORK/corpus + the seeds + every AFL++ queue under $WORK/afl
#          + the files in each DIR (a colleague's corpus, a ClusterFuzzLite
#          artifact...)
#   prune  $WORK/corpus alone
#
# are minimised into a fresh directory that then replaces $WORK/corpus: an
# input is kept only if it adds coverage the others lack. The default
# minimiser is libFuzzer's -merge=1 (build/libfuzzer/unmap_diff, its
# coverage features); --engine afl uses afl-cmin on the AFL++ build (AFL++'s
# edge coverage with hit counts). Two afl-cmin traps, both verified with
# Debian's AFL++ 4.04c: afl-cmin (the awk script) must run the aflpp_driver
# target WITHOUT `@@` (it hands over each input through shared memory; with
# `@@` the fork server dies on aflpp_driver.c's "Assertion `N > 0'"), while
# afl-cmin.bash is the one that needs `@@` (without it every input "has the
# same trace"); and afl-cmin refuses to work under /tmp or /var/tmp unless
# AFL_ALLOW_TMP=1 (set here when $WORK is there).

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"

corpus_count() { # DIR -> "N files, B bytes"
	if [ -d "$1" ]; then
		find "$1" -maxdepth 1 -type f -printf '%s\n' | awk '{ n++; b += $1 } END { printf "%d files, %d bytes", n, b }'
	else
		echo "0 files (none yet)"
	fi
}

cmd_corpus() {
	local sub=${1:-} engine=libfuzzer dirs=()
	[ $# -gt 0 ] && shift
	case $sub in
	merge | prune) ;;
	*) die "usage: ./unmapfuzz corpus merge|prune [--engine afl|libfuzzer] [DIR...]" ;;
	esac
	while [ $# -gt 0 ]; do
		case $1 in
		--engine) engine=$2; shift 2 ;;
		-*) die "corpus: unknown option $1" ;;
		*) [ -d "$1" ] || die "corpus: $1 is not a directory"; dirs+=("$(cd "$1" && pwd)"); shift ;;
		esac
	done
	[ "$sub" = merge ] || [ ${#dirs[@]} -eq 0 ] || die "corpus prune takes no directories (use corpus merge)"
	local corpus=$WORK/corpus
	mkdir -p "$corpus"
	local preset=libfuzzer
	case $engine in
	libfuzzer) ;;
	afl) ensure_afl; preset=afl ;;
	*) die "corpus: unknown engine '$engine' (afl or libfuzzer)" ;;
	esac
	build "$preset" unmap_diff seeds >/dev/null
	local target=$ROOT/build/$preset/unmap_diff

	# Every input, once (named by content), in one staging directory.
	local stage=$WORK/corpus.stage fresh=$WORK/corpus.fresh
	rm -rf "$stage" "$fresh"
	mkdir -p "$stage" "$fresh"
	local sources=("$corpus") q
	if [ "$sub" = merge ]; then
		sources+=("$ROOT/build/$preset/seeds-bin")
		while IFS= read -r q; do sources+=("$q"); done < <(afl_queues)
		sources+=("${dirs[@]}")
	fi
	# The files directly in each source (an AFL++ queue's .state/ holds only
	# links to its entries); equal names from different sources are kept
	# apart by cp's numbered backups, equal contents by the minimiser.
	local src
	for src in "${sources[@]}"; do
		find "$src" -maxdepth 1 -type f -size -16385c -print0 | xargs -0 -r cp --backup=numbered -t "$stage"
	done
	echo "corpus $sub: $(corpus_count "$corpus") in $corpus; $(corpus_count "$stage") from ${#sources[@]} source(s)"

	local log=$WORK/corpus.$sub.log t0=$SECONDS
	if [ "$engine" = libfuzzer ]; then
		"$target" -merge=1 -max_len=16384 "$fresh" "$stage" >"$log" 2>&1 ||
			{ tail -20 "$log" >&2; die "corpus: libFuzzer -merge=1 failed (log: $log)"; }
		grep -E '^MERGE-OUTER: [0-9]+ new files' "$log" || true
	else
		afl_env
		case $WORK in /tmp/* | /var/tmp/*) export AFL_ALLOW_TMP=1 ;; esac
		afl-cmin -i "$stage" -o "$fresh" -m none -t 5000 -- "$target" >"$log" 2>&1 ||
			{ tail -20 "$log" >&2; die "corpus: afl-cmin failed (log: $log)"; }
		tr '\r' '\n' <"$log" | sed 's/\x1b\[[0-9;]*m//g' | grep -E 'Narrowed down|Found [0-9]+ unique tuples' || true
	fi
	if [ -z "$(ls -A "$fresh")" ] && [ -n "$(ls -A "$stage")" ]; then
		die "corpus: the minimiser kept nothing; $corpus left as it was (log: $log)"
	fi
	rm -rf "$corpus.old"
	mv "$corpus" "$corpus.old"
	mv "$fresh" "$corpus"
	rm -rf "$corpus.old" "$stage"
	echo "corpus $sub ($engine, $((SECONDS - t0)) s): now $(corpus_count "$corpus") in $corpus (log: $log)"
}
