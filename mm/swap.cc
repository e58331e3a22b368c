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
        trace_rec &t = trace_add(w, trace_op::dup_swap);
        t.page = static_cast<int16_t>(page.idx);
        t.nr = static_cast<uint16_t>(nr);
        if (nr <= 0) {
                w.report(mm_violation::zero_nr, "folio_dup_swap_pages(nr=%d)", nr);
                return 0;
        }
        for (int i = 0; i < nr; i++) {
                if (!folio_page_valid(page + i, "folio_dup_swap") ||
                    w.fire(event_kind::dup_swap_fail, page.idx + i)) {
                        t.value = -ENOMEM;
                        // The rollback of the slots already raised is part of
                        // this call, not a put the caller made.
                        for (int k = 0; k < i; k++) {
                                w.ops.atomics++;
                                w.swap_count[page.idx + k]--;
                        }
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
        trace_rec &t = trace_add(w, trace_op::put_swap);
        t.page = static_cast<int16_t>(page.idx);
        t.nr = static_cast<uint16_t>(nr);
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
        long page = static_cast<long>(pfn - w.folio.pfn);
        if (!w.fire(event_kind::arch_unmap_fail, page))
                return 0;
        trace_rec &t = trace_add(w, trace_op::arch_unmap);
        t.page = static_cast<int16_t>(page);
        t.value = -1;
        return -1;
}

} // namespace uf
