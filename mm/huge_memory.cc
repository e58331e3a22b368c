#include "mm/huge_memory.h"

#include "mm/gup.h"
#include "mm/rmap.h"
#include "mm/tlb.h"

namespace uf
{

// The huge entry's bits that survive into the PTEs of a split.
static uint8_t pmd_pte_bits(pte_t huge)
{
        return huge.bits & (PTE_WRITE | PTE_DIRTY | PTE_YOUNG | PTE_SOFT_DIRTY | PTE_UFFD_WP);
}

// __split_huge_pmd_locked() without freeze: the deposited table takes 512
// PTEs with the PMD's bits; every page gains a PTE mapping (and a reference)
// in place of the one PMD mapping.
void split_huge_pmd_locked(vm_area_struct *vma, unsigned long address, pmd_t *pmd, bool)
{
        mm_struct *mm = vma->vm_mm;
        world &w = *mm->w;
        trace_add(w, trace_op::split_pmd).addr = static_cast<uint32_t>(address & PMD_MASK);
        folio *folio = &w.folio;
        int t = pmd->deposit;
        if (t >= w.nr_tables)
                t = w.alloc_table(mm->id, static_cast<unsigned long>(pmd - mm->pmd));
        if (t < 0)
                return;
        pte_t huge = pmd->huge;
        // RMAP_EXCLUSIVE: the head page's PageAnonExclusive goes to every subpage.
        bool anon_exclusive = folio_test_anon(folio) && folio->anon_exclusive.test(0);
        for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
                if (anon_exclusive)
                        folio->anon_exclusive.set(i);
                w.ops.pte_writes++;
                w.tables[t][i] = pfn_pte(pte_pfn(huge) + i, pmd_pte_bits(huge));
                tlb_entry &e = w.tlb[t][i];
                e = tlb_entry{};
                if (pte_accessible(w.tables[t][i]))
                        e = tlb_entry{1, static_cast<uint8_t>(pte_write_cached(huge)), 0,
                                      static_cast<uint32_t>(pte_pfn(huge) + i)};
                folio->mapcount[i]++;
        }
        folio->large_mapcount += HPAGE_PMD_NR - 1;
        folio->entire_mapcount--;
        folio->refcount += HPAGE_PMD_NR - 1;
        w.ops.atomics += HPAGE_PMD_NR + 2;
        pmd->kind = pmd_kind::table;
        pmd->table = static_cast<uint8_t>(t);
        pmd->deposit = 0xff;
        pmd->huge = pte_t{};
}

// pmdp_huge_clear_flush(): the PMD entry is cleared and flushed at once. The
// events keyed to "just before page p's slot is cleared" fire for every page
// the PMD maps, as they would for 512 PTEs.
static pte_t pmdp_huge_clear_flush(vm_area_struct *vma, unsigned long addr, pmd_t *pmdp)
{
        world &w = *vma->vm_mm->w;
        pte_t orig = pmdp->huge;
        trace_add(w, trace_op::pmd_clear).addr = static_cast<uint32_t>(addr);
        // As for PTEs (ptep_get_and_clear_full()): the CPU dirties only a
        // writable entry, and GUP-fast pins only what it may (gup.h).
        for (long p = 0; p < static_cast<long>(HPAGE_PMD_NR); p++) {
                if (pte_write(orig) && w.fire(event_kind::hw_dirty, p))
                        orig = pte_mkdirty(orig);
                if (w.fire(event_kind::hw_young, p))
                        orig = pte_mkyoung(orig);
                if (gup_fast_may_pin(&w.folio, p, orig) && w.fire(event_kind::gup_pin, p))
                        try_grab_folio(&w.folio, 1, FOLL_PIN);
                w.page_cleared.set(p);
        }
        w.ops.pte_writes++;
        w.ops.tlb_flush_calls++;
        w.ops.tlb_flush_pages += HPAGE_PMD_NR;
        pmdp->kind = pmd_kind::none;
        pmdp->huge = pte_t{};
        return orig;
}

static void set_pmd_at(world &w, unsigned long addr, pmd_t *pmdp, pte_t orig)
{
        trace_add(w, trace_op::pmd_restore).addr = static_cast<uint32_t>(addr);
        pmdp->kind = pmd_kind::huge;
        pmdp->huge = orig;
}

bool unmap_huge_pmd_locked(vm_area_struct *vma, unsigned long addr, pmd_t *pmdp, folio *folio)
{
        mm_struct *mm = vma->vm_mm;
        world &w = *mm->w;
        bool droppable = vma->vm_flags & VM_DROPPABLE;

        if (pte_dirty(pmdp->huge))
                folio_mark_dirty(folio);
        if (folio_test_dirty(folio) && !droppable) {
                folio_set_swapbacked(folio);
                return false;
        }
        pte_t orig_pmd = pmdp_huge_clear_flush(vma, addr, pmdp);
        // smp_mb(): the refcount and mapcount are read after the clear, so a
        // GUP-fast that saw the PMD has its reference counted (B8).
        int ref_count = folio_ref_count(folio);
        int map_count = folio_mapcount(folio);
        if (pte_dirty(orig_pmd))
                folio_mark_dirty(folio);
        if (folio_test_dirty(folio) && !droppable) {
                folio_set_swapbacked(folio);
                set_pmd_at(w, addr, pmdp, orig_pmd);
                return false;
        }
        if (ref_count != map_count + 1) {
                set_pmd_at(w, addr, pmdp, orig_pmd);
                return false;
        }
        folio_remove_rmap_pmd(folio, folio_page(folio, 0), vma);
        pmdp->deposit = 0xff; // zap_deposited_table()
        add_mm_counter(mm, MM_ANONPAGES, -static_cast<long>(HPAGE_PMD_NR));
        if (vma->vm_flags & VM_LOCKED)
                mlock_drain_local();
        folio_put(folio);
        return true;
}

} // namespace uf
