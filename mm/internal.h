// PTE batching (mm/internal.h: fpb_t, __pte_batch_clear_ignored(),
// folio_pte_batch_flags(); docs/semantics.md 5.1).
#pragma once

#include "mm/pte_ops.h"

namespace uf
{

using fpb_t = unsigned int;
enum : fpb_t {
        FPB_RESPECT_DIRTY = 1 << 0,
        FPB_RESPECT_SOFT_DIRTY = 1 << 1,
        FPB_RESPECT_WRITE = 1 << 2,
        FPB_MERGE_WRITE = 1 << 3,
        FPB_MERGE_YOUNG_DIRTY = 1 << 4,
};

// How many consecutive slots from ptep map consecutive pages of folio with the
// same bits as *ptentp, up to max_nr and never past the folio's last page.
// Young is always ignored; dirty, soft-dirty and write unless respected.
unsigned int folio_pte_batch_flags(folio *folio, vm_area_struct *vma, pte_ptr ptep, pte_t *ptentp,
                                   unsigned int max_nr, fpb_t flags);
unsigned int folio_pte_batch(folio *folio, pte_ptr ptep, pte_t pte, unsigned int max_nr);

} // namespace uf
