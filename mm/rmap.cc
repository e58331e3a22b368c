#include "mm/rmap.h"

#include <cerrno>

#include "mm/tlb.h"

namespace uf
{

bool folio_page_valid(page p, const char *what)
{
        if (p.idx >= 0 && p.idx < static_cast<long>(folio_nr_pages(p.folio)))
                return true;
        p.folio->w->report(mm_violation::page_out_of_folio, "%s on page %ld of a %lu-page folio",
                           what, p.idx, folio_nr_pages(p.folio));
        return false;
}

bool PageAnonExclusive(page p)
{
        return folio_page_valid(p, "PageAnonExclusive") && p.folio->anon_exclusive.test(p.idx);
}

bool PageHWPoison(page p)
{
        return folio_page_valid(p, "PageHWPoison") && p.folio->hwpoison.test(p.idx);
}

int folio_ref_count(folio *folio)
{
        world &w = *folio->w;
        if (w.fire_after_clear(event_kind::spec_ref) >= 0) {
                // A speculative folio_try_get(), e.g. from deferred_split_scan() (B7).
                folio->refcount++;
                w.unowned_refs++;
        }
        trace_rec &t = trace_add(w, trace_op::ref_count);
        t.value = folio->refcount;
        t.nr = static_cast<uint16_t>(folio_mapcount(folio));
        return folio->refcount;
}

bool folio_test_dirty(folio *folio)
{
        world &w = *folio->w;
        // A GUP user marks the folio dirty through the reference it holds
        // (B8), so the event needs one: the scenario's extra references, a
        // pin, or a gup_pin that fired.
        if (w.gup_refs > 0 && w.fire_after_clear(event_kind::gup_redirty) >= 0)
                folio->dirty = true;
        trace_add(w, trace_op::test_dirty).value = folio->dirty;
        return folio->dirty;
}

void folio_mark_dirty(folio *folio)
{
        if (!folio->dirty)
                trace_add(*folio->w, trace_op::mark_dirty);
        folio->dirty = true;
}

void folio_set_swapbacked(folio *folio)
{
        trace_add(*folio->w, trace_op::set_swapbacked);
        folio->swapbacked = true;
}

void folio_put_refs(folio *folio, int nr)
{
        world &w = *folio->w;
        w.ops.atomics++;
        folio->refcount -= nr;
        trace_rec &t = trace_add(w, trace_op::put_refs);
        t.nr = static_cast<uint16_t>(nr);
        t.value = folio->refcount;
        if (folio->refcount <= 0)
                w.report(mm_violation::refcount_underflow,
                         "refcount %d after putting %d references", folio->refcount, nr);
}

void folio_put(folio *folio)
{
        folio_put_refs(folio, 1);
}

void deferred_split_folio(folio *folio, bool partially_mapped)
{
        if (!folio_test_anon(folio) || !folio_test_large(folio) || folio->device_private)
                return;
        folio->on_deferred_split = true;
        if (partially_mapped && !folio->partially_mapped) {
                folio->partially_mapped = true;
                folio->split_deferred++;
        }
}

// __folio_remove_rmap() at PTE level, CONFIG_PAGE_MAPCOUNT flavour (docs/semantics.md 7).
// munlock: whether the removal munlocks in a VM_LOCKED VMA (page_remove_rmap_pte()).
static void remove_rmap_ptes(folio *folio, page page, int nr, vm_area_struct *vma, bool munlock)
{
        world &w = *folio->w;
        w.ops.rmap_calls++;
        trace_rec &t = trace_add(w, trace_op::remove_rmap);
        t.page = static_cast<int16_t>(page.idx);
        t.nr = static_cast<uint16_t>(nr);
        if (nr <= 0) {
                w.report(mm_violation::zero_nr, "folio_remove_rmap_ptes(nr=%d)", nr);
                return;
        }
        bool became_unmapped = false;
        for (int i = 0; i < nr; i++) {
                if (!folio_page_valid(page + i, "folio_remove_rmap_ptes"))
                        break;
                w.ops.atomics++;
                if (--folio->mapcount[page.idx + i] < 0)
                        w.report(mm_violation::mapcount_underflow, "page %ld mapcount %d",
                                 page.idx + i, folio->mapcount[page.idx + i]);
                if (folio->mapcount[page.idx + i] == 0)
                        became_unmapped = true;
                folio->large_mapcount--;
        }
        w.ops.atomics++;
        // Some page lost its last mapping while others stay mapped: the folio
        // is now partially mapped and is queued for deferred split.
        if (became_unmapped && folio->large_mapcount > 0 && !folio->entire_mapcount)
                deferred_split_folio(folio, true);
        if (munlock)
                munlock_vma_folio(folio, vma);
}

void folio_remove_rmap_ptes(folio *folio, page page, int nr, vm_area_struct *vma)
{
        remove_rmap_ptes(folio, page, nr, vma, true);
}

void folio_remove_rmap_pte(folio *folio, page page, vm_area_struct *vma)
{
        folio_remove_rmap_ptes(folio, page, 1, vma);
}

// Before the folio rmap calls (6.8), page_remove_rmap() ended with
// munlock_vma_page(), which munlocks for a PTE only when the page is no
// part of a large folio: a PTE mapping of a large folio cannot be counted.
void page_remove_rmap_pte(folio *folio, page page, vm_area_struct *vma)
{
        remove_rmap_ptes(folio, page, 1, vma, !folio_test_large(folio));
}

void folio_remove_rmap_pmd(folio *folio, page, vm_area_struct *vma)
{
        folio->w->ops.rmap_calls++;
        trace_add(*folio->w, trace_op::remove_rmap_pmd).page = 0;
        folio->w->ops.atomics += 2;
        folio->entire_mapcount--;
        folio->large_mapcount--;
        if (folio->entire_mapcount < 0)
                folio->w->report(mm_violation::mapcount_underflow, "entire mapcount %d",
                                 folio->entire_mapcount);
        munlock_vma_folio(folio, vma);
}

// folio_try_share_anon_rmap_ptes() (Dev Jain 2026, docs/semantics.md 9): one
// folio-wide pin check, then PageAnonExclusive cleared on all nr pages.
int folio_try_share_anon_rmap_ptes(folio *folio, page page, int nr)
{
        world &w = *folio->w;
        trace_rec &t = trace_add(w, trace_op::try_share);
        t.page = static_cast<int16_t>(page.idx);
        t.nr = static_cast<uint16_t>(nr);
        if (nr <= 0) {
                w.report(mm_violation::zero_nr, "folio_try_share_anon_rmap_ptes(nr=%d)", nr);
                return 0;
        }
        // A pinned exclusive page must stay exclusive: GUP may be writing it.
        if (folio_maybe_dma_pinned(folio))
                return t.value = -EBUSY;
        for (int i = 0; i < nr; i++) {
                if (!folio_page_valid(page + i, "folio_try_share_anon_rmap_ptes"))
                        break;
                w.ops.atomics++;
                folio->anon_exclusive.reset(page.idx + i);
        }
        return 0;
}

int folio_try_share_anon_rmap_pte(folio *folio, page page)
{
        return folio_try_share_anon_rmap_ptes(folio, page, 1);
}

void add_mm_counter(mm_struct *mm, int member, long value)
{
        mm->w->ops.atomics++;
        mm->rss_stat[member] += value;
        trace_rec &t = trace_add(*mm->w, trace_op::mm_counter);
        t.kind = static_cast<uint8_t>(member);
        t.bits = static_cast<uint8_t>(mm->id);
        t.value = static_cast<int32_t>(value);
}

void inc_mm_counter(mm_struct *mm, int member)
{
        add_mm_counter(mm, member, 1);
}

void dec_mm_counter(mm_struct *mm, int member)
{
        add_mm_counter(mm, member, -1);
}

void update_hiwater_rss(mm_struct *) {}

void mlock_vma_folio(folio *folio, vm_area_struct *vma)
{
        if (!(vma->vm_flags & VM_LOCKED))
                return;
        if (!folio->mlocked)
                trace_add(*folio->w, trace_op::mlock);
        folio->mlocked = true;
        folio->mlock_count++;
}

// The folio is isolated during reclaim, so __munlock_folio() finds it off the
// LRU and simply clears PG_mlocked: the first munlock wins (mm/mlock.c).
void munlock_vma_folio(folio *folio, vm_area_struct *vma)
{
        if (!(vma->vm_flags & VM_LOCKED))
                return;
        if (folio->mlocked)
                trace_add(*folio->w, trace_op::munlock);
        folio->mlocked = false;
        folio->mlock_count = 0;
}

void mlock_drain_local() {}

// ---- page_vma_mapped_walk ----

unsigned long vma_address(const vm_area_struct *vma, unsigned long pgoff, unsigned long nr_pages)
{
        if (pgoff >= vma->vm_pgoff) {
                unsigned long address = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
                if (address < vma->vm_start || address >= vma->vm_end)
                        return EFAULT_ADDRESS;
                return address;
        }
        if (pgoff + nr_pages - 1 >= vma->vm_pgoff)
                return vma->vm_start;
        return EFAULT_ADDRESS;
}

unsigned long vma_address_end(const struct page_vma_mapped_walk *pvmw)
{
        const vm_area_struct *vma = pvmw->vma;
        if (pvmw->nr_pages == 1)
                return pvmw->address + PAGE_SIZE;
        unsigned long address =
            vma->vm_start + ((pvmw->pgoff + pvmw->nr_pages - vma->vm_pgoff) << PAGE_SHIFT);
        if (address < vma->vm_start || address > vma->vm_end)
                address = vma->vm_end;
        return address;
}

struct page_vma_mapped_walk folio_vma_walk(folio *folio, vm_area_struct *vma, unsigned long address,
                                           unsigned int flags)
{
        struct page_vma_mapped_walk pvmw {
        };
        pvmw.pfn = folio_pfn(folio);
        pvmw.nr_pages = folio_nr_pages(folio);
        pvmw.pgoff = folio->index;
        pvmw.vma = vma;
        pvmw.address = address;
        pvmw.flags = flags;
        return pvmw;
}

// check_pte(): a present entry or a device-private/exclusive entry whose pfn
// falls inside the folio; nothing else counts as a mapping.
static bool check_pte(struct page_vma_mapped_walk *pvmw)
{
        pte_t pte = ptep_get(pvmw->pte);
        unsigned long pfn;
        if (pte_present(pte))
                pfn = pte_pfn(pte);
        else if (is_device_entry(pte))
                pfn = softleaf_to_pfn(pte);
        else
                return false;
        return pfn >= pvmw->pfn && pfn < pvmw->pfn + pvmw->nr_pages;
}

// The walk returns a mapping: trace where, and of which page.
static bool found(struct page_vma_mapped_walk *pvmw)
{
        world &w = *pvmw->vma->vm_mm->w;
        trace_rec &t = trace_add(w, trace_op::walk);
        t.addr = static_cast<uint32_t>(pvmw->address);
        if (!pvmw->pte) {
                t.bits = 1; // a PMD mapping
                t.page = 0;
        } else {
                pte_t pte = pte_peek(w, pvmw->pte.table, pvmw->pte.idx);
                t.page = static_cast<int16_t>(pte.val - pvmw->pfn);
        }
        return true;
}

static bool not_found(struct page_vma_mapped_walk *pvmw)
{
        page_vma_mapped_walk_done(pvmw);
        return false;
}

static void step_forward(struct page_vma_mapped_walk *pvmw, unsigned long size)
{
        pvmw->address = (pvmw->address + size) & ~(size - 1);
        if (!pvmw->address)
                pvmw->address = ~0UL;
}

bool page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw)
{
        vm_area_struct *vma = pvmw->vma;
        mm_struct *mm = vma->vm_mm;
        world &w = *mm->w;
        unsigned long end = vma_address_end(pvmw);

        // The last call returned a PMD mapping: nothing follows it.
        if (pvmw->pmd && !pvmw->pte)
                return not_found(pvmw);
        if (pvmw->pte)
                goto next_pte;
restart:
        do {
                w.ops.walk_steps++;
                if ((pvmw->address >> PMD_SHIFT) >= PMDS_PER_MM)
                        return not_found(pvmw);
                pvmw->pmd = &mm->pmd[pvmw->address >> PMD_SHIFT];
                if (pvmw->pmd->kind == pmd_kind::huge) {
                        if (pte_pfn(pvmw->pmd->huge) + HPAGE_PMD_NR <= pvmw->pfn ||
                            pte_pfn(pvmw->pmd->huge) >= pvmw->pfn + pvmw->nr_pages)
                                return not_found(pvmw);
                        pvmw->ptl = true;
                        return found(pvmw);
                }
                if (pvmw->pmd->kind == pmd_kind::none) {
                        step_forward(pvmw, PMD_SIZE);
                        continue;
                }
                pvmw->pte =
                    pte_ptr{&w, pvmw->pmd->table, static_cast<long>(pte_index(pvmw->address))};
                pvmw->ptl = true;
                for (;;) {
                        if (check_pte(pvmw))
                                return found(pvmw);
                next_pte:
                        do {
                                w.ops.walk_steps++;
                                pvmw->address += PAGE_SIZE;
                                if (pvmw->address >= end)
                                        return not_found(pvmw);
                                // Crossing into the next page table: re-descend.
                                if ((pvmw->address & (PMD_SIZE - PAGE_SIZE)) == 0) {
                                        pvmw->ptl = false;
                                        pvmw->pte = pte_ptr{};
                                        pvmw->flags |= PVMW_PGTABLE_CROSSED;
                                        goto restart;
                                }
                                ++pvmw->pte;
                        } while (pte_none(ptep_get(pvmw->pte)));
                }
        } while (pvmw->address < end);
        return false;
}

void page_vma_mapped_walk_done(struct page_vma_mapped_walk *pvmw)
{
        pvmw->ptl = false;
}

void page_vma_mapped_walk_restart(struct page_vma_mapped_walk *pvmw)
{
        pvmw->ptl = false;
        pvmw->pmd = nullptr;
        pvmw->pte = pte_ptr{};
}

// ---- rmap_walk ----

bool folio_not_mapped(folio *folio)
{
        return !folio_mapped(folio);
}

int rmap_walk_order(const world &w, int order[MAX_VMAS])
{
        int n = 0;
        for (int i = 0; i < w.nr_vmas && i < MAX_VMAS; i++) {
                // Insertion sort, stable: an equal vm_pgoff goes after the ones
                // already there, as the interval tree's insert puts an equal
                // start to the right.
                int j = n++;
                while (j > 0 && w.vmas[order[j - 1]].vm_pgoff > w.vmas[i].vm_pgoff) {
                        order[j] = order[j - 1];
                        j--;
                }
                order[j] = i;
        }
        return n;
}

// rmap_walk_anon() / rmap_walk_file(): every VMA whose pgoff range overlaps the
// folio, in the order of anon_vma_interval_tree_foreach() and
// vma_interval_tree_foreach(): the interval trees (mm/interval_tree.c) are
// keyed by the VMA's first pgoff (vm_pgoff), and their iterators visit the
// overlapping nodes in ascending key order. Equal keys keep insertion order;
// the model takes the scenario's listing order for that (a fork's child VMA
// listed after its parent's, as dup_mmap() inserts it right after). Since
// try_to_unmap() stops at the first try_to_unmap_one() that returns false,
// this order decides outcomes.
void rmap_walk_locked(folio *folio, rmap_walk_control *rwc)
{
        world &w = *folio->w;
        unsigned long pgoff_start = folio->index;
        unsigned long pgoff_end = pgoff_start + folio_nr_pages(folio) - 1;
        int order[MAX_VMAS];
        int n = rmap_walk_order(w, order);
        for (int k = 0; k < n; k++) {
                vm_area_struct *vma = &w.vmas[order[k]];
                unsigned long vma_pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
                if (vma->vm_pgoff > pgoff_end || vma->vm_pgoff + vma_pages <= pgoff_start)
                        continue;
                unsigned long address = vma_address(vma, pgoff_start, folio_nr_pages(folio));
                if (address == EFAULT_ADDRESS)
                        continue;
                if (!rwc->rmap_one(folio, vma, address, rwc->arg))
                        break;
                if (rwc->done && rwc->done(folio))
                        break;
        }
}

void rmap_walk(folio *folio, rmap_walk_control *rwc)
{
        rmap_walk_locked(folio, rwc);
}

namespace
{
struct unmap_walk_arg {
        unsigned int flags;
        rmap_one_fn rmap_one;
        bool ret;
};
} // namespace

bool try_to_unmap_walk(folio *folio, unsigned int flags, rmap_one_fn rmap_one)
{
        unmap_walk_arg arg{flags, rmap_one, true};
        rmap_walk_control rwc{};
        rwc.arg = &arg;
        rwc.rmap_one = [](uf::folio *f, vm_area_struct *vma, unsigned long addr, void *a) {
                auto *ua = static_cast<unmap_walk_arg *>(a);
                // The kernel passes the TTU flags as the rmap_one argument.
                bool ret =
                    ua->rmap_one(f, vma, addr, reinterpret_cast<void *>(uintptr_t{ua->flags}));
                trace_rec &t = trace_add(*f->w, trace_op::call_ret);
                t.vma = static_cast<uint8_t>(f->w->vma_index(vma));
                t.value = ret;
                ua->ret &= ret;
                return ret;
        };
        rwc.done = folio_not_mapped;
        if (flags & TTU_RMAP_LOCKED)
                rmap_walk_locked(folio, &rwc);
        else
                rmap_walk(folio, &rwc);
        return arg.ret;
}

} // namespace uf
