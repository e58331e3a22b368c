// Real kernel code as an implementation of the reclaim unmap path: the
// try_to_unmap_one() cut out of a kernel tree at build time (kernel/extract/),
// compiled as GNU C against the shim (kernel/shim/) and run on the substrate
// through the bridge (kernel/bridge.cc), behind the substrate's own
// rmap_walk() (mm/rmap.h try_to_unmap_walk()).
#pragma once

#include "mm/world.h"

namespace uf::kernel
{

// false when the walk was stopped by a try_to_unmap_one() returning false, or
// by a kernel BUG (world::kernel records it, and the walk goes no further).
bool try_to_unmap(folio *folio, unsigned int flags);

} // namespace uf::kernel
