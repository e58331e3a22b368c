#include "mm/tlb.h"

namespace uf
{

// Drops one slot's cached translation. A CPU that held it dirty may have
// written the page right up to this moment (docs/design.md 5: stale_tlb_write).
static void tlb_drop(world &w, int t, long idx)
{
        tlb_entry &e = w.tlb[t][idx];
        if (!e.cached)
                return;
        pte_t now = w.tables[t][idx];
        bool still_mapped = pte_present(now) && now.val == e.pfn;
        unsigned long first = w.folio.pfn, last = first + folio_nr_pages(&w.folio);
        if (!still_mapped && e.dirty && e.pfn >= first && e.pfn < last) {
                long page = static_cast<long>(e.pfn - first);
                if (w.fire(event_kind::stale_tlb_write, page)) {
                        w.stale_written.set(page);
                        // pageout() already took its snapshot: the write
                        // reaches neither the copy being written out nor
                        // the folio's dirty flag (mm/vmscan.cc).
                        if (w.written_back)
                                w.written_after_writeback.set(page);
                }
        }
        if (still_mapped) {
                e.pending = 0;
                return;
        }
        e = tlb_entry{};
}

// Visits every slot of mm in [start, end) that has a table.
template <typename Fn>
static void for_each_slot(world &w, const mm_struct *mm, unsigned long start, unsigned long end,
                          Fn fn)
{
        for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
                int t = w.table_index(mm, addr >> PMD_SHIFT);
                if (t >= 0)
                        fn(t, static_cast<long>(pte_index(addr)));
        }
}

void flush_tlb_range(vm_area_struct *vma, unsigned long start, unsigned long end)
{
        world &w = *vma->vm_mm->w;
        w.ops.tlb_flush_calls++;
        w.ops.tlb_flush_pages += (end - start) >> PAGE_SHIFT;
        trace_rec &rec = trace_add(w, trace_op::flush_range);
        rec.addr = static_cast<uint32_t>(start);
        rec.value = static_cast<int32_t>(end);
        for_each_slot(w, vma->vm_mm, start, end, [&](int t, long idx) { tlb_drop(w, t, idx); });
}

bool should_defer_flush(mm_struct *, unsigned int flags)
{
        // arch_tlbbatch_should_defer() is true on any SMP machine worth modelling.
        return flags & TTU_BATCH_FLUSH;
}

void set_tlb_ubc_flush_pending(mm_struct *mm, pte_t pteval, unsigned long start, unsigned long end)
{
        world &w = *mm->w;
        bool queued = pte_accessible(pteval);
        trace_rec &rec = trace_add(w, trace_op::flush_pending);
        rec.addr = static_cast<uint32_t>(start);
        rec.value = static_cast<int32_t>(end);
        rec.bits = pteval.bits;
        rec.kind = queued;
        if (w.nr_pending < MAX_PENDING_LOG)
                w.pending_log[w.nr_pending] = pending_range{
                    static_cast<uint8_t>(mm->id), static_cast<uint8_t>(pte_dirty(pteval)),
                    static_cast<uint8_t>(queued), start, end};
        w.nr_pending++;
        // Nothing can be cached for an inaccessible (protnone) entry; the batch
        // rules guarantee the whole range shares slot 0's protnone bit (B17).
        if (!queued)
                return;
        w.ops.tlb_flush_calls++;
        for_each_slot(w, mm, start, end, [&](int t, long idx) {
                if (w.tlb[t][idx].cached)
                        w.tlb[t][idx].pending = 1;
        });
        w.tlb_ubc_flush_required = true;
        mm->tlb_flush_batched++;
        if (pte_dirty(pteval))
                w.tlb_ubc_writable = true;
}

void try_to_unmap_flush(world &w)
{
        if (!w.tlb_ubc_flush_required)
                return;
        trace_rec &rec = trace_add(w, trace_op::flush);
        int flushed = 0;
        for (int t = 0; t < w.nr_tables; t++)
                for (long idx = 0; idx < static_cast<long>(PTRS_PER_PTE); idx++)
                        if (w.tlb[t][idx].pending) {
                                w.ops.tlb_flush_pages++;
                                flushed++;
                                tlb_drop(w, t, idx);
                        }
        rec.nr = static_cast<uint16_t>(flushed);
        w.tlb_ubc_flush_required = false;
        w.tlb_ubc_writable = false;
}

// Reclaim calls this before it starts writeback of a dirty folio: only a
// batch that recorded a dirty pteval can hold an entry a CPU may still
// write through (mm/rmap.c try_to_unmap_flush_dirty()).
void try_to_unmap_flush_dirty(world &w)
{
        trace_add(w, trace_op::flush_dirty).value = w.tlb_ubc_writable;
        if (w.tlb_ubc_writable)
                try_to_unmap_flush(w);
}

void tlb_ubc_note_return(world &w)
{
        w.ubc_required_at_return = w.tlb_ubc_flush_required;
        w.ubc_writable_at_return = w.tlb_ubc_writable;
}

void mmu_notifier_range_init(mmu_notifier_range *range, const vm_area_struct *vma,
                             unsigned long start, unsigned long end)
{
        *range = mmu_notifier_range{vma->vm_mm, vma, start, end};
}

void mmu_notifier_invalidate_range_start(mmu_notifier_range *range)
{
        world &w = *range->mm->w;
        w.ops.notifier_calls++;
        if (w.nr_notifier < MAX_NOTIFIER_LOG)
                w.notifier_log[w.nr_notifier++] =
                    notifier_range{static_cast<uint8_t>(range->mm->id), range->start, range->end};
        w.cur_vma = range->vma;
        w.cur_start = range->start;
        w.cur_end = range->end;
        trace_rec &t = trace_add(w, trace_op::call);
        t.addr = static_cast<uint32_t>(range->start);
        t.value = static_cast<int32_t>(range->end);
}

void mmu_notifier_invalidate_range_end(mmu_notifier_range *range)
{
        world &w = *range->mm->w;
        w.cur_vma = nullptr;
        w.cur_start = w.cur_end = 0;
}

} // namespace uf
