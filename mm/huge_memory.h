// PMD-level operations reached from try_to_unmap_one() (mm/huge_memory.c):
// splitting a PMD mapping into a PTE table, and discarding a PMD-mapped
// lazyfree folio without a split (docs/semantics.md 8).
#pragma once

#include "mm/world.h"

namespace uf
{

void split_huge_pmd_locked(vm_area_struct *vma, unsigned long address, pmd_t *pmd, bool freeze);
// __discard_anon_folio_pmd_locked(): true when the folio was discarded.
bool unmap_huge_pmd_locked(vm_area_struct *vma, unsigned long addr, pmd_t *pmdp, folio *folio);

} // namespace uf
