# Running ctest for ./unmapfuzz test and ./unmapfuzz zoo: the full output to a
# log file, one status line per test on the terminal, and at the end a
# summary a person reads. Sourced by those commands, never run on its own.
# shellcheck shell=bash

CTEST_LOG=""
# The ctest that runs: the dev build's suite (its preset runs two tests at a time).
CTEST_CMD=(env -C "$ROOT" ctest --preset dev)

# The status lines of the log ("  5/504 Test   #5: cli.checks ....***Failed  1.2 sec").
ctest_status_lines() { # LOG
	grep -E '^ *[0-9]+/[0-9]+ Test +#[0-9]+: ' "$1" 2>/dev/null || true
}

# A status line without ctest's padding (the parameterised GoogleTest names
# pad every line to 200 columns).
ctest_short() {
	sed -E 's/ \.{2,}/ /; s/\*{3}/ /; s/  +/ /g'
}

# For each test that did not pass: "name|first line of its message".
ctest_failures() { # LOG
	awk '
		function flush() {
			if (name != "") {
				msg = gtest != "" ? gtest : last
				if (timeout != "") msg = timeout (msg != "" ? "; last output: " msg : "")
				if (msg == "") msg = status
				print name "|" msg
			}
			name = ""; gtest = ""; last = ""; timeout = ""
		}
		/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: / {
			flush()
			if ($0 ~ /\*\*\*(Failed|Timeout|Exception)|Not Run/) {
				name = $0; sub(/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: /, "", name); sub(/ \.+.*$/, "", name); sub(/ +\*\*\*.*$/, "", name)
				status = $0; sub(/^.*\*\*\*/, "", status)
				secs = status; sub(/^[A-Za-z ]+ +/, "", secs); sub(/ sec.*$/, "", secs)
				sub(/ +[0-9.]+ sec.*$/, "", status)
				timeout = status ~ /Timeout/ ? "timed out after " secs " s" : ""
			}
			next
		}
		/^ *Start +[0-9]+: / || /^[0-9]+% tests passed/ { flush(); next }
		name != "" {
			line = $0; sub(/^[ \t]+/, "", line)
			if (line == "") next
			if (want_next) { gtest = gtest " " line; want_next = 0; next }
			if (gtest == "" && line ~ /: Failure$/) { gtest = line; want_next = 1; next }
			if (line !~ /^\[ *(FAILED|OK|RUN|=+|-+|PASSED) *\]/) last = line
		}
		END { flush() }' "$1"
}

# The summary: counts, each failure with its first line, the log's path.
ctest_summary() { # LOG SECONDS [PARTIAL]
	local log=$1 secs=$2 partial=${3:-} total passed failed skipped name msg
	total=$(ctest_status_lines "$log" | wc -l)
	passed=$(ctest_status_lines "$log" | grep -c ' Passed ') || true
	skipped=$(ctest_status_lines "$log" | grep -c 'Skipped') || true
	failed=$((total - passed - skipped))
	json_add count tests "$total"
	json_add count tests_passed "$passed"
	json_add count tests_failed "$failed"
	json_add count tests_skipped "$skipped"
	echo
	echo "${CMD:-test}: $total test(s)${partial:+ finished so far}: $passed passed, $failed failed, $skipped skipped (not applicable to this tree) in $secs s"
	while IFS='|' read -r name msg; do
		[ -n "$name" ] && printf '  FAILED %s: %s\n' "$name" "$msg"
	done < <(ctest_failures "$log")
	echo "full ctest log: $log"
	[ "$failed" -eq 0 ]
}

# Runs ctest ARGS on the dev build with its output in LOG, printing each
# test's status line as it finishes. Returns 0 when every test passed or was
# skipped, 1 when one failed, 2 when ctest itself failed (a bad option, no
# test matched).
ctest_run() { # LOG CTEST_ARGS...
	CTEST_LOG=$1
	shift
	local t0=$SECONDS seen=0 n pid rc=0
	ON_INTERRUPT=ctest_interrupted
	CTEST_T0=$SECONDS
	spawn "${CTEST_CMD[@]}" --output-on-failure "$@" >"$CTEST_LOG" 2>&1
	pid=$SPAWNED
	while alive "$pid"; do
		sleep 1
		n=$(ctest_status_lines "$CTEST_LOG" | wc -l)
		if [ "$n" -gt "$seen" ]; then
			ctest_status_lines "$CTEST_LOG" | sed -n "$((seen + 1)),${n}p" | ctest_short
			seen=$n
		fi
	done
	wait "$pid" || rc=$?
	forget_child "$pid"
	ctest_status_lines "$CTEST_LOG" | sed -n "$((seen + 1)),\$p" | ctest_short
	ON_INTERRUPT=""
	if [ "$(ctest_status_lines "$CTEST_LOG" | wc -l)" -eq 0 ]; then
		tail -5 "$CTEST_LOG" >&2
		die "ctest ran no test (log: $CTEST_LOG)"
	fi
	ctest_summary "$CTEST_LOG" $((SECONDS - t0)) && [ "$rc" -eq 0 ] && return 0
	ctest_summary "$CTEST_LOG" 0 >/dev/null || return 1
	tail -5 "$CTEST_LOG" >&2
	die "ctest failed (exit $rc; log: $CTEST_LOG)"
}

ctest_interrupted() {
	ctest_summary "$CTEST_LOG" $((SECONDS - CTEST_T0)) partial || true
}
