# usage: ./unmapfuzz review [OPTIONS] PATCH...
# about: review a patch series to mm/rmap.c before it lands: what it breaks that its base did not, and which patch
# option: --kernel-tree DIR - the base: the kernel tree the series applies to (never modified)
# option: --kernel-deb - the base: Debian's linux-source-6.12 (installed with apt-get when missing)
# option: --kernel-semantics K0|K1|K2|K2b|K2c|K3|K4|K5 - the reference's semantics level (default: each tree's, from its Makefile version)
# option: --time S[1-] 120 seconds of fuzzing, shared by the two programs
# option: --jobs N[1-] @nproc libFuzzer -fork jobs
# option: --quick - a bounded exhaust (order 0, no events, no mid-folio layout) on the dev build, for tests
# option: --pair-only - compare the base's code with the patched code only: no run against the reference
# option: --apply-only - split and apply the series, list its patches, and stop (exit 0 when it applies)
# option: --json FILE - also write the review as a JSON document (schema 1) to FILE
# operands: 1 -
# status: the series introduces a failure the base does not have (each blamed on a patch)
#
# PATCH is an mbox of the series (a "From <id> <date>" line starts each
# mail), git format-patch files, bare diffs, or a directory of any of them.
# Mails without a diff (the cover letter) are left out; when every subject
# numbers its patch ([PATCH n/m]) that order is used, else the order given.
#
# The series is applied, patch by patch, to copies of what the cut reads of
# the base (mm/rmap.c and the Makefile, in $WORK/review/trees), with git
# apply (exact context) or else patch -F0 (no fuzz); a patch that does not
# apply stops the review with its subject and the first hunk that failed
# (exit 2). Files of a patch the cut never reads are listed and left out.
#
# Two programs run the patched try_to_unmap_one(): against the per-PTE
# reference, and against the base tree's own try_to_unmap_one(), both real
# code in one binary (kernel/pair_variant.cmake), judged by the same
# allowed-difference rules. Each gets the seeds and regressions (check), the
# small-scope exhaustive mode at its default bound (release build; --quick:
# a bounded one on the dev build) and half of --time of libFuzzer. Every
# failure class found is minimised and replayed on the base: a class the
# base has too is "already in the base", said once; each other class is
# new, and bisecting the series (building the trees with patches 1..k)
# finds the first patch that brings it and the line of mm/rmap.c it added
# nearest to what the failure's trace names.
#
# The end is a reply in the style of a list review, ready to paste: per new
# failure the patch and line, what goes wrong, the minimised scenario, the
# slots that differ and the commands that replay it; or "no new failures"
# with what ran. Exit 125: the base or a patched tree cannot be cut or built.

# shellcheck source=tools/lib_fuzzing.sh
source "$ROOT/tools/lib_fuzzing.sh"
# shellcheck source=tools/lib_review.sh
source "$ROOT/tools/lib_review.sh"

cmd_review() {
	local t0=$SECONDS base base_opts
	[ -n "${OPT[--kernel-tree]}" ] || [ -n "${OPT[--kernel-deb]}" ] ||
		die "the base is missing: --kernel-tree BASE (the tree the series applies to) or --kernel-deb"
	[ -z "${OPT[--kernel-tree]}" ] || [ -z "${OPT[--kernel-deb]}" ] ||
		die "--kernel-tree and --kernel-deb exclude each other"
	if [ -n "${OPT[--json]}" ]; then
		: 2>/dev/null >>"${OPT[--json]}" || die "--json: cannot write ${OPT[--json]}"
	fi
	local arg
	for arg in "${ARGS[@]}"; do
		[ -d "$arg" ] || { [ -f "$arg" ] && [ -r "$arg" ]; } || die "cannot read the patch $arg"
	done
	ensure_work
	if [ -n "${OPT[--kernel-deb]}" ]; then
		base=$(kernel_deb_tree) || exit 2
		base_opts="--kernel-deb"
	else
		[ -d "${OPT[--kernel-tree]}" ] || die "--kernel-tree: ${OPT[--kernel-tree]} is not a directory"
		base=$(cd "${OPT[--kernel-tree]}" && pwd -P)
		base_opts="--kernel-tree $base"
	fi
	kernel_tree_check "$base"
	[ -z "${OPT[--kernel-semantics]}" ] || base_opts+=" --kernel-semantics ${OPT[--kernel-semantics]}"
	REVIEW_BASE=$base REVIEW_BASE_OPTS=$base_opts REVIEW_BASE_VERSION=$KERNEL_VERSION

	# The review's own directory: named by the base and the series.
	local id
	id=$({
		echo "$base"
		for arg in "${ARGS[@]}"; do
			if [ -d "$arg" ]; then find "$arg" -maxdepth 1 -type f ! -name '.*' | LC_ALL=C sort | xargs cat; else cat "$arg" 2>/dev/null; fi
		done
	} | sha256sum | cut -c1-12)
	REVIEW_DIR=$WORK/review/$id
	mkdir -p "$REVIEW_DIR" || die "cannot create $REVIEW_DIR"
	: >"$REVIEW_DIR/build.log"

	review_split "${ARGS[@]}"
	echo "unmapfuzz review: $REVIEW_N patch(es) against $(review_rel "$base") ($REVIEW_BASE_VERSION): $REVIEW_TITLE"
	review_apply "$base"
	local k
	for ((k = 1; k <= REVIEW_N; k++)); do
		echo "  [$k/$REVIEW_N] ${REVIEW_SUBJECT[$k]}$([ "${REVIEW_TOUCHES[$k]}" = 1 ] || echo " (leaves mm/rmap.c alone)")"
		[ -z "${REVIEW_OTHER[$k]}" ] || echo "        touches files the cut never reads: ${REVIEW_OTHER[$k]}"
	done

	[ -z "${OPT[--apply-only]}" ] || return 0

	# The programs.
	say "building the base's, the patched tree's and the base-against-patched programs (log: $(review_rel "$REVIEW_DIR/build.log"))"
	local v
	build dev kernel-extract unmapfuzz-tool seeds
	v=$(review_variant dev "$base" "the base") || exit $?
	REVIEW_BASE_KEY=${v%% *}
	REVIEW_KEY_CACHE[ref 0]=$REVIEW_BASE_KEY
	local ptool qtool semantics version
	local exes="tool fuzz"
	[ -z "${OPT[--pair-only]}" ] || exes=tool
	v=$(review_variant dev "${REVIEW_TREE[$REVIEW_N]}" "the patched tree" "$exes") || exit $?
	REVIEW_PATCHED_KEY=${v%% *}
	read -r _ semantics version <<<"$v"
	REVIEW_KEY_CACHE[ref $REVIEW_N]=$REVIEW_PATCHED_KEY
	ptool=$ROOT/build/dev/kernel/$REVIEW_PATCHED_KEY/unmapfuzz-tool
	REVIEW_PAIR_KEY=$(review_pair dev "$REVIEW_BASE_KEY" "$REVIEW_PATCHED_KEY" "$semantics" "$version" "tool fuzz") || exit $?
	REVIEW_KEY_CACHE[pair $REVIEW_N]=$REVIEW_PAIR_KEY
	qtool=$ROOT/build/dev/kernel/$REVIEW_PAIR_KEY/unmapfuzz-tool
	REVIEW_BASE_TOOL=$ROOT/build/dev/kernel/$REVIEW_BASE_KEY/unmapfuzz-tool

	local progs=(ref pair)
	[ -z "${OPT[--pair-only]}" ] || progs=(pair)
	declare -A tool_of=([ref]=$ptool [pair]=$qtool)
	declare -A dir_of=([ref]=${ptool%/*} [pair]=${qtool%/*})
	declare -A name_of=([ref]="patched against the reference" [pair]="base against patched")

	# The search.
	REVIEW_SCNS=()
	local f
	for f in "$ROOT"/corpus/seeds/*.scn "$ROOT"/corpus/regression/*.scn; do [ -f "$f" ] && REVIEW_SCNS+=("$f"); done
	REVIEW_EXECS=0 REVIEW_EXHAUSTED=0
	local p
	for p in "${progs[@]}"; do
		say "check (${name_of[$p]}): ${#REVIEW_SCNS[@]} seeds and regressions"
		review_check "$p" "${tool_of[$p]}"
	done
	local etool
	if [ -n "${OPT[--quick]}" ]; then
		REVIEW_EXHAUST=(--max-order 0 --max-vmas 2 --max-events 0 --mid-folio 0)
	else
		REVIEW_EXHAUST=()
		say "building the release programs for the exhaustive mode"
		build release unmapfuzz-tool
	fi
	for p in "${progs[@]}"; do
		etool=${tool_of[$p]}
		if [ -z "${OPT[--quick]}" ]; then
			local rk
			rk=$(review_variant release "${REVIEW_TREE[$REVIEW_N]}" "the patched tree") || exit $?
			rk=${rk%% *}
			[ "$p" = ref ] || rk=$(review_pair release "$REVIEW_BASE_KEY" "$REVIEW_PATCHED_KEY" "$semantics" "$version") || exit $?
			etool=$ROOT/build/release/kernel/$rk/unmapfuzz-tool
		fi
		say "exhaust (${name_of[$p]})${REVIEW_EXHAUST[*]:+: ${REVIEW_EXHAUST[*]}}"
		review_exhaust "$p" "$etool"
	done
	local secs=$((OPT[--time] / ${#progs[@]}))
	[ "$secs" -ge 1 ] || secs=1
	for p in "${progs[@]}"; do
		say "fuzz (${name_of[$p]}): ${secs} s on ${OPT[--jobs]} job(s)"
		review_fuzz "$p" "${dir_of[$p]}" "$secs"
	done

	review_judge
	review_reply "$((SECONDS - t0))" | tee "$REVIEW_DIR/review.txt"
	[ -z "${OPT[--json]}" ] || review_json "$((SECONDS - t0))" >"${OPT[--json]}" || die "cannot write ${OPT[--json]}"
	[ "${#REVIEW_NEW[@]}" -eq 0 ] || return 1
	return 0
}
