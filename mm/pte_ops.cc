#include "mm/pte_ops.h"

#include "mm/gup.h"
#include "mm/rmap.h"
#include "mm/tlb.h"

namespace uf
{

unsigned long pte_ptr::address() const
{
        return w->table_pmd[table] * PMD_SIZE + static_cast<unsigned long>(idx) * PAGE_SIZE;
}

// The folio page a slot's entry maps, or -1 for anything else.
static long folio_page_of(const world &w, pte_t pte)
{
        if (pte.kind != pte_kind::present && !is_device_entry(pte))
                return -1;
        unsigned long pfn = pte.val;
        if (pfn < w.folio.pfn || pfn >= w.folio.pfn + folio_nr_pages(&w.folio))
                return -1;
        return static_cast<long>(pfn - w.folio.pfn);
}

// Checks one access; returns false (and reports) when the slot lies outside
// its table, so the caller neither reads nor writes it.
static bool check_access(pte_ptr ptep, bool write)
{
        world &w = *ptep.w;
        if (ptep.idx < 0 || ptep.idx >= static_cast<long>(PTRS_PER_PTE)) {
                w.report(mm_violation::table_bounds, "slot %ld of a %lu-slot table accessed",
                         ptep.idx, PTRS_PER_PTE);
                return false;
        }
        const vm_area_struct *vma = w.cur_vma;
        if (!vma)
                return true;
        unsigned long addr = ptep.address();
        if (&w.mms[w.table_mm[ptep.table]] != vma->vm_mm || addr < vma->vm_start ||
            addr >= vma->vm_end)
                w.report(mm_violation::vma_bounds,
                         "slot at 0x%lx touched while unmapping VMA [0x%lx, 0x%lx)", addr,
                         vma->vm_start, vma->vm_end);
        else if (write && (addr < w.cur_start || addr >= w.cur_end))
                w.report(mm_violation::notifier_range,
                         "slot at 0x%lx written outside notifier range [0x%lx, 0x%lx)", addr,
                         w.cur_start, w.cur_end);
        return true;
}

pte_t pte_peek(const world &w, int table, long idx)
{
        if (table < 0 || table >= w.nr_tables || idx < 0 || idx >= static_cast<long>(PTRS_PER_PTE))
                return pte_t{};
        return w.tables[table][idx];
}

pte_t ptep_get(pte_ptr ptep)
{
        ptep.w->ops.pte_reads++;
        if (!check_access(ptep, false))
                return pte_t{};
        return ptep.w->tables[ptep.table][ptep.idx];
}

static void write_slot(pte_ptr ptep, pte_t pte)
{
        ptep.w->ops.pte_writes++;
        if (!check_access(ptep, true))
                return;
        world &w = *ptep.w;
        w.tables[ptep.table][ptep.idx] = pte;
        // A new translation may be cached once the entry is present again.
        tlb_entry &e = w.tlb[ptep.table][ptep.idx];
        if (pte_accessible(pte) && !e.cached) {
                e.cached = 1;
                e.pfn = pte.val;
                e.dirty = pte_write_cached(pte);
        }
}

// One trace record per set_ptes() call; consecutive single-entry writes of
// swap entries or markers (the swap ptes of a sub-batch, a batch's markers)
// extend the record before them.
static void trace_set(pte_ptr ptep, pte_t pte, unsigned int nr)
{
        world &w = *ptep.w;
        trace_op op = is_pte_marker(pte) ? trace_op::marker : trace_op::set_pte;
        uint32_t addr = static_cast<uint32_t>(ptep.address());
        if (w.nr_trace > 0 && nr == 1) {
                trace_rec &last = w.trace[w.nr_trace - 1];
                bool follows = last.op == op && last.kind == static_cast<uint8_t>(pte.kind) &&
                               last.bits == pte.bits &&
                               last.vma == (w.cur_vma ? w.vma_index(w.cur_vma) : 0xff) &&
                               addr == last.addr + last.nr * PAGE_SIZE;
                if (follows && is_swap_pte(pte) &&
                    static_cast<uint32_t>(last.value) + last.nr == pte.val) {
                        last.nr++;
                        return;
                }
                if (follows && is_pte_marker(pte)) {
                        last.nr++;
                        return;
                }
        }
        trace_rec &t = trace_add(w, op);
        t.addr = addr;
        t.nr = static_cast<uint16_t>(nr);
        t.kind = static_cast<uint8_t>(pte.kind);
        t.bits = pte.bits;
        t.page = static_cast<int16_t>(folio_page_of(w, pte));
        if (is_swap_pte(pte))
                t.value = static_cast<int32_t>(pte.val);
}

void set_ptes(mm_struct *, unsigned long, pte_ptr ptep, pte_t pte, unsigned int nr)
{
        if (nr)
                trace_set(ptep, pte, nr);
        if (nr == 0) {
                ptep.w->report(mm_violation::zero_nr, "set_ptes(nr=0)");
                return;
        }
        if (nr > 1 && !pte_present(pte))
                ptep.w->report(mm_violation::bad_set_ptes,
                               "set_ptes(nr=%u) cannot advance a non-present entry", nr);
        for (;;) {
                write_slot(ptep, pte);
                if (--nr == 0)
                        break;
                ++ptep;
                pte = pte_next_pfn(pte);
        }
}

void set_pte_at(mm_struct *mm, unsigned long addr, pte_ptr ptep, pte_t pte)
{
        set_ptes(mm, addr, ptep, pte, 1);
}

void pte_clear(mm_struct *, unsigned long, pte_ptr ptep)
{
        world &w = *ptep.w;
        pte_t old = ptep_get(ptep);
        long page = folio_page_of(w, old);
        trace_rec &t = trace_add(w, trace_op::dev_clear);
        t.addr = static_cast<uint32_t>(ptep.address());
        t.page = static_cast<int16_t>(page);
        write_slot(ptep, pte_t{});
        if (page >= 0)
                w.page_cleared.set(page);
}

// Fires the events keyed to "just before page p's slot is cleared" (docs/design.md
// 5), then clears the slot. Hardware may set dirty or young until the very
// moment of the atomic clear; a GUP-fast that still sees the present entry
// takes its reference now.
pte_t ptep_get_and_clear_full(mm_struct *, unsigned long, pte_ptr ptep, int)
{
        world &w = *ptep.w;
        w.ops.atomics++;
        pte_t pte = ptep_get(ptep);
        long page = folio_page_of(w, pte);
        // Only an accessible entry can be used by hardware or GUP-fast: a
        // NUMA-hinting protnone entry faults on any access, and
        // gup_fast_pte_range() refuses it.
        if (page >= 0 && pte_accessible(pte) && check_access(ptep, false)) {
                tlb_entry &e = w.tlb[ptep.table][ptep.idx];
                // The CPU sets the dirty bit only on a write it may make.
                if (pte_write(pte) && w.fire(event_kind::hw_dirty, page)) {
                        pte = pte_mkdirty(pte);
                        if (e.cached)
                                e.dirty = 1;
                }
                if (w.fire(event_kind::hw_young, page))
                        pte = pte_mkyoung(pte);
                if (gup_fast_may_pin(&w.folio, page, pte) && w.fire(event_kind::gup_pin, page))
                        try_grab_folio(&w.folio, 1, FOLL_PIN);
        }
        write_slot(ptep, pte_t{});
        if (page >= 0)
                w.page_cleared.set(page);
        return pte;
}

pte_t get_and_clear_full_ptes(mm_struct *mm, unsigned long addr, pte_ptr ptep, unsigned int nr,
                              int full)
{
        world &w = *ptep.w;
        if (nr == 0) {
                w.report(mm_violation::zero_nr, "get_and_clear_full_ptes(nr=0)");
                return pte_t{};
        }
        if (w.nr_clears < MAX_CLEAR_LOG)
                w.clear_log[w.nr_clears] = clear_record{static_cast<uint8_t>(mm->id), addr, nr};
        w.nr_clears++;
        trace_rec &t = trace_add(w, trace_op::clear);
        t.addr = static_cast<uint32_t>(addr);
        t.nr = static_cast<uint16_t>(nr);
        t.page = static_cast<int16_t>(folio_page_of(w, pte_peek(w, ptep.table, ptep.idx)));
        pte_t pte = ptep_get_and_clear_full(mm, addr, ptep, full);
        while (--nr) {
                ++ptep;
                addr += PAGE_SIZE;
                pte_t tmp = ptep_get_and_clear_full(mm, addr, ptep, full);
                if (pte_dirty(tmp))
                        pte = pte_mkdirty(pte);
                if (pte_young(tmp))
                        pte = pte_mkyoung(pte);
        }
        t.bits = pte.bits;
        return pte;
}

pte_t get_and_clear_ptes(mm_struct *mm, unsigned long addr, pte_ptr ptep, unsigned int nr)
{
        return get_and_clear_full_ptes(mm, addr, ptep, nr, 0);
}

bool pte_install_uffd_wp_if_needed(vm_area_struct *vma, unsigned long addr, pte_ptr ptep,
                                   pte_t pteval)
{
        if (!pte_none(ptep_get(ptep)))
                ptep.w->report(mm_violation::marker_not_none,
                               "uffd-wp marker installed over a live slot at 0x%lx",
                               ptep.address());
        if (vma_is_anonymous(vma) || !userfaultfd_wp(vma))
                return false;
        bool arm = (pte_present(pteval) && pte_uffd_wp(pteval)) || pte_swp_uffd_wp_any(pteval);
        if (arm)
                set_pte_at(vma->vm_mm, addr, ptep, make_pte_marker_uffd_wp());
        return arm;
}

bool cond_install_uffd_wp_ptes(vm_area_struct *vma, unsigned long addr, pte_ptr ptep, pte_t pteval,
                               unsigned int nr)
{
        bool armed = false;
        for (unsigned int i = 0; i < nr; i++, addr += PAGE_SIZE)
                armed |= pte_install_uffd_wp_if_needed(vma, addr, ptep + i, pteval);
        return armed;
}

} // namespace uf
