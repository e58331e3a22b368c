#!/usr/bin/env bash
# Kernel trees through the driver, without building a variant:
#  - the variant key covers the cut, the learned helpers, every shim header,
#    glue.c, kshim_abi.h, bridge.cc and the user's --kernel-shim file, and
#    nothing else (the same inputs give the same key);
#  - --kernel-deb takes an optional VERSION (N.N) and never a file operand;
#  - --kernel-deb VERSION fetches linux-source-VERSION from a Debian archive
#    through a private apt configuration under $WORK (here a local archive
#    written by the test, UNMAPFUZZ_DEBIAN_MIRROR), unpacks only what the cut
#    needs, once; a version no suite has is rc 2 with one clear line; a tree
#    that cannot be cut is rc 125.
#   trees_cli.sh SOURCE_DIR SCRATCH_DIR
set -uo pipefail
src=$1 scratch=$2
rm -rf "$scratch" && mkdir -p "$scratch"
export UNMAPFUZZ_WORK=$scratch/work
fails=0
fail() { echo "FAILED: $*"; fails=$((fails + 1)); }

# --- the variant key -----------------------------------------------------------
root=$scratch/root
mkdir -p "$root" && cp -r "$src/kernel" "$root/kernel" || exit 1
printf 'int cut;\n' >"$scratch/cut.c"
printf '/* learned */\n' >"$scratch/learned.h"
printf '#define mine 1\n' >"$scratch/mine.h"
key() { # [USER_SHIM]
	(
		# shellcheck source=/dev/null
		source "$src/unmapfuzz"
		ROOT=$root
		# shellcheck source=/dev/null
		source "$src/tools/lib_kernel.sh"
		kernel_key "$scratch/cut.c" "$scratch/learned.h" "${1:-}" "K4 reference"
	)
}
k0=$(key)
[[ $k0 =~ ^[0-9a-f]{12}$ ]] || fail "no key: '$k0'"
[ "$(key)" = "$k0" ] || fail "the same inputs gave another key"
for f in shim/kshim/custom.h shim/kshim/dup.h shim/kshim/stubs.h shim/kshim.h shim/glue.c kshim_abi.h bridge.cc; do
	cp "$root/kernel/$f" "$scratch/saved"
	printf '\n/* changed */\n' >>"$root/kernel/$f"
	[ "$(key)" != "$k0" ] || fail "a change to kernel/$f keeps the variant key"
	cp "$scratch/saved" "$root/kernel/$f"
done
[ "$(key)" = "$k0" ] || fail "the key did not come back with the files"
printf '/* more */\n' >>"$scratch/learned.h"
[ "$(key)" != "$k0" ] || fail "a change to the learned helpers keeps the variant key"
k1=$(key "$scratch/mine.h")
[ "$k1" != "$(key)" ] || fail "--kernel-shim keeps the variant key"
printf '#define mine 2\n' >"$scratch/mine.h"
[ "$(key "$scratch/mine.h")" != "$k1" ] || fail "a change to the --kernel-shim file keeps the variant key"

# --- --kernel-deb [VERSION] parsing --------------------------------------------
parse() { # ARGS...: "VALUE|OPERANDS" of --kernel-deb
	(
		# shellcheck source=/dev/null
		source "$src/unmapfuzz"
		parse_args repro "$@" && echo "${OPT[--kernel-deb]}|${ARGS[*]}"
	) 2>&1
}
[ "$(parse --kernel-deb s.scn)" = "6.12|s.scn" ] || fail "--kernel-deb FILE: $(parse --kernel-deb s.scn)"
[ "$(parse --kernel-deb 7.3 s.scn)" = "7.3|s.scn" ] || fail "--kernel-deb 7.3 FILE: $(parse --kernel-deb 7.3 s.scn)"
[ "$(parse --kernel-deb=6.1 s.scn)" = "6.1|s.scn" ] || fail "--kernel-deb=6.1: $(parse --kernel-deb=6.1 s.scn)"
[ "$(parse s.scn --kernel-deb)" = "6.12|s.scn" ] || fail "a bare --kernel-deb last: $(parse s.scn --kernel-deb)"
[ "$(parse s.scn)" = "|s.scn" ] || fail "no --kernel-deb: $(parse s.scn)"
out=$(parse --kernel-deb=seven s.scn)
grep -q "takes a version like 7.3, got 'seven'" <<<"$out" || fail "--kernel-deb=seven: $out"
grep -q -- "--kernel-deb \[VERSION\]" <(cd "$src" && ./unmapfuzz repro --help) || fail "repro --help does not show --kernel-deb [VERSION]"

# --- --kernel-deb VERSION from an archive ----------------------------------------
# A local archive with every suite --kernel-deb looks in; sid has a
# linux-source-9.98 whose rmap.c has no try_to_unmap_one().
mirror=$scratch/mirror pkgroot=$scratch/pkg
mkdir -p "$pkgroot/src/linux-source-9.98/mm" "$pkgroot/src/linux-source-9.98/include/linux" \
	"$pkgroot/src/linux-source-9.98/fs" "$pkgroot/deb/DEBIAN" "$pkgroot/deb/usr/src" "$mirror/pool"
printf 'VERSION = 9\nPATCHLEVEL = 98\nSUBLEVEL = 0\n' >"$pkgroot/src/linux-source-9.98/Makefile"
printf 'static int f(void)\n{\n\treturn 0;\n}\n' >"$pkgroot/src/linux-source-9.98/mm/rmap.c"
printf '#define X 1\n' >"$pkgroot/src/linux-source-9.98/include/linux/x.h"
printf 'int fs;\n' >"$pkgroot/src/linux-source-9.98/fs/x.c"
for d in include/asm-generic arch/x86/include/asm; do
	mkdir -p "$pkgroot/src/linux-source-9.98/$d" && printf '#define Y 1\n' >"$pkgroot/src/linux-source-9.98/$d/y.h"
done
tar -cJf "$pkgroot/deb/usr/src/linux-source-9.98.tar.xz" -C "$pkgroot/src" linux-source-9.98
printf 'Package: linux-source-9.98\nVersion: 9.98.1-1\nArchitecture: all\nMaintainer: unmapfuzz tests <t@example.org>\nDescription: a synthetic kernel source package\n' \
	>"$pkgroot/deb/DEBIAN/control"
dpkg-deb -Zxz --build "$pkgroot/deb" "$mirror/pool/linux-source-9.98_9.98.1-1_all.deb" >/dev/null || exit 1
for suite in bookworm trixie trixie-backports sid; do
	d=$mirror/dists/$suite/main/binary-amd64
	mkdir -p "$d"
	if [ $suite = sid ]; then (cd "$mirror" && dpkg-scanpackages pool /dev/null 2>/dev/null) >"$d/Packages"; else : >"$d/Packages"; fi
	{
		printf 'Suite: %s\nCodename: %s\nArchitectures: amd64\nComponents: main\nDate: Thu, 01 Jan 2026 00:00:00 UTC\nSHA256:\n' $suite $suite
		printf ' %s %s main/binary-amd64/Packages\n' "$(sha256sum <"$d/Packages" | cut -d' ' -f1)" "$(stat -c %s "$d/Packages")"
	} >"$mirror/dists/$suite/Release"
done
export UNMAPFUZZ_DEBIAN_MIRROR=file:$mirror
uf() { (cd "$src" && ./unmapfuzz "$@"); }
out=$(uf repro --kernel-deb 9.99 corpus/seeds/s03_lazyfree_extra_refs.scn 2>&1)
rc=$?
[ $rc -eq 2 ] || fail "--kernel-deb 9.99 exited $rc, not 2: $out"
grep -q "^unmapfuzz repro: --kernel-deb 9.99: no Debian suite (bookworm trixie trixie-backports sid) has linux-source-9.99" <<<"$out" ||
	fail "--kernel-deb 9.99: no clear line: $out"
out=$(uf repro --kernel-deb 9.98 corpus/seeds/s03_lazyfree_extra_refs.scn 2>&1)
rc=$?
[ $rc -eq 125 ] || fail "--kernel-deb 9.98 (no try_to_unmap_one) exited $rc, not 125: $out"
grep -q "downloading linux-source-9.98" <<<"$out" || fail "no download said: $out"
tree=$UNMAPFUZZ_WORK/kernel/debian/9.98.1-1/linux-source-9.98
grep -q "$tree/mm/rmap.c has no try_to_unmap_one()" <<<"$out" || fail "not the unpacked tree: $out"
[ -f "$tree/include/linux/x.h" ] || fail "include/linux not unpacked"
[ ! -e "$tree/fs" ] || fail "more than the cut needs unpacked (fs/)"
grep -q "sid main" "$UNMAPFUZZ_WORK/kernel/debian/apt/sources.list" || fail "no private sources list"
out=$(uf repro --kernel-deb 9.98 corpus/seeds/s03_lazyfree_extra_refs.scn 2>&1)
grep -q "downloading\|unpacking" <<<"$out" && fail "downloaded or unpacked twice: $out"
echo "trees cli: $fails failure(s)"
[ $fails -eq 0 ]
