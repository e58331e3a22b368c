// Failure signatures. Every failing verdict ends in a function of its own
// class, so libFuzzer's and ClusterFuzz's stack-based crash grouping keeps
// classes apart; the first line on stderr names the class in a stable form:
//   unmapfuzz: DIVERGENCE pte_state
//   unmapfuzz: INVARIANT mapcount
#pragma once

#include <cstdio>

#include "oracle/oracle.h"

namespace uf
{

// The signature lines: "unmapfuzz: KIND class", then, for a failure a known
// bug explains, "unmapfuzz: known bug B7: ... this tree has the bug".
void print_signature(FILE *out, const verdict &v);
// Prints the signature and the detail, and aborts from the class-specific
// function.
[[noreturn]] void crash(const verdict &v);

} // namespace uf
