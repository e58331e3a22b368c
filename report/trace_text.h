// The substrate's trace records (mm/trace.h) as lines a kernel developer
// reads: kernel function names, addresses, folio pages, results, and for a
// failing call what came of it ("failed -> restore slots 0-1").
#pragma once

#include <string>

#include "mm/world.h"

namespace uf
{

// One record of w's trace. The line for a failure looks ahead to the records
// after it (a restore), so it needs the index: `i` into w.trace.
std::string trace_line(const world &w, int i);
// Indentation depth of record i: 1 inside a try_to_unmap_one() call, else 0.
int trace_depth(const world &w, int i);

} // namespace uf
