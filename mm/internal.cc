#include "mm/internal.h"

#include <algorithm>

namespace uf
{

static pte_t __pte_batch_clear_ignored(pte_t pte, fpb_t flags)
{
        if (!(flags & FPB_RESPECT_DIRTY))
                pte = pte_mkclean(pte);
        if (!(flags & FPB_RESPECT_SOFT_DIRTY))
                pte = pte_clear_soft_dirty(pte);
        if (!(flags & FPB_RESPECT_WRITE))
                pte = pte_wrprotect(pte);
        return pte_mkold(pte);
}

// pte_same() compares the whole entry: kind, every bit and the pfn.
static bool pte_same(pte_t a, pte_t b)
{
        return a == b;
}

unsigned int folio_pte_batch_flags(folio *folio, vm_area_struct *, pte_ptr ptep, pte_t *ptentp,
                                   unsigned int max_nr, fpb_t flags)
{
        bool any_writable = false, any_young = false, any_dirty = false;
        pte_t expected_pte, pte = *ptentp;
        unsigned int nr, cur_nr;

        // Never past the folio's last page.
        max_nr = static_cast<unsigned int>(std::min<unsigned long>(
            max_nr, folio_pfn(folio) + folio_nr_pages(folio) - pte_pfn(pte)));
        // pte_batch_hint(): 1 on architectures without contiguous-PTE hints.
        nr = 1;
        expected_pte = __pte_batch_clear_ignored(pte_advance_pfn(pte, nr), flags);
        ptep += nr;

        while (nr < max_nr) {
                pte = ptep_get(ptep);
                if (!pte_same(__pte_batch_clear_ignored(pte, flags), expected_pte))
                        break;
                any_writable |= pte_write(pte);
                any_young |= pte_young(pte);
                any_dirty |= pte_dirty(pte);
                cur_nr = 1;
                expected_pte = pte_advance_pfn(expected_pte, cur_nr);
                ptep += cur_nr;
                nr += cur_nr;
        }

        if ((flags & FPB_MERGE_WRITE) && any_writable)
                ptentp->bits |= PTE_WRITE;
        if ((flags & FPB_MERGE_YOUNG_DIRTY) && any_young)
                *ptentp = pte_mkyoung(*ptentp);
        if ((flags & FPB_MERGE_YOUNG_DIRTY) && any_dirty)
                *ptentp = pte_mkdirty(*ptentp);
        return std::min(nr, max_nr);
}

unsigned int folio_pte_batch(folio *folio, pte_ptr ptep, pte_t pte, unsigned int max_nr)
{
        return folio_pte_batch_flags(folio, nullptr, ptep, &pte, max_nr, 0);
}

} // namespace uf
