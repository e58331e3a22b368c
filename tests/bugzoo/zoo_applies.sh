#!/usr/bin/env bash
# Whether a bug-zoo entry applies to this tree: zoo_applies.sh NAME SOURCE_DIR
#   exit 0   tests/bugzoo/NAME.patch applies to SOURCE_DIR's batched/rmap.cc
#            and reference/rmap.cc (with offsets or fuzz, as patch allows);
#   exit 77  it does not: the tree was changed where the patch puts the bug
#            back (a port of your own rmap.c change), so the entry is "not
#            applicable to this tree", a skip and not a failure; prints one
#            line saying which hunk failed;
#   exit 2   no such entry.
# The one place that decides it: the zoo ctests (zoo_entry.sh), the campaign
# tests and ./unmapfuzz (fuzz/triage/minimize/check --zoo, zoo) all ask here.
set -uo pipefail
name=$1 src=$2
patch=$src/tests/bugzoo/$name.patch
[ -f "$patch" ] || { echo "zoo $name: no such entry ($patch)"; exit 2; }
out=$(patch --dry-run --batch --forward --silent -p1 -d "$src" -i "$patch" 2>&1) && exit 0
why=$(grep -m1 -E 'FAILED|Reversed|can.t find|No such file' <<<"$out" | sed 's/^[[:space:]]*//')
echo "zoo $name: not applicable to this tree: tests/bugzoo/$name.patch does not apply (${why:-patch failed})"
exit 77
