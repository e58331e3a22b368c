// Builds the initial world a scenario describes: the folio with its flags, the
// mms, VMAs and page tables, and every derived count (mapcounts, refcount, rss
// counters, swap counts, cached TLB entries) consistent with the slots.
#pragma once

#include "mm/world.h"
#include "scenario/scenario.h"

namespace uf
{

// The scenario must be sanitized. `rules` are what the program's semantics
// level intends (program().rules in oracle/program.h); the world carries them.
void build_world(const scenario &s, world &w, const unmap_rules &rules);

} // namespace uf
