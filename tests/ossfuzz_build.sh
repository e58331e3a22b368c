#!/usr/bin/env bash
# Runs oss-fuzz/build.sh the way OSS-Fuzz's libFuzzer + ASan/UBSan build
# does (CC/CXX/CFLAGS/CXXFLAGS/LIB_FUZZING_ENGINE, OUT/SRC/WORK in a
# scratch directory), then checks the outputs: the target exists and runs
# the whole seed corpus cleanly (and really runs it: the target's own
# statistics must count every seed), and the dict, options and seed zip exist.
# ossfuzz_build.sh SOURCE_DIR SCRATCH_DIR
set -uo pipefail
src=$1 scratch=$2
rm -rf "$scratch"
mkdir -p "$scratch/out" "$scratch/src" "$scratch/work" "$scratch/seeds"
ln -s "$src" "$scratch/src/unmapfuzz"
fail() { echo "ossfuzz build: $*"; exit 1; }

flags="-O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
start=$SECONDS
CC=clang CXX=clang++ CFLAGS="$flags" CXXFLAGS="$flags" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
	OUT=$scratch/out SRC=$scratch/src WORK=$scratch/work \
	bash "$src/oss-fuzz/build.sh" >"$scratch/build.log" 2>&1 || { tail -30 "$scratch/build.log"; fail "build.sh failed"; }
echo "build.sh: $((SECONDS - start)) s"

out=$scratch/out
[ -x "$out/unmap_diff" ] || fail "no \$OUT/unmap_diff"
for f in unmap_diff.dict unmap_diff.options unmap_diff_seed_corpus.zip; do
	[ -s "$out/$f" ] || fail "no \$OUT/$f"
done
grep -q '^\[libfuzzer\]' "$out/unmap_diff.options" || fail "unmap_diff.options has no [libfuzzer] section"
# Kernel mode (real kernel code, GPL-2.0) never enters the OSS-Fuzz build.
if nm "$out/unmap_diff" | grep -qE ' kshim_|uf6kernel'; then
	fail "the OSS-Fuzz target links kernel-mode code: $(nm "$out/unmap_diff" | grep -E ' kshim_|uf6kernel' | head -3 | tr '\n' ' ')"
fi

python3 -m zipfile -e "$out/unmap_diff_seed_corpus.zip" "$scratch/seeds" || fail "cannot unzip the seed corpus"
nseeds=$(find "$scratch/seeds" -type f | wc -l)
expected=$(ls "$src"/corpus/seeds/*.scn "$src"/corpus/regression/*.scn | wc -l)
[ "$nseeds" -gt 0 ] || fail "empty seed corpus"
# One seed per scenario file: the committed scenarios are distinct, so no two
# share an encoding (and so a name), and none may be missing.
[ "$nseeds" -eq "$expected" ] || fail "$nseeds seeds for $expected scenario files"
for f in "$scratch/seeds"/*; do
	name=$(basename "$f")
	[ "$name" = "$(sha1sum "$f" | cut -d' ' -f1)" ] || fail "seed $name is not named by its SHA-1"
done

"$out/unmap_diff" -runs=0 -dict="$out/unmap_diff.dict" "$scratch/seeds" >"$scratch/replay.log" 2>&1
rc=$?
[ $rc -eq 0 ] || { grep -E '^unmapfuzz: |ERROR' "$scratch/replay.log" | head; fail "the target failed on the seed corpus (exit $rc)"; }
stats=$(grep '^unmapfuzz-stats:' "$scratch/replay.log" | tail -1)
execs=$(sed -n 's/.* execs=\([0-9]*\).*/\1/p' <<<"$stats")
[ -n "$execs" ] && [ "$execs" -ge "$nseeds" ] || fail "the target ran ${execs:-0} inputs of $nseeds seeds"
echo "ossfuzz build: \$OUT/unmap_diff ran $nseeds seeds cleanly ($stats)"

# The same build.sh with OSS-Fuzz's AFL++ engine contract, where AFL++ is
# installed: afl-clang-fast++ as $CXX and the AFL++ driver as
# $LIB_FUZZING_ENGINE. aflpp_driver exits 0 even when it runs nothing, so
# count the inputs it says it ran. It reports on stdout (block-buffered into
# the pipe) and the target writes its statistics to stderr at exit, so the
# two streams are read apart: merged, the stats line can land inside one of
# the driver's lines, wherever the 4 KiB buffer boundary falls.
command -v afl-clang-fast++ >/dev/null || { echo "ossfuzz build: AFL++ not installed, AFL++ engine not checked"; exit 0; }
mkdir -p "$scratch/afl-out" "$scratch/afl-work"
flags="-O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined"
CC=afl-clang-fast CXX=afl-clang-fast++ CFLAGS="$flags" CXXFLAGS="$flags" \
	LIB_FUZZING_ENGINE=/usr/lib/afl/libAFLDriver.a OUT=$scratch/afl-out SRC=$scratch/src WORK=$scratch/afl-work \
	bash "$src/oss-fuzz/build.sh" >"$scratch/afl-build.log" 2>&1 || { tail -30 "$scratch/afl-build.log"; fail "build.sh failed with AFL++"; }
AFL_NO_UI=1 "$scratch/afl-out/unmap_diff" "$scratch/seeds"/* >"$scratch/afl-replay.out" 2>"$scratch/afl-replay.err"
rc=$?
[ $rc -eq 0 ] || { grep -E '^unmapfuzz: |ERROR' "$scratch/afl-replay.err" | head; fail "the AFL++ target failed on the seed corpus (exit $rc)"; }
ran=$(grep -c '^Execution successful' "$scratch/afl-replay.out")
[ "$ran" -eq "$nseeds" ] || fail "the AFL++ target ran $ran of $nseeds seeds cleanly"
stats=$(grep '^unmapfuzz-stats:' "$scratch/afl-replay.err" | tail -1)
execs=$(sed -n 's/.* execs=\([0-9]*\).*/\1/p' <<<"$stats")
[ -n "$execs" ] && [ "$execs" -ge "$nseeds" ] || fail "the AFL++ target's statistics count ${execs:-0} inputs of $nseeds seeds"
echo "ossfuzz build: AFL++ engine: \$OUT/unmap_diff ran $nseeds seeds cleanly"
