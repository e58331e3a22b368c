# usage: ./unmapfuzz corpus merge|prune [OPTIONS] [DIR...]
# about: fold new inputs (the seeds, AFL++ queues, DIRs) into $WORK/corpus, or shrink it, keeping its coverage
# option: --engine afl|libfuzzer libfuzzer the minimiser: libFuzzer -merge=1 or afl-cmin
# operands: 1 -
# status: not used (0 when done)
#
# $WORK/corpus is the working corpus both engines start from (the binary
# scenario format is the same for both), outside the tracked tree:
#
#   merge  keeps every input of $WORK/corpus and adds those of the seeds,
#          every AFL++ queue under $WORK/afl and each DIR (a colleague's
#          corpus, a ClusterFuzzLite artifact...) that add coverage it
#          lacks, as libFuzzer's -merge=1 does;
#   prune  rebuilds $WORK/corpus from its own inputs, keeping only those
#          that add coverage the others lack.
#
# Both work on a copy and replace $WORK/corpus only when the new corpus is
# complete (an interrupted or failed run leaves it as it was), and say how
# many inputs they kept, added and dropped. The default
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

# The SHA-1 of every file directly in DIR, one per line, sorted.
corpus_hashes() { # DIR
	find "$1" -maxdepth 1 -type f -print0 | xargs -0 -r sha1sum | cut -d' ' -f1 | sort -u
}

cmd_corpus() {
	local sub=$1 engine=${OPT[--engine]} dirs=() d
	shift
	case $sub in
	merge | prune) ;;
	*) die "unknown subcommand '$sub' (merge or prune)" ;;
	esac
	for d in "$@"; do
		[ -d "$d" ] || die "$d is not a directory"
		dirs+=("$(cd "$d" && pwd)")
	done
	[ "$sub" = merge ] || [ ${#dirs[@]} -eq 0 ] || die "prune takes no directories (use corpus merge)"
	ensure_work
	# The corpus a campaign on $WORK reads and extends: not under its feet.
	lock_dir "$WORK" campaign
	local corpus=$WORK/corpus
	mkdir -p "$corpus" || die "cannot create $corpus"
	local preset=libfuzzer
	[ "$engine" = libfuzzer ] || { ensure_afl; preset=afl; }
	build "$preset" unmap_diff seeds
	local target=$ROOT/build/$preset/unmap_diff

	# new/: the inputs offered (merge: every source but the corpus; prune:
	# the corpus); fresh/: the corpus being built.
	scratch_dir "$WORK"
	local stage=$SCRATCH_DIR/new fresh=$SCRATCH_DIR/fresh
	mkdir -p "$stage" "$fresh"
	local sources=() q
	if [ "$sub" = merge ]; then
		sources+=("$ROOT/build/$preset/seeds-bin")
		while IFS= read -r q; do sources+=("$q"); done < <(afl_queues)
		sources+=("${dirs[@]}")
	else
		sources+=("$corpus")
	fi
	# The files directly in each source (an AFL++ queue's .state/ holds only
	# links to its entries); equal names from different sources are kept
	# apart by cp's numbered backups, equal contents by the minimiser.
	local src
	for src in "${sources[@]}"; do
		find "$src" -maxdepth 1 -type f -size -16385c -print0 | xargs -0 -r cp --backup=numbered -t "$stage"
	done
	local old offered
	old=$(corpus_hashes "$corpus" | wc -l)
	offered=$(corpus_hashes "$stage" | wc -l)
	echo "corpus $sub: $old input(s) in $corpus; $offered distinct input(s) offered by ${#sources[@]} source(s)"

	local log=$WORK/corpus.$sub.log t0=$SECONDS
	[ "$sub" = prune ] || cp -p "$corpus"/. "$fresh"/ -r 2>/dev/null || true
	if [ "$engine" = libfuzzer ]; then
		# -merge=1 FRESH NEW adds to FRESH only inputs of NEW with new features.
		run "$target" -merge=1 -max_len=16384 "$fresh" "$stage" >"$log" 2>&1 ||
			{ tail -20 "$log" >&2; die "libFuzzer -merge=1 failed (log: $log)"; }
	else
		afl_env
		case $WORK in /tmp/* | /var/tmp/*) export AFL_ALLOW_TMP=1 ;; esac
		local cmin=$SCRATCH_DIR/cmin
		[ "$sub" = prune ] || cp -p "$corpus"/. "$stage"/ -r 2>/dev/null || true
		run afl-cmin -i "$stage" -o "$cmin" -m none -t 5000 -- "$target" >"$log" 2>&1 ||
			{ tail -20 "$log" >&2; die "afl-cmin failed (log: $log)"; }
		# afl-cmin minimises everything it is given; merge keeps the old
		# corpus whole and adds only what afl-cmin kept beyond it.
		cp -p "$cmin"/. "$fresh"/ -r
	fi
	local now added
	now=$(corpus_hashes "$fresh" | wc -l)
	if [ "$now" -eq 0 ] && [ "$offered" -gt 0 ]; then
		die "the minimiser kept nothing; $corpus left as it was (log: $log)"
	fi
	# The swap: the old corpus stays until the new one is in place.
	trap '' INT TERM
	rm -rf "$corpus.old"
	mv "$corpus" "$corpus.old" && mv "$fresh" "$corpus" && rm -rf "$corpus.old"
	trap 'on_signal SIGINT' INT
	trap 'on_signal SIGTERM' TERM
	if [ "$sub" = merge ]; then
		added=$((now - old))
		echo "corpus merge ($engine, $((SECONDS - t0)) s): kept all $old input(s) of the corpus, added $added of the $offered offered (the other $((offered - added)) add no coverage or were there already); now $now in $corpus (log: $log)"
	else
		echo "corpus prune ($engine, $((SECONDS - t0)) s): kept $now of $old input(s), dropped $((old - now)) whose coverage the kept ones have; now $now in $corpus (log: $log)"
	fi
}
