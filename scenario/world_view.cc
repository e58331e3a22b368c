#include "scenario/world_view.h"

#include <algorithm>

namespace uf
{

// The PMD covering addr in mm, or nullptr when either is out of range.
static const pmd_t *pmd_at(const world &w, int mm, unsigned long addr)
{
        if (mm < 0 || mm >= MAX_MMS || addr >= TASK_SIZE)
                return nullptr;
        return &w.mms[mm].pmd[addr >> PMD_SHIFT];
}

// The table a PMD of kind table points to, or -1 when it names no live table.
static int pmd_table(const world &w, const pmd_t *pmd)
{
        if (!pmd || pmd->kind != pmd_kind::table || pmd->table >= w.nr_tables)
                return -1;
        return pmd->table;
}

pmd_view pmd_view_at(const world &w, int mm, unsigned long addr)
{
        pmd_view v;
        const pmd_t *pmd = pmd_at(w, mm, addr);
        if (pmd && pmd->kind == pmd_kind::huge) {
                v.is_huge = true;
                v.huge = pmd->huge;
        } else if (int t = pmd_table(w, pmd); t >= 0) {
                v.table = w.tables[t].get();
        }
        return v;
}

pte_t slot_at(const world &w, int mm, unsigned long addr, bool *huge)
{
        pmd_view v = pmd_view_at(w, mm, addr);
        if (huge)
                *huge = v.is_huge;
        return v.at(addr);
}

const tlb_entry *tlb_at(const world &w, int mm, unsigned long addr)
{
        int t = pmd_table(w, pmd_at(w, mm, addr));
        if (t < 0)
                return nullptr;
        return &w.tlb[t][pte_index(addr)];
}

void vma_folio_span(const world &w, int v, unsigned long *start, unsigned long *end)
{
        const vm_area_struct &vma = w.vmas[v];
        long first = static_cast<long>(w.folio.index) - static_cast<long>(vma.vm_pgoff);
        long s = static_cast<long>(vma.vm_start) + first * static_cast<long>(PAGE_SIZE);
        long e = s + static_cast<long>(folio_nr_pages(&w.folio) * PAGE_SIZE);
        s = std::max(s, static_cast<long>(vma.vm_start));
        e = std::min(e, static_cast<long>(vma.vm_end));
        *start = static_cast<unsigned long>(s);
        *end = static_cast<unsigned long>(std::max(s, e));
}

} // namespace uf
