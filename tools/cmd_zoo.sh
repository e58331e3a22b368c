# usage: ./unmapfuzz zoo [NAME...] [-- CTEST_ARGS...]
# about: prove the harness finds every bug-zoo entry (or the NAMEs given), with a table of what each run found
# option: --json FILE - also write the table to FILE as one JSON document (docs/command-line.md)
# options: kernel
# operands: 0 -
# passthrough: ctest
# status: an entry was not found as its patch expects
#
# Runs the ctests labelled zoo (tests/bugzoo/zoo_entry.sh): each entry's
# patch is applied to a copy of the tree, its regression must pass clean and
# fail patched, and two bounded libFuzzer runs (-seed=1, from all the seeds
# and from the seeds that do not trigger it) must find a class the patch
# expects. An entry whose patch does not apply to your batched/rmap.cc (or
# reference/rmap.cc) is skipped and listed as "not applicable to this tree".

#
# With --kernel-tree DIR (or --kernel-deb) the kernel bug zoo runs instead:
# each tests/kernel/zoo/NAME.patch (a one-line historical bug, written
# against the project's own v7.1 fixture) is applied with `patch -F3` to a
# copy of DIR's mm/rmap.c; where it applies, the planted copy is cut out and
# built like any tree, and tests/kernel/kzoo_check.sh checks that the
# harness finds the bug in it and names it. An entry that does not apply to
# the tree (another kernel version, a port of one's own) or whose reproducer
# the tree already fails is "not applicable to this tree", not a failure.

# shellcheck source=tools/lib_ctest.sh
source "$ROOT/tools/lib_ctest.sh"
# shellcheck source=tools/lib_kernel.sh
source "$ROOT/tools/lib_kernel.sh"

# The kernel bug zoo on a user's tree (see the header).
zoo_kernel() { # [NAME...]
	build dev seeds
	kernel_setup dev
	local tree=$KERNEL_TREE clean home=$KERNEL_HOME opts=$KERNEL_OPTS patch name planted rc=0 erc
	lock_dir "$home" zoo
	clean=$(kernel_dir dev)/unmapfuzz-tool
	local rows=() pick=" $* "
	json_add table entries
	for patch in "$ROOT"/tests/kernel/zoo/*.patch; do
		name=$(basename "$patch" .patch)
		[ $# -eq 0 ] || [[ $pick == *" $name "* ]] || continue
		planted=$home/zoo/$name/tree
		rm -rf "$planted" && mkdir -p "$planted/mm" || die "cannot write $planted"
		cp "$tree/mm/rmap.c" "$planted/mm/rmap.c" && cp "$tree/Makefile" "$planted/Makefile" ||
			die "cannot copy $tree"
		# The headers the shim learns pure helpers from (docs/kernel-trees.md).
		kernel_link_headers "$tree" "$planted"
		if ! patch --batch --forward --quiet -F3 -p1 -d "$planted" -i "$patch" >"$home/zoo/$name/patch.log" 2>&1; then
			rows+=("$name|-|not applicable to this tree (the patch does not apply)")
			continue
		fi
		OPT[--kernel-tree]=$planted OPT[--kernel-deb]=""
		kernel_setup dev 2>"$home/zoo/$name/setup.log"
		erc=0
		"$ROOT/tests/kernel/kzoo_check.sh" "$patch" "$clean" "$(kernel_dir dev)" "$ROOT/build/dev/seeds-bin" \
			"$home/zoo/$name/work" "$home/zoo/$name/row" "$ROOT" 2>&1 | tee "$home/zoo/$name/check.log" || erc=${PIPESTATUS[0]}
		case $erc in
		0) rows+=("$(cat "$home/zoo/$name/row")") ;;
		77) rows+=("$name|-|not applicable to this tree ($(sed -n 's/.*not applicable to this tree: //p' "$home/zoo/$name/check.log" | head -1))") ;;
		*) rows+=("$name|-|FAILED (see above)"); rc=1 ;;
		esac
	done
	echo
	echo "kernel bug zoo on $tree/mm/rmap.c ($opts):"
	printf '%-28s %-4s %-35s %-35s %8s   %-35s %8s\n' entry bug "reproducer fails as" "from all seeds" execs \
		"by mutation" execs
	local r
	for r in "${rows[@]}"; do
		IFS='|' read -r name id got found execs mfound mexecs <<<"$r"
		printf '%-28s %-4s %-35s %-35s %8s   %-35s %8s\n' "$name" "$id" "$got" "${found:--}" \
			"${execs:--}" "${mfound:--}" "${mexecs:--}"
		json_add row entries "entry=$name" "known_bug=${id#-}" "reproducer_fails_as=$got" "found=${found#-}" \
			"executions=${execs#-}" "found_by_mutation=${mfound#-}" "executions_by_mutation=${mexecs#-}"
	done
	json_add count entries ${#rows[@]}
	json_add count failed "$(printf '%s\n' "${rows[@]}" | grep -c '|FAILED' || true)"
	return $rc
}

cmd_zoo() {
	if kernel_mode; then
		zoo_kernel "$@"
		return
	fi
	local name names=() filter=()
	for name in "$@"; do
		[[ $name =~ ^[a-z0-9_]+$ ]] && [ -f "$ROOT/tests/bugzoo/$name.patch" ] ||
			die "no bug-zoo entry '$name'; the entries: $(zoo_names)"
		names+=("$name")
	done
	[ ${#names[@]} -eq 0 ] || filter=(-R "^zoo\.($(
		IFS='|'
		echo "${names[*]}"
	))\$")
	build dev
	local results=$ROOT/build/dev/zoo-results rc=0
	lock_dir "$ROOT/build/dev" zoo
	rm -rf "$results"
	ctest_run "$ROOT/build/logs/zoo.log" -L zoo "${filter[@]}" "${PASS[@]}" || rc=$?
	[ "$rc" -le 1 ] || return "$rc"
	echo
	# Two runs per entry, -seed=1 each: from all the seeds, and by mutation
	# from the seeds that do not trigger the bug (tests/bugzoo/zoo_entry.sh).
	printf '%-30s %-35s %10s %8s   %-35s %10s %8s %7s\n' bug "from all seeds: class" executions seconds \
		"by mutation: class" executions seconds seeds
	local n=0
	json_add table entries
	while IFS='|' read -r name _ found execs secs mfound mexecs msecs mseeds; do
		printf '%-30s %-35s %10s %8s   %-35s %10s %8s %7s\n' "$name" "$found" "$execs" "$secs" \
			"$mfound" "$mexecs" "$msecs" "$mseeds"
		json_add row entries "entry=$name" "found=$found" "executions=$execs" "seconds=$secs" \
			"found_by_mutation=$mfound" "executions_by_mutation=$mexecs" "seconds_by_mutation=$msecs" "seeds=$mseeds"
		n=$((n + 1))
	done < <(cat "$results"/*.row 2>/dev/null | sort)
	json_add count entries "$n"
	return $rc
}
