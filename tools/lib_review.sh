# ./unmapfuzz review: what a patch series does to try_to_unmap_one() that its
# base did not. The pieces, in the order cmd_review.sh runs them:
#   review_split    mails (an mbox, git format-patch files, a directory of
#                   them) into one diff per patch, in [PATCH n/m] order;
#   review_apply    the series applied patch by patch to copies of what the
#                   cut reads (mm/rmap.c and the Makefile), never to the tree;
#   review_variant  the kernel variants: a tree against the reference
#                   (lib_kernel.sh kernel_setup) and the base against a
#                   patched tree in one binary (kernel/pair_variant.cmake);
#   review_search   check, exhaust and fuzz, one reproducer per class;
#   review_judge    each class replayed on the base: only what the base does
#                   not have is new; the first patch that brings it (blame);
#   review_reply    the reply a reviewer pastes, and --json.
# Sourced by cmd_review.sh after lib_fuzzing.sh.
# shellcheck shell=bash

REVIEW_SCHEMA=1
# What the cut reads of a tree: kernel_setup cuts mm/rmap.c and reads the
# Makefile's version; the shim learns pure helpers from these headers
# (kernel/learn.sh), so a series that adds a helper to mm/internal.h is
# applied there too.
REVIEW_CUT_FILES=(mm/rmap.c Makefile mm/internal.h mm/swap.h)
REVIEW_HEADER_DIRS=(include/linux include/asm-generic arch)

# True when the cut or the learner reads PATH of a tree.
review_cut_reads() { # PATH
	local d
	case " ${REVIEW_CUT_FILES[*]} " in *" $1 "*) return 0 ;; esac
	for d in "${REVIEW_HEADER_DIRS[@]}"; do
		case $1 in "$d"/*) return 0 ;; esac
	done
	return 1
}

# Makes PATH of the tree copy DIR a file of its own before a patch writes
# it: the header folders are links into the base (a link farm once a patch
# touches one of their files), and a patch must never write through a link
# into the base tree.
review_own_file() { # DIR PATH
	local dir=$1 path=$2 d real
	for d in "${REVIEW_HEADER_DIRS[@]}"; do
		case $path in "$d"/*) ;; *) continue ;; esac
		if [ -L "$dir/$d" ]; then
			real=$(readlink -f "$dir/$d")
			rm -f "$dir/$d" && cp -rs "$real" "$dir/$d" || return 1
		fi
	done
	if [ -L "$dir/$path" ]; then
		real=$(readlink -f "$dir/$path")
		cp --remove-destination "$real" "$dir/$path" || return 1
	fi
	return 0
}

# --- the series -----------------------------------------------------------

# Parses a diff (a mail, a format-patch file or a bare diff) on stdin.
#   review_diff files            one touched path per line
#   review_diff filter PATH...   only the sections of those paths, as a diff
#   review_diff lines PATH       "add N" (a line the diff adds, its number in
#                                the new file) and "del N" (lines removed
#                                before new line N) for PATH
#   review_diff hunk PATH K      the K-th hunk of PATH (1-based)
#   review_diff hunk-at PATH L   the hunk of PATH whose old start is L
# Hunks are followed by their line counts, so a removed line "--- x" inside a
# hunk is never read as a file header, and the mail's text around the diff
# (headers, message, signature) is no part of any section.
review_diff() { # MODE [ARG...]
	awk -v mode="$1" -v arg1="${2:-}" -v arg2="${3:-}" -v want=" ${*:2} " '
		function strip(p) {
			sub(/\t.*$/, "", p)
			if (p ~ /^"/) { sub(/^"/, "", p); sub(/"$/, "", p) }
			if (p != "/dev/null") sub(/^[^\/]*\//, "", p)
			return p
		}
		function start_section(path) {
			file = path; nh = 0; header = 1
			if (mode == "files" && path != "" && !(path in seen)) { seen[path] = 1; print path }
		}
		function emit(line) {
			if (mode == "filter" && index(want, " " file " ")) print line
		}
		BEGIN { inhunk = 0; header = 0; file = "" }
		{
			line = $0
			if (inhunk) {
				c = substr(line, 1, 1)
				if (c == " " || line == "") { old--; new--; if (mode == "lines" && file == arg1) nl++ }
				else if (c == "-") { old--; if (mode == "lines" && file == arg1) print "del " nl }
				else if (c == "+") { new--; if (mode == "lines" && file == arg1) print "add " nl++ }
				else if (c != "\\") { inhunk = 0 }
				if (inhunk) {
					emit(line)
					if (hunk_print) print line
					if (old <= 0 && new <= 0) { inhunk = 0; after_hunk = 1 }
					next
				}
			}
			if (line ~ /^\\/ && after_hunk) { emit(line); if (hunk_print) print line; next }
			after_hunk = 0; hunk_print = 0
			if (line ~ /^diff --git /) {
				p = line; sub(/^diff --git [^ ]* /, "", p); start_section(strip(p)); emit(line); next
			}
			if (line ~ /^--- /) {
				if ((getline nxt) <= 0) next
				if (nxt ~ /^\+\+\+ /) {
					p = strip(substr(nxt, 5))
					if (p == "/dev/null") p = strip(substr(line, 5))
					if (!header || p != file) start_section(p)
					emit(line); emit(nxt)
				}
				next
			}
			if (line ~ /^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@/ && file != "") {
				header = 0
				h = line; sub(/^@@ -/, "", h)
				split(h, a, /[ ,+]+/)
				os = a[1]
				if (h ~ /^[0-9]+,/) { old = a[2]; ns = a[3]; new = (h ~ /^[0-9]+(,[0-9]+)? \+[0-9]+,/) ? a[4] : 1 }
				else { old = 1; ns = a[2]; new = (h ~ /^[0-9]+ \+[0-9]+,/) ? a[3] : 1 }
				inhunk = (old > 0 || new > 0); nh++; nl = ns
				emit(line)
				hunk_print = (mode == "hunk" && file == arg1 && nh == arg2) ||
					(mode == "hunk-at" && file == arg1 && os == arg2)
				if (hunk_print) print line
				next
			}
			# The lines between "diff --git" and "---" (index, modes).
			if (header && line !~ /^$/) emit(line)
			else header = 0
		}'
}

# One line per mail of FILE: an mbox holds many ("From <id> <weekday> ..."
# starts each, as git format-patch and mail clients write them), any other
# file is one mail. Writes DIR/mail-SEQ, SEQ counting on from $REVIEW_SEQ.
review_split_file() { # FILE DIR
	local file=$1 dir=$2 n
	n=$(awk -v dir="$dir" -v seq="$REVIEW_SEQ" '
		/^From [^ ]+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) / { if (out) close(out); out = sprintf("%s/mail-%04d", dir, ++seq); n++ }
		{ if (!out) { out = sprintf("%s/mail-%04d", dir, ++seq); n++ } print > out }
		END { print n + 0 }' "$file")
	REVIEW_SEQ=$((REVIEW_SEQ + n))
}

# A mail's subject, unfolded ("" when it has none).
review_subject() { # MAIL
	awk '/^$/ { exit } /^Subject:/ { s = $0; sub(/^Subject: */, "", s); on = 1; next }
		on && /^[ \t]/ { t = $0; sub(/^[ \t]+/, " ", t); s = s t; next } { on = 0 }
		END { print s }' "$1"
}

# Splits the PATCH operands into the series: REVIEW_DIR/series/NN.patch (one
# diff each, in order), and sets
#   REVIEW_N            the number of patches
#   REVIEW_SUBJECT[k]   patch k's subject (its file name for a bare diff)
#   REVIEW_TITLE        the cover letter's subject, or patch 1's
# Mails without a diff (a cover letter, replies) are left out. When every
# patch's subject numbers it ([PATCH n/m], [RFC PATCH v2 n/m]), that order
# wins over the order given; a gap in the numbers is said.
review_split() { # PATCH...
	local dir=$REVIEW_DIR/mails arg f mail subject
	rm -rf "$dir" "$REVIEW_DIR/series"
	mkdir -p "$dir" "$REVIEW_DIR/series" || die "cannot create $dir"
	REVIEW_SEQ=0
	declare -A origin=()
	for arg in "$@"; do
		if [ -d "$arg" ]; then
			local found=0
			while IFS= read -r f; do
				review_split_file "$f" "$dir"
				found=1
			done < <(find "$arg" -maxdepth 1 -type f ! -name '.*' | LC_ALL=C sort)
			[ "$found" = 1 ] || die "$arg holds no patch files"
		elif [ -f "$arg" ] && [ -r "$arg" ]; then
			local before=$REVIEW_SEQ
			review_split_file "$arg" "$dir"
			for ((f = before + 1; f <= REVIEW_SEQ; f++)); do origin[$f]=$arg; done
		else
			die "cannot read the patch $arg"
		fi
	done
	local rows=() seq num total cover="" numbered=1
	for mail in "$dir"/mail-*; do
		[ -f "$mail" ] || continue
		seq=${mail##*-} seq=$((10#$seq))
		subject=$(review_subject "$mail")
		num=$(sed -n 's/.*\[[^]]*[^0-9]\([0-9][0-9]*\)\/\([0-9][0-9]*\)\].*/\1 \2/p' <<<"$subject")
		if ! grep -q '^@@ -[0-9]' "$mail"; then
			# A cover letter ([PATCH 0/N]) names the series.
			[ -n "$subject" ] && [ -z "$cover" ] && cover=$subject
			continue
		fi
		if [ -z "$subject" ]; then
			subject=${origin[$seq]:-}
			subject=${subject##*/}
			[ -n "$subject" ] || subject="patch $seq"
		fi
		[ -n "$num" ] || numbered=0
		rows+=("${num%% *}"$'\x1f'"$seq"$'\x1f'"${num##* }"$'\x1f'"$subject"$'\x1f'"$mail")
	done
	[ ${#rows[@]} -gt 0 ] || die "no patch in $*: no mail holds a diff"
	local sorted
	if [ "$numbered" = 1 ]; then
		sorted=$(printf '%s\n' "${rows[@]}" | sort -t $'\x1f' -k1,1n -k2,2n)
	else
		sorted=$(printf '%s\n' "${rows[@]}" | sort -t $'\x1f' -k2,2n)
	fi
	REVIEW_N=0
	REVIEW_SUBJECT=()
	local k expected=1
	# \x1f: no whitespace, so an empty field (an unnumbered patch) stays one.
	while IFS=$'\x1f' read -r num seq total subject mail; do
		REVIEW_N=$((REVIEW_N + 1))
		k=$REVIEW_N
		if [ "$numbered" = 1 ]; then
			[ "$num" = "$expected" ] || say "the series has no patch $expected/$total before $subject"
			expected=$((num + 1))
		fi
		REVIEW_SUBJECT[$k]=$subject
		cp "$mail" "$REVIEW_DIR/series/$(printf '%02d' "$k").patch"
	done <<<"$sorted"
	if [ "$numbered" = 1 ] && [ -n "$total" ] && [ "$total" -ge "$expected" ]; then
		say "the series has $REVIEW_N of $total patches: patch $expected/$total is missing"
	fi
	REVIEW_TITLE=${cover:-${REVIEW_SUBJECT[1]}}
	rm -rf "$dir"
}

# --- the trees --------------------------------------------------------------

# A copy of what the cut reads of TREE, in a directory named by its content
# (so that the same series prefix on the same base is the same path, and its
# kernel variant is built once). Prints the directory.
review_tree_dir() { # CONTENT_HASH
	echo "$WORK/review/trees/$1"
}

# Applies the series to copies of the base: REVIEW_TREE[0] is the base's
# copy, REVIEW_TREE[k] the tree with patches 1..k. Sets REVIEW_OTHER[k] (the
# files patch k touches that the cut never reads) and REVIEW_TOUCHES[k] (1
# when patch k changes mm/rmap.c). A patch that does not apply stops the
# review (exit 2) with its subject and the first hunk that failed.
review_apply() { # BASE_TREE
	local base=$1 hash k patch files other f wanted err rc prev tmp
	hash=$( {
		readlink -f "$base"
		for f in "${REVIEW_CUT_FILES[@]}"; do [ ! -f "$base/$f" ] || cat "$base/$f"; done
	} | sha256sum | cut -c1-16)
	prev=$(review_tree_dir "$hash")
	if [ ! -f "$prev/mm/rmap.c" ]; then
		tmp=$prev.tmp$$
		rm -rf "$tmp" && mkdir -p "$tmp/mm" || die "cannot write $tmp"
		for f in "${REVIEW_CUT_FILES[@]}"; do
			[ ! -f "$base/$f" ] || cp "$base/$f" "$tmp/$f" || die "cannot write $tmp/$f"
		done
		# The header folders the learner reads, as links into the base.
		for f in "${REVIEW_HEADER_DIRS[@]}"; do
			[ -e "$base/$f" ] || continue
			mkdir -p "$(dirname "$tmp/$f")" && ln -s "$(readlink -f "$base/$f")" "$tmp/$f" ||
				die "cannot link $base/$f into $tmp"
		done
		mv -T "$tmp" "$prev" 2>/dev/null ||
			{ rm -rf "$tmp"; [ -f "$prev/mm/rmap.c" ] || die "cannot write $prev"; }
	fi
	REVIEW_TREE=("$prev")
	REVIEW_OTHER=() REVIEW_TOUCHES=()
	for ((k = 1; k <= REVIEW_N; k++)); do
		patch=$REVIEW_DIR/series/$(printf '%02d' "$k").patch
		files=$(review_diff files <"$patch")
		other="" wanted=()
		while IFS= read -r f; do
			[ -n "$f" ] || continue
			if review_cut_reads "$f"; then
				wanted+=("$f")
			else
				other+="${other:+ }$f"
			fi
		done <<<"$files"
		REVIEW_OTHER[$k]=$other
		REVIEW_TOUCHES[$k]=0
		case " ${wanted[*]} " in *" mm/rmap.c "*) REVIEW_TOUCHES[$k]=1 ;; esac
		review_diff filter "${wanted[@]}" <"$patch" >"$REVIEW_DIR/series/$(printf '%02d' "$k").cut.diff"
		hash=$( { echo "$hash"; cat "$REVIEW_DIR/series/$(printf '%02d' "$k").cut.diff"; } | sha256sum | cut -c1-16)
		local dest
		dest=$(review_tree_dir "$hash")
		if [ ! -f "$dest/mm/rmap.c" ]; then
			tmp=$dest.tmp$$
			rm -rf "$tmp" && mkdir -p "$tmp" && cp -R "$prev/." "$tmp/" || die "cannot write $tmp"
			if [ ${#wanted[@]} -gt 0 ]; then
				for f in "${wanted[@]}"; do
					review_own_file "$tmp" "$f" || die "cannot copy $f into $tmp"
				done
				review_apply_one "$k" "$tmp" || { rm -rf "$tmp"; exit 2; }
			fi
			mv -T "$tmp" "$dest" 2>/dev/null || { rm -rf "$tmp"; [ -f "$dest/mm/rmap.c" ] || die "cannot write $dest"; }
		fi
		REVIEW_TREE[$k]=$dest
		prev=$dest
	done
}

# Applies patch K's sections for the cut's files to DIR: git apply (exact
# context, any offset), else patch with no fuzz. On failure prints the
# subject and the first hunk that did not apply, and returns 1.
review_apply_one() { # K DIR
	local k=$1 dir=$2 diff err perr where file line hunk num
	diff=$REVIEW_DIR/series/$(printf '%02d' "$k").cut.diff
	# Outside any repository: git apply in a directory inside one would
	# take paths relative to that repository's top.
	if err=$(cd "$dir" && GIT_CEILING_DIRECTORIES=$(dirname "$dir") git apply --whitespace=nowarn -p1 "$diff" 2>&1); then
		return 0
	fi
	if perr=$(patch -d "$dir" -p1 -F0 --batch --forward --no-backup-if-mismatch -r - --dry-run -i "$diff" 2>&1) &&
		patch -d "$dir" -p1 -F0 --batch --forward --no-backup-if-mismatch -r - -i "$diff" >/dev/null 2>&1; then
		return 0
	fi
	echo "unmapfuzz review: patch $k/$REVIEW_N does not apply: ${REVIEW_SUBJECT[$k]}" >&2
	where=$(sed -n 's/^error: patch failed: \(.*\):\([0-9][0-9]*\)$/\1 \2/p' <<<"$err" | head -1)
	if [ -n "$where" ]; then
		file=${where% *} line=${where##* }
		hunk=$(review_diff hunk-at "$file" "$line" <"$diff")
		local on="the base"
		[ "$k" -ne 2 ] || on="the base with patch 1 applied"
		[ "$k" -le 2 ] || on="the base with patches 1-$((k - 1)) applied"
		echo "the first hunk that fails, at $file:$line of $on:" >&2
	else
		num=$(sed -n 's/^Hunk #\([0-9][0-9]*\) FAILED.*/\1/p' <<<"$perr" | head -1)
		file=$(sed -n 's/^patching file \(.*\)$/\1/p' <<<"$perr" | tail -1)
		[ -n "$num" ] && [ -n "$file" ] && hunk=$(review_diff hunk "$file" "$num" <"$diff")
		echo "git apply: $(head -1 <<<"$err")" >&2
	fi
	[ -z "${hunk:-}" ] || sed 's/^/  /' <<<"$hunk" | head -40 >&2
	return 1
}

# --- the variants -------------------------------------------------------------

# The kernel variant of TREE against the reference in PRESET, only the
# executables PARTS names ("tool", "fuzz"; default the tool); prints "KEY
# SEMANTICS VERSION". A tree that cannot be cut or built is exit 125, with
# WHAT ("the base", "the patched tree") in the message.
review_variant() { # PRESET TREE WHAT [PARTS]
	local preset=$1 tree=$2 what=$3 out rc=0 log=$REVIEW_DIR/build.log
	# shellcheck disable=SC2034 # read by kernel_setup (lib_kernel.sh)
	local KERNEL_PARTS=${4:-tool}
	out=$(
		trap cleanup EXIT
		OPT["--kernel-tree"]=$tree
		OPT["--kernel-deb"]=""
		OPT["--against"]=reference
		kernel_setup "$preset" 2>>"$log" >&2
		# The level kernel_setup chose: the Makefile's, or a newer one when
		# the series brings newer code (the kernel-mode line says why).
		echo "$KERNEL_KEY $KERNEL_SEMANTICS $KERNEL_VERSION"
	) || rc=$?
	if [ "$rc" -ne 0 ] || [ -z "$out" ]; then
		[ "$rc" -ne 130 ] || exit 130
		local why
		why=$(grep 'unmapfuzz' "$log" | tail -1)
		echo "unmapfuzz review: $what cannot be cut or built: ${why#unmapfuzz review: }" >&2
		# Which names the shim lacks, where each is first used and defined,
		# and the compiler's first error (lib_kernel.sh kernel_cannot_build).
		grep -E '^  [A-Za-z_0-9]+ .*first at |^first (compiler )?error: ' "$log" | tail -9 >&2
		echo "  (log: $(review_rel "$log"))" >&2
		exit 125
	fi
	# What the shim took from this tree's headers (a series may add one).
	local learned
	learned=$(grep 'kernel mode: ' "$log" | tail -1 | sed -n 's/.*learned from the tree: \([^;]*\).*/\1/p')
	[ -z "$learned" ] || [ "$learned" = nothing ] ||
		echo "unmapfuzz review: $what: learned from the tree: $learned" >&2
	echo "$out"
}

# The pair of BASE_KEY's cut (reference slot) and PATCHED_KEY's (batched
# slot) in PRESET, built from the two variants' cuts, only the executables
# PARTS names (default the tool); prints its key.
review_pair() { # PRESET BASE_KEY PATCHED_KEY SEMANTICS VERSION [PARTS]
	local preset=$1 bkey=$2 pkey=$3 semantics=$4 version=$5 key dir cuts log=$REVIEW_DIR/build.log
	local part targets=()
	# The cuts as the dev preset's variants hold them (the same text in every preset).
	cuts=$ROOT/build/dev/kernel
	# The two variants' keys cover each cut, its learned helpers, the shim
	# and the bridge (lib_kernel.sh kernel_key).
	key=pair-$(echo "$bkey $pkey $semantics" | sha256sum | cut -c1-12)
	dir=$ROOT/build/$preset/kernel/$key
	if [ ! -f "$dir/variant.cmake" ]; then
		mkdir -p "$dir/base" "$dir/patched" &&
			cp "$cuts/$bkey/rmap.c" "$dir/base/rmap.c" && cp "$cuts/$pkey/rmap.c" "$dir/patched/rmap.c" &&
			cp "$cuts/$bkey/learned.h" "$dir/base/learned.h" &&
			cp "$cuts/$pkey/learned.h" "$dir/patched/learned.h" ||
			die "cannot write $dir"
		{
			echo "include(\${PROJECT_SOURCE_DIR}/kernel/pair_variant.cmake)"
			printf 'uf_kernel_pair(%s ${CMAKE_CURRENT_LIST_DIR}/base/rmap.c ${CMAKE_CURRENT_LIST_DIR}/patched/rmap.c %s "%s" "%s"' \
				"$key" "$semantics" "base against patched" "${version//\"/}"
			printf ' BASE_INCLUDE ${CMAKE_CURRENT_LIST_DIR}/base/learned.h PATCHED_INCLUDE ${CMAKE_CURRENT_LIST_DIR}/patched/learned.h)\n'
		} >"$dir/variant.cmake.new" && mv "$dir/variant.cmake.new" "$dir/variant.cmake" ||
			die "cannot write $dir/variant.cmake"
		if ! (trap cleanup EXIT; kernel_reconfigure "$preset") 2>>"$log"; then
			rm -f "$dir/variant.cmake"
			echo "unmapfuzz review: configuring the base-against-patched program failed (log: $ROOT/build/logs/$preset.log)" >&2
			exit 125
		fi
	fi
	for part in ${6:-tool}; do targets+=("kernel_${key}_$part"); done
	if ! (trap cleanup EXIT; build "$preset" "${targets[@]}") 2>>"$log"; then
		echo "unmapfuzz review: the base and patched cuts do not build into one program: $(grep -m1 -E 'error|FAILED' "$ROOT/build/logs/$preset.log") (log: $ROOT/build/logs/$preset.log)" >&2
		exit 125
	fi
	echo "$key"
}

# --- the search ---------------------------------------------------------------

# Adds the failure CLASS with reproducer FILE found by PROGRAM (ref: the
# patched tree against the reference; pair: base against patched) by STEP,
# unless the class has one already.
declare -A FOUND_FILE=() FOUND_PROG=() FOUND_STEP=() FOUND_BY=()
review_found() { # CLASS FILE PROGRAM STEP
	local cls=${1% -} by
	cls=${cls%% known=*}
	# Every program and step that found the class, for the reply.
	by="$4 ($([ "$3" = ref ] && echo "patched against the reference" || echo "base against patched"))"
	case "${FOUND_BY[$cls]:-}" in
	*"$by"*) ;;
	*) FOUND_BY[$cls]+="${FOUND_BY[$cls]:+, }$by" ;;
	esac
	[ -z "${FOUND_FILE[$cls]+x}" ] || return 0
	FOUND_FILE[$cls]=$2 FOUND_PROG[$cls]=$3 FOUND_STEP[$cls]=$4
}

# check: every seed and regression through PROGRAM's tool.
review_check() { # PROGRAM TOOL
	local prog=$1 tool=$2 kind cls path out
	out=$(ASAN_OPTIONS=detect_leaks=0 "$tool" check --each -- "${REVIEW_SCNS[@]}" 2>/dev/null) || true
	while read -r kind cls path; do
		case $kind in INVARIANT | DIVERGENCE | KERNEL_WARN | KERNEL_BUG) ;; *) continue ;; esac
		[[ $path != known=*" "* ]] || path=${path#* }
		review_found "$kind $cls" "$path" "$prog" check
	done <<<"$out"
}

# exhaust: the bound, one regression draft per class kept as a reproducer.
review_exhaust() { # PROGRAM TOOL
	local prog=$1 tool=$2 out dir=$REVIEW_DIR/exhaust-$1 n=0 f cls
	rm -rf "$dir" && mkdir -p "$dir"
	run "$tool" exhaust "${REVIEW_EXHAUST[@]}" --each-class --progress 0 >"$dir/out" 2>&1 || true
	awk -v dir="$dir" '/^---- failure [0-9]+: / { if (out) close(out); out = sprintf("%s/f%04d.scn", dir, ++n); cls[out] = $4 " " $5; print $4 " " $5 "\t" out; next }
		out { print > out }' "$dir/out" >"$dir/list"
	while IFS=$'\t' read -r cls f; do
		review_found "$cls" "$f" "$prog" exhaust
	done <"$dir/list"
	n=$(sed -n 's/^exhaust: .* points ([0-9.]*%), \([0-9]*\) scenarios run.*/\1/p' "$dir/out" | tail -1)
	REVIEW_EXHAUSTED=$((REVIEW_EXHAUSTED + ${n:-0}))
}

# fuzz: libFuzzer -fork on PROGRAM's target for SECONDS, from the seeds, in a
# corpus of the review's own; every crash file classified.
review_fuzz() { # PROGRAM DIR SECONDS
	local prog=$1 bdir=$2 secs=$3 home=$REVIEW_DIR/fuzz-$1 f cls execs
	rm -rf "$home" && mkdir -p "$home/corpus" "$home/crashes" "$home/stats" "$home/tmp"
	local args=(-fork="${OPT[--jobs]}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -error_exitcode=77
		-max_total_time="$secs" -artifact_prefix="$home/crashes/"
		-dict="$ROOT/fuzz/unmap_diff.dict" -max_len=16384)
	spawn env TMPDIR="$home/tmp" UNMAPFUZZ_STATS_DIR="$home/stats" ASAN_OPTIONS=detect_leaks=0 \
		"$bdir/unmap_diff" "${args[@]}" "$home/corpus" "$ROOT/build/dev/seeds-bin" >"$home/libfuzzer.log" 2>&1
	local pid=$SPAWNED lrc=0
	wait "$pid" || lrc=$?
	forget_child "$pid"
	if [ "$lrc" -ne 0 ] && [ "$lrc" -ne 77 ]; then
		die "libFuzzer exited with status $lrc (log: $home/libfuzzer.log)"
	fi
	execs=$(cat "$home"/stats/stats-* 2>/dev/null | tr ' ' '\n' | sed -n 's/^execs=//p' | awk '{ s += $1 } END { print s + 0 }')
	REVIEW_EXECS=$((REVIEW_EXECS + execs))
	classify_new "$bdir/unmapfuzz-tool" 600 < <(crash_files "$home/crashes")
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		cls=${CRASH_CLASS[$f]:-}
		case $cls in INVARIANT* | DIVERGENCE* | KERNEL_*) review_found "$cls" "$f" "$prog" fuzz ;; esac
	done < <(crash_files "$home/crashes" | while IFS= read -r f; do printf '%s %s\n' "$(stat -c %s "$f")" "$f"; done | sort -n | cut -d' ' -f2-)
}

# --- the verdict ----------------------------------------------------------------

# The class one scenario replays to with TOOL ("OK" for a pass), and the known
# bug that explains it: "KIND class known=ID", "KIND class" or "OK".
review_replay() { # TOOL FILE
	local line
	line=$(ASAN_OPTIONS=detect_leaks=0 timeout 120 "$1" check --each -- "$2" 2>/dev/null | grep -v '^check: ' | head -1)
	case $line in
	"" | NOT_REPRODUCED*) echo OK ;;
	BAD_INPUT*) echo BAD_INPUT ;;
	*) awk '{ if ($3 ~ /^known=/) print $1 " " $2 " " $3; else print $1 " " $2 }' <<<"$line" ;;
	esac
}

# The tool that replays PROGRAM ("ref" or "pair") for patched tree K.
review_tool_for() { # PROGRAM K
	local prog=$1 k=$2 v key
	if [ -n "${REVIEW_KEY_CACHE[$prog $k]:-}" ]; then
		echo "$ROOT/build/dev/kernel/${REVIEW_KEY_CACHE[$prog $k]}/unmapfuzz-tool"
		return
	fi
	v=$(review_variant dev "${REVIEW_TREE[$k]}" "the tree with patches 1..$k") || exit $?
	key=${v%% *}
	if [ "$prog" = pair ]; then
		key=$(review_pair dev "$REVIEW_BASE_KEY" "$key" "$(cut -d' ' -f2 <<<"$v")" "$(cut -d' ' -f3 <<<"$v")") || exit $?
	fi
	REVIEW_KEY_CACHE[$prog $k]=$key
	echo "$ROOT/build/dev/kernel/$key/unmapfuzz-tool"
}
declare -A REVIEW_KEY_CACHE=()

# The first patch K of the series whose tree fails with CLASS on FILE (the
# whole series does): a bisection over the patches that change mm/rmap.c,
# building the variant of each tree it tries.
review_blame() { # CLASS FILE PROGRAM
	local cls=$1 file=$2 prog=$3 lo=0 hi=$REVIEW_N mid tool got k
	# lo: a tree known not to fail (the base); hi: one known to fail.
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		# A patch that leaves mm/rmap.c alone cannot change the verdict:
		# try the nearest tree that differs.
		k=$mid
		while [ "$k" -gt "$lo" ] && [ "${REVIEW_TOUCHES[$k]}" = 0 ]; do k=$((k - 1)); done
		if [ "$k" -eq "$lo" ]; then
			lo=$mid
			continue
		fi
		tool=$(review_tool_for "$prog" "$k") || exit $?
		got=$(review_replay "$tool" "$file")
		say "bisect: with patches 1-$k, the reproducer ends as $got"
		if [ "${got%% known=*}" = "$cls" ]; then hi=$k; else lo=$mid; fi
	done
	echo "$hi"
}

# The line patch K added that the failure points at: among the lines the
# patch adds to mm/rmap.c (or the places it removes lines from), the first
# that the failing side's trace names, else the one nearest to a line the
# trace names, else the first. Prints "LINE add" (a line the patch added) or
# "LINE del" (the line the patch removed lines above), or nothing.
review_blame_line() { # K TRACE_LINES
	local k=$1 trace=$2 diff
	diff=$REVIEW_DIR/series/$(printf '%02d' "$k").cut.diff
	review_diff lines mm/rmap.c <"$diff" | awk -v trace="$trace" '
		BEGIN { n = split(trace, t, " ") }
		{ kind[NR] = $1; at[NR] = $2 }
		END {
			if (NR == 0) exit
			for (i = 1; i <= n; i++) for (j = 1; j <= NR; j++) if (kind[j] == "add" && at[j] == t[i]) { print at[j] " add"; exit }
			best = ""; bd = -1
			for (j = 1; j <= NR; j++) for (i = 1; i <= n; i++) {
				d = at[j] - t[i]; if (d < 0) d = -d
				if (bd < 0 || d < bd) { bd = d; best = at[j]; bk = kind[j] }
			}
			if (best == "") { best = at[1]; bk = kind[1] }
			for (j = 1; j <= NR; j++) if (at[j] == best && kind[j] == "add") bk = "add"
			print best " " (bk == "add" ? "add" : "del")
		}'
}

# --- the reply --------------------------------------------------------------------

# PATH relative to the directory the review runs in, when it is below it:
# replay commands a person can run from there, and shorter.
review_rel() { # PATH
	case $1 in
	"$PWD"/*) echo "${1#"$PWD"/}" ;;
	*) echo "$1" ;;
	esac
}

# A JSON string.
json_str() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\t'/\\t}
	s=${s//$'\r'/\\r}
	s=${s//$'\n'/\\n}
	s=$(printf '%s' "$s" | tr -d '\000-\010\013\014\016-\037')
	printf '"%s"' "$s"
}

# The lines of a repro report's section "== NAME..." (up to the next "== ").
report_section() { # NAME < REPORT
	awk -v name="$1" 'index($0, "== " name) == 1 { on = 1; next } /^== / { on = 0 } on'
}

# The mm/rmap.c lines the trace of SIDE ("kernel", "patched") names, in order.
report_trace_lines() { # SIDE < REPORT
	report_section trace | awk -v side="$1:" '$0 == side { on = 1; next } /^[a-z]+:$/ { on = 0 }
		on { if (match($0, /mm\/rmap\.c:[0-9]+/)) print substr($0, RSTART + 10, RLENGTH - 10) }' | tr '\n' ' '
}

# The rows of a report that differ between the slots: the slots that differ,
# and each bookkeeping row marked "<-- differs" with the two rows above it.
report_differs() { # < REPORT
	awk '/^== slots that differ/ { on = 1; next } /^== / { on = 0 } on { print; next }
		/^== bookkeeping/ { bk = 1; next } /^== / { bk = 0 }
		bk { l2 = l1; l1 = prev; prev = $0; if ($0 ~ /<-- differs/) { print l2; print l1; print $0 } }'
}

# Every class found, minimised and replayed on the base: REVIEW_NEW (the
# classes the base does not have, each blamed), REVIEW_OLD (those it has).
review_judge() {
	local cls file prog min report got known k line trace name side
	REVIEW_NEW=() REVIEW_OLD=()
	declare -gA R_HOW=() R_MIN=() R_BASE=() R_PATCH=() R_LINE=() R_TEXT=() R_DETAIL=() R_SCN=() R_DIFF=() R_TREE=() R_REPLAY=() R_KNOWN=()
	mkdir -p "$REVIEW_DIR/findings"
	while IFS= read -r cls; do
		[ -n "$cls" ] || continue
		file=${FOUND_FILE[$cls]} prog=${FOUND_PROG[$cls]}
		name=$(class_file_name "$cls")
		min=$REVIEW_DIR/findings/$name.scn
		local tool
		tool=$(review_tool_for "$prog" "$REVIEW_N") || exit $?
		# The structural minimiser keeps the class; a file it cannot
		# shrink is kept as it is, as text.
		if ! "$tool" minimize "$file" "$min" >"$REVIEW_DIR/findings/$name.log" 2>&1 </dev/null; then
			"$tool" print "$file" >"$min" 2>/dev/null || cp "$file" "$min"
		fi
		got=$(review_replay "$REVIEW_BASE_TOOL" "$min")
		R_MIN[$cls]=$min R_BASE[$cls]=$got
		if [ "${got%% known=*}" = "$cls" ]; then
			known=""
			[[ $got != *" known="* ]] || known=$(known_bug_line "$REVIEW_BASE_TOOL" "$min")
			R_KNOWN[$cls]=$known
			REVIEW_OLD+=("$cls")
			continue
		fi
		REVIEW_NEW+=("$cls")
		say "new: $cls ($prog, found by ${FOUND_STEP[$cls]}); the base: $got; finding the patch"
		k=$(review_blame "$cls" "$min" "$prog") || exit $?
		R_PATCH[$cls]=$k
		tool=$(review_tool_for "$prog" "$k") || exit $?
		report=$(ASAN_OPTIONS=detect_leaks=0 "$tool" repro -- "$min" 2>/dev/null) || true
		side=kernel
		[ "$prog" = ref ] || side=patched
		trace=$(report_trace_lines "$side" <<<"$report")
		line=$(review_blame_line "$k" "$trace")
		R_HOW[$cls]=${line#* }
		line=${line%% *}
		R_LINE[$cls]=$line
		R_TEXT[$cls]=""
		[ -z "$line" ] || R_TEXT[$cls]=$(sed -n "${line}p" "${REVIEW_TREE[$k]}/mm/rmap.c")
		R_TREE[$cls]=${REVIEW_TREE[$k]}
		R_DETAIL[$cls]=$(sed -n '2{s/^   //;p}' <<<"$report")
		R_SCN[$cls]=$(report_section scenario <<<"$report")
		R_DIFF[$cls]=$(report_differs <<<"$report")
		if [ "$prog" = ref ]; then
			R_REPLAY[$cls]="./unmapfuzz repro --kernel-tree $(review_rel "${REVIEW_TREE[$REVIEW_N]}") $(review_rel "$min")"
		else
			R_REPLAY[$cls]="./unmapfuzz repro --build $(review_rel "$ROOT/build/dev/kernel/$REVIEW_PAIR_KEY") $(review_rel "$min")"
		fi
	done < <(printf '%s\n' "${!FOUND_FILE[@]}" | sort)
}

# What ran, in one line.
review_counts() {
	echo "$REVIEW_EXECS executions, $REVIEW_EXHAUSTED exhaustive scenarios, ${#REVIEW_SCNS[@]} seeds and regressions"
}

# The reply: plain text a reviewer can paste under the series on the list.
review_reply() { # SECONDS
	local cls k n=0 against="against the per-PTE reference and against the base's own code"
	[ -z "${OPT[--pair-only]}" ] || against="against the base's own try_to_unmap_one() only"
	echo
	echo "---- review (paste below the series) ----"
	echo "Subject: Re: $REVIEW_TITLE"
	echo
	echo "Hi,"
	echo
	echo "unmapfuzz ran the try_to_unmap_one() of this series"
	echo "$against."
	if [ ${#REVIEW_NEW[@]} -eq 0 ]; then
		echo "no new failures: $(review_counts)."
	else
		echo "It breaks what the base ($REVIEW_BASE_VERSION) does not: ${#REVIEW_NEW[@]} new failure class(es)."
	fi
	for cls in "${REVIEW_NEW[@]}"; do
		n=$((n + 1))
		k=${R_PATCH[$cls]}
		echo
		echo "$n. $cls, introduced by patch $k/$REVIEW_N:"
		echo "   ${REVIEW_SUBJECT[$k]}"
		echo
		if [ -n "${R_LINE[$cls]}" ]; then
			local where="mm/rmap.c:${R_LINE[$cls]}"
			[ "$k" -eq "$REVIEW_N" ] || where+=" (with patches 1-$k applied)"
			[ "${R_HOW[$cls]}" = add ] || where+=", where the patch removes the lines above it"
			echo "> $where"
			printf '> %s\n' "${R_TEXT[$cls]}"
			echo
		fi
		echo "   ${R_DETAIL[$cls]}"
		echo "   Found by: ${FOUND_BY[$cls]}."
		echo
		echo "   The minimised scenario:"
		sed 's/^/     /' <<<"${R_SCN[$cls]}"
		if [ -n "${R_DIFF[$cls]}" ]; then
			echo "   What differs after try_to_unmap():"
			sed 's/^/     /' <<<"${R_DIFF[$cls]}"
		fi
		if [ "${R_BASE[$cls]}" = OK ]; then
			echo "   The base passes it. Replay:"
		else
			echo "   On the base it ends as ${R_BASE[$cls]} instead. Replay:"
		fi
		echo "     ${R_REPLAY[$cls]}"
		echo "     ./unmapfuzz repro ${REVIEW_BASE_OPTS/"$REVIEW_BASE"/$(review_rel "$REVIEW_BASE")} $(review_rel "${R_MIN[$cls]}")   # the base"
	done
	if [ ${#REVIEW_OLD[@]} -gt 0 ]; then
		echo
		echo "Already in the base, not introduced by the series:"
		for cls in "${REVIEW_OLD[@]}"; do
			echo "  $cls${R_KNOWN[$cls]:+ (known bug ${R_KNOWN[$cls]})}"
		done
	fi
	if [ ${#REVIEW_NEW[@]} -gt 0 ]; then
		echo
		echo "Checked: $(review_counts)."
	fi
	echo
	echo "-- "
	echo "unmapfuzz review, $1 s"
	echo "---- end of review ----"
}

# The review as a JSON document (REVIEW_SCHEMA).
review_json() { # SECONDS
	local cls k first=1 i
	printf '{\n  "schema": %d,\n  "tool": "unmapfuzz review",\n' "$REVIEW_SCHEMA"
	printf '  "base": {"tree": %s, "version": %s, "options": %s},\n' "$(json_str "$REVIEW_BASE")" \
		"$(json_str "$REVIEW_BASE_VERSION")" "$(json_str "$REVIEW_BASE_OPTS")"
	printf '  "title": %s,\n  "patches": [' "$(json_str "$REVIEW_TITLE")"
	for ((k = 1; k <= REVIEW_N; k++)); do
		[ "$k" -eq 1 ] || printf ','
		printf '\n    {"index": %d, "subject": %s, "touches_rmap": %s, "files_not_read": [' "$k" \
			"$(json_str "${REVIEW_SUBJECT[$k]}")" "$([ "${REVIEW_TOUCHES[$k]}" = 1 ] && echo true || echo false)"
		i=0
		for f in ${REVIEW_OTHER[$k]}; do
			[ "$i" -eq 0 ] || printf ', '
			json_str "$f"
			i=1
		done
		printf '], "tree": %s}' "$(json_str "${REVIEW_TREE[$k]}")"
	done
	printf '\n  ],\n  "programs": [%s],\n' "$([ -n "${OPT[--pair-only]}" ] && echo '"base against patched"' || echo '"patched against the reference", "base against patched"')"
	printf '  "ran": {"executions": %d, "exhaustive_scenarios": %d, "seeds": %d, "exhaust_bound": %s, "seconds": %d},\n' \
		"$REVIEW_EXECS" "$REVIEW_EXHAUSTED" "${#REVIEW_SCNS[@]}" "$(json_str "${REVIEW_EXHAUST[*]:-default}")" "$1"
	printf '  "new_failures": ['
	for cls in "${REVIEW_NEW[@]}"; do
		[ "$first" = 1 ] || printf ','
		first=0
		k=${R_PATCH[$cls]}
		printf '\n    {"class": %s, "found_by": %s, "program": %s, "patch": %d, "subject": %s,' \
			"$(json_str "$cls")" "$(json_str "${FOUND_STEP[$cls]}")" "$(json_str "${FOUND_PROG[$cls]}")" "$k" \
			"$(json_str "${REVIEW_SUBJECT[$k]}")"
		printf '\n     "file": "mm/rmap.c", "line": %s, "line_is": %s, "line_text": %s, "tree": %s,' \
			"${R_LINE[$cls]:-null}" "$(json_str "${R_HOW[$cls]:-}")" "$(json_str "${R_TEXT[$cls]}")" "$(json_str "${R_TREE[$cls]}")"
		printf '\n     "what": %s, "scenario": %s, "differs": %s, "base_verdict": %s,' \
			"$(json_str "${R_DETAIL[$cls]}")" "$(json_str "${R_SCN[$cls]}")" "$(json_str "${R_DIFF[$cls]}")" \
			"$(json_str "${R_BASE[$cls]}")"
		printf '\n     "found_by_all": %s, "reproducer": %s, "replay": %s}' "$(json_str "${FOUND_BY[$cls]}")" \
			"$(json_str "${R_MIN[$cls]}")" "$(json_str "${R_REPLAY[$cls]}")"
	done
	printf '\n  ],\n  "already_in_base": ['
	first=1
	for cls in "${REVIEW_OLD[@]}"; do
		[ "$first" = 1 ] || printf ','
		first=0
		printf '\n    {"class": %s, "known_bug": %s, "reproducer": %s}' "$(json_str "$cls")" \
			"$(json_str "${R_KNOWN[$cls]}")" "$(json_str "${R_MIN[$cls]}")"
	done
	printf '\n  ],\n  "verdict": %s\n}\n' "$([ ${#REVIEW_NEW[@]} -eq 0 ] && echo '"no new failures"' || echo '"new failures"')"
}
