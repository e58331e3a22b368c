#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for unmapfuzz: builds the
# differential target unmap_diff and its seed corpus, dictionary and options.
#
# Honours the OSS-Fuzz build environment: $CC $CXX $CFLAGS $CXXFLAGS
# $LIB_FUZZING_ENGINE (libFuzzer, AFL++, honggfuzz... never assumed to be
# libFuzzer) $OUT $SRC $WORK. The sources are compiled directly with $CXX
# (no cmake in the base image needed); the source tree is $SRC/unmapfuzz
# (or $UNMAPFUZZ_SRC). Nothing in the source tree is written or deleted
# (coverage builds need the sources).
#
# Writes to $OUT:
#   unmap_diff                    the fuzz target (binary scenario format)
#   unmap_diff_seed_corpus.zip    corpus/seeds and corpus/regression, encoded,
#                                 each file named by the SHA-1 of its content
#   unmap_diff.dict               fuzz/unmap_diff.dict
#   unmap_diff.options            fuzz/unmap_diff.options (max_len, dict); the
#                                 target also ignores inputs over 16 KiB
#                                 itself, for engines that skip .options
#
# Local use (what tests/ossfuzz_build.sh does):
#   CC=clang CXX=clang++ CFLAGS="-O1 -fsanitize=fuzzer-no-link,address,undefined" \
#   CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
#   OUT=/tmp/out SRC=/tmp/src WORK=/tmp/work oss-fuzz/build.sh   # with /tmp/src/unmapfuzz -> the tree

SRC_DIR=${UNMAPFUZZ_SRC:-$SRC/unmapfuzz}
[ -f "$SRC_DIR/fuzz/targets/unmap_diff.cc" ] || { echo "build.sh: no unmapfuzz tree at $SRC_DIR" >&2; exit 1; }
BUILD=$WORK/unmapfuzz-build
rm -rf "$BUILD"
mkdir -p "$BUILD/obj" "$BUILD/seeds" "$OUT"

# The libraries of CMakeLists.txt: mm <- reference, batched <- scenario,
# oracle, report, search <- fuzz, and the default program
# (oracle/program_default.cc). Kernel mode stays out: no kernel/ source and
# no oracle/program_kernel.cc or program_pair.cc, so no kernel code (GPL-2.0)
# is ever in what OSS-Fuzz or ClusterFuzzLite builds. The bug-zoo models
# that name known bugs (oracle/zoo_models.cmake) are a CMake step; here the
# table is empty and only the reference's models name them.
LIB_SOURCES=("$SRC_DIR"/mm/*.cc "$SRC_DIR"/reference/*.cc "$SRC_DIR"/batched/*.cc)
# fuzz/afl_mutator.cc is a library for afl-fuzz to load (./unmapfuzz fuzz
# --engine afl), not part of the target.
for src in "$SRC_DIR"/{scenario,oracle,report,search,fuzz}/*.cc; do
	case ${src##*/} in program_kernel.cc | program_pair.cc | afl_mutator.cc) ;; *) LIB_SOURCES+=("$src") ;; esac
done
sed -e 's/@UF_ZOO_MODEL_DECLS@//' -e 's/@UF_ZOO_MODEL_ROWS@//' "$SRC_DIR/oracle/zoo_models.cc.in" \
	>"$BUILD/zoo_models.cc"
LIB_SOURCES+=("$BUILD/zoo_models.cc")
TOOL_SOURCES=("$SRC_DIR"/tools/*.cc)
STD_FLAGS=(-std=c++20 -I"$SRC_DIR")

# compile FLAGS_VAR OBJDIR SOURCE...: in parallel, one object per source.
compile() {
	local flags=$1 objdir=$2
	shift 2
	mkdir -p "$objdir"
	printf '%s\n' "$@" | xargs -P "$(nproc)" -I{} sh -c \
		'src=$1; obj=$2/$(echo "${src#$3/}" | tr / _).o; exec $4 $5 -c "$src" -o "$obj"' \
		sh {} "$objdir" "$SRC_DIR" "$CXX" "${STD_FLAGS[*]} $flags"
}

echo "build.sh: compiling ${#LIB_SOURCES[@]} sources with $CXX $CXXFLAGS"
compile "$CXXFLAGS" "$BUILD/obj" "${LIB_SOURCES[@]}" \
	"$SRC_DIR/fuzz/targets/unmap_diff.cc" "${TOOL_SOURCES[@]}"
LIB_OBJS=() TOOL_OBJS=()
for src in "${LIB_SOURCES[@]}"; do
	LIB_OBJS+=("$BUILD/obj/$(echo "${src#"$SRC_DIR"/}" | tr / _).o")
done
for src in "${TOOL_SOURCES[@]}"; do
	TOOL_OBJS+=("$BUILD/obj/$(echo "${src#"$SRC_DIR"/}" | tr / _).o")
done

# The target: linked by $CXX with the engine.
# shellcheck disable=SC2086 # flag lists
$CXX $CXXFLAGS "${STD_FLAGS[@]}" "$BUILD/obj/fuzz_targets_unmap_diff.cc.o" "${LIB_OBJS[@]}" \
	$LIB_FUZZING_ENGINE -o "$OUT/unmap_diff"

# The scenario tool, to encode the text seeds: the same objects and $CXX. If
# the instrumented objects cannot link without the engine (an engine whose
# coverage callbacks live in $LIB_FUZZING_ENGINE), build a plain copy.
TOOL=$BUILD/unmapfuzz-tool
# shellcheck disable=SC2086
if ! $CXX $CXXFLAGS "${STD_FLAGS[@]}" "${TOOL_OBJS[@]}" "${LIB_OBJS[@]}" -o "$TOOL" 2>"$BUILD/tool-link.log"; then
	echo "build.sh: the instrumented tool does not link alone; building a plain one"
	compile "-O1" "$BUILD/plain" "${LIB_SOURCES[@]}" "${TOOL_SOURCES[@]}"
	$CXX "${STD_FLAGS[@]}" "$BUILD"/plain/*.o -o "$TOOL"
fi

# Seeds and regressions (both replay clean; the regressions sit next to past
# bugs), encoded and named by SHA-1.
export LLVM_PROFILE_FILE=$BUILD/tool-%p.profraw ASAN_OPTIONS=detect_leaks=0
n=0
for scn in "$SRC_DIR"/corpus/seeds/*.scn "$SRC_DIR"/corpus/regression/*.scn; do
	[ -f "$scn" ] || continue
	"$TOOL" encode "$scn" "$BUILD/seed.bin"
	sha=$(sha1sum "$BUILD/seed.bin" | cut -d' ' -f1)
	mv "$BUILD/seed.bin" "$BUILD/seeds/$sha"
	n=$((n + 1))
done
rm -f "$OUT/unmap_diff_seed_corpus.zip"
if command -v zip >/dev/null; then
	(cd "$BUILD/seeds" && zip -q -j "$OUT/unmap_diff_seed_corpus.zip" ./*)
else
	(cd "$BUILD/seeds" && python3 -m zipfile -c "$OUT/unmap_diff_seed_corpus.zip" ./*)
fi
cp "$SRC_DIR/fuzz/unmap_diff.dict" "$OUT/unmap_diff.dict"
cp "$SRC_DIR/fuzz/unmap_diff.options" "$OUT/unmap_diff.options"
echo "build.sh: $OUT/unmap_diff, $n seeds in unmap_diff_seed_corpus.zip, unmap_diff.dict, unmap_diff.options"
