// Reverse mapping: rmap accounting on the folio (mm/rmap.c __folio_remove_rmap,
// folio_try_share_anon_rmap_*), references, mm counters, mlock, and the walks
// (mm/page_vma_mapped.c page_vma_mapped_walk, mm/rmap.c rmap_walk).
#pragma once

#include "mm/pte_ops.h"
#include "mm/world.h"

namespace uf
{

// ---- struct page / folio accessors that can be handed a bad page ----
// True when p names a page of its folio; otherwise reports page_out_of_folio
// for `what` (the "walked off the folio" class of bug, B5) and returns false.
bool folio_page_valid(page p, const char *what);
bool PageAnonExclusive(page p);
bool PageHWPoison(page p);

// ---- references and flags ----
int folio_ref_count(folio *folio);   // fires spec_ref (docs/semantics.md 12)
bool folio_test_dirty(folio *folio); // fires gup_redirty
void folio_mark_dirty(folio *folio);
void folio_put_refs(folio *folio, int nr);
void folio_put(folio *folio);

// ---- rmap ----
void folio_remove_rmap_ptes(folio *folio, page page, int nr, vm_area_struct *vma);
void folio_remove_rmap_pte(folio *folio, page page, vm_area_struct *vma);
void folio_remove_rmap_pmd(folio *folio, page page, vm_area_struct *vma);
// page_remove_rmap(page, vma, false) before 6.8: as folio_remove_rmap_pte(),
// but munlocks only a small folio.
void page_remove_rmap_pte(folio *folio, page page, vm_area_struct *vma);
int folio_try_share_anon_rmap_ptes(folio *folio, page page, int nr);
int folio_try_share_anon_rmap_pte(folio *folio, page page);
void deferred_split_folio(folio *folio, bool partially_mapped);

// ---- mm counters (include/linux/mm.h) ----
void add_mm_counter(mm_struct *mm, int member, long value);
void inc_mm_counter(mm_struct *mm, int member);
void dec_mm_counter(mm_struct *mm, int member);
void update_hiwater_rss(mm_struct *mm);

// ---- mlock (mm/mlock.c, mm/internal.h) ----
void mlock_vma_folio(folio *folio, vm_area_struct *vma);
void munlock_vma_folio(folio *folio, vm_area_struct *vma);
void mlock_drain_local();

// ---- cache maintenance: no effect in the model, kept for line-by-line ports ----
inline void flush_cache_range(vm_area_struct *, unsigned long, unsigned long) {}
inline void flush_cache_page(vm_area_struct *, unsigned long, unsigned long) {}

// ---- page_vma_mapped_walk (docs/semantics.md 3) ----
enum : unsigned int {
        PVMW_SYNC = 1 << 0,
        PVMW_MIGRATION = 1 << 1,
        PVMW_PGTABLE_CROSSED = 1 << 2,
};

struct page_vma_mapped_walk {
        unsigned long pfn;
        unsigned long nr_pages;
        unsigned long pgoff;
        vm_area_struct *vma;
        unsigned long address;
        pmd_t *pmd;
        pte_ptr pte;
        bool ptl;
        unsigned int flags;
};

// DEFINE_FOLIO_VMA_WALK()
struct page_vma_mapped_walk folio_vma_walk(folio *folio, vm_area_struct *vma, unsigned long address,
                                           unsigned int flags);
bool page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw);
void page_vma_mapped_walk_done(struct page_vma_mapped_walk *pvmw);
void page_vma_mapped_walk_restart(struct page_vma_mapped_walk *pvmw);
unsigned long vma_address(const vm_area_struct *vma, unsigned long pgoff, unsigned long nr_pages);
unsigned long vma_address_end(const struct page_vma_mapped_walk *pvmw);

constexpr unsigned long EFAULT_ADDRESS = ~0UL;

// ---- rmap_walk (mm/rmap.c) ----
struct rmap_walk_control {
        void *arg;
        bool (*rmap_one)(folio *folio, vm_area_struct *vma, unsigned long addr, void *arg);
        bool (*done)(folio *folio);
};
void rmap_walk(folio *folio, rmap_walk_control *rwc);
// The order rmap_walk() visits the world's VMAs in: ascending vm_pgoff, equal
// ones in listing order. Fills order[] with VMA indices; returns how many.
int rmap_walk_order(const world &w, int order[MAX_VMAS]);
void rmap_walk_locked(folio *folio, rmap_walk_control *rwc);
bool folio_not_mapped(folio *folio);

// try_to_unmap(): the rmap walk with try_to_unmap_one as rmap_one and
// folio_not_mapped as done. The kernel's returns void; this one also reports
// whether every try_to_unmap_one() call returned true (invariant I11).
using rmap_one_fn = bool (*)(folio *folio, vm_area_struct *vma, unsigned long addr, void *arg);
bool try_to_unmap_walk(folio *folio, unsigned int flags, rmap_one_fn rmap_one);

} // namespace uf
