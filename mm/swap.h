// Swap counts of the folio's slots (mm/swapfile.c folio_dup_swap /
// folio_put_swap, batched forms of Dev Jain's 2026 series) and arch_unmap_one().
#pragma once

#include <cerrno>

#include "mm/world.h"

namespace uf
{

swp_entry_t page_swap_entry(page page);
// Raises the count of page's slot; -ENOMEM when the dup_swap_fail event fires.
int folio_dup_swap(folio *folio, page page);
void folio_put_swap(folio *folio, page page);
// All or nothing over nr consecutive slots: a failure part-way rolls back the
// counts already raised before returning -ENOMEM (docs/semantics.md 9).
int folio_dup_swap_pages(folio *folio, page page, int nr);
void folio_put_swap_pages(folio *folio, page page, int nr);

// sparc64 ADI (__HAVE_ARCH_UNMAP_ONE); always 0 on other arches.
int arch_unmap_one(mm_struct *mm, vm_area_struct *vma, unsigned long addr, pte_t orig_pte);
bool arch_has_unmap_one(const world &w);

} // namespace uf
