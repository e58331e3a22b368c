// The batched implementation: try_to_unmap_one() as mm/rmap.c has it with
// large-folio batching (docs/semantics.md 4, 5, 8, 9):
//  - folio_unmap_pte_batch() bounded by pmd_addr_end(addr, vm_end) and the
//    folio's end, respecting write and soft-dirty (29f40594a281, CVE-2026-31398);
//  - lazyfree anon and file/shmem batches (Barry Song v6.15, Baolin Wang v7.0);
//  - uffd-wp markers for every slot of a batch (the K5 cond_install_uffd_wp_ptes()
//    behaviour; K3/K4 instead refuse to batch in a userfaultfd_wp() VMA);
//  - swap-backed anon batches split into sub-batches of equal PageAnonExclusive
//    (Dev Jain's 2026 series, docs/semantics.md 9);
//  - PMD-mapped lazyfree folios discarded without a split;
//  - nr_pages reset on every iteration (CVE-2026-63950).
#include "batched/rmap.h"

#include "mm/huge_memory.h"
#include "mm/internal.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/tlb.h"

namespace uf::batched
{

static unsigned int folio_unmap_pte_batch(folio *folio, struct page_vma_mapped_walk *pvmw,
                                          unsigned int flags, pte_t pte)
{
        vm_area_struct *vma = pvmw->vma;
        unsigned long end_addr, addr = pvmw->address;
        unsigned int max_nr;

        if (flags & TTU_HWPOISON)
                return 1;
        if (!folio_test_large(folio))
                return 1;

        // We may only batch within a single VMA and a single page table.
        end_addr = pmd_addr_end(addr, vma->vm_end);
        max_nr = static_cast<unsigned int>((end_addr - addr) >> PAGE_SHIFT);

        // Where arch_unmap_one() can fail (sparc64 ADI) swap-backed anon stays
        // per-PTE, as the 2026 anon series does.
        if (folio_test_anon(folio) && folio_test_swapbacked(folio) && arch_has_unmap_one(*folio->w))
                return 1;
        if (pte_unused(pte))
                return 1;

        // A batch restored with set_ptes() gets slot 0's write and soft-dirty
        // bits, so those must be equal across it (CVE-2026-31398).
        return folio_pte_batch_flags(folio, vma, pvmw->pte, &pte, max_nr,
                                     FPB_RESPECT_WRITE | FPB_RESPECT_SOFT_DIRTY);
}

// page_anon_exclusive_batch() (mm/mprotect.c, reused by the anon series): the
// length of the run from start_idx whose pages share PageAnonExclusive. The
// pages are counted from the page of the batch's first slot, never from the
// folio head (B13, Dev Jain 2025-08-06).
static int page_anon_exclusive_batch(int start_idx, int max_len, page first_page,
                                     bool expected_anon_exclusive)
{
        int idx;

        for (idx = start_idx + 1; idx < start_idx + max_len; ++idx) {
                if (expected_anon_exclusive != PageAnonExclusive(first_page + idx))
                        break;
        }
        return idx - start_idx;
}

// Turns the nr cleared slots of a swap-backed anon batch into swap entries,
// one sub-batch of equal exclusivity at a time. On failure the failing and
// every later sub-batch are restored, the converted prefix is accounted, and
// false is returned (docs/semantics.md 9: the only correct shape, B14).
static bool ttu_anon_swapbacked_batch(folio *folio, vm_area_struct *vma, unsigned long address,
                                      pte_ptr ptep, pte_t pteval, page subpage, int nr)
{
        mm_struct *mm = vma->vm_mm;
        int i = 0;

        while (i < nr) {
                bool exclusive = PageAnonExclusive(subpage + i);
                int len = page_anon_exclusive_batch(i, nr - i, subpage, exclusive);

                if (folio_dup_swap_pages(folio, subpage + i, len) < 0)
                        goto fail;
                if (arch_unmap_one(mm, vma, address + i * PAGE_SIZE, pte_advance_pfn(pteval, i)) <
                    0) {
                        folio_put_swap_pages(folio, subpage + i, len);
                        goto fail;
                }
                if (exclusive && folio_try_share_anon_rmap_ptes(folio, subpage + i, len)) {
                        folio_put_swap_pages(folio, subpage + i, len);
                        goto fail;
                }
                if (!mm->on_mmlist)
                        mm->on_mmlist = true;
                add_mm_counter(mm, MM_ANONPAGES, -len);
                add_mm_counter(mm, MM_SWAPENTS, len);

                // set_ptes() cannot advance a swap offset: one entry at a time.
                for (int k = i; k < i + len; k++) {
                        pte_t swp_pte = swp_entry_to_pte(page_swap_entry(subpage + k));

                        if (exclusive)
                                swp_pte = pte_swp_mkexclusive(swp_pte);
                        if (pte_soft_dirty(pteval))
                                swp_pte = pte_swp_mksoft_dirty(swp_pte);
                        if (pte_uffd_wp(pteval))
                                swp_pte = pte_swp_mkuffd_wp(swp_pte);
                        set_pte_at(mm, address + k * PAGE_SIZE, ptep + k, swp_pte);
                }
                i += len;
        }
        return true;

fail:
        set_ptes(mm, address + i * PAGE_SIZE, ptep + i, pte_advance_pfn(pteval, i),
                 static_cast<unsigned int>(nr - i));
        if (i) {
                folio_remove_rmap_ptes(folio, subpage, i, vma);
                folio_put_refs(folio, i);
        }
        return false;
}

bool try_to_unmap_one(folio *folio, vm_area_struct *vma, unsigned long address, void *arg)
{
        mm_struct *mm = vma->vm_mm;
        struct page_vma_mapped_walk pvmw = folio_vma_walk(folio, vma, address, 0);
        pte_t pteval;
        page subpage;
        bool ret = true;
        mmu_notifier_range range;
        unsigned int flags = static_cast<unsigned int>(reinterpret_cast<uintptr_t>(arg));
        unsigned long nr_pages = 1, end_addr;
        unsigned long pfn;
        unsigned long ptes = 0;

        if (flags & TTU_SYNC)
                pvmw.flags = PVMW_SYNC;

        mmu_notifier_range_init(&range, vma, address, vma_address_end(&pvmw));
        mmu_notifier_invalidate_range_start(&range);

        while (page_vma_mapped_walk(&pvmw)) {
                // A device entry never calls folio_unmap_pte_batch(): without
                // this reset it would reuse the last batch size (CVE-2026-63950).
                nr_pages = 1;

                if (!(flags & TTU_IGNORE_MLOCK) && (vma->vm_flags & VM_LOCKED)) {
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
                        // A PMD-mapped lazyfree folio is discarded whole.
                        if (folio_test_lazyfree(folio)) {
                                if (unmap_huge_pmd_locked(vma, pvmw.address, pvmw.pmd, folio))
                                        goto walk_done;
                                goto walk_abort;
                        }
                        if (flags & TTU_SPLIT_HUGE_PMD) {
                                split_huge_pmd_locked(vma, pvmw.address, pvmw.pmd, false);
                                flags &= ~TTU_SPLIT_HUGE_PMD;
                                page_vma_mapped_walk_restart(&pvmw);
                                continue;
                        }
                        goto walk_abort;
                }

                address = pvmw.address;
                pteval = ptep_get(pvmw.pte);
                pfn = pte_present(pteval) ? pte_pfn(pteval) : softleaf_to_pfn(pteval);
                subpage = folio_page(folio, static_cast<long>(pfn - folio_pfn(folio)));

                if (pte_present(pteval)) {
                        nr_pages = folio_unmap_pte_batch(folio, &pvmw, flags, pteval);
                        end_addr = address + nr_pages * PAGE_SIZE;
                        flush_cache_range(vma, address, end_addr);

                        // Dirty and young of the whole batch are gathered
                        // into pteval (get_and_clear_full_ptes).
                        pteval = get_and_clear_ptes(mm, address, pvmw.pte,
                                                    static_cast<unsigned int>(nr_pages));
                        if (should_defer_flush(mm, flags))
                                set_tlb_ubc_flush_pending(mm, pteval, address, end_addr);
                        else
                                flush_tlb_range(vma, address, end_addr);
                        if (pte_dirty(pteval))
                                folio_mark_dirty(folio);
                } else {
                        pte_clear(mm, address, pvmw.pte);
                }

                cond_install_uffd_wp_ptes(vma, address, pvmw.pte, pteval,
                                          static_cast<unsigned int>(nr_pages));
                update_hiwater_rss(mm);

                if (PageHWPoison(subpage) && (flags & TTU_HWPOISON)) {
                        set_pte_at(mm, address, pvmw.pte, make_hwpoison_entry(pfn));
                        dec_mm_counter(mm, mm_counter(folio));
                } else if (pte_unused(pteval) && !userfaultfd_armed(vma)) {
                        dec_mm_counter(mm, mm_counter(folio));
                } else if (folio_test_anon(folio)) {
                        // The K5 rule: put back everything cleared before
                        // giving up (K0..K4 left it none, B10).
                        if (folio_test_swapbacked(folio) != folio_test_swapcache(folio)) {
                                set_ptes(mm, address, pvmw.pte, pteval,
                                         static_cast<unsigned int>(nr_pages));
                                goto walk_abort;
                        }

                        if (!folio_test_swapbacked(folio)) {
                                int ref_count, map_count;

                                // One check for the whole batch, after the
                                // clear (smp_mb() pairs with GUP-fast, B8).
                                ref_count = folio_ref_count(folio);
                                map_count = folio_mapcount(folio);

                                if (folio_test_dirty(folio) && !(vma->vm_flags & VM_DROPPABLE)) {
                                        set_ptes(mm, address, pvmw.pte, pteval,
                                                 static_cast<unsigned int>(nr_pages));
                                        folio_set_swapbacked(folio);
                                        goto walk_abort;
                                } else if (ref_count != 1 + map_count) {
                                        set_ptes(mm, address, pvmw.pte, pteval,
                                                 static_cast<unsigned int>(nr_pages));
                                        goto walk_abort;
                                }
                                add_mm_counter(mm, MM_ANONPAGES, -static_cast<long>(nr_pages));
                                goto discard;
                        }

                        if (!ttu_anon_swapbacked_batch(folio, vma, address, pvmw.pte, pteval,
                                                       subpage, static_cast<int>(nr_pages)))
                                goto walk_abort;
                } else {
                        add_mm_counter(mm, mm_counter_file(folio), -static_cast<long>(nr_pages));
                }
        discard:
                folio_remove_rmap_ptes(folio, subpage, static_cast<int>(nr_pages), vma);
                if (vma->vm_flags & VM_LOCKED)
                        mlock_drain_local();
                folio_put_refs(folio, static_cast<int>(nr_pages));

                // Stop only when the batch covered the whole folio: a partial
                // batch leaves more slots for the walk to find.
                if (nr_pages == folio_nr_pages(folio))
                        goto walk_done;
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

} // namespace uf::batched
