// Failure signatures. Every failing verdict ends in a function of its own
// class, so libFuzzer's and ClusterFuzz's stack-based crash grouping keeps
// classes apart; the first line on stderr names the class in a stable form:
//   unmapfuzz: DIVERGENCE pte_state
//   unmapfuzz: INVARIANT mapcount
#pragma once

#include "fuzz/oracle.h"

namespace uf
{

// Prints the signature line and aborts from the class-specific function.
[[noreturn]] void crash(const verdict &v);

} // namespace uf
