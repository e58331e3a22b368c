#include "mm/swap.h"

#include "mm/rmap.h"

namespace uf
{

swp_entry_t page_swap_entry(page page)
{
        return swp_entry_t{page.folio->swap + static_cast<unsigned long>(page.idx)};
}

int folio_dup_swap(folio *folio, page page)
{
        return folio_dup_swap_pages(folio, page, 1);
}

void folio_put_swap(folio *folio, page page)
{
        folio_put_swap_pages(folio, page, 1);
}

int folio_dup_swap_pages(folio *folio, page page, int nr)
{
        world &w = *folio->w;
        if (nr <= 0) {
                w.report(mm_violation::zero_nr, "folio_dup_swap_pages(nr=%d)", nr);
                return 0;
        }
        for (int i = 0; i < nr; i++) {
                if (!folio_page_valid(page + i, "folio_dup_swap") ||
                    w.fire(event_kind::dup_swap_fail, page.idx + i)) {
                        folio_put_swap_pages(folio, page, i);
                        return -ENOMEM;
                }
                w.ops.atomics++;
                w.swap_count[page.idx + i]++;
        }
        return 0;
}

void folio_put_swap_pages(folio *folio, page page, int nr)
{
        world &w = *folio->w;
        for (int i = 0; i < nr; i++) {
                if (!folio_page_valid(page + i, "folio_put_swap"))
                        return;
                w.ops.atomics++;
                if (--w.swap_count[page.idx + i] < 0)
                        w.report(mm_violation::swap_count_underflow, "swap slot of page %ld: %d",
                                 page.idx + i, w.swap_count[page.idx + i]);
        }
}

bool arch_has_unmap_one(const world &w)
{
        return w.arch == ARCH_SPARC_ADI;
}

int arch_unmap_one(mm_struct *mm, vm_area_struct *, unsigned long, pte_t orig_pte)
{
        world &w = *mm->w;
        if (!arch_has_unmap_one(w))
                return 0;
        unsigned long pfn = pte_pfn(orig_pte);
        if (pfn < w.folio.pfn || pfn >= w.folio.pfn + folio_nr_pages(&w.folio))
                return 0;
        return w.fire(event_kind::arch_unmap_fail, static_cast<long>(pfn - w.folio.pfn)) ? -1 : 0;
}

} // namespace uf
