#!/usr/bin/env bash
# Resource limits, honest output and the JSON summary of ./unmapfuzz:
#   - --jobs above the CPUs is refused without --jobs-force; --time bounds the
#     whole campaign: an engine that ignores its own limit (and SIGTERM) is
#     stopped with everything it started, the summary says "time limit", no
#     process and no scratch directory is left, no shell "Killed" line;
#   - inputs are bounded: /dev/zero, /dev/urandom, a FIFO without a writer,
#     an oversized binary or text file: exit 2 at once, one line;
#   - one writer per work directory (a second campaign, corpus prune during
#     a campaign: exit 2 naming the holder); readers are unaffected;
#   - outputs are checked before the work (minimize -o, --json);
#   - error text: control bytes escaped, long tokens cut, a UTF-8 BOM skipped;
#   - options that do not apply are refused;
#   - triage says what it skipped and replays .scn files with --all;
#   - the campaign's summary: no raw engine line, progress on stderr, the
#     last progress line and the summary count the same files, and the
#     unmapfuzz-tool output run with 2>&1 is whole lines;
#   - --json FILE on fuzz, check, triage, exhaust and zoo parses and holds
#     the counts, classes, reproducers, known bugs and exit status;
#   - a campaign whose failures are all known bugs suggests --ignore-known.
# cli_limits.sh SOURCE_DIR SCRATCH_DIR ZOO_NAME CLASS [SECTION]: SECTION (jobs,
# time, inputs, lock, outputs, errors, options, triage, lines, campaign,
# json, known) runs one part, each a ctest of its own (tests/CMakeLists.txt).
set -uo pipefail
src=$1 scratch=$2 zoo=$3 class=$4 only=${5:-}
rm -rf "$scratch" && mkdir -p "$scratch"
want() { [ -z "$only" ] || [ "$only" = "$1" ]; }
export UNMAPFUZZ_WORK=$scratch/work
uf=$src/unmapfuzz tool=$src/build/dev/unmapfuzz-tool
seed=$src/corpus/seeds/s01_lazyfree_order4_discard.scn
regress=$src/corpus/regression/$zoo.scn
# shellcheck source=tests/lib_expect.sh
source "$src/tests/lib_expect.sh"
has() { # FILE REGEX WHAT
	grep -qE -- "$2" "$1" || fail "$3: no /$2/ in: $(head -c 600 "$1")"
}
# A JSON check: python3 -c "CODE" FILE, the document as d.
json_ok() { # FILE CODE WHAT
	python3 - "$1" "$2" <<'EOF' || fail "$3: $(head -c 800 "$1" 2>/dev/null)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "unmapfuzz-summary" and d["version"] == 1, "format/version"
assert isinstance(d["exit_status"], int) and isinstance(d["counts"], dict), "exit_status/counts"
ok = eval(sys.argv[2])
if not ok:
    sys.exit(1)
EOF
}
applies=0
"$src/tests/bugzoo/zoo_applies.sh" "$zoo" "$src" >/dev/null && applies=1

if want jobs; then
# 1. --jobs is bounded by the CPUs.
expect 2 "$uf" fuzz --jobs $(($(nproc) + 1)) --time 5
has "$scratch/err" "more than the $(nproc) CPU.*--jobs-force" "fuzz --jobs above the CPUs"
expect 2 "$uf" afl --jobs 1000 --time 5
expect 2 "$uf" fuzz --time 1e23
has "$scratch/err" "written in digits, got '1e23'" "--time 1e23"
"$uf" fuzz --help >"$scratch/fuzz-help.txt"
grep -q -- "--jobs-force" "$scratch/fuzz-help.txt" || fail "fuzz --help has no --jobs-force"
grep -q -- "--zoo ZOO .*variant ZOO" "$scratch/fuzz-help.txt" || fail "fuzz --help describes --zoo ZOO as another name"
fi

if want time; then
# 2. --time is a hard limit: an engine that ignores -max_total_time and
#    SIGTERM, and starts a child of its own, is stopped with its child.
fake=$scratch/fake-engine
mark=unmapfuzz-limits-$$
cat >"$fake" <<EOF
#!/usr/bin/env bash
trap '' TERM INT
(exec -a "sleep-$mark" sleep 1000) &
while :; do sleep 1; done
EOF
chmod +x "$fake"
mkdir -p "$scratch/limit-home"
t0=$SECONDS
(
	# shellcheck source=/dev/null
	source "$src/unmapfuzz"
	CMD=fuzz
	# shellcheck source=/dev/null
	source "$src/tools/lib_fuzzing.sh"
	fuzz_target() {
		FUZZ_BIN=$fake REPLAY_DIR=$src/build/dev REPRO_CMD="./unmapfuzz repro"
		FUZZ_HOME=$scratch/limit-home SEEDS_DIR=$src/build/dev/seeds-bin
	}
	fuzz_libfuzzer 3 1
) >"$scratch/limit.out" 2>"$scratch/limit.err"
rc=$? secs=$((SECONDS - t0))
tried=$((tried + 1))
echo "$rc fuzz --time 3 on an engine ignoring SIGTERM => $(grep -m1 'time limit' "$scratch/limit.err")" >>"$scratch/tried.txt"
[ "$secs" -le 23 ] || fail "--time 3 ended after $secs s"
[ "$rc" -eq 0 ] || fail "--time 3 with no crash file exits $rc: $(tail -3 "$scratch/limit.err")"
grep -q "time limit" "$scratch/limit.out" "$scratch/limit.err" || fail "no 'time limit' in the summary: $(cat "$scratch/limit.out")"
grep -q "Killed\|Terminated" "$scratch/limit.err" && fail "a shell job line leaked: $(grep 'Killed\|Terminated' "$scratch/limit.err")"
sleep 0.5
for p in $(pgrep -f -- "sleep-$mark"); do fail "the engine's child outlived the time limit (pid $p)"; kill "$p"; done
[ -z "$(find "$scratch/limit-home" -maxdepth 1 -name '.scratch.*')" ] || fail "the scratch directory was left"
fi

if want inputs; then
# 3. Bounded inputs. (The build first, outside the timed commands.)
"$uf" repro "$seed" >/dev/null 2>&1 || fail "repro of a seed fails"
mkfifo "$scratch/fifo"
head -c 20000 /dev/urandom >"$scratch/big.bin"
printf '\x01' | dd of="$scratch/big.bin" bs=1 count=1 conv=notrunc 2>/dev/null
{ cat "$seed"; for _ in $(seq 30000); do echo "# padding comment line of a text scenario far beyond its bound"; done; } >"$scratch/big.scn"
for cmd in repro print; do
	for f in /dev/zero /dev/urandom "$scratch/fifo" "$scratch/big.bin" "$scratch/big.scn"; do
		t0=$SECONDS
		expect 2 timeout 20 "$uf" "$cmd" "$f"
		[ $((SECONDS - t0)) -le 15 ] || fail "$cmd $f took $((SECONDS - t0)) s"
	done
done
expect 2 timeout 20 "$uf" repro /dev/zero
has "$scratch/err" "larger than any scenario" "repro /dev/zero"
expect 2 timeout 20 "$uf" repro "$scratch/big.bin"
has "$scratch/err" "more than the 16384 bytes" "repro of a 20000-byte binary"
expect 2 timeout 20 "$uf" check /dev/zero
expect 2 timeout 20 "$uf" minimize /dev/zero
expect 2 timeout 20 "$tool" format /dev/zero
fi

if want lock; then
# 4. One writer per work directory; readers unaffected.
mkdir -p "$UNMAPFUZZ_WORK"
(
	# shellcheck source=/dev/null
	source "$src/unmapfuzz"
	CMD=fuzz CMD_LINE="fuzz --time 300"
	lock_dir "$UNMAPFUZZ_WORK" campaign
	exec sleep 120
) &
holder=$!
for _ in $(seq 50); do [ -s "$UNMAPFUZZ_WORK/.campaign.lock" ] && break; sleep 0.1; done
expect 2 "$uf" corpus prune
has "$scratch/err" "in use by ./unmapfuzz fuzz --time 300 \(pid [0-9]+" "corpus prune during a campaign"
expect 2 "$uf" fuzz --time 5 --jobs 1
has "$scratch/err" "in use by ./unmapfuzz fuzz" "a second campaign"
expect 0 "$uf" repro "$seed"
expect 0 "$uf" check "$seed"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
fi

if want outputs; then
# 5. Outputs checked before the work.
t0=$SECONDS
expect 2 "$uf" minimize --zoo "$zoo" -o /proc/out.scn "$regress"
[ ! -s "$scratch/out" ] || fail "minimize -o /proc/out.scn worked before failing: $(head -2 "$scratch/out")"
expect 2 "$uf" check --json /proc/out.json
expect 2 "$uf" check --json "$scratch"
expect 2 "$uf" check --json "$scratch/no-such-dir/out.json"
: >"$scratch/work-file"
expect 2 env UNMAPFUZZ_WORK="$scratch/work-file" "$uf" fuzz --time 1 --jobs 1
has "$scratch/err" "is a file, not a directory" "a regular file as UNMAPFUZZ_WORK"
fi

if want errors; then
# 6. Error text.
printf 'unmapfuzz-scenario v1\nfolio anon order=0 dir\x00ty\n' >"$scratch/nul.scn"
expect 2 "$uf" repro "$scratch/nul.scn"
has "$scratch/err" "'dir\\\\x00ty'" "a NUL byte in a token"
{ printf 'unmapfuzz-scenario v1\nfolio anon order=0 '; head -c 1000000 /dev/zero | tr '\0' x; echo; } >"$scratch/long.scn"
expect 2 "$uf" repro "$scratch/long.scn"
[ "$(wc -c <"$scratch/err")" -lt 400 ] || fail "a 1 MB token is echoed: $(wc -c <"$scratch/err") bytes on stderr"
has "$scratch/err" "1000000 bytes" "a 1 MB token's length"
{ printf '\xef\xbb\xbf'; cat "$seed"; } >"$scratch/bom.scn"
expect 0 "$uf" repro "$scratch/bom.scn"
{ printf '\xef\xbb\xbf'; cat "$seed"; } >"$scratch/bom-noext"
expect 0 "$uf" print "$scratch/bom-noext"
"$uf" print "$seed" | cmp -s - "$scratch/out" || fail "a BOM changes the scenario read"
expect 2 "$uf" repro $'--js\x01n' "$seed"
has "$scratch/err" 'unknown option --js\\x01n' "a control byte in an option"
fi

if want options; then
# 7. Options that do not apply.
expect 2 "$uf" check --kernel-semantics K5
has "$scratch/err" "applies only to kernel mode" "check --kernel-semantics without kernel mode"
expect 2 "$uf" check --against batched
expect 2 "$uf" exhaust --max-order 2 --mid-folio 0
fi

if want triage; then
# 8. triage on a folder of .scn files.
mkdir -p "$scratch/scns"
cp "$seed" "$scratch/scns/"
[ $applies = 0 ] || cp "$regress" "$scratch/scns/"
expect 0 "$uf" triage "$scratch/scns"
has "$scratch/out" "0 crash file\(s\) \(libFuzzer crash-\*, AFL\+\+ crashes/id:\*\)" "triage names what it looks for"
has "$scratch/out" "skipped [12] other file\(s\), [12] of them .scn \(--all" "triage counts what it skipped"
if [ $applies = 1 ]; then
	expect 1 "$uf" triage --zoo "$zoo" --all --json "$scratch/triage.json" "$scratch/scns"
	has "$scratch/out" "^$class( known=[A-Z0-9]+)? +1 " "triage --all"
	# The class and its minimised reproducer carry the same known-bug name.
	id=$(sed -n "s/^$class known=\([A-Z0-9]*\) .*/\1/p" "$scratch/out")
	if [ -n "$id" ]; then
		has "$(ls "$scratch/scns/triage/"*"known=$id.scn")" "^# known bug $id: " "the reproducer of a known=$id class"
	fi
	json_ok "$scratch/triage.json" 'd["command"] == "triage" and d["exit_status"] == 1 and d["counts"]["crash_files"] == 2 and any(c["kind"] == "'"${class%% *}"'" and c["class"] == "'"${class#* }"'" for c in d["classes"]) and all(c["reproducer"] for c in d["classes"])' "triage --json"
fi
fi

if want lines; then
# 9. Whole lines with 2>&1: the tool's failures (stdout) and progress
#    (stderr) into one file.
if [ $applies = 1 ] && [ -x "$src/build/dev/zoo/$zoo/unmapfuzz-tool" ]; then
	"$src/build/dev/zoo/$zoo/unmapfuzz-tool" exhaust --max-order 1 --max-vmas 1 --max-events 1 --progress 1 \
		>"$scratch/exhaust.mix" 2>&1
	tried=$((tried + 1))
	bad=$(grep -vcE '^(exhaust: |---- failure |#|unmapfuzz-scenario |folio |pae |hwpoison |ttu |arch |mms |vma |pte |event |$)' "$scratch/exhaust.mix")
	[ "$bad" -eq 0 ] || fail "exhaust 2>&1: $bad broken line(s): $(grep -vE '^(exhaust: |---- failure |#|unmapfuzz-scenario |folio |pae |hwpoison |ttu |arch |mms |vma |pte |event |$)' "$scratch/exhaust.mix" | head -3)"
	grep -q '^---- failure 1: ' "$scratch/exhaust.mix" || fail "exhaust on $zoo found nothing to print"
fi
fi

if want campaign; then
# 10. A campaign: counts agree, no engine line in the summary, progress on
#     stderr, JSON.
if [ $applies = 1 ]; then
	t0=$SECONDS
	expect 1 "$uf" fuzz --zoo "$zoo" --jobs 1 --time 20 --json "$scratch/fuzz.json"
	secs=$((SECONDS - t0))
	cp "$scratch/out" "$scratch/fuzz.out"
	cp "$scratch/err" "$scratch/fuzz.err"
	grep -qE '^#[0-9]+' "$scratch/fuzz.out" && fail "a raw libFuzzer line in the summary: $(grep -E '^#[0-9]+' "$scratch/fuzz.out")"
	grep -q '^\[ *[0-9]*/20 s\]' "$scratch/fuzz.out" && fail "progress lines on stdout"
	last=$(grep '^\[ *[0-9]*/20 s\]' "$scratch/fuzz.err" | tail -1)
	n_progress=$(sed -n 's/.*, crashes \([0-9]*\).*/\1/p' <<<"$last")
	n_summary=$(sed -n 's/^crash files: \([0-9]*\) in .*/\1/p' "$scratch/fuzz.out")
	[ -n "$n_summary" ] && [ "$n_progress" = "$n_summary" ] ||
		fail "the last progress line ($last) and the summary ($(grep '^crash files' "$scratch/fuzz.out")) disagree"
	has "$scratch/fuzz.out" "^$class( known=[A-Z0-9]+)? " "fuzz --zoo summary"
	grep -q "ignore-known" "$scratch/fuzz.out" && fail "a --zoo campaign suggests --ignore-known"
	json_ok "$scratch/fuzz.json" 'd["command"] == "fuzz" and d["exit_status"] == 1 and d["outcome"] == "found" and d["counts"]["crash_files"] == '"${n_summary:-0}"' and d["counts"]["crash_files"] == sum(c["files"] for c in d["classes"]) and any(c["kind"] == "'"${class%% *}"'" for c in d["classes"]) and all(c["reproducer"] and c["repro_command"].startswith("./unmapfuzz repro --zoo ") for c in d["classes"]) and d["argv"][:2] == ["--zoo", "'"$zoo"'"]' "fuzz --json"

	# check on files and directories, with --json.
	mkdir -p "$scratch/own/sub"
	cp "$seed" "$scratch/own/"
	cp "$regress" "$scratch/own/sub/"
	expect 1 "$uf" check --zoo "$zoo" --json "$scratch/check.json" "$scratch/own" "$seed"
	has "$scratch/out" "^3 of 3 scenario\(s\) replayed: 2 passed, 1 failed" "check DIR FILE"
	json_ok "$scratch/check.json" 'd["exit_status"] == 1 and d["counts"]["scenarios"] == 3 and d["counts"]["failed"] == 1 and d["scenarios"][0]["path"].endswith("'"$zoo"'.scn")' "check --json"
fi
fi

if want json; then
# 10b. --json on check, exhaust and zoo.
printf 'unmapfuzz-scenario v1\nfolio anon order=0 dir\x00ty\n' >"$scratch/nul.scn"
expect 0 "$uf" check --json "$scratch/check0.json"
json_ok "$scratch/check0.json" 'd["exit_status"] == 0 and d["outcome"] == "nothing found" and d["counts"]["failed"] == 0 and d["counts"]["passed"] > 0' "check --json on the seeds"
expect 2 "$uf" check --json "$scratch/check2.json" "$scratch/nul.scn"
json_ok "$scratch/check2.json" 'd["exit_status"] == 2 and d["outcome"] == "error" and "error" in d' "check --json of a bad input"
# (./unmapfuzz exhaust runs the release build; its two halves here, with the dev build.)
expect 2 "$uf" exhaust --json /proc/x.json
expect 0 "$tool" exhaust --max-order 0 --max-vmas 1 --max-events 0 --summary "$scratch/exhaust.facts"
printf 'set\tcommand\texhaust\n' >>"$scratch/exhaust.facts"
expect 0 "$tool" summary --exit-status 0 -- "$scratch/exhaust.facts" "$scratch/exhaust.json"
json_ok "$scratch/exhaust.json" 'd["exit_status"] == 0 and d["counts"]["points"] == d["counts"]["enumerated"] > 0 and d["counts"]["failures"] == 0 and d["classes"] == []' "exhaust --json"
expect 2 "$uf" zoo --json "$scratch/zoo.json" no_such_entry
json_ok "$scratch/zoo.json" 'd["command"] == "zoo" and d["exit_status"] == 2 and "no_such_entry" in d["error"]' "zoo --json of a bad entry"
fi

if want known; then
# 11. Every failure a known bug: the campaign suggests --ignore-known.
(
	# shellcheck source=/dev/null
	source "$src/unmapfuzz"
	CMD=fuzz
	# shellcheck source=/dev/null
	source "$src/tools/lib_fuzzing.sh"
	mkdir -p "$scratch/known"
	cp "$seed" "$scratch/known/crash-a"
	cp "$seed" "$scratch/known/crash-b"
	CRASH_CLASS[$scratch/known/crash-a]="INVARIANT lazyfree_clean_swapbacked known=B7"
	CRASH_CLASS[$scratch/known/crash-b]="INVARIANT lazyfree_clean_swapbacked known=B7"
	run_crash_files() { printf '%s\n' "$scratch/known/crash-a" "$scratch/known/crash-b"; }
	fuzz_progress() { :; }
	known_bug_line() { echo "B7: a known bug"; }
	RUN_ENGINE=libfuzzer RUN_CRASHES=$scratch/known RUN_ZOO="" RUN_TIME=5 REPLAY_DIR=$src/build/dev
	REPRO_CMD="./unmapfuzz repro --kernel-tree /k"
	campaign_summary
) >"$scratch/known.out" 2>&1
tried=$((tried + 1))
has "$scratch/known.out" "^every failure above is a known bug \(B7\); to look past them for new ones: ./unmapfuzz fuzz --kernel-tree /k --ignore-known$" "the --ignore-known hint"
fi

echo "cli limits: $tried command lines tried, $fails failure(s) (each with what it printed: $scratch/tried.txt)"
[ $fails -eq 0 ]
