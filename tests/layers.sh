#!/usr/bin/env bash
# The layers' dependency direction, checked on every #include "DIR/...":
#
#   mm  <-  reference, batched, kernel  <-  scenario  <-  oracle  <-  report, search
#       <-  fuzz  <-  tools  <-  bench, tests
#
# A file may include its own folder and any folder of a lower rank; folders
# of one rank do not include each other (reference/ and batched/ are two
# independent implementations; report/ and search/ two independent users of
# the oracle). Exit 1 with one line per include that points up or sideways.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

rank() {
	case $1 in
	mm) echo 0 ;;
	reference | batched | kernel) echo 1 ;;
	scenario) echo 2 ;;
	oracle) echo 3 ;;
	report | search) echo 4 ;;
	fuzz) echo 5 ;;
	tools) echo 6 ;;
	bench | tests) echo 7 ;;
	*) echo "" ;;
	esac
}

bad=0 checked=0
while IFS= read -r file; do
	from=${file%%/*}
	rf=$(rank "$from")
	[ -n "$rf" ] || continue
	while IFS= read -r inc; do
		to=${inc%%/*}
		rt=$(rank "$to")
		[ -n "$rt" ] || continue # a system or relative include
		checked=$((checked + 1))
		[ "$to" = "$from" ] && continue
		if [ "$rt" -gt "$rf" ] || { [ "$rt" -eq "$rf" ] && [ "$rf" -lt 7 ]; }; then
			echo "$file includes $inc: $from/ (rank $rf) may not include $to/ (rank $rt)"
			bad=$((bad + 1))
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\/[^"]*\)".*/\1/p' "$file")
done < <(git ls-files -co --exclude-standard -- '*.cc' '*.h' '*.c' '*.cc.in' | grep -v '^build/')

echo "layers: $checked includes checked, $bad pointing up or sideways"
[ "$bad" -eq 0 ]
