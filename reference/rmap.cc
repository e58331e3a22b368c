// The per-PTE reference: try_to_unmap() -> rmap_walk() -> try_to_unmap_one()
// as mm/rmap.c has it for one PTE at a time (docs/semantics.md 4), with today's
// decision rules: swapbacked is set only for a dirty lazyfree folio (faeb2831b517),
// the K2c mlock rules (Kiryl Shutsemau, 2025), nr_pages reset on every
// iteration (CVE-2026-63950). nr_pages is 1 everywhere; PMD mappings are split.
// The rules that changed between versions come from the world (mm/rules.h),
// so the reference can also be the K0..K4 kernel an older tree intends.
#include "reference/rmap.h"

#include "mm/huge_memory.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/tlb.h"

namespace uf::reference
{

bool try_to_unmap_one(folio *folio, vm_area_struct *vma, unsigned long address, void *arg)
{
        mm_struct *mm = vma->vm_mm;
        const unmap_rules &rules = folio->w->rules;
        struct page_vma_mapped_walk pvmw = folio_vma_walk(folio, vma, address, 0);
        pte_t pteval;
        page subpage;
        bool anon_exclusive, ret = true;
        mmu_notifier_range range;
        unsigned int flags = static_cast<unsigned int>(reinterpret_cast<uintptr_t>(arg));
        unsigned long nr_pages = 1, end_addr;
        unsigned long pfn;
        unsigned long ptes = 0;

        // When racing against e.g. zap_pte_range() on another cpu, PVMW_SYNC
        // makes the walk take the PTL before skipping a none entry.
        if (flags & TTU_SYNC)
                pvmw.flags = PVMW_SYNC;

        mmu_notifier_range_init(&range, vma, address, vma_address_end(&pvmw));
        mmu_notifier_invalidate_range_start(&range);

        while (page_vma_mapped_walk(&pvmw)) {
                nr_pages = 1;

                // Munlock or keep mlocked: count the PTEs of a large folio and
                // mlock it only when every page is mapped inside one page table.
                if (!(flags & TTU_IGNORE_MLOCK) && (vma->vm_flags & VM_LOCKED)) {
                        // Before K2c: stop at once; only a small folio is
                        // mlocked again.
                        if (!rules.mlock_large_folios) {
                                if (!folio_test_large(folio))
                                        mlock_vma_folio(folio, vma);
                                goto walk_abort;
                        }
                        ptes++;
                        ret = false;
                        if (pvmw.pte && ptes != pvmw.nr_pages)
                                continue;
                        if (pvmw.flags & PVMW_PGTABLE_CROSSED)
                                goto walk_done;
                        mlock_vma_folio(folio, vma);
                        goto walk_done;
                }

                if (!pvmw.pte) {
                        // The per-PTE model handles every PMD mapping by
                        // splitting it, lazyfree included (the pre-K1 path).
                        if (flags & TTU_SPLIT_HUGE_PMD) {
                                split_huge_pmd_locked(vma, pvmw.address, pvmw.pmd, false);
                                flags &= ~TTU_SPLIT_HUGE_PMD;
                                page_vma_mapped_walk_restart(&pvmw);
                                continue;
                        }
                        // VM_BUG_ON: the scenario builder never leaves a PMD
                        // mapping without TTU_SPLIT_HUGE_PMD.
                        goto walk_abort;
                }

                address = pvmw.address;
                pteval = ptep_get(pvmw.pte);
                pfn = pte_present(pteval) ? pte_pfn(pteval) : softleaf_to_pfn(pteval);
                subpage = folio_page(folio, static_cast<long>(pfn - folio_pfn(folio)));
                anon_exclusive = folio_test_anon(folio) && PageAnonExclusive(subpage);

                if (pte_present(pteval)) {
                        end_addr = address + nr_pages * PAGE_SIZE;
                        flush_cache_page(vma, address, pfn);
                        pteval = get_and_clear_ptes(mm, address, pvmw.pte, nr_pages);
                        if (should_defer_flush(mm, flags))
                                set_tlb_ubc_flush_pending(mm, pteval, address, end_addr);
                        else
                                flush_tlb_range(vma, address, end_addr);
                        if (pte_dirty(pteval))
                                folio_mark_dirty(folio);
                } else {
                        // Device-private or device-exclusive entry.
                        pte_clear(mm, address, pvmw.pte);
                }

                pte_install_uffd_wp_if_needed(vma, address, pvmw.pte, pteval);
                update_hiwater_rss(mm);

                if (PageHWPoison(subpage) && (flags & TTU_HWPOISON)) {
                        set_pte_at(mm, address, pvmw.pte, make_hwpoison_entry(pfn));
                        dec_mm_counter(mm, mm_counter(folio));
                } else if (pte_unused(pteval) && !userfaultfd_armed(vma)) {
                        // The guest marked the page unused (s390): drop it.
                        dec_mm_counter(mm, mm_counter(folio));
                } else if (folio_test_anon(folio)) {
                        // The K5 rule: restore what was cleared before giving up.
                        // K0..K4 WARN_ON_ONCE() and leave the entry none (B10).
                        if (folio_test_swapbacked(folio) != folio_test_swapcache(folio)) {
                                if (rules.nocache_restores)
                                        set_pte_at(mm, address, pvmw.pte, pteval);
                                goto walk_abort;
                        }

                        // MADV_FREE page: discard it if nobody redirtied or
                        // referenced it since the entry was cleared.
                        if (!folio_test_swapbacked(folio)) {
                                int ref_count, map_count;
                                bool droppable =
                                    rules.vm_droppable && (vma->vm_flags & VM_DROPPABLE);

                                // smp_mb() pairs with GUP-fast: read the
                                // counts only after the entry is cleared (B8).
                                ref_count = folio_ref_count(folio);
                                map_count = folio_mapcount(folio);

                                // Since faeb2831b517 (v6.15) the dirty flag is
                                // tested first; before it (K0), only when the
                                // references were right.
                                bool refs_ok = ref_count == 1 + map_count;
                                if ((!rules.lazyfree_refs_first || refs_ok) &&
                                    folio_test_dirty(folio) && !droppable) {
                                        set_pte_at(mm, address, pvmw.pte, pteval);
                                        folio_set_swapbacked(folio);
                                        goto walk_abort;
                                }
                                if (!refs_ok) {
                                        // An extra reference does not make the
                                        // folio swap-backed (faeb2831b517, B7),
                                        // unless the rules recreate the bug.
                                        set_pte_at(mm, address, pvmw.pte, pteval);
                                        if (rules.lazyfree_ref_sets_swapbacked && !droppable)
                                                folio_set_swapbacked(folio);
                                        goto walk_abort;
                                }
                                dec_mm_counter(mm, MM_ANONPAGES);
                                goto discard;
                        }

                        swp_entry_t entry = page_swap_entry(subpage);
                        pte_t swp_pte;

                        if (folio_dup_swap(folio, subpage) < 0) {
                                set_pte_at(mm, address, pvmw.pte, pteval);
                                goto walk_abort;
                        }
                        if (arch_unmap_one(mm, vma, address, pteval) < 0) {
                                folio_put_swap(folio, subpage);
                                set_pte_at(mm, address, pvmw.pte, pteval);
                                goto walk_abort;
                        }
                        // A pinned exclusive page must stay mapped.
                        if (anon_exclusive && folio_try_share_anon_rmap_pte(folio, subpage)) {
                                folio_put_swap(folio, subpage);
                                set_pte_at(mm, address, pvmw.pte, pteval);
                                goto walk_abort;
                        }
                        if (!mm->on_mmlist)
                                mm->on_mmlist = true;
                        dec_mm_counter(mm, MM_ANONPAGES);
                        inc_mm_counter(mm, MM_SWAPENTS);
                        swp_pte = swp_entry_to_pte(entry);
                        if (anon_exclusive)
                                swp_pte = pte_swp_mkexclusive(swp_pte);
                        if (pte_soft_dirty(pteval))
                                swp_pte = pte_swp_mksoft_dirty(swp_pte);
                        if (pte_uffd_wp(pteval))
                                swp_pte = pte_swp_mkuffd_wp(swp_pte);
                        set_pte_at(mm, address, pvmw.pte, swp_pte);
                } else {
                        // Page cache (file or shmem): the data stays in the
                        // cache, only the mapping goes.
                        dec_mm_counter(mm, mm_counter_file(folio));
                }
        discard:
                folio_remove_rmap_pte(folio, subpage, vma);
                if (vma->vm_flags & VM_LOCKED)
                        mlock_drain_local();
                folio_put(folio);
                continue;
        walk_abort:
                ret = false;
        walk_done:
                page_vma_mapped_walk_done(&pvmw);
                break;
        }

        mmu_notifier_invalidate_range_end(&range);
        return ret;
}

bool try_to_unmap(folio *folio, unsigned int flags)
{
        return try_to_unmap_walk(folio, flags, try_to_unmap_one);
}

} // namespace uf::reference
