# Kernel mode (docs/kernel-mode.md): the try_to_unmap_one() of a
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

# The Debian release --kernel-deb takes without a VERSION.
KERNEL_DEB_DEFAULT=6.12
# The Debian suites --kernel-deb VERSION looks in for linux-source-VERSION.
KERNEL_DEB_SUITES="bookworm trixie trixie-backports sid"
# What the cut and the learner read of a tree (kernel/extract/learn.h).
KERNEL_TREE_PARTS=(mm include/linux include/asm-generic arch/x86/include/asm Makefile)

# A kernel tree that cannot be cut or built: one line, exit 125, which
# `git bisect run` takes as "skip this commit".
kernel_fail() { echo "unmapfuzz${CMD:+ $CMD}: $*" >&2; exit 125; }

# True when the command was asked to run kernel code.
kernel_mode() {
	[ -n "${OPT[--kernel-tree]:-}" ] || [ -n "${OPT[--kernel-deb]:-}" ]
}

# apt-get with a private configuration under $WORK/kernel/debian/apt: its
# own sources list (the archive of the machine's Debian sources, every suite
# of KERNEL_DEB_SUITES), lists and cache. The machine's own sources, lists and
# locks are never touched, and no root is needed.
kernel_apt() { # apt-get|apt-cache ARGS...
	local dir=$WORK/kernel/debian/apt tool=$1
	shift
	"$tool" -q -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" -o Debug::NoLocking=1 \
		-o APT::Sandbox::User="$(id -un)" "$@"
}

# Writes the private sources list (once) from the machine's Debian archive
# (UNMAPFUZZ_DEBIAN_MIRROR, a URI, names another archive, taken unsigned).
kernel_apt_setup() {
	local dir=$WORK/kernel/debian/apt uri="" key="" suite
	[ -f "$dir/sources.list" ] && return 0
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" || die "cannot create $dir"
	if [ -n "${UNMAPFUZZ_DEBIAN_MIRROR:-}" ]; then
		for suite in $KERNEL_DEB_SUITES; do
			echo "deb [trusted=yes] $UNMAPFUZZ_DEBIAN_MIRROR $suite main"
		done >"$dir/sources.list" || die "cannot write $dir/sources.list"
		return 0
	fi
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		uri=$(sed -n 's|^URIs: *\([^ ]*/debian\)/*$|\1|p' /etc/apt/sources.list.d/debian.sources | head -1)
		key=$(sed -n 's|^Signed-By: *\(/[^ ]*\)$|\1|p' /etc/apt/sources.list.d/debian.sources | head -1)
	fi
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(sed -n -E 's|^deb +(\[[^]]*\] +)?([^ ]*/debian)/? .*|\2|p' /etc/apt/sources.list | head -1)
	fi
	uri=${uri:-http://deb.debian.org/debian}
	[ -n "$key" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
	for suite in $KERNEL_DEB_SUITES; do
		echo "deb [signed-by=$key] $uri $suite main"
	done >"$dir/sources.list.new" && mv "$dir/sources.list.new" "$dir/sources.list" ||
		die "cannot write $dir/sources.list"
}

# The .deb of linux-source-VERSION, downloaded once into $WORK/kernel/debian
# from whichever suite has it. Prints its path.
kernel_deb_download() { # VERSION
	local v=$1 pkg=linux-source-$1 dir=$WORK/kernel/debian deb
	deb=$(ls "$dir/$pkg"_*_all.deb 2>/dev/null | head -1)
	if [ -n "$deb" ]; then echo "$deb"; return 0; fi
	kernel_apt_setup
	say "looking for $pkg in Debian's $KERNEL_DEB_SUITES (private apt lists in $dir/apt)"
	run kernel_apt apt-get update -qq >"$dir/apt/update.log" 2>&1 ||
		die "--kernel-deb $v: cannot read the Debian archive for $pkg: $(grep -m1 -E '^(E|Err):' "$dir/apt/update.log") (log: $dir/apt/update.log)"
	kernel_apt apt-cache show "$pkg" >/dev/null 2>&1 ||
		die "--kernel-deb $v: no Debian suite ($KERNEL_DEB_SUITES) has $pkg; give a version Debian packages, e.g. 6.1, 6.12, 7.2, 7.3"
	say "downloading $pkg into $dir"
	(cd "$dir" && run kernel_apt apt-get download "$pkg" >"$dir/apt/download.log" 2>&1) ||
		die "--kernel-deb $v: downloading $pkg failed: $(grep -m1 -E '^(E|Err):' "$dir/apt/download.log") (log: $dir/apt/download.log)"
	deb=$(ls "$dir/$pkg"_*_all.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || die "--kernel-deb $v: apt-get download left no $pkg .deb in $dir"
	echo "$deb"
}

# Debian's linux-source-VERSION (default 6.12): the installed package when
# there is one, else downloaded once (kernel_deb_download); what the cut and
# the learner read of it unpacked once per package version. Prints the tree.
kernel_deb_tree() { # VERSION
	local v=${1:-$KERNEL_DEB_DEFAULT} pkg tarball deb="" version cache part members=()
	[[ $v =~ ^[0-9]+\.[0-9]+$ ]] || die "--kernel-deb takes a Debian kernel version like 7.3, got '$v'"
	pkg=linux-source-$v tarball=/usr/src/linux-source-$v.tar.xz
	ensure_work
	if [ -f "$tarball" ]; then
		version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || version=installed
	else
		deb=$(kernel_deb_download "$v") || exit 2
		version=${deb##*/"$pkg"_} version=${version%_all.deb}
	fi
	cache=$WORK/kernel/debian/$version
	if [ ! -f "$cache/$pkg/.unpacked" ]; then
		say "unpacking ${KERNEL_TREE_PARTS[*]} of $pkg $version into $cache"
		scratch_dir "$WORK/kernel/debian"
		for part in "${KERNEL_TREE_PARTS[@]}"; do members+=("$pkg/$part"); done
		if [ -n "$deb" ]; then
			run dpkg-deb -x "$deb" "$SCRATCH_DIR/deb" || die "cannot unpack $deb"
			tarball=$SCRATCH_DIR/deb/usr/src/linux-source-$v.tar.xz
			[ -f "$tarball" ] || die "$deb holds no usr/src/linux-source-$v.tar.xz"
		fi
		run tar -xJf "$tarball" -C "$SCRATCH_DIR" "${members[@]}" ||
			die "cannot unpack ${members[*]} of $tarball"
		touch "$SCRATCH_DIR/$pkg/.unpacked"
		rm -rf "$cache"
		mkdir -p "$cache" && mv "$SCRATCH_DIR/$pkg" "$cache/" || die "cannot write $cache"
	fi
	echo "$cache/$pkg"
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
# rmap.c once, and learning the pure helpers it needs from the tree's
# headers) and sets:
#   KERNEL_TREE   the tree, absolute;  KERNEL_KEY   the variant's key
#   KERNEL_HOME   $WORK/kernel/KEY, the state of its campaigns
#   KERNEL_OPTS   the options that select it again (for the repro lines)
# The variant of PRESET is then in build/PRESET/kernel/KEY. A tree that
# cannot be cut or built exits 125 (kernel_fail).
kernel_setup() { # PRESET...
	[ -z "${OPT[--kernel-tree]:-}" ] || [ -z "${OPT[--kernel-deb]:-}" ] ||
		die "--kernel-tree and --kernel-deb exclude each other"
	local tree semantics against=${OPT[--against]:-reference} why user_shim=""
	if [ -n "${OPT[--kernel-deb]:-}" ]; then
		tree=$(kernel_deb_tree "${OPT[--kernel-deb]}") || exit 2
		KERNEL_OPTS="--kernel-deb ${OPT[--kernel-deb]}"
	else
		[ -d "${OPT[--kernel-tree]}" ] || die "--kernel-tree: ${OPT[--kernel-tree]} is not a directory"
		tree=$(cd "${OPT[--kernel-tree]}" && pwd -P)
		KERNEL_OPTS="--kernel-tree $tree"
	fi
	if [ -n "${OPT[--kernel-shim]:-}" ]; then
		[ -f "${OPT[--kernel-shim]}" ] && [ -r "${OPT[--kernel-shim]}" ] ||
			die "--kernel-shim: ${OPT[--kernel-shim]} is not a readable file"
		user_shim=$(cd "$(dirname "${OPT[--kernel-shim]}")" && pwd -P)/$(basename "${OPT[--kernel-shim]}")
		KERNEL_OPTS+=" --kernel-shim $user_shim"
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
		*":0: no definition of try_to_unmap_one()"*) kernel_fail "$tree/mm/rmap.c has no try_to_unmap_one()" ;;
		*) kernel_fail "cannot cut try_to_unmap_one() out of $err" ;;
		esac
	fi
	# The names the shim lacks, learned from the tree when they are pure.
	local learn=$SCRATCH_DIR/learn copts=() rc=0
	mapfile -t copts <"$ROOT/build/$1/kernel/c-options" || die "build/$1/kernel/c-options is missing"
	[ -z "$user_shim" ] || copts+=(-include "$user_shim")
	run "$ROOT/kernel/learn.sh" "$ROOT/build/$1/kernel/kernel-extract" "$cut" "$tree" "$learn" \
		"$ROOT/kernel/shim" "${copts[@]}" || rc=$?
	[ "$rc" -ne 2 ] || die "learning the tree's pure helpers failed (kernel/learn.sh: usage or I/O error)"
	[ "$rc" -eq 0 ] || kernel_cannot_build "$tree" "$learn" "$learn/syntax.log" "$1"
	if [ -n "${OPT[--kernel-semantics]:-}" ]; then
		semantics=${OPT[--kernel-semantics]} why="--kernel-semantics"
		KERNEL_OPTS+=" --kernel-semantics $semantics"
	else
		# The Makefile's version, raised when the cut's code is newer than
		# it (a series on an older base): "LEVEL reason" (oracle/semantics.h).
		local line
		line=$("$ROOT/build/$1/unmapfuzz-tool" semantics "$KERNEL_MAJOR" "$KERNEL_MINOR" "$cut") ||
			die "no semantics level for $KERNEL_VERSION"
		semantics=${line%% *} why=${line#* }
	fi
	[ "$against" = reference ] || KERNEL_OPTS+=" --against $against"
	KERNEL_SEMANTICS=$semantics
	KERNEL_KEY=$(kernel_key "$cut" "$learn/learned.h" "$user_shim" "$semantics $against")
	KERNEL_HOME=$WORK/kernel/$KERNEL_KEY
	local preset dir includes
	for preset in "$@"; do
		dir=$ROOT/build/$preset/kernel/$KERNEL_KEY
		if [ ! -f "$dir/variant.cmake" ]; then
			mkdir -p "$dir" && cp "$cut" "$dir/rmap.c" && cp "$learn/learned.h" "$dir/learned.h" ||
				die "cannot write $dir"
			includes=" INCLUDE"
			if [ -n "$user_shim" ]; then
				cp "$user_shim" "$dir/user-shim.h" || die "cannot write $dir"
				includes+=' ${CMAKE_CURRENT_LIST_DIR}/user-shim.h'
			fi
			includes+=' ${CMAKE_CURRENT_LIST_DIR}/learned.h'
			# The source and version are only shown in reports: keep them plain.
			printf 'uf_kernel_variant(%s ${CMAKE_CURRENT_LIST_DIR}/rmap.c %s %s "%s" "%s"%s)\n' \
				"$KERNEL_KEY" "$semantics" "$against" "${tree//\"/}/mm/rmap.c" "${KERNEL_VERSION//\"/}" \
				"$includes" >"$dir/variant.cmake.new" && mv "$dir/variant.cmake.new" "$dir/variant.cmake" ||
				die "cannot write $dir/variant.cmake"
			kernel_reconfigure "$preset"
		fi
		build "$preset" kernel-extract # configured, with the variant
		kernel_build "$preset"
	done
	local items learned reads
	items=$(awk '$1 == "function" && $2 != "try_to_unmap_one" && !seen[$2]++ { printf "%s%s", n++ ? ", " : "", $2 }' "$list")
	# Direct reads of the walk's entry the cut makes through ptep_get() (extract.h).
	reads=$(awk '$1 == "ptep_get" { printf "%s%s", n++ ? ", " : "", $2 }' "$list")
	learned=$(awk '$1 == "learned" { printf "%s%s", n++ ? ", " : "", $2 }' "$learn/learned.txt")
	say "kernel mode: $tree/mm/rmap.c ($KERNEL_VERSION), semantics $semantics ($why), against $against;" \
		"cut try_to_unmap_one()${items:+ and $items};${reads:+ *pvmw.pte read through ptep_get() at mm/rmap.c:$reads;}" \
		"learned from the tree: ${learned:-nothing}${user_shim:+; shim additions from $user_shim}; variant $KERNEL_KEY"
}

# The variant's key: the cut, the helpers learned from the tree, the shim
# and the bridge the cut is built against, the user's shim additions and the
# comparison. A new shim, bridge or learned helper is a new variant and a new
# campaign directory ($WORK/kernel/KEY), never a corpus shared across them.
kernel_key() { # CUT LEARNED_H USER_SHIM|"" COMPARISON
	local f
	{
		cat "$1" "$2"
		for f in "$ROOT"/kernel/shim/kshim.h "$ROOT"/kernel/shim/kshim/*.h "$ROOT"/kernel/shim/glue.c \
			"$ROOT"/kernel/kshim_abi.h "$ROOT"/kernel/bridge.cc ${3:+"$3"}; do
			printf '\n--- %s\n' "${f##*/}"
			cat "$f"
		done
		echo "$4"
	} | sha256sum | cut -c1-12
}

# Says why the tree cannot be built and exits 125: each name still missing
# with its first use, where the tree defines it and why it was not learned,
# and the compiler's first error as FILE:LINE: message. The learner's output
# and the compiler's log are kept in build/PRESET/kernel/failed-KEY/.
kernel_cannot_build() { # TREE LEARN_DIR LOG PRESET
	local tree=$1 learn=$2 log=$3 keep name first site why first_error
	keep=$ROOT/build/$4/kernel/failed-$(cat "$learn"/*.txt "$log" 2>/dev/null | sha256sum | cut -c1-12)
	mkdir -p "$keep" && cp "$learn"/* "$keep/" 2>/dev/null
	{
		if [ -s "$learn/missing.txt" ]; then
			echo "unmapfuzz${CMD:+ $CMD}: cannot build $tree/mm/rmap.c: it uses names neither the shim nor the tree's pure helpers provide:"
			while read -r name first; do
				site=$(awk -v n="$name" '($1 == "missing" || $1 == "learned") && $2 == n { print $3; exit }' "$learn/learned.txt")
				why=$(awk -v n="$name" '($1 == "missing" || $1 == "learned") && $2 == n { $1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit }' "$learn/learned.txt")
				if awk -v n="$name" '$1 == "learned" && $2 == n { f = 1 } END { exit !f }' "$learn/learned.txt"; then
					why="learned, but the shim's configuration leaves it out ($why)"
				fi
				[ -n "$site" ] && [ "$site" != - ] || site="nowhere in the tree"
				why=${why//"$tree"\//}
				# The shim takes each signature of a name that changed
				# between releases as __kshim_NAME_NARGS: say which.
				if [[ $name =~ ^__kshim_(.+)_([0-9])$ ]]; then
					name="${BASH_REMATCH[1]} (called with ${BASH_REMATCH[2]} arguments, a form the shim lacks)"
					site="kernel/shim/kshim/ (other forms)" why=""
				fi
				printf '  %s  first at %s; defined at %s%s\n' "$name" "${first#"$tree"/}" "${site#"$tree"/}" "${why:+: $why}"
			done <"$learn/missing.txt"
			echo "Supply them with --kernel-shim FILE.h (docs/kernel-trees.md, \"When a name is missing\"),"
			echo "or map them in kernel/shim/kshim/ (custom.h for a model effect, stubs.h for none)."
		else
			echo "unmapfuzz${CMD:+ $CMD}: cannot build $tree/mm/rmap.c against the shim."
		fi
		first_error=$(grep -m1 -E '^[^ :]+:[0-9]+:([0-9]+:)? (fatal )?error: ' "$log" |
			sed -E 's/^([^ :]+:[0-9]+):([0-9]+:)? (fatal )?error: /\1: /')
		[ -z "$first_error" ] || echo "first compiler error: ${first_error#"$tree"/}"
		echo "compiler output: $keep/$(basename "$log")"
	} >&2
	exit 125
}

# Builds the variant of PRESET (after kernel_setup chose it) with its own
# log, build/PRESET/kernel/KEY/build.log; a failure is reported like a name
# the shim lacks (kernel/check.sh's lines, the first error) and exits 125.
kernel_build() { # PRESET
	local preset=$1 dir log t0=$SECONDS pid rc=0 n=0 said=""
	dir=$(kernel_dir "$preset") log=$dir/build.log
	# KERNEL_PARTS ("tool fuzz"): only those executables (./unmapfuzz review).
	local targets=() part
	for part in ${KERNEL_PARTS:-}; do targets+=("kernel_${KERNEL_KEY}_$part"); done
	[ ${#targets[@]} -gt 0 ] || targets=("kernel_$KERNEL_KEY")
	spawn cmake --build "$ROOT/build/$preset" --target "${targets[@]}" >"$log" 2>&1
	pid=$SPAWNED
	while alive "$pid"; do
		sleep 0.2
		n=$((n + 1))
		if [ "$n" -eq 5 ] && alive "$pid"; then
			say "building kernel variant $KERNEL_KEY in build/$preset (log: $log)"
			said=1
		fi
	done
	wait "$pid" || rc=$?
	forget_child "$pid"
	if [ "$rc" -ne 0 ]; then
		{
			echo "unmapfuzz${CMD:+ $CMD}: building the kernel variant of $KERNEL_TREE/mm/rmap.c failed:"
			grep -E '^(unmapfuzz: the kernel code|  [A-Za-z_0-9]+ \(first at )' "$log" | sed "s|$KERNEL_TREE/||g"
			local first_error
			first_error=$(grep -m1 -E '(^[^ :]+:[0-9]+:([0-9]+:)? (fatal )?error: )|undefined (reference|symbol)' "$log" |
				sed -E 's/^([^ :]+:[0-9]+):([0-9]+:)? (fatal )?error: /\1: /')
			[ -z "$first_error" ] || echo "first error: ${first_error//$KERNEL_TREE\//}"
			echo "build log: $log"
		} >&2
		exit 125
	fi
	[ -z "$said" ] || say "built kernel variant $KERNEL_KEY in build/$preset ($((SECONDS - t0)) s)"
}

# A copy of a tree's mm/rmap.c reads the tree's own headers: links them into
# COPY, so the shim learns the same pure helpers from it.
kernel_link_headers() { # TREE COPY
	local p
	for p in mm/internal.h mm/swap.h include/linux include/asm-generic arch; do
		[ -e "$1/$p" ] || continue
		mkdir -p "$(dirname "$2/$p")" && ln -sfn "$1/$p" "$2/$p" || die "cannot link $1/$p into $2"
	done
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
