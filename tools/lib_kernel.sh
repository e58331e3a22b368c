# Kernel mode (README: "Fuzzing your own rmap.c"): the try_to_unmap_one() of a
# kernel tree, cut out at build time by kernel-extract and built as a kernel
# variant (kernel/kernel_variant.cmake) in a preset's build directory:
#   build/PRESET/kernel/KEY/{rmap.c,variant.cmake,unmapfuzz-tool,unmap_diff,...}
# The cut is named rmap.c and keeps the tree's line numbers (kernel/extract/),
# so coverage maps onto the tree's own file (llvm-cov -path-equivalence).
# KEY is a hash of the cut text and of the comparison (semantics level,
# against), so an edit to the tree's rmap.c builds a new variant; a
# campaign's state lives in $WORK/kernel/KEY. No kernel text is ever written
# into the source tree. Sourced by lib_fuzzing.sh.
# shellcheck shell=bash

KERNEL_DEB_PACKAGE=linux-source-6.12

# True when the command was asked to run kernel code.
kernel_mode() {
	[ -n "${OPT[--kernel-tree]:-}" ] || [ -n "${OPT[--kernel-deb]:-}" ]
}

# Debian's linux-source-6.12, installed when missing; its mm/rmap.c and top
# Makefile unpacked once (cached by package version). Prints the tree.
kernel_deb_tree() {
	local tarball=/usr/src/$KERNEL_DEB_PACKAGE.tar.xz version cache
	if [ ! -f "$tarball" ]; then
		if [ "$(id -u)" -ne 0 ]; then
			die "--kernel-deb needs Debian's $KERNEL_DEB_PACKAGE: sudo apt-get install -y $KERNEL_DEB_PACKAGE"
		fi
		say "installing $KERNEL_DEB_PACKAGE (about 150 MB)"
		export DEBIAN_FRONTEND=noninteractive
		{ run apt-get update -qq && run apt-get install -y -qq "$KERNEL_DEB_PACKAGE" >/dev/null; } ||
			die "apt-get install $KERNEL_DEB_PACKAGE failed"
		[ -f "$tarball" ] || die "$KERNEL_DEB_PACKAGE is installed but $tarball is missing"
	fi
	version=$(dpkg-query -W -f='${Version}' "$KERNEL_DEB_PACKAGE" 2>/dev/null) || version=unknown
	ensure_work
	cache=$WORK/kernel/debian/$version
	if [ ! -f "$cache/$KERNEL_DEB_PACKAGE/mm/rmap.c" ] || [ ! -f "$cache/$KERNEL_DEB_PACKAGE/Makefile" ]; then
		say "unpacking mm/rmap.c and the Makefile of $KERNEL_DEB_PACKAGE $version into $cache"
		scratch_dir "$WORK/kernel/debian"
		run tar -xJf "$tarball" -C "$SCRATCH_DIR" "$KERNEL_DEB_PACKAGE/mm/rmap.c" "$KERNEL_DEB_PACKAGE/Makefile" ||
			die "cannot unpack $tarball"
		rm -rf "$cache"
		mkdir -p "$cache" && mv "$SCRATCH_DIR/$KERNEL_DEB_PACKAGE" "$cache/" || die "cannot write $cache"
	fi
	echo "$cache/$KERNEL_DEB_PACKAGE"
}

# Reads the tree's Makefile: sets KERNEL_VERSION ("6.12.117"), KERNEL_MAJOR
# and KERNEL_MINOR; dies with one line for a path that is no kernel tree.
kernel_tree_check() { # TREE
	local tree=$1 mk=$1/Makefile v p s e
	[ -f "$tree/mm/rmap.c" ] || die "$tree is not a kernel tree: it has no mm/rmap.c"
	[ -f "$mk" ] || die "$tree is not a kernel tree: it has no top-level Makefile"
	v=$(sed -n 's/^VERSION *= *\([0-9][0-9]*\) *$/\1/p' "$mk" | head -1)
	p=$(sed -n 's/^PATCHLEVEL *= *\([0-9][0-9]*\) *$/\1/p' "$mk" | head -1)
	s=$(sed -n 's/^SUBLEVEL *= *\([0-9][0-9]*\) *$/\1/p' "$mk" | head -1)
	e=$(sed -n 's/^EXTRAVERSION *= *\(.*\)$/\1/p' "$mk" | head -1)
	[ -n "$v" ] && [ -n "$p" ] || die "$tree is not a kernel tree: its Makefile has no VERSION and PATCHLEVEL"
	KERNEL_MAJOR=$v KERNEL_MINOR=$p
	KERNEL_VERSION=$v.$p${s:+.$s}$e
}

# Prepares the kernel variant in every PRESET given (cutting the tree's
# rmap.c once) and sets:
#   KERNEL_TREE   the tree, absolute;  KERNEL_KEY   the variant's key
#   KERNEL_HOME   $WORK/kernel/KEY, the state of its campaigns
#   KERNEL_OPTS   the options that select it again (for the repro lines)
# The variant of PRESET is then in build/PRESET/kernel/KEY.
kernel_setup() { # PRESET...
	[ -z "${OPT[--kernel-tree]:-}" ] || [ -z "${OPT[--kernel-deb]:-}" ] ||
		die "--kernel-tree and --kernel-deb exclude each other"
	local tree semantics against=${OPT[--against]:-reference} why
	if [ -n "${OPT[--kernel-deb]:-}" ]; then
		tree=$(kernel_deb_tree) || exit 2
		KERNEL_OPTS="--kernel-deb"
	else
		[ -d "${OPT[--kernel-tree]}" ] || die "--kernel-tree: ${OPT[--kernel-tree]} is not a directory"
		tree=$(cd "${OPT[--kernel-tree]}" && pwd -P)
		KERNEL_OPTS="--kernel-tree $tree"
	fi
	kernel_tree_check "$tree"
	KERNEL_TREE=$tree
	# The cut: kernel-extract of the first preset, into a scratch file.
	build "$1" kernel-extract unmapfuzz-tool
	scratch_dir "$ROOT/build/$1/kernel"
	local cut=$SCRATCH_DIR/kernel_rmap.c list=$SCRATCH_DIR/items err
	if ! err=$("$ROOT/build/$1/kernel/kernel-extract" --line-path "$tree/mm/rmap.c" \
		"$tree/mm/rmap.c" "$cut" 2>&1 >"$list"); then
		case $err in
		*":0: no definition of try_to_unmap_one()"*) die "$tree/mm/rmap.c has no try_to_unmap_one()" ;;
		*) die "cannot cut try_to_unmap_one() out of $err" ;;
		esac
	fi
	if [ -n "${OPT[--kernel-semantics]:-}" ]; then
		semantics=${OPT[--kernel-semantics]} why="--kernel-semantics"
		KERNEL_OPTS+=" --kernel-semantics $semantics"
	else
		semantics=$("$ROOT/build/$1/unmapfuzz-tool" semantics "$KERNEL_MAJOR" "$KERNEL_MINOR") ||
			die "no semantics level for $KERNEL_VERSION"
		why="the Makefile's $KERNEL_MAJOR.$KERNEL_MINOR; --kernel-semantics to choose"
	fi
	[ "$against" = reference ] || KERNEL_OPTS+=" --against $against"
	KERNEL_KEY=$({ cat "$cut"; echo "$semantics $against"; } | sha256sum | cut -c1-12)
	KERNEL_HOME=$WORK/kernel/$KERNEL_KEY
	local preset dir
	for preset in "$@"; do
		dir=$ROOT/build/$preset/kernel/$KERNEL_KEY
		if [ ! -f "$dir/variant.cmake" ]; then
			mkdir -p "$dir" && cp "$cut" "$dir/rmap.c" || die "cannot write $dir"
			# The source and version are only shown in reports: keep them plain.
			printf 'uf_kernel_variant(%s ${CMAKE_CURRENT_LIST_DIR}/rmap.c %s %s "%s" "%s")\n' \
				"$KERNEL_KEY" "$semantics" "$against" "${tree//\"/}/mm/rmap.c" "${KERNEL_VERSION//\"/}" \
				>"$dir/variant.cmake.new" && mv "$dir/variant.cmake.new" "$dir/variant.cmake" ||
				die "cannot write $dir/variant.cmake"
			kernel_reconfigure "$preset"
		fi
		# KERNEL_PARTS ("tool fuzz"): only those executables (./unmapfuzz review).
		local parts=() part
		for part in ${KERNEL_PARTS:-}; do parts+=("kernel_${KERNEL_KEY}_$part"); done
		build "$preset" "${parts[@]:-kernel_$KERNEL_KEY}"
	done
	local items
	items=$(awk '$1 == "function" && $2 != "try_to_unmap_one" && !seen[$2]++ { printf "%s%s", n++ ? ", " : "", $2 }' "$list")
	say "kernel mode: $tree/mm/rmap.c ($KERNEL_VERSION), semantics $semantics ($why), against $against;" \
		"cut try_to_unmap_one()${items:+ and $items}; variant $KERNEL_KEY"
}

# A preset's configure after a new variant directory: its CMake glob of
# build/PRESET/kernel/*/variant.cmake picks it up.
kernel_reconfigure() { # PRESET
	local preset=$1 log=$ROOT/build/logs/$1.log
	mkdir -p "$ROOT/build/logs"
	if [ -f "$ROOT/build/$preset/CMakeCache.txt" ]; then
		run cmake -S "$ROOT" -B "$ROOT/build/$preset" >>"$log" 2>&1 ||
			die "configuring build/$preset for the kernel variant failed (log: $log)"
	fi
}

# The variant's build directory in PRESET (after kernel_setup).
kernel_dir() { # PRESET
	echo "$ROOT/build/$1/kernel/$KERNEL_KEY"
}
