// The batched implementation of the reclaim unmap path.
#pragma once

#include "mm/world.h"

namespace uf::batched
{

bool try_to_unmap_one(folio *folio, vm_area_struct *vma, unsigned long address, void *arg);
// false when the walk was stopped by a try_to_unmap_one() returning false.
bool try_to_unmap(folio *folio, unsigned int flags);

} // namespace uf::batched
