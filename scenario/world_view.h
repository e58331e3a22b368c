// The harness's view of a world's page tables: what a slot holds, as the
// oracle and the report see it. This reads the tables directly; pte_ptr (with
// its bounds, VMA and notifier checks) is for the implementations only.
//
// A huge PMD mapping is shown as 512 slots, each a synthesized present pte of
// the page it maps with the huge entry's bits, so a world before a PMD split
// and the world after it compare slot by slot.
#pragma once

#include "mm/world.h"

namespace uf
{

// The slots of one PMD, resolved once, for loops over many addresses of it.
struct pmd_view {
        const pte_t *table = nullptr; // the PTE table the PMD points to, if any
        pte_t huge{};                 // the huge entry when is_huge
        bool is_huge = false;

        // The entry at addr (an address inside this PMD), as slot_at() has it.
        pte_t at(unsigned long addr) const
        {
                if (is_huge)
                        return pte_advance_pfn(huge, pte_index(addr));
                return table ? table[pte_index(addr)] : pte_t{};
        }
};

// The PMD covering addr in mm; empty when the PMD is none, names no live
// table, or mm/addr are out of range.
pmd_view pmd_view_at(const world &w, int mm, unsigned long addr);

// The entry at addr in mm: the PTE from the table the PMD points to; for a
// huge PMD a synthesized present pte (pfn = huge pfn + page offset, the huge
// entry's bits) with *huge = true; none for anything else (no table, address
// or mm out of range). *huge is set to false otherwise.
pte_t slot_at(const world &w, int mm, unsigned long addr, bool *huge = nullptr);

// The cached translation of the PTE slot at addr in mm, or nullptr when the
// slot is not in a PTE table (none or huge PMD).
const tlb_entry *tlb_at(const world &w, int mm, unsigned long addr);

// The folio page a present or device-private/exclusive entry maps, or -1 when
// the entry maps no page of w.folio (foreign page, swap, marker, none, ...).
inline long folio_page_of(const world &w, pte_t pte)
{
        if (!pte_present(pte) && !is_device_entry(pte))
                return -1;
        unsigned long first = folio_pfn(&w.folio);
        if (pte.val < first || pte.val >= first + folio_nr_pages(&w.folio))
                return -1;
        return static_cast<long>(pte.val - first);
}

// The mm index a VMA belongs to.
inline int vma_mm_index(const world &w, const vm_area_struct &vma)
{
        return static_cast<int>(vma.vm_mm - w.mms);
}

// The addresses of VMA v that its linear mapping gives to pages of the folio:
// [*start, *end), empty (start == end) when it maps none. End-state checks
// look only here: a write anywhere else in the VMA is already reported by
// pte_ptr's notifier-range check, since that range lies inside this span.
void vma_folio_span(const world &w, int v, unsigned long *start, unsigned long *end);

// Calls fn(int vma, unsigned long addr, pte_t pte) for every page of every
// VMA's [vm_start, vm_end), in VMA order. VMAs of one mm never overlap, so
// every slot inside some VMA is visited exactly once.
template <typename Fn> void for_each_vma_slot(const world &w, Fn &&fn)
{
        for (int v = 0; v < w.nr_vmas; v++) {
                const vm_area_struct &vma = w.vmas[v];
                int mm = vma_mm_index(w, vma);
                for (unsigned long addr = vma.vm_start; addr < vma.vm_end; addr += PAGE_SIZE)
                        fn(v, addr, slot_at(w, mm, addr));
        }
}

} // namespace uf
